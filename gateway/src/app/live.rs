//! The live event feed: one SurrealDB `LIVE SELECT` on the `event` table (and one on
//! `tracking_event`) per gateway, fanned out in-process to every subscriber through bounded
//! broadcast channels. Changes made
//! through any gateway on the same store arrive here. When the live query ends or fails, it is
//! re-established and the events since the last one seen are replayed (subscribers drop
//! duplicates by sequence number).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use ordo_core::order::TimelineEntry;
use tokio::sync::{Notify, broadcast};

use crate::store::orders::stored_json;
use crate::store::{Doer, Store};

/// Events a subscriber may fall behind by before it is told it lagged.
pub const FEED_CAPACITY: usize = 4_096;

/// How far back a re-established feed replays, beyond the last event it saw (clock skew
/// between gateways).
const REPLAY_MARGIN: Duration = Duration::from_secs(5);

/// One stored timeline event, as the feed carries it.
#[derive(Debug)]
pub struct FeedEvent {
    pub order_id: String,
    pub actor: Doer,
    pub entry: TimelineEntry,
    /// The event's wire JSON, made once however many subscribers ask.
    data: OnceLock<serde_json::Value>,
}

impl FeedEvent {
    pub fn new(order_id: String, actor: Doer, entry: TimelineEntry) -> FeedEvent {
        FeedEvent { order_id, actor, entry, data: OnceLock::new() }
    }

    /// The event (without its sequence number and time) as ordo-core's wire JSON.
    pub fn data(&self) -> &serde_json::Value {
        self.data.get_or_init(|| serde_json::to_value(&self.entry.event).unwrap_or_default())
    }
}

pub use crate::store::tracking::TrackingRecord;

/// One live query's loop controls.
#[derive(Debug, Default)]
struct Controls {
    interrupt: Notify,
    stop: Notify,
}

/// The gateway's live feed.
#[derive(Debug)]
pub struct Feed {
    tx: broadcast::Sender<Arc<FeedEvent>>,
    tracking: broadcast::Sender<Arc<TrackingRecord>>,
    events_loop: Controls,
    tracking_loop: Controls,
    restarts: AtomicU64,
}

impl Feed {
    /// Starts the feed's task on `store`; it runs until [`Feed::stop`].
    pub fn start(store: Store) -> Arc<Feed> {
        Feed::start_with_capacity(store, FEED_CAPACITY)
    }

    /// [`Feed::start`] with room for `capacity` events per subscriber before it lags.
    pub fn start_with_capacity(store: Store, capacity: usize) -> Arc<Feed> {
        let (tx, _) = broadcast::channel(capacity.max(1));
        let (tracking, _) = broadcast::channel(capacity.max(1));
        let feed = Arc::new(Feed {
            tx,
            tracking,
            events_loop: Controls::default(),
            tracking_loop: Controls::default(),
            restarts: AtomicU64::new(0),
        });
        let events = feed.clone();
        tokio::spawn(run(feed.clone(), store.clone(), &EVENTS, move |record| {
            let event = decode(record)?;
            let at = event.entry.at;
            let _ = events.tx.send(Arc::new(event));
            Some(at)
        }));
        let tracking = feed.clone();
        tokio::spawn(run(feed.clone(), store, &TRACKING, move |record| {
            let report: TrackingRecord = serde_json::from_value(record).ok()?;
            let at = report.occurred_at;
            let _ = tracking.tracking.send(Arc::new(report));
            Some(at)
        }));
        feed
    }

    /// A receiver of every carrier tracking report from now on.
    pub fn subscribe_tracking(&self) -> broadcast::Receiver<Arc<TrackingRecord>> {
        self.tracking.subscribe()
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.tx.subscribe()
    }

    /// Drops the current live query as if the store had ended it; the feed re-establishes it
    /// and replays what it may have missed. For operators (and the test of that path).
    pub fn interrupt(&self) {
        self.events_loop.interrupt.notify_one();
        self.tracking_loop.interrupt.notify_one();
    }

    /// How many times the live query was re-established.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// Stops the feed's task.
    pub fn stop(&self) {
        self.events_loop.stop.notify_one();
        self.tracking_loop.stop.notify_one();
    }

    fn controls(&self, table: &Table) -> &Controls {
        if table.name == EVENTS.name { &self.events_loop } else { &self.tracking_loop }
    }
}

/// An event row as stored (its entry as JSON text, or as an object before migration 0008).
#[derive(Debug, serde::Deserialize)]
struct EventRecord {
    order_id: String,
    actor: String,
    #[serde(default)]
    subject: Option<String>,
    entry_json: Option<String>,
    entry: Option<serde_json::Value>,
}

fn decode(record: serde_json::Value) -> Option<FeedEvent> {
    let row: EventRecord = serde_json::from_value(record).ok()?;
    let entry: TimelineEntry = stored_json(row.entry_json, row.entry, "event").ok()?;
    Some(FeedEvent::new(row.order_id, Doer { kind: row.actor, subject: row.subject }, entry))
}

/// A table the feed follows: its name, and the time field a replay after a restart reads from.
#[derive(Debug)]
struct Table {
    name: &'static str,
    since_field: &'static str,
}

const EVENTS: Table = Table { name: "event", since_field: "at" };
const TRACKING: Table = Table { name: "tracking_event", since_field: "received_at" };

/// Follows `table` with a live query, handing each new record to `send` (which returns the
/// record's time); re-establishes the query when it ends and replays what it may have missed.
async fn run(
    feed: Arc<Feed>,
    store: Store,
    table: &'static Table,
    send: impl Fn(serde_json::Value) -> Option<DateTime<Utc>> + Send + 'static,
) {
    let controls = feed.controls(table);
    let mut last_seen: Option<DateTime<Utc>> = None;
    let mut failures = 0u32;
    loop {
        let stream = match store.live(table.name).await {
            Ok(stream) => stream,
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, table = table.name, "live query could not be started; retrying");
                let wait = Duration::from_millis(100 * u64::from(failures.min(50)));
                tokio::select! {
                    () = tokio::time::sleep(wait) => continue,
                    () = controls.stop.notified() => return,
                }
            }
        };
        failures = 0;
        // Anything committed while no live query was listening comes from the store.
        if let Some(since) = last_seen {
            let since = since - chrono::Duration::from_std(REPLAY_MARGIN).unwrap_or_default();
            match store.records_since(table.name, table.since_field, since).await {
                Ok(rows) => {
                    for record in rows {
                        if let Some(at) = send(record) {
                            last_seen = Some(last_seen.map_or(at, |l| l.max(at)));
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, table = table.name, "could not replay after a restart"),
            }
        }
        let mut stream = std::pin::pin!(stream);
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(Ok(record)) => {
                        if let Some(at) = send(record) {
                            last_seen = Some(last_seen.map_or(at, |l| l.max(at)));
                        }
                    }
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, table = table.name, "live query failed; re-establishing");
                        break;
                    }
                    None => {
                        tracing::warn!(table = table.name, "live query ended; re-establishing");
                        break;
                    }
                },
                () = controls.interrupt.notified() => {
                    tracing::info!(table = table.name, "live query interrupted; re-establishing");
                    break;
                }
                () = controls.stop.notified() => return,
            }
        }
        feed.restarts.fetch_add(1, Ordering::Relaxed);
        if last_seen.is_none() {
            last_seen = Some(Utc::now());
        }
    }
}
