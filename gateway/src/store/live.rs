//! The live feed's reads: a `LIVE SELECT` on new records of a table, and the records stored since
//! an instant (to replay what a restarted live query may have missed).

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::{Store, StoreError, rows};

impl Store {
    /// A live query on new records of `table`.
    pub(crate) async fn live(
        &self,
        table: &str,
    ) -> Result<impl futures::Stream<Item = Result<serde_json::Value, StoreError>> + Send + use<>, StoreError>
    {
        let stream = self.db().select::<Vec<serde_json::Value>>(table).live().await?;
        Ok(stream.filter_map(|n| async move {
            match n {
                Ok(n) if n.action == surrealdb::types::Action::Create => Some(Ok(n.data)),
                Ok(_) => None,
                Err(e) => Some(Err(StoreError::from(e))),
            }
        }))
    }

    /// Records of `table` stored at or after `since`, oldest first.
    /// Callers pass constants (the live feed's tables), never input.
    pub(crate) async fn records_since(
        &self,
        table: &'static str,
        since_field: &'static str,
        since: DateTime<Utc>,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let sql =
            format!("SELECT * FROM {table} WHERE {since_field} >= <datetime>$since ORDER BY {since_field}");
        let mut result = self.db().query(sql).bind(("since", since.to_rfc3339())).await?;
        rows(&mut result, 0)
    }
}
