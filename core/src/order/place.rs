//! Placing an order: a checked cart plus an allocation plan become the order's first event.

use super::{OrderEvent, OrderPolicy, OrderTotals, PlacedLine, PlacedOrder, PlacedPart};
use crate::allocation::{AllocationPlan, LinePart};
use crate::cart::{Cart, CartCheck, CartStage, Rules};
use crate::lifecycle::LineAvailability;
use crate::values::{CustomerId, Email, OrderId, PostalAddress};

/// Why a cart could not become an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    #[error("the cart has {0} blocking issue(s)")]
    CartNotOk(usize),
    #[error("the cart must be validated at the checkout stage")]
    NotCheckout,
    #[error("the cart has no shipping address or e-mail")]
    MissingContact,
    #[error("the allocation plan does not match cart line {0}")]
    PlanMismatch(usize),
    #[error("channel must be 1-64 lower-case letters, digits, '-' or '_'")]
    InvalidChannel,
    #[error("the cart has no shipping option for its address")]
    NoShipping,
}

/// Everything needed to place an order besides the cart's own contents.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub id: OrderId,
    /// The order's number (`#1042`), when the shop numbers its orders.
    pub number: Option<u32>,
    pub channel: &'a str,
    pub customer: Option<CustomerId>,
    pub cart: &'a Cart,
    /// The result of [`crate::cart::validate`] for `cart`, computed by the caller just now.
    pub check: &'a CartCheck,
    /// The allocation for the check's priced lines, in the same order.
    pub plan: &'a AllocationPlan,
    /// The rules the cart was checked against (shipping transit days, return terms).
    pub rules: &'a Rules,
}

/// Builds the `placed` event of a new order, refusing carts that are not ready.
pub fn place(new: NewOrder<'_>) -> Result<OrderEvent, PlaceError> {
    let check = new.check;
    let errors = check.errors().count();
    if errors > 0 {
        return Err(PlaceError::CartNotOk(errors));
    }
    if new.cart.stage != CartStage::Checkout {
        return Err(PlaceError::NotCheckout);
    }
    let channel = new.channel.trim();
    let channel_ok = !channel.is_empty()
        && channel.len() <= 64
        && channel.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !channel_ok {
        return Err(PlaceError::InvalidChannel);
    }
    let totals = check.totals.as_ref().ok_or(PlaceError::CartNotOk(0))?;
    let address = new
        .cart
        .shipping_address
        .as_ref()
        .and_then(|a| PostalAddress::parse(a).ok())
        .ok_or(PlaceError::MissingContact)?;
    let email =
        new.cart.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or(PlaceError::MissingContact)?;
    let option = totals
        .shipping_option
        .as_deref()
        .and_then(|code| new.rules.shipping_option(address.country(), code))
        .ok_or(PlaceError::NoShipping)?;
    let policy = OrderPolicy {
        return_window_days: new.rules.returns.window_days,
        transit_days: option.transit_days,
        restocking_fee_bp: new.rules.returns.restocking_fee_bp,
        confirm_on_capture: new.rules.confirm_on_capture,
        capture: new.rules.capture,
        ship_when_capture_fails: new.rules.ship_when_capture_fails,
        rejected_dropship: new.rules.rejected_dropship,
    };
    if new.plan.lines().len() != totals.lines.len() {
        return Err(PlaceError::PlanMismatch(totals.lines.len().min(new.plan.lines().len())));
    }
    let mut lines = Vec::with_capacity(totals.lines.len());
    for (i, (priced, planned)) in totals.lines.iter().zip(new.plan.lines()).enumerate() {
        let planned_units: u32 = planned.parts().iter().map(LinePart::quantity).sum();
        if planned.sku() != &priced.sku
            || planned.quantity() != priced.quantity
            || planned_units != priced.quantity.get()
        {
            return Err(PlaceError::PlanMismatch(i));
        }
        let parts = planned
            .parts()
            .iter()
            .map(|part| PlacedPart {
                quantity: part.quantity(),
                availability: match part {
                    LinePart::Allocate { location, .. } => {
                        LineAvailability::Allocated { location: location.to_string() }
                    }
                    LinePart::Backorder { promised, .. } => {
                        LineAvailability::Backordered { promised: *promised }
                    }
                    LinePart::Dropship { supplier, .. } => {
                        LineAvailability::Dropshipped { supplier: supplier.clone() }
                    }
                },
            })
            .collect();
        lines.push(PlacedLine {
            sku: priced.sku.clone(),
            name: priced.name.to_string(),
            quantity: priced.quantity.get(),
            unit_price: priced.unit_price,
            discount: priced.discount,
            tax: priced.tax,
            tax_rate_bp: Some(priced.tax_rate_bp),
            total: priced.total,
            parts,
        });
    }
    Ok(OrderEvent::Placed(Box::new(PlacedOrder {
        id: new.id,
        number: new.number,
        channel: channel.to_owned(),
        customer: new.customer,
        email,
        shipping_address: address,
        currency: totals.subtotal.currency(),
        lines,
        totals: OrderTotals {
            subtotal: totals.subtotal,
            discount: totals.discount,
            shipping: totals.shipping,
            tax: totals.tax,
            grand_total: totals.grand_total,
        },
        shipping_tax_rate_bp: Some(totals.shipping_tax_rate_bp),
        shipping_option: totals.shipping_option.clone(),
        policy,
    })))
}
