//! Sales channels: admins manage them, staff list an order on more of them and see which are behind; an append writes the webhooks core's `channel_events` call for, to every channel that carries the order.

use std::sync::Arc;

use chrono::Utc;
use ordo_core::channel::{
    ChannelCode, ChannelError, ChannelKind, ChannelName, ChannelSync, DeliveryState, DeliverySummary,
    channel_events, listing_entry, sync_state,
};
use ordo_core::order::{Order, TimelineEntry};

use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::orders::load_from;
use crate::app::orders::{self, StoredOrder};
use crate::app::{App, Doer};
pub use crate::store::channels::{ChannelRow, WebhookRow};
use crate::store::channels::{ChannelWrite, NewWebhook, Via};
use crate::store::orders::{Append, Effects};
use crate::store::{StoreError, backoff};

/// A setting core refused, as the caller's bad input.
fn refused(e: ChannelError) -> ApiError {
    ApiError::bad_input(e.field, e.message)
}

/// What an admin asks of a channel; `None` leaves a setting as it is (on create: no webhook, a
/// fresh secret, active).
#[derive(Debug, Clone, Default)]
pub struct ChannelSettings {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `Some(None)` removes the webhook.
    pub webhook_url: Option<Option<String>>,
    /// A secret in its written form (`whsec_…`); `Some(None)` makes a fresh one.
    pub signing_secret: Option<Option<String>>,
    pub active: Option<bool>,
    /// Whether it hears available-to-sell per SKU.
    pub inventory_sync: Option<bool>,
    /// Whether its events are kept for its pull feed (`channelEvents`).
    pub event_feed: Option<bool>,
}

/// A channel as written, and its signing secret when this write set one (shown once).
#[derive(Debug, Clone)]
pub struct Written {
    pub channel: ChannelRow,
    pub signing_secret: Option<String>,
}

/// The settings after `asked` is applied to `current` (every value parsed by ordo-core), and the
/// secret when it changed.
fn settle(
    current: Option<&ChannelRow>,
    asked: &ChannelSettings,
) -> Result<(ChannelWrite, Option<String>), ApiError> {
    let name = match (&asked.name, current) {
        (Some(name), _) => ChannelName::parse(name).map_err(refused)?.as_str().to_owned(),
        (None, Some(c)) => c.name.clone(),
        (None, None) => return Err(ApiError::bad_input("name", "a new channel needs a name")),
    };
    let kind = match (&asked.kind, current) {
        (Some(kind), _) => ChannelKind::parse(kind).map_err(refused)?,
        (None, Some(c)) => ChannelKind::parse(&c.kind).map_err(refused)?,
        (None, None) => ChannelKind::Marketplace,
    };
    let endpoint = super::webhooks::settle_endpoint(
        &asked.webhook_url,
        &asked.signing_secret,
        current.and_then(|c| c.webhook_url.as_deref()),
        current.and_then(|c| c.secret.as_deref()),
    )?;
    let active = asked.active.or(current.map(|c| c.active)).unwrap_or(true);
    let inventory_sync = asked.inventory_sync.or(current.map(|c| c.inventory_sync)).unwrap_or(false);
    let event_feed = asked.event_feed.or(current.map(|c| c.event_feed)).unwrap_or(false);
    let write = ChannelWrite {
        name,
        kind: kind.key(),
        webhook_url: endpoint.url,
        secret: Some(endpoint.secret),
        active,
        inventory_sync,
        event_feed,
    };
    Ok((write, endpoint.new_secret))
}

/// Every channel (staff; admins see the same, secrets are never answered).
pub async fn list(app: &App, caller: &Actor) -> Result<Vec<ChannelRow>, ApiError> {
    caller.require_staff()?;
    Ok(app.store().channels().await?.as_ref().clone())
}

/// Channel `code` (staff), or the caller's own channel.
pub async fn one(app: &App, caller: &Actor, code: &str) -> Result<Option<ChannelRow>, ApiError> {
    match caller {
        Actor::Channel { channel } if channel == code => {}
        _ => caller.require_staff()?,
    }
    Ok(app.store().channel(code).await?)
}

/// Creates channel `code` (admins): `CONFLICT` when the code is taken.
pub async fn create(
    app: &App,
    caller: &Actor,
    code: &str,
    asked: &ChannelSettings,
) -> Result<Written, ApiError> {
    caller.require_admin()?;
    let code = ChannelCode::parse(code).map_err(refused)?;
    let (write, signing_secret) = settle(None, asked)?;
    match app.store().create_channel(code.as_str(), &write).await? {
        Some(channel) => Ok(Written { channel, signing_secret }),
        None => Err(ApiError::Taken("channel")),
    }
}

/// Changes channel `code`'s settings (admins).
pub async fn update(
    app: &App,
    caller: &Actor,
    code: &str,
    asked: &ChannelSettings,
) -> Result<Written, ApiError> {
    caller.require_admin()?;
    let store = app.store();
    let current = store.channel(code).await?.ok_or(ApiError::NotFound("channel"))?;
    let (write, signing_secret) = settle(Some(&current), asked)?;
    let channel = store.update_channel(code, &write).await?.ok_or(ApiError::NotFound("channel"))?;
    Ok(Written { channel, signing_secret })
}

/// Whether orders may come in on `code`: an active channel. `NOT_FOUND` otherwise.
pub(crate) async fn require_open(app: &App, code: &str) -> Result<(), ApiError> {
    let code = ChannelCode::parse(code).map_err(|e| ApiError::bad_input("channel", e.message))?;
    match app.store().channel(code.as_str()).await? {
        Some(channel) if channel.active => Ok(()),
        _ => Err(ApiError::NotFound("channel")),
    }
}

/// Lists order `order_id` on channel `code` too (staff): its events are told there from now on.
pub async fn list_order_on(
    app: &App,
    caller: &Actor,
    subject: &str,
    order_id: &str,
    code: &str,
) -> Result<StoredOrder, ApiError> {
    caller.require_staff()?;
    let code = ChannelCode::parse(code).map_err(refused)?;
    let store = app.store();
    let order_id = orders::visible(app, caller, order_id).await?.order.id().as_str().to_owned();
    if store.channel(code.as_str()).await?.is_none() {
        return Err(ApiError::NotFound("channel"));
    }
    let by = Doer { kind: caller.name().to_owned(), subject: Some(subject.to_owned()) };
    for attempt in 1..=20u32 {
        let before = load_from(store, &order_id).await?;
        let entry = listing_entry(&before, &code, Utc::now())
            .map_err(|e| ApiError::bad_input("channel", e.to_string()))?;
        let mut after = before.clone();
        after.apply(&entry).map_err(|e| StoreError::Decode(e.to_string()))?;
        let append = Append {
            order: &after,
            expected_seq: before.last_seq(),
            entries: std::slice::from_ref(&entry),
            actor: &by,
            idempotency: None,
            effects: &Effects::default(),
            messages: &[],
            attempt: None,
            webhooks: &[],
            webhook_attempt: None,
        };
        if store.append(&append).await? {
            return orders::read(app, &order_id).await;
        }
        backoff(attempt).await;
    }
    Err(StoreError::Contended(20).into())
}

/// The webhooks `entries` (which turned `before` into `after`; no `before` for the first) call
/// for: each event core's `channel_events` tells, to every channel that carries the order and
/// hears webhooks. Reads the channels only when there is something to tell.
pub(crate) async fn webhooks_for(
    app: &App,
    before: Option<&Order>,
    after: &Order,
    entries: &[TimelineEntry],
) -> Result<Vec<NewWebhook>, ApiError> {
    webhooks_told(app, None, before, after, entries).await
}

/// [`webhooks_for`], with the channels when the caller just read them.
pub(crate) async fn webhooks_told(
    app: &App,
    channels: Option<Arc<Vec<ChannelRow>>>,
    before: Option<&Order>,
    after: &Order,
    entries: &[TimelineEntry],
) -> Result<Vec<NewWebhook>, ApiError> {
    let mut webhooks = super::suppliers::webhooks_for(app, after, entries).await?;
    let events = channel_events(before, after, entries);
    if events.is_empty() {
        return Ok(webhooks);
    }
    let channels = match channels {
        Some(channels) => channels,
        None => app.store().channels().await?,
    };
    // Each carrying channel by webhook when it takes them, and in its pull feed when it keeps one.
    let told: Vec<(&str, Via)> = after
        .channels()
        .into_iter()
        .filter_map(|code| channels.iter().find(|c| c.code == code))
        .flat_map(|c| {
            let http = c.hears().then_some((c.code.as_str(), Via::Http));
            let feed = (c.active && c.event_feed).then_some((c.code.as_str(), Via::Feed));
            http.into_iter().chain(feed)
        })
        .collect();
    webhooks.reserve(events.len() * told.len());
    for event in &events {
        let payload_json = serde_json::to_string(event).map_err(|e| StoreError::Decode(e.to_string()))?;
        for (channel, via) in &told {
            webhooks.push(NewWebhook {
                key: format!("{}#{:010}#{channel}", after.id().as_str(), event.data.seq),
                channel: (*channel).to_owned(),
                seq: event.data.seq,
                event_type: event.kind.name(),
                payload_json: payload_json.clone(),
                via: *via,
            });
        }
    }
    Ok(webhooks)
}

/// One channel's sync state on an order.
#[derive(Debug, Clone)]
pub struct ChannelSyncRow {
    pub channel: String,
    pub sync: ChannelSync,
}

/// How far behind each channel carrying `order` is, from its webhooks (staff): channels that
/// hear webhooks, in the order's channel order.
pub async fn sync_of(app: &App, caller: &Actor, order: &Order) -> Result<Vec<ChannelSyncRow>, ApiError> {
    caller.require_staff()?;
    let store = app.store();
    let channels = store.channels().await?;
    let webhooks = store.webhooks(Some(order.id().as_str()), None, None, 10_000).await?;
    Ok(order
        .channels()
        .into_iter()
        .filter(|code| {
            channels.iter().any(|c| c.code == *code && c.hears())
                || webhooks.iter().any(|w| w.channel == *code)
        })
        .map(|code| {
            let deliveries: Vec<DeliverySummary> =
                webhooks.iter().filter(|w| w.channel == code).map(summary).collect();
            ChannelSyncRow { channel: code.to_owned(), sync: sync_state(&deliveries) }
        })
        .collect())
}

fn summary(row: &WebhookRow) -> DeliverySummary {
    let state = match row.state.as_str() {
        "acknowledged" => DeliveryState::Acknowledged,
        "dead" => DeliveryState::Dead,
        _ => DeliveryState::Pending,
    };
    DeliverySummary {
        seq: row.seq.unwrap_or_default(),
        state,
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        last_error: row.last_error.clone(),
        acknowledged_at: row.acknowledged_at,
    }
}

/// Webhooks for staff, newest first: about `order_id`, to `channel`, in `state`, at most `first`.
pub async fn webhooks(
    app: &App,
    caller: &Actor,
    order_id: Option<&str>,
    channel: Option<&str>,
    state: Option<&str>,
    first: usize,
) -> Result<Vec<WebhookRow>, ApiError> {
    caller.require_staff()?;
    Ok(app.store().webhooks(order_id, channel, state, first.min(500)).await?)
}

/// Queues a dead or waiting webhook again, due now with a fresh set of attempts (staff).
pub async fn retry(app: &App, caller: &Actor, key: &str) -> Result<WebhookRow, ApiError> {
    caller.require_staff()?;
    let store = app.store();
    if let Some(row) = store.requeue_webhook(key).await? {
        store.webhooks_written().notify_one();
        return Ok(row);
    }
    match store.webhook(key).await? {
        Some(_) => Err(ApiError::AlreadySent),
        None => Err(ApiError::NotFound("webhook")),
    }
}
