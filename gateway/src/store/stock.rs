//! Stock changes outside intake: adjustments, purchase orders and their receipts, and moving
//! received stock to waiting backorders (each allocation one transaction with its event).

use chrono::{DateTime, NaiveDate, Utc};
use ordo_core::order::{Order, TimelineEntry};
use ordo_core::purchasing::{PoLine, PoStatus};
use serde::Deserialize;
use serde_json::json;

use super::channels::{NewWebhook, Via};

use super::catalog::StockRow;
use super::orders::append_statements;
use super::stock_key;
use super::{Store, StoreError, TxOutcome, decode, outcome, rows};

/// A purchase order line as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct PoLineRow {
    pub sku: String,
    pub quantity: i64,
    pub received: i64,
    pub unit_cost: i64,
}

impl PoLineRow {
    pub(crate) fn to_line(&self) -> PoLine {
        PoLine {
            sku: self.sku.clone(),
            quantity: self.quantity,
            received: self.received,
            unit_cost: self.unit_cost,
        }
    }
}

/// A purchase order as stored (migration 0026): its head and its lines in order.
#[derive(Debug, Clone, Deserialize)]
pub struct PurchaseOrderRow {
    pub key: String,
    pub number: String,
    #[serde(default)]
    pub supplier: Option<String>,
    pub location: String,
    pub expected_on: String,
    pub status: String,
    pub currency: String,
    /// One more on every change: a change is written over the version it read.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    pub lines: Vec<PoLineRow>,
}

impl PurchaseOrderRow {
    /// Its status; a row the store holds always has one of the five.
    pub(crate) fn status(&self) -> PoStatus {
        PoStatus::parse(&self.status).unwrap_or(PoStatus::Cancelled)
    }

    pub(crate) fn lines(&self) -> Vec<PoLine> {
        self.lines.iter().map(PoLineRow::to_line).collect()
    }

    pub(crate) fn expected(&self) -> Option<NaiveDate> {
        self.expected_on.parse().ok()
    }
}

/// A purchase order to write: its head as it is to be, all its lines, the units received now (SKU,
/// units) and what tells its supplier, in the transaction.
#[derive(Debug, Clone)]
pub(crate) struct PoWrite<'a> {
    pub status: PoStatus,
    pub expected_on: NaiveDate,
    pub lines: &'a [PoLine],
    pub received: &'a [(String, i64)],
    pub webhooks: &'a [NewWebhook],
}

impl PoWrite<'_> {
    fn binds(&self, location: &str) -> serde_json::Value {
        let lines: Vec<serde_json::Value> = self
            .lines
            .iter()
            .enumerate()
            .map(|(n, l)| {
                json!({
                    "n": n,
                    "sku": l.sku,
                    "quantity": l.quantity,
                    "received": l.received,
                    "unit_cost": l.unit_cost,
                    "open": l.awaited(self.status) > 0,
                })
            })
            .collect();
        let received: Vec<serde_json::Value> = self
            .received
            .iter()
            .map(|(sku, units)| json!({ "key": stock_key(sku, location), "sku": sku, "units": units }))
            .collect();
        let webhooks: Vec<serde_json::Value> = self
            .webhooks
            .iter()
            .map(|w| {
                let mut row = json!({
                    "key": w.key,
                    "channel": w.channel,
                    "event_type": w.event_type,
                    "payload_json": w.payload_json,
                });
                // Absent, not null: the store reads a missing `via` as NONE (an HTTP POST).
                if w.via == Via::Mail {
                    row["via"] = json!("mail");
                }
                row
            })
            .collect();
        json!({
            "status": self.status.as_str(),
            "expected": self.expected_on.to_string(),
            "sent": self.status != PoStatus::Draft,
            "lines": lines,
            "received": received,
            "webhooks": webhooks,
        })
    }
}

/// The statements that write a purchase order's lines, receipts and webhooks from `PoWrite`'s
/// bindings, inside a transaction that has `$id`, `$number` and `$location`.
const PO_WRITE: &str = "
    FOR $l IN $w.lines {
        UPSERT type::record('purchase_order_line', $id + '~' + <string>$l.n) SET po = $id, n = $l.n,
            sku = $l.sku, location = $location, quantity = $l.quantity, received = $l.received,
            unit_cost = $l.unit_cost, expected_on = $w.expected, open = $l.open;
    };
    FOR $r IN $w.received {
        UPSERT type::record('stock', $r.key) SET sku = $r.sku, location = $location,
            on_hand = (on_hand ?? 0) + $r.units, reserved = reserved ?? 0;
        CREATE stock_movement SET sku = $r.sku, location = $location, on_hand_delta = $r.units,
            reserved_delta = 0, reason = 'received ' + $number, at = time::now();
    };
    FOR $h IN $w.webhooks {
        CREATE type::record('webhook', $h.key) SET channel = $h.channel, order_id = NONE, seq = NONE,
            event_type = $h.event_type, payload_json = $h.payload_json, via = $h.via, state = 'pending',
            due = time::now(), attempts = 0, tries = [], created_at = time::now();
    };";

/// Which purchase orders to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoFilter<'a> {
    pub sku: Option<&'a str>,
    pub supplier: Option<&'a str>,
    /// Not closed (received or cancelled) only.
    pub open_only: bool,
    pub drafts: bool,
}

/// A new purchase order's head.
#[derive(Debug, Clone)]
pub(crate) struct NewPurchaseOrder<'a> {
    /// `po_…`, a new ULID.
    pub id: &'a str,
    /// `PO-5001`, from [`Store::claim_po_number`].
    pub number: &'a str,
    pub supplier: &'a str,
    pub location: &'a str,
    pub currency: &'a str,
}

/// What suppliers supply: the supplier's number for a SKU and what a unit costs from it.
#[derive(Debug, Clone, Deserialize)]
pub struct SupplierItemRow {
    pub supplier: String,
    pub sku: String,
    #[serde(default)]
    pub supplier_sku: Option<String>,
    pub unit_cost: i64,
    pub updated_at: DateTime<Utc>,
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
    /// Someone else changed the same rows: retry.
    Conflict,
}

const PO_FIELDS: &str = "record::id(id) AS key, number, supplier, location, expected_on, status, currency, \
    version, created_at, sent_at, (SELECT sku, quantity, received, unit_cost, n FROM purchase_order_line \
    WHERE po = record::id($parent.id) ORDER BY n) AS lines";

const ITEM_FIELDS: &str = "supplier, sku, supplier_sku, unit_cost, updated_at";

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

    /// Claims the next purchase order number from the shop's counter (5001 first).
    pub(crate) async fn claim_po_number(&self) -> Result<i64, StoreError> {
        for _ in 0..20 {
            let result = self
                .db()
                .query("UPSERT counter:purchase_order SET next = (next ?? 5001) + 1 RETURN VALUE next")
                .await;
            if let Some(mut results) = super::unless_conflicted(result, "claiming a purchase order number")? {
                let after: Vec<i64> = results.take(0)?;
                return after.first().map(|n| n - 1).ok_or_else(|| StoreError::Decode("no number".into()));
            }
        }
        Err(StoreError::Contended(20))
    }

    /// Writes a new purchase order with its lines and, when it is sent now, what tells its
    /// supplier.
    pub(crate) async fn create_purchase_order(
        &self,
        head: &NewPurchaseOrder<'_>,
        write: &PoWrite<'_>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "BEGIN;
             CREATE type::record('purchase_order', $id) SET number = $number, supplier = $supplier,
                 location = $location, expected_on = $w.expected, status = $w.status, currency = $currency,
                 version = 1, created_at = time::now(), sent_at = IF $w.sent {{ time::now() }} ELSE {{ NONE }};
             {PO_WRITE}
             COMMIT;"
        );
        let result = self
            .db()
            .query(sql)
            .bind(("id", head.id.to_owned()))
            .bind(("number", head.number.to_owned()))
            .bind(("supplier", head.supplier.to_owned()))
            .bind(("location", head.location.to_owned()))
            .bind(("currency", head.currency.to_owned()))
            .bind(("w", write.binds(head.location)))
            .await?;
        match outcome(result) {
            TxOutcome::Committed => {
                if !write.webhooks.is_empty() {
                    self.webhooks_written().notify_one();
                }
                Ok(())
            }
            other => Err(StoreError::Decode(format!("purchase order not written: {}", other.describe()))),
        }
    }

    /// Writes purchase order `read` as `write` says, if nobody changed it since it was read.
    pub(crate) async fn save_purchase_order(
        &self,
        read: &PurchaseOrderRow,
        write: &PoWrite<'_>,
    ) -> Result<StockChange, StoreError> {
        let sql = format!(
            "BEGIN;
             LET $po = UPDATE type::record('purchase_order', $id) SET status = $w.status, expected_on = $w.expected,
                 version = version + 1, sent_at = IF $w.sent {{ sent_at ?? time::now() }} ELSE {{ NONE }}
                 WHERE version = $version RETURN AFTER;
             IF array::len($po) = 0 {{ THROW 'stale_purchase_order' }};
             {PO_WRITE}
             COMMIT;"
        );
        let result = self
            .db()
            .query(sql)
            .bind(("id", read.key.clone()))
            .bind(("version", read.version))
            .bind(("number", read.number.clone()))
            .bind(("location", read.location.clone()))
            .bind(("w", write.binds(&read.location)))
            .await?;
        Ok(match outcome(result) {
            TxOutcome::Committed => {
                if !write.webhooks.is_empty() {
                    self.webhooks_written().notify_one();
                }
                StockChange::Applied
            }
            TxOutcome::Conflict => StockChange::Conflict,
            TxOutcome::Thrown(m) if m.contains("stale_purchase_order") => StockChange::Conflict,
            other => {
                return Err(StoreError::Decode(format!("purchase order not written: {}", other.describe())));
            }
        })
    }

    /// Purchase orders by expected day, then number: of one supplier or all, holding `sku` or
    /// not, those not closed (draft, sent, partly received) or every one; drafts only when
    /// `drafts`.
    pub async fn purchase_orders(&self, filter: &PoFilter<'_>) -> Result<Vec<PurchaseOrderRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "SELECT {PO_FIELDS} FROM purchase_order
                 WHERE ($supplier = NONE OR supplier = $supplier)
                   AND ($open = false OR status IN ['draft', 'sent', 'partially_received'])
                   AND ($drafts = true OR status != 'draft')
                   AND ($sku = NONE OR record::id(id) IN (SELECT VALUE po FROM purchase_order_line WHERE sku = $sku))
                 ORDER BY expected_on, number"
            ))
            .bind(("sku", filter.sku.map(str::to_owned)))
            .bind(("supplier", filter.supplier.map(str::to_owned)))
            .bind(("open", filter.open_only))
            .bind(("drafts", filter.drafts))
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

    /// Units of `sku` open purchase orders still bring, by expected day (one entry per line).
    pub(crate) async fn incoming(&self, sku: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let mut results = self
            .db()
            .query(
                "SELECT expected_on, quantity - received AS units FROM purchase_order_line
                 WHERE sku = $sku AND open = true ORDER BY expected_on",
            )
            .bind(("sku", sku.to_owned()))
            .await?;
        #[derive(Deserialize)]
        struct Row {
            expected_on: String,
            units: i64,
        }
        Ok(decode::<Row>(rows(&mut results, 0)?)?.into_iter().map(|r| (r.expected_on, r.units)).collect())
    }

    /// What supplier `code` supplies, by SKU.
    pub(crate) async fn supplier_items(&self, code: &str) -> Result<Vec<SupplierItemRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!("SELECT {ITEM_FIELDS} FROM supplier_item WHERE supplier = $code ORDER BY sku"))
            .bind(("code", code.to_owned()))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// Sets what supplier `code` charges for `sku` and its own number for it.
    pub(crate) async fn put_supplier_item(
        &self,
        code: &str,
        sku: &str,
        supplier_sku: Option<&str>,
        unit_cost: i64,
    ) -> Result<SupplierItemRow, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "UPSERT type::record('supplier_item', $key) SET supplier = $code, sku = $sku,
                     supplier_sku = $theirs, unit_cost = $cost, updated_at = time::now();
                 SELECT {ITEM_FIELDS} FROM type::record('supplier_item', $key);"
            ))
            .bind(("key", format!("{code}~{sku}")))
            .bind(("code", code.to_owned()))
            .bind(("sku", sku.to_owned()))
            .bind(("theirs", supplier_sku.map(str::to_owned)))
            .bind(("cost", unit_cost))
            .await?;
        decode(rows(&mut results, 1)?)?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Decode("supplier item".into()))
    }

    /// Forgets what supplier `code` charges for `sku`; `false` when nothing was kept.
    pub(crate) async fn remove_supplier_item(&self, code: &str, sku: &str) -> Result<bool, StoreError> {
        let mut results = self
            .db()
            .query("DELETE type::record('supplier_item', $key) RETURN BEFORE")
            .bind(("key", format!("{code}~{sku}")))
            .await?;
        let removed: Vec<serde_json::Value> = rows(&mut results, 0)?;
        Ok(!removed.is_empty())
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
