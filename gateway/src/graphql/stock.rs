//! Stock and purchasing over GraphQL: adjustments, low stock, purchase orders and receipts, and
//! what suppliers supply at what cost.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use ordo_core::money::{Currency, Money as CoreMoney};
use ordo_core::purchasing::PoStatus;

use super::types::{Money, Product, StockLevel};
use super::{actor, app};
use crate::app::purchasing;
use crate::app::purchasing::{PurchaseOrderRow, SupplierItemRow};
use crate::graphql::error::GqlResult;

/// Where a purchase order is in its life.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PurchaseOrderStatus {
    /// Written, not sent: the supplier knows nothing and no promise counts on it.
    Draft,
    /// Sent to the supplier; nothing received yet.
    Sent,
    /// Some units received, more to come.
    PartiallyReceived,
    /// Closed with units received: every unit, or as many as will ever come.
    Received,
    /// Closed with nothing received.
    Cancelled,
}

impl From<PoStatus> for PurchaseOrderStatus {
    fn from(s: PoStatus) -> Self {
        match s {
            PoStatus::Draft => PurchaseOrderStatus::Draft,
            PoStatus::Sent => PurchaseOrderStatus::Sent,
            PoStatus::PartiallyReceived => PurchaseOrderStatus::PartiallyReceived,
            PoStatus::Received => PurchaseOrderStatus::Received,
            PoStatus::Cancelled => PurchaseOrderStatus::Cancelled,
        }
    }
}

/// A purchase order from a supplier: many lines, sent as a PDF, received in one or more parts.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct PurchaseOrder {
    pub id: String,
    /// `PO-5001`: what the supplier quotes back.
    pub number: String,
    /// The supplier's code (null for a purchase order from before suppliers were records).
    pub supplier: Option<String>,
    /// The location its units are delivered to.
    pub location: String,
    pub expected_on: String,
    pub status: PurchaseOrderStatus,
    /// Sent or partly received: its units are on their way, received against and promised to
    /// waiting backorders.
    pub open: bool,
    pub lines: Vec<PurchaseOrderLine>,
    /// Units times unit cost over the lines.
    pub total: Money,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// One line of a purchase order.
#[derive(SimpleObject, Debug, Clone)]
pub struct PurchaseOrderLine {
    pub sku: String,
    pub quantity: i64,
    pub received: i64,
    /// Units still to come while the order is open.
    pub outstanding: i64,
    pub unit_cost: Money,
}

#[ComplexObject]
impl PurchaseOrder {
    /// The purchase order as a PDF (a signed link for staff and its supplier).
    async fn document(&self, ctx: &Context<'_>) -> Result<String> {
        let path = format!("/purchase-orders/{}/purchase-order.pdf", self.id);
        Ok(match app(ctx)?.keys().mint_document_link(actor(ctx), &path) {
            Ok(token) => format!("{path}?token={token}"),
            Err(_) => path,
        })
    }
}

impl From<PurchaseOrderRow> for PurchaseOrder {
    fn from(r: PurchaseOrderRow) -> Self {
        let currency = Currency::parse(&r.currency).unwrap_or(Currency::Usd);
        let money = |minor: i64| Money::from(CoreMoney::new(minor, currency));
        let status = r.status();
        let lines = r.lines();
        PurchaseOrder {
            total: money(ordo_core::purchasing::total(&lines).unwrap_or(i64::MAX)),
            lines: lines
                .iter()
                .map(|l| PurchaseOrderLine {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    received: l.received,
                    outstanding: l.awaited(status),
                    unit_cost: money(l.unit_cost),
                })
                .collect(),
            id: r.key,
            number: r.number,
            supplier: r.supplier,
            location: r.location,
            expected_on: r.expected_on,
            status: status.into(),
            open: status.is_open(),
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

/// A line of a new purchase order.
#[derive(InputObject, Debug, Clone)]
pub struct PurchaseOrderLineInput {
    pub sku: String,
    pub quantity: i64,
    /// Minor units a unit costs; by default what the supplier charges for the SKU
    /// (`setSupplierItem`).
    pub unit_cost: Option<i64>,
}

/// Units of one SKU of a purchase order: its new quantity, or units received.
#[derive(InputObject, Debug, Clone)]
pub struct LineUnitsInput {
    pub sku: String,
    pub quantity: i64,
}

fn units(lines: &[LineUnitsInput]) -> Vec<(String, i64)> {
    lines.iter().map(|l| (l.sku.clone(), l.quantity)).collect()
}

/// What a supplier supplies: its own number for a SKU and what a unit costs from it.
#[derive(SimpleObject, Debug, Clone)]
pub struct SupplierItem {
    pub supplier: String,
    pub sku: String,
    pub supplier_sku: Option<String>,
    /// Minor units, in the product's currency.
    pub unit_cost: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<SupplierItemRow> for SupplierItem {
    fn from(r: SupplierItemRow) -> Self {
        SupplierItem {
            supplier: r.supplier,
            sku: r.sku,
            supplier_sku: r.supplier_sku,
            unit_cost: r.unit_cost,
            updated_at: r.updated_at,
        }
    }
}

/// An allocation of received stock to a waiting order.
#[derive(SimpleObject, Debug, Clone)]
pub struct BackorderAllocation {
    pub order_id: String,
    pub sku: String,
    pub quantity: i64,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ReceiptPayload {
    pub purchase_order: PurchaseOrder,
    /// Backorders that received stock, oldest first.
    pub allocated: Vec<BackorderAllocation>,
    /// Backorders still waiting whose day moved (each customer was told, with the choice to
    /// keep waiting or cancel for a refund).
    pub repromised: Vec<Repromise>,
}

/// A waiting backorder promised for another day.
#[derive(SimpleObject, Debug, Clone)]
pub struct Repromise {
    pub order_id: String,
    pub line: i32,
    pub part: i32,
    pub promised_on: NaiveDate,
    pub previously: NaiveDate,
}

impl From<purchasing::Repromised> for Repromise {
    fn from(r: purchasing::Repromised) -> Self {
        Repromise {
            order_id: r.order_id,
            line: i32::try_from(r.line).unwrap_or(i32::MAX),
            part: i32::try_from(r.part).unwrap_or(i32::MAX),
            promised_on: r.promised,
            previously: r.previously,
        }
    }
}

/// A purchase order after a change, and the backorders whose day moved with it.
#[derive(SimpleObject, Debug, Clone)]
pub struct PurchaseOrderPayload {
    pub purchase_order: PurchaseOrder,
    /// Waiting backorders promised for another day (each customer was told, with the choice).
    pub repromised: Vec<Repromise>,
}

impl From<purchasing::Changed> for PurchaseOrderPayload {
    fn from(c: purchasing::Changed) -> Self {
        PurchaseOrderPayload {
            purchase_order: c.purchase_order.into(),
            repromised: c.repromised.into_iter().map(Repromise::from).collect(),
        }
    }
}

/// A product whose available stock is below its reorder point.
#[derive(SimpleObject, Debug, Clone)]
pub struct LowStock {
    pub product: Product,
    pub available: i64,
    pub reorder_point: i64,
}

#[derive(Default, Debug)]
pub struct StockQuery;

#[Object]
impl StockQuery {
    /// Products whose available stock (on hand minus reserved, all locations) is below their reorder point.
    async fn low_stock(&self, ctx: &Context<'_>) -> Result<Vec<LowStock>> {
        let low = purchasing::low_stock(app(ctx)?, actor(ctx)).await.gql()?;
        Ok(low
            .into_iter()
            .map(|l| LowStock {
                product: Product::from_row(&l.product),
                available: l.available,
                reorder_point: l.product.reorder_point,
            })
            .collect())
    }

    /// Purchase orders by expected day: those not closed (drafts, sent, partly received) unless
    /// `includeClosed` adds the received and cancelled ones. Staff see every one; a supplier sees
    /// its own once sent.
    async fn purchase_orders(
        &self,
        ctx: &Context<'_>,
        sku: Option<String>,
        #[graphql(default)] include_closed: bool,
    ) -> Result<Vec<PurchaseOrder>> {
        let rows =
            purchasing::purchase_orders(app(ctx)?, actor(ctx), sku.as_deref().map(str::trim), include_closed)
                .await
                .gql()?;
        Ok(rows.into_iter().map(PurchaseOrder::from).collect())
    }

    /// One purchase order: for staff, or for its supplier once it was sent.
    async fn purchase_order(&self, ctx: &Context<'_>, id: String) -> Result<PurchaseOrder> {
        Ok(purchasing::purchase_order(app(ctx)?, actor(ctx), id.trim()).await.gql()?.into())
    }

    /// What a supplier supplies, by SKU, with its numbers and unit costs (staff).
    async fn supplier_items(&self, ctx: &Context<'_>, supplier: String) -> Result<Vec<SupplierItem>> {
        let rows = purchasing::supplier_items(app(ctx)?, actor(ctx), supplier.trim()).await.gql()?;
        Ok(rows.into_iter().map(SupplierItem::from).collect())
    }
}

#[derive(Default, Debug)]
pub struct StockMutation;

#[Object]
impl StockMutation {
    /// Adds (or removes, with a negative delta) units at a location, with a reason for the ledger.
    /// On hand never drops below what is reserved.
    async fn adjust_stock(
        &self,
        ctx: &Context<'_>,
        sku: String,
        location: String,
        delta: i64,
        reason: String,
    ) -> Result<StockLevel> {
        let row =
            purchasing::adjust_stock(app(ctx)?, actor(ctx), sku.trim(), location.trim(), delta, &reason)
                .await
                .gql()?;
        Ok(StockLevel::from(&row))
    }

    /// Orders units of one or more SKUs from a supplier for a location, expected on a day:
    /// numbered `PO-5001`. `send` (the default): sent to the supplier at once, by e-mail with its
    /// PDF and by webhook as the supplier takes them, and backorders waiting for its SKUs are
    /// promised again against it (oldest first, each the day its last unit arrives); otherwise a
    /// draft, sent with `sendPurchaseOrder`.
    async fn create_purchase_order(
        &self,
        ctx: &Context<'_>,
        supplier: String,
        location: String,
        expected_on: NaiveDate,
        lines: Vec<PurchaseOrderLineInput>,
        #[graphql(default = true)] send: bool,
    ) -> Result<PurchaseOrderPayload> {
        let lines: Vec<purchasing::LineInput> = lines
            .into_iter()
            .map(|l| purchasing::LineInput { sku: l.sku, quantity: l.quantity, unit_cost: l.unit_cost })
            .collect();
        let changed = purchasing::create_purchase_order(
            app(ctx)?,
            actor(ctx),
            supplier.trim(),
            location.trim(),
            expected_on,
            &lines,
            send,
        )
        .await
        .gql()?;
        Ok(changed.into())
    }

    /// Sends a draft purchase order to its supplier; backorders waiting for its SKUs are promised
    /// again against it.
    async fn send_purchase_order(&self, ctx: &Context<'_>, id: String) -> Result<PurchaseOrderPayload> {
        Ok(purchasing::send_purchase_order(app(ctx)?, actor(ctx), id.trim()).await.gql()?.into())
    }

    /// Moves a purchase order's expected day and/or changes line quantities (not below what was
    /// received). A sent order goes to its supplier again, marked changed. Every waiting
    /// backorder whose day moves is promised the new day, and its customer told with the choice
    /// to keep waiting or cancel for a refund.
    async fn update_purchase_order(
        &self,
        ctx: &Context<'_>,
        id: String,
        expected_on: Option<NaiveDate>,
        #[graphql(default)] lines: Vec<LineUnitsInput>,
    ) -> Result<PurchaseOrderPayload> {
        let changed =
            purchasing::change_purchase_order(app(ctx)?, actor(ctx), id.trim(), expected_on, &units(&lines))
                .await
                .gql()?;
        Ok(changed.into())
    }

    /// Closes a purchase order: what it did not bring will not come (cancelled when nothing
    /// came, received when something did). The supplier of a sent order is told to send nothing
    /// more; waiting backorders are promised again (customers whose day moved are told).
    async fn close_purchase_order(&self, ctx: &Context<'_>, id: String) -> Result<PurchaseOrderPayload> {
        let changed = purchasing::close_purchase_order(app(ctx)?, actor(ctx), id.trim()).await.gql()?;
        Ok(changed.into())
    }

    /// Receives units of a purchase order's lines (partial receipts allowed, never more than is
    /// still to come); the stock goes to waiting backorders of each SKU oldest first, each
    /// allocation an event on its order. `close`: the rest will not come (a short receipt), so
    /// the purchase order closes, its supplier is told, and the backorders still waiting are
    /// promised again.
    async fn receive_purchase_order(
        &self,
        ctx: &Context<'_>,
        id: String,
        lines: Vec<LineUnitsInput>,
        #[graphql(default)] close: bool,
    ) -> Result<ReceiptPayload> {
        let receipt =
            purchasing::receive(app(ctx)?, actor(ctx), id.trim(), &units(&lines), close).await.gql()?;
        Ok(ReceiptPayload {
            purchase_order: receipt.purchase_order.into(),
            allocated: receipt
                .allocated
                .into_iter()
                .map(|(order_id, sku, quantity)| BackorderAllocation { order_id, sku, quantity })
                .collect(),
            repromised: receipt.repromised.into_iter().map(Repromise::from).collect(),
        })
    }

    /// Sets what a supplier charges for a SKU (minor units) and its own number for it (admins):
    /// the unit cost new purchase order lines get unless told otherwise.
    async fn set_supplier_item(
        &self,
        ctx: &Context<'_>,
        supplier: String,
        sku: String,
        unit_cost: i64,
        supplier_sku: Option<String>,
    ) -> Result<SupplierItem> {
        let row = purchasing::set_supplier_item(
            app(ctx)?,
            actor(ctx),
            supplier.trim(),
            sku.trim(),
            supplier_sku.as_deref(),
            unit_cost,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Forgets what a supplier charges for a SKU (admins); false when nothing was kept.
    async fn remove_supplier_item(&self, ctx: &Context<'_>, supplier: String, sku: String) -> Result<bool> {
        purchasing::remove_supplier_item(app(ctx)?, actor(ctx), supplier.trim(), sku.trim()).await.gql()
    }
}
