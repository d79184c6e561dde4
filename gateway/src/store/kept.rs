//! Values read from an embedded store and kept in memory until this process writes them again (behind `timelines`).
//!
//! On an embedded store this process is the only writer, so a value it read stays true until it
//! writes it; every writer calls [`Kept::forget`] once its transaction is over, before it
//! answers. A read that started before any write is not kept: it may be older than the write.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// At most `CAP` values by key, until a write of theirs.
#[derive(Debug)]
pub(crate) struct Kept<K, V, const CAP: usize> {
    inner: Mutex<Inner<K, V>>,
}

#[derive(Debug)]
struct Inner<K, V> {
    kept: HashMap<K, V>,
    /// Writes so far: a read that started before one is not kept.
    writes: u64,
}

impl<K, V, const CAP: usize> Default for Kept<K, V, CAP> {
    fn default() -> Self {
        Kept { inner: Mutex::new(Inner { kept: HashMap::new(), writes: 0 }) }
    }
}

impl<K: Hash + Eq + Clone, V: Clone, const CAP: usize> Kept<K, V, CAP> {
    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept value of `key`.
    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.lock().kept.get(key).cloned()
    }

    /// Where a read from the store starts: pass it to [`Kept::keep`] with what was read.
    pub(crate) fn before_read(&self) -> u64 {
        self.lock().writes
    }

    /// Keeps `value`, read after [`Kept::before_read`] gave `start`, unless a write happened
    /// meanwhile; when `CAP` values are kept, an arbitrary one makes room.
    pub(crate) fn keep(&self, start: u64, key: K, value: V) {
        let mut inner = self.lock();
        if inner.writes != start {
            return;
        }
        if inner.kept.len() >= CAP
            && !inner.kept.contains_key(&key)
            && let Some(evicted) = inner.kept.keys().next().cloned()
        {
            inner.kept.remove(&evicted);
        }
        inner.kept.insert(key, value);
    }

    /// After a write of `key` (committed or not): its value is gone, and reads in flight are not kept.
    pub(crate) fn forget<Q: Hash + Eq + ?Sized>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
    {
        let mut inner = self.lock();
        inner.writes += 1;
        inner.kept.remove(key);
    }

    /// How many values are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().kept.len()
    }
}
