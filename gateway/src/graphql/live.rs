//! Subscriptions: an order's events as they happen (`orderUpdated`, with `afterSeq` replay and
//! no gaps or duplicates) and the staff feed of all orders (`orderEvents`). Both read the
//! gateway's live feed ([`crate::app::live::Feed`]), never the mutation code path.

use std::collections::VecDeque;
use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, InputObject, Result, SimpleObject, Subscription};
use chrono::Utc;
use futures::Stream;
use ordo_core::order::{Order, TimelineEntry};
use tokio::sync::broadcast::{self, error::RecvError};

use super::types::{StatusViewObject, TimelineEvent};
use super::{actor, app, feed};
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::live::FeedEvent;
use crate::app::{App, Doer, fulfilment, orders};
use crate::graphql::error::GqlResult;

/// How many feed rows a `channelEvents` subscription reads at once, and how long it waits when
/// there was nothing new.
const FEED_PAGE: usize = 100;
const FEED_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// One event of an order, with the order's state and status right after it.
#[derive(SimpleObject, Debug, Clone)]
pub struct OrderUpdate {
    pub order_id: String,
    /// The event's sequence number: pass the last one you saw as `afterSeq` when resubscribing.
    pub seq: i64,
    pub event: TimelineEvent,
    pub state: String,
    pub status_view: StatusViewObject,
}

/// Which events the staff feed carries.
#[derive(InputObject, Debug, Clone, Default)]
pub struct OrderEventFilterInput {
    /// Event types (`shipment_shipped`, `payment_captured`, …); all when absent.
    pub types: Option<Vec<String>>,
    /// Only orders of this sales channel.
    pub channel: Option<String>,
}

fn update(order: &Order, entry: &TimelineEntry, actor: &Doer) -> OrderUpdate {
    OrderUpdate {
        order_id: order.id().as_str().to_owned(),
        seq: i64::try_from(entry.seq).unwrap_or(i64::MAX),
        event: TimelineEvent::from_entry(order.id().as_str(), entry, actor),
        state: order.state().name().to_owned(),
        status_view: ordo_core::status::status_view(order, Utc::now()).into(),
    }
}

fn lagged(last: u64) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "this subscriber fell too far behind; subscribe again with afterSeq: {last}"
    ))
    .extend_with(|_, e| {
        e.set("code", super::error::Code::SubscriberLagged.as_str());
        e.set("lastSeq", i64::try_from(last).unwrap_or(i64::MAX));
    })
}

/// Where one `orderUpdated` subscription stands.
struct OrderWatch {
    app: App,
    rx: broadcast::Receiver<Arc<FeedEvent>>,
    order: Order,
    pending: VecDeque<OrderUpdate>,
    done: bool,
}

impl OrderWatch {
    /// Folds stored events after the order's last sequence number into `pending`.
    async fn catch_up(&mut self) -> Result<(), ApiError> {
        let rows = orders::history(&self.app, self.order.id().as_str()).await?;
        let last = self.order.last_seq();
        for (entry, actor) in rows.into_iter().filter(|(e, _)| e.seq > last) {
            self.apply(&entry, &actor)?;
        }
        Ok(())
    }

    fn apply(&mut self, entry: &TimelineEntry, actor: &Doer) -> Result<(), ApiError> {
        self.order.apply(entry).map_err(|e| ApiError::internal("folding a timeline", &e))?;
        self.pending.push_back(update(&self.order, entry, actor));
        Ok(())
    }

    async fn next(&mut self) -> Option<Result<OrderUpdate>> {
        loop {
            if let Some(update) = self.pending.pop_front() {
                return Some(Ok(update));
            }
            if self.done {
                return None;
            }
            match self.rx.recv().await {
                Ok(event) if event.order_id == self.order.id().as_str() => {
                    let last = self.order.last_seq();
                    if event.entry.seq <= last {
                        continue; // seen already (replay, or a feed restart)
                    }
                    let applied = if event.entry.seq == last + 1 {
                        self.apply(&event.entry, &event.actor)
                    } else {
                        self.catch_up().await // a gap: the store has what the feed missed
                    };
                    if let Err(e) = applied {
                        self.done = true;
                        return Some(Err(e).gql());
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    self.done = true;
                    return Some(Err(lagged(self.order.last_seq())));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

#[derive(Default, Debug)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Every event of one order from now on, each with the order's new status; with
    /// `afterSeq`, first the stored events after that sequence number. Sequence numbers
    /// increase by one with no gaps and no repeats, also across reconnects. A subscriber too
    /// slow to keep up gets `SUBSCRIBER_LAGGED` (with `lastSeq`) and can resubscribe from there.
    async fn order_updated(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        after_seq: Option<i64>,
    ) -> Result<impl Stream<Item = Result<OrderUpdate>> + use<>> {
        let caller = actor(ctx).clone();
        if caller == Actor::Anonymous {
            return Err(ApiError::Unauthenticated).gql();
        }
        let app = app(ctx)?;
        // Subscribe before reading, so nothing committed in between is missed.
        let rx = feed(ctx)?.subscribe();
        let timeline = orders::history(app, order_id.trim()).await.gql()?;
        let Some(first) = timeline.first() else { return Err(ApiError::NotFound("order")).gql() };
        let decode_error =
            |e: ordo_core::order::TimelineError| ApiError::internal("folding a timeline", &e).extend();
        let full = Order::from_timeline(&timeline.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>())
            .map_err(decode_error)?;
        // A supplier sees only its lines and parcels, never the whole order's events.
        if !caller.can_see(&full) || matches!(caller, Actor::Supplier { .. }) {
            return Err(ApiError::NotFound("order")).gql();
        }
        let after = after_seq.map_or(full.last_seq(), |a| u64::try_from(a.max(0)).unwrap_or(0));
        // Replay what came after `after`, each with the status it produced.
        let mut order = Order::from_timeline(std::slice::from_ref(&first.0)).map_err(decode_error)?;
        let mut pending = VecDeque::new();
        if first.0.seq > after {
            pending.push_back(update(&order, &first.0, &first.1));
        }
        for (entry, actor) in timeline.iter().skip(1) {
            order.apply(entry).map_err(decode_error)?;
            if entry.seq > after {
                pending.push_back(update(&order, entry, actor));
            }
        }
        let watch = OrderWatch { app: app.clone(), rx, order, pending, done: false };
        Ok(futures::stream::unfold(watch, |mut watch| async move {
            let item = watch.next().await?;
            Some((item, watch))
        }))
    }

    /// A channel's pull feed as it grows (`channelEvents`, pushed): first the events after
    /// `after` (from the feed's start when left out), then each new one a couple of seconds
    /// after it happened, oldest first, never skipped or repeated. Resubscribe with the last
    /// event's `cursor` to go on where a dropped connection left off.
    async fn channel_events(
        &self,
        ctx: &Context<'_>,
        channel: Option<String>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<super::channels::ChannelFeedEvent>> + use<>> {
        use crate::app::channel_feed::{self, Cursor};
        let app = app(ctx)?.clone();
        let after = after.as_deref().map(Cursor::parse).transpose().gql()?;
        let code = channel_feed::channel_of(&app, actor(ctx), channel.as_deref()).await.gql()?;
        // The stream ends after an error (the store failing): the client resubscribes from the
        // last cursor it saw.
        let state = Some((app, code, after, VecDeque::new()));
        Ok(futures::stream::unfold(state, |state| async move {
            let (app, code, mut after, mut pending) = state?;
            loop {
                if let Some(row) = pending.pop_front() {
                    let event = super::channels::ChannelFeedEvent::from(row);
                    return Some((Ok(event), Some((app, code, after, pending))));
                }
                match channel_feed::page(&app, &code, after.as_ref(), FEED_PAGE).await {
                    Ok(rows) if rows.is_empty() => tokio::time::sleep(FEED_POLL).await,
                    Ok(rows) => {
                        after = rows.last().map(Cursor::after);
                        pending.extend(rows);
                    }
                    Err(e) => return Some((Err(e).gql(), None)),
                }
            }
        }))
    }

    /// Carrier tracking reports (label created, picked up, in transit, out for delivery,
    /// delivered, exception) with place, time and the carrier's wording, as they arrive, for an
    /// order's parcels or one parcel by tracking number.
    async fn shipment_tracking(
        &self,
        ctx: &Context<'_>,
        order_id: Option<String>,
        tracking_number: Option<String>,
        #[graphql(
            default = false,
            desc = "First send the reports already stored (oldest first), then the new ones: no gap between a page load and the subscription."
        )]
        replay: bool,
    ) -> Result<impl Stream<Item = Result<super::fulfilment_types::TrackingEventView>> + use<>> {
        use super::fulfilment_types::TrackingEventView;
        use std::collections::HashSet;
        let app = app(ctx)?;
        // Subscribe before reading, so nothing stored in between is missed.
        let rx = feed(ctx)?.subscribe_tracking();
        let (order_id, shipment) =
            fulfilment::followed(app, actor(ctx), order_id.as_deref(), tracking_number.as_deref())
                .await
                .gql()?;
        let mut stored: VecDeque<TrackingEventView> = VecDeque::new();
        let mut seen: HashSet<(String, String, i64)> = HashSet::new();
        if replay {
            let order = crate::app::commands::load(app, &order_id).await.gql()?;
            for parcel in order.shipments().iter().filter(|p| shipment.as_ref().is_none_or(|s| s == p.id())) {
                for r in fulfilment::reports(app, parcel.id()).await.gql()? {
                    seen.insert((r.shipment_id.clone(), r.status.clone(), r.occurred_at.timestamp_millis()));
                    stored.push_back((&r).into());
                }
            }
        }
        Ok(futures::stream::unfold((rx, stored, seen, false), move |(mut rx, mut stored, mut seen, done)| {
            let (order_id, shipment) = (order_id.clone(), shipment.clone());
            async move {
                if let Some(report) = stored.pop_front() {
                    return Some((Ok(report), (rx, stored, seen, done)));
                }
                if done {
                    return None;
                }
                loop {
                    match rx.recv().await {
                        Ok(r)
                            if r.order_id == order_id
                                && shipment.as_ref().is_none_or(|s| *s == r.shipment_id) =>
                        {
                            // A report both stored and live (it arrived during the replay) goes out once.
                            let key =
                                (r.shipment_id.clone(), r.status.clone(), r.occurred_at.timestamp_millis());
                            if seen.contains(&key) {
                                continue;
                            }
                            seen.insert(key);
                            return Some((Ok((&*r).into()), (rx, stored, seen, false)));
                        }
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => return Some((Err(lagged(0)), (rx, stored, seen, true))),
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        }))
    }

    /// Every event of every order, for staff screens (a packing station, a dashboard),
    /// optionally filtered by event type and channel.
    async fn order_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderEventFilterInput>,
    ) -> Result<impl Stream<Item = Result<TimelineFeedItem>> + use<>> {
        actor(ctx).require_staff().gql()?;
        let filter = filter.unwrap_or_default();
        let rx = feed(ctx)?.subscribe();
        let app = app(ctx)?.clone();
        Ok(futures::stream::unfold((rx, app, filter, false), |(mut rx, app, filter, done)| async move {
            if done {
                return None;
            }
            loop {
                match rx.recv().await {
                    Ok(event) => {
                        let kind = event.entry.event.name();
                        if filter.types.as_ref().is_some_and(|t| !t.iter().any(|t| t == kind)) {
                            continue;
                        }
                        if let Some(channel) = &filter.channel {
                            let Ok(Some(row_channel)) = orders::channel_of(&app, &event.order_id).await
                            else {
                                continue;
                            };
                            if &row_channel != channel {
                                continue;
                            }
                        }
                        let item = TimelineFeedItem {
                            order_id: event.order_id.clone(),
                            seq: i64::try_from(event.entry.seq).unwrap_or(i64::MAX),
                            event: TimelineEvent::shared(event),
                        };
                        return Some((Ok(item), (rx, app, filter, false)));
                    }
                    Err(RecvError::Lagged(_)) => return Some((Err(lagged(0)), (rx, app, filter, true))),
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}

/// One event in the staff feed.
#[derive(SimpleObject, Debug, Clone)]
pub struct TimelineFeedItem {
    pub order_id: String,
    pub seq: i64,
    pub event: TimelineEvent,
}
