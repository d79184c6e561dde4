//! What became of a message, as the order's timeline records it: sent, or failed (and whether it
//! was given up). The error itself stays with the message, for staff.

use chrono::{DateTime, Utc};

use crate::messages::MessageKind;
use crate::order::{Order, OrderEvent, TimelineEntry};

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Handed to the recipient's mail server at attempt `attempt`.
    Sent { attempt: u32 },
    /// The `attempts`th attempt failed; `given_up` when no further one follows.
    Failed { attempts: u32, given_up: bool },
}

/// The timeline entry that records `delivery` of message `message` (a `kind` message) on `order`,
/// at `at`: the next entry of its timeline.
pub fn delivery_entry(
    order: &Order,
    message: &str,
    kind: MessageKind,
    delivery: Delivery,
    at: DateTime<Utc>,
) -> TimelineEntry {
    let (message, kind) = (message.to_owned(), kind.key().to_owned());
    let event = match delivery {
        Delivery::Sent { attempt } => OrderEvent::MessageSent { message, kind, attempt },
        Delivery::Failed { attempts, given_up } => {
            OrderEvent::MessageFailed { message, kind, attempts, given_up }
        }
    };
    TimelineEntry { seq: order.last_seq() + 1, at, event }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::notices;
    use crate::order::tests::Life;

    #[test]
    fn a_delivery_is_the_next_entry_changes_nothing_else_and_calls_for_no_message() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        let before = life.order.clone();
        for delivery in [Delivery::Failed { attempts: 1, given_up: false }, Delivery::Sent { attempt: 2 }] {
            let entry = delivery_entry(
                &life.order,
                "ord_1#0000000003#0",
                MessageKind::Confirmation,
                delivery,
                life.now,
            );
            assert_eq!(entry.seq, life.order.last_seq() + 1);
            assert_eq!(
                notices(None, &life.order, std::slice::from_ref(&entry)),
                vec![],
                "telling is not itself told"
            );
            life.order.apply(&entry).unwrap();
            life.timeline.push(entry);
        }
        let names: Vec<_> = life.timeline.iter().rev().take(2).map(|e| e.event.name()).collect();
        assert_eq!(names, ["message_sent", "message_failed"]);
        assert_eq!(
            (life.order.state(), life.order.totals(), life.order.payment()),
            (before.state(), before.totals(), before.payment())
        );
        assert_eq!(
            Order::from_timeline(&life.timeline).unwrap(),
            life.order,
            "the timeline replays with them"
        );
    }
}
