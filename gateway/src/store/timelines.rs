//! Order timelines recently read, kept in memory on an embedded store, where this process is the only writer.
//!
//! `order(id)` (every tracking page, every staff screen) reads a whole timeline; on an embedded
//! store every append goes through this process's [`super::Store`], which forgets the order's
//! copy once its transaction is over. A read that started before any append is not kept (it
//! may be older than what was written). Commands read the store itself: their appends are
//! checked against the stored sequence number, and a stale copy would only make them retry.

use std::sync::Arc;

use ordo_core::order::TimelineEntry;

use super::kept::Kept;

/// A timeline and who caused each entry (`actors[i]` caused `timeline[i]`), shared by readers.
pub type SharedTimeline = (Arc<[TimelineEntry]>, Arc<[super::Doer]>);

/// Most timelines kept; one more evicts an arbitrary one.
const CAPACITY: usize = 4096;

/// Timelines by order id, until an append to the order.
#[derive(Debug, Default)]
pub(crate) struct TimelineCache(Kept<String, SharedTimeline, CAPACITY>);

impl TimelineCache {
    /// The kept timeline of `order_id`.
    pub(crate) fn get(&self, order_id: &str) -> Option<SharedTimeline> {
        self.0.get(order_id)
    }

    /// Where a read from the store starts: pass it to [`TimelineCache::keep`] with what was read.
    pub(crate) fn before_read(&self) -> u64 {
        self.0.before_read()
    }

    /// Keeps the timeline of `order_id` read after [`TimelineCache::before_read`] gave `start`,
    /// unless an append happened meanwhile. Empty timelines (no such order yet) are not kept.
    pub(crate) fn keep(&self, start: u64, order_id: &str, timeline: &SharedTimeline) {
        if !timeline.0.is_empty() {
            self.0.keep(start, order_id.to_owned(), timeline.clone());
        }
    }

    /// After an append to `order_id` (committed or not): its copy is gone, and reads in flight
    /// are not kept.
    pub(crate) fn forget(&self, order_id: &str) {
        self.0.forget(order_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(events: usize) -> SharedTimeline {
        use chrono::{TimeZone, Utc};
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).single().unwrap_or_default();
        let entries: Vec<TimelineEntry> = (1..=events as u64)
            .map(|seq| TimelineEntry { seq, at, event: ordo_core::order::OrderEvent::Confirmed })
            .collect();
        (entries.into(), vec![super::super::Doer::system("staff"); events].into())
    }

    #[test]
    fn a_timeline_is_kept_until_an_append_to_its_order() {
        let cache = TimelineCache::default();
        let start = cache.before_read();
        cache.keep(start, "ord_a", &timeline(2));
        cache.keep(start, "ord_b", &timeline(1));
        assert_eq!(cache.get("ord_a").map(|t| t.0.len()), Some(2));
        cache.forget("ord_a");
        assert!(cache.get("ord_a").is_none());
        assert_eq!(cache.get("ord_b").map(|t| t.0.len()), Some(1), "other orders stay");
    }

    #[test]
    fn a_read_that_started_before_an_append_is_not_kept() {
        let cache = TimelineCache::default();
        let start = cache.before_read();
        cache.forget("ord_a"); // an append lands while the read is in flight
        cache.keep(start, "ord_a", &timeline(1));
        assert!(cache.get("ord_a").is_none(), "the read may have missed the append");
    }

    #[test]
    fn an_empty_timeline_is_not_kept_and_the_cache_stays_bounded() {
        let cache = TimelineCache::default();
        let start = cache.before_read();
        cache.keep(start, "ord_none", &timeline(0));
        assert!(cache.get("ord_none").is_none());
        for i in 0..CAPACITY + 10 {
            cache.keep(start, &format!("ord_{i}"), &timeline(1));
        }
        assert_eq!(cache.0.len(), CAPACITY);
    }
}
