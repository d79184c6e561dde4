//! The shipment state machine: from picking to delivery, with carrier exceptions, return to sender and cancellation.
//!
//! Only states live here; the carrier, tracking number and parcels belong to the shipment aggregate.

use super::{Machine, TransitionError};

/// What went wrong in the carrier's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum ExceptionKind {
    Damaged,
    Lost,
    AddressProblem,
    Delayed,
    Other,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 5] = [
        ExceptionKind::Damaged,
        ExceptionKind::Lost,
        ExceptionKind::AddressProblem,
        ExceptionKind::Delayed,
        ExceptionKind::Other,
    ];

    /// Stable snake_case name: `damaged`, `lost`, `address_problem`, `delayed`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            ExceptionKind::Damaged => "damaged",
            ExceptionKind::Lost => "lost",
            ExceptionKind::AddressProblem => "address_problem",
            ExceptionKind::Delayed => "delayed",
            ExceptionKind::Other => "other",
        }
    }
}

/// Where one shipment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ShipmentState {
    /// Created, waiting for the warehouse.
    Pending,
    /// Items are being picked from the shelves.
    Picking,
    /// Boxed and labelled, waiting for the carrier.
    Packed,
    /// Handed to the carrier.
    Shipped,
    /// Moving through the carrier's network.
    InTransit,
    /// On the delivery vehicle.
    OutForDelivery,
    /// Received by the customer.
    Delivered,
    /// The carrier reported a problem; resolved back to in transit or returned to sender.
    Exception { kind: ExceptionKind },
    /// The carrier brought it back to the warehouse.
    ReturnedToSender,
    /// Called off before it left the warehouse.
    Cancelled,
}

/// What can be asked of a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ShipmentCommand {
    StartPicking,
    Pack,
    Ship,
    MarkInTransit,
    MarkOutForDelivery,
    MarkDelivered,
    ReportException { kind: ExceptionKind },
    ResolveException,
    ReturnToSender,
    Cancel,
}

/// The kind of a [`ShipmentCommand`], without its data: what [`ShipmentState::allowed`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum ShipmentCommandKind {
    StartPicking,
    Pack,
    Ship,
    MarkInTransit,
    MarkOutForDelivery,
    MarkDelivered,
    ReportException,
    ResolveException,
    ReturnToSender,
    Cancel,
}

impl ShipmentCommandKind {
    pub const ALL: [ShipmentCommandKind; 10] = [
        ShipmentCommandKind::StartPicking,
        ShipmentCommandKind::Pack,
        ShipmentCommandKind::Ship,
        ShipmentCommandKind::MarkInTransit,
        ShipmentCommandKind::MarkOutForDelivery,
        ShipmentCommandKind::MarkDelivered,
        ShipmentCommandKind::ReportException,
        ShipmentCommandKind::ResolveException,
        ShipmentCommandKind::ReturnToSender,
        ShipmentCommandKind::Cancel,
    ];

    /// Stable snake_case name, e.g. `mark_delivered`.
    pub fn name(self) -> &'static str {
        match self {
            ShipmentCommandKind::StartPicking => "start_picking",
            ShipmentCommandKind::Pack => "pack",
            ShipmentCommandKind::Ship => "ship",
            ShipmentCommandKind::MarkInTransit => "mark_in_transit",
            ShipmentCommandKind::MarkOutForDelivery => "mark_out_for_delivery",
            ShipmentCommandKind::MarkDelivered => "mark_delivered",
            ShipmentCommandKind::ReportException => "report_exception",
            ShipmentCommandKind::ResolveException => "resolve_exception",
            ShipmentCommandKind::ReturnToSender => "return_to_sender",
            ShipmentCommandKind::Cancel => "cancel",
        }
    }
}

impl ShipmentCommand {
    pub fn kind(&self) -> ShipmentCommandKind {
        match self {
            ShipmentCommand::StartPicking => ShipmentCommandKind::StartPicking,
            ShipmentCommand::Pack => ShipmentCommandKind::Pack,
            ShipmentCommand::Ship => ShipmentCommandKind::Ship,
            ShipmentCommand::MarkInTransit => ShipmentCommandKind::MarkInTransit,
            ShipmentCommand::MarkOutForDelivery => ShipmentCommandKind::MarkOutForDelivery,
            ShipmentCommand::MarkDelivered => ShipmentCommandKind::MarkDelivered,
            ShipmentCommand::ReportException { .. } => ShipmentCommandKind::ReportException,
            ShipmentCommand::ResolveException => ShipmentCommandKind::ResolveException,
            ShipmentCommand::ReturnToSender => ShipmentCommandKind::ReturnToSender,
            ShipmentCommand::Cancel => ShipmentCommandKind::Cancel,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

impl ShipmentState {
    /// Stable snake_case name, e.g. `out_for_delivery`.
    pub fn name(&self) -> &'static str {
        match self {
            ShipmentState::Pending => "pending",
            ShipmentState::Picking => "picking",
            ShipmentState::Packed => "packed",
            ShipmentState::Shipped => "shipped",
            ShipmentState::InTransit => "in_transit",
            ShipmentState::OutForDelivery => "out_for_delivery",
            ShipmentState::Delivered => "delivered",
            ShipmentState::Exception { .. } => "exception",
            ShipmentState::ReturnedToSender => "returned_to_sender",
            ShipmentState::Cancelled => "cancelled",
        }
    }

    /// The transition table: whether a command of this kind is accepted in this state.
    pub fn can(&self, kind: ShipmentCommandKind) -> bool {
        use ShipmentCommandKind as K;
        match self {
            ShipmentState::Pending => matches!(kind, K::StartPicking | K::Cancel),
            ShipmentState::Picking => matches!(kind, K::Pack | K::Cancel),
            ShipmentState::Packed => matches!(kind, K::Ship | K::Cancel),
            ShipmentState::Shipped => matches!(
                kind,
                K::MarkInTransit | K::MarkOutForDelivery | K::MarkDelivered | K::ReportException
            ),
            ShipmentState::InTransit => {
                matches!(kind, K::MarkOutForDelivery | K::MarkDelivered | K::ReportException)
            }
            ShipmentState::OutForDelivery => {
                matches!(kind, K::MarkDelivered | K::ReportException)
            }
            ShipmentState::Exception { .. } => {
                matches!(kind, K::ResolveException | K::ReturnToSender)
            }
            ShipmentState::Delivered | ShipmentState::ReturnedToSender | ShipmentState::Cancelled => false,
        }
    }

    /// The state after `command`, or why it is refused here.
    pub fn apply(&self, command: &ShipmentCommand) -> Result<ShipmentState, TransitionError> {
        if !self.can(command.kind()) {
            return Err(TransitionError::new(Machine::Shipment, self.name(), command.name()));
        }
        Ok(match command {
            ShipmentCommand::StartPicking => ShipmentState::Picking,
            ShipmentCommand::Pack => ShipmentState::Packed,
            ShipmentCommand::Ship => ShipmentState::Shipped,
            ShipmentCommand::MarkInTransit | ShipmentCommand::ResolveException => ShipmentState::InTransit,
            ShipmentCommand::MarkOutForDelivery => ShipmentState::OutForDelivery,
            ShipmentCommand::MarkDelivered => ShipmentState::Delivered,
            ShipmentCommand::ReportException { kind } => ShipmentState::Exception { kind: *kind },
            ShipmentCommand::ReturnToSender => ShipmentState::ReturnedToSender,
            ShipmentCommand::Cancel => ShipmentState::Cancelled,
        })
    }

    /// The command kinds accepted in this state, in [`ShipmentCommandKind::ALL`] order.
    pub fn allowed(&self) -> Vec<ShipmentCommandKind> {
        ShipmentCommandKind::ALL.into_iter().filter(|k| self.can(*k)).collect()
    }

    /// Whether no command is accepted any more: delivered, returned to sender or cancelled.
    pub fn is_terminal(&self) -> bool {
        self.allowed().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testing::{assert_covers_every_pair, assert_snake_case};
    use proptest::prelude::*;

    /// One sample of every state.
    fn every_state() -> Vec<ShipmentState> {
        vec![
            ShipmentState::Pending,
            ShipmentState::Picking,
            ShipmentState::Packed,
            ShipmentState::Shipped,
            ShipmentState::InTransit,
            ShipmentState::OutForDelivery,
            ShipmentState::Delivered,
            ShipmentState::Exception { kind: ExceptionKind::Lost },
            ShipmentState::ReturnedToSender,
            ShipmentState::Cancelled,
        ]
    }

    /// One sample of every command.
    fn every_command() -> Vec<ShipmentCommand> {
        vec![
            ShipmentCommand::StartPicking,
            ShipmentCommand::Pack,
            ShipmentCommand::Ship,
            ShipmentCommand::MarkInTransit,
            ShipmentCommand::MarkOutForDelivery,
            ShipmentCommand::MarkDelivered,
            ShipmentCommand::ReportException { kind: ExceptionKind::Damaged },
            ShipmentCommand::ResolveException,
            ShipmentCommand::ReturnToSender,
            ShipmentCommand::Cancel,
        ]
    }

    const ILLEGAL: Option<&str> = None;

    /// Every (state, command) pair and the state it leads to; `None` means refused.
    #[rustfmt::skip]
    const TABLE: [(&str, &str, Option<&str>); 100] = [
        ("pending", "start_picking", Some("picking")),
        ("pending", "pack", ILLEGAL),
        ("pending", "ship", ILLEGAL),
        ("pending", "mark_in_transit", ILLEGAL),
        ("pending", "mark_out_for_delivery", ILLEGAL),
        ("pending", "mark_delivered", ILLEGAL),
        ("pending", "report_exception", ILLEGAL),
        ("pending", "resolve_exception", ILLEGAL),
        ("pending", "return_to_sender", ILLEGAL),
        ("pending", "cancel", Some("cancelled")),

        ("picking", "start_picking", ILLEGAL),
        ("picking", "pack", Some("packed")),
        ("picking", "ship", ILLEGAL),
        ("picking", "mark_in_transit", ILLEGAL),
        ("picking", "mark_out_for_delivery", ILLEGAL),
        ("picking", "mark_delivered", ILLEGAL),
        ("picking", "report_exception", ILLEGAL),
        ("picking", "resolve_exception", ILLEGAL),
        ("picking", "return_to_sender", ILLEGAL),
        ("picking", "cancel", Some("cancelled")),

        ("packed", "start_picking", ILLEGAL),
        ("packed", "pack", ILLEGAL),
        ("packed", "ship", Some("shipped")),
        ("packed", "mark_in_transit", ILLEGAL),
        ("packed", "mark_out_for_delivery", ILLEGAL),
        ("packed", "mark_delivered", ILLEGAL),
        ("packed", "report_exception", ILLEGAL),
        ("packed", "resolve_exception", ILLEGAL),
        ("packed", "return_to_sender", ILLEGAL),
        ("packed", "cancel", Some("cancelled")),

        ("shipped", "start_picking", ILLEGAL),
        ("shipped", "pack", ILLEGAL),
        ("shipped", "ship", ILLEGAL),
        ("shipped", "mark_in_transit", Some("in_transit")),
        ("shipped", "mark_out_for_delivery", Some("out_for_delivery")),
        ("shipped", "mark_delivered", Some("delivered")),
        ("shipped", "report_exception", Some("exception")),
        ("shipped", "resolve_exception", ILLEGAL),
        ("shipped", "return_to_sender", ILLEGAL),
        ("shipped", "cancel", ILLEGAL),

        ("in_transit", "start_picking", ILLEGAL),
        ("in_transit", "pack", ILLEGAL),
        ("in_transit", "ship", ILLEGAL),
        ("in_transit", "mark_in_transit", ILLEGAL),
        ("in_transit", "mark_out_for_delivery", Some("out_for_delivery")),
        ("in_transit", "mark_delivered", Some("delivered")),
        ("in_transit", "report_exception", Some("exception")),
        ("in_transit", "resolve_exception", ILLEGAL),
        ("in_transit", "return_to_sender", ILLEGAL),
        ("in_transit", "cancel", ILLEGAL),

        ("out_for_delivery", "start_picking", ILLEGAL),
        ("out_for_delivery", "pack", ILLEGAL),
        ("out_for_delivery", "ship", ILLEGAL),
        ("out_for_delivery", "mark_in_transit", ILLEGAL),
        ("out_for_delivery", "mark_out_for_delivery", ILLEGAL),
        ("out_for_delivery", "mark_delivered", Some("delivered")),
        ("out_for_delivery", "report_exception", Some("exception")),
        ("out_for_delivery", "resolve_exception", ILLEGAL),
        ("out_for_delivery", "return_to_sender", ILLEGAL),
        ("out_for_delivery", "cancel", ILLEGAL),

        ("delivered", "start_picking", ILLEGAL),
        ("delivered", "pack", ILLEGAL),
        ("delivered", "ship", ILLEGAL),
        ("delivered", "mark_in_transit", ILLEGAL),
        ("delivered", "mark_out_for_delivery", ILLEGAL),
        ("delivered", "mark_delivered", ILLEGAL),
        ("delivered", "report_exception", ILLEGAL),
        ("delivered", "resolve_exception", ILLEGAL),
        ("delivered", "return_to_sender", ILLEGAL),
        ("delivered", "cancel", ILLEGAL),

        ("exception", "start_picking", ILLEGAL),
        ("exception", "pack", ILLEGAL),
        ("exception", "ship", ILLEGAL),
        ("exception", "mark_in_transit", ILLEGAL),
        ("exception", "mark_out_for_delivery", ILLEGAL),
        ("exception", "mark_delivered", ILLEGAL),
        ("exception", "report_exception", ILLEGAL),
        ("exception", "resolve_exception", Some("in_transit")),
        ("exception", "return_to_sender", Some("returned_to_sender")),
        ("exception", "cancel", ILLEGAL),

        ("returned_to_sender", "start_picking", ILLEGAL),
        ("returned_to_sender", "pack", ILLEGAL),
        ("returned_to_sender", "ship", ILLEGAL),
        ("returned_to_sender", "mark_in_transit", ILLEGAL),
        ("returned_to_sender", "mark_out_for_delivery", ILLEGAL),
        ("returned_to_sender", "mark_delivered", ILLEGAL),
        ("returned_to_sender", "report_exception", ILLEGAL),
        ("returned_to_sender", "resolve_exception", ILLEGAL),
        ("returned_to_sender", "return_to_sender", ILLEGAL),
        ("returned_to_sender", "cancel", ILLEGAL),

        ("cancelled", "start_picking", ILLEGAL),
        ("cancelled", "pack", ILLEGAL),
        ("cancelled", "ship", ILLEGAL),
        ("cancelled", "mark_in_transit", ILLEGAL),
        ("cancelled", "mark_out_for_delivery", ILLEGAL),
        ("cancelled", "mark_delivered", ILLEGAL),
        ("cancelled", "report_exception", ILLEGAL),
        ("cancelled", "resolve_exception", ILLEGAL),
        ("cancelled", "return_to_sender", ILLEGAL),
        ("cancelled", "cancel", ILLEGAL),
    ];

    fn state(name: &str) -> ShipmentState {
        every_state().into_iter().find(|s| s.name() == name).unwrap()
    }

    fn command(name: &str) -> ShipmentCommand {
        every_command().into_iter().find(|c| c.name() == name).unwrap()
    }

    #[test]
    fn every_state_and_command_is_sampled_once() {
        let states = every_state();
        for s in &states {
            // A new state fails to compile here: add it to `every_state` and to this match.
            match s {
                ShipmentState::Pending
                | ShipmentState::Picking
                | ShipmentState::Packed
                | ShipmentState::Shipped
                | ShipmentState::InTransit
                | ShipmentState::OutForDelivery
                | ShipmentState::Delivered
                | ShipmentState::Exception { .. }
                | ShipmentState::ReturnedToSender
                | ShipmentState::Cancelled => {}
            }
        }
        let names: std::collections::BTreeSet<_> = states.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), states.len());
        let kinds: Vec<_> = every_command().iter().map(|c| c.kind()).collect();
        assert_eq!(kinds, ShipmentCommandKind::ALL);
    }

    #[test]
    fn the_table_decides_every_state_and_command_pair() {
        let pairs: Vec<_> = TABLE.iter().map(|(s, c, _)| (*s, *c)).collect();
        let states: Vec<_> = every_state().iter().map(|s| s.name()).collect();
        let commands: Vec<_> = ShipmentCommandKind::ALL.iter().map(|k| k.name()).collect();
        assert_covers_every_pair(&pairs, &states, &commands);
    }

    #[test]
    fn every_transition_goes_where_the_table_says() {
        for (from, cmd, expected) in TABLE {
            let result = state(from).apply(&command(cmd));
            match expected {
                Some(to) => {
                    assert_eq!(result.map(|s| s.name()), Ok(to), "{from} × {cmd}")
                }
                None => assert_eq!(
                    result,
                    Err(TransitionError::new(Machine::Shipment, from, cmd)),
                    "{from} × {cmd}"
                ),
            }
        }
    }

    #[test]
    fn allowed_lists_exactly_the_commands_apply_accepts() {
        for s in every_state() {
            let accepted: Vec<_> =
                every_command().iter().filter(|c| s.apply(c).is_ok()).map(|c| c.kind()).collect();
            assert_eq!(s.allowed(), accepted, "{}", s.name());
            assert_eq!(s.is_terminal(), accepted.is_empty());
        }
    }

    #[test]
    fn delivered_returned_and_cancelled_shipments_are_terminal() {
        let terminal: Vec<_> =
            every_state().into_iter().filter(|s| s.is_terminal()).map(|s| s.name()).collect();
        assert_eq!(terminal, ["delivered", "returned_to_sender", "cancelled"]);
    }

    #[test]
    fn an_exception_remembers_what_went_wrong() {
        let state = ShipmentState::InTransit
            .apply(&ShipmentCommand::ReportException { kind: ExceptionKind::AddressProblem })
            .unwrap();
        assert_eq!(state, ShipmentState::Exception { kind: ExceptionKind::AddressProblem });
        assert_eq!(state.apply(&ShipmentCommand::ResolveException), Ok(ShipmentState::InTransit));
    }

    #[test]
    fn shipping_before_packing_is_refused_with_a_readable_message() {
        let err = ShipmentState::Picking.apply(&ShipmentCommand::Ship).unwrap_err();
        assert_eq!(err.to_string(), "cannot ship a shipment that is picking");
        let err = ShipmentState::Delivered.apply(&ShipmentCommand::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "cannot cancel a shipment that is delivered");
    }

    #[test]
    fn names_are_stable_snake_case() {
        every_state().iter().for_each(|s| assert_snake_case(s.name()));
        ShipmentCommandKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
        ExceptionKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
    }

    fn any_command() -> impl Strategy<Value = ShipmentCommand> {
        let report = proptest::sample::select(ExceptionKind::ALL.to_vec())
            .prop_map(|kind| ShipmentCommand::ReportException { kind });
        prop_oneof![proptest::sample::select(every_command()), report]
    }

    proptest! {
        #[test]
        fn random_command_sequences_only_take_legal_transitions(
            commands in proptest::collection::vec(any_command(), 0..40),
        ) {
            let mut current = ShipmentState::Pending;
            let mut shipped = false;
            for cmd in &commands {
                match current.apply(cmd) {
                    Ok(next) => {
                        prop_assert!(current.can(cmd.kind()));
                        prop_assert!(!current.is_terminal());
                        shipped |= next == ShipmentState::Shipped;
                        current = next;
                    }
                    Err(err) => {
                        prop_assert!(!current.can(cmd.kind()));
                        prop_assert_eq!(err, TransitionError::new(Machine::Shipment, current.name(), cmd.name()));
                    }
                }
                // Nothing reaches the carrier's states without having been shipped, and a
                // shipped parcel can no longer be cancelled.
                let with_carrier = matches!(
                    current,
                    ShipmentState::Shipped
                        | ShipmentState::InTransit
                        | ShipmentState::OutForDelivery
                        | ShipmentState::Delivered
                        | ShipmentState::Exception { .. }
                        | ShipmentState::ReturnedToSender
                );
                prop_assert_eq!(with_carrier, shipped);
                prop_assert!(!(shipped && current == ShipmentState::Cancelled));
            }
        }
    }
}
