//! The order aggregate: lines, payment, shipments and returns, changed only by timeline events.
//!
//! - [`place`] turns a validated cart and an allocation plan into the first event.
//! - [`Order::decide`] checks a [`Command`] against the state machines and returns the events
//!   it causes; [`Order::apply`] folds an event into the state. Replaying a timeline with
//!   [`Order::from_timeline`] rebuilds the same order anywhere (server, browser, tests).
//! - [`allowed_actions`] lists what a role may do now, by asking `decide`.
//! - [`cancel`] works out which units a line cancellation takes and what the order then costs.
//! - [`stock_effects`] says what appended events do to stock (ship, cancel); [`return_restock`]
//!   what receiving a return does.
//! - [`late_entries`] flags parcels whose expected day went by without a delivery;
//!   [`next_late_check`] says when to look again.

mod actions;
mod authorization;
mod backorders;
mod cancel;
mod capture;
mod checkout;
mod command;
mod effects;
mod event;
mod evolve;
mod late;
mod parcels;
mod parties;
mod place;
mod receipt;
#[cfg(test)]
pub(crate) mod tests;
mod unpaid;

use chrono::{DateTime, NaiveDate, Utc};

pub use actions::{Action, ActionKind, Role, allowed_actions};
pub use authorization::{
    AUTHORIZATION_WARNING_HOURS, AuthorizationStep, DEFAULT_AUTHORIZATION_DAYS, MAX_REAUTHORIZATIONS,
    authorization_entries, authorization_step, next_authorization_check, reauthorized_entry,
};
pub use backorders::{QueueChange, QueuePlace, queue, queue_changes, serves};
pub use cancel::{line_share, remaining_totals};
pub use capture::CapturePolicy;
pub use checkout::{CheckoutError, MAX_EXTERNAL_ID_CHARS, Placement, Shop, check_out, parse_external_id};
pub use command::{Command, CommandError, ReturnAction, ShipmentAction};
pub use effects::{
    ReturnDisposition, StockEffect, StockReason, held_reservations, return_restock, stock_effects,
};
pub use event::{
    CancelledUnits, LineUnits, OrderEvent, OrderPolicy, OrderTotals, PaymentMethod, PlacedLine, PlacedOrder,
    PlacedPart, ReturnItem, ShipmentLine, ShipmentSource, TimelineEntry,
};
pub use evolve::TimelineError;
pub use late::{DEFAULT_LATE_AFTER_HOURS, late_entries, next_late_check};
pub use parties::is_sent_by;
pub use place::{NewOrder, PlaceError, place};
pub use receipt::{Receipt, ReceiptLine, TaxLine, percent, receipt};
pub use unpaid::{
    DEFAULT_PAYMENT_HOLD_MINUTES, MAX_DECLINED_PAYMENTS, PAYMENT_TIMEOUT_REASON, holds_until_paid,
    payment_due, payment_hold_ends, payment_overdue,
};

use crate::lifecycle::{
    ExceptionKind, LineAvailability, OrderState, Payment, ReturnState, ShipmentCommand, ShipmentState,
};
use crate::money::{Currency, Money};
use crate::values::{CustomerId, Email, OrderId, PostalAddress, Sku};

/// An order as its timeline made it. Build it with [`Order::from_timeline`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The facts fixed at placement (id, customer, address, lines as placed, totals, policy).
    placed: PlacedOrder,
    placed_at: DateTime<Utc>,
    /// When the last event happened.
    updated_at: DateTime<Utc>,
    /// Sequence number of the last applied event.
    last_seq: u64,
    state: OrderState,
    cancel_reason: Option<String>,
    /// Declined authorizations so far (see [`unpaid::MAX_DECLINED_PAYMENTS`]).
    declined_payments: u32,
    /// What the order costs now: the placed totals less cancelled lines (see [`cancel`]).
    totals: OrderTotals,
    lines: Vec<OrderLine>,
    payment: Payment,
    payment_method: Option<PaymentMethod>,
    /// When the current authorization was granted.
    authorized_at: Option<DateTime<Utc>>,
    /// The authorization (by its time) staff were told is about to lapse.
    authorization_flagged: Option<DateTime<Utc>>,
    /// Times the authorization was renewed before it lapsed.
    reauthorizations: u32,
    /// Why the provider refused the capture a shipped parcel called for, until money is captured.
    capture_failure: Option<String>,
    shipments: Vec<Shipment>,
    returns: Vec<ReturnCase>,
    /// The channels the shop listed the order on besides its own (see [`crate::channel`]).
    listed_on: Vec<String>,
}

/// One order line and the availability of each part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// Index of the line in the order.
    index: usize,
    sku: Sku,
    name: String,
    quantity: u32,
    /// Units cancelled before they were packed; taken out of `parts`, never out of `quantity`.
    cancelled: u32,
    unit_price: Money,
    total: Money,
    parts: Vec<LinePartState>,
}

/// Some units of a line and where they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePartState {
    quantity: u32,
    availability: LineAvailability,
}

/// A parcel: some units of some lines leaving one location (or a supplier) together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    id: String,
    source: ShipmentSource,
    lines: Vec<ShipmentLine>,
    state: ShipmentState,
    carrier: Option<String>,
    tracking_number: Option<String>,
    tracking_url: Option<String>,
    shipped_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    expected_delivery: Option<NaiveDate>,
    /// The last exception's note (the kind is in the state).
    exception_note: Option<String>,
    /// Returned to the sender and received back at the warehouse (restocked or written off).
    received_back: bool,
    /// The expected day the parcel was flagged late for (see [`late`]).
    late_for: Option<NaiveDate>,
    /// The day a dropship supplier accepted to ship it by.
    ship_by: Option<NaiveDate>,
}

/// A return (RMA): units of lines the customer sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCase {
    id: String,
    lines: Vec<ReturnItem>,
    state: ReturnState,
    requested_at: DateTime<Utc>,
    refunded: Option<Money>,
}

impl Order {
    pub fn id(&self) -> &OrderId {
        &self.placed.id
    }
    /// The shop's number for the order (`1042`), if it has one.
    pub fn number(&self) -> Option<u32> {
        self.placed.number
    }
    /// How people refer to the order: `#1042`, or its id when it has no number.
    pub fn reference(&self) -> String {
        match self.placed.number {
            Some(n) => format!("#{n}"),
            None => self.placed.id.as_str().to_owned(),
        }
    }
    pub fn channel(&self) -> &str {
        &self.placed.channel
    }
    /// The channels the shop listed the order on besides the one it came from.
    pub fn listed_on(&self) -> &[String] {
        &self.listed_on
    }
    pub fn customer(&self) -> Option<&CustomerId> {
        self.placed.customer.as_ref()
    }
    pub fn email(&self) -> &Email {
        &self.placed.email
    }
    pub fn shipping_address(&self) -> &PostalAddress {
        &self.placed.shipping_address
    }
    pub fn currency(&self) -> Currency {
        self.placed.currency
    }
    /// What the order costs now: the totals as placed, less cancelled lines.
    pub fn totals(&self) -> &OrderTotals {
        &self.totals
    }
    /// The totals as placed, before any line was cancelled.
    pub fn placed_totals(&self) -> &OrderTotals {
        &self.placed.totals
    }
    /// The order as placed.
    pub fn placed(&self) -> &PlacedOrder {
        &self.placed
    }
    pub fn policy(&self) -> &OrderPolicy {
        &self.placed.policy
    }
    pub fn placed_at(&self) -> DateTime<Utc> {
        self.placed_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }
    pub fn state(&self) -> OrderState {
        self.state
    }
    /// How many authorizations were declined (card testing stops at [`MAX_DECLINED_PAYMENTS`]).
    pub fn declined_payments(&self) -> u32 {
        self.declined_payments
    }
    pub fn cancel_reason(&self) -> Option<&str> {
        self.cancel_reason.as_deref()
    }
    pub fn lines(&self) -> &[OrderLine] {
        &self.lines
    }
    pub fn payment(&self) -> &Payment {
        &self.payment
    }
    pub fn payment_method(&self) -> Option<&PaymentMethod> {
        self.payment_method.as_ref()
    }
    pub fn shipments(&self) -> &[Shipment] {
        &self.shipments
    }
    pub fn shipment(&self, id: &str) -> Option<&Shipment> {
        self.shipments.iter().find(|s| s.id == id)
    }
    pub fn returns(&self) -> &[ReturnCase] {
        &self.returns
    }
    pub fn return_case(&self, id: &str) -> Option<&ReturnCase> {
        self.returns.iter().find(|r| r.id == id)
    }

    /// Units of `line` in shipments that are not cancelled.
    pub fn units_in_shipments(&self, line: usize) -> u32 {
        self.shipments
            .iter()
            .filter(|s| s.state != ShipmentState::Cancelled)
            .flat_map(|s| s.lines.iter())
            .filter(|l| l.line == line)
            .map(|l| l.quantity)
            .sum()
    }

    /// Units of `line` that have left the building (shipped or beyond, not returned to sender).
    pub fn units_shipped(&self, line: usize) -> u32 {
        self.units_where(line, Shipment::has_shipped)
    }

    /// Units of `line` that reached the customer.
    pub fn units_delivered(&self, line: usize) -> u32 {
        self.units_where(line, |s| s.state == ShipmentState::Delivered)
    }

    fn units_where(&self, line: usize, keep: impl Fn(&Shipment) -> bool) -> u32 {
        self.shipments
            .iter()
            .filter(|s| keep(s))
            .flat_map(|s| s.lines.iter())
            .filter(|l| l.line == line)
            .map(|l| l.quantity)
            .sum()
    }

    /// Units of `line` in returns, split into (refunded or received, still open).
    pub fn units_returned(&self, line: usize) -> (u32, u32) {
        let mut done = 0;
        let mut open = 0;
        for r in &self.returns {
            let units: u32 = r.lines.iter().filter(|l| l.line == line).map(|l| l.quantity).sum();
            match r.state {
                ReturnState::Received | ReturnState::Refunded => done += units,
                ReturnState::Requested | ReturnState::Approved => open += units,
                ReturnState::Rejected { .. } | ReturnState::Cancelled => {}
            }
        }
        (done, open)
    }

    /// Every unit of every line that was not cancelled has been delivered.
    pub fn fully_delivered(&self) -> bool {
        self.lines.iter().all(|l| self.units_delivered(l.index) >= l.remaining())
    }

    /// The day the last of `line`'s delivered units arrived, if any did.
    pub fn line_delivered_on(&self, line: usize) -> Option<NaiveDate> {
        self.shipments
            .iter()
            .filter(|s| s.state == ShipmentState::Delivered && s.lines.iter().any(|l| l.line == line))
            .filter_map(|s| s.delivered_at)
            .max()
            .map(|d| d.date_naive())
    }

    /// Nothing is left to capture and the payment went through (captured, perhaps refunded since).
    pub fn payment_settled(&self) -> bool {
        self.payment.captured().amount() > 0 && self.payment.capturable().amount() == 0
    }

    /// The day the last parcel was delivered, when everything was.
    pub fn delivered_on(&self) -> Option<NaiveDate> {
        if !self.fully_delivered() {
            return None;
        }
        self.shipments.iter().filter_map(|s| s.delivered_at).max().map(|d| d.date_naive())
    }
}

impl OrderLine {
    pub fn index(&self) -> usize {
        self.index
    }
    pub fn sku(&self) -> &Sku {
        &self.sku
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Units ordered, cancelled ones included.
    pub fn quantity(&self) -> u32 {
        self.quantity
    }
    /// Units cancelled before they were packed.
    pub fn cancelled(&self) -> u32 {
        self.cancelled
    }
    /// Units still ordered: `quantity − cancelled`.
    pub fn remaining(&self) -> u32 {
        self.quantity - self.cancelled
    }
    pub fn unit_price(&self) -> Money {
        self.unit_price
    }
    /// What the customer pays for the whole line as placed (cancelled units included; see
    /// [`remaining_total`](OrderLine::remaining_total)).
    pub fn total(&self) -> Money {
        self.total
    }
    /// What the customer pays for the units still ordered.
    pub fn remaining_total(&self) -> Money {
        Money::new(
            self.total.amount() - line_share(self.total, self.quantity, 0, self.cancelled).amount(),
            self.total.currency(),
        )
    }
    pub fn parts(&self) -> &[LinePartState] {
        &self.parts
    }
    /// The latest promised date of the line's backordered units, if any are backordered.
    pub fn backorder_promise(&self) -> Option<NaiveDate> {
        self.parts
            .iter()
            .filter(|p| p.quantity > 0)
            .filter_map(|p| match p.availability {
                LineAvailability::Backordered { promised } => Some(promised),
                _ => None,
            })
            .max()
    }
}

impl LinePartState {
    pub fn quantity(&self) -> u32 {
        self.quantity
    }
    /// Where these units ship from; `None` while they are backordered.
    pub fn source(&self) -> Option<ShipmentSource> {
        match &self.availability {
            LineAvailability::Allocated { location } => crate::allocation::LocationId::parse(location)
                .ok()
                .map(|location| ShipmentSource::Location { location }),
            LineAvailability::Dropshipped { supplier } => {
                Some(ShipmentSource::Supplier { supplier: supplier.clone() })
            }
            LineAvailability::Backordered { .. } => None,
        }
    }
    pub fn availability(&self) -> &LineAvailability {
        &self.availability
    }
}

impl Shipment {
    /// A new parcel, not yet picked.
    pub(crate) fn pending(id: String, source: ShipmentSource, lines: Vec<ShipmentLine>) -> Shipment {
        Shipment {
            id,
            source,
            lines,
            state: ShipmentState::Pending,
            carrier: None,
            tracking_number: None,
            tracking_url: None,
            shipped_at: None,
            delivered_at: None,
            expected_delivery: None,
            exception_note: None,
            received_back: false,
            late_for: None,
            ship_by: None,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn source(&self) -> &ShipmentSource {
        &self.source
    }
    pub fn lines(&self) -> &[ShipmentLine] {
        &self.lines
    }
    pub fn state(&self) -> &ShipmentState {
        &self.state
    }
    pub fn carrier(&self) -> Option<&str> {
        self.carrier.as_deref()
    }
    pub fn tracking_number(&self) -> Option<&str> {
        self.tracking_number.as_deref()
    }
    pub fn tracking_url(&self) -> Option<&str> {
        self.tracking_url.as_deref()
    }
    pub fn shipped_at(&self) -> Option<DateTime<Utc>> {
        self.shipped_at
    }
    pub fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.delivered_at
    }
    pub fn expected_delivery(&self) -> Option<NaiveDate> {
        self.expected_delivery
    }
    /// Whether `command` ships this parcel straight from where it stands: a partner's parcel is
    /// picked and packed at the partner, so it ships from pending or picking without our
    /// warehouse's steps (a warehouse parcel is packed first).
    pub(crate) fn ships_straight(&self, command: &ShipmentCommand) -> bool {
        matches!(command, ShipmentCommand::Ship)
            && matches!(self.source, ShipmentSource::Supplier { .. })
            && matches!(self.state, ShipmentState::Pending | ShipmentState::Picking)
    }

    /// The day its dropship supplier accepted to ship it by (none until accepted).
    pub fn ship_by(&self) -> Option<NaiveDate> {
        self.ship_by
    }
    pub fn exception(&self) -> Option<(ExceptionKind, Option<&str>)> {
        match self.state {
            ShipmentState::Exception { kind } => Some((kind, self.exception_note.as_deref())),
            _ => None,
        }
    }
    pub fn units(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity).sum()
    }
    /// In the carrier's hands and not delivered: shipped, in transit or out for delivery.
    pub fn on_the_way(&self) -> bool {
        matches!(
            self.state,
            ShipmentState::Shipped | ShipmentState::InTransit | ShipmentState::OutForDelivery
        )
    }
    /// On its way and flagged late: its expected day went by some time ago without a delivery.
    pub fn late(&self) -> bool {
        self.on_the_way() && self.late_for.is_some() && self.late_for == self.expected_delivery
    }
    /// Shipping took this parcel's units out of stock: it has left, or it left and came back
    /// to the sender (those units are off the books until it is received back and restocked).
    pub fn consumed_stock(&self) -> bool {
        self.has_shipped() || self.state == ShipmentState::ReturnedToSender
    }
    /// Returned to the sender and received back at the warehouse (restocked or written off).
    pub fn received_back(&self) -> bool {
        self.received_back
    }
    /// The parcel has left: shipped, in transit, out for delivery, delivered, or held up on the way.
    pub fn has_shipped(&self) -> bool {
        matches!(
            self.state,
            ShipmentState::Shipped
                | ShipmentState::InTransit
                | ShipmentState::OutForDelivery
                | ShipmentState::Delivered
                | ShipmentState::Exception { .. }
        )
    }
}

impl ReturnCase {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn lines(&self) -> &[ReturnItem] {
        &self.lines
    }
    pub fn state(&self) -> &ReturnState {
        &self.state
    }
    pub fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }
    pub fn refunded(&self) -> Option<Money> {
        self.refunded
    }
}
