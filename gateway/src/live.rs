//! The live event feed: one SurrealDB `LIVE SELECT` on the `event` table per gateway, fanned
//! out in-process to every subscriber through a bounded broadcast channel. Changes made
//! through any gateway on the same store arrive here. When the live query ends or fails, it is
//! re-established and the events since the last one seen are replayed (subscribers drop
//! duplicates by sequence number).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use ordo_core::order::TimelineEntry;
use tokio::sync::{Notify, broadcast};

use crate::store::{Store, StoreError};

/// Events a subscriber may fall behind by before it is told it lagged.
pub const FEED_CAPACITY: usize = 4_096;

/// How far back a re-established feed replays, beyond the last event it saw (clock skew
/// between gateways).
const REPLAY_MARGIN: Duration = Duration::from_secs(5);

/// One stored timeline event, as the feed carries it.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub order_id: String,
    pub actor: String,
    pub entry: TimelineEntry,
}

/// The gateway's live feed.
#[derive(Debug)]
pub struct Feed {
    tx: broadcast::Sender<Arc<FeedEvent>>,
    interrupt: Notify,
    stop: Notify,
    restarts: AtomicU64,
    delivered: AtomicU64,
}

impl Feed {
    /// Starts the feed's task on `store`; it runs until [`Feed::stop`].
    pub fn start(store: Store) -> Arc<Feed> {
        let (tx, _) = broadcast::channel(FEED_CAPACITY);
        let feed = Arc::new(Feed {
            tx,
            interrupt: Notify::new(),
            stop: Notify::new(),
            restarts: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
        });
        tokio::spawn(run(feed.clone(), store));
        feed
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.tx.subscribe()
    }

    /// Drops the current live query as if the store had ended it; the feed re-establishes it
    /// and replays what it may have missed. For operators (and the test of that path).
    pub fn interrupt(&self) {
        self.interrupt.notify_one();
    }

    /// How many times the live query was re-established.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// Stops the feed's task.
    pub fn stop(&self) {
        self.stop.notify_one();
    }
}

#[derive(Debug, serde::Deserialize)]
struct EventRecord {
    order_id: String,
    actor: String,
    entry: serde_json::Value,
}

fn decode(record: serde_json::Value) -> Option<FeedEvent> {
    let row: EventRecord = serde_json::from_value(record).ok()?;
    let entry: TimelineEntry = serde_json::from_value(row.entry).ok()?;
    Some(FeedEvent { order_id: row.order_id, actor: row.actor, entry })
}

async fn run(feed: Arc<Feed>, store: Store) {
    let mut last_seen: Option<DateTime<Utc>> = None;
    let mut failures = 0u32;
    loop {
        let stream = match store.live_events().await {
            Ok(stream) => stream,
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, "live query could not be started; retrying");
                let wait = Duration::from_millis(100 * u64::from(failures.min(50)));
                tokio::select! {
                    () = tokio::time::sleep(wait) => continue,
                    () = feed.stop.notified() => return,
                }
            }
        };
        failures = 0;
        // Anything committed while no live query was listening comes from the store.
        if let Some(since) = last_seen {
            let since = since - chrono::Duration::from_std(REPLAY_MARGIN).unwrap_or_default();
            match store.events_since(since).await {
                Ok(rows) => {
                    for event in rows.into_iter().filter_map(decode) {
                        last_seen = Some(event.entry.at.max(last_seen.unwrap_or(event.entry.at)));
                        let _ = feed.tx.send(Arc::new(event));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not replay events after a live query restart"),
            }
        }
        let mut stream = std::pin::pin!(stream);
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(Ok(record)) => {
                        if let Some(event) = decode(record) {
                            last_seen = Some(event.entry.at.max(last_seen.unwrap_or(event.entry.at)));
                            feed.delivered.fetch_add(1, Ordering::Relaxed);
                            let _ = feed.tx.send(Arc::new(event));
                        }
                    }
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "live query failed; re-establishing");
                        break;
                    }
                    None => {
                        tracing::warn!("live query ended; re-establishing");
                        break;
                    }
                },
                () = feed.interrupt.notified() => {
                    tracing::info!("live query interrupted; re-establishing");
                    break;
                }
                () = feed.stop.notified() => return,
            }
        }
        feed.restarts.fetch_add(1, Ordering::Relaxed);
        // Make sure at least the replay window covers the whole outage.
        if last_seen.is_none() {
            last_seen = Some(Utc::now());
        }
    }
}

impl Store {
    /// A live query on new timeline events: each item is the created `event` record.
    pub(crate) async fn live_events(
        &self,
    ) -> Result<impl futures::Stream<Item = Result<serde_json::Value, StoreError>> + Send + use<>, StoreError>
    {
        let stream = self.db().select::<Vec<serde_json::Value>>("event").live().await?;
        Ok(stream.filter_map(|n| async move {
            match n {
                Ok(n) if n.action == surrealdb::types::Action::Create => Some(Ok(n.data)),
                Ok(_) => None,
                Err(e) => Some(Err(StoreError::from(e))),
            }
        }))
    }

    /// Events stored at or after `since`, oldest first.
    pub(crate) async fn events_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let mut result = self
            .db()
            .query("SELECT order_id, actor, entry, at, seq FROM event WHERE at >= <datetime>$since ORDER BY at, seq")
            .bind(("since", since.to_rfc3339()))
            .await?;
        crate::store::rows(&mut result, 0)
    }
}
