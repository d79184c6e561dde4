//! Turn-taking for intake transactions in this process. The store's conditional updates stay the
//! guarantee (other gateways, other writers); turns only avoid collisions one process can see
//! coming.
//!
//! On an embedded store every intake takes the one turn of the process: one intake writes at a
//! time, in arrival order. Measured (`gateway/bench --engine mem --only place`, 2 cores): per-SKU
//! striped locks let an intake hold one stripe while queueing for the next, and at 64 clients the
//! convoys pushed p99 to about 2 s at ~270 orders/s; one FIFO turn gave ~410 orders/s with p99
//! under 200 ms.
//!
//! On a SurrealDB server the transactions run elsewhere, so intakes go in parallel until they
//! collide, and then take turns per stock row (SKU at a location) they reserve: an intake that
//! lost a race (a write conflict, or its stock changed) takes the turns of its rows for its next
//! attempt, and while any intake holds a row's turn new intakes of that row queue behind it. A hot
//! SKU then has at most one writer per gateway instead of every buyer retrying against every other
//! (which livelocked: with 300 buyers on two gateways every request timed out), and the buyers of
//! other SKUs do not wait behind its queue (with one turn for all, 13 of 70 buyers who lost a drop
//! timed out after 30 s queued behind a plentiful SKU's buyers). Rows are taken in sorted order,
//! so two intakes never hold one each while waiting for the other's.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard, OwnedMutexGuard};

/// The intake turns of this process: one for all (embedded), one per stock row (server).
#[derive(Debug, Default)]
pub(crate) struct IntakeTurn {
    turn: Mutex<()>,
    rows: std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

/// The turns of some stock rows, held until dropped; rows nobody else waits for are forgotten then.
pub(crate) struct RowTurns<'a> {
    owner: &'a IntakeTurn,
    held: Vec<(String, OwnedMutexGuard<()>)>,
}

impl Drop for RowTurns<'_> {
    fn drop(&mut self) {
        let keys: Vec<String> = self.held.drain(..).map(|(key, _guard)| key).collect();
        self.owner.forget(&keys);
    }
}

impl IntakeTurn {
    /// Forgets the turns of `keys` that only the map holds (nobody holds or waits for them).
    fn forget<K: AsRef<str>>(&self, keys: &[K]) {
        let mut rows = self.rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in keys {
            if rows.get(key.as_ref()).is_some_and(|turn| Arc::strong_count(turn) == 1) {
                rows.remove(key.as_ref());
            }
        }
    }

    /// Waits for this caller's turn; the turn passes on when the guard drops.
    pub(crate) async fn take(&self) -> MutexGuard<'_, ()> {
        self.turn.lock().await
    }

    /// The turns of stock rows `keys` on a SurrealDB server: taken when this intake is a `retry`
    /// or another intake holds one of them now (queueing behind it, in arrival order, row by row
    /// in sorted order); otherwise none, and the intake goes on in parallel with the others.
    pub(crate) async fn take_when_contended(&self, keys: &[String], retry: bool) -> Option<RowTurns<'_>> {
        let mut keys: Vec<&String> = keys.iter().collect();
        keys.sort();
        keys.dedup();
        let turns: Vec<(String, Arc<Mutex<()>>)> = {
            let mut rows = self.rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            keys.iter().map(|k| ((*k).clone(), Arc::clone(rows.entry((*k).clone()).or_default()))).collect()
        };
        if turns.is_empty() {
            return None;
        }
        if !retry && turns.iter().all(|(_, turn)| turn.try_lock().is_ok()) {
            // Nobody holds them: no turn.
            let keys: Vec<String> = turns.into_iter().map(|(key, _)| key).collect();
            self.forget(&keys);
            return None;
        }
        let mut held = RowTurns { owner: self, held: Vec::with_capacity(turns.len()) };
        for (key, turn) in turns {
            let guard = turn.lock_owned().await;
            held.held.push((key, guard));
        }
        Some(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[tokio::test]
    async fn an_uncontended_intake_takes_no_turn_and_a_retry_takes_its_rows_only() {
        let turns = IntakeTurn::default();
        assert!(turns.take_when_contended(&keys(&["mug@east"]), false).await.is_none());
        let hot = turns.take_when_contended(&keys(&["mug@east", "tee@east"]), true).await;
        assert!(hot.is_some(), "a retry takes its turns");
        // Another row goes on without waiting; the held row queues.
        assert!(turns.take_when_contended(&keys(&["desk@west"]), false).await.is_none());
        let queued = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            turns.take_when_contended(&keys(&["tee@east"]), false),
        )
        .await;
        assert!(queued.is_err(), "a held row's buyers wait");
        drop(hot);
        let next = turns.take_when_contended(&keys(&["tee@east"]), false).await;
        assert!(next.is_none(), "free again");
        assert!(turns.take_when_contended(&[], true).await.is_none(), "no stock rows: nothing to take");
        let left = turns.rows.lock().unwrap().len();
        assert_eq!(left, 0, "rows nobody waits for are forgotten");
    }

    #[tokio::test]
    async fn intakes_sharing_rows_in_any_order_never_deadlock() {
        let turns = Arc::new(IntakeTurn::default());
        let mut tasks = Vec::new();
        for i in 0..40 {
            let turns = Arc::clone(&turns);
            tasks.push(tokio::spawn(async move {
                let rows = if i % 2 == 0 { keys(&["a", "b", "c"]) } else { keys(&["c", "b", "a"]) };
                let held = turns.take_when_contended(&rows, true).await;
                tokio::task::yield_now().await;
                drop(held);
            }));
        }
        let all = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            for t in tasks {
                t.await.unwrap();
            }
        })
        .await;
        assert!(all.is_ok(), "every intake got its turns");
    }
}
