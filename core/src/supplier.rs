//! Dropship suppliers: a supplier's own settings parsed at the edge, and what it is told when a
//! parcel becomes its to send — its lines and the ship-to address only: never the customer's
//! e-mail, prices, payment or other lines.

use chrono::{DateTime, NaiveDate, Utc};

use crate::order::{Order, OrderEvent, ShipmentSource, TimelineEntry};
use crate::values::{AddressInput, PostalAddress};

/// The webhook's `type` when a parcel is a supplier's to send.
pub const DROPSHIP_REQUESTED: &str = "dropship.requested";

/// The longest lead time a supplier may give, in days.
pub const MAX_LEAD_TIME_DAYS: u16 = 365;

/// Why a supplier's setting was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SupplierError {
    pub field: &'static str,
    pub message: &'static str,
}

/// Days from an order to a supplier's delivery: 0 to [`MAX_LEAD_TIME_DAYS`].
pub fn lead_time(days: i64) -> Result<u16, SupplierError> {
    u16::try_from(days)
        .ok()
        .filter(|d| *d <= MAX_LEAD_TIME_DAYS)
        .ok_or(SupplierError { field: "leadTimeDays", message: "must be between 0 and 365 days" })
}

/// What happens to a dropship parcel's units when its supplier says it cannot send them (the
/// shop's choice, copied into each order when it is placed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum RejectedDropship {
    /// Cancel them and refund what was paid for them (the whole order when nothing else is left).
    #[default]
    CancelAndRefund,
    /// Put them on backorder, promised after the supplier's lead time (or a purchase order's day),
    /// and tell the customer, who may keep waiting or cancel them for a refund. Staff may hand
    /// them to a supplier again, or stock that arrives serves them.
    Backorder,
}

/// Whose name and address a supplier's parcels print as their sender (on the label and the
/// commercial invoice): the shop's, so the customer sees one shop (a "blind" dropship, the
/// default), or the supplier's own, so returns and carrier queries reach the one who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelSender {
    #[default]
    Shop,
    Supplier,
}

impl LabelSender {
    /// `shop` or `supplier`, as stored.
    pub fn parse(raw: &str) -> Result<LabelSender, SupplierError> {
        match raw {
            "shop" => Ok(LabelSender::Shop),
            "supplier" => Ok(LabelSender::Supplier),
            _ => Err(SupplierError { field: "labelSender", message: "must be shop or supplier" }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LabelSender::Shop => "shop",
            LabelSender::Supplier => "supplier",
        }
    }
}

/// A supplier's return address, parsed like a shipping address; a problem names its field
/// (`address.postalCode`) and says what is wrong.
pub fn return_address(input: &AddressInput) -> Result<PostalAddress, (String, String)> {
    PostalAddress::parse(input).map_err(|problems| {
        let first = &problems[0];
        (format!("address.{}", first.field.wire_name()), first.kind.to_string())
    })
}

/// Checks a supplier's sender setting against its address: a supplier printed as the sender
/// needs its address (a label cannot carry a name without one).
pub fn sender_setting(sender: LabelSender, address: Option<&PostalAddress>) -> Result<(), SupplierError> {
    match (sender, address) {
        (LabelSender::Supplier, None) => Err(SupplierError {
            field: "labelSender",
            message: "a supplier printed as the sender needs its return address",
        }),
        _ => Ok(()),
    }
}

/// The sender a supplier's parcel prints: the supplier's address when it is set to be the
/// sender, otherwise `None` — the shop's own.
pub fn parcel_sender(sender: LabelSender, address: Option<&PostalAddress>) -> Option<&PostalAddress> {
    match sender {
        LabelSender::Supplier => address,
        LabelSender::Shop => None,
    }
}

/// A parcel a supplier is asked to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropshipRequest {
    pub supplier: String,
    /// The timeline entry that made the parcel (the webhook's id names it).
    pub seq: u64,
    pub event: SupplierEvent,
}

/// The webhook body, in the Standard Webhooks envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SupplierEvent {
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: &'static str,
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::datetime"))]
    pub timestamp: DateTime<Utc>,
    pub data: RequestData,
}

/// What the supplier needs to send the parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub struct RequestData {
    pub order_id: String,
    /// The shop's order number (`#1042`), to write on the parcel.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub order_number: Option<String>,
    pub shipment: String,
    pub lines: Vec<RequestLine>,
    pub ship_to: PostalAddress,
    /// When the customer was told to expect it.
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "Option::is_none", with = "crate::rfc3339::serde_with::option_date")
    )]
    pub expected_delivery: Option<NaiveDate>,
}

/// Units of one order line in the parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestLine {
    pub line: usize,
    pub sku: String,
    pub name: String,
    pub quantity: u32,
}

/// The parcels `entries` (which made the order `after`) give suppliers to send, one request each.
pub fn dropship_requests(after: &Order, entries: &[TimelineEntry]) -> Vec<DropshipRequest> {
    entries
        .iter()
        .filter_map(|entry| {
            let OrderEvent::ShipmentCreated {
                shipment, source: ShipmentSource::Supplier { supplier }, ..
            } = &entry.event
            else {
                return None;
            };
            Some(DropshipRequest {
                supplier: supplier.clone(),
                seq: entry.seq,
                event: SupplierEvent {
                    kind: DROPSHIP_REQUESTED,
                    timestamp: entry.at,
                    data: request_data(after, shipment)?,
                },
            })
        })
        .collect()
}

/// What a supplier is asked for parcel `shipment` of `order` as the order stands: its lines, the
/// ship-to address, the day the customer expects it. `None` when the order has no such parcel
/// from a supplier.
pub fn request_data(order: &Order, shipment: &str) -> Option<RequestData> {
    let parcel = order.shipment(shipment)?;
    if !matches!(parcel.source(), ShipmentSource::Supplier { .. }) {
        return None;
    }
    let lines = parcel
        .lines()
        .iter()
        .filter_map(|l| {
            let line = order.lines().get(l.line)?;
            Some(RequestLine {
                line: l.line,
                sku: line.sku().as_str().to_owned(),
                name: line.name().to_owned(),
                quantity: l.quantity,
            })
        })
        .collect();
    Some(RequestData {
        order_id: order.id().as_str().to_owned(),
        order_number: order.number().map(|_| order.reference()),
        shipment: shipment.to_owned(),
        lines,
        ship_to: order.shipping_address().clone(),
        expected_delivery: parcel.expected_delivery(),
    })
}

/// The key of the e-mail that asks `supplier` for the parcel made by timeline entry `seq` of
/// `order` (its `Message-ID`, the same on every retry).
pub fn request_mail_id(order: &str, seq: u64, supplier: &str) -> String {
    format!("{}#mail", request_webhook_id(order, seq, supplier))
}

/// The purchase order's number for parcel `shipment` (`ord_…-S2`) of an order known as
/// `reference` (`#1042`): `PO-1042-S2`, what the supplier quotes back.
pub fn purchase_order_number(reference: &str, shipment: &str) -> String {
    let parcel = shipment.rsplit('-').next().unwrap_or(shipment);
    format!("PO-{}-{parcel}", reference.trim_start_matches('#'))
}

/// The `webhook-id` of the request made by timeline entry `seq` of `order` to `supplier` (the
/// same on every retry).
pub fn request_webhook_id(order: &str, seq: u64, supplier: &str) -> String {
    format!("{order}#{seq:010}#supplier:{supplier}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::Life;
    use crate::order::{Command, Role};

    #[test]
    fn a_lead_time_is_zero_to_a_year_of_days() {
        assert_eq!(lead_time(0), Ok(0));
        assert_eq!(lead_time(365), Ok(365));
        assert_eq!(lead_time(366).unwrap_err().field, "leadTimeDays");
        assert!(lead_time(-1).is_err());
    }

    fn northwood_address() -> AddressInput {
        AddressInput {
            name: "Northwood Furniture".into(),
            line1: "4 Mill Road".into(),
            city: "Grand Rapids".into(),
            region: Some("MI".into()),
            postal_code: "49503".into(),
            country: "us".into(),
            ..AddressInput::default()
        }
    }

    #[test]
    fn a_supplier_is_the_sender_only_when_set_so_and_never_without_an_address() {
        let address = return_address(&northwood_address()).unwrap();
        assert_eq!(parcel_sender(LabelSender::Shop, Some(&address)), None, "blind dropship by default");
        assert_eq!(parcel_sender(LabelSender::Supplier, Some(&address)), Some(&address));
        assert_eq!(LabelSender::default(), LabelSender::Shop);
        assert!(sender_setting(LabelSender::Supplier, Some(&address)).is_ok());
        assert!(sender_setting(LabelSender::Shop, None).is_ok());
        assert_eq!(sender_setting(LabelSender::Supplier, None).unwrap_err().field, "labelSender");
        assert_eq!(
            address.printed_lines(),
            ["Northwood Furniture", "4 Mill Road", "Grand Rapids MI 49503", "US"]
        );
        for raw in ["shop", "supplier"] {
            assert_eq!(LabelSender::parse(raw).unwrap().as_str(), raw);
        }
        assert!(LabelSender::parse("Supplier").is_err());
        let bad = AddressInput { postal_code: "ABCDE".into(), ..northwood_address() };
        let (field, message) = return_address(&bad).unwrap_err();
        assert_eq!(field, "address.postalCode");
        assert!(message.contains("not a valid postcode"), "{message}");
    }

    #[test]
    fn a_supplier_is_asked_for_its_own_lines_with_the_ship_to_address_and_nothing_else() {
        let mut life = Life::new(&[("TEE", 1), ("DESK", 1)]);
        life.pay();
        let from = life.timeline.len();
        life.ok(&Role::Staff, Command::CreateShipments);
        let requests = dropship_requests(&life.order, &life.timeline[from..]);
        assert_eq!(requests.len(), 1, "{requests:?}");
        let request = &requests[0];
        assert_eq!(request.supplier, "northwood");
        assert_eq!(request.event.kind, "dropship.requested");
        let data = &request.event.data;
        assert_eq!(data.lines.iter().map(|l| (l.line, l.sku.as_str())).collect::<Vec<_>>(), [(1, "DESK")]);
        assert_eq!(&data.ship_to, life.order.shipping_address());
        assert_eq!(data.order_number.as_deref(), Some(life.order.reference().as_str()));
        assert!(dropship_requests(&life.order, &life.timeline[..from]).is_empty(), "only a new parcel asks");
    }

    #[test]
    fn the_request_mail_names_the_purchase_order_the_lines_and_the_ship_to_and_nothing_of_the_customer() {
        let mut life = Life::new(&[("TEE", 1), ("DESK", 2)]);
        life.pay();
        let from = life.timeline.len();
        life.ok(&Role::Staff, Command::CreateShipments);
        let request = &dropship_requests(&life.order, &life.timeline[from..])[0];
        assert_eq!(
            request_data(&life.order, &request.event.data.shipment).as_ref(),
            Some(&request.event.data)
        );
        let warehouse =
            life.order.shipments().iter().find(|s| s.id() != request.event.data.shipment).unwrap();
        assert_eq!(request_data(&life.order, warehouse.id()), None, "a warehouse parcel asks no supplier");
        let po = purchase_order_number(&life.order.reference(), &request.event.data.shipment);
        assert!(
            po.starts_with("PO-") && po.ends_with(request.event.data.shipment.rsplit('-').next().unwrap())
        );
        assert_eq!(purchase_order_number("#1042", "ord_01abc-S2"), "PO-1042-S2");
        let mail = crate::messages::render_dropship_request(
            "Ordo <Demo>",
            "Northwood",
            &request.event.data,
            "https://shop.example/#/supplier?token=t",
        );
        assert!(
            mail.subject.contains(&po) && mail.subject.ends_with("please send 2 items"),
            "{}",
            mail.subject
        );
        let desk = &life.order.lines()[1];
        let item = format!("2 × {} ({})", desk.name(), desk.sku().as_str());
        for part in [&mail.text, &mail.html] {
            assert!(part.contains(&item), "{part}");
            assert!(part.contains(life.order.shipping_address().line1()), "{part}");
            assert!(part.contains("https://shop.example/#/supplier?token=t"), "{part}");
            assert!(!part.contains(life.order.email().as_str()), "never the customer's e-mail: {part}");
            assert!(!part.contains('$'), "no prices: {part}");
        }
        assert!(mail.html.contains("Ordo &lt;Demo&gt;") && !mail.html.contains("<Demo>"), "escaped");
        assert_eq!(mail.list_unsubscribe, None, "a partner's work, not a newsletter");
    }

    #[test]
    fn a_supplier_accepts_its_own_parcel_for_a_day_ahead_and_the_customer_is_told() {
        use crate::messages::{Notice, notices};
        use crate::order::{CommandError, ShipmentAction, ShipmentSource};
        let mut life = Life::new(&[("TEE", 1), ("DESK", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let ours = |source: &ShipmentSource| matches!(source, ShipmentSource::Supplier { .. });
        let parcel = life.order.shipments().iter().find(|s| ours(s.source())).unwrap().id().to_owned();
        let warehouse = life.order.shipments().iter().find(|s| !ours(s.source())).unwrap().id().to_owned();
        let accept = |shipment: &str, days: u64, now: DateTime<Utc>| Command::Shipment {
            shipment: shipment.to_owned(),
            action: ShipmentAction::Accept { ship_by: now.date_naive() + chrono::Days::new(days) },
        };
        let northwood = Role::Supplier("northwood".into());
        // Another supplier's parcel looks like none; a warehouse parcel is not a partner's.
        let other = life.run(&Role::Supplier("acme".into()), accept(&parcel, 3, life.now));
        assert!(matches!(other, Err(CommandError::UnknownShipment(_))), "{other:?}");
        let own_warehouse = life.run(&Role::Staff, accept(&warehouse, 3, life.now));
        assert!(matches!(own_warehouse, Err(CommandError::InvalidInput { field: "shipmentId", .. })));
        let past = life.order.execute(
            &Command::Shipment {
                shipment: parcel.clone(),
                action: ShipmentAction::Accept { ship_by: life.now.date_naive() - chrono::Days::new(1) },
            },
            &northwood,
            life.now,
        );
        assert!(matches!(past, Err(CommandError::InvalidInput { field: "shipBy", .. })), "{past:?}");

        let before = life.order.clone();
        let from = life.timeline.len();
        let command = accept(&parcel, 3, life.now + chrono::Duration::hours(1));
        assert_eq!(life.ok(&northwood, command.clone()), ["shipment_accepted"]);
        let ship_by = life.order.shipment(&parcel).unwrap().ship_by().unwrap();
        assert_eq!(
            notices(Some(&before), &life.order, &life.timeline[from..]),
            [Notice::DropshipAccepted { shipment: parcel.clone() }]
        );
        assert_eq!(ship_by, (life.now).date_naive() + chrono::Days::new(3));
        assert!(life.order.execute(&command, &northwood, life.now).is_err(), "the same day again is no news");
    }

    #[test]
    fn a_supplier_that_cannot_send_its_parcel_has_its_units_cancelled_and_the_rest_goes_on() {
        use crate::lifecycle::OrderState;
        use crate::messages::{Notice, notices};
        use crate::order::{CommandError, ShipmentAction, ShipmentSource};
        let mut life = Life::new(&[("TEE", 1), ("DESK", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let partner = |s: &&crate::order::Shipment| matches!(s.source(), ShipmentSource::Supplier { .. });
        let parcel = life.order.shipments().iter().find(partner).unwrap().id().to_owned();
        let reject = |reason: &str| Command::Shipment {
            shipment: parcel.clone(),
            action: ShipmentAction::Reject { reason: reason.into(), promised: None },
        };
        assert!(reject("x").may_move_money(), "a refund may follow");
        let other = life.run(&Role::Supplier("acme".into()), reject("not ours"));
        assert!(matches!(other, Err(CommandError::UnknownShipment(_))), "{other:?}");
        let before = life.order.clone();
        let from = life.timeline.len();
        let names = life.ok(&Role::Supplier("northwood".into()), reject("out of oak"));
        assert_eq!(&names[..2], ["shipment_cancelled", "lines_cancelled"], "{names:?}");
        assert_eq!(life.order.state(), OrderState::Confirmed, "the tee still goes");
        assert_eq!(life.order.lines()[1].remaining(), 0);
        assert!(life.timeline[from..].iter().any(|e| {
            format!("{:?}", e.event).contains("our partner northwood cannot supply it: out of oak")
        }));
        let told = notices(Some(&before), &life.order, &life.timeline[from..]);
        assert!(matches!(told.as_slice(), [Notice::LinesCancelled { .. }]), "{told:?}");
        assert!(life.run(&Role::Supplier("northwood".into()), reject("again")).is_err(), "once");

        // Nothing else in the order: it is cancelled whole.
        let mut alone = Life::new(&[("DESK", 1)]);
        alone.pay();
        alone.ok(&Role::Staff, Command::CreateShipments);
        let parcel = alone.order.shipments()[0].id().to_owned();
        let command = Command::Shipment {
            shipment: parcel,
            action: ShipmentAction::Reject { reason: "gone".into(), promised: None },
        };
        alone.ok(&Role::Supplier("northwood".into()), command);
        assert_eq!(alone.order.state(), OrderState::Cancelled);
    }

    /// An order for a tee from stock and a desk from northwood, paid, its parcels made, placed
    /// under a shop policy that puts what a partner cannot send on backorder.
    fn backordering_shop() -> (Life, String) {
        use crate::order::ShipmentSource;
        let mut life = Life::with_order_policy(&[("TEE", 1), ("DESK", 2)], |p| {
            p.rejected_dropship = RejectedDropship::Backorder;
        });
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let partner = |s: &&crate::order::Shipment| matches!(s.source(), ShipmentSource::Supplier { .. });
        let parcel = life.order.shipments().iter().find(partner).unwrap().id().to_owned();
        (life, parcel)
    }

    #[test]
    fn a_shop_that_backorders_keeps_the_units_a_partner_cannot_send_waiting_with_their_money() {
        use crate::lifecycle::{LineAvailability, OrderState, ShipmentState};
        use crate::messages::{Notice, notices};
        use crate::order::{CommandError, QueueChange, ShipmentAction, queue_changes};
        let (mut life, parcel) = backordering_shop();
        let reject = |promised| Command::Shipment {
            shipment: parcel.clone(),
            action: ShipmentAction::Reject { reason: "out of oak".into(), promised },
        };
        let northwood = Role::Supplier("northwood".into());
        let unnamed = life.run(&northwood, reject(None));
        assert!(matches!(unnamed, Err(CommandError::InvalidInput { field: "promised", .. })), "{unnamed:?}");
        let past = life.run(&northwood, reject(Some(life.now.date_naive() - chrono::Days::new(1))));
        assert!(matches!(past, Err(CommandError::InvalidInput { field: "promised", .. })), "{past:?}");

        let paid = life.order.payment().captured();
        let authorized = life.order.payment().authorized();
        let before = life.order.clone();
        let from = life.timeline.len();
        let day = life.now.date_naive() + chrono::Days::new(14);
        assert_eq!(life.ok(&northwood, reject(Some(day))), ["shipment_rejected", "line_backordered"]);
        assert_eq!(life.order.state(), OrderState::Confirmed);
        assert_eq!(life.order.shipment(&parcel).unwrap().state(), &ShipmentState::Cancelled);
        let desk = &life.order.lines()[1];
        assert_eq!(desk.remaining(), 2, "nothing cancelled");
        assert_eq!(desk.parts()[0].availability(), &LineAvailability::Backordered { promised: day });
        assert_eq!(life.order.payment().captured(), paid, "no money moves");
        assert_eq!(life.order.payment().authorized(), authorized);
        assert!(format!("{:?}", life.timeline[from].event).contains("out of oak"), "the reason is kept");
        let entries = &life.timeline[from..];
        assert_eq!(
            queue_changes(&life.order, entries),
            [QueueChange::Wait { line: 1, part: 0, quantity: 2, promised: day }],
            "the desk joins the backorder queue"
        );
        let told = notices(Some(&before), &life.order, entries);
        assert_eq!(
            told,
            [Notice::Backordered { line: 1, promised: day, previously: None, partner_failed: true }]
        );
        assert!(life.run(&northwood, reject(Some(day))).is_err(), "the parcel is gone: once");
    }

    #[test]
    fn staff_hand_waiting_units_to_a_partner_again_and_its_parcel_follows() {
        use crate::lifecycle::LineAvailability;
        use crate::order::{QueueChange, ShipmentAction, ShipmentSource, queue_changes};
        let (mut life, parcel) = backordering_shop();
        let day = life.now.date_naive() + chrono::Days::new(14);
        let reject = ShipmentAction::Reject { reason: "out of oak".into(), promised: Some(day) };
        life.ok(&Role::Supplier("northwood".into()), Command::Shipment { shipment: parcel, action: reject });
        let hand = |line, supplier: &str| Command::Dropship { line, part: 0, supplier: supplier.into() };
        assert!(life.run(&Role::Customer, hand(1, "acme")).is_err(), "staff only");
        assert!(life.run(&Role::Staff, hand(0, "acme")).is_err(), "the tee has its stock");
        assert!(life.run(&Role::Staff, hand(1, " ")).is_err(), "a partner is named");
        let from = life.timeline.len();
        assert_eq!(life.ok(&Role::Staff, hand(1, "acme")), ["line_dropshipped"]);
        assert_eq!(
            queue_changes(&life.order, &life.timeline[from..]),
            [QueueChange::Leave { line: 1, part: 0 }]
        );
        assert_eq!(
            life.order.lines()[1].parts()[0].availability(),
            &LineAvailability::Dropshipped { supplier: "acme".into() }
        );
        let from = life.timeline.len();
        life.ok(&Role::Staff, Command::CreateShipments);
        let requests = dropship_requests(&life.order, &life.timeline[from..]);
        assert_eq!(requests.len(), 1, "acme is asked");
        assert_eq!(requests[0].supplier, "acme");
        let acme = life.order.shipments().last().unwrap();
        assert_eq!(acme.source(), &ShipmentSource::Supplier { supplier: "acme".into() });
        assert_eq!(acme.lines()[0].quantity, 2);
    }

    #[test]
    fn units_a_partner_already_sent_part_of_are_cancelled_rather_than_promised_twice() {
        use crate::lifecycle::ShipmentState;
        use crate::order::ShipmentAction;
        let (mut life, parcel) = backordering_shop();
        // Staff split the partner's parcel: one desk each.
        let split = Command::SplitShipment {
            shipment: parcel.clone(),
            lines: vec![crate::order::ShipmentLine { line: 1, quantity: 1 }],
        };
        life.ok(&Role::Staff, split);
        let day = life.now.date_naive() + chrono::Days::new(14);
        let reject = ShipmentAction::Reject { reason: "only one".into(), promised: Some(day) };
        let command = Command::Shipment { shipment: parcel.clone(), action: reject };
        let names = life.ok(&Role::Supplier("northwood".into()), command);
        assert_eq!(&names[..2], ["shipment_cancelled", "lines_cancelled"], "{names:?}");
        assert_eq!(life.order.lines()[1].remaining(), 1, "the other desk still comes");
        assert_eq!(life.order.shipment(&parcel).unwrap().state(), &ShipmentState::Cancelled);
        let other = life.order.shipments().last().unwrap();
        assert_eq!(other.state(), &ShipmentState::Pending, "in its own parcel");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn the_request_names_no_customer_email_price_or_payment() {
        let mut life = Life::new(&[("TEE", 1), ("DESK", 1)]);
        life.pay();
        let from = life.timeline.len();
        life.ok(&Role::Staff, Command::CreateShipments);
        let request = &dropship_requests(&life.order, &life.timeline[from..])[0];
        let json = serde_json::to_string(&request.event).unwrap();
        assert!(!json.contains(life.order.email().as_str()), "{json}");
        for word in ["amount", "price", "total", "payment", "TEE"] {
            assert!(!json.contains(word), "{word} in {json}");
        }
        assert_eq!(request_webhook_id("ord_1", 7, "northwood"), "ord_1#0000000007#supplier:northwood");
    }
}
