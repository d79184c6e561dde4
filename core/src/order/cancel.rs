//! Cancelling units of order lines before they are packed: which units go, what they were worth,
//! what the order costs afterwards, and what happens to the money.
//!
//! # Which units can be cancelled
//! A line's units can be cancelled while they are not in a parcel that is packed or beyond
//! (packed, shipped, in transit, out for delivery, delivered, held by an exception, returned to
//! sender). Staff may take units out of parcels that are pending or being picked; customers and
//! channels only out of pending ones (picking has started: `TOO_LATE`-style refusal, as for the
//! whole order). Units are taken in this order: backordered units first (they hold no stock),
//! then allocated or dropshipped units not in any parcel, then units in pending parcels, then
//! in parcels being picked. A parcel left empty is cancelled.
//!
//! # Money
//! A line that paid `T` for `q` units gives up, when units `c+1 ..= c+k` are cancelled (`c`
//! cancelled before), `⌊T·(c+k)/q⌋ − ⌊T·c/q⌋` — the same telescoping rule as refunds, so
//! cancelling a line in parts adds up to exactly `T`, and the line then costs
//! `T − ⌊T·c/q⌋`. Cancellations take the line's first pieces and returns its last ones
//! (`Order::return_refund`), so a line whose units are all cancelled or returned gives back
//! exactly `T` in any order. Its subtotal is `unit price × remaining units`, its tax `X − ⌊X·c/q⌋`, and its
//! discount whatever makes `subtotal − discount (+ tax when prices exclude it) = total` (never
//! negative, never above the subtotal). Shipping is not apportioned: it stays with the order
//! while anything remains. Cancelling every remaining unit of the order is cancelling the order
//! (shipping included, everything refunded or voided).
//!
//! The payment model voids only whole authorizations, so a cancellation never voids part of
//! one: the order's amount due drops, a later capture takes at most what is due and releases
//! the rest of the authorization (capture, then void); when what was captured already covers
//! what is due, the rest of the authorization is voided at once; and captured money beyond
//! what is due is refunded (`max(0, captured − due after) − max(0, captured − due before)`,
//! never more than is still refundable).

use std::collections::BTreeMap;

use super::{
    CancelledUnits, CommandError, LineUnits, Order, OrderEvent, OrderTotals, PlacedOrder, Role, ShipmentLine,
    ShipmentSource,
};
use crate::lifecycle::{LineAvailability, PaymentCommand, ShipmentState};
use crate::money::Money;

/// The share of a line total `total` over `quantity` units that units `from+1 ..= to` carry:
/// `⌊total·to/quantity⌋ − ⌊total·from/quantity⌋` (zero for an empty line).
pub fn line_share(total: Money, quantity: u32, from: u32, to: u32) -> Money {
    let floor = |units: u32| -> i128 {
        if quantity == 0 {
            return 0;
        }
        (i128::from(total.amount()) * i128::from(units)).div_euclid(i128::from(quantity))
    };
    // Cannot overflow i64: the difference lies between zero and `total`.
    Money::new((floor(to) - floor(from)) as i64, total.currency())
}

/// The totals of `placed` once `cancelled[i]` units of line `i` are cancelled (see the module docs).
pub fn remaining_totals(placed: &PlacedOrder, cancelled: &[u32]) -> OrderTotals {
    let currency = placed.currency;
    let (mut subtotal, mut discount, mut line_tax, mut total) = (0i64, 0i64, 0i64, 0i64);
    let (mut placed_line_tax, mut placed_line_total) = (0i64, 0i64);
    for (i, line) in placed.lines.iter().enumerate() {
        let c = cancelled.get(i).copied().unwrap_or(0).min(line.quantity);
        let left = line.quantity - c;
        let placed_subtotal = line.unit_price.amount().saturating_mul(i64::from(line.quantity));
        let rem_subtotal = line.unit_price.amount().saturating_mul(i64::from(left));
        let rem_total = line.total.amount() - line_share(line.total, line.quantity, 0, c).amount();
        let rem_tax = line.tax.amount() - line_share(line.tax, line.quantity, 0, c).amount();
        // Tax is on top of the price when the line total is more than its net amount.
        let prices_exclude_tax = line.total.amount() != placed_subtotal - line.discount.amount();
        let added_tax = if prices_exclude_tax { rem_tax } else { 0 };
        subtotal += rem_subtotal;
        discount += rem_subtotal + added_tax - rem_total;
        line_tax += rem_tax;
        total += rem_total;
        placed_line_tax += line.tax.amount();
        placed_line_total += line.total.amount();
    }
    let t = &placed.totals;
    let shipping_tax = t.tax.amount() - placed_line_tax;
    // Shipping with its tax when prices exclude it: whatever of the grand total is not the lines'.
    let shipping_part = t.grand_total.amount() - placed_line_total;
    OrderTotals {
        subtotal: Money::new(subtotal, currency),
        discount: Money::new(discount, currency),
        shipping: t.shipping,
        tax: Money::new(line_tax + shipping_tax, currency),
        grand_total: Money::new(total + shipping_part, currency),
    }
}

/// What a line cancellation takes: units per (line, part), and units per parcel.
#[derive(Debug, Default)]
struct Plan {
    units: Vec<CancelledUnits>,
    /// Units leaving each parcel that is not packed yet.
    parcels: BTreeMap<String, Vec<ShipmentLine>>,
}

impl Plan {
    fn take_part(&mut self, line: usize, part: usize, quantity: u32) {
        if quantity == 0 {
            return;
        }
        match self.units.iter_mut().find(|u| u.line == line && u.part == part) {
            Some(u) => u.quantity += quantity,
            None => self.units.push(CancelledUnits { line, part, quantity }),
        }
    }
}

impl Order {
    /// The events of cancelling `lines` (see the module docs); refused with nothing decided when
    /// any line cannot give up its units.
    pub(super) fn cancel_lines(
        &self,
        lines: &[LineUnits],
        reason: &str,
        role: &Role,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        let reason = super::command::text("reason", reason, true)?;
        self.require_open("cancel_lines")?;
        if lines.is_empty() {
            return Err(CommandError::InvalidInput {
                field: "lines",
                message: "name at least one line".into(),
            });
        }
        let plan = self.plan_cancellation(lines, role)?;
        let everything = self.lines.iter().all(|l| {
            let requested: u32 = lines.iter().filter(|r| r.line == l.index).map(|r| r.quantity).sum();
            requested == l.remaining()
        });
        if everything {
            return self.cancel(&reason, role);
        }
        let mut events = Vec::new();
        for (shipment, removed) in plan.parcels {
            let parcel =
                self.shipment(&shipment).ok_or_else(|| CommandError::UnknownShipment(shipment.clone()))?;
            let removed_units: u32 = removed.iter().map(|l| l.quantity).sum();
            if removed_units >= parcel.units() {
                events.push(OrderEvent::ShipmentCancelled { shipment });
            } else {
                events.push(OrderEvent::ShipmentUnitsRemoved { shipment, lines: removed });
            }
        }
        let currency = self.currency();
        let mut amount = Money::zero(currency);
        for request in lines {
            let line = &self.lines[request.line];
            let share =
                line_share(line.total, line.quantity, line.cancelled, line.cancelled + request.quantity);
            amount = amount.checked_add(share).map_err(|e| CommandError::Inconsistent(e.to_string()))?;
        }
        events.push(OrderEvent::LinesCancelled { units: plan.units, amount, reason });
        // The money: refund what was captured beyond what is now due; release the authorization
        // when nothing more will be captured.
        let payment = &self.payment;
        let captured = payment.captured().amount();
        let due_before = self.totals.grand_total.amount();
        let due_after = due_before - amount.amount();
        let over = |due: i64| (captured - due).max(0);
        let refund = (over(due_after) - over(due_before)).min(payment.refundable().amount());
        if refund > 0 {
            let refund = Money::new(refund, currency);
            payment.apply(&PaymentCommand::Refund { amount: refund })?;
            events.push(OrderEvent::PaymentRefunded { amount: refund, reason: "lines cancelled".into() });
        }
        if payment.capturable().amount() > 0 && captured >= due_after {
            events.push(OrderEvent::PaymentVoided);
        }
        Ok(events)
    }

    fn plan_cancellation(&self, requested: &[LineUnits], role: &Role) -> Result<Plan, CommandError> {
        let staff = matches!(role, Role::Staff | Role::Admin);
        let mut plan = Plan::default();
        for (i, request) in requested.iter().enumerate() {
            let Some(line) = self.lines.get(request.line) else {
                return Err(CommandError::InvalidInput {
                    field: "lines",
                    message: format!("line {} is not part of this order", request.line),
                });
            };
            if requested[..i].iter().any(|r| r.line == request.line) {
                return Err(CommandError::InvalidInput {
                    field: "lines",
                    message: format!("line {} is listed more than once", request.line),
                });
            }
            if request.quantity == 0 {
                return Err(CommandError::InvalidInput {
                    field: "lines",
                    message: format!("line {}: the quantity to cancel must be at least 1", request.line),
                });
            }
            if request.quantity > line.remaining() {
                return Err(CommandError::CancelQuantity {
                    line: request.line,
                    requested: request.quantity,
                    remaining: line.remaining(),
                });
            }
            let mut left: Vec<u32> = line.parts.iter().map(|p| p.quantity).collect();
            let mut wanted = request.quantity;
            // 1. Backordered units.
            for (p, part) in line.parts.iter().enumerate() {
                if matches!(part.availability, LineAvailability::Backordered { .. }) {
                    let take = left[p].min(wanted);
                    left[p] -= take;
                    wanted -= take;
                    plan.take_part(line.index, p, take);
                }
            }
            // 2. Units from a location or supplier that no parcel holds.
            let mut sources: BTreeMap<ShipmentSource, Vec<usize>> = BTreeMap::new();
            for (p, part) in line.parts.iter().enumerate() {
                if let Some(source) = part.source() {
                    sources.entry(source).or_default().push(p);
                }
            }
            for (source, parts) in &sources {
                let in_parcels: u32 = self
                    .shipments
                    .iter()
                    .filter(|s| s.state != ShipmentState::Cancelled && &s.source == source)
                    .flat_map(|s| s.lines.iter())
                    .filter(|l| l.line == line.index)
                    .map(|l| l.quantity)
                    .sum();
                let held: u32 = parts.iter().map(|p| left[*p]).sum();
                let mut free = held.saturating_sub(in_parcels).min(wanted);
                wanted -= free;
                for p in parts {
                    let take = left[*p].min(free);
                    left[*p] -= take;
                    free -= take;
                    plan.take_part(line.index, *p, take);
                }
            }
            // 3. Units in parcels not packed yet: pending ones first.
            let mut blocked_by_picking = false;
            for state in [ShipmentState::Pending, ShipmentState::Picking] {
                for parcel in self.shipments.iter().filter(|s| s.state == state) {
                    let units: u32 =
                        parcel.lines.iter().filter(|l| l.line == line.index).map(|l| l.quantity).sum();
                    let mut take = units.min(wanted);
                    if take == 0 {
                        continue;
                    }
                    if state == ShipmentState::Picking && !staff {
                        blocked_by_picking = true;
                        continue;
                    }
                    wanted -= take;
                    plan.parcels
                        .entry(parcel.id.clone())
                        .or_default()
                        .push(ShipmentLine { line: line.index, quantity: take });
                    for p in sources.get(&parcel.source).into_iter().flatten() {
                        let from_part = left[*p].min(take);
                        left[*p] -= from_part;
                        take -= from_part;
                        plan.take_part(line.index, *p, from_part);
                    }
                }
            }
            if wanted > 0 {
                if blocked_by_picking {
                    return Err(CommandError::TooLateToCancel);
                }
                return Err(CommandError::LineShipped {
                    line: request.line,
                    cancellable: request.quantity - wanted,
                });
            }
        }
        Ok(plan)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::lifecycle::LineAvailability;
    use crate::money::Currency;
    use crate::order::{OrderPolicy, PlacedLine, PlacedPart};
    use proptest::prelude::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::Usd)
    }

    /// A placed order with `lines` as (unit price, quantity, discount, tax), prices excluding tax
    /// when `exclusive`, with `shipping` and `shipping_tax` (the receipt's tests use it too).
    pub(in crate::order) fn placed(
        lines: &[(i64, u32, i64, i64)],
        exclusive: bool,
        shipping: i64,
        shipping_tax: i64,
    ) -> PlacedOrder {
        let lines: Vec<PlacedLine> = lines
            .iter()
            .enumerate()
            .map(|(i, &(price, quantity, discount, tax))| {
                let net = price * i64::from(quantity) - discount;
                PlacedLine {
                    sku: crate::values::Sku::parse(&format!("SKU-{i}")).unwrap(),
                    name: format!("item {i}"),
                    quantity,
                    unit_price: usd(price),
                    discount: usd(discount),
                    tax: usd(tax),
                    tax_rate_bp: None,
                    total: usd(if exclusive { net + tax } else { net }),
                    parts: vec![PlacedPart {
                        quantity,
                        availability: LineAvailability::Allocated { location: "east".into() },
                    }],
                }
            })
            .collect();
        let subtotal: i64 = lines.iter().map(|l| l.unit_price.amount() * i64::from(l.quantity)).sum();
        let discount: i64 = lines.iter().map(|l| l.discount.amount()).sum();
        let tax: i64 = lines.iter().map(|l| l.tax.amount()).sum::<i64>() + shipping_tax;
        let goods_and_shipping = subtotal - discount + shipping;
        PlacedOrder {
            id: crate::values::OrderId::parse("ord_test").unwrap(),
            number: None,
            channel: "web".into(),
            customer: None,
            email: crate::values::Email::parse("ada@example.com").unwrap(),
            shipping_address: crate::values::PostalAddress::parse(&crate::values::AddressInput {
                name: "Grace Hopper".into(),
                line1: "1 Navy Way".into(),
                city: "Arlington".into(),
                postal_code: "22202".into(),
                country: "US".into(),
                ..crate::values::AddressInput::default()
            })
            .unwrap(),
            currency: Currency::Usd,
            lines,
            totals: OrderTotals {
                subtotal: usd(subtotal),
                discount: usd(discount),
                shipping: usd(shipping),
                tax: usd(tax),
                grand_total: usd(if exclusive { goods_and_shipping + tax } else { goods_and_shipping }),
            },
            shipping_tax_rate_bp: None,
            shipping_option: None,
            policy: OrderPolicy {
                return_window_days: 30,
                transit_days: 3,
                restocking_fee_bp: 0,
                confirm_on_capture: false,
                capture: crate::order::CapturePolicy::default(),
                ship_when_capture_fails: false,
                rejected_dropship: crate::supplier::RejectedDropship::default(),
            },
        }
    }

    fn adds_up(t: &OrderTotals, exclusive: bool) -> bool {
        let goods = t.subtotal.amount() - t.discount.amount() + t.shipping.amount();
        t.grand_total.amount() == if exclusive { goods + t.tax.amount() } else { goods }
    }

    #[test]
    fn a_line_cancelled_in_parts_gives_up_exactly_its_total() {
        let total = usd(1000);
        let parts = [line_share(total, 3, 0, 1), line_share(total, 3, 1, 2), line_share(total, 3, 2, 3)];
        assert_eq!(parts.map(|m| m.amount()), [333, 333, 334]);
    }

    #[test]
    fn cancelling_nothing_leaves_the_totals_as_placed() {
        let order = placed(&[(1999, 3, 300, 457), (500, 1, 0, 40)], true, 799, 64);
        assert_eq!(remaining_totals(&order, &[0, 0]), order.totals);
    }

    #[test]
    fn cancelling_a_whole_line_leaves_the_other_lines_and_shipping() {
        let order = placed(&[(1999, 3, 300, 457), (500, 1, 0, 40)], true, 799, 64);
        let t = remaining_totals(&order, &[3, 0]);
        assert_eq!(t.subtotal.amount(), 500);
        assert_eq!(t.discount.amount(), 0);
        assert_eq!(t.tax.amount(), 40 + 64);
        assert_eq!(t.grand_total.amount(), 540 + 799 + 64);
        assert!(adds_up(&t, true));
    }

    proptest! {
        /// Totals still add up after any cancellation, every amount stays at least zero, and the
        /// cancelled shares plus what remains are what was ordered, in one step or several.
        #[test]
        fn totals_add_up_and_cancelled_plus_remaining_is_what_was_ordered(
            raw in prop::collection::vec((0i64..50_000, 1u32..20, 0u32..=10_000, 0u32..3_000, 0u32..20, 0u32..20), 1..5),
            exclusive in any::<bool>(),
            shipping in 0i64..2_000,
            shipping_tax in 0i64..300,
        ) {
            let lines: Vec<(i64, u32, i64, i64)> = raw
                .iter()
                .map(|&(price, q, disc_bp, tax_bp, ..)| {
                    let sub = price * i64::from(q);
                    let discount = sub * i64::from(disc_bp) / 10_000;
                    (price, q, discount, (sub - discount) * i64::from(tax_bp) / 10_000)
                })
                .collect();
            let order = placed(&lines, exclusive, shipping, if exclusive { shipping_tax } else { 0 });
            let first: Vec<u32> = raw.iter().map(|r| r.4 % (r.1 + 1)).collect();
            let second: Vec<u32> = raw.iter().zip(&first).map(|(r, f)| f + r.5 % (r.1 - f + 1)).collect();
            let mut previous = order.totals;
            for cancelled in [&first, &second] {
                let t = remaining_totals(&order, cancelled);
                prop_assert!(adds_up(&t, exclusive));
                for m in [t.subtotal, t.discount, t.shipping, t.tax, t.grand_total] {
                    prop_assert!(m.amount() >= 0);
                }
                prop_assert!(t.discount.amount() <= t.subtotal.amount());
                prop_assert!(t.grand_total.amount() <= previous.grand_total.amount());
                previous = t;
                // Cancelled shares + remaining grand total = the grand total as placed.
                let shares: i64 = order
                    .lines
                    .iter()
                    .zip(cancelled)
                    .map(|(l, c)| line_share(l.total, l.quantity, 0, *c).amount())
                    .sum();
                prop_assert_eq!(shares + t.grand_total.amount(), order.totals.grand_total.amount());
            }
            // Two steps give up the same as one.
            for (l, (f, s)) in order.lines.iter().zip(first.iter().zip(&second)) {
                let steps = line_share(l.total, l.quantity, 0, *f).amount()
                    + line_share(l.total, l.quantity, *f, *s).amount();
                prop_assert_eq!(steps, line_share(l.total, l.quantity, 0, *s).amount());
            }
        }
    }
}
