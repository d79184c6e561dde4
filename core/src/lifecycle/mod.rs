//! The lifecycle of an order as five separate state machines (order, payment, shipment, line availability, return) sharing one transition error.
//!
//! Each machine has the same shape:
//! - a state type with `apply(&self, &Command) -> Result<State, _>` (pure: it returns the next state),
//!   `can(&self, CommandKind) -> bool`, `allowed(&self) -> Vec<CommandKind>` and `is_terminal()`;
//! - a command type whose `kind()` is a data-less [`OrderCommandKind`]-style enum with an `ALL` list;
//! - stable snake_case `name()`s for every state and command, used in messages and on the wire.
//!
//! `can` is the one transition table of each machine: `apply` refuses whatever `can` refuses, and
//! `allowed` / `is_terminal` are read from `can`, so the three never disagree.

mod availability;
mod order;
mod payment;
mod rma;
mod shipment;

pub use availability::{AvailabilityCommand, AvailabilityCommandKind, LineAvailability};
pub use order::{OrderCommand, OrderCommandKind, OrderState};
pub use payment::{Payment, PaymentCommand, PaymentCommandKind, PaymentError, PaymentRecord, PaymentStatus};
pub use rma::{ReturnCommand, ReturnCommandKind, ReturnState};
pub use shipment::{ExceptionKind, ShipmentCommand, ShipmentCommandKind, ShipmentState};

/// Which of the lifecycle state machines a transition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum Machine {
    Order,
    Payment,
    Shipment,
    LineAvailability,
    Return,
}

impl Machine {
    pub const ALL: [Machine; 5] =
        [Machine::Order, Machine::Payment, Machine::Shipment, Machine::LineAvailability, Machine::Return];

    /// Stable snake_case name: `order`, `payment`, `shipment`, `line_availability`, `return`.
    pub fn name(self) -> &'static str {
        match self {
            Machine::Order => "order",
            Machine::Payment => "payment",
            Machine::Shipment => "shipment",
            Machine::LineAvailability => "line_availability",
            Machine::Return => "return",
        }
    }

    /// What the machine is about, with its article, as used in messages: `a shipment`, `an order`.
    pub fn noun(self) -> &'static str {
        match self {
            Machine::Order => "an order",
            Machine::Payment => "a payment",
            Machine::Shipment => "a shipment",
            Machine::LineAvailability => "a line",
            Machine::Return => "a return",
        }
    }
}

/// A command that the current state does not accept, e.g. shipping a shipment that is still being picked.
///
/// `state` and `command` are the stable snake_case names of the refused pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot {} {} that is {}",
    command_phrase(self.command),
    self.machine.noun(),
    state_phrase(self.state)
)]
pub struct TransitionError {
    pub machine: Machine,
    /// Name of the state the command was refused in (`picking`).
    pub state: &'static str,
    /// Name of the refused command (`ship`).
    pub command: &'static str,
}

impl TransitionError {
    pub const fn new(machine: Machine, state: &'static str, command: &'static str) -> Self {
        TransitionError { machine, state, command }
    }
}

/// A command name as a verb phrase: `mark_delivered` → `mark delivered`.
fn command_phrase(command: &str) -> String {
    match command {
        "report_exception" => "report an exception on".to_owned(),
        "resolve_exception" => "resolve an exception on".to_owned(),
        other => other.replace('_', " "),
    }
}

/// A state name as what follows "that is": `out_for_delivery` → `out for delivery`.
fn state_phrase(state: &str) -> String {
    match state {
        "exception" => "held up by an exception".to_owned(),
        other => other.replace('_', " "),
    }
}

/// Helpers shared by the machines' table-driven tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeSet;

    /// Asserts that `table` holds exactly one row for every (state, command) pair of names.
    pub(crate) fn assert_covers_every_pair(
        table: &[(&'static str, &'static str)],
        states: &[&'static str],
        commands: &[&'static str],
    ) {
        let mut seen = BTreeSet::new();
        for pair in table {
            assert!(seen.insert(*pair), "the table lists {pair:?} twice");
        }
        for state in states {
            for command in commands {
                assert!(
                    seen.contains(&(*state, *command)),
                    "the table does not decide what `{command}` does to `{state}`"
                );
            }
        }
        assert_eq!(
            seen.len(),
            states.len() * commands.len(),
            "the table lists pairs that are not (state, command) pairs"
        );
    }

    /// Asserts that a name is non-empty snake_case.
    pub(crate) fn assert_snake_case(name: &str) {
        assert!(
            !name.is_empty()
                && !name.starts_with('_')
                && !name.ends_with('_')
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "`{name}` is not snake_case"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_errors_read_as_a_sentence() {
        let err = TransitionError::new(Machine::Shipment, "picking", "ship");
        assert_eq!(err.to_string(), "cannot ship a shipment that is picking");
        let err = TransitionError::new(Machine::Shipment, "delivered", "mark_out_for_delivery");
        assert_eq!(err.to_string(), "cannot mark out for delivery a shipment that is delivered");
        let err = TransitionError::new(Machine::Order, "completed", "cancel");
        assert_eq!(err.to_string(), "cannot cancel an order that is completed");
    }

    #[test]
    fn exception_states_and_commands_are_phrased_by_hand() {
        let err = TransitionError::new(Machine::Shipment, "exception", "ship");
        assert_eq!(err.to_string(), "cannot ship a shipment that is held up by an exception");
        let err = TransitionError::new(Machine::Shipment, "pending", "report_exception");
        assert_eq!(err.to_string(), "cannot report an exception on a shipment that is pending");
    }

    #[test]
    fn machine_names_are_stable_snake_case() {
        let names: Vec<&str> = Machine::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names, ["order", "payment", "shipment", "line_availability", "return"]);
        names.iter().for_each(|n| testing::assert_snake_case(n));
    }
}
