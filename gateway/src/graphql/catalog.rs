//! Catalog queries: products (filtered, cursor-paginated), one product, stock per location.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};
use ordo_core::promise::next_unpromised;

use super::types::{Product, StockLevel};
use super::{actor, app, page_size};
use crate::app::catalog;
use crate::app::error::ApiError;
use crate::graphql::error::GqlResult;

/// Units of a product expected on a day and not yet promised to anyone.
#[derive(SimpleObject, Debug, Clone)]
pub struct Restock {
    pub on: chrono::NaiveDate,
    pub units: u32,
}

#[derive(Default, Debug)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Products ordered by SKU. `after` is the cursor (a SKU) of the last product seen.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        category: Option<String>,
        search: Option<String>,
    ) -> Result<Connection<String, Product>> {
        let limit = page_size(first)?;
        let rows =
            catalog::products(app(ctx)?, category.as_deref(), search.as_deref(), after.as_deref(), limit + 1)
                .await
                .gql()?;
        let has_next = rows.len() > limit;
        let mut connection = Connection::new(after.is_some(), has_next);
        connection
            .edges
            .extend(rows.iter().take(limit).map(|r| Edge::new(r.sku.clone(), Product::from_row(r))));
        Ok(connection)
    }

    /// The shop's cart rules — coupons, shipping zones and rates, tax, limits, return policy —
    /// in ordo-core's wire form: what ordo-wasm's `validateCart` takes, so the browser checks
    /// a cart with exactly the rules the server will apply. Public, like the catalog, except that
    /// a coupon is shown only to whoever names it: `coupons` are the codes a shopper entered (at
    /// most 20, matched as a cart's are), and only the coupons they name are listed. Staff see
    /// every coupon.
    async fn cart_rules(
        &self,
        ctx: &Context<'_>,
        coupons: Option<Vec<String>>,
    ) -> Result<async_graphql::Json<serde_json::Value>> {
        let rules = catalog::cart_rules(app(ctx)?, actor(ctx), &coupons.unwrap_or_default()).await.gql()?;
        let json = serde_json::to_value(&rules).map_err(|e| ApiError::internal("cart rules", &e)).gql()?;
        Ok(async_graphql::Json(json))
    }

    /// The stock locations (warehouses, stores), preferred first.
    async fn locations(&self, ctx: &Context<'_>) -> Result<Vec<super::types::Location>> {
        Ok(catalog::locations(app(ctx)?)
            .await
            .gql()?
            .into_iter()
            .map(|(id, name, rank)| super::types::Location { id, name, rank })
            .collect())
    }

    /// One product by SKU, or null.
    async fn product(&self, ctx: &Context<'_>, sku: String) -> Result<Option<Product>> {
        Ok(catalog::product(app(ctx)?, sku.trim()).await.gql()?.as_ref().map(Product::from_row))
    }

    /// Stock of a SKU at every location (staff).
    async fn stock(&self, ctx: &Context<'_>, sku: String) -> Result<Vec<StockLevel>> {
        Ok(catalog::stock_of(app(ctx)?, actor(ctx), sku.trim())
            .await
            .gql()?
            .iter()
            .map(StockLevel::from)
            .collect())
    }
}

#[ComplexObject]
impl Product {
    /// Who ships it when the policy is "dropship", as customers see the name: the supplier
    /// record's (`Northwood Furniture`).
    async fn supplier_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        match self.supplier.as_deref() {
            Some(code) => Ok(Some(crate::app::suppliers::display_name(app(ctx)?, code).await.gql()?)),
            None => Ok(None),
        }
    }

    /// Stock at every location (staff).
    async fn stock(&self, ctx: &Context<'_>) -> Result<Vec<StockLevel>> {
        Ok(catalog::stock_of(app(ctx)?, actor(ctx), &self.sku)
            .await
            .gql()?
            .iter()
            .map(StockLevel::from)
            .collect())
    }

    /// The first day units arrive that no waiting backorder is promised yet (null: none on
    /// order; a backorder then waits for the lead time).
    async fn next_restock(&self, ctx: &Context<'_>) -> Result<Option<chrono::NaiveDate>> {
        let restocks = catalog::restocks(app(ctx)?, &self.sku).await.gql()?;
        Ok(restocks.as_deref().and_then(next_unpromised))
    }

    /// Units open purchase orders bring that no waiting backorder is promised yet, by day (null:
    /// no open purchase order). Give them to ordo-wasm's catalog item as `restocks` so the cart
    /// promises what checkout will.
    async fn restocks(&self, ctx: &Context<'_>) -> Result<Option<Vec<Restock>>> {
        let restocks = catalog::restocks(app(ctx)?, &self.sku).await.gql()?;
        Ok(restocks.map(|r| r.into_iter().map(|i| Restock { on: i.on, units: i.units }).collect()))
    }

    /// Available to promise over all locations.
    async fn available(&self, ctx: &Context<'_>) -> Result<i64> {
        catalog::available(app(ctx)?, &self.sku).await.gql()
    }

    /// Customers' reviews, newest first, hidden ones left out. `after` is the cursor of the last review seen.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, super::reviews::Review>> {
        super::reviews::product_reviews(ctx, &self.sku, first, after).await
    }

    /// The average rating and review count over the visible reviews.
    async fn rating(&self, ctx: &Context<'_>) -> Result<super::reviews::ProductRating> {
        super::reviews::product_rating(ctx, &self.sku).await
    }
}
