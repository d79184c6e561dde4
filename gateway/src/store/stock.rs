//! Stock changes outside intake: adjustments, purchase orders and their receipts, and moving
//! received stock to waiting backorders (each allocation one transaction with its event).

use chrono::NaiveDate;
use ordo_core::order::{Order, TimelineEntry};
use serde::Deserialize;

use super::catalog::StockRow;
use super::orders::append_statements;
use super::stock_key;
use super::{Store, StoreError, TxOutcome, decode, outcome, rows};

/// A purchase order as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct PurchaseOrderRow {
    pub key: String,
    pub sku: String,
    pub location: String,
    pub quantity: i64,
    pub received: i64,
    pub expected_on: String,
    pub open: bool,
}

/// A backordered part waiting for stock.
#[derive(Debug, Clone, Deserialize)]
pub struct BackorderRow {
    pub key: String,
    pub order_id: String,
    pub line: i64,
    pub part: i64,
    pub sku: String,
    pub quantity: i64,
    /// When its order was placed (its place in the queue).
    pub placed_at: chrono::DateTime<chrono::Utc>,
}

/// How a stock change ended.
#[derive(Debug)]
pub enum StockChange {
    Applied,
    /// On hand would drop below what is reserved (or below zero).
    BelowReserved,
    /// The purchase order is unknown, closed, or would be over-received.
    NotReceivable,
    /// Someone else changed the same rows: retry.
    Conflict,
}

const PO_FIELDS: &str = "record::id(id) AS key, sku, location, quantity, received, expected_on, open";

impl Store {
    /// Adds `delta` (negative to remove) to on-hand stock, never below what is reserved.
    pub async fn adjust_stock(
        &self,
        sku: &str,
        location: &str,
        delta: i64,
        reason: &str,
    ) -> Result<StockChange, StoreError> {
        let sql = "BEGIN;
            LET $row = (SELECT on_hand, reserved FROM type::record('stock', $key))[0];
            LET $on_hand = ($row.on_hand ?? 0) + $delta;
            IF $on_hand < ($row.reserved ?? 0) { THROW 'below_reserved' };
            UPSERT type::record('stock', $key) SET sku = $sku, location = $location, on_hand = $on_hand,
                reserved = reserved ?? 0;
            CREATE stock_movement SET sku = $sku, location = $location, on_hand_delta = $delta,
                reserved_delta = 0, reason = $reason, at = time::now();
            COMMIT;";
        let result = self
            .db()
            .query(sql)
            .bind(("key", stock_key(sku, location)))
            .bind(("sku", sku.to_owned()))
            .bind(("location", location.to_owned()))
            .bind(("delta", delta))
            .bind(("reason", reason.to_owned()))
            .await?;
        Ok(match outcome(result) {
            TxOutcome::Committed => StockChange::Applied,
            TxOutcome::Conflict => StockChange::Conflict,
            TxOutcome::Thrown(m) if m.contains("below_reserved") => StockChange::BelowReserved,
            other => return Err(StoreError::Decode(format!("adjust failed: {}", other.describe()))),
        })
    }

    pub async fn stock_row(&self, sku: &str, location: &str) -> Result<Option<StockRow>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT sku, location, on_hand, reserved FROM type::record('stock', $key)")
            .bind(("key", stock_key(sku, location)))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    pub async fn create_purchase_order(
        &self,
        sku: &str,
        location: &str,
        quantity: i64,
        expected_on: NaiveDate,
    ) -> Result<PurchaseOrderRow, StoreError> {
        let id = format!("po_{}", ulid::Ulid::new().to_string().to_lowercase());
        let mut results = self
            .db()
            .query(format!(
                "CREATE type::record('purchase_order', $id) SET sku = $sku, location = $location, quantity = $quantity,
                     received = 0, expected_on = $expected, open = true;
                 SELECT {PO_FIELDS} FROM type::record('purchase_order', $id);"
            ))
            .bind(("id", id))
            .bind(("sku", sku.to_owned()))
            .bind(("location", location.to_owned()))
            .bind(("quantity", quantity))
            .bind(("expected", expected_on.to_string()))
            .await?;
        decode(rows(&mut results, 1)?)?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Decode("purchase order".into()))
    }

    pub async fn purchase_orders(
        &self,
        sku: Option<&str>,
        open_only: bool,
    ) -> Result<Vec<PurchaseOrderRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "SELECT {PO_FIELDS} FROM purchase_order WHERE ($sku = NONE OR sku = $sku) AND ($open = false OR open = true)
                 ORDER BY expected_on, key"
            ))
            .bind(("sku", sku.map(str::to_owned)))
            .bind(("open", open_only))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    pub async fn purchase_order(&self, id: &str) -> Result<Option<PurchaseOrderRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!("SELECT {PO_FIELDS} FROM type::record('purchase_order', $id)"))
            .bind(("id", id.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// Receives `quantity` units of a purchase order into its location's stock (partial receipts
    /// allowed; never more than ordered).
    pub async fn receive_purchase_order(&self, id: &str, quantity: i64) -> Result<StockChange, StoreError> {
        let sql = "BEGIN;
            LET $po = UPDATE type::record('purchase_order', $id) SET received += $quantity,
                open = received + $quantity < quantity
                WHERE open = true AND received + $quantity <= quantity RETURN AFTER;
            IF array::len($po) = 0 { THROW 'not_receivable' };
            LET $key = $po[0].sku + '@' + $po[0].location;
            UPSERT type::record('stock', $key) SET sku = $po[0].sku, location = $po[0].location,
                on_hand = (on_hand ?? 0) + $quantity, reserved = reserved ?? 0;
            CREATE stock_movement SET sku = $po[0].sku, location = $po[0].location, on_hand_delta = $quantity,
                reserved_delta = 0, reason = 'received ' + $id, at = time::now();
            COMMIT;";
        let result = self.db().query(sql).bind(("id", id.to_owned())).bind(("quantity", quantity)).await?;
        Ok(match outcome(result) {
            TxOutcome::Committed => StockChange::Applied,
            TxOutcome::Conflict => StockChange::Conflict,
            TxOutcome::Thrown(m) if m.contains("not_receivable") => StockChange::NotReceivable,
            other => return Err(StoreError::Decode(format!("receipt failed: {}", other.describe()))),
        })
    }

    /// Moves an open purchase order's expected day and/or changes its quantity (never below what
    /// was received; received in full, it closes).
    pub async fn change_purchase_order(
        &self,
        id: &str,
        expected_on: Option<NaiveDate>,
        quantity: Option<i64>,
    ) -> Result<StockChange, StoreError> {
        let sql = "BEGIN;
            LET $po = UPDATE type::record('purchase_order', $id) SET
                expected_on = $expected ?? expected_on,
                quantity = $quantity ?? quantity,
                open = received < ($quantity ?? quantity)
                WHERE open = true AND received <= ($quantity ?? quantity) RETURN AFTER;
            IF array::len($po) = 0 { THROW 'not_receivable' };
            COMMIT;";
        let result = self
            .db()
            .query(sql)
            .bind(("id", id.to_owned()))
            .bind(("expected", expected_on.map(|d| d.to_string())))
            .bind(("quantity", quantity))
            .await?;
        Ok(match outcome(result) {
            TxOutcome::Committed => StockChange::Applied,
            TxOutcome::Conflict => StockChange::Conflict,
            TxOutcome::Thrown(m) if m.contains("not_receivable") => StockChange::NotReceivable,
            other => {
                return Err(StoreError::Decode(format!(
                    "purchase order change failed: {}",
                    other.describe()
                )));
            }
        })
    }

    /// Closes an open purchase order: whatever it did not bring will not come.
    pub async fn close_purchase_order(&self, id: &str) -> Result<StockChange, StoreError> {
        let mut results = self
            .db()
            .query(
                "UPDATE type::record('purchase_order', $id) SET open = false WHERE open = true RETURN AFTER",
            )
            .bind(("id", id.to_owned()))
            .await?;
        let closed: Vec<serde_json::Value> = rows(&mut results, 0)?;
        Ok(if closed.is_empty() { StockChange::NotReceivable } else { StockChange::Applied })
    }

    /// Open backorders for `sku` (in no particular order: ordo-core's `queue` orders them).
    pub async fn waiting_backorders(&self, sku: &str) -> Result<Vec<BackorderRow>, StoreError> {
        let mut results = self
            .db()
            .query(
                "SELECT record::id(id) AS key, order_id, line, part, sku, quantity, placed_at FROM backorder
                 WHERE sku = $sku AND open = true",
            )
            .bind(("sku", sku.to_owned()))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// Allocates stock at `location` to a backordered part: reserves it (conditionally), closes
    /// the backorder and appends the order's events, all in one transaction.
    pub async fn allocate_backorder(
        &self,
        order: &Order,
        expected_seq: u64,
        entries: &[TimelineEntry],
        backorder: &BackorderRow,
        location: &str,
    ) -> Result<StockChange, StoreError> {
        if entries.is_empty() {
            return Ok(StockChange::Applied);
        }
        let (statements, binds) =
            append_statements(order, expected_seq, entries, &super::Doer::system("purchasing"))?;
        let sql = format!(
            "BEGIN;
             {statements}
             LET $s = UPDATE type::record('stock', $stock) SET reserved += $quantity
                 WHERE on_hand - reserved >= $quantity RETURN AFTER;
             IF array::len($s) = 0 {{ THROW 'stock_changed' }};
             LET $b = UPDATE type::record('backorder', $backorder) SET open = false WHERE open = true RETURN AFTER;
             IF array::len($b) = 0 {{ THROW 'already_allocated' }};
             CREATE reservation SET order_id = $id, sku = $sku, location = $location, quantity = $quantity;
             CREATE stock_movement SET sku = $sku, location = $location, on_hand_delta = 0, reserved_delta = $quantity,
                 reason = 'backorder allocated', order_id = $id, at = time::now();
             COMMIT;"
        );
        let mut query = self
            .db()
            .query(sql)
            .bind(("stock", stock_key(&backorder.sku, location)))
            .bind(("quantity", backorder.quantity))
            .bind(("backorder", backorder.key.clone()))
            .bind(("sku", backorder.sku.clone()))
            .bind(("location", location.to_owned()));
        for bind in binds {
            query = query.bind(bind);
        }
        let done = query.await;
        self.forget_timeline(order.id().as_str());
        Ok(match outcome(done?) {
            TxOutcome::Committed => StockChange::Applied,
            TxOutcome::Conflict | TxOutcome::Duplicate(_) => StockChange::Conflict,
            TxOutcome::Thrown(m) if m.contains("stale_order") || m.contains("already_allocated") => {
                StockChange::Conflict
            }
            TxOutcome::Thrown(m) if m.contains("stock_changed") => StockChange::BelowReserved,
            other => return Err(StoreError::Decode(format!("allocation failed: {}", other.describe()))),
        })
    }
}
