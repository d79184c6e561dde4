//! Checking out: a cart becomes an order's first event — validated at the checkout stage,
//! allocated to stock, backorder or dropship, placed — or is rejected with every issue, each at
//! the line it concerns. What the server runs for every `placeOrder`.

use chrono::{DateTime, Utc};

use crate::allocation::{AllocationError, AllocationPlan, LineRequest, LocationId, LocationStock, allocate};
use crate::cart::{self, Cart, CartStage, Issue, IssueCode, LineTotals, Rules, Severity};
use crate::catalog::Catalog;
use crate::values::{CustomerId, OrderId};

use super::{NewOrder, Order, OrderEvent, TimelineEntry, place};

/// What the shop looks like at the moment of checkout.
#[derive(Debug, Clone, Copy)]
pub struct Shop<'a> {
    pub catalog: &'a Catalog,
    pub rules: &'a Rules,
    pub stock: &'a [LocationStock],
    /// Locations in preference order.
    pub locations: &'a [LocationId],
}

/// A placed order: its first timeline entry, the order it folds to, and where its units come
/// from (what the store reserves, backorders and dropships).
#[derive(Debug, Clone)]
pub struct Placement {
    pub first: TimelineEntry,
    pub order: Order,
    pub plan: AllocationPlan,
}

impl Placement {
    /// The same placement under order number `number`, taken once the cart is known to place
    /// (a refused cart takes no number).
    pub fn numbered(mut self, number: u32) -> Result<Placement, CheckoutError> {
        if let OrderEvent::Placed(placed) = &mut self.first.event {
            placed.number = Some(number);
        }
        self.order = Order::from_timeline([&self.first])
            .map_err(|e| CheckoutError::Invalid { field: "order", message: e.to_string() })?;
        Ok(self)
    }
}

/// Why a cart was not placed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckoutError {
    /// The cart breaks a rule or its units cannot be supplied: every issue, the first blocking
    /// one first.
    #[error("{}", .0.iter().find(|i| i.severity == Severity::Error).map_or("the order was rejected", |i| i.message.as_str()))]
    Rejected(Vec<Issue>),
    /// The request itself is malformed (a channel name, an order id).
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

/// The longest external id a channel may give its order, in bytes of UTF-8.
pub const MAX_EXTERNAL_ID_CHARS: usize = 128;

/// A channel's own id for an order, trimmed: 1-128 bytes of text, no control characters.
pub fn parse_external_id(raw: &str) -> Result<&str, CheckoutError> {
    let id = raw.trim();
    if id.is_empty() || raw.len() > MAX_EXTERNAL_ID_CHARS || raw.chars().any(char::is_control) {
        return Err(CheckoutError::Invalid {
            field: "externalId",
            message: "must be 1-128 characters".into(),
        });
    }
    Ok(id)
}

/// Checks `cart` out as order `id` on `channel` for `customer` at `now`: the cart is validated
/// at the checkout stage against the shop's catalog and rules, its lines allocated, and the
/// `placed` event built. Units that cannot be supplied are issues at their line.
pub fn check_out(
    id: &OrderId,
    number: Option<u32>,
    channel: &str,
    customer: Option<&CustomerId>,
    cart: &Cart,
    shop: Shop<'_>,
    now: DateTime<Utc>,
) -> Result<Placement, CheckoutError> {
    let mut cart = cart.clone();
    cart.stage = CartStage::Checkout;
    let check = cart::validate(&cart, shop.catalog, shop.rules, now);
    if !check.ok {
        return Err(CheckoutError::Rejected(check.issues));
    }
    let Some(totals) = check.totals.as_ref() else { return Err(CheckoutError::Rejected(check.issues)) };
    let requests: Vec<LineRequest> =
        totals.lines.iter().map(|l| LineRequest { sku: l.sku.clone(), quantity: l.quantity }).collect();
    let plan = allocate(&requests, shop.catalog, shop.stock, shop.locations, now.date_naive())
        .map_err(|errors| CheckoutError::Rejected(allocation_issues(&errors, &totals.lines)))?;
    let invalid = |field: &'static str| {
        move |e: &dyn std::fmt::Display| CheckoutError::Invalid { field, message: e.to_string() }
    };
    let event = place(NewOrder {
        id: id.clone(),
        number,
        channel,
        customer: customer.cloned(),
        cart: &cart,
        check: &check,
        plan: &plan,
        rules: shop.rules,
    })
    .map_err(|e| invalid("order")(&e))?;
    let first = TimelineEntry { seq: 1, at: now, event };
    let order = Order::from_timeline([&first]).map_err(|e| invalid("order")(&e))?;
    Ok(Placement { first, order, plan })
}

/// Allocation failures as cart issues (`OUT_OF_STOCK`), at the cart line they concern.
fn allocation_issues(errors: &[AllocationError], lines: &[LineTotals]) -> Vec<Issue> {
    errors
        .iter()
        .map(|e| {
            let line = match e {
                AllocationError::InsufficientStock { line, .. }
                | AllocationError::UnknownSku { line, .. }
                | AllocationError::Inactive { line, .. } => lines.get(*line).map_or(*line, |l| l.index),
                AllocationError::DuplicateStock { .. } => 0,
            };
            Issue {
                code: IssueCode::OutOfStock,
                path: format!("lines[{line}].quantity"),
                severity: Severity::Error,
                message: e.to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_id_is_trimmed_and_bounded() {
        assert_eq!(parse_external_id("  AMZ-1  "), Ok("AMZ-1"));
        for bad in ["", "   ", "a\u{7}b", &"x".repeat(129)] {
            assert!(parse_external_id(bad).is_err(), "{bad:?}");
        }
        assert!(parse_external_id(&"x".repeat(128)).is_ok());
    }
}
