//! The line-availability state machine: whether an order line is allocated from stock, backordered or dropshipped.

use chrono::NaiveDate;

use super::{Machine, TransitionError};

/// How one order line will be served.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum LineAvailability {
    /// Reserved from stock at a location.
    Allocated { location: String },
    /// Waiting for stock, promised for a date.
    Backordered {
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
    },
    /// A supplier ships it straight to the customer.
    Dropshipped { supplier: String },
}

/// What can be asked of a line's availability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum AvailabilityCommand {
    /// Stock arrived (or was found) for a backordered or dropshipped line.
    Allocate { location: String },
    /// Stock was lost, a promise moved, or the supplier failed: promise a (new) date.
    Backorder {
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
    },
    /// Hand a backordered line to a supplier.
    Dropship { supplier: String },
}

/// The kind of an [`AvailabilityCommand`], without its data: what [`LineAvailability::allowed`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum AvailabilityCommandKind {
    Allocate,
    Backorder,
    Dropship,
}

impl AvailabilityCommandKind {
    pub const ALL: [AvailabilityCommandKind; 3] = [
        AvailabilityCommandKind::Allocate,
        AvailabilityCommandKind::Backorder,
        AvailabilityCommandKind::Dropship,
    ];

    /// Stable snake_case name: `allocate`, `backorder`, `dropship`.
    pub fn name(self) -> &'static str {
        match self {
            AvailabilityCommandKind::Allocate => "allocate",
            AvailabilityCommandKind::Backorder => "backorder",
            AvailabilityCommandKind::Dropship => "dropship",
        }
    }
}

impl AvailabilityCommand {
    pub fn kind(&self) -> AvailabilityCommandKind {
        match self {
            AvailabilityCommand::Allocate { .. } => AvailabilityCommandKind::Allocate,
            AvailabilityCommand::Backorder { .. } => AvailabilityCommandKind::Backorder,
            AvailabilityCommand::Dropship { .. } => AvailabilityCommandKind::Dropship,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

impl LineAvailability {
    /// Stable snake_case name: `allocated`, `backordered`, `dropshipped`.
    pub fn name(&self) -> &'static str {
        match self {
            LineAvailability::Allocated { .. } => "allocated",
            LineAvailability::Backordered { .. } => "backordered",
            LineAvailability::Dropshipped { .. } => "dropshipped",
        }
    }

    /// The transition table: whether a command of this kind is accepted in this state.
    pub fn can(&self, kind: AvailabilityCommandKind) -> bool {
        use AvailabilityCommandKind as K;
        match self {
            // Stock was lost after allocation.
            LineAvailability::Allocated { .. } => matches!(kind, K::Backorder),
            // Stock arrived, the promise moved, or a supplier takes over.
            LineAvailability::Backordered { .. } => {
                matches!(kind, K::Allocate | K::Backorder | K::Dropship)
            }
            // Stock turned up after all, or the supplier failed.
            LineAvailability::Dropshipped { .. } => matches!(kind, K::Allocate | K::Backorder),
        }
    }

    /// The availability after `command`, or why it is refused here.
    pub fn apply(&self, command: &AvailabilityCommand) -> Result<LineAvailability, TransitionError> {
        if !self.can(command.kind()) {
            return Err(TransitionError::new(Machine::LineAvailability, self.name(), command.name()));
        }
        Ok(match command {
            AvailabilityCommand::Allocate { location } => {
                LineAvailability::Allocated { location: location.clone() }
            }
            AvailabilityCommand::Backorder { promised } => {
                LineAvailability::Backordered { promised: *promised }
            }
            AvailabilityCommand::Dropship { supplier } => {
                LineAvailability::Dropshipped { supplier: supplier.clone() }
            }
        })
    }

    /// The command kinds accepted in this state, in [`AvailabilityCommandKind::ALL`] order.
    pub fn allowed(&self) -> Vec<AvailabilityCommandKind> {
        AvailabilityCommandKind::ALL.into_iter().filter(|k| self.can(*k)).collect()
    }

    /// Whether no command is accepted any more (never: a line can always lose or regain stock).
    pub fn is_terminal(&self) -> bool {
        self.allowed().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testing::{assert_covers_every_pair, assert_snake_case};
    use proptest::prelude::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    /// One sample of every state.
    fn every_state() -> Vec<LineAvailability> {
        vec![
            LineAvailability::Allocated { location: "berlin".into() },
            LineAvailability::Backordered { promised: day("2026-12-03") },
            LineAvailability::Dropshipped { supplier: "acme".into() },
        ]
    }

    /// One sample of every command.
    fn every_command() -> Vec<AvailabilityCommand> {
        vec![
            AvailabilityCommand::Allocate { location: "leipzig".into() },
            AvailabilityCommand::Backorder { promised: day("2026-12-24") },
            AvailabilityCommand::Dropship { supplier: "globex".into() },
        ]
    }

    const TABLE: [(&str, &str, Option<&str>); 9] = [
        ("allocated", "allocate", None),
        ("allocated", "backorder", Some("backordered")),
        ("allocated", "dropship", None),
        ("backordered", "allocate", Some("allocated")),
        ("backordered", "backorder", Some("backordered")),
        ("backordered", "dropship", Some("dropshipped")),
        ("dropshipped", "allocate", Some("allocated")),
        ("dropshipped", "backorder", Some("backordered")),
        ("dropshipped", "dropship", None),
    ];

    fn state(name: &str) -> LineAvailability {
        every_state().into_iter().find(|s| s.name() == name).unwrap()
    }

    fn command(name: &str) -> AvailabilityCommand {
        every_command().into_iter().find(|c| c.name() == name).unwrap()
    }

    #[test]
    fn every_state_and_command_is_sampled_once() {
        let states = every_state();
        for s in &states {
            // A new state fails to compile here: add it to `every_state` and to this match.
            match s {
                LineAvailability::Allocated { .. }
                | LineAvailability::Backordered { .. }
                | LineAvailability::Dropshipped { .. } => {}
            }
        }
        let names: std::collections::BTreeSet<_> = states.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), states.len());
        let kinds: Vec<_> = every_command().iter().map(|c| c.kind()).collect();
        assert_eq!(kinds, AvailabilityCommandKind::ALL);
    }

    #[test]
    fn the_table_decides_every_state_and_command_pair() {
        let pairs: Vec<_> = TABLE.iter().map(|(s, c, _)| (*s, *c)).collect();
        let states: Vec<_> = every_state().iter().map(|s| s.name()).collect();
        let commands: Vec<_> = AvailabilityCommandKind::ALL.iter().map(|k| k.name()).collect();
        assert_covers_every_pair(&pairs, &states, &commands);
    }

    #[test]
    fn every_transition_goes_where_the_table_says_and_carries_the_command_data() {
        for (from, cmd, expected) in TABLE {
            let command = command(cmd);
            let result = state(from).apply(&command);
            match expected {
                Some(to) => {
                    let next = result.unwrap();
                    assert_eq!(next.name(), to, "{from} × {cmd}");
                    // The new state holds exactly the command's data.
                    let carried = match (&next, &command) {
                        (
                            LineAvailability::Allocated { location },
                            AvailabilityCommand::Allocate { location: wanted },
                        ) => location == wanted,
                        (
                            LineAvailability::Backordered { promised },
                            AvailabilityCommand::Backorder { promised: wanted },
                        ) => promised == wanted,
                        (
                            LineAvailability::Dropshipped { supplier },
                            AvailabilityCommand::Dropship { supplier: wanted },
                        ) => supplier == wanted,
                        _ => false,
                    };
                    assert!(carried, "{from} × {cmd}");
                }
                None => assert_eq!(
                    result,
                    Err(TransitionError::new(Machine::LineAvailability, from, cmd)),
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
    fn a_backorder_can_be_promised_again_for_a_later_date() {
        let first = LineAvailability::Backordered { promised: day("2026-12-03") };
        let moved = first.apply(&AvailabilityCommand::Backorder { promised: day("2027-01-10") }).unwrap();
        assert_eq!(moved, LineAvailability::Backordered { promised: day("2027-01-10") });
    }

    #[test]
    fn an_allocated_line_cannot_be_dropshipped_directly() {
        let err = LineAvailability::Allocated { location: "berlin".into() }
            .apply(&AvailabilityCommand::Dropship { supplier: "acme".into() })
            .unwrap_err();
        assert_eq!(err.to_string(), "cannot dropship a line that is allocated");
    }

    #[test]
    fn names_are_stable_snake_case() {
        every_state().iter().for_each(|s| assert_snake_case(s.name()));
        AvailabilityCommandKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
    }

    fn any_command() -> impl Strategy<Value = AvailabilityCommand> {
        let days = (0u64..400).prop_map(|n| day("2026-11-27") + chrono::Days::new(n));
        prop_oneof![
            "[a-z]{1,8}".prop_map(|location| AvailabilityCommand::Allocate { location }),
            days.prop_map(|promised| AvailabilityCommand::Backorder { promised }),
            "[a-z]{1,8}".prop_map(|supplier| AvailabilityCommand::Dropship { supplier }),
        ]
    }

    proptest! {
        #[test]
        fn random_command_sequences_only_take_legal_transitions(
            commands in proptest::collection::vec(any_command(), 0..30),
        ) {
            let mut current = LineAvailability::Backordered { promised: day("2026-12-01") };
            for cmd in &commands {
                match current.apply(cmd) {
                    Ok(next) => {
                        prop_assert!(current.can(cmd.kind()));
                        // A line never goes from stock straight to a supplier.
                        prop_assert!(!(current.name() == "allocated" && next.name() == "dropshipped"));
                        current = next;
                    }
                    Err(err) => {
                        prop_assert!(!current.can(cmd.kind()));
                        prop_assert_eq!(err, TransitionError::new(Machine::LineAvailability, current.name(), cmd.name()));
                    }
                }
                prop_assert!(!current.is_terminal());
            }
        }
    }
}
