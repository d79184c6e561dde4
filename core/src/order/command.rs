//! Commands: what someone asks of an order, checked against the state machines into events.

use chrono::{DateTime, NaiveDate, Utc};

use super::actions::{ActionKind, Role};
use super::{
    CapturePolicy, LineUnits, Order, OrderEvent, PaymentMethod, ReturnItem, ShipmentLine, ShipmentSource,
    TimelineEntry,
};
use crate::allocation::LocationId;
use crate::calendar;
use crate::carrier::Carrier;
use crate::lifecycle::{
    AvailabilityCommand, ExceptionKind, LineAvailability, Machine, OrderCommand, OrderState, PaymentCommand,
    PaymentCommandKind, PaymentError, ReturnCommand, ShipmentCommand, ShipmentState, TransitionError,
};
use crate::money::Money;
use crate::refund::{self, PaidLine, RefundError, RefundRequest, ReturnError, ReturnLine, ShippedLine};

/// Longest free text (reasons, notes, carrier names) a command may carry.
pub const MAX_TEXT_LEN: usize = 500;

/// Something an actor asks of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum Command {
    Confirm,
    Cancel {
        reason: String,
    },
    /// Cancel some units of some lines before they are packed (see [`super::cancel`]).
    CancelLines {
        lines: Vec<LineUnits>,
        reason: String,
    },
    /// Move some units of a parcel that is not packed yet into a new parcel from the same source.
    SplitShipment {
        shipment: String,
        lines: Vec<ShipmentLine>,
    },
    /// Put parcels of the same source that are not packed yet together, in the first one.
    MergeShipments {
        shipments: Vec<String>,
    },
    /// Record an authorization the payment provider granted for the grand total.
    AuthorizePayment {
        amount: Money,
        method: PaymentMethod,
    },
    FailPayment {
        reason: String,
    },
    /// Capture `amount`, or everything still capturable when absent.
    CapturePayment {
        amount: Option<Money>,
    },
    VoidPayment,
    /// A goodwill or correction refund outside a return.
    RefundPayment {
        amount: Money,
        reason: String,
    },
    /// Group allocated and dropshipped units not yet in a shipment into one shipment per source.
    CreateShipments,
    Shipment {
        shipment: String,
        action: ShipmentAction,
    },
    /// Stock arrived for backordered units of a line.
    AllocateBackorder {
        line: usize,
        part: usize,
        location: LocationId,
    },
    /// Units go (back) on backorder with a promised date: stock was lost, or a new promise.
    Backorder {
        line: usize,
        part: usize,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
    },
    /// Backordered units of a line handed to dropship partner `supplier` (staff; the gateway
    /// checks the partner exists). The next `CreateShipments` makes its parcel, which asks it.
    Dropship {
        line: usize,
        part: usize,
        supplier: String,
    },
    RequestReturn {
        lines: Vec<ReturnItem>,
    },
    Return {
        rma: String,
        action: ReturnAction,
    },
    /// A parcel the carrier brought back (returned to sender) arrived at the warehouse: its units
    /// go back on the shelf at `restock`, or are written off (damaged) without it. Once per parcel;
    /// only parcels from one of our locations (a supplier's come back to the supplier).
    ReceiveReturnedParcel {
        shipment: String,
        restock: Option<LocationId>,
    },
}

/// What happens to one shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ShipmentAction {
    StartPicking,
    Pack,
    Ship {
        carrier: String,
        tracking_number: String,
        tracking_url: Option<String>,
    },
    MarkInTransit,
    MarkOutForDelivery,
    MarkDelivered,
    ReportException {
        kind: ExceptionKind,
        note: String,
    },
    ResolveException,
    ReturnToSender,
    Cancel,
    /// A dropship supplier takes its parcel: it ships by `ship_by` (again, to move the day).
    Accept {
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        ship_by: NaiveDate,
    },
    /// A dropship supplier cannot send its parcel (`reason`). As the order's policy says
    /// ([`crate::supplier::RejectedDropship`]): the parcel's units are cancelled and what was paid
    /// for them refunded (the whole order when nothing else is left), or they go on backorder
    /// promised for `promised` (required then; the gateway names the supplier's lead time).
    Reject {
        reason: String,
        #[cfg_attr(
            feature = "serde",
            serde(
                default,
                skip_serializing_if = "Option::is_none",
                with = "crate::rfc3339::serde_with::option_date"
            )
        )]
        #[cfg_attr(feature = "ts", ts(as = "Option<NaiveDate>", optional))]
        promised: Option<NaiveDate>,
    },
}

/// What happens to one return.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ReturnAction {
    Approve,
    Reject {
        reason: String,
    },
    Receive,
    /// Refund the returned units' paid share (less the policy's restocking fee).
    Refund,
    Cancel,
}

/// Why a command was refused. Every variant has a stable [`CommandError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("a {role} may not {action}")]
    Forbidden { role: &'static str, action: &'static str },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Payment(PaymentError),
    #[error("part of this order has already shipped; request a return instead")]
    AlreadyShipped,
    #[error(
        "line {line}: only {cancellable} unit(s) are neither packed nor shipped; units that have been \
         packed or shipped cannot be cancelled, request a return instead"
    )]
    LineShipped { line: usize, cancellable: u32 },
    #[error("line {line}: {requested} unit(s) to cancel but only {remaining} remain on the order")]
    CancelQuantity { line: usize, requested: u32, remaining: u32 },
    #[error("this order is already being prepared and can no longer be cancelled online; contact us")]
    TooLateToCancel,
    #[error("the payment must be authorized before the order is fulfilled")]
    PaymentRequired,
    #[error(
        "this order has had {0} declined payments and takes no more; contact the shop or place a new order"
    )]
    PaymentAttemptsExhausted(u32),
    #[error("nothing has been captured yet: capture the payment before refunding a return")]
    NothingCaptured,
    #[error("the authorization must be for the order total of {expected}, not {got}")]
    AmountMismatch { expected: Money, got: Money },
    #[error("there is nothing left to put in a shipment")]
    NothingToShip,
    #[error("this order has no shipment {0}")]
    UnknownShipment(String),
    #[error("this order has no return {0}")]
    UnknownReturn(String),
    #[error("this order has no line {line} part {part}")]
    UnknownPart { line: usize, part: usize },
    #[error("{}", join(.0))]
    Return(Vec<ReturnError>),
    #[error(transparent)]
    Refund(#[from] RefundError),
    #[error("{field}: {message}")]
    InvalidInput { field: &'static str, message: String },
    #[error("the order cannot take this change: {0}")]
    Inconsistent(String),
    #[error("parcel {0} has not been returned to the sender")]
    ParcelNotReturned(String),
    #[error("parcel {0} was already received back")]
    ParcelAlreadyReceived(String),
}

fn join(errors: &[ReturnError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl CommandError {
    /// Stable machine code for API errors (`INVALID_TRANSITION`, `FORBIDDEN`, …).
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::Forbidden { .. } => "FORBIDDEN",
            CommandError::Transition(_)
            | CommandError::AlreadyShipped
            | CommandError::LineShipped { .. }
            | CommandError::TooLateToCancel
            | CommandError::ParcelNotReturned(_)
            | CommandError::ParcelAlreadyReceived(_) => "INVALID_TRANSITION",
            CommandError::CancelQuantity { .. } => "QUANTITY_EXCEEDS_REMAINING",
            CommandError::Payment(PaymentError::Transition(_)) => "INVALID_TRANSITION",
            CommandError::Payment(_) | CommandError::AmountMismatch { .. } => "INVALID_AMOUNT",
            CommandError::PaymentRequired => "PAYMENT_REQUIRED",
            CommandError::PaymentAttemptsExhausted(_) => "PAYMENT_ATTEMPTS_EXHAUSTED",
            CommandError::NothingCaptured => "PAYMENT_NOT_CAPTURED",
            CommandError::NothingToShip => "NOTHING_TO_SHIP",
            CommandError::UnknownShipment(_)
            | CommandError::UnknownReturn(_)
            | CommandError::UnknownPart { .. } => "NOT_FOUND",
            CommandError::Return(_) => "RETURN_NOT_ALLOWED",
            CommandError::Refund(_) => "REFUND_NOT_ALLOWED",
            CommandError::InvalidInput { .. } => "BAD_USER_INPUT",
            CommandError::Inconsistent(_) => "INTERNAL",
        }
    }
}

impl From<PaymentError> for CommandError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::Transition(t) => CommandError::Transition(t),
            other => CommandError::Payment(other),
        }
    }
}

impl Command {
    /// Whether the command's events may move money with the payment provider (a capture, a void,
    /// a refund — also inside a cancellation, a return's refund, or shipping a parcel): such a command runs one at a
    /// time per order, and the provider acts before its events are recorded. Authorizing is the
    /// provider's answer to a token, not a command's effect.
    pub fn may_move_money(&self) -> bool {
        matches!(
            self,
            Command::Cancel { .. }
                | Command::CancelLines { .. }
                | Command::CapturePayment { .. }
                | Command::Shipment {
                    action: ShipmentAction::Ship { .. } | ShipmentAction::Reject { .. },
                    ..
                }
                | Command::VoidPayment
                | Command::RefundPayment { .. }
                | Command::Return { action: ReturnAction::Refund, .. }
        )
    }

    pub fn kind(&self) -> ActionKind {
        match self {
            Command::Confirm => ActionKind::Confirm,
            Command::Cancel { .. } => ActionKind::Cancel,
            Command::CancelLines { .. } => ActionKind::CancelLines,
            Command::SplitShipment { .. } => ActionKind::SplitShipment,
            Command::MergeShipments { .. } => ActionKind::MergeShipments,
            Command::AuthorizePayment { .. } => ActionKind::AuthorizePayment,
            Command::FailPayment { .. } => ActionKind::FailPayment,
            Command::CapturePayment { .. } => ActionKind::CapturePayment,
            Command::VoidPayment => ActionKind::VoidPayment,
            Command::RefundPayment { .. } => ActionKind::RefundPayment,
            Command::CreateShipments => ActionKind::CreateShipments,
            Command::Shipment { action, .. } => match action {
                ShipmentAction::StartPicking => ActionKind::StartPicking,
                ShipmentAction::Pack => ActionKind::Pack,
                ShipmentAction::Ship { .. } => ActionKind::Ship,
                ShipmentAction::MarkInTransit => ActionKind::MarkInTransit,
                ShipmentAction::MarkOutForDelivery => ActionKind::MarkOutForDelivery,
                ShipmentAction::MarkDelivered => ActionKind::MarkDelivered,
                ShipmentAction::ReportException { .. } => ActionKind::ReportException,
                ShipmentAction::ResolveException => ActionKind::ResolveException,
                ShipmentAction::ReturnToSender => ActionKind::ReturnToSender,
                ShipmentAction::Cancel => ActionKind::CancelShipment,
                ShipmentAction::Accept { .. } => ActionKind::AcceptShipment,
                ShipmentAction::Reject { .. } => ActionKind::RejectShipment,
            },
            Command::AllocateBackorder { .. } => ActionKind::AllocateBackorder,
            Command::Backorder { .. } => ActionKind::Backorder,
            Command::Dropship { .. } => ActionKind::Dropship,
            Command::RequestReturn { .. } => ActionKind::RequestReturn,
            Command::Return { action, .. } => match action {
                ReturnAction::Approve => ActionKind::ApproveReturn,
                ReturnAction::Reject { .. } => ActionKind::RejectReturn,
                ReturnAction::Receive => ActionKind::ReceiveReturn,
                ReturnAction::Refund => ActionKind::RefundReturn,
                ReturnAction::Cancel => ActionKind::CancelReturn,
            },
            Command::ReceiveReturnedParcel { .. } => ActionKind::ReceiveReturnedParcel,
        }
    }
}

pub(super) fn text(field: &'static str, value: &str, required: bool) -> Result<String, CommandError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(CommandError::InvalidInput { field, message: "must not be empty".into() });
    }
    if v.chars().count() > MAX_TEXT_LEN {
        return Err(CommandError::InvalidInput {
            field,
            message: format!("must be at most {MAX_TEXT_LEN} characters"),
        });
    }
    Ok(v.to_owned())
}

impl Order {
    /// Checks `command` from `role` at `now` and returns the events it causes, in order.
    /// Nothing changes until the caller appends them (see [`Order::execute`]).
    pub fn decide(
        &self,
        command: &Command,
        role: &Role,
        now: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        self.decide_with(command, role, now, true)
    }

    /// [`Order::decide`]; without the capture the order's policy calls for when `capture` is false.
    pub(super) fn decide_with(
        &self,
        command: &Command,
        role: &Role,
        now: DateTime<Utc>,
        capture: bool,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        role.check(command.kind(), self, command)?;
        let mut events = self.primary_events(command, role, now)?;
        // Follow-ups the rules imply: capturing as the order's policy says, completing the order
        // when everything arrived.
        let mut after = self.clone();
        for (i, event) in events.iter().enumerate() {
            let entry = TimelineEntry { seq: after.last_seq + 1, at: now, event: event.clone() };
            after.apply(&entry).map_err(|e| CommandError::Inconsistent(format!("event {i}: {e}")))?;
        }
        let captures = if capture { self.policy_captures(command, &after) } else { Vec::new() };
        for event in captures {
            let entry = TimelineEntry { seq: after.last_seq + 1, at: now, event: event.clone() };
            after.apply(&entry).map_err(|e| CommandError::Inconsistent(format!("capture: {e}")))?;
            events.push(event);
        }
        // Completed means nothing is left to do: every unit delivered and the money settled
        // (captured, nothing more to capture). Capture-on-delivery shops capture last.
        if after.state == OrderState::Confirmed && after.fully_delivered() && after.payment_settled() {
            events.push(OrderEvent::Completed);
        }
        Ok(events)
    }

    /// The capture `command` brings under the order's capture policy (see [`super::capture`]),
    /// given the order `after` its own events: shipping a parcel captures its share, a sale
    /// captures with the authorization; a capture that leaves the total covered releases the rest.
    fn policy_captures(&self, command: &Command, after: &Order) -> Vec<OrderEvent> {
        let amount = match (command, self.placed.policy.capture) {
            (
                Command::Shipment { shipment, action: ShipmentAction::Ship { .. } },
                CapturePolicy::OnShipment,
            ) => self.parcel_capture(shipment),
            (Command::AuthorizePayment { .. }, CapturePolicy::OnAuthorization) => {
                let payment = after.payment();
                let due = (after.totals.grand_total.amount() - payment.captured().amount()).max(0);
                let amount = due.min(payment.capturable().amount());
                (amount > 0).then(|| Money::new(amount, payment.currency()))
            }
            _ => None,
        };
        let Some(amount) = amount else { return Vec::new() };
        let mut events = vec![OrderEvent::PaymentCaptured { amount }];
        let captured = after.payment().captured().amount() + amount.amount();
        let left = after.payment().capturable().amount() - amount.amount();
        if left > 0 && captured >= after.totals.grand_total.amount() {
            events.push(OrderEvent::PaymentVoided);
        }
        if after.state == OrderState::Placed && self.placed.policy.confirm_on_capture {
            events.push(OrderEvent::Confirmed);
        }
        events
    }

    /// [`Order::decide`], then applies the events: returns the new timeline entries and the new order.
    pub fn execute(
        &self,
        command: &Command,
        role: &Role,
        now: DateTime<Utc>,
    ) -> Result<(Vec<TimelineEntry>, Order), CommandError> {
        let events = self.decide(command, role, now)?;
        let mut order = self.clone();
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            let entry = TimelineEntry { seq: order.last_seq + 1, at: now, event };
            order.apply(&entry).map_err(|e| CommandError::Inconsistent(e.to_string()))?;
            entries.push(entry);
        }
        Ok((entries, order))
    }

    pub(super) fn require_open(&self, command: &'static str) -> Result<(), CommandError> {
        match self.state {
            OrderState::Cancelled | OrderState::Completed if command != "request_return" => {
                Err(TransitionError::new(Machine::Order, self.state.name(), command).into())
            }
            OrderState::Cancelled => {
                Err(TransitionError::new(Machine::Order, self.state.name(), command).into())
            }
            _ => Ok(()),
        }
    }

    /// Card testing stops here: after [`super::MAX_DECLINED_PAYMENTS`] declines the order takes
    /// no further authorization attempt.
    fn require_payment_attempts_left(&self) -> Result<(), CommandError> {
        if self.declined_payments >= super::MAX_DECLINED_PAYMENTS {
            return Err(CommandError::PaymentAttemptsExhausted(self.declined_payments));
        }
        Ok(())
    }

    fn primary_events(
        &self,
        command: &Command,
        role: &Role,
        now: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        let payment = &self.payment;
        Ok(match command {
            Command::Confirm => {
                self.state.apply(&OrderCommand::Confirm)?;
                vec![OrderEvent::Confirmed]
            }
            Command::Cancel { reason } => self.cancel(reason, role)?,
            Command::CancelLines { lines, reason } => self.cancel_lines(lines, reason, role)?,
            Command::SplitShipment { shipment, lines } => self.split_shipment(shipment, lines)?,
            Command::MergeShipments { shipments } => self.merge_shipments(shipments)?,
            Command::AuthorizePayment { amount, method } => {
                self.require_open("authorize")?;
                self.require_payment_attempts_left()?;
                let expected = self.totals.grand_total;
                if *amount != expected {
                    return Err(CommandError::AmountMismatch { expected, got: *amount });
                }
                text("method.reference", &method.reference, true)?;
                if let Some(last4) = &method.last4
                    && (last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(CommandError::InvalidInput {
                        field: "method.last4",
                        message: "must be exactly four digits".into(),
                    });
                }
                payment.apply(&PaymentCommand::Authorize { amount: *amount })?;
                let mut events =
                    vec![OrderEvent::PaymentAuthorized { amount: *amount, method: method.clone() }];
                if self.state == OrderState::Placed && !self.placed.policy.confirm_on_capture {
                    events.push(OrderEvent::Confirmed);
                }
                events
            }
            Command::FailPayment { reason } => {
                self.require_payment_attempts_left()?;
                let reason = text("reason", reason, true)?;
                payment.apply(&PaymentCommand::Fail { reason: reason.clone() })?;
                vec![OrderEvent::PaymentFailed { reason }]
            }
            Command::CapturePayment { amount } => {
                self.require_open("capture")?;
                // Cancelled lines lower what is due: capture at most that, then release the rest.
                let currency = payment.currency();
                let due = (self.totals.grand_total.amount() - payment.captured().amount()).max(0);
                let limit = Money::new(due.min(payment.capturable().amount()), currency);
                let amount = amount.unwrap_or(limit);
                if amount.currency() == currency
                    && amount.amount() > limit.amount()
                    && payment.can(PaymentCommandKind::Capture)
                {
                    return Err(CommandError::Payment(PaymentError::OverCapture {
                        requested: amount,
                        limit,
                    }));
                }
                let after = payment.apply(&PaymentCommand::Capture { amount })?;
                let mut events = vec![OrderEvent::PaymentCaptured { amount }];
                if after.capturable().amount() > 0
                    && after.captured().amount() >= self.totals.grand_total.amount()
                {
                    events.push(OrderEvent::PaymentVoided);
                }
                if self.state == OrderState::Placed && self.placed.policy.confirm_on_capture {
                    events.push(OrderEvent::Confirmed);
                }
                events
            }
            Command::VoidPayment => {
                payment.apply(&PaymentCommand::Void)?;
                vec![OrderEvent::PaymentVoided]
            }
            Command::RefundPayment { amount, reason } => {
                let reason = text("reason", reason, true)?;
                payment.apply(&PaymentCommand::Refund { amount: *amount })?;
                vec![OrderEvent::PaymentRefunded { amount: *amount, reason }]
            }
            Command::CreateShipments => self.create_shipments()?,
            Command::Shipment { shipment, action } => self.shipment_events(shipment, action, now)?,
            Command::AllocateBackorder { line, part, location } => {
                self.require_open("allocate")?;
                self.require_not_in_parcel(*line, *part)?;
                self.part(*line, *part)?
                    .availability
                    .apply(&AvailabilityCommand::Allocate { location: location.to_string() })?;
                vec![OrderEvent::LineAllocated { line: *line, part: *part, location: location.clone() }]
            }
            Command::Backorder { line, part, promised } => {
                self.require_open("backorder")?;
                if *promised < now.date_naive() {
                    return Err(CommandError::InvalidInput {
                        field: "promised",
                        message: "must not be in the past".into(),
                    });
                }
                self.require_not_in_parcel(*line, *part)?;
                let waiting = &self.part(*line, *part)?.availability;
                if *waiting == (LineAvailability::Backordered { promised: *promised }) {
                    return Err(CommandError::InvalidInput {
                        field: "promised",
                        message: "the units are already promised for that day".into(),
                    });
                }
                waiting.apply(&AvailabilityCommand::Backorder { promised: *promised })?;
                vec![OrderEvent::LineBackordered { line: *line, part: *part, promised: *promised }]
            }
            Command::Dropship { line, part, supplier } => {
                self.require_open("dropship")?;
                let supplier = text("supplier", supplier, true)?;
                self.part(*line, *part)?
                    .availability
                    .apply(&AvailabilityCommand::Dropship { supplier: supplier.clone() })?;
                vec![OrderEvent::LineDropshipped { line: *line, part: *part, supplier }]
            }
            Command::RequestReturn { lines } => self.request_return(lines, now)?,
            Command::Return { rma, action } => self.return_events(rma, action)?,
            Command::ReceiveReturnedParcel { shipment, restock } => {
                let parcel =
                    self.shipment(shipment).ok_or_else(|| CommandError::UnknownShipment(shipment.clone()))?;
                if parcel.state != ShipmentState::ReturnedToSender {
                    return Err(CommandError::ParcelNotReturned(shipment.clone()));
                }
                if parcel.received_back {
                    return Err(CommandError::ParcelAlreadyReceived(shipment.clone()));
                }
                if !matches!(parcel.source, ShipmentSource::Location { .. }) {
                    return Err(CommandError::InvalidInput {
                        field: "shipment",
                        message: format!("parcel {shipment} goes back to its supplier, not to our stock"),
                    });
                }
                vec![OrderEvent::ParcelReceivedBack { shipment: shipment.clone(), restock: restock.clone() }]
            }
        })
    }

    /// Units of a part that sit in a live parcel from the part's source cannot change source.
    fn require_not_in_parcel(&self, line: usize, part: usize) -> Result<(), CommandError> {
        let Some(source) = self.part(line, part)?.source() else { return Ok(()) };
        let in_parcel = self.shipments.iter().any(|s| {
            s.state != ShipmentState::Cancelled
                && s.source == source
                && s.lines.iter().any(|l| l.line == line)
        });
        if in_parcel {
            return Err(CommandError::InvalidInput {
                field: "part",
                message: "these units are already in a shipment; cancel the shipment first".into(),
            });
        }
        Ok(())
    }

    fn part(&self, line: usize, part: usize) -> Result<&super::LinePartState, CommandError> {
        self.lines.get(line).and_then(|l| l.parts.get(part)).ok_or(CommandError::UnknownPart { line, part })
    }

    pub(super) fn cancel(&self, reason: &str, role: &Role) -> Result<Vec<OrderEvent>, CommandError> {
        let reason = text("reason", reason, true)?;
        self.state.apply(&OrderCommand::Cancel)?;
        if self.shipments.iter().any(|s| s.has_shipped()) {
            return Err(CommandError::AlreadyShipped);
        }
        if matches!(role, Role::Customer | Role::Channel)
            && self
                .shipments
                .iter()
                .any(|s| s.state != ShipmentState::Pending && s.state != ShipmentState::Cancelled)
        {
            return Err(CommandError::TooLateToCancel);
        }
        let mut events: Vec<OrderEvent> = self
            .shipments
            .iter()
            .filter(|s| s.state.can(crate::lifecycle::ShipmentCommandKind::Cancel))
            .map(|s| OrderEvent::ShipmentCancelled { shipment: s.id.clone() })
            .collect();
        let payment = &self.payment;
        if payment.refundable().amount() > 0 {
            events.push(OrderEvent::PaymentRefunded {
                amount: payment.refundable(),
                reason: "order cancelled".into(),
            });
        }
        // Release whatever part of the authorization was never captured.
        if payment.capturable().amount() > 0 {
            events.push(OrderEvent::PaymentVoided);
        }
        events.push(OrderEvent::Cancelled { reason });
        Ok(events)
    }

    fn create_shipments(&self) -> Result<Vec<OrderEvent>, CommandError> {
        if self.state != OrderState::Confirmed {
            return Err(TransitionError::new(Machine::Order, self.state.name(), "create_shipments").into());
        }
        if !self.payment.is_secured() {
            return Err(CommandError::PaymentRequired);
        }
        // Units per (source, line) that are ready to ship, minus what shipments already hold.
        let mut ready: std::collections::BTreeMap<ShipmentSource, Vec<ShipmentLine>> = Default::default();
        for line in &self.lines {
            let mut in_shipments: std::collections::BTreeMap<ShipmentSource, u32> = Default::default();
            for s in self.shipments.iter().filter(|s| s.state != ShipmentState::Cancelled) {
                let units: u32 = s.lines.iter().filter(|l| l.line == line.index).map(|l| l.quantity).sum();
                *in_shipments.entry(s.source.clone()).or_default() += units;
            }
            let mut available: std::collections::BTreeMap<ShipmentSource, u32> = Default::default();
            for part in &line.parts {
                let Some(source) = part.source() else { continue };
                *available.entry(source).or_default() += part.quantity;
            }
            for (source, units) in available {
                let pending = units.saturating_sub(in_shipments.get(&source).copied().unwrap_or(0));
                if pending > 0 {
                    ready
                        .entry(source)
                        .or_default()
                        .push(ShipmentLine { line: line.index, quantity: pending });
                }
            }
        }
        if ready.is_empty() {
            return Err(CommandError::NothingToShip);
        }
        let first = self.shipments.len() + 1;
        Ok(ready
            .into_iter()
            .enumerate()
            .map(|(i, (source, lines))| OrderEvent::ShipmentCreated {
                shipment: format!("{}-S{}", self.placed.id, first + i),
                source,
                lines,
            })
            .collect())
    }

    fn shipment_events(
        &self,
        id: &str,
        action: &ShipmentAction,
        now: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        let shipment = self.shipment(id).ok_or_else(|| CommandError::UnknownShipment(id.to_owned()))?;
        let shipment_id = shipment.id.clone();
        match action {
            ShipmentAction::Accept { ship_by } => return self.accept_events(shipment, *ship_by, now),
            ShipmentAction::Reject { reason, promised } => {
                return self.reject_events(shipment, reason, *promised, now);
            }
            _ => {}
        }
        let (command, event) = match action {
            ShipmentAction::StartPicking => {
                if self.state != OrderState::Confirmed {
                    return Err(
                        TransitionError::new(Machine::Order, self.state.name(), "start_picking").into()
                    );
                }
                (ShipmentCommand::StartPicking, OrderEvent::ShipmentPickingStarted { shipment: shipment_id })
            }
            ShipmentAction::Pack => {
                (ShipmentCommand::Pack, OrderEvent::ShipmentPacked { shipment: shipment_id })
            }
            ShipmentAction::Ship { carrier, tracking_number, tracking_url } => {
                let known = Carrier::parse(carrier)
                    .map_err(|e| CommandError::InvalidInput { field: "carrier", message: e.to_string() })?;
                let carrier = known.name().to_owned();
                let tracking_number = known.check(tracking_number).map_err(|e| {
                    CommandError::InvalidInput { field: "trackingNumber", message: e.to_string() }
                })?;
                let tracking_url = match tracking_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                    None => known.tracking_url(&tracking_number),
                    Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                        Some(text("trackingUrl", u, true)?)
                    }
                    Some(_) => {
                        return Err(CommandError::InvalidInput {
                            field: "trackingUrl",
                            message: "must be an http(s) URL".into(),
                        });
                    }
                };
                let expected_delivery =
                    Some(calendar::add_business_days(now.date_naive(), self.placed.policy.transit_days));
                (
                    ShipmentCommand::Ship,
                    OrderEvent::ShipmentShipped {
                        shipment: shipment_id,
                        carrier,
                        tracking_number,
                        tracking_url,
                        expected_delivery,
                    },
                )
            }
            ShipmentAction::MarkInTransit => {
                (ShipmentCommand::MarkInTransit, OrderEvent::ShipmentInTransit { shipment: shipment_id })
            }
            ShipmentAction::MarkOutForDelivery => (
                ShipmentCommand::MarkOutForDelivery,
                OrderEvent::ShipmentOutForDelivery { shipment: shipment_id },
            ),
            ShipmentAction::MarkDelivered => {
                (ShipmentCommand::MarkDelivered, OrderEvent::ShipmentDelivered { shipment: shipment_id })
            }
            ShipmentAction::ReportException { kind, note } => (
                ShipmentCommand::ReportException { kind: *kind },
                OrderEvent::ShipmentException {
                    shipment: shipment_id,
                    kind: *kind,
                    note: text("note", note, false)?,
                },
            ),
            ShipmentAction::ResolveException => (
                ShipmentCommand::ResolveException,
                OrderEvent::ShipmentExceptionResolved { shipment: shipment_id },
            ),
            ShipmentAction::ReturnToSender => (
                ShipmentCommand::ReturnToSender,
                OrderEvent::ShipmentReturnedToSender { shipment: shipment_id },
            ),
            ShipmentAction::Cancel => {
                (ShipmentCommand::Cancel, OrderEvent::ShipmentCancelled { shipment: shipment_id })
            }
            ShipmentAction::Accept { .. } | ShipmentAction::Reject { .. } => unreachable!("handled above"),
        };
        if self.state == OrderState::Cancelled {
            return Err(TransitionError::new(Machine::Order, self.state.name(), command.name()).into());
        }
        if !shipment.ships_straight(&command) {
            shipment.state.apply(&command)?;
        }
        Ok(vec![event])
    }

    /// A supplier accepting its parcel, to ship by `ship_by`: only a dropship parcel not picked
    /// yet, of an order going ahead, for a day from today to a year ahead that it was not given.
    fn accept_events(
        &self,
        shipment: &super::Shipment,
        ship_by: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        if !matches!(shipment.source, ShipmentSource::Supplier { .. }) {
            return Err(CommandError::InvalidInput {
                field: "shipmentId",
                message: "only a partner's parcel is accepted".into(),
            });
        }
        if self.state != OrderState::Confirmed || shipment.state != ShipmentState::Pending {
            let state =
                if self.state == OrderState::Confirmed { shipment.state.name() } else { self.state.name() };
            return Err(TransitionError::new(Machine::Shipment, state, "accept").into());
        }
        let today = now.date_naive();
        if ship_by < today || ship_by > today + chrono::Days::new(365) {
            return Err(CommandError::InvalidInput {
                field: "shipBy",
                message: "must be a day from today to a year ahead".into(),
            });
        }
        if shipment.ship_by == Some(ship_by) {
            return Err(CommandError::InvalidInput {
                field: "shipBy",
                message: "the parcel is already accepted for that day".into(),
            });
        }
        Ok(vec![OrderEvent::ShipmentAccepted { shipment: shipment.id.clone(), ship_by }])
    }

    /// A supplier that cannot send its parcel: a partner's parcel not handed to the carrier yet,
    /// of an order going ahead. As the order's policy says, its units are cancelled as staff would
    /// cancel them (with the refund of what was paid for them, or the whole order when nothing
    /// else is left), the reason naming the partner; or the parcel is cancelled and the parts it
    /// held go on backorder for `promised`. A parcel whose units cannot be told apart from other
    /// units of the same partner on its lines (part of a part already shipped) is cancelled
    /// instead: no unit is ever promised twice.
    fn reject_events(
        &self,
        shipment: &super::Shipment,
        reason: &str,
        promised: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        let ShipmentSource::Supplier { supplier } = &shipment.source else {
            return Err(CommandError::InvalidInput {
                field: "shipmentId",
                message: "only a partner's parcel is rejected".into(),
            });
        };
        if self.state != OrderState::Confirmed
            || !matches!(shipment.state, ShipmentState::Pending | ShipmentState::Picking)
        {
            let state =
                if self.state == OrderState::Confirmed { shipment.state.name() } else { self.state.name() };
            return Err(TransitionError::new(Machine::Shipment, state, "reject").into());
        }
        let reason = text("reason", reason, true)?;
        let mut lines: Vec<LineUnits> = Vec::new();
        for l in &shipment.lines {
            match lines.iter_mut().find(|u| u.line == l.line) {
                Some(u) => u.quantity += l.quantity,
                None => lines.push(LineUnits { line: l.line, quantity: l.quantity }),
            }
        }
        if self.placed.policy.rejected_dropship == crate::supplier::RejectedDropship::Backorder {
            let promised = promised.ok_or(CommandError::InvalidInput {
                field: "promised",
                message: "name the day the units are promised for".into(),
            })?;
            if promised < now.date_naive() {
                return Err(CommandError::InvalidInput {
                    field: "promised",
                    message: "must not be in the past".into(),
                });
            }
            if let Some(parts) = self.parcel_parts(&shipment.source, &lines) {
                let mut events = vec![OrderEvent::ShipmentRejected { shipment: shipment.id.clone(), reason }];
                events.extend(parts.into_iter().map(|(line, part)| OrderEvent::LineBackordered {
                    line,
                    part,
                    promised,
                }));
                return Ok(events);
            }
        }
        let why = format!("our partner {supplier} cannot supply it: {reason}");
        self.cancel_lines(&lines, &why, &Role::Staff)
    }

    /// The parts of each line of `lines` from `source` that hold exactly the units named: the
    /// latest parts first (earlier ones are the likelier to have shipped). `None` when some line's
    /// units are not whole parts.
    fn parcel_parts(&self, source: &ShipmentSource, lines: &[LineUnits]) -> Option<Vec<(usize, usize)>> {
        let mut found = Vec::new();
        for want in lines {
            let line = self.lines.get(want.line)?;
            // Units of the source on the line that no parcel holds yet would be mistaken for the
            // parcel's.
            let held: u32 =
                line.parts.iter().filter(|p| p.source().as_ref() == Some(source)).map(|p| p.quantity).sum();
            let parcelled: u32 = self
                .shipments
                .iter()
                .filter(|s| s.state != ShipmentState::Cancelled && &s.source == source)
                .flat_map(|s| s.lines.iter().filter(|l| l.line == want.line).map(|l| l.quantity))
                .sum();
            if held != parcelled {
                return None;
            }
            let mut left = want.quantity;
            for (index, part) in line.parts.iter().enumerate().rev() {
                if left == 0 {
                    break;
                }
                if part.source().as_ref() != Some(source) || part.quantity == 0 {
                    continue;
                }
                left = left.checked_sub(part.quantity)?;
                found.push((want.line, index));
            }
            if left != 0 {
                return None;
            }
        }
        Some(found)
    }

    fn shipped_lines(&self) -> Vec<ShippedLine> {
        self.lines
            .iter()
            .map(|l| {
                let (returned, pending) = self.units_returned(l.index);
                ShippedLine { shipped: self.units_delivered(l.index), returned, pending }
            })
            .collect()
    }

    fn request_return(
        &self,
        items: &[ReturnItem],
        now: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, CommandError> {
        self.require_open("request_return")?;
        let mut clean = Vec::with_capacity(items.len());
        for item in items {
            clean.push(ReturnItem {
                line: item.line,
                quantity: item.quantity,
                reason: text("reason", &item.reason, true)?,
            });
        }
        let requested: Vec<ReturnLine> =
            clean.iter().map(|i| ReturnLine { line: i.line, quantity: i.quantity }).collect();
        // Each line's window runs from the last delivery of that line's units.
        let mut errors: Vec<ReturnError> = Vec::new();
        for r in requested.iter().filter(|r| r.line < self.lines.len()) {
            let window = refund::check_return_window(
                self.line_delivered_on(r.line),
                self.placed.policy.return_window_days,
                now.date_naive(),
            );
            if let Err(e) = window
                && !errors.contains(&e)
            {
                errors.push(e);
            }
        }
        if let Err(found) = refund::check_return_quantities(&self.shipped_lines(), &requested) {
            errors.extend(found);
        }
        if !errors.is_empty() {
            return Err(CommandError::Return(errors));
        }
        Ok(vec![OrderEvent::ReturnRequested {
            rma: format!("{}-R{}", self.placed.id, self.returns.len() + 1),
            lines: clean,
        }])
    }

    fn return_events(&self, id: &str, action: &ReturnAction) -> Result<Vec<OrderEvent>, CommandError> {
        let case = self.return_case(id).ok_or_else(|| CommandError::UnknownReturn(id.to_owned()))?;
        let rma = case.id.clone();
        let (command, events) = match action {
            ReturnAction::Approve => (ReturnCommand::Approve, vec![OrderEvent::ReturnApproved { rma }]),
            ReturnAction::Reject { reason } => {
                let reason = text("reason", reason, true)?;
                (
                    ReturnCommand::Reject { reason: reason.clone() },
                    vec![OrderEvent::ReturnRejected { rma, reason }],
                )
            }
            ReturnAction::Receive => (ReturnCommand::Receive, vec![OrderEvent::ReturnReceived { rma }]),
            ReturnAction::Cancel => (ReturnCommand::Cancel, vec![OrderEvent::ReturnCancelled { rma }]),
            ReturnAction::Refund => {
                case.state.apply(&ReturnCommand::Refund)?;
                // An authorization alone holds no money to give back.
                if self.payment.captured().amount() == 0 {
                    return Err(CommandError::NothingCaptured);
                }
                let amount = self.return_refund(case)?;
                let mut events = vec![OrderEvent::ReturnRefunded { rma: rma.clone(), amount }];
                if amount.amount() > 0 {
                    self.payment.apply(&PaymentCommand::Refund { amount })?;
                    events.push(OrderEvent::PaymentRefunded { amount, reason: format!("return {rma}") });
                }
                (ReturnCommand::Refund, events)
            }
        };
        case.state.apply(&command)?;
        Ok(events)
    }

    /// What refunding a return gives back: the returned units' paid share less the restocking fee,
    /// but never more than is still refundable (a goodwill refund may already have paid part of it).
    ///
    /// A line's returns give back its *last* pieces, `⌊T·(q−r)/q⌋ − ⌊T·(q−r−k)/q⌋` for `k` units
    /// when `r` were refunded by earlier returns, while cancellations give up its first ones (see
    /// `super::cancel`): the two never take the same piece, so a line whose every unit is
    /// cancelled or returned gives back exactly its total `T`, in whatever order that happened.
    /// (With both from the front, a cancellation after a return retook the returned unit's piece.)
    pub fn return_refund(&self, case: &super::ReturnCase) -> Result<Money, CommandError> {
        let lines: Vec<PaidLine> = self
            .lines
            .iter()
            .map(|l| {
                let units_of = |lines: &[super::ReturnItem]| -> u32 {
                    lines.iter().filter(|i| i.line == l.index).map(|i| i.quantity).sum()
                };
                let refunded: u32 =
                    self.returns.iter().filter(|r| r.refunded.is_some()).map(|r| units_of(&r.lines)).sum();
                let now = units_of(&case.lines);
                // `refund` counts pieces from the front: the last pieces follow the first
                // `q − r − k`. More than the line still holds keeps the old count, which `refund` refuses.
                let before = match l.quantity.checked_sub(l.cancelled + refunded + now) {
                    Some(_) => l.quantity - refunded - now,
                    None => l.cancelled + refunded,
                };
                PaidLine { quantity: l.quantity, paid: l.total, refunded_units: before }
            })
            .collect();
        let breakdown = refund::refund(&RefundRequest {
            lines,
            returned: case.lines.iter().map(|i| ReturnLine { line: i.line, quantity: i.quantity }).collect(),
            shipping: None,
            restocking_fee_bp: self.placed.policy.restocking_fee_bp,
            captured: self.payment.captured(),
            already_refunded: self.payment.refunded(),
        });
        match breakdown {
            Ok(breakdown) => Ok(breakdown.total()),
            Err(RefundError::ExceedsRefundable { refundable, .. }) => Ok(refundable),
            Err(e) => Err(e.into()),
        }
    }
}
