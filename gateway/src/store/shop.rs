//! The shop's rules and stock locations, kept in memory on an embedded store, where this process is the only writer.
//!
//! Every intake reads both, and they change only when staff edit them, through this process's
//! own [`super::Store`] (`set_rules`, `put_location`), which forgets the copy after writing.
//! A SurrealDB server has other writers (other gateways), so there the store reads them each time.

use std::sync::Arc;

use ordo_core::allocation::LocationId;
use ordo_core::cart::Rules;

use super::kept::Kept;

/// The rules and the locations (preferred first) as last read.
#[derive(Debug)]
pub(crate) struct Shop {
    pub rules: Rules,
    pub locations: Vec<LocationId>,
}

/// The last [`Shop`] read, until a write of either.
#[derive(Debug, Default)]
pub(crate) struct ShopCache(Kept<(), Arc<Shop>, 1>);

impl ShopCache {
    /// The copy, if one is kept.
    pub(crate) fn get(&self) -> Option<Arc<Shop>> {
        self.0.get(&())
    }

    /// Where a read from the store starts: pass it to [`ShopCache::keep`] with what was read.
    pub(crate) fn before_read(&self) -> u64 {
        self.0.before_read()
    }

    /// Keeps `shop`, read from the store after [`ShopCache::before_read`] gave `start`, unless
    /// rules or locations were written meanwhile.
    pub(crate) fn keep(&self, start: u64, shop: Arc<Shop>) {
        self.0.keep(start, (), shop);
    }

    /// Forgets the copy; called after every write of rules or locations.
    pub(crate) fn forget(&self) {
        self.0.forget(&());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Arc<Shop> {
        Arc::new(Shop { rules: Rules::default(), locations: Vec::new() })
    }

    #[test]
    fn a_read_is_kept_until_a_write() {
        let cache = ShopCache::default();
        assert!(cache.get().is_none());
        let start = cache.before_read();
        cache.keep(start, shop());
        assert!(cache.get().is_some());
        cache.forget();
        assert!(cache.get().is_none());
    }

    #[test]
    fn a_read_that_started_before_a_write_is_not_kept() {
        let cache = ShopCache::default();
        let start = cache.before_read();
        cache.forget(); // a write lands while the read is in flight
        cache.keep(start, shop());
        assert!(cache.get().is_none(), "the read may have seen the rules before the write");
        let again = cache.before_read();
        cache.keep(again, shop());
        assert!(cache.get().is_some());
    }
}
