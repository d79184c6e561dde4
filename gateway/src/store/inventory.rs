//! Available-to-sell pushes to channels: what channels were last told of a SKU, and recording a
//! push with its webhooks in one transaction, conditional on no other push of the SKU meanwhile.

use chrono::{DateTime, Utc};
use ordo_core::channel::Pushed;
use serde::Deserialize;

use super::catalog::StockRow;
use super::{Store, StoreError, TxOutcome, decode, outcome, rows};

/// A push to record: the SKU's new count and version, its body, the channels told.
#[derive(Debug, Clone)]
pub(crate) struct NewPush<'a> {
    pub sku: &'a str,
    pub available: i64,
    pub version: u64,
    pub at: DateTime<Utc>,
    pub payload_json: &'a str,
    /// (`webhook-id`, channel) per channel told.
    pub webhooks: Vec<(String, String)>,
}

impl Store {
    /// What channels were last told of `sku`, and its stock rows now.
    pub(crate) async fn inventory_of(
        &self,
        sku: &str,
    ) -> Result<(Option<Pushed>, Vec<StockRow>), StoreError> {
        #[derive(Deserialize)]
        struct Row {
            available: i64,
            version: i64,
            pushed_at: DateTime<Utc>,
        }
        let mut results = self
            .db()
            .query(
                "SELECT available, version, pushed_at FROM type::record('inventory_push', $sku);
                 SELECT sku, location, on_hand, reserved FROM stock WHERE sku = $sku;",
            )
            .bind(("sku", sku.to_owned()))
            .await?;
        let last = decode::<Row>(rows(&mut results, 0)?)?.into_iter().next().map(|r| Pushed {
            available: r.available,
            version: u64::try_from(r.version).unwrap_or(0),
            at: r.pushed_at,
        });
        Ok((last, decode(rows(&mut results, 1)?)?))
    }

    /// Records `push` and its webhooks when the SKU's last version is still `after` (0: never
    /// pushed); `false` when another gateway pushed meanwhile (or the write conflicted).
    pub(crate) async fn record_inventory_push(
        &self,
        push: &NewPush<'_>,
        after: u64,
    ) -> Result<bool, StoreError> {
        let mut sql = String::from(
            "BEGIN;
             LET $last = (SELECT VALUE version FROM type::record('inventory_push', $sku))[0] ?? 0;
             IF $last != $after { THROW 'stale' };
             UPSERT type::record('inventory_push', $sku) SET available = $available, version = $version,
                 pushed_at = <datetime>$at;\n",
        );
        for n in 0..push.webhooks.len() {
            sql.push_str(&format!(
                "CREATE type::record('webhook', $wk{n}) SET channel = $wc{n}, order_id = NONE, seq = NONE, \
                 event_type = 'inventory.updated', payload_json = $payload, state = 'pending', \
                 due = time::now(), attempts = 0, tries = [], created_at = time::now();\n"
            ));
        }
        sql.push_str("COMMIT;");
        let mut query = self
            .db()
            .query(sql)
            .bind(("sku", push.sku.to_owned()))
            .bind(("after", i64::try_from(after).unwrap_or(i64::MAX)))
            .bind(("available", push.available))
            .bind(("version", i64::try_from(push.version).unwrap_or(i64::MAX)))
            .bind(("at", push.at.to_rfc3339()))
            .bind(("payload", push.payload_json.to_owned()));
        for (n, (key, channel)) in push.webhooks.iter().enumerate() {
            query = query.bind((format!("wk{n}"), key.clone())).bind((format!("wc{n}"), channel.clone()));
        }
        Ok(match outcome(query.await?) {
            TxOutcome::Committed => {
                if !push.webhooks.is_empty() {
                    self.webhooks_written().notify_one();
                }
                true
            }
            TxOutcome::Conflict | TxOutcome::Duplicate(_) => false,
            TxOutcome::Thrown(m) if m.contains("stale") => false,
            other => return Err(StoreError::Decode(format!("inventory push failed: {}", other.describe()))),
        })
    }
}
