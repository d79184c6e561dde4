//! What a sales channel is told of an order: the events it hears of (order placed, confirmed,
//! cancelled, lines cancelled, backordered or re-promised, a parcel shipped or delivered, money
//! refunded), each as the payload of a webhook in the Standard Webhooks envelope.

use chrono::{DateTime, NaiveDate, Utc};

use crate::lifecycle::LineAvailability;
use crate::money::Money;
use crate::order::{Order, OrderEvent, ShipmentLine, TimelineEntry};

/// The kinds of event a channel hears of; the name is the webhook's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ChannelEventType {
    #[cfg_attr(feature = "serde", serde(rename = "order.placed"))]
    OrderPlaced,
    #[cfg_attr(feature = "serde", serde(rename = "order.confirmed"))]
    OrderConfirmed,
    #[cfg_attr(feature = "serde", serde(rename = "order.cancelled"))]
    OrderCancelled,
    #[cfg_attr(feature = "serde", serde(rename = "order.lines_cancelled"))]
    LinesCancelled,
    #[cfg_attr(feature = "serde", serde(rename = "line.backordered"))]
    LineBackordered,
    #[cfg_attr(feature = "serde", serde(rename = "line.repromised"))]
    LineRepromised,
    #[cfg_attr(feature = "serde", serde(rename = "shipment.shipped"))]
    ShipmentShipped,
    #[cfg_attr(feature = "serde", serde(rename = "shipment.delivered"))]
    ShipmentDelivered,
    #[cfg_attr(feature = "serde", serde(rename = "order.refunded"))]
    OrderRefunded,
}

impl ChannelEventType {
    pub const ALL: [ChannelEventType; 9] = [
        ChannelEventType::OrderPlaced,
        ChannelEventType::OrderConfirmed,
        ChannelEventType::OrderCancelled,
        ChannelEventType::LinesCancelled,
        ChannelEventType::LineBackordered,
        ChannelEventType::LineRepromised,
        ChannelEventType::ShipmentShipped,
        ChannelEventType::ShipmentDelivered,
        ChannelEventType::OrderRefunded,
    ];

    /// The webhook's `type` (`shipment.shipped`).
    pub fn name(self) -> &'static str {
        match self {
            ChannelEventType::OrderPlaced => "order.placed",
            ChannelEventType::OrderConfirmed => "order.confirmed",
            ChannelEventType::OrderCancelled => "order.cancelled",
            ChannelEventType::LinesCancelled => "order.lines_cancelled",
            ChannelEventType::LineBackordered => "line.backordered",
            ChannelEventType::LineRepromised => "line.repromised",
            ChannelEventType::ShipmentShipped => "shipment.shipped",
            ChannelEventType::ShipmentDelivered => "shipment.delivered",
            ChannelEventType::OrderRefunded => "order.refunded",
        }
    }

    pub fn parse(name: &str) -> Option<ChannelEventType> {
        ChannelEventType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One webhook's payload: `{ "type": …, "timestamp": …, "data": … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelEvent {
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: ChannelEventType,
    /// When the event happened.
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::datetime"))]
    pub timestamp: DateTime<Utc>,
    pub data: EventData,
}

/// What every event says of its order, and what this one says besides.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct EventData {
    pub order_id: String,
    /// The shop's order number (`#1042`), when the order has one.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub order_number: Option<String>,
    /// The channel the order came from.
    pub origin: String,
    /// The timeline entry the event is (a channel may ignore one it has seen, or ask for the
    /// order when one is missing).
    pub seq: u64,
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub detail: EventDetail,
}

/// What one kind of event says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(untagged, rename_all_fields = "camelCase")
)]
pub enum EventDetail {
    /// A parcel left (`shipment.shipped`) or arrived (`shipment.delivered`, without the carrier).
    Shipment {
        shipment: String,
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
        carrier: Option<String>,
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
        tracking_number: Option<String>,
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
        tracking_url: Option<String>,
        #[cfg_attr(
            feature = "serde",
            serde(
                default,
                skip_serializing_if = "Option::is_none",
                with = "crate::rfc3339::serde_with::option_date"
            )
        )]
        expected_delivery: Option<NaiveDate>,
        lines: Vec<EventLine>,
    },
    /// Units wait for stock until `promised_on` (`line.backordered`, `line.repromised`).
    Backorder {
        line: usize,
        sku: String,
        quantity: u32,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        promised_on: NaiveDate,
    },
    /// Money went back to the customer (`order.refunded`).
    Refund { amount: Money, reason: String },
    /// Units of lines were cancelled (`order.lines_cancelled`); `amount` is their share.
    LinesCancelled { lines: Vec<EventLine>, amount: Money, reason: String },
    /// The order was cancelled (`order.cancelled`).
    Cancelled { reason: String },
    /// The order as placed (`order.placed`).
    Placed { lines: Vec<EventLine>, grand_total: Money },
    /// Nothing besides the order (`order.confirmed`).
    Nothing {},
}

/// Units of one order line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EventLine {
    pub line: usize,
    pub sku: String,
    pub quantity: u32,
}

/// The events a channel hears of among `entries`, just appended to the order `before` (none for
/// the first entry), which made it `after`; in timeline order.
pub fn channel_events(before: Option<&Order>, after: &Order, entries: &[TimelineEntry]) -> Vec<ChannelEvent> {
    let sku = |line: usize| after.lines().get(line).map(|l| l.sku().as_str().to_owned()).unwrap_or_default();
    let units = |lines: &[ShipmentLine]| -> Vec<EventLine> {
        lines.iter().map(|l| EventLine { line: l.line, sku: sku(l.line), quantity: l.quantity }).collect()
    };
    let parcel = |shipment: &str, carried: bool| {
        let parcel = after.shipment(shipment);
        EventDetail::Shipment {
            shipment: shipment.to_owned(),
            carrier: parcel.and_then(|p| p.carrier()).filter(|_| carried).map(str::to_owned),
            tracking_number: parcel.and_then(|p| p.tracking_number()).filter(|_| carried).map(str::to_owned),
            tracking_url: parcel.and_then(|p| p.tracking_url()).filter(|_| carried).map(str::to_owned),
            expected_delivery: parcel.and_then(|p| p.expected_delivery()).filter(|_| carried),
            lines: parcel.map(|p| units(p.lines())).unwrap_or_default(),
        }
    };
    entries
        .iter()
        .filter_map(|entry| {
            let (kind, detail) = match &entry.event {
                OrderEvent::Placed(placed) => {
                    let lines = placed
                        .lines
                        .iter()
                        .enumerate()
                        .map(|(line, l)| EventLine {
                            line,
                            sku: l.sku.as_str().to_owned(),
                            quantity: l.quantity,
                        })
                        .collect();
                    (
                        ChannelEventType::OrderPlaced,
                        EventDetail::Placed { lines, grand_total: placed.totals.grand_total },
                    )
                }
                OrderEvent::Confirmed => (ChannelEventType::OrderConfirmed, EventDetail::Nothing {}),
                OrderEvent::Cancelled { reason } => {
                    (ChannelEventType::OrderCancelled, EventDetail::Cancelled { reason: reason.clone() })
                }
                OrderEvent::LinesCancelled { units: cancelled, amount, reason } => {
                    let lines = cancelled
                        .iter()
                        .map(|u| EventLine { line: u.line, sku: sku(u.line), quantity: u.quantity })
                        .collect();
                    (
                        ChannelEventType::LinesCancelled,
                        EventDetail::LinesCancelled { lines, amount: *amount, reason: reason.clone() },
                    )
                }
                OrderEvent::LineBackordered { line, part, promised } => {
                    let waited = before
                        .and_then(|b| b.lines().get(*line))
                        .and_then(|l| l.parts().get(*part))
                        .is_some_and(|p| matches!(p.availability(), LineAvailability::Backordered { .. }));
                    let quantity = after
                        .lines()
                        .get(*line)
                        .and_then(|l| l.parts().get(*part))
                        .map_or(0, |p| p.quantity());
                    let kind = if waited {
                        ChannelEventType::LineRepromised
                    } else {
                        ChannelEventType::LineBackordered
                    };
                    (
                        kind,
                        EventDetail::Backorder {
                            line: *line,
                            sku: sku(*line),
                            quantity,
                            promised_on: *promised,
                        },
                    )
                }
                OrderEvent::ShipmentShipped { shipment, .. } => {
                    (ChannelEventType::ShipmentShipped, parcel(shipment, true))
                }
                OrderEvent::ShipmentDelivered { shipment } => {
                    (ChannelEventType::ShipmentDelivered, parcel(shipment, false))
                }
                OrderEvent::PaymentRefunded { amount, reason } => (
                    ChannelEventType::OrderRefunded,
                    EventDetail::Refund { amount: *amount, reason: reason.clone() },
                ),
                _ => return None,
            };
            Some(ChannelEvent {
                kind,
                timestamp: entry.at,
                data: EventData {
                    order_id: after.id().as_str().to_owned(),
                    order_number: after.number().map(|_| after.reference()),
                    origin: after.channel().to_owned(),
                    seq: entry.seq,
                    detail,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::Life;
    use crate::order::{Command, Role};

    /// The events a channel hears of when `command` runs on `life`.
    fn told(life: &mut Life, command: Command) -> Vec<ChannelEvent> {
        let before = life.order.clone();
        let from = life.timeline.len();
        life.ok(&Role::Staff, command);
        channel_events(Some(&before), &life.order, &life.timeline[from..])
    }

    #[test]
    fn a_placed_order_is_told_with_its_lines_and_total() {
        let life = Life::new(&[("TEE", 2), ("MUG", 1)]);
        let events = channel_events(None, &life.order, &life.timeline);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind.name(), "order.placed");
        assert_eq!((events[0].data.seq, events[0].data.origin.as_str()), (1, life.order.channel()));
        let EventDetail::Placed { lines, grand_total } = &events[0].data.detail else { panic!("{events:?}") };
        let lines: Vec<_> = lines.iter().map(|l| (l.sku.as_str(), l.quantity)).collect();
        assert_eq!(lines, [("TEE", 2), ("MUG", 1)]);
        assert_eq!(*grand_total, life.order.placed_totals().grand_total);
    }

    #[test]
    fn a_shipped_parcel_is_told_with_its_carrier_tracking_and_lines_and_then_its_delivery() {
        let mut life = Life::new(&[("TEE", 2)]);
        life.pay();
        assert!(told(&mut life, Command::CreateShipments).is_empty(), "a parcel made up is not news");
        let shipment = life.order.shipments()[0].id().to_owned();
        let from = life.timeline.len();
        let before = life.order.clone();
        life.ship(&shipment);
        let events = channel_events(Some(&before), &life.order, &life.timeline[from..]);
        let shipped: Vec<_> = events.iter().filter(|e| e.kind == ChannelEventType::ShipmentShipped).collect();
        assert_eq!(shipped.len(), 1, "picking and packing are not told: {events:?}");
        let EventDetail::Shipment { carrier, tracking_number, tracking_url, lines, .. } =
            &shipped[0].data.detail
        else {
            panic!("{shipped:?}")
        };
        let parcel = &life.order.shipments()[0];
        assert_eq!(carrier.as_deref(), parcel.carrier());
        assert_eq!(tracking_number.as_deref(), parcel.tracking_number());
        assert_eq!(tracking_url.as_deref(), Some("https://ups.example/track"));
        assert_eq!(lines, &[EventLine { line: 0, sku: "TEE".into(), quantity: 2 }]);
        let from = life.timeline.len();
        let before = life.order.clone();
        life.deliver(&shipment);
        let events = channel_events(Some(&before), &life.order, &life.timeline[from..]);
        assert_eq!(events[0].kind, ChannelEventType::ShipmentDelivered, "{events:?}");
        let EventDetail::Shipment { carrier, lines, .. } = &events[0].data.detail else {
            panic!("{events:?}")
        };
        assert_eq!((carrier, lines.len()), (&None, 1));
    }

    #[test]
    fn a_new_date_for_waiting_units_is_a_repromise_and_cancelling_is_told() {
        // HOODIE x 3: one from stock, two backordered (part 1).
        let mut life = Life::new(&[("HOODIE", 3)]);
        let promised = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        let events = told(&mut life, Command::Backorder { line: 0, part: 1, promised });
        assert_eq!(events[0].kind, ChannelEventType::LineRepromised, "{events:?}");
        assert_eq!(
            events[0].data.detail,
            EventDetail::Backorder { line: 0, sku: "HOODIE".into(), quantity: 2, promised_on: promised }
        );
        let events = told(&mut life, Command::Cancel { reason: "customer asked".into() });
        assert_eq!(events[0].kind, ChannelEventType::OrderCancelled);
        assert_eq!(events[0].data.detail, EventDetail::Cancelled { reason: "customer asked".into() });
    }

    #[test]
    fn payments_are_not_told_but_refunds_are() {
        let mut life = Life::new(&[("TEE", 1)]);
        let before = life.order.clone();
        let from = life.timeline.len();
        life.pay();
        let kinds: Vec<_> = channel_events(Some(&before), &life.order, &life.timeline[from..])
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, [ChannelEventType::OrderConfirmed], "the authorization itself is not told");
        life.ok(&Role::Staff, Command::CapturePayment { amount: None });
        let amount = Money::new(500, life.order.currency());
        let events = told(&mut life, Command::RefundPayment { amount, reason: "goodwill".into() });
        assert_eq!(events[0].data.detail, EventDetail::Refund { amount, reason: "goodwill".into() });
    }

    #[test]
    fn every_type_has_a_distinct_dotted_name() {
        let names: std::collections::HashSet<_> = ChannelEventType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names.len(), ChannelEventType::ALL.len());
        for t in ChannelEventType::ALL {
            assert_eq!(ChannelEventType::parse(t.name()), Some(t));
            assert!(t.name().contains('.'));
        }
    }
}
