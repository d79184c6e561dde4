//! The return (RMA) state machine: requested → approved → received → refunded, or rejected or cancelled while requested.

use super::{Machine, TransitionError};

/// Where one return request stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ReturnState {
    /// The customer asked to send items back.
    Requested,
    /// The merchant agreed; the customer may send the parcel.
    Approved,
    /// The merchant refused, and told the customer why.
    Rejected { reason: String },
    /// The parcel arrived at the warehouse.
    Received,
    /// The money went back to the customer.
    Refunded,
    /// The customer withdrew the request.
    Cancelled,
}

/// What can be asked of a return.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ReturnCommand {
    Approve,
    Reject {
        reason: String,
    },
    Receive,
    Refund,
    /// Withdrawn by the customer.
    Cancel,
}

/// The kind of a [`ReturnCommand`], without its data: what [`ReturnState::allowed`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum ReturnCommandKind {
    Approve,
    Reject,
    Receive,
    Refund,
    Cancel,
}

impl ReturnCommandKind {
    pub const ALL: [ReturnCommandKind; 5] = [
        ReturnCommandKind::Approve,
        ReturnCommandKind::Reject,
        ReturnCommandKind::Receive,
        ReturnCommandKind::Refund,
        ReturnCommandKind::Cancel,
    ];

    /// Stable snake_case name: `approve`, `reject`, `receive`, `refund`, `cancel`.
    pub fn name(self) -> &'static str {
        match self {
            ReturnCommandKind::Approve => "approve",
            ReturnCommandKind::Reject => "reject",
            ReturnCommandKind::Receive => "receive",
            ReturnCommandKind::Refund => "refund",
            ReturnCommandKind::Cancel => "cancel",
        }
    }
}

impl ReturnCommand {
    pub fn kind(&self) -> ReturnCommandKind {
        match self {
            ReturnCommand::Approve => ReturnCommandKind::Approve,
            ReturnCommand::Reject { .. } => ReturnCommandKind::Reject,
            ReturnCommand::Receive => ReturnCommandKind::Receive,
            ReturnCommand::Refund => ReturnCommandKind::Refund,
            ReturnCommand::Cancel => ReturnCommandKind::Cancel,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

impl ReturnState {
    /// Stable snake_case name: `requested`, `approved`, `rejected`, `received`, `refunded`, `cancelled`.
    pub fn name(&self) -> &'static str {
        match self {
            ReturnState::Requested => "requested",
            ReturnState::Approved => "approved",
            ReturnState::Rejected { .. } => "rejected",
            ReturnState::Received => "received",
            ReturnState::Refunded => "refunded",
            ReturnState::Cancelled => "cancelled",
        }
    }

    /// The transition table: whether a command of this kind is accepted in this state.
    pub fn can(&self, kind: ReturnCommandKind) -> bool {
        use ReturnCommandKind as K;
        match self {
            ReturnState::Requested => matches!(kind, K::Approve | K::Reject | K::Cancel),
            ReturnState::Approved => matches!(kind, K::Receive),
            ReturnState::Received => matches!(kind, K::Refund),
            ReturnState::Rejected { .. } | ReturnState::Refunded | ReturnState::Cancelled => false,
        }
    }

    /// The state after `command`, or why it is refused here.
    pub fn apply(&self, command: &ReturnCommand) -> Result<ReturnState, TransitionError> {
        if !self.can(command.kind()) {
            return Err(TransitionError::new(Machine::Return, self.name(), command.name()));
        }
        Ok(match command {
            ReturnCommand::Approve => ReturnState::Approved,
            ReturnCommand::Reject { reason } => ReturnState::Rejected { reason: reason.clone() },
            ReturnCommand::Receive => ReturnState::Received,
            ReturnCommand::Refund => ReturnState::Refunded,
            ReturnCommand::Cancel => ReturnState::Cancelled,
        })
    }

    /// The command kinds accepted in this state, in [`ReturnCommandKind::ALL`] order.
    pub fn allowed(&self) -> Vec<ReturnCommandKind> {
        ReturnCommandKind::ALL.into_iter().filter(|k| self.can(*k)).collect()
    }

    /// Whether no command is accepted any more: rejected, refunded or cancelled.
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
    fn every_state() -> Vec<ReturnState> {
        vec![
            ReturnState::Requested,
            ReturnState::Approved,
            ReturnState::Rejected { reason: "worn".into() },
            ReturnState::Received,
            ReturnState::Refunded,
            ReturnState::Cancelled,
        ]
    }

    /// One sample of every command.
    fn every_command() -> Vec<ReturnCommand> {
        vec![
            ReturnCommand::Approve,
            ReturnCommand::Reject { reason: "past the return window".into() },
            ReturnCommand::Receive,
            ReturnCommand::Refund,
            ReturnCommand::Cancel,
        ]
    }

    /// Every (state, command) pair and the state it leads to; `None` means refused.
    const TABLE: [(&str, &str, Option<&str>); 30] = [
        ("requested", "approve", Some("approved")),
        ("requested", "reject", Some("rejected")),
        ("requested", "receive", None),
        ("requested", "refund", None),
        ("requested", "cancel", Some("cancelled")),
        ("approved", "approve", None),
        ("approved", "reject", None),
        ("approved", "receive", Some("received")),
        ("approved", "refund", None),
        ("approved", "cancel", None),
        ("rejected", "approve", None),
        ("rejected", "reject", None),
        ("rejected", "receive", None),
        ("rejected", "refund", None),
        ("rejected", "cancel", None),
        ("received", "approve", None),
        ("received", "reject", None),
        ("received", "receive", None),
        ("received", "refund", Some("refunded")),
        ("received", "cancel", None),
        ("refunded", "approve", None),
        ("refunded", "reject", None),
        ("refunded", "receive", None),
        ("refunded", "refund", None),
        ("refunded", "cancel", None),
        ("cancelled", "approve", None),
        ("cancelled", "reject", None),
        ("cancelled", "receive", None),
        ("cancelled", "refund", None),
        ("cancelled", "cancel", None),
    ];

    fn state(name: &str) -> ReturnState {
        every_state().into_iter().find(|s| s.name() == name).unwrap()
    }

    fn command(name: &str) -> ReturnCommand {
        every_command().into_iter().find(|c| c.name() == name).unwrap()
    }

    #[test]
    fn every_state_and_command_is_sampled_once() {
        let states = every_state();
        for s in &states {
            // A new state fails to compile here: add it to `every_state` and to this match.
            match s {
                ReturnState::Requested
                | ReturnState::Approved
                | ReturnState::Rejected { .. }
                | ReturnState::Received
                | ReturnState::Refunded
                | ReturnState::Cancelled => {}
            }
        }
        let names: std::collections::BTreeSet<_> = states.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), states.len());
        let kinds: Vec<_> = every_command().iter().map(|c| c.kind()).collect();
        assert_eq!(kinds, ReturnCommandKind::ALL);
    }

    #[test]
    fn the_table_decides_every_state_and_command_pair() {
        let pairs: Vec<_> = TABLE.iter().map(|(s, c, _)| (*s, *c)).collect();
        let states: Vec<_> = every_state().iter().map(|s| s.name()).collect();
        let commands: Vec<_> = ReturnCommandKind::ALL.iter().map(|k| k.name()).collect();
        assert_covers_every_pair(&pairs, &states, &commands);
    }

    #[test]
    fn every_transition_goes_where_the_table_says() {
        for (from, cmd, expected) in TABLE {
            let result = state(from).apply(&command(cmd));
            match expected {
                Some(to) => assert_eq!(result.map(|s| s.name()), Ok(to), "{from} × {cmd}"),
                None => assert_eq!(
                    result,
                    Err(TransitionError::new(Machine::Return, from, cmd)),
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
    fn a_rejection_keeps_its_reason() {
        let rejected = ReturnState::Requested
            .apply(&ReturnCommand::Reject { reason: "past the return window".into() })
            .unwrap();
        assert_eq!(rejected, ReturnState::Rejected { reason: "past the return window".into() });
        assert!(rejected.is_terminal());
    }

    #[test]
    fn a_customer_cannot_withdraw_a_return_once_approved() {
        let err = ReturnState::Approved.apply(&ReturnCommand::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "cannot cancel a return that is approved");
        let err = ReturnState::Requested.apply(&ReturnCommand::Refund).unwrap_err();
        assert_eq!(err.to_string(), "cannot refund a return that is requested");
    }

    #[test]
    fn names_are_stable_snake_case() {
        every_state().iter().for_each(|s| assert_snake_case(s.name()));
        ReturnCommandKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
    }

    fn any_command() -> impl Strategy<Value = ReturnCommand> {
        prop_oneof![
            proptest::sample::select(every_command()),
            "[a-z ]{0,20}".prop_map(|reason| ReturnCommand::Reject { reason }),
        ]
    }

    proptest! {
        #[test]
        fn random_command_sequences_only_take_legal_transitions(
            commands in proptest::collection::vec(any_command(), 0..20),
        ) {
            let mut current = ReturnState::Requested;
            let mut path = vec![current.name()];
            for cmd in &commands {
                match current.apply(cmd) {
                    Ok(next) => {
                        prop_assert!(current.can(cmd.kind()));
                        current = next;
                        path.push(current.name());
                    }
                    Err(err) => {
                        prop_assert!(!current.can(cmd.kind()));
                        prop_assert_eq!(err, TransitionError::new(Machine::Return, current.name(), cmd.name()));
                    }
                }
            }
            // Every run is a prefix of one of the three legal paths.
            let legal: [&[&str]; 3] = [
                &["requested", "approved", "received", "refunded"],
                &["requested", "rejected"],
                &["requested", "cancelled"],
            ];
            prop_assert!(legal.iter().any(|l| l.starts_with(&path)), "{:?}", path);
        }
    }
}
