//! Striped in-process locks on stock rows: intake transactions of one gateway that touch the
//! same stock rows take turns instead of colliding in the store and backing off. The store's
//! conditional updates stay the guarantee (other gateways, other writers); this only avoids
//! conflicts that one process can see coming.

use std::hash::{DefaultHasher, Hash, Hasher};

use tokio::sync::{Mutex, MutexGuard};

/// Stripes: enough that unrelated SKUs rarely share one.
const STRIPES: usize = 1_024;

#[derive(Debug)]
pub(crate) struct StockLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for StockLocks {
    fn default() -> Self {
        StockLocks { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

impl StockLocks {
    /// Locks the stripes of `keys`, always in ascending order (no deadlock between callers).
    pub(crate) async fn lock<'a>(
        &'a self,
        keys: impl IntoIterator<Item = &'a str>,
    ) -> Vec<MutexGuard<'a, ()>> {
        let mut indices: Vec<usize> = keys
            .into_iter()
            .map(|k| {
                let mut h = DefaultHasher::new();
                k.hash(&mut h);
                usize::try_from(h.finish() % STRIPES as u64).unwrap_or(0)
            })
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let mut guards = Vec::with_capacity(indices.len());
        for i in indices {
            guards.push(self.stripes[i].lock().await);
        }
        guards
    }
}
