//! Who may do what: roles, the action kinds they may issue, and what is possible on an order now.

use chrono::{DateTime, Days, Utc};

use super::{
    Command, CommandError, Order, PaymentMethod, ReturnAction, ReturnItem, ShipmentAction, ShipmentSource,
};
use crate::allocation::LocationId;
use crate::card::CardBrand;
use crate::carrier::Carrier;
use crate::lifecycle::ExceptionKind;
use crate::money::Money;

/// The role of whoever issues a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum Role {
    /// The customer the order belongs to (ownership is checked by the caller).
    Customer,
    Staff,
    Admin,
    /// A sales-channel integration (marketplace, POS) acting for its own orders.
    Channel,
    /// A dropship supplier, acting only on shipments it sends.
    Supplier(String),
}

impl Role {
    pub fn name(&self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff member",
            Role::Admin => "admin",
            Role::Channel => "sales channel",
            Role::Supplier(_) => "supplier",
        }
    }

    /// Whether this role may issue commands of `kind` at all.
    pub fn may(&self, kind: ActionKind) -> bool {
        use ActionKind as A;
        match self {
            Role::Admin | Role::Staff => true,
            Role::Customer => matches!(
                kind,
                A::Cancel
                    | A::CancelLines
                    | A::AuthorizePayment
                    | A::FailPayment
                    | A::RequestReturn
                    | A::CancelReturn
            ),
            Role::Channel => matches!(
                kind,
                A::Confirm
                    | A::Cancel
                    | A::CancelLines
                    | A::AuthorizePayment
                    | A::FailPayment
                    | A::CapturePayment
                    | A::RequestReturn
                    | A::CancelReturn
            ),
            Role::Supplier(_) => matches!(
                kind,
                A::AcceptShipment
                    | A::RejectShipment
                    | A::StartPicking
                    | A::Pack
                    | A::Ship
                    | A::MarkInTransit
                    | A::MarkOutForDelivery
                    | A::MarkDelivered
                    | A::ReportException
                    | A::ResolveException
            ),
        }
    }

    /// The role check for one command on one order (suppliers only touch their own shipments).
    pub(crate) fn check(
        &self,
        kind: ActionKind,
        order: &Order,
        command: &Command,
    ) -> Result<(), CommandError> {
        let forbidden = || CommandError::Forbidden { role: self.name(), action: kind.name() };
        if !self.may(kind) {
            return Err(forbidden());
        }
        if let (Role::Supplier(supplier), Command::Shipment { shipment, .. }) = (self, command) {
            let theirs = order.shipment(shipment).is_some_and(
                |s| matches!(s.source(), ShipmentSource::Supplier { supplier: own } if own == supplier),
            );
            if !theirs {
                // Same answer as a shipment that does not exist: no leak of other parcels.
                return Err(CommandError::UnknownShipment(shipment.clone()));
            }
        }
        Ok(())
    }
}

/// Every kind of command, as a UI names its buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum ActionKind {
    Confirm,
    Cancel,
    AuthorizePayment,
    FailPayment,
    CapturePayment,
    VoidPayment,
    RefundPayment,
    CreateShipments,
    StartPicking,
    Pack,
    Ship,
    MarkInTransit,
    MarkOutForDelivery,
    MarkDelivered,
    ReportException,
    ResolveException,
    ReturnToSender,
    CancelShipment,
    /// A dropship supplier takes its parcel and says by when it ships.
    AcceptShipment,
    /// A dropship supplier cannot send its parcel: its units are cancelled and refunded.
    RejectShipment,
    AllocateBackorder,
    Backorder,
    Dropship,
    RequestReturn,
    ApproveReturn,
    RejectReturn,
    ReceiveReturn,
    RefundReturn,
    CancelReturn,
    CancelLines,
    SplitShipment,
    MergeShipments,
    ReceiveReturnedParcel,
}

impl ActionKind {
    pub const ALL: [ActionKind; 33] = [
        ActionKind::Confirm,
        ActionKind::Cancel,
        ActionKind::AuthorizePayment,
        ActionKind::FailPayment,
        ActionKind::CapturePayment,
        ActionKind::VoidPayment,
        ActionKind::RefundPayment,
        ActionKind::CreateShipments,
        ActionKind::StartPicking,
        ActionKind::Pack,
        ActionKind::Ship,
        ActionKind::MarkInTransit,
        ActionKind::MarkOutForDelivery,
        ActionKind::MarkDelivered,
        ActionKind::ReportException,
        ActionKind::ResolveException,
        ActionKind::ReturnToSender,
        ActionKind::CancelShipment,
        ActionKind::AcceptShipment,
        ActionKind::RejectShipment,
        ActionKind::AllocateBackorder,
        ActionKind::Backorder,
        ActionKind::Dropship,
        ActionKind::RequestReturn,
        ActionKind::ApproveReturn,
        ActionKind::RejectReturn,
        ActionKind::ReceiveReturn,
        ActionKind::RefundReturn,
        ActionKind::CancelReturn,
        ActionKind::CancelLines,
        ActionKind::SplitShipment,
        ActionKind::MergeShipments,
        ActionKind::ReceiveReturnedParcel,
    ];

    /// Stable snake_case name (`mark_delivered`).
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Confirm => "confirm",
            ActionKind::Cancel => "cancel",
            ActionKind::AuthorizePayment => "authorize_payment",
            ActionKind::FailPayment => "fail_payment",
            ActionKind::CapturePayment => "capture_payment",
            ActionKind::VoidPayment => "void_payment",
            ActionKind::RefundPayment => "refund_payment",
            ActionKind::CreateShipments => "create_shipments",
            ActionKind::StartPicking => "start_picking",
            ActionKind::Pack => "pack",
            ActionKind::Ship => "ship",
            ActionKind::MarkInTransit => "mark_in_transit",
            ActionKind::MarkOutForDelivery => "mark_out_for_delivery",
            ActionKind::MarkDelivered => "mark_delivered",
            ActionKind::ReportException => "report_exception",
            ActionKind::ResolveException => "resolve_exception",
            ActionKind::ReturnToSender => "return_to_sender",
            ActionKind::CancelShipment => "cancel_shipment",
            ActionKind::AcceptShipment => "accept_shipment",
            ActionKind::RejectShipment => "reject_shipment",
            ActionKind::AllocateBackorder => "allocate_backorder",
            ActionKind::Backorder => "backorder",
            ActionKind::Dropship => "dropship",
            ActionKind::RequestReturn => "request_return",
            ActionKind::ApproveReturn => "approve_return",
            ActionKind::RejectReturn => "reject_return",
            ActionKind::ReceiveReturn => "receive_return",
            ActionKind::RefundReturn => "refund_return",
            ActionKind::CancelReturn => "cancel_return",
            ActionKind::CancelLines => "cancel_lines",
            ActionKind::SplitShipment => "split_shipment",
            ActionKind::MergeShipments => "merge_shipments",
            ActionKind::ReceiveReturnedParcel => "receive_returned_parcel",
        }
    }
}

/// A command that is possible right now, with what it targets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Action {
    pub kind: ActionKind,
    /// The shipment the action applies to, for shipment actions.
    pub shipment: Option<String>,
    /// The return the action applies to, for return actions.
    pub rma: Option<String>,
    /// The line and part, for backorder actions.
    pub line: Option<usize>,
    pub part: Option<usize>,
}

impl Action {
    fn on_order(kind: ActionKind) -> Action {
        Action { kind, shipment: None, rma: None, line: None, part: None }
    }
}

/// What `role` can do to `order` at `now`. Each candidate is tried through [`Order::decide`], so
/// a button is enabled exactly when the server would accept its command.
pub fn allowed_actions(order: &Order, role: &Role, now: DateTime<Utc>) -> Vec<Action> {
    let works = |command: &Command| order.decide(command, role, now).is_ok();
    let tomorrow = now.date_naive().checked_add_days(Days::new(1)).unwrap_or(now.date_naive());
    let mut actions = Vec::new();
    let total = order.totals().grand_total;
    let probe_method = PaymentMethod { reference: "probe".into(), brand: CardBrand::Unknown, last4: None };
    let order_level = [
        Command::Confirm,
        Command::Cancel { reason: "probe".into() },
        Command::AuthorizePayment { amount: total, method: probe_method },
        Command::FailPayment { reason: "probe".into() },
        Command::CapturePayment { amount: None },
        Command::VoidPayment,
        Command::RefundPayment { amount: Money::new(1, total.currency()), reason: "probe".into() },
        Command::CreateShipments,
    ];
    for command in &order_level {
        if works(command) {
            actions.push(Action::on_order(command.kind()));
        }
    }
    let shipment_actions = [
        ShipmentAction::StartPicking,
        ShipmentAction::Pack,
        ShipmentAction::Ship {
            carrier: Carrier::LocalCourier.name().into(),
            tracking_number: "PROBE1".into(),
            tracking_url: None,
        },
        ShipmentAction::MarkInTransit,
        ShipmentAction::MarkOutForDelivery,
        ShipmentAction::MarkDelivered,
        ShipmentAction::ReportException { kind: ExceptionKind::Other, note: String::new() },
        ShipmentAction::ResolveException,
        ShipmentAction::ReturnToSender,
        ShipmentAction::Cancel,
        ShipmentAction::Accept { ship_by: now.date_naive() + chrono::Days::new(7) },
        ShipmentAction::Reject { reason: "probe".into(), promised: Some(tomorrow) },
    ];
    for shipment in order.shipments() {
        for action in &shipment_actions {
            let command = Command::Shipment { shipment: shipment.id().to_owned(), action: action.clone() };
            if works(&command) {
                actions.push(Action {
                    shipment: Some(shipment.id().to_owned()),
                    ..Action::on_order(command.kind())
                });
            }
        }
    }
    // Receiving a parcel back from the carrier (writing it off is the probe: no location needed).
    for shipment in order.shipments() {
        let command = Command::ReceiveReturnedParcel { shipment: shipment.id().to_owned(), restock: None };
        if works(&command) {
            actions.push(Action {
                shipment: Some(shipment.id().to_owned()),
                ..Action::on_order(command.kind())
            });
        }
    }
    // Splitting off one unit, and merging with another parcel.
    for shipment in order.shipments() {
        let Some(first) = shipment.lines().first() else { continue };
        let split = Command::SplitShipment {
            shipment: shipment.id().to_owned(),
            lines: vec![super::ShipmentLine { line: first.line, quantity: 1 }],
        };
        if works(&split) {
            actions
                .push(Action { shipment: Some(shipment.id().to_owned()), ..Action::on_order(split.kind()) });
        }
        let mergeable = order.shipments().iter().filter(|other| other.id() != shipment.id()).any(|other| {
            works(&Command::MergeShipments {
                shipments: vec![shipment.id().to_owned(), other.id().to_owned()],
            })
        });
        if mergeable {
            actions.push(Action {
                shipment: Some(shipment.id().to_owned()),
                ..Action::on_order(ActionKind::MergeShipments)
            });
        }
    }
    // Cancelling one unit of a line, per line.
    for line in order.lines() {
        let command = Command::CancelLines {
            lines: vec![super::LineUnits { line: line.index(), quantity: 1 }],
            reason: "probe".into(),
        };
        if works(&command) {
            actions.push(Action { line: Some(line.index()), ..Action::on_order(command.kind()) });
        }
    }
    if let Ok(probe_location) = LocationId::parse("probe") {
        for line in order.lines() {
            for part in 0..line.parts().len() {
                let candidates = [
                    Command::AllocateBackorder { line: line.index(), part, location: probe_location.clone() },
                    Command::Backorder { line: line.index(), part, promised: tomorrow },
                    Command::Dropship { line: line.index(), part, supplier: "probe".into() },
                ];
                for command in candidates {
                    if works(&command) {
                        actions.push(Action {
                            line: Some(line.index()),
                            part: Some(part),
                            ..Action::on_order(command.kind())
                        });
                    }
                }
            }
        }
    }
    let can_return = order.lines().iter().any(|line| {
        works(&Command::RequestReturn {
            lines: vec![ReturnItem { line: line.index(), quantity: 1, reason: "probe".into() }],
        })
    });
    if can_return {
        actions.push(Action::on_order(ActionKind::RequestReturn));
    }
    let return_actions = [
        ReturnAction::Approve,
        ReturnAction::Reject { reason: "probe".into() },
        ReturnAction::Receive,
        ReturnAction::Refund,
        ReturnAction::Cancel,
    ];
    for case in order.returns() {
        for action in &return_actions {
            let command = Command::Return { rma: case.id().to_owned(), action: action.clone() };
            if works(&command) {
                actions.push(Action { rma: Some(case.id().to_owned()), ..Action::on_order(command.kind()) });
            }
        }
    }
    actions
}
