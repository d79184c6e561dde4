//! Schema migrations: `schema/surreal/NNNN_name.surql`, applied in order at start, each recorded once.

use surrealdb::Surreal;
use surrealdb::engine::any::Any;

use super::{StoreError, TxOutcome, backoff, outcome};

/// Every migration, in order. `tests` checks this list against the files in `schema/surreal/`.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_catalog", include_str!("../../../schema/surreal/0001_catalog.surql")),
    ("0002_orders", include_str!("../../../schema/surreal/0002_orders.surql")),
    ("0003_backorders", include_str!("../../../schema/surreal/0003_backorders.surql")),
    ("0004_reviews", include_str!("../../../schema/surreal/0004_reviews.surql")),
    ("0005_fulfilment", include_str!("../../../schema/surreal/0005_fulfilment.surql")),
    ("0006_tracking", include_str!("../../../schema/surreal/0006_tracking.surql")),
    ("0007_event_reads", include_str!("../../../schema/surreal/0007_event_reads.surql")),
    ("0008_json_text", include_str!("../../../schema/surreal/0008_json_text.surql")),
    ("0009_scoped_replays", include_str!("../../../schema/surreal/0009_scoped_replays.surql")),
    ("0010_jobs", include_str!("../../../schema/surreal/0010_jobs.surql")),
    ("0011_tracking_claims", include_str!("../../../schema/surreal/0011_tracking_claims.surql")),
    ("0012_event_subjects", include_str!("../../../schema/surreal/0012_event_subjects.surql")),
];

pub(super) async fn apply(db: &Surreal<Any>) -> Result<(), StoreError> {
    db.query(
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;",
    )
    .await?
    .check()?;
    for &(name, sql) in MIGRATIONS {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut found = db
                .query("SELECT VALUE record::id(id) FROM type::record('migration', $name)")
                .bind(("name", name))
                .await?;
            let applied: Vec<String> = found.take(0)?;
            if !applied.is_empty() {
                break;
            }
            // The migration and its record commit together: two gateways starting at once
            // conflict, and the loser sees the migration applied on its retry.
            let tx = format!(
                "BEGIN;\n{sql}\nCREATE type::record('migration', $name) SET applied_at = time::now();\nCOMMIT;"
            );
            match outcome(db.query(tx).bind(("name", name)).await?) {
                TxOutcome::Committed => {
                    tracing::info!(migration = name, "applied");
                    break;
                }
                TxOutcome::Conflict | TxOutcome::Duplicate(_) if attempt < 10 => backoff(attempt).await,
                other => {
                    return Err(StoreError::Migration { name: name.to_owned(), message: other.describe() });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/surreal");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".surql"))
            .map(|n| n.trim_end_matches(".surql").to_owned())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|(name, _)| (*name).to_owned()).collect();
        assert_eq!(listed, files);
    }
}
