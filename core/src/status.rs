//! What a customer sees about an order: headline, detail, progress steps, tone, expected date.
//!
//! The tracking page (through ordo-wasm) and the server's e-mails call this one function,
//! so the wording is the same everywhere.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar;
use crate::lifecycle::{
    ExceptionKind, LineAvailability, OrderState, PaymentStatus, ReturnState, ShipmentState,
};
use crate::order::Order;
use crate::text;

/// The customer-facing summary of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct StatusView {
    /// One short line: "On its way", "Delivered", "Payment failed".
    pub headline: String,
    /// One sentence with the specifics (dates, counts, what to do).
    pub detail: String,
    pub tone: Tone,
    /// Placed, paid, packed, shipped, delivered: each done, current or upcoming.
    pub steps: Vec<Step>,
    /// When the last outstanding parcel should arrive, when known.
    #[cfg_attr(feature = "serde", serde(default, with = "crate::rfc3339::serde_with::option_date"))]
    #[cfg_attr(feature = "ts", ts(as = "Option<NaiveDate>"))]
    pub expected_delivery: Option<NaiveDate>,
    /// A compact status for lists and filters.
    pub summary: SummaryStatus,
}

/// How the status should be coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum Tone {
    Info,
    Success,
    Warning,
    Danger,
}

/// One step of the progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Step {
    pub key: StepKey,
    pub label: String,
    pub state: StepState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum StepKey {
    Placed,
    Paid,
    Packed,
    Shipped,
    Delivered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum StepState {
    Done,
    Current,
    Upcoming,
}

/// The one-word status of an order for list views, derived from its state machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum SummaryStatus {
    AwaitingPayment,
    PaymentFailed,
    Processing,
    Backordered,
    PartiallyShipped,
    Shipped,
    DeliveryException,
    Delivered,
    ReturnInProgress,
    Refunded,
    Completed,
    Cancelled,
}

/// Derives what the customer sees from the order's state machines at `now`.
pub fn status_view(order: &Order, now: DateTime<Utc>) -> StatusView {
    let today = now.date_naive();
    let payment = order.payment();
    let live: Vec<_> = order
        .shipments()
        .iter()
        .filter(|s| !matches!(s.state(), ShipmentState::Cancelled | ShipmentState::ReturnedToSender))
        .collect();
    let units: u32 = order.lines().iter().map(|l| l.remaining()).sum();
    let shipped: u32 = order.lines().iter().map(|l| order.units_shipped(l.index()).min(l.remaining())).sum();
    let delivered: u32 =
        order.lines().iter().map(|l| order.units_delivered(l.index()).min(l.remaining())).sum();
    let packed_units: u32 = live
        .iter()
        .filter(|s| s.has_shipped() || *s.state() == ShipmentState::Packed)
        .map(|s| s.units())
        .sum();
    let paid = payment.captured().amount() > 0 || payment.is_secured();
    let expected = expected_delivery(order, today);

    let done = [
        true,
        paid,
        units > 0 && packed_units >= units,
        units > 0 && shipped >= units,
        units > 0 && delivered >= units,
    ];
    // A step is under way only once some of it happened: a parcel being picked or packed, some
    // units shipped, a parcel out for delivery or delivered (or, for paying, when it is the
    // customer's turn). Nothing is highlighted ahead of time.
    let started = [
        false,
        // Waiting for the customer to pay is the step at hand.
        true,
        live.iter().any(|s| matches!(s.state(), ShipmentState::Picking | ShipmentState::Packed))
            || packed_units > 0,
        shipped > 0,
        delivered > 0 || live.iter().any(|s| *s.state() == ShipmentState::OutForDelivery),
    ];
    // Paid means the money is taken; until then the step says what is true.
    let fully_paid = payment.captured().amount() >= order.totals().grand_total.amount() && paid;
    let paid_label = if fully_paid || !paid { "Paid" } else { "Payment authorized" };
    let labels = [
        (StepKey::Placed, "Placed"),
        (StepKey::Paid, paid_label),
        (StepKey::Packed, "Packed"),
        (StepKey::Shipped, "Shipped"),
        (StepKey::Delivered, "Delivered"),
    ];
    let current = done.iter().position(|d| !d).filter(|&i| started[i]);
    let cancelled = order.state() == OrderState::Cancelled;
    let steps = labels
        .iter()
        .enumerate()
        .map(|(i, (key, label))| Step {
            key: *key,
            label: (*label).to_owned(),
            state: if done[i] {
                StepState::Done
            } else if Some(i) == current && !cancelled {
                StepState::Current
            } else {
                StepState::Upcoming
            },
        })
        .collect();

    let refunded = payment.refunded();
    let view = |headline: &str, detail: String, tone: Tone, summary: SummaryStatus| {
        (headline.to_owned(), detail, tone, summary)
    };

    let (headline, detail, tone, summary) = if cancelled {
        let reason = order.cancel_reason().map(|r| format!(" ({r})")).unwrap_or_default();
        let mut money = String::new();
        if refunded.amount() > 0 {
            money.push_str(&format!(" {} has been refunded to your {}.", refunded.display(), method(order)));
        }
        if payment.released().amount() > 0 {
            money.push_str(" The hold on your payment has been released.");
        }
        view(
            "Order cancelled",
            format!("This order was cancelled{reason}.{money}"),
            Tone::Danger,
            SummaryStatus::Cancelled,
        )
    } else if payment.status() == PaymentStatus::Failed {
        let why = payment.failure_reason().map(|r| format!(" ({r})")).unwrap_or_default();
        view(
            "Payment failed",
            format!("Your payment did not go through{why}. Please try another payment method."),
            Tone::Danger,
            SummaryStatus::PaymentFailed,
        )
    } else if let Some(view_) = return_view(order) {
        view_
    } else if let Some(s) = live.iter().find(|s| s.exception().is_some()) {
        let (kind, note) = s.exception().unwrap_or((ExceptionKind::Other, None));
        let what = match kind {
            ExceptionKind::Damaged => "A parcel was damaged on the way.",
            ExceptionKind::Lost => "The carrier has lost track of a parcel.",
            ExceptionKind::AddressProblem => "The carrier could not deliver a parcel to your address.",
            ExceptionKind::Delayed => "A parcel is delayed.",
            ExceptionKind::Other => "There is a problem with the delivery of a parcel.",
        };
        let note = note.map(|n| format!(" {n}")).unwrap_or_default();
        view(
            "Delivery problem",
            format!("{what}{note} We are on it and will update you."),
            Tone::Warning,
            SummaryStatus::DeliveryException,
        )
    } else if let Some(s) = live.iter().find(|s| s.late()) {
        let expected = s.expected_delivery().map(|d| format!(" on {}", text::date(d))).unwrap_or_default();
        let carrier = s.carrier().unwrap_or("the carrier");
        view(
            "Running late",
            format!("A parcel expected{expected} has not arrived yet. We are checking with {carrier}."),
            Tone::Warning,
            SummaryStatus::Shipped,
        )
    } else if units > 0 && delivered >= units {
        let when = order.delivered_on().map(|d| format!(" on {}", text::date(d))).unwrap_or_default();
        let summary = if order.state() == OrderState::Completed {
            SummaryStatus::Completed
        } else {
            SummaryStatus::Delivered
        };
        view("Delivered", format!("Your order was delivered{when}."), Tone::Success, summary)
    } else if payment.status() == PaymentStatus::Pending {
        view(
            "Awaiting payment",
            "We will start on your order as soon as the payment is confirmed.".to_owned(),
            Tone::Info,
            SummaryStatus::AwaitingPayment,
        )
    } else if shipped > 0 && shipped < units {
        let rest = match backorder_promise(order) {
            Some(date) => format!(" The rest will ship by {}.", text::date(date)),
            None => " The rest will follow shortly.".to_owned(),
        };
        let on_the_way = shipped - delivered.min(shipped);
        let so_far = match (delivered, on_the_way) {
            (0, n) => format!(
                "{n} of {} {} on {} way.",
                text::count(units, "item", "items"),
                if n == 1 { "is" } else { "are" },
                if n == 1 { "its" } else { "their" }
            ),
            (d, 0) => format!(
                "{d} of {} {} delivered.",
                text::count(units, "item", "items"),
                if d == 1 { "was" } else { "were" }
            ),
            (d, n) => format!(
                "{d} of {} delivered, {n} on {} way.",
                text::count(units, "item", "items"),
                if n == 1 { "its" } else { "their" }
            ),
        };
        view("Partially shipped", format!("{so_far}{rest}"), Tone::Info, SummaryStatus::PartiallyShipped)
    } else if shipped >= units && units > 0 {
        let out_for_delivery = live.iter().any(|s| *s.state() == ShipmentState::OutForDelivery);
        let carriers: Vec<&str> = live.iter().filter_map(|s| s.carrier()).collect();
        let with = carriers.first().map(|c| format!(" with {c}")).unwrap_or_default();
        let in_flight =
            live.iter().filter(|s| s.has_shipped() && *s.state() != ShipmentState::Delivered).count();
        if out_for_delivery && in_flight > 1 {
            let by = expected
                .map(|d| format!(" The rest is expected {}.", text::short_date(d)))
                .unwrap_or_default();
            view(
                "Out for delivery",
                format!("A parcel is out for delivery{with} and should arrive today.{by}"),
                Tone::Info,
                SummaryStatus::Shipped,
            )
        } else if out_for_delivery {
            view(
                "Out for delivery",
                format!("Your parcel is out for delivery{with} and should arrive today."),
                Tone::Info,
                SummaryStatus::Shipped,
            )
        } else if delivered > 0 {
            let by = expected.map(|d| format!(", expected {}", text::short_date(d))).unwrap_or_default();
            view(
                "Partly delivered",
                format!(
                    "{delivered} of {} {} delivered; the rest is on its way{with}{by}.",
                    text::count(units, "item", "items"),
                    if delivered == 1 { "was" } else { "were" }
                ),
                Tone::Info,
                SummaryStatus::Shipped,
            )
        } else {
            let by = expected.map(|d| format!(" Expected {}.", text::short_date(d))).unwrap_or_default();
            view(
                "On its way",
                format!("Your order has shipped{with}.{by}"),
                Tone::Info,
                SummaryStatus::Shipped,
            )
        }
    } else if let Some(date) = backorder_promise(order) {
        view(
            "Backordered",
            format!("Some items are on backorder; we expect to ship them by {}.", text::date(date)),
            Tone::Warning,
            SummaryStatus::Backordered,
        )
    } else if units > 0 && packed_units >= units {
        view(
            "Packed",
            "Your order is packed and will be handed to the carrier shortly.".to_owned(),
            Tone::Info,
            SummaryStatus::Processing,
        )
    } else if live.iter().any(|s| matches!(s.state(), ShipmentState::Picking | ShipmentState::Packed)) {
        view(
            "Being prepared",
            "We are picking and packing your order.".to_owned(),
            Tone::Info,
            SummaryStatus::Processing,
        )
    } else {
        view(
            "Order confirmed",
            "Thank you! We have your order and are getting it ready.".to_owned(),
            Tone::Info,
            SummaryStatus::Processing,
        )
    };

    StatusView {
        headline,
        detail,
        tone,
        steps,
        expected_delivery: if cancelled || (units > 0 && delivered >= units) { None } else { expected },
        summary,
    }
}

fn method(order: &Order) -> String {
    match order.payment_method().and_then(|m| m.last4.as_deref()) {
        Some(last4) => format!("card ending in {last4}"),
        None => "original payment method".to_owned(),
    }
}

fn backorder_promise(order: &Order) -> Option<NaiveDate> {
    order.lines().iter().filter_map(|l| l.backorder_promise()).max()
}

/// The latest expected arrival over everything not yet delivered: shipped parcels carry their
/// own date; units not yet shipped are expected one business day of handling plus the option's
/// transit business days from today (or from their backorder promise).
fn expected_delivery(order: &Order, today: NaiveDate) -> Option<NaiveDate> {
    let transit = order.policy().transit_days;
    let mut latest: Option<NaiveDate> = None;
    let mut consider = |d: Option<NaiveDate>| {
        if let Some(d) = d {
            latest = Some(latest.map_or(d, |l| l.max(d)));
        }
    };
    for s in order.shipments() {
        if s.has_shipped() && *s.state() != ShipmentState::Delivered {
            consider(s.expected_delivery().map(|d| d.max(today)));
        }
    }
    for line in order.lines() {
        let unshipped = line.remaining().saturating_sub(order.units_shipped(line.index()));
        if unshipped == 0 {
            continue;
        }
        for part in line.parts() {
            let start = match part.availability() {
                LineAvailability::Backordered { promised } => (*promised).max(today),
                _ => today,
            };
            // One business day to pick and pack, then transit.
            consider(Some(calendar::add_business_days(start, transit.saturating_add(1))));
        }
    }
    latest
}

fn return_view(order: &Order) -> Option<(String, String, Tone, SummaryStatus)> {
    let open = order.returns().iter().rev().find(|r| {
        matches!(r.state(), ReturnState::Requested | ReturnState::Approved | ReturnState::Received)
    });
    if let Some(r) = open {
        let detail = match r.state() {
            ReturnState::Requested => "We have your return request and will review it shortly.",
            ReturnState::Approved => {
                "Your return is approved. Please send the items back using the return label."
            }
            _ => "We have received your returned items and will refund you shortly.",
        };
        return Some((
            "Return in progress".to_owned(),
            detail.to_owned(),
            Tone::Info,
            SummaryStatus::ReturnInProgress,
        ));
    }
    if !order.returns().iter().any(|r| *r.state() == ReturnState::Refunded) {
        return None;
    }
    let detail =
        format!("{} has been refunded to your {}.", order.payment().refunded().display(), method(order));
    Some(("Refunded".to_owned(), detail, Tone::Success, SummaryStatus::Refunded))
}
