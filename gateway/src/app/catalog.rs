//! Reading the catalog: products, stock per location, the shop's cart rules and locations.

use ordo_core::cart::Rules;
pub use ordo_core::promise::Incoming;

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
pub use crate::store::catalog::{ProductRow, StockRow};

/// Most coupon codes one look-up of the cart rules names (a cart rarely holds more than a few).
pub const MAX_ENTERED_CODES: usize = 20;

/// Products ordered by SKU after the SKU `after`, optionally of one category or matching a
/// search (every word, in any order, singular or plural: ordo-core's `search_terms`); `limit` at
/// most.
pub async fn products(
    app: &App,
    category: Option<&str>,
    search: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ProductRow>, ApiError> {
    let terms = search.map(ordo_core::catalog::search_terms).unwrap_or_default();
    Ok(app.store().products(category, &terms, after, limit).await?)
}

/// One product by SKU.
pub async fn product(app: &App, sku: &str) -> Result<Option<ProductRow>, ApiError> {
    Ok(app.store().product(sku).await?)
}

/// Stock of `sku` at every location (staff).
pub async fn stock_of(app: &App, caller: &Actor, sku: &str) -> Result<Vec<StockRow>, ApiError> {
    caller.require_staff()?;
    Ok(app.store().stock_of(sku).await?)
}

/// Units of `sku` available to promise over all locations.
pub async fn available(app: &App, sku: &str) -> Result<i64, ApiError> {
    Ok(app.store().stock_of(sku).await?.iter().map(StockRow::available).sum())
}

/// Units of `sku` its open purchase orders bring that no waiting backorder is promised yet, by
/// day (`None` when it has no open purchase order): what a new backorder is promised against.
pub async fn restocks(app: &App, sku: &str) -> Result<Option<Vec<Incoming>>, ApiError> {
    Ok(app.store().restocks(sku).await?)
}

/// The cart rules `caller` may see: staff every coupon, anyone else only the coupons the codes
/// they entered name (at most [`MAX_ENTERED_CODES`]).
pub async fn cart_rules(app: &App, caller: &Actor, entered: &[String]) -> Result<Rules, ApiError> {
    if entered.len() > MAX_ENTERED_CODES {
        return Err(ApiError::bad_input(
            "coupons",
            format!("at most {MAX_ENTERED_CODES} coupon codes can be looked up at once"),
        ));
    }
    let rules = app.store().rules().await?;
    Ok(if caller.is_staff() { rules } else { rules.for_entered_codes(entered) })
}

/// The name the shop's rules give shipping option `code` for `country` (`Ground (3–5 days)`);
/// `None` when the rules no longer offer it there.
pub async fn shipping_option_name(
    app: &App,
    country: &ordo_core::values::CountryCode,
    code: &str,
) -> Result<Option<String>, ApiError> {
    let rules = app.store().rules().await?;
    Ok(rules.shipping_option(country, code).map(|o| o.name.clone()))
}

/// The stock locations as (id, name, rank), preferred first.
pub async fn locations(app: &App) -> Result<Vec<(String, String, i64)>, ApiError> {
    Ok(app.store().locations().await?)
}
