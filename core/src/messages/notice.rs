//! Which appended events call for a message to the customer, and which message.

use chrono::NaiveDate;

use crate::lifecycle::{LineAvailability, OrderState};
use crate::money::Money;
use crate::order::{Order, OrderEvent, PAYMENT_TIMEOUT_REASON, ShipmentSource, TimelineEntry};

/// What a message is about: the kind of message and the specifics it needs (which parcel,
/// which line, how much), taken from the event that called for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum Notice {
    /// The order was confirmed: lines, totals, payment, expected dates, the return policy.
    Confirmation,
    /// A payment attempt was declined.
    PaymentDeclined {
        reason: String,
    },
    /// The order was cancelled because its payment never came.
    ExpiredUnpaid,
    /// Units of a line wait for stock, promised for a date (`previously` another: the date moved).
    Backordered {
        line: usize,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
        #[cfg_attr(
            feature = "serde",
            serde(
                default,
                skip_serializing_if = "Option::is_none",
                with = "crate::rfc3339::serde_with::option_date"
            )
        )]
        #[cfg_attr(feature = "ts", ts(optional, as = "Option<NaiveDate>"))]
        previously: Option<NaiveDate>,
        /// The units were to ship from a partner that cannot send them after all.
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "std::ops::Not::not"))]
        #[cfg_attr(feature = "ts", ts(optional, as = "Option<bool>"))]
        partner_failed: bool,
    },
    /// A parcel will ship directly from a partner (after the order was placed).
    Dropship {
        shipment: String,
    },
    /// The partner took its parcel and said by when it ships.
    DropshipAccepted {
        shipment: String,
    },
    Shipped {
        shipment: String,
    },
    OutForDelivery {
        shipment: String,
    },
    Delivered {
        shipment: String,
    },
    /// A carrier reported a problem with a parcel.
    DeliveryProblem {
        shipment: String,
    },
    /// A parcel's expected day went by without a delivery or a word from the carrier.
    Late {
        shipment: String,
    },
    /// The whole order was cancelled; `refunded` went back to the customer with it (none when
    /// nothing had been captured).
    Cancelled {
        refunded: Option<Money>,
    },
    /// Some units were cancelled; `amount` is their share of the total, `refunded` what went
    /// back to the customer for them (none when it was never captured).
    LinesCancelled {
        amount: Money,
        refunded: Option<Money>,
    },
    /// Money went back to the customer.
    Refunded {
        amount: Money,
    },
    ReturnApproved {
        rma: String,
    },
    ReturnReceived {
        rma: String,
    },
    /// Everything arrived: how likely is the customer to recommend the shop (the post-delivery
    /// survey)? Not transactional: sent some days later, and the customer may opt out.
    FeedbackRequest,
}

/// The stored kind of the "Find my orders" message (about an address, not an order).
pub const SIGN_IN_KIND: &str = "account.sign_in";

/// The kinds of message, each with a stable key (stored, and shown to staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Confirmation,
    PaymentDeclined,
    ExpiredUnpaid,
    Backordered,
    Dropship,
    DropshipAccepted,
    Shipped,
    OutForDelivery,
    Delivered,
    DeliveryProblem,
    Late,
    Cancelled,
    LinesCancelled,
    Refunded,
    ReturnApproved,
    ReturnReceived,
    FeedbackRequest,
}

impl MessageKind {
    /// Every kind, in the order of an order's life.
    pub const ALL: [MessageKind; 17] = [
        MessageKind::Confirmation,
        MessageKind::PaymentDeclined,
        MessageKind::ExpiredUnpaid,
        MessageKind::Backordered,
        MessageKind::Dropship,
        MessageKind::DropshipAccepted,
        MessageKind::Shipped,
        MessageKind::OutForDelivery,
        MessageKind::Delivered,
        MessageKind::DeliveryProblem,
        MessageKind::Late,
        MessageKind::Cancelled,
        MessageKind::LinesCancelled,
        MessageKind::Refunded,
        MessageKind::ReturnApproved,
        MessageKind::ReturnReceived,
        MessageKind::FeedbackRequest,
    ];

    /// `order.confirmation`, `shipment.shipped`, …
    pub fn key(self) -> &'static str {
        match self {
            MessageKind::Confirmation => "order.confirmation",
            MessageKind::PaymentDeclined => "payment.declined",
            MessageKind::ExpiredUnpaid => "order.expired_unpaid",
            MessageKind::Backordered => "line.backordered",
            MessageKind::Dropship => "shipment.dropship",
            MessageKind::DropshipAccepted => "shipment.accepted",
            MessageKind::Shipped => "shipment.shipped",
            MessageKind::OutForDelivery => "shipment.out_for_delivery",
            MessageKind::Delivered => "shipment.delivered",
            MessageKind::DeliveryProblem => "shipment.problem",
            MessageKind::Late => "shipment.late",
            MessageKind::Cancelled => "order.cancelled",
            MessageKind::LinesCancelled => "lines.cancelled",
            MessageKind::Refunded => "payment.refunded",
            MessageKind::ReturnApproved => "return.approved",
            MessageKind::ReturnReceived => "return.received",
            MessageKind::FeedbackRequest => "order.feedback_request",
        }
    }

    /// The kind with this [`MessageKind::key`].
    pub fn from_key(key: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// Whether the message is part of the order the customer placed: it is always sent. The
    /// others (the feedback request) carry an unsubscribe link and are not sent to an address
    /// that opted out.
    pub fn transactional(self) -> bool {
        !matches!(self, MessageKind::FeedbackRequest)
    }
}

impl Notice {
    pub fn kind(&self) -> MessageKind {
        match self {
            Notice::Confirmation => MessageKind::Confirmation,
            Notice::PaymentDeclined { .. } => MessageKind::PaymentDeclined,
            Notice::ExpiredUnpaid => MessageKind::ExpiredUnpaid,
            Notice::Backordered { .. } => MessageKind::Backordered,
            Notice::Dropship { .. } => MessageKind::Dropship,
            Notice::DropshipAccepted { .. } => MessageKind::DropshipAccepted,
            Notice::Shipped { .. } => MessageKind::Shipped,
            Notice::OutForDelivery { .. } => MessageKind::OutForDelivery,
            Notice::Delivered { .. } => MessageKind::Delivered,
            Notice::DeliveryProblem { .. } => MessageKind::DeliveryProblem,
            Notice::Late { .. } => MessageKind::Late,
            Notice::Cancelled { .. } => MessageKind::Cancelled,
            Notice::LinesCancelled { .. } => MessageKind::LinesCancelled,
            Notice::Refunded { .. } => MessageKind::Refunded,
            Notice::ReturnApproved { .. } => MessageKind::ReturnApproved,
            Notice::ReturnReceived { .. } => MessageKind::ReturnReceived,
            Notice::FeedbackRequest => MessageKind::FeedbackRequest,
        }
    }

    /// Why this notice, due later, should no longer go out now that the order is `now` and
    /// `answered` says whether its survey was answered; `None` when it still should. Only the
    /// feedback request waits: it is withdrawn once answered, or when the customer is returning
    /// items or the order was cancelled (asking then would only annoy).
    pub fn withdrawn(&self, now: &Order, answered: bool) -> Option<&'static str> {
        if *self != Notice::FeedbackRequest {
            return None;
        }
        if answered {
            Some("the customer already answered the survey")
        } else if now.state() == OrderState::Cancelled {
            Some("the order was cancelled")
        } else if !now.returns().is_empty() {
            Some("the customer is returning items")
        } else {
            None
        }
    }
}

/// How many days after everything arrived the customer is asked for feedback, unless the shop
/// says otherwise.
pub const DEFAULT_FEEDBACK_REQUEST_DAYS: u32 = 3;

/// The messages the entries of one append call for, in their order.
///
/// The confirmation goes out when the order is confirmed (for a shopper, when the payment is
/// authorized), so it can name the payment and tells of backordered lines and parcels shipping
/// from partners; placing alone sends nothing (a checkout whose payment never comes hears only
/// that it expired). Later events each call for their own message. A refund that comes with a
/// cancellation or a return is told in that message, not in a second one. Steps the customer
/// does not need to hear about (picking, packing, in transit, an authorization) call for none.
/// When they make `after` (the order right after them) fully delivered, the feedback request
/// follows the other messages (it is sent later, see [`DEFAULT_FEEDBACK_REQUEST_DAYS`]).
/// `before` is the order right before the entries (`None` when unknown): a backorder whose
/// date moved from the one it had is told as a new date.
pub fn notices(before: Option<&Order>, after: &Order, entries: &[TimelineEntry]) -> Vec<Notice> {
    let events = || entries.iter().map(|e| &e.event);
    if events().any(|e| matches!(e, OrderEvent::Placed(_))) {
        return Vec::new();
    }
    let refunded = events()
        .filter_map(|e| match e {
            OrderEvent::PaymentRefunded { amount, .. } => Some(*amount),
            _ => None,
        })
        .reduce(|a, b| a.checked_add(b).unwrap_or(a));
    let refund_told = events().any(|e| {
        matches!(
            e,
            OrderEvent::Cancelled { .. }
                | OrderEvent::LinesCancelled { .. }
                | OrderEvent::ReturnRefunded { .. }
        )
    });
    let mut told: Vec<Notice> = events()
        .filter_map(|event| match event {
            OrderEvent::Cancelled { reason } if reason == PAYMENT_TIMEOUT_REASON => {
                Some(Notice::ExpiredUnpaid)
            }
            OrderEvent::Cancelled { .. } => Some(Notice::Cancelled { refunded }),
            OrderEvent::LinesCancelled { amount, .. } => {
                Some(Notice::LinesCancelled { amount: *amount, refunded })
            }
            OrderEvent::PaymentRefunded { amount, .. } if !refund_told => {
                Some(Notice::Refunded { amount: *amount })
            }
            OrderEvent::ReturnRefunded { amount, .. } if amount.amount() > 0 => {
                Some(Notice::Refunded { amount: *amount })
            }
            OrderEvent::LineBackordered { line, part, promised } => {
                let was = before.and_then(|b| b.lines().get(*line)).and_then(|l| l.parts().get(*part));
                let previously = was.and_then(|p| match p.availability() {
                    LineAvailability::Backordered { promised: was } if was != promised => Some(*was),
                    _ => None,
                });
                let partner_failed =
                    was.is_some_and(|p| matches!(p.availability(), LineAvailability::Dropshipped { .. }));
                Some(Notice::Backordered { line: *line, promised: *promised, previously, partner_failed })
            }
            other => notice(other),
        })
        .collect();
    // Several parts of one line put on backorder for one day are one piece of news.
    let mut seen = Vec::new();
    told.retain(|n| match n {
        Notice::Backordered { line, promised, .. } => {
            let fresh = !seen.contains(&(*line, *promised));
            seen.push((*line, *promised));
            fresh
        }
        _ => true,
    });
    if arrived(after, entries) {
        told.push(Notice::FeedbackRequest);
    }
    told
}

/// Whether `entries` made `after` fully delivered: the last parcel arrived, or the last units
/// still to come were cancelled after others arrived.
fn arrived(after: &Order, entries: &[TimelineEntry]) -> bool {
    let finishing = entries
        .iter()
        .any(|e| matches!(e.event, OrderEvent::ShipmentDelivered { .. } | OrderEvent::LinesCancelled { .. }));
    finishing
        && after.state() != OrderState::Cancelled
        && after.fully_delivered()
        && after.lines().iter().any(|l| after.units_delivered(l.index()) > 0)
}

fn notice(event: &OrderEvent) -> Option<Notice> {
    Some(match event {
        OrderEvent::Confirmed => Notice::Confirmation,
        OrderEvent::PaymentFailed { reason } => Notice::PaymentDeclined { reason: reason.clone() },
        OrderEvent::ShipmentCreated { shipment, source: ShipmentSource::Supplier { .. }, .. } => {
            Notice::Dropship { shipment: shipment.clone() }
        }
        OrderEvent::ShipmentAccepted { shipment, .. } => {
            Notice::DropshipAccepted { shipment: shipment.clone() }
        }
        OrderEvent::ShipmentShipped { shipment, .. } => Notice::Shipped { shipment: shipment.clone() },
        OrderEvent::ShipmentOutForDelivery { shipment } => {
            Notice::OutForDelivery { shipment: shipment.clone() }
        }
        OrderEvent::ShipmentDelivered { shipment } => Notice::Delivered { shipment: shipment.clone() },
        OrderEvent::ShipmentException { shipment, .. } => {
            Notice::DeliveryProblem { shipment: shipment.clone() }
        }
        OrderEvent::ShipmentLate { shipment, .. } => Notice::Late { shipment: shipment.clone() },
        OrderEvent::ReturnApproved { rma } => Notice::ReturnApproved { rma: rma.clone() },
        OrderEvent::ReturnReceived { rma } => Notice::ReturnReceived { rma: rma.clone() },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_key_that_reads_back() {
        let keys: std::collections::HashSet<_> = MessageKind::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(keys.len(), MessageKind::ALL.len());
        assert!(!keys.contains(SIGN_IN_KIND), "the sign-in message's kind is its own");
        assert_eq!(MessageKind::from_key(SIGN_IN_KIND), None);
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(MessageKind::from_key("nope"), None);
    }
}
