//! Jobs in the store: work due later, claimed with a lease that expires, so any gateway may run a
//! job, a crashed gateway's jobs are taken over, and no job runs twice at once. Messages are
//! leased the same way ([`Store::lease_row`]).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Store, StoreError, decode, rows};

/// A job a gateway has claimed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Job {
    /// The record key (`payment_timeout:ord_…`).
    pub key: String,
    pub kind: String,
    /// The order it is about (none for a job about something else).
    #[serde(default)]
    pub order_id: Option<String>,
    /// What a job about no order is about (an inventory push's SKU).
    #[serde(default)]
    pub subject: Option<String>,
    /// Runs so far, this one included.
    pub attempts: i64,
}

/// How long a claim lasts; a job still running then may be taken over by another gateway.
const LEASE_SECONDS: i64 = 60;

impl Store {
    /// Keys of jobs due now and not leased (or whose lease expired), oldest due first.
    pub(crate) async fn due_jobs(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut results = self
            .db()
            .query(
                "SELECT VALUE record::id(id) FROM job WHERE due <= time::now() \
                 AND (lease_until = NONE OR lease_until < time::now()) ORDER BY due LIMIT $limit",
            )
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        Ok(results.take::<Vec<String>>(0)?)
    }

    /// Claims job `key` for `owner` when it is still due and unleased; `None` when another gateway
    /// has it (or finished it) meanwhile.
    pub(crate) async fn claim_job(&self, key: &str, owner: &str) -> Result<Option<Job>, StoreError> {
        let row = self
            .lease_row(
                "job",
                "due <= time::now()",
                "record::id(id) AS key, kind, order_id, subject, attempts",
                key,
                owner,
            )
            .await?;
        row.map(|row| decode(vec![row]).map(|mut jobs| jobs.remove(0))).transpose()
    }

    /// Leases row `key` of `table` to `owner` for [`LEASE_SECONDS`] when `condition` holds and no
    /// one else holds an unexpired lease, counting an attempt; answers `returning` of the row, or
    /// `None` when another gateway has it (or it is not due any more).
    pub(super) async fn lease_row(
        &self,
        table: &'static str,
        condition: &'static str,
        returning: &'static str,
        key: &str,
        owner: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let result = self
            .db()
            .query(format!(
                "UPDATE type::record($table, $key) SET lease_owner = $owner, \
                 lease_until = time::now() + <duration>$lease, attempts += 1 \
                 WHERE {condition} AND (lease_until = NONE OR lease_until < time::now()) \
                 RETURN {returning}"
            ))
            .bind(("table", table))
            .bind(("key", key.to_owned()))
            .bind(("owner", owner.to_owned()))
            .bind(("lease", format!("{LEASE_SECONDS}s")))
            .await;
        // Another gateway claimed it in the same instant: its commit won.
        let Some(mut result) = super::unless_conflicted(result, &format!("lease {table}"))? else {
            return Ok(None);
        };
        Ok(rows(&mut result, 0)?.into_iter().next())
    }

    /// Removes a job `owner` finished.
    pub(crate) async fn finish_job(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        self.db()
            .query("DELETE type::record('job', $key) WHERE lease_owner = $owner")
            .bind(("key", key.to_owned()))
            .bind(("owner", owner.to_owned()))
            .await?
            .check()?;
        Ok(())
    }

    /// Gives a job back to run again at `due` (a later hold, or a retry after `error`).
    pub(crate) async fn reschedule_job(
        &self,
        key: &str,
        owner: &str,
        due: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "UPDATE type::record('job', $key) SET lease_owner = NONE, lease_until = NONE, \
                 due = <datetime>$due, last_error = $error WHERE lease_owner = $owner",
            )
            .bind(("key", key.to_owned()))
            .bind(("owner", owner.to_owned()))
            .bind(("due", due.to_rfc3339()))
            .bind(("error", error.map(str::to_owned)))
            .await?
            .check()?;
        Ok(())
    }

    /// Jobs waiting, as `(key, due)`: for tests and the staff's view of what runs later.
    pub async fn pending_jobs(&self) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            key: String,
            due: DateTime<Utc>,
        }
        let mut results = self.db().query("SELECT record::id(id) AS key, due FROM job ORDER BY due").await?;
        let rows: Vec<Row> = decode(rows(&mut results, 0)?)?;
        Ok(rows.into_iter().map(|r| (r.key, r.due)).collect())
    }
}
