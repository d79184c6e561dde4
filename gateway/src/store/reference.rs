//! Reference data (the shop's rules, its stock locations, its sales channels) kept in memory: on an embedded store until this process writes it, on a SurrealDB server for as long as the version every writer bumps stays the same.
//!
//! Every intake reads the rules and locations and most appends read the channels; staff change
//! them rarely. On an embedded store this process is the only writer, so a copy stays true
//! until it writes (it forgets the copy then, as [`super::kept`] does). On a server other
//! gateways write too, so a copy is tagged with the version it was read at: each write of
//! reference data bumps `shop_version:current` in its own transaction ([`Store::write_reference`]),
//! and a reader asks for the version in the round trip it makes anyway ([`guarded`]), reading
//! the data itself only when the version moved. The version is read first and the data after,
//! so data read under a version is never older than that version.

use std::sync::{Mutex, PoisonError};

use ordo_core::allocation::LocationId;
use ordo_core::cart::Rules;

use super::{Store, StoreError, TxOutcome, backoff, outcome_of};

/// The rules and the locations (preferred first) as last read.
#[derive(Debug)]
pub(crate) struct Shop {
    pub rules: Rules,
    pub locations: Vec<LocationId>,
}

/// Bumps the reference data's version; runs in the transaction of every write of it.
pub(super) const BUMP: &str = "UPSERT shop_version:current SET n = (n ?? 0) + 1;";

/// Where the results of [`Store::write_reference`]'s statements start (after the `BEGIN`'s).
pub(crate) const WRITTEN: usize = 1;

/// The statements that read reference data, guarded by its version: `LET $ref` (the version,
/// read first), then each read only when `$ref` differs from the version bound to its
/// parameter (what the copy kept was read at), then `RETURN $ref`. Results: one for the `LET`,
/// one per read (`[]` when skipped), one for the version.
pub(crate) fn guarded(reads: &[(&str, &str)]) -> String {
    let mut sql = String::from("LET $ref = shop_version:current.n ?? 0;\n");
    for (read, known) in reads {
        sql.push_str(&format!("IF $ref = ${known} {{ [] }} ELSE {{ {read} }};\n"));
    }
    sql.push_str("RETURN $ref;\n");
    sql
}

/// How a read of reference data starts (see [`RefCache::begin`]).
pub(crate) enum Begin<V> {
    /// The kept copy, true without asking (an embedded store's own writes forget it).
    Kept(V),
    /// Ask the store with [`guarded`] reads, binding `$known` to [`Ask::known`].
    Ask(Ask<V>),
}

/// A read of reference data under way.
pub(crate) struct Ask<V> {
    /// This process's writes of the data when the read started.
    writes: u64,
    /// The copy kept on a server and the version it was read at.
    kept: Option<(i64, V)>,
}

impl<V> Ask<V> {
    /// The version the kept copy was read at, `-1` when none is kept (versions start at 0).
    pub(crate) fn known(&self) -> i64 {
        self.kept.as_ref().map_or(-1, |(version, _)| *version)
    }
}

/// One value of reference data as last read (see the module's comment).
#[derive(Debug)]
pub(crate) struct RefCache<V> {
    /// Whether the store is embedded: then this process is its only writer.
    embedded: bool,
    inner: Mutex<Inner<V>>,
}

#[derive(Debug)]
struct Inner<V> {
    kept: Option<(i64, V)>,
    /// This process's writes so far: on an embedded store a read that started before one is not kept.
    writes: u64,
}

impl<V: Clone> RefCache<V> {
    pub(crate) fn new(embedded: bool) -> Self {
        RefCache { embedded, inner: Mutex::new(Inner { kept: None, writes: 0 }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept copy on an embedded store; otherwise what to ask the store.
    pub(crate) fn begin(&self) -> Begin<V> {
        let inner = self.lock();
        match &inner.kept {
            Some((_, value)) if self.embedded => Begin::Kept(value.clone()),
            kept => Begin::Ask(Ask { writes: inner.writes, kept: kept.clone() }),
        }
    }

    /// Ends `ask` with the version the store answered: the kept copy when the version is the one
    /// it was read at, else `read()` (the guarded reads' results), kept unless a write of this
    /// process or a newer read overtook it.
    pub(crate) fn answer(
        &self,
        ask: Ask<V>,
        version: i64,
        read: impl FnOnce() -> Result<V, StoreError>,
    ) -> Result<V, StoreError> {
        if let Some((known, value)) = ask.kept
            && known == version
        {
            return Ok(value);
        }
        let value = read()?;
        let mut inner = self.lock();
        let newer_kept = inner.kept.as_ref().is_some_and(|(kept, _)| *kept > version);
        if inner.writes == ask.writes && !newer_kept {
            inner.kept = Some((version, value.clone()));
        }
        Ok(value)
    }

    /// After this process wrote the data (committed or not): the copy is gone, and reads in
    /// flight are not kept.
    pub(crate) fn forget(&self) {
        let mut inner = self.lock();
        inner.writes += 1;
        inner.kept = None;
    }
}

impl Store {
    /// Runs `statements` with `binds` in one transaction that also bumps the reference data's
    /// version, retried on a write conflict (two staff writing at once): the results, where
    /// `statements` start at [`WRITTEN`], or `None` when a record it creates exists already. `forget` drops
    /// this process's copy once each attempt is over.
    pub(crate) async fn write_reference(
        &self,
        statements: &str,
        binds: serde_json::Value,
        forget: impl Fn(),
    ) -> Result<Option<surrealdb::IndexedResults>, StoreError> {
        let sql = format!("BEGIN;\n{statements}\n{BUMP}\nCOMMIT;");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.db().query(sql.as_str()).bind(binds.clone()).await;
            forget();
            let ended = match result {
                Ok(mut results) => match outcome_of(results.take_errors()) {
                    TxOutcome::Committed => return Ok(Some(results)),
                    ended => ended,
                },
                Err(e) if e.message().contains("can be retried") => TxOutcome::Conflict,
                Err(e) => return Err(e.into()),
            };
            match ended {
                TxOutcome::Conflict if attempt < 8 => {
                    self.count_conflict();
                    backoff(attempt).await;
                }
                TxOutcome::Conflict => return Err(StoreError::Contended(attempt)),
                TxOutcome::Duplicate(_) => return Ok(None),
                other => return Err(StoreError::Decode(format!("reference data: {}", other.describe()))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cache: &RefCache<&'static str>, version: i64, value: &'static str) -> &'static str {
        match cache.begin() {
            Begin::Kept(kept) => kept,
            Begin::Ask(ask) => cache.answer(ask, version, || Ok(value)).unwrap(),
        }
    }

    #[test]
    fn an_embedded_copy_is_kept_until_this_process_writes() {
        let cache = RefCache::new(true);
        assert_eq!(read(&cache, 0, "first"), "first");
        assert_eq!(read(&cache, 5, "second"), "first", "kept without asking");
        cache.forget();
        assert_eq!(read(&cache, 5, "second"), "second");
    }

    #[test]
    fn a_server_copy_is_used_while_the_version_stands_and_read_again_when_it_moves() {
        let cache = RefCache::new(false);
        assert_eq!(read(&cache, 3, "first"), "first");
        assert_eq!(read(&cache, 3, "ignored"), "first", "same version: the copy answers");
        assert_eq!(read(&cache, 4, "second"), "second", "another gateway wrote");
        assert_eq!(read(&cache, 4, "ignored"), "second");
    }

    #[test]
    fn a_read_overtaken_by_a_write_of_this_process_is_not_kept() {
        for embedded in [true, false] {
            let cache = RefCache::new(embedded);
            let Begin::Ask(ask) = cache.begin() else { panic!("nothing kept yet") };
            cache.forget(); // a write lands while the read is in flight
            assert_eq!(cache.answer(ask, 0, || Ok("old")).unwrap(), "old");
            let Begin::Ask(ask) = cache.begin() else { panic!("the overtaken read was kept") };
            assert_eq!(ask.known(), -1);
        }
    }

    #[test]
    fn an_older_read_finishing_late_does_not_replace_a_newer_copy() {
        let cache = RefCache::new(false);
        let Begin::Ask(slow) = cache.begin() else { panic!() };
        assert_eq!(read(&cache, 7, "new"), "new");
        cache.answer(slow, 6, || Ok("old")).unwrap();
        let Begin::Ask(ask) = cache.begin() else { panic!() };
        assert_eq!(ask.known(), 7);
    }

    #[test]
    fn the_guarded_reads_read_the_version_first_and_return_it_last() {
        let sql = guarded(&[("SELECT * FROM a", "known_a"), ("SELECT * FROM b", "known_b")]);
        let lines: Vec<&str> = sql.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("LET $ref"));
        assert_eq!(lines[1], "IF $ref = $known_a { [] } ELSE { SELECT * FROM a };");
        assert_eq!(lines[2], "IF $ref = $known_b { [] } ELSE { SELECT * FROM b };");
        assert_eq!(lines[3], "RETURN $ref;");
    }
}
