//! The order's own state machine: placed → confirmed → completed, or cancelled before completion.

use super::{Machine, TransitionError};

/// Where the order itself stands; payment, shipments, lines and returns have their own machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum OrderState {
    /// Accepted from the customer, not yet reviewed.
    Placed,
    /// Reviewed and committed to: stock is reserved, fulfilment may start.
    Confirmed,
    /// Everything was delivered (or otherwise settled).
    Completed,
    /// Called off before completion.
    Cancelled,
}

/// What can be asked of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum OrderCommand {
    Confirm,
    Complete,
    Cancel,
}

/// The kind of an [`OrderCommand`], without its data: what [`OrderState::allowed`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum OrderCommandKind {
    Confirm,
    Complete,
    Cancel,
}

impl OrderCommandKind {
    pub const ALL: [OrderCommandKind; 3] =
        [OrderCommandKind::Confirm, OrderCommandKind::Complete, OrderCommandKind::Cancel];

    /// Stable snake_case name: `confirm`, `complete`, `cancel`.
    pub fn name(self) -> &'static str {
        match self {
            OrderCommandKind::Confirm => "confirm",
            OrderCommandKind::Complete => "complete",
            OrderCommandKind::Cancel => "cancel",
        }
    }
}

impl OrderCommand {
    pub fn kind(&self) -> OrderCommandKind {
        match self {
            OrderCommand::Confirm => OrderCommandKind::Confirm,
            OrderCommand::Complete => OrderCommandKind::Complete,
            OrderCommand::Cancel => OrderCommandKind::Cancel,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

impl OrderState {
    pub const ALL: [OrderState; 4] =
        [OrderState::Placed, OrderState::Confirmed, OrderState::Completed, OrderState::Cancelled];

    /// Stable snake_case name: `placed`, `confirmed`, `completed`, `cancelled`.
    pub fn name(&self) -> &'static str {
        match self {
            OrderState::Placed => "placed",
            OrderState::Confirmed => "confirmed",
            OrderState::Completed => "completed",
            OrderState::Cancelled => "cancelled",
        }
    }

    /// The transition table: whether a command of this kind is accepted in this state.
    pub fn can(&self, kind: OrderCommandKind) -> bool {
        use OrderCommandKind as K;
        match self {
            OrderState::Placed => matches!(kind, K::Confirm | K::Cancel),
            OrderState::Confirmed => matches!(kind, K::Complete | K::Cancel),
            OrderState::Completed | OrderState::Cancelled => false,
        }
    }

    /// The state after `command`, or why it is refused here.
    pub fn apply(&self, command: &OrderCommand) -> Result<OrderState, TransitionError> {
        if !self.can(command.kind()) {
            return Err(TransitionError::new(Machine::Order, self.name(), command.name()));
        }
        Ok(match command {
            OrderCommand::Confirm => OrderState::Confirmed,
            OrderCommand::Complete => OrderState::Completed,
            OrderCommand::Cancel => OrderState::Cancelled,
        })
    }

    /// The command kinds accepted in this state, in [`OrderCommandKind::ALL`] order.
    pub fn allowed(&self) -> Vec<OrderCommandKind> {
        OrderCommandKind::ALL.into_iter().filter(|k| self.can(*k)).collect()
    }

    /// Whether no command is accepted any more.
    pub fn is_terminal(&self) -> bool {
        self.allowed().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testing::{assert_covers_every_pair, assert_snake_case};
    use proptest::prelude::*;

    /// Every (state, command) pair and what it leads to; `None` means refused.
    const TABLE: [(&str, &str, Option<&str>); 12] = [
        ("placed", "confirm", Some("confirmed")),
        ("placed", "complete", None),
        ("placed", "cancel", Some("cancelled")),
        ("confirmed", "confirm", None),
        ("confirmed", "complete", Some("completed")),
        ("confirmed", "cancel", Some("cancelled")),
        ("completed", "confirm", None),
        ("completed", "complete", None),
        ("completed", "cancel", None),
        ("cancelled", "confirm", None),
        ("cancelled", "complete", None),
        ("cancelled", "cancel", None),
    ];

    const COMMANDS: [OrderCommand; 3] = [OrderCommand::Confirm, OrderCommand::Complete, OrderCommand::Cancel];

    fn state(name: &str) -> OrderState {
        OrderState::ALL.into_iter().find(|s| s.name() == name).unwrap()
    }

    fn command(name: &str) -> OrderCommand {
        COMMANDS.into_iter().find(|c| c.name() == name).unwrap()
    }

    #[test]
    fn the_table_decides_every_state_and_command_pair() {
        let pairs: Vec<_> = TABLE.iter().map(|(s, c, _)| (*s, *c)).collect();
        let states: Vec<_> = OrderState::ALL.iter().map(|s| s.name()).collect();
        let commands: Vec<_> = OrderCommandKind::ALL.iter().map(|k| k.name()).collect();
        assert_covers_every_pair(&pairs, &states, &commands);
        let sampled: Vec<_> = COMMANDS.iter().map(|c| c.kind()).collect();
        assert_eq!(sampled, OrderCommandKind::ALL);
    }

    #[test]
    fn every_transition_goes_where_the_table_says() {
        for (from, cmd, expected) in TABLE {
            let result = state(from).apply(&command(cmd));
            match expected {
                Some(to) => assert_eq!(result, Ok(state(to)), "{from} × {cmd}"),
                None => {
                    assert_eq!(result, Err(TransitionError::new(Machine::Order, from, cmd)), "{from} × {cmd}")
                }
            }
        }
    }

    #[test]
    fn allowed_lists_exactly_the_commands_apply_accepts() {
        for s in OrderState::ALL {
            let accepted: Vec<_> = COMMANDS.iter().filter(|c| s.apply(c).is_ok()).map(|c| c.kind()).collect();
            assert_eq!(s.allowed(), accepted, "{}", s.name());
            assert_eq!(s.is_terminal(), accepted.is_empty());
        }
    }

    #[test]
    fn only_completed_and_cancelled_orders_are_terminal() {
        let terminal: Vec<_> = OrderState::ALL.into_iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal, [OrderState::Completed, OrderState::Cancelled]);
    }

    #[test]
    fn a_completed_order_cannot_be_cancelled() {
        let err = OrderState::Completed.apply(&OrderCommand::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "cannot cancel an order that is completed");
    }

    #[test]
    fn names_are_stable_snake_case() {
        OrderState::ALL.iter().for_each(|s| assert_snake_case(s.name()));
        OrderCommandKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
    }

    fn any_command() -> impl Strategy<Value = OrderCommand> {
        proptest::sample::select(COMMANDS.to_vec())
    }

    proptest! {
        #[test]
        fn random_command_sequences_only_take_legal_transitions(
            commands in proptest::collection::vec(any_command(), 0..20),
        ) {
            let mut current = OrderState::Placed;
            let mut confirmed = false;
            for cmd in &commands {
                match current.apply(cmd) {
                    Ok(next) => {
                        prop_assert!(current.can(cmd.kind()));
                        confirmed |= next == OrderState::Confirmed;
                        current = next;
                    }
                    Err(err) => {
                        prop_assert!(!current.can(cmd.kind()));
                        prop_assert_eq!(err, TransitionError::new(Machine::Order, current.name(), cmd.name()));
                    }
                }
                // Only a confirmed order can complete.
                prop_assert!(current != OrderState::Completed || confirmed);
            }
        }
    }
}
