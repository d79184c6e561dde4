//! Stock and purchasing over GraphQL: adjustments, low stock, purchase orders and receipts.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::types::{Product, StockLevel};
use super::{actor, app};
use crate::app::purchasing;
use crate::app::purchasing::PurchaseOrderRow;
use crate::graphql::error::GqlResult;

/// A purchase order from a supplier, received in one or more parts.
#[derive(SimpleObject, Debug, Clone)]
pub struct PurchaseOrder {
    pub id: String,
    pub sku: String,
    pub location: String,
    pub quantity: i64,
    pub received: i64,
    pub expected_on: String,
    pub open: bool,
}

impl From<PurchaseOrderRow> for PurchaseOrder {
    fn from(r: PurchaseOrderRow) -> Self {
        PurchaseOrder {
            id: r.key,
            sku: r.sku,
            location: r.location,
            quantity: r.quantity,
            received: r.received,
            expected_on: r.expected_on,
            open: r.open,
        }
    }
}

/// An allocation of received stock to a waiting order.
#[derive(SimpleObject, Debug, Clone)]
pub struct BackorderAllocation {
    pub order_id: String,
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

    /// Purchase orders, by expected date; open ones only unless `includeClosed`.
    async fn purchase_orders(
        &self,
        ctx: &Context<'_>,
        sku: Option<String>,
        #[graphql(default)] include_closed: bool,
    ) -> Result<Vec<PurchaseOrder>> {
        let rows =
            purchasing::purchase_orders(app(ctx)?, actor(ctx), sku.as_deref(), include_closed).await.gql()?;
        Ok(rows.into_iter().map(PurchaseOrder::from).collect())
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

    /// Orders units of a SKU for a location, expected on a day. Backorders waiting for the SKU are
    /// promised again against it (oldest first, each the day its last unit arrives).
    async fn create_purchase_order(
        &self,
        ctx: &Context<'_>,
        sku: String,
        location: String,
        quantity: i64,
        expected_on: NaiveDate,
    ) -> Result<PurchaseOrderPayload> {
        let changed = purchasing::create_purchase_order(
            app(ctx)?,
            actor(ctx),
            sku.trim(),
            location.trim(),
            quantity,
            expected_on,
        )
        .await
        .gql()?;
        Ok(changed.into())
    }

    /// Moves an open purchase order's expected day and/or changes its quantity (not below what
    /// was received). Every waiting backorder whose day moves is promised the new day, and its
    /// customer told with the choice to keep waiting or cancel for a refund.
    async fn update_purchase_order(
        &self,
        ctx: &Context<'_>,
        id: String,
        expected_on: Option<NaiveDate>,
        quantity: Option<i64>,
    ) -> Result<PurchaseOrderPayload> {
        let changed =
            purchasing::change_purchase_order(app(ctx)?, actor(ctx), id.trim(), expected_on, quantity)
                .await
                .gql()?;
        Ok(changed.into())
    }

    /// Closes an open purchase order: what it did not bring will not come. Waiting backorders
    /// are promised again (customers whose day moved are told).
    async fn close_purchase_order(&self, ctx: &Context<'_>, id: String) -> Result<PurchaseOrderPayload> {
        let changed = purchasing::close_purchase_order(app(ctx)?, actor(ctx), id.trim()).await.gql()?;
        Ok(changed.into())
    }

    /// Receives units of a purchase order (partial receipts allowed); the stock goes to waiting
    /// backorders of the SKU oldest first, each allocation an event on its order. `close`: the
    /// rest will not come (a short receipt), so the purchase order closes and the backorders
    /// still waiting are promised again.
    async fn receive_purchase_order(
        &self,
        ctx: &Context<'_>,
        id: String,
        quantity: i64,
        #[graphql(default)] close: bool,
    ) -> Result<ReceiptPayload> {
        let receipt = purchasing::receive(app(ctx)?, actor(ctx), id.trim(), quantity, close).await.gql()?;
        Ok(ReceiptPayload {
            purchase_order: receipt.purchase_order.into(),
            allocated: receipt
                .allocated
                .into_iter()
                .map(|(order_id, quantity)| BackorderAllocation { order_id, quantity })
                .collect(),
            repromised: receipt.repromised.into_iter().map(Repromise::from).collect(),
        })
    }
}
