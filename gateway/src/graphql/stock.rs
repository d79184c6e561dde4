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

    async fn create_purchase_order(
        &self,
        ctx: &Context<'_>,
        sku: String,
        location: String,
        quantity: i64,
        expected_on: NaiveDate,
    ) -> Result<PurchaseOrder> {
        let po = purchasing::create_purchase_order(
            app(ctx)?,
            actor(ctx),
            sku.trim(),
            location.trim(),
            quantity,
            expected_on,
        )
        .await
        .gql()?;
        Ok(po.into())
    }

    /// Receives units of a purchase order (partial receipts allowed); the stock goes to waiting
    /// backorders of the SKU oldest first, each allocation an event on its order.
    async fn receive_purchase_order(
        &self,
        ctx: &Context<'_>,
        id: String,
        quantity: i64,
    ) -> Result<ReceiptPayload> {
        let receipt = purchasing::receive(app(ctx)?, actor(ctx), id.trim(), quantity).await.gql()?;
        Ok(ReceiptPayload {
            purchase_order: receipt.purchase_order.into(),
            allocated: receipt
                .allocated
                .into_iter()
                .map(|(order_id, quantity)| BackorderAllocation { order_id, quantity })
                .collect(),
        })
    }
}
