//! The backorder queue: the order in which received stock serves backordered parts (strictly
//! oldest first: a part the stock cannot fill stops the queue, so a younger, smaller order never
//! jumps it), and what an order's new events do to its parts waiting in the queue.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Order, OrderEvent, TimelineEntry};
use crate::lifecycle::LineAvailability;

/// Where a backordered part stands in the queue: the time its order was placed, then the order
/// id, line and part (so two parts never tie).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueuePlace<'a> {
    pub placed_at: DateTime<Utc>,
    pub order_id: &'a str,
    pub line: usize,
    pub part: usize,
}

/// Sorts `waiting` into the order received stock serves it: oldest first.
pub fn queue<T>(waiting: &mut [T], place: impl Fn(&T) -> QueuePlace<'_>) {
    waiting.sort_by(|a, b| place(a).cmp(&place(b)));
}

/// Whether `free` units serve a waiting part of `wanted` units now. When they do not, serving
/// stops there: the units wait for that part, not for the younger ones behind it.
pub fn serves(free: i64, wanted: i64) -> bool {
    wanted > 0 && free >= wanted
}

/// What new events do to an order's parts waiting in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueChange {
    /// The order was cancelled: every part it has waiting leaves the queue.
    LeaveAll,
    /// Units of a waiting part were cancelled: it now waits for `quantity` units, or leaves the
    /// queue when none are left.
    Shrink { line: usize, part: usize, quantity: u32 },
    /// A part waits for stock (again, or for a new day): it is in the queue for `quantity` units
    /// promised for `promised`, at its order's place.
    Wait { line: usize, part: usize, quantity: u32, promised: NaiveDate },
    /// A waiting part was allocated or handed to a supplier: it leaves the queue.
    Leave { line: usize, part: usize },
}

/// What `entries`, which turned an order into `after`, do to its parts waiting in the queue.
pub fn queue_changes(after: &Order, entries: &[TimelineEntry]) -> Vec<QueueChange> {
    let mut changes = Vec::new();
    if entries.iter().any(|e| matches!(e.event, OrderEvent::Cancelled { .. })) {
        changes.push(QueueChange::LeaveAll);
    }
    let part = |line: usize, part: usize| after.lines().get(line).and_then(|l| l.parts().get(part));
    for entry in entries {
        match &entry.event {
            OrderEvent::LinesCancelled { units, .. } => {
                for u in units {
                    let Some(p) = part(u.line, u.part) else { continue };
                    if matches!(p.availability(), LineAvailability::Backordered { .. }) {
                        changes.push(QueueChange::Shrink {
                            line: u.line,
                            part: u.part,
                            quantity: p.quantity(),
                        });
                    }
                }
            }
            OrderEvent::LineBackordered { line, part: index, .. }
            | OrderEvent::LineAllocated { line, part: index, .. }
            | OrderEvent::LineDropshipped { line, part: index, .. } => {
                let Some(p) = part(*line, *index) else { continue };
                changes.retain(|c| {
                    !matches!(c, QueueChange::Wait { line: l, part: i, .. } | QueueChange::Leave { line: l, part: i }
                        if l == line && i == index)
                });
                changes.push(match p.availability() {
                    LineAvailability::Backordered { promised } => QueueChange::Wait {
                        line: *line,
                        part: *index,
                        quantity: p.quantity(),
                        promised: *promised,
                    },
                    _ => QueueChange::Leave { line: *line, part: *index },
                });
            }
            _ => {}
        }
    }
    if after.state() == crate::lifecycle::OrderState::Cancelled {
        changes.retain(|c| matches!(c, QueueChange::LeaveAll));
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        format!("2026-12-01T10:{minute:02}:00Z").parse().unwrap()
    }

    #[test]
    fn the_queue_serves_the_oldest_order_first_and_never_ties() {
        let mut waiting =
            vec![("ord_b", 0, at(5)), ("ord_c", 1, at(1)), ("ord_a", 0, at(5)), ("ord_c", 0, at(1))];
        queue(&mut waiting, |(id, line, placed)| QueuePlace {
            placed_at: *placed,
            order_id: id,
            line: *line,
            part: 0,
        });
        let ids: Vec<(&str, usize)> = waiting.iter().map(|(id, line, _)| (*id, *line)).collect();
        assert_eq!(ids, [("ord_c", 0), ("ord_c", 1), ("ord_a", 0), ("ord_b", 0)]);
    }

    #[test]
    fn stock_serves_a_part_only_when_it_fills_it() {
        assert!(serves(5, 5));
        assert!(serves(9, 5));
        assert!(!serves(4, 5), "a part is never filled in pieces: it waits");
        assert!(!serves(3, 0));
    }
}
