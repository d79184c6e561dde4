//! Sales channels: admins create and change them (webhook URL, signing secret shown once); staff
//! list an order on more channels, see each channel's webhooks and queue a dead one again.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::types::OrderView;
use super::{actor, app, subject};
use crate::app::channel_feed::{self, Cursor, FeedRow};
use crate::app::channels::{self, ChannelRow, ChannelSettings, WebhookRow, Written};
use crate::graphql::error::GqlResult;

/// What sort of channel sells the orders.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    Web,
    Marketplace,
    Pos,
    Social,
}

impl ChannelKind {
    fn key(self) -> &'static str {
        match self {
            ChannelKind::Web => "web",
            ChannelKind::Marketplace => "marketplace",
            ChannelKind::Pos => "pos",
            ChannelKind::Social => "social",
        }
    }

    fn from_key(key: &str) -> ChannelKind {
        match key {
            "web" => ChannelKind::Web,
            "pos" => ChannelKind::Pos,
            "social" => ChannelKind::Social,
            _ => ChannelKind::Marketplace,
        }
    }
}

/// A sales channel. Its signing secret is shown only when it is set (`ChannelWritten`).
#[derive(SimpleObject, Debug, Clone)]
pub struct Channel {
    /// What orders carry (`web`, `amazon-eu`).
    pub code: String,
    pub name: String,
    pub kind: ChannelKind,
    /// Where its webhooks go; null: it hears nothing.
    pub webhook_url: Option<String>,
    /// An inactive channel takes no orders and hears nothing.
    pub active: bool,
    /// Whether it hears available-to-sell per SKU (`inventory.updated`, at most once a second
    /// per SKU, with a version to apply only newer counts).
    pub inventory_sync: bool,
    /// Whether its orders' events are kept for its pull feed (`channelEvents`).
    pub event_feed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ChannelRow> for Channel {
    fn from(row: ChannelRow) -> Channel {
        Channel {
            kind: ChannelKind::from_key(&row.kind),
            code: row.code,
            name: row.name,
            webhook_url: row.webhook_url,
            active: row.active,
            inventory_sync: row.inventory_sync,
            event_feed: row.event_feed,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A channel as written, with its signing secret when this write set one: shown this once, in
/// Standard Webhooks' form (`whsec_` + base64), for the channel to verify signatures with.
#[derive(SimpleObject, Debug, Clone)]
pub struct ChannelWritten {
    pub channel: Channel,
    pub signing_secret: Option<String>,
}

impl From<Written> for ChannelWritten {
    fn from(w: Written) -> ChannelWritten {
        ChannelWritten { channel: w.channel.into(), signing_secret: w.signing_secret }
    }
}

/// A new channel.
#[derive(InputObject, Debug)]
pub struct CreateChannelInput {
    /// 1–40 lowercase letters, digits, `-` or `_`.
    pub code: String,
    pub name: String,
    pub kind: ChannelKind,
    /// An `http://` or `https://` URL; none: the channel hears no webhooks.
    pub webhook_url: Option<String>,
    /// `whsec_` + base64 of 24–64 bytes; none: a fresh random one (answered once).
    pub signing_secret: Option<String>,
    /// Whether it hears available-to-sell per SKU.
    #[graphql(default)]
    pub inventory_sync: bool,
    /// Whether its orders' events are kept for its pull feed (`channelEvents`).
    #[graphql(default)]
    pub event_feed: bool,
}

/// Changes to a channel: fields left out stay as they are.
#[derive(InputObject, Debug)]
pub struct UpdateChannelInput {
    pub name: Option<String>,
    pub kind: Option<ChannelKind>,
    /// null removes the webhook.
    pub webhook_url: MaybeUndefined<String>,
    /// A new secret; null makes a fresh random one (answered once).
    pub signing_secret: MaybeUndefined<String>,
    pub active: Option<bool>,
    pub inventory_sync: Option<bool>,
    /// Turning it on keeps events from then on.
    pub event_feed: Option<bool>,
}

/// Where a webhook is in its delivery.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WebhookState {
    /// Waiting for its (next) attempt.
    Pending,
    /// The channel answered 2xx.
    Acknowledged,
    /// Given up after its last attempt; `retryWebhook` queues it again.
    Dead,
}

impl WebhookState {
    fn key(self) -> &'static str {
        match self {
            WebhookState::Pending => "pending",
            WebhookState::Acknowledged => "acknowledged",
            WebhookState::Dead => "dead",
        }
    }

    fn from_key(key: &str) -> WebhookState {
        match key {
            "acknowledged" => WebhookState::Acknowledged,
            "dead" => WebhookState::Dead,
            _ => WebhookState::Pending,
        }
    }
}

/// One attempt to deliver a webhook.
#[derive(SimpleObject, Debug, Clone)]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// The channel's HTTP status, when it answered.
    pub status: Option<i32>,
    pub error: Option<String>,
}

/// A webhook to a channel: one event of one order.
#[derive(SimpleObject, Debug, Clone)]
pub struct Webhook {
    /// Its `webhook-id`, the same on every attempt (`order#seq#channel`,
    /// `inventory#SKU#version#channel`).
    pub id: ID,
    pub channel: String,
    /// The order it tells of (null: an inventory push).
    pub order_id: Option<ID>,
    /// The order's timeline entry it tells of.
    pub seq: Option<i64>,
    /// `order.placed`, `shipment.shipped`, `inventory.updated`, …
    pub event_type: String,
    /// The signed body (for an e-mail: what its words and purchase order were written from).
    pub payload: String,
    /// How it goes: an HTTP POST, or (a supplier's request) an e-mail with the purchase order.
    pub via: WebhookVia,
    pub state: WebhookState,
    /// When the next attempt is due (pending webhooks).
    pub due: DateTime<Utc>,
    /// Attempts since it was (re)queued.
    pub attempts: i32,
    pub tries: Vec<WebhookAttempt>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// How a webhook row goes out.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WebhookVia {
    /// A signed HTTP POST to the partner's webhook URL.
    Http,
    /// An e-mail to the supplier's contact address, with the purchase order as a PDF.
    Email,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Webhook {
        let via = if row.by_mail() { WebhookVia::Email } else { WebhookVia::Http };
        Webhook {
            id: ID(row.key),
            channel: row.channel,
            order_id: row.order_id.map(ID),
            seq: row.seq.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            event_type: row.event_type,
            via,
            payload: row.payload_json,
            state: WebhookState::from_key(&row.state),
            due: row.due,
            attempts: i32::try_from(row.attempts).unwrap_or(i32::MAX),
            tries: row
                .tries
                .into_iter()
                .map(|t| WebhookAttempt {
                    at: t.at,
                    ok: t.ok,
                    status: t.status.and_then(|s| i32::try_from(s).ok()),
                    error: t.error,
                })
                .collect(),
            last_error: row.last_error,
            created_at: row.created_at,
            acknowledged_at: row.acknowledged_at,
        }
    }
}

/// How far behind a channel that carries an order is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChannelSyncState {
    /// It acknowledged every event.
    Synced,
    /// Events wait for their first attempt.
    Pending,
    /// An attempt failed; it will be tried again.
    Retrying,
    /// A webhook was given up: the channel missed an event until staff send it again.
    Failed,
}

/// One channel's sync state on an order.
#[derive(SimpleObject, Debug, Clone)]
pub struct ChannelSync {
    pub channel: String,
    pub state: ChannelSyncState,
    /// Whether the channel has not heard everything yet.
    pub behind: bool,
    /// Attempts of the webhook holding it back.
    pub attempts: i32,
    pub last_error: Option<String>,
    /// When it last acknowledged an event of the order.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl From<channels::ChannelSyncRow> for ChannelSync {
    fn from(row: channels::ChannelSyncRow) -> ChannelSync {
        use ordo_core::channel::SyncState;
        let state = match row.sync.state {
            SyncState::Synced => ChannelSyncState::Synced,
            SyncState::Pending => ChannelSyncState::Pending,
            SyncState::Retrying => ChannelSyncState::Retrying,
            SyncState::Failed => ChannelSyncState::Failed,
        };
        ChannelSync {
            channel: row.channel,
            state,
            behind: row.sync.state.behind(),
            attempts: i32::try_from(row.sync.attempts).unwrap_or(i32::MAX),
            last_error: row.sync.last_error,
            acknowledged_at: row.sync.acknowledged_at,
        }
    }
}

/// One event in a channel's pull feed: the body its webhook would carry, and where it stands.
#[derive(SimpleObject, Debug, Clone)]
pub struct ChannelFeedEvent {
    /// The same as the event's `webhook-id` (`order#seq#channel`): a channel taking both
    /// webhooks and the feed sees each event once by it.
    pub id: ID,
    /// Pass it as `after` to read on from right after this event.
    pub cursor: String,
    /// `order.placed`, `shipment.shipped`, …
    #[graphql(name = "type")]
    pub event_type: String,
    pub order_id: ID,
    pub seq: i64,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The webhook's body (`type`, `timestamp`, `data`).
    pub payload: async_graphql::Json<serde_json::Value>,
}

impl From<FeedRow> for ChannelFeedEvent {
    fn from(row: FeedRow) -> ChannelFeedEvent {
        ChannelFeedEvent {
            cursor: Cursor::after(&row).written(),
            id: ID(row.key),
            event_type: row.event_type,
            order_id: ID(row.order_id),
            seq: i64::try_from(row.seq).unwrap_or(i64::MAX),
            at: row.at,
            payload: async_graphql::Json(serde_json::from_str(&row.payload_json).unwrap_or_default()),
        }
    }
}

/// A page of a channel's pull feed.
#[derive(SimpleObject, Debug, Clone)]
pub struct ChannelEventPage {
    /// Oldest first.
    pub events: Vec<ChannelFeedEvent>,
    /// Where to read on from: the last event's cursor, or the `after` given when there was
    /// nothing new (null only when the feed has nothing yet). An event shows here a couple of
    /// seconds after it happened, never out of order and never skipped.
    pub cursor: Option<String>,
}

#[derive(Default, Debug)]
pub struct ChannelQuery;

#[Object]
impl ChannelQuery {
    /// Every sales channel (staff).
    async fn channels(&self, ctx: &Context<'_>) -> Result<Vec<Channel>> {
        let rows = channels::list(app(ctx)?, actor(ctx)).await.gql()?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// One channel (staff, or the channel itself).
    async fn channel(&self, ctx: &Context<'_>, code: String) -> Result<Option<Channel>> {
        Ok(channels::one(app(ctx)?, actor(ctx), &code).await.gql()?.map(Channel::from))
    }

    /// A channel's pull feed of its orders' events, oldest first, after `after` (a cursor this
    /// feed gave out; from the start when left out). A channel token reads its own channel's
    /// feed (`channel` may be left out), staff any they name. Events are kept while the channel
    /// has `eventFeed` on. Each event is the body its webhook carries.
    async fn channel_events(
        &self,
        ctx: &Context<'_>,
        channel: Option<String>,
        after: Option<String>,
        #[graphql(default = 100)] first: i32,
    ) -> Result<ChannelEventPage> {
        let first = super::page_size(first)?;
        let after = after.as_deref().map(Cursor::parse).transpose().gql()?;
        let app = app(ctx)?;
        let code = channel_feed::channel_of(app, actor(ctx), channel.as_deref()).await.gql()?;
        let rows = channel_feed::page(app, &code, after.as_ref(), first).await.gql()?;
        let cursor = rows.last().map(Cursor::after).or(after).map(|c| c.written());
        Ok(ChannelEventPage { events: rows.into_iter().map(ChannelFeedEvent::from).collect(), cursor })
    }

    /// Webhooks to channels, newest first (staff): about one order, to one channel, in one state.
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        order_id: Option<ID>,
        channel: Option<String>,
        state: Option<WebhookState>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<Webhook>> {
        let first = super::page_size(first)?;
        let rows = channels::webhooks(
            app(ctx)?,
            actor(ctx),
            order_id.as_ref().map(|id| id.as_str()),
            channel.as_deref(),
            state.map(WebhookState::key),
            first,
        )
        .await
        .gql()?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }
}

#[derive(Default, Debug)]
pub struct ChannelMutation;

#[Object]
impl ChannelMutation {
    /// Creates a sales channel (admins). Without a signing secret a fresh one is made; either
    /// way it is answered this once.
    async fn create_channel(&self, ctx: &Context<'_>, input: CreateChannelInput) -> Result<ChannelWritten> {
        let settings = ChannelSettings {
            name: Some(input.name),
            kind: Some(input.kind.key().to_owned()),
            webhook_url: Some(input.webhook_url),
            signing_secret: Some(input.signing_secret),
            active: Some(true),
            inventory_sync: Some(input.inventory_sync),
            event_feed: Some(input.event_feed),
        };
        Ok(channels::create(app(ctx)?, actor(ctx), &input.code, &settings).await.gql()?.into())
    }

    /// Changes a sales channel (admins).
    async fn update_channel(
        &self,
        ctx: &Context<'_>,
        code: String,
        input: UpdateChannelInput,
    ) -> Result<ChannelWritten> {
        let maybe = |value: MaybeUndefined<String>| match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let settings = ChannelSettings {
            name: input.name,
            kind: input.kind.map(|k| k.key().to_owned()),
            webhook_url: maybe(input.webhook_url),
            signing_secret: maybe(input.signing_secret),
            active: input.active,
            inventory_sync: input.inventory_sync,
            event_feed: input.event_feed,
        };
        Ok(channels::update(app(ctx)?, actor(ctx), &code, &settings).await.gql()?.into())
    }

    /// Lists an order on another sales channel too (staff): from now on its events are told
    /// there as well (a shipped parcel is marked shipped on every channel that carries it).
    async fn list_order_on_channel(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        channel: String,
    ) -> Result<OrderView> {
        let caller = actor(ctx);
        let order =
            channels::list_order_on(app(ctx)?, caller, subject(ctx), &order_id, &channel).await.gql()?;
        Ok(OrderView::new(order, caller))
    }

    /// Queues a dead (or waiting) webhook again, due now with a fresh set of attempts (staff).
    async fn retry_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        Ok(channels::retry(app(ctx)?, actor(ctx), &id).await.gql()?.into())
    }
}
