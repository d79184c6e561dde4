//! Turn-taking for intake transactions in this process on an embedded store: one intake writes
//! at a time, in arrival order. The store's conditional updates stay the guarantee (other
//! gateways, other writers); this only avoids collisions one process can see coming. On a
//! SurrealDB server the transactions run elsewhere and no turn is taken.
//!
//! Measured (`gateway/bench --engine mem --only place`, 2 cores): per-SKU striped locks let an
//! intake hold one stripe while queueing for the next, and at 64 clients the convoys pushed p99
//! to about 2 s at ~270 orders/s; one FIFO turn gave ~410 orders/s with p99 under 200 ms.

use tokio::sync::{Mutex, MutexGuard};

/// The single intake turn of this process (tokio's mutex queues waiters fairly, FIFO).
#[derive(Debug, Default)]
pub(crate) struct IntakeTurn {
    turn: Mutex<()>,
}

impl IntakeTurn {
    /// Waits for this caller's turn; the turn passes on when the guard drops.
    pub(crate) async fn take(&self) -> MutexGuard<'_, ()> {
        self.turn.lock().await
    }
}
