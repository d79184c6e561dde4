//! Shared order fixtures: a timeline, an instant, and the status view, allowed actions and
//! messages to the customer expected.
//!
//! ordo-wasm replays the same files through `orderStatusView`, `allowedActions` and
//! `renderMessage`, proving the tracking page, staff console and message previews agree with the
//! server. `ORDO_BLESS=1` regenerates every file
//! from the scenarios below (review the diff before committing it).

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use ordo_core::allocation::{LineRequest, LocationId, LocationStock, allocate};
use ordo_core::card::CardBrand;
use ordo_core::carrier::{Carrier, example_number};
use ordo_core::cart::{
    Cart, CartLine, CartStage, Rules, ShippingOption, ShippingRate, ShippingZone, validate,
};
use ordo_core::catalog::{Catalog, CatalogItem, OutOfStockPolicy, TaxClass};
use ordo_core::lifecycle::ExceptionKind;
use ordo_core::messages::{Letterhead, Unsubscribe, notices, render};
use ordo_core::money::{Currency, Money};
use ordo_core::order::{
    Command, NewOrder, Order, PaymentMethod, ReturnAction, ReturnItem, Role, ShipmentAction, TimelineEntry,
    allowed_actions, place,
};
use ordo_core::status::status_view;
use ordo_core::values::{AddressInput, CountryCode, OrderId, Sku};
use serde_json::{Value, json};

mod bless;
use bless::blessing;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/order")
}

fn roles() -> Vec<Role> {
    vec![Role::Customer, Role::Staff, Role::Channel, Role::Supplier("northwood".into())]
}

fn letterhead() -> Letterhead {
    Letterhead {
        shop_name: "Lumen & Co".into(),
        order_link: "https://shop.example/#/orders/ord_fixture?token=t".into(),
        returns_link: Some("https://shop.example/returns".into()),
        locale: "en-US".into(),
        unsubscribe: Some(Unsubscribe {
            page: "https://shop.example/#/unsubscribe?token=u".into(),
            one_click: "https://shop.example/unsubscribe?token=u".into(),
        }),
    }
}

/// Every message an event of `timeline` calls for (each event taken alone), written about the
/// order as it was right after that event, at its time.
fn messages(timeline: &[TimelineEntry]) -> Vec<Value> {
    let mut out = Vec::new();
    for end in 1..=timeline.len() {
        let entry = &timeline[end - 1];
        let order = Order::from_timeline(&timeline[..end]).unwrap();
        let before = (end > 1).then(|| Order::from_timeline(&timeline[..end - 1]).unwrap());
        for notice in notices(before.as_ref(), &order, std::slice::from_ref(entry)) {
            let message = render(&order, &notice, &letterhead(), entry.at).unwrap();
            out.push(json!({ "upto": entry.seq, "notice": notice, "message": message }));
        }
    }
    out
}

/// What the fixture expects for an order with `timeline` at `now`.
fn expected(timeline: &[TimelineEntry], order: &Order, now: DateTime<Utc>) -> Value {
    let actions: Vec<Value> = roles()
        .iter()
        .map(|role| json!({ "role": role, "actions": allowed_actions(order, role, now) }))
        .collect();
    json!({
        "statusView": status_view(order, now),
        "allowedActions": actions,
        "letterhead": letterhead(),
        "messages": messages(timeline),
    })
}

#[test]
fn every_order_fixture_replays_to_its_expected_status_and_actions() {
    if blessing() {
        for (name, description, timeline, now) in scenarios() {
            let order = Order::from_timeline(&timeline).unwrap();
            let file = json!({
                "description": description,
                "now": now,
                "timeline": timeline,
                "expected": expected(&timeline, &order, now),
            });
            std::fs::write(
                dir().join(format!("{name}.json")),
                serde_json::to_string_pretty(&file).unwrap() + "\n",
            )
            .unwrap();
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10, "order fixtures went missing: {files:?}");
    for path in files {
        let raw: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let timeline: Vec<TimelineEntry> = serde_json::from_value(raw["timeline"].clone()).unwrap();
        let now: DateTime<Utc> = serde_json::from_value(raw["now"].clone()).unwrap();
        let order = Order::from_timeline(&timeline).unwrap();
        assert_eq!(expected(&timeline, &order, now), raw["expected"], "{}", path.display());
    }
}

// ---- scenarios (used only to regenerate the files) ----

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::Usd)
}

fn item(sku: &str, name: &str, price: i64, available: u32, policy: OutOfStockPolicy) -> CatalogItem {
    CatalogItem {
        sku: Sku::parse(sku).unwrap(),
        name: name.into(),
        unit_price: usd(price),
        active: true,
        min_per_order: None,
        max_per_order: None,
        available,
        policy,
        next_restock: Some("2026-12-14".parse().unwrap()),
        restocks: None,
        weight_grams: 400,
        tax_class: TaxClass::Standard,
    }
}

struct Scenario {
    order: Order,
    timeline: Vec<TimelineEntry>,
    now: DateTime<Utc>,
}

impl Scenario {
    fn new(lines: &[(&str, i64)]) -> Scenario {
        let catalog = Catalog::new([
            item("TEE-BLK-M", "Organic tee", 2400, 20, OutOfStockPolicy::Deny),
            item("MUG-STONE", "Stoneware mug", 1450, 8, OutOfStockPolicy::Deny),
            item("HOODIE-GRY-L", "Hoodie", 5900, 1, OutOfStockPolicy::Backorder { lead_time_days: 21 }),
            item(
                "DESK-OAK",
                "Oak desk",
                64900,
                0,
                OutOfStockPolicy::Dropship { supplier: "northwood".into() },
            ),
        ]);
        let rules = Rules {
            shipping: vec![ShippingZone {
                name: "US".into(),
                countries: vec![CountryCode::parse("US").unwrap()],
                options: vec![ShippingOption {
                    code: "ground".into(),
                    name: "Ground".into(),
                    rate: ShippingRate::Flat { amount: usd(595) },
                    free_above: None,
                    transit_days: 4,
                }],
            }],
            ..Rules::default()
        };
        let cart = Cart {
            currency: "USD".into(),
            lines: lines
                .iter()
                .map(|(sku, quantity)| CartLine { sku: (*sku).into(), quantity: *quantity })
                .collect(),
            shipping_address: Some(AddressInput {
                name: "Grace Hopper".into(),
                line1: "1 Navy Way".into(),
                city: "Arlington".into(),
                region: Some("VA".into()),
                postal_code: "22202".into(),
                country: "US".into(),
                ..AddressInput::default()
            }),
            email: Some("grace@example.com".into()),
            stage: CartStage::Checkout,
            ..Cart::default()
        };
        let now: DateTime<Utc> = "2026-11-23T09:30:00Z".parse().unwrap();
        let check = validate(&cart, &catalog, &rules, now);
        let requests: Vec<LineRequest> = check
            .totals
            .as_ref()
            .unwrap()
            .lines
            .iter()
            .map(|l| LineRequest { sku: l.sku.clone(), quantity: l.quantity })
            .collect();
        let location = |id: &str| LocationId::parse(id).unwrap();
        let stock = |loc: &str, sku: &str, on_hand| LocationStock {
            location: location(loc),
            sku: Sku::parse(sku).unwrap(),
            on_hand,
            reserved: 0,
        };
        let stock =
            [stock("nyc", "TEE-BLK-M", 20), stock("reno", "MUG-STONE", 8), stock("nyc", "HOODIE-GRY-L", 1)];
        let plan =
            allocate(&requests, &catalog, &stock, &[location("nyc"), location("reno")], now.date_naive())
                .unwrap();
        let event = place(NewOrder {
            id: OrderId::parse("ord_1001").unwrap(),
            number: None,
            channel: "web",
            customer: None,
            cart: &cart,
            check: &check,
            plan: &plan,
            rules: &rules,
        })
        .unwrap();
        let timeline = vec![TimelineEntry { seq: 1, at: now, event }];
        Scenario { order: Order::from_timeline(&timeline).unwrap(), timeline, now }
    }

    fn run(mut self, hours: i64, role: Role, command: Command) -> Scenario {
        self.now += Duration::hours(hours);
        let (entries, order) = self.order.execute(&command, &role, self.now).unwrap();
        self.timeline.extend(entries);
        self.order = order;
        self
    }

    fn pay(self) -> Scenario {
        let amount = self.order.totals().grand_total;
        let method = PaymentMethod {
            reference: "tok_auth_1".into(),
            brand: CardBrand::Visa,
            last4: Some("4242".into()),
        };
        self.run(0, Role::Customer, Command::AuthorizePayment { amount, method })
    }

    fn staff(self, hours: i64, command: Command) -> Scenario {
        self.run(hours, Role::Staff, command)
    }

    fn shipment(self, hours: i64, shipment: &str, action: ShipmentAction) -> Scenario {
        self.staff(hours, Command::Shipment { shipment: shipment.into(), action })
    }

    fn ship(self, shipment: &str) -> Scenario {
        let ship = ShipmentAction::Ship {
            carrier: "UPS".into(),
            tracking_number: example_number(Carrier::Ups, shipment.len() as u64),
            tracking_url: None,
        };
        self.shipment(2, shipment, ShipmentAction::StartPicking)
            .shipment(1, shipment, ShipmentAction::Pack)
            .shipment(3, shipment, ship)
    }

    /// `hours` later, the parcels that count as late by then (ordo-core's `late_entries`, with
    /// the default grace) are flagged.
    fn late(mut self, hours: i64) -> Scenario {
        self.now += Duration::hours(hours);
        let grace = Duration::hours(ordo_core::order::DEFAULT_LATE_AFTER_HOURS);
        let entries = ordo_core::order::late_entries(&self.order, self.now, grace);
        assert!(!entries.is_empty(), "nothing late {hours} hours on");
        for entry in &entries {
            self.order.apply(entry).unwrap();
        }
        self.timeline.extend(entries);
        self
    }

    fn done(self, name: &str, description: &str) -> (String, String, Vec<TimelineEntry>, DateTime<Utc>) {
        (name.to_owned(), description.to_owned(), self.timeline, self.now + Duration::hours(1))
    }
}

fn scenarios() -> Vec<(String, String, Vec<TimelineEntry>, DateTime<Utc>)> {
    let basket = [("TEE-BLK-M", 2), ("MUG-STONE", 1)];
    let returned = || {
        Scenario::new(&[("TEE-BLK-M", 2)])
            .pay()
            .staff(1, Command::CapturePayment { amount: None })
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .shipment(30, "ord_1001-S1", ShipmentAction::MarkDelivered)
            .run(
                48,
                Role::Customer,
                Command::RequestReturn {
                    lines: vec![ReturnItem { line: 0, quantity: 1, reason: "Too small".into() }],
                },
            )
    };
    vec![
        Scenario::new(&basket).done("01-awaiting-payment", "Placed, payment not yet authorized."),
        Scenario::new(&basket)
            .pay()
            .done("02-confirmed", "Authorized: confirmed automatically, nothing packed yet."),
        Scenario::new(&basket)
            .pay()
            .staff(1, Command::CreateShipments)
            .shipment(1, "ord_1001-S1", ShipmentAction::StartPicking)
            .done("03-being-prepared", "Two shipments from two warehouses; one is being picked."),
        Scenario::new(&basket)
            .pay()
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .done("04-partially-shipped", "One of two parcels has shipped."),
        Scenario::new(&[("HOODIE-GRY-L", 3)])
            .pay()
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .done("05-backorder-rest", "One unit shipped, two backordered with a promised date."),
        Scenario::new(&basket)
            .pay()
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .ship("ord_1001-S2")
            .shipment(20, "ord_1001-S2", ShipmentAction::MarkOutForDelivery)
            .done("06-out-for-delivery", "Both parcels shipped; one is out for delivery."),
        Scenario::new(&basket)
            .pay()
            .staff(1, Command::CapturePayment { amount: None })
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .ship("ord_1001-S2")
            .shipment(40, "ord_1001-S1", ShipmentAction::MarkDelivered)
            .shipment(4, "ord_1001-S2", ShipmentAction::MarkDelivered)
            .done("07-delivered-completed", "Captured, both parcels delivered: completed."),
        Scenario::new(&basket)
            .pay()
            .staff(1, Command::CreateShipments)
            .run(2, Role::Customer, Command::Cancel { reason: "Ordered the wrong size".into() })
            .done(
                "08-cancelled-voided",
                "Cancelled before picking: shipments cancelled, authorization voided.",
            ),
        Scenario::new(&basket)
            .run(0, Role::Customer, Command::FailPayment { reason: "card declined".into() })
            .done("09-payment-failed", "The card was declined."),
        Scenario::new(&basket)
            .pay()
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .shipment(
                30,
                "ord_1001-S1",
                ShipmentAction::ReportException {
                    kind: ExceptionKind::AddressProblem,
                    note: "Recipient not known at address.".into(),
                },
            )
            .done("10-delivery-exception", "The carrier could not deliver a parcel."),
        returned().done("11-return-requested", "A delivered unit is being returned."),
        returned()
            .staff(5, Command::Return { rma: "ord_1001-R1".into(), action: ReturnAction::Approve })
            .staff(50, Command::Return { rma: "ord_1001-R1".into(), action: ReturnAction::Receive })
            .staff(1, Command::Return { rma: "ord_1001-R1".into(), action: ReturnAction::Refund })
            .done("12-refunded", "The returned unit was received and refunded."),
        Scenario::new(&[("DESK-OAK", 1), ("TEE-BLK-M", 1)])
            .pay()
            .staff(1, Command::CreateShipments)
            .done("13-dropship-waiting", "A dropshipped desk: the supplier may act on its own parcel only."),
        Scenario::new(&[("TEE-BLK-M", 1)])
            .pay()
            .staff(1, Command::CreateShipments)
            .ship("ord_1001-S1")
            .late(24 * 9)
            .done("14-running-late", "A parcel two days past its expected day, no word from the carrier."),
    ]
}
