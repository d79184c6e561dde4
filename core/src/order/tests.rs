//! Tests of the order aggregate: a whole life from cart to refund, roles, replay, and random histories.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::allocation::{LocationId, LocationStock, allocate};
use crate::card::CardBrand;
use crate::cart::{Cart, CartLine, CartStage, Rules, validate};
use crate::catalog::{Catalog, CatalogItem, OutOfStockPolicy, TaxClass};
use crate::lifecycle::{LineAvailability, OrderState, PaymentStatus};
use crate::money::{Currency, Money};
use crate::status::{StepState, SummaryStatus, Tone, status_view};
use crate::values::{AddressInput, OrderId, Sku};

pub(crate) fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::Usd)
}

pub(crate) fn t0() -> DateTime<Utc> {
    "2026-11-27T10:00:00Z".parse().unwrap()
}

fn item(sku: &str, price: i64, available: u32, policy: OutOfStockPolicy) -> CatalogItem {
    CatalogItem {
        sku: Sku::parse(sku).unwrap(),
        name: format!("Item {sku}").into(),
        unit_price: usd(price),
        active: true,
        min_per_order: None,
        max_per_order: None,
        available,
        policy,
        next_restock: Some(NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()),
        restocks: None,
        weight_grams: 100,
        tax_class: TaxClass::Standard,
    }
}

fn loc(id: &str) -> LocationId {
    LocationId::parse(id).unwrap()
}

fn stock(location: &str, sku: &str, on_hand: u32) -> LocationStock {
    LocationStock { location: loc(location), sku: Sku::parse(sku).unwrap(), on_hand, reserved: 0 }
}

/// Places an order for `lines` against a two-warehouse stock and returns its timeline.
fn placed(lines: &[(&str, i64)]) -> Vec<TimelineEntry> {
    placed_with_discount(lines, 0)
}

/// [`placed`], with a fixed discount of `discount` cents (spread over the lines) when not zero.
fn placed_with_discount(lines: &[(&str, i64)], discount: i64) -> Vec<TimelineEntry> {
    let catalog = Catalog::new([
        item("TEE", 2000, 10, OutOfStockPolicy::Deny),
        item("MUG", 1000, 5, OutOfStockPolicy::Deny),
        item("HOODIE", 5000, 1, OutOfStockPolicy::Backorder { lead_time_days: 14 }),
        item("DESK", 30000, 0, OutOfStockPolicy::Dropship { supplier: "northwood".into() }),
    ]);
    let stock = [stock("east", "TEE", 10), stock("west", "MUG", 5), stock("east", "HOODIE", 1)];
    let cart = Cart {
        currency: "USD".into(),
        lines: lines.iter().map(|(s, q)| CartLine { sku: (*s).into(), quantity: *q }).collect(),
        shipping_address: Some(AddressInput {
            name: "Grace Hopper".into(),
            line1: "1 Navy Way".into(),
            city: "Arlington".into(),
            postal_code: "22202".into(),
            country: "US".into(),
            ..AddressInput::default()
        }),
        email: Some("grace@example.com".into()),
        stage: CartStage::Checkout,
        coupons: if discount == 0 { vec![] } else { vec!["OFF".into()] },
        ..Cart::default()
    };
    let rules = Rules {
        coupons: vec![crate::cart::Coupon {
            code: "OFF".into(),
            discount: crate::cart::CouponDiscount::Fixed { amount: usd(discount.max(1)) },
            min_subtotal: None,
            valid_from: None,
            valid_until: None,
            stackable: false,
        }],
        shipping: vec![crate::cart::ShippingZone {
            name: "US".into(),
            countries: vec![crate::values::CountryCode::parse("US").unwrap()],
            options: vec![crate::cart::ShippingOption {
                code: "ground".into(),
                name: "Ground".into(),
                rate: crate::cart::ShippingRate::Flat { amount: usd(500) },
                free_above: None,
                transit_days: 3,
            }],
        }],
        ..Rules::default()
    };
    let shop =
        Shop { catalog: &catalog, rules: &rules, stock: &stock, locations: &[loc("east"), loc("west")] };
    let placed = check_out(&OrderId::parse("ord_1").unwrap(), Some(1042), "web", None, &cart, shop, t0())
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(placed.order, Order::from_timeline([&placed.first]).unwrap());
    vec![placed.first]
}

#[test]
fn a_checkout_that_stock_cannot_supply_is_rejected_at_the_line_and_nothing_is_placed() {
    let catalog = Catalog::new([
        item("TEE", 2000, 10, OutOfStockPolicy::Deny),
        item("MUG", 1000, 5, OutOfStockPolicy::Deny),
    ]);
    // The catalog promises 5 mugs, the locations hold 2: allocation, not validation, refuses.
    let short = [stock("east", "TEE", 10), stock("west", "MUG", 2)];
    let cart = Cart {
        currency: "USD".into(),
        lines: vec![CartLine { sku: "TEE".into(), quantity: 1 }, CartLine { sku: "MUG".into(), quantity: 4 }],
        shipping_address: Some(AddressInput {
            name: "Grace Hopper".into(),
            line1: "1 Navy Way".into(),
            city: "Arlington".into(),
            postal_code: "22202".into(),
            country: "US".into(),
            ..AddressInput::default()
        }),
        email: Some("grace@example.com".into()),
        // Checked at the checkout stage whatever the cart says.
        stage: CartStage::Browse,
        ..Cart::default()
    };
    let rules = Rules {
        shipping: vec![crate::cart::ShippingZone {
            name: "US".into(),
            countries: vec![crate::values::CountryCode::parse("US").unwrap()],
            options: vec![crate::cart::ShippingOption {
                code: "ground".into(),
                name: "Ground".into(),
                rate: crate::cart::ShippingRate::Flat { amount: usd(500) },
                free_above: None,
                transit_days: 3,
            }],
        }],
        ..Rules::default()
    };
    let shop =
        Shop { catalog: &catalog, rules: &rules, stock: &short, locations: &[loc("east"), loc("west")] };
    let refused =
        check_out(&OrderId::parse("ord_2").unwrap(), None, "web", None, &cart, shop, t0()).unwrap_err();
    let CheckoutError::Rejected(issues) = refused else { panic!("{refused:?}") };
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, crate::cart::IssueCode::OutOfStock);
    assert_eq!(issues[0].path, "lines[1].quantity");
    assert!(issues[0].message.contains("only 2 of 4"), "{}", issues[0].message);
    // Without enough stock, the catalog's promise is not enough; with it the same cart places.
    let enough = [stock("east", "TEE", 10), stock("west", "MUG", 4)];
    let shop = Shop { stock: &enough, ..shop };
    let placed = check_out(&OrderId::parse("ord_2").unwrap(), None, "web", None, &cart, shop, t0()).unwrap();
    assert_eq!(placed.plan.lines().len(), 2);
    assert_eq!(placed.order.lines()[1].quantity(), 4);
    // Numbered afterwards, it is the order checked out with that number.
    let numbered = placed.numbered(1042).unwrap();
    let direct =
        check_out(&OrderId::parse("ord_2").unwrap(), Some(1042), "web", None, &cart, shop, t0()).unwrap();
    assert_eq!((&numbered.first, &numbered.order), (&direct.first, &direct.order));
    assert_eq!(numbered.order.reference(), "#1042");
}

/// An order and its timeline, driven by commands.
pub(crate) struct Life {
    pub(crate) order: Order,
    pub(crate) timeline: Vec<TimelineEntry>,
    pub(crate) now: DateTime<Utc>,
}

impl Life {
    pub(crate) fn new(lines: &[(&str, i64)]) -> Life {
        let timeline = placed(lines);
        Life { order: Order::from_timeline(&timeline).unwrap(), timeline, now: t0() }
    }

    /// [`Life::new`], the order placed under capture policy `capture`.
    pub(crate) fn with_policy(lines: &[(&str, i64)], capture: super::CapturePolicy) -> Life {
        Life::with_order_policy(lines, |p| p.capture = capture)
    }

    /// [`Life::new`], the order placed under the policy `shape` makes.
    pub(crate) fn with_order_policy(
        lines: &[(&str, i64)],
        shape: impl FnOnce(&mut super::OrderPolicy),
    ) -> Life {
        let mut timeline = placed(lines);
        if let OrderEvent::Placed(p) = &mut timeline[0].event {
            shape(&mut p.policy);
        }
        Life { order: Order::from_timeline(&timeline).unwrap(), timeline, now: t0() }
    }

    pub(crate) fn run(&mut self, role: &Role, command: Command) -> Result<Vec<&'static str>, CommandError> {
        self.now += Duration::hours(1);
        let (entries, order) = self.order.execute(&command, role, self.now)?;
        let names = entries.iter().map(|e| e.event.name()).collect();
        self.timeline.extend(entries);
        self.order = order;
        Ok(names)
    }

    pub(crate) fn ok(&mut self, role: &Role, command: Command) -> Vec<&'static str> {
        self.run(role, command).unwrap()
    }

    /// Authorizes the total, whatever events the order's policy makes of it.
    pub(crate) fn pay_any(&mut self) {
        let amount = self.order.totals().grand_total;
        let method =
            PaymentMethod { reference: "auth_1".into(), brand: CardBrand::Visa, last4: Some("4242".into()) };
        self.ok(&Role::Customer, Command::AuthorizePayment { amount, method });
    }

    pub(crate) fn pay(&mut self) {
        let amount = self.order.totals().grand_total;
        let method =
            PaymentMethod { reference: "auth_1".into(), brand: CardBrand::Visa, last4: Some("4242".into()) };
        assert_eq!(
            self.ok(&Role::Customer, Command::AuthorizePayment { amount, method }),
            vec!["payment_authorized", "confirmed"]
        );
    }

    pub(crate) fn ship(&mut self, shipment: &str) {
        for action in [ShipmentAction::StartPicking, ShipmentAction::Pack] {
            self.ok(&Role::Staff, Command::Shipment { shipment: shipment.into(), action });
        }
        let ship = ShipmentAction::Ship {
            carrier: "UPS".into(),
            tracking_number: crate::carrier::example_for(crate::carrier::Carrier::Ups, shipment),
            tracking_url: Some("https://ups.example/track".into()),
        };
        self.ok(&Role::Staff, Command::Shipment { shipment: shipment.into(), action: ship });
    }

    pub(crate) fn deliver(&mut self, shipment: &str) -> Vec<&'static str> {
        self.ok(
            &Role::Staff,
            Command::Shipment { shipment: shipment.into(), action: ShipmentAction::MarkDelivered },
        )
    }

    fn headline(&self) -> String {
        status_view(&self.order, self.now).headline
    }
}

#[test]
fn placing_a_checked_cart_records_lines_totals_and_where_units_come_from() {
    let life = Life::new(&[("TEE", 2), ("MUG", 1), ("HOODIE", 3), ("DESK", 1)]);
    let order = &life.order;
    assert_eq!(order.state(), OrderState::Placed);
    assert_eq!(order.totals().grand_total, usd(4000 + 1000 + 15000 + 30000 + 500));
    let hoodie = &order.lines()[2];
    assert_eq!(hoodie.parts().len(), 2);
    assert_eq!(hoodie.parts()[0].availability(), &LineAvailability::Allocated { location: "east".into() });
    assert_eq!(
        hoodie.parts()[1].availability(),
        &LineAvailability::Backordered { promised: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap() }
    );
    assert_eq!(
        order.lines()[3].parts()[0].availability(),
        &LineAvailability::Dropshipped { supplier: "northwood".into() }
    );
    let view = status_view(order, life.now);
    assert_eq!(view.headline, "Awaiting payment");
    assert_eq!(view.summary, SummaryStatus::AwaitingPayment);
}

#[test]
fn a_cart_with_blocking_issues_or_not_at_checkout_cannot_be_placed() {
    let catalog = Catalog::new([item("TEE", 2000, 1, OutOfStockPolicy::Deny)]);
    let cart = Cart {
        currency: "USD".into(),
        lines: vec![CartLine { sku: "TEE".into(), quantity: 5 }],
        ..Cart::default()
    };
    let check = validate(&cart, &catalog, &Rules::default(), t0());
    let plan = allocate(&[], &catalog, &[], &[], t0().date_naive()).unwrap();
    let attempt = place(NewOrder {
        id: OrderId::parse("ord_x").unwrap(),
        number: None,
        channel: "web",
        customer: None,
        cart: &cart,
        check: &check,
        plan: &plan,
        rules: &Rules::default(),
    });
    assert_eq!(attempt.unwrap_err(), PlaceError::CartNotOk(1));
}

#[test]
fn the_steps_mark_only_what_happened_and_the_words_follow_each_delivery() {
    use crate::status::StepState::{Current, Done, Upcoming};
    let steps = |life: &Life| -> Vec<(String, StepState)> {
        status_view(&life.order, life.now).steps.into_iter().map(|s| (s.label, s.state)).collect()
    };
    let named = |v: [(&str, StepState); 5]| -> Vec<(String, StepState)> {
        v.into_iter().map(|(l, s)| (l.to_owned(), s)).collect()
    };
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    assert_eq!(
        steps(&life),
        named([
            ("Placed", Done),
            ("Payment authorized", Done),
            ("Packed", Upcoming),
            ("Shipped", Upcoming),
            ("Delivered", Upcoming)
        ]),
        "authorized is not paid, and nothing is under way before it starts"
    );
    life.ok(&Role::Staff, Command::CreateShipments);
    assert_eq!(steps(&life)[2], ("Packed".to_owned(), Upcoming), "planning parcels is not packing");
    let pick = Command::Shipment { shipment: "ord_1-S1".into(), action: ShipmentAction::StartPicking };
    life.ok(&Role::Staff, pick);
    assert_eq!(steps(&life)[2], ("Packed".to_owned(), Current));
    life.ok(&Role::Staff, Command::Shipment { shipment: "ord_1-S1".into(), action: ShipmentAction::Pack });
    let ship = ShipmentAction::Ship {
        carrier: "UPS".into(),
        tracking_number: crate::carrier::example_for(crate::carrier::Carrier::Ups, "1"),
        tracking_url: None,
    };
    life.ok(&Role::Staff, Command::Shipment { shipment: "ord_1-S1".into(), action: ship });
    life.deliver("ord_1-S1");
    let view = status_view(&life.order, life.now);
    assert_eq!(view.detail, "2 of 3 items were delivered. The rest will follow shortly.");
    assert_eq!(steps(&life)[1].0, "Payment authorized", "the tees' share is captured, not the mug's");
    life.ship("ord_1-S2");
    let view = status_view(&life.order, life.now);
    assert_eq!(view.headline, "Partly delivered");
    assert!(
        view.detail.starts_with("2 of 3 items were delivered; the rest is on its way with UPS, expected "),
        "{}",
        view.detail
    );
    assert_eq!(steps(&life)[1], ("Paid".to_owned(), Done), "the last parcel took the rest");
    assert_eq!(steps(&life)[4], ("Delivered".to_owned(), Current));
}

#[test]
fn an_order_goes_from_payment_to_delivery_in_split_shipments_and_completes_itself() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    assert_eq!(life.headline(), "Order confirmed");
    assert_eq!(life.ok(&Role::Staff, Command::CreateShipments), vec!["shipment_created", "shipment_created"]);
    assert_eq!(life.order.shipments().len(), 2, "TEE ships from east, MUG from west");
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    assert_eq!(life.order.payment().status(), PaymentStatus::Captured);
    life.ship("ord_1-S1");
    assert_eq!(life.headline(), "Partially shipped");
    assert_eq!(
        status_view(&life.order, life.now).detail,
        "2 of 3 items are on their way. The rest will follow shortly."
    );
    life.ship("ord_1-S2");
    let view = status_view(&life.order, life.now);
    assert_eq!(view.headline, "On its way");
    assert_eq!(view.detail, "Your order has shipped with UPS. Expected Wed 2 Dec.");
    assert_eq!(view.expected_delivery, NaiveDate::from_ymd_opt(2026, 12, 2), "3 business days from Friday");
    assert_eq!(life.deliver("ord_1-S1"), vec!["shipment_delivered"]);
    assert_eq!(life.deliver("ord_1-S2"), vec!["shipment_delivered", "completed"]);
    assert_eq!(life.order.state(), OrderState::Completed);
    let view = status_view(&life.order, life.now);
    assert_eq!(view.headline, "Delivered");
    assert_eq!(view.tone, Tone::Success);
    assert!(view.steps.iter().all(|s| s.state == StepState::Done));
    assert_eq!(view.expected_delivery, None);
}

#[test]
fn cancelling_before_shipping_voids_the_authorization_and_cancels_shipments() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    let events = life.ok(&Role::Customer, Command::Cancel { reason: "changed my mind".into() });
    assert_eq!(events, vec!["shipment_cancelled", "payment_voided", "cancelled"]);
    let view = status_view(&life.order, life.now);
    assert_eq!(view.headline, "Order cancelled");
    assert_eq!(
        view.detail,
        "This order was cancelled (changed my mind). The hold on your payment has been released."
    );
    assert!(view.steps.iter().all(|s| s.state != StepState::Current));
}

#[test]
fn cancelling_a_captured_order_refunds_what_was_captured() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    let events = life.ok(&Role::Staff, Command::Cancel { reason: "out of stock".into() });
    assert_eq!(events, vec!["payment_refunded", "cancelled"]);
    assert_eq!(life.order.payment().refunded(), usd(2500));
    assert!(
        status_view(&life.order, life.now)
            .detail
            .contains("$25.00 has been refunded to your card ending in 4242")
    );
}

#[test]
fn cancelling_after_something_shipped_is_refused_with_advice_to_return() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    let err = life.run(&Role::Staff, Command::Cancel { reason: "late".into() }).unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert_eq!(err.to_string(), "part of this order has already shipped; request a return instead");
}

#[test]
fn a_customer_cannot_cancel_once_picking_started_but_staff_can() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ok(
        &Role::Staff,
        Command::Shipment { shipment: "ord_1-S1".into(), action: ShipmentAction::StartPicking },
    );
    let err = life.run(&Role::Customer, Command::Cancel { reason: "oops".into() }).unwrap_err();
    assert_eq!(err, CommandError::TooLateToCancel);
    life.ok(&Role::Staff, Command::Cancel { reason: "customer called".into() });
    assert_eq!(life.order.state(), OrderState::Cancelled);
}

#[test]
fn roles_are_held_to_their_commands() {
    let mut life = Life::new(&[("TEE", 1), ("DESK", 1)]);
    life.pay();
    let err = life.run(&Role::Customer, Command::CapturePayment { amount: None }).unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
    assert_eq!(err.to_string(), "a customer may not capture_payment");
    life.ok(&Role::Staff, Command::CreateShipments);
    let dropship = life
        .order
        .shipments()
        .iter()
        .find(|s| matches!(s.source(), ShipmentSource::Supplier { .. }))
        .unwrap();
    let (theirs, ours) = (dropship.id().to_owned(), "ord_1-S1".to_owned());
    assert_ne!(theirs, ours);
    let supplier = Role::Supplier("northwood".into());
    let ship = |shipment: &str| Command::Shipment {
        shipment: shipment.into(),
        action: ShipmentAction::Ship {
            carrier: "Local courier".into(),
            tracking_number: "F100001".into(),
            tracking_url: None,
        },
    };
    for action in [ShipmentAction::StartPicking, ShipmentAction::Pack] {
        life.ok(&supplier, Command::Shipment { shipment: theirs.clone(), action });
    }
    life.ok(&supplier, ship(&theirs));
    let err = life.run(&supplier, ship(&ours)).unwrap_err();
    assert_eq!(err, CommandError::UnknownShipment(ours.clone()), "another source's parcel looks missing");
    let other = Role::Supplier("acme".into());
    assert_eq!(life.run(&other, ship(&theirs)).unwrap_err().code(), "NOT_FOUND");
}

#[test]
fn fulfilment_needs_an_authorized_payment() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.ok(&Role::Staff, Command::Confirm);
    assert_eq!(life.run(&Role::Staff, Command::CreateShipments).unwrap_err(), CommandError::PaymentRequired);
}

#[test]
fn authorizing_another_amount_than_the_total_is_refused() {
    let mut life = Life::new(&[("TEE", 1)]);
    let method = PaymentMethod { reference: "a".into(), brand: CardBrand::Visa, last4: Some("4242".into()) };
    let err = life.run(&Role::Customer, Command::AuthorizePayment { amount: usd(1), method }).unwrap_err();
    assert_eq!(err.code(), "INVALID_AMOUNT");
    assert_eq!(life.order.last_seq(), 1, "nothing changed");
}

#[test]
fn backordered_units_ship_later_in_their_own_shipment() {
    let mut life = Life::new(&[("HOODIE", 3)]);
    life.pay();
    assert_eq!(life.headline(), "Backordered");
    life.ok(&Role::Staff, Command::CreateShipments);
    assert_eq!(life.order.shipments()[0].units(), 1);
    life.ship("ord_1-S1");
    assert_eq!(
        status_view(&life.order, life.now).detail,
        "1 of 3 items is on its way. The rest will ship by 10 Dec 2026."
    );
    assert_eq!(life.run(&Role::Staff, Command::CreateShipments).unwrap_err(), CommandError::NothingToShip);
    life.ok(&Role::Staff, Command::AllocateBackorder { line: 0, part: 1, location: loc("east") });
    life.ok(&Role::Staff, Command::CreateShipments);
    assert_eq!(life.order.shipment("ord_1-S2").unwrap().units(), 2);
}

#[test]
fn returns_refund_the_paid_share_and_partial_returns_add_up() {
    let mut life = Life::new(&[("TEE", 3)]);
    life.pay();
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    let request = |quantity| Command::RequestReturn {
        lines: vec![ReturnItem { line: 0, quantity, reason: "too small".into() }],
    };
    let err = life.run(&Role::Customer, request(1)).unwrap_err();
    assert_eq!(err.code(), "RETURN_NOT_ALLOWED", "nothing delivered yet");
    life.deliver("ord_1-S1");
    assert_eq!(life.run(&Role::Customer, request(4)).unwrap_err().code(), "RETURN_NOT_ALLOWED");
    for (n, quantity) in [(1, 1), (2, 2)] {
        let rma = format!("ord_1-R{n}");
        life.ok(&Role::Customer, request(quantity));
        assert_eq!(life.headline(), "Return in progress");
        for action in [ReturnAction::Approve, ReturnAction::Receive] {
            life.ok(&Role::Staff, Command::Return { rma: rma.clone(), action });
        }
        let events =
            life.ok(&Role::Staff, Command::Return { rma: rma.clone(), action: ReturnAction::Refund });
        assert_eq!(events, vec!["return_refunded", "payment_refunded"]);
    }
    // 3 × $20.00 paid; 1 then 2 returned: $20.00 + $40.00, shipping is not refunded.
    assert_eq!(life.order.return_case("ord_1-R1").unwrap().refunded(), Some(usd(2000)));
    assert_eq!(life.order.return_case("ord_1-R2").unwrap().refunded(), Some(usd(4000)));
    assert_eq!(life.order.payment().refunded(), usd(6000));
    assert_eq!(life.headline(), "Refunded");
    assert_eq!(life.run(&Role::Customer, request(1)).unwrap_err().code(), "RETURN_NOT_ALLOWED");
}

#[test]
fn a_return_after_the_window_is_refused() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    life.deliver("ord_1-S1");
    life.now += Duration::days(31);
    let err = life
        .run(
            &Role::Customer,
            Command::RequestReturn {
                lines: vec![ReturnItem { line: 0, quantity: 1, reason: "late".into() }],
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "RETURN_NOT_ALLOWED");
    assert_eq!(err.to_string(), "the return window closed on 27 Dec 2026");
}

#[test]
fn a_delivery_exception_shows_as_a_warning() {
    let mut life = Life::new(&[("TEE", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    let exception = ShipmentAction::ReportException {
        kind: crate::lifecycle::ExceptionKind::Damaged,
        note: String::new(),
    };
    life.ok(&Role::Staff, Command::Shipment { shipment: "ord_1-S1".into(), action: exception });
    let view = status_view(&life.order, life.now);
    assert_eq!(view.headline, "Delivery problem");
    assert_eq!(view.tone, Tone::Warning);
    assert_eq!(view.summary, SummaryStatus::DeliveryException);
}

#[test]
fn the_timeline_replays_to_the_same_order_and_gaps_are_refused() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    assert_eq!(Order::from_timeline(&life.timeline).unwrap(), life.order);
    let mut gappy = life.timeline.clone();
    gappy.remove(2);
    assert!(matches!(Order::from_timeline(&gappy), Err(TimelineError::OutOfSequence { .. })));
    assert_eq!(Order::from_timeline(&life.timeline[1..]), Err(TimelineError::MissingPlaced));
}

#[test]
fn allowed_actions_follow_role_and_state() {
    let mut life = Life::new(&[("TEE", 1)]);
    let kinds = |life: &Life, role: &Role| -> Vec<ActionKind> {
        allowed_actions(&life.order, role, life.now).into_iter().map(|a| a.kind).collect()
    };
    assert_eq!(
        kinds(&life, &Role::Customer),
        vec![
            ActionKind::Cancel,
            ActionKind::AuthorizePayment,
            ActionKind::FailPayment,
            ActionKind::CancelLines
        ]
    );
    life.pay();
    assert_eq!(
        kinds(&life, &Role::Staff),
        vec![
            ActionKind::Cancel,
            ActionKind::CapturePayment,
            ActionKind::VoidPayment,
            ActionKind::CreateShipments,
            ActionKind::CancelLines,
            ActionKind::Backorder, // the unit could be lost from stock until it is in a parcel
        ]
    );
    life.ok(&Role::Staff, Command::CreateShipments);
    let actions = allowed_actions(&life.order, &Role::Staff, life.now);
    let picking = actions.iter().find(|a| a.kind == ActionKind::StartPicking).unwrap();
    assert_eq!(picking.shipment.as_deref(), Some("ord_1-S1"));
    assert!(!kinds(&life, &Role::Staff).contains(&ActionKind::Backorder), "the unit is in a parcel now");
    assert!(kinds(&life, &Role::Supplier("northwood".into())).is_empty());
    life.ship("ord_1-S1");
    assert!(!kinds(&life, &Role::Staff).contains(&ActionKind::Cancel));
    life.deliver("ord_1-S1");
    assert_eq!(kinds(&life, &Role::Customer), vec![ActionKind::RequestReturn]);
}

#[test]
fn capturing_on_delivery_completes_the_order_only_once_the_money_is_in() {
    // A shop that captures by hand (parcels capture nothing as they ship).
    let mut life = Life::with_policy(&[("TEE", 1)], super::CapturePolicy::Manual);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    assert_eq!(life.deliver("ord_1-S1"), vec!["shipment_delivered"], "the authorization is still open");
    assert_eq!(life.order.state(), OrderState::Confirmed);
    assert_eq!(
        life.ok(&Role::Staff, Command::CapturePayment { amount: None }),
        vec!["payment_captured", "completed"]
    );
}

#[test]
fn a_return_after_a_goodwill_refund_refunds_only_what_is_left() {
    let mut life = Life::new(&[("TEE", 1)]); // $20 + $5 shipping
    life.pay();
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    life.ok(&Role::Staff, Command::RefundPayment { amount: usd(2000), reason: "late delivery".into() });
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    life.deliver("ord_1-S1");
    life.ok(
        &Role::Customer,
        Command::RequestReturn { lines: vec![ReturnItem { line: 0, quantity: 1, reason: "broken".into() }] },
    );
    for action in [ReturnAction::Approve, ReturnAction::Receive, ReturnAction::Refund] {
        life.ok(&Role::Staff, Command::Return { rma: "ord_1-R1".into(), action });
    }
    assert_eq!(life.order.return_case("ord_1-R1").unwrap().refunded(), Some(usd(500)));
    assert_eq!(life.order.payment().refunded(), usd(2500), "never more than was captured");
}

#[test]
fn units_already_in_a_parcel_cannot_change_source() {
    let mut life = Life::new(&[("DESK", 1), ("HOODIE", 3)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    let err = life
        .run(&Role::Staff, Command::AllocateBackorder { line: 0, part: 0, location: loc("east") })
        .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");
    life.ok(&Role::Staff, Command::AllocateBackorder { line: 1, part: 1, location: loc("east") });
    assert_eq!(life.ok(&Role::Staff, Command::CreateShipments), vec!["shipment_created"]);
}

#[test]
fn each_line_has_its_own_return_window_from_its_delivery() {
    let mut life = Life::new(&[("TEE", 1), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    life.ship("ord_1-S2");
    life.deliver("ord_1-S1");
    life.now += Duration::days(60);
    life.deliver("ord_1-S2");
    life.now += Duration::days(1);
    let request =
        |line| Command::RequestReturn { lines: vec![ReturnItem { line, quantity: 1, reason: "no".into() }] };
    assert_eq!(life.run(&Role::Customer, request(0)).unwrap_err().code(), "RETURN_NOT_ALLOWED");
    life.ok(&Role::Customer, request(1));
}

// ---- random histories ----

fn arb_command() -> impl Strategy<Value = (u8, Command)> {
    let shipment = prop::sample::select(vec!["ord_1-S1", "ord_1-S2", "ord_1-S3"]).prop_map(String::from);
    let shipment_action = prop_oneof![
        Just(ShipmentAction::StartPicking),
        Just(ShipmentAction::Pack),
        Just(ShipmentAction::Ship {
            carrier: "UPS".into(),
            tracking_number: crate::carrier::example_for(crate::carrier::Carrier::Ups, "any"),
            tracking_url: None
        }),
        Just(ShipmentAction::MarkInTransit),
        Just(ShipmentAction::MarkOutForDelivery),
        Just(ShipmentAction::MarkDelivered),
        Just(ShipmentAction::ReportException {
            kind: crate::lifecycle::ExceptionKind::Lost,
            note: String::new()
        }),
        Just(ShipmentAction::ResolveException),
        Just(ShipmentAction::ReturnToSender),
        Just(ShipmentAction::Cancel),
    ];
    let rma = prop::sample::select(vec!["ord_1-R1", "ord_1-R2"]).prop_map(String::from);
    let return_action = prop_oneof![
        Just(ReturnAction::Approve),
        Just(ReturnAction::Reject { reason: "worn".into() }),
        Just(ReturnAction::Receive),
        Just(ReturnAction::Refund),
        Just(ReturnAction::Cancel),
    ];
    let method = PaymentMethod { reference: "r".into(), brand: CardBrand::Visa, last4: None };
    let command = prop_oneof![
        Just(Command::Confirm),
        Just(Command::Cancel { reason: "r".into() }),
        Just(Command::AuthorizePayment { amount: usd(9000), method }),
        Just(Command::FailPayment { reason: "declined".into() }),
        (0i64..4000).prop_map(|a| Command::CapturePayment { amount: (a > 0).then(|| usd(a)) }),
        Just(Command::VoidPayment),
        (1i64..5000).prop_map(|a| Command::RefundPayment { amount: usd(a), reason: "goodwill".into() }),
        Just(Command::CreateShipments),
        (shipment, shipment_action).prop_map(|(shipment, action)| Command::Shipment { shipment, action }),
        (0usize..2, 0usize..3).prop_map(|(line, part)| Command::AllocateBackorder {
            line,
            part,
            location: loc("east")
        }),
        (0usize..2, 1u32..4).prop_map(|(line, quantity)| Command::RequestReturn {
            lines: vec![ReturnItem { line, quantity, reason: "r".into() }]
        }),
        (rma, return_action).prop_map(|(rma, action)| Command::Return { rma, action }),
        (0usize..3, 1u32..3).prop_map(|(line, quantity)| Command::CancelLines {
            lines: vec![LineUnits { line, quantity }],
            reason: "r".into()
        }),
        (prop::sample::select(vec!["ord_1-S1", "ord_1-S2", "ord_1-S4"]), 0usize..2, 1u32..3).prop_map(
            |(shipment, line, quantity)| Command::SplitShipment {
                shipment: shipment.into(),
                lines: vec![ShipmentLine { line, quantity }]
            }
        ),
        Just(Command::MergeShipments { shipments: vec!["ord_1-S1".into(), "ord_1-S3".into()] }),
    ];
    (0u8..5, command)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_history_keeps_the_order_consistent(commands in prop::collection::vec(arb_command(), 0..60)) {
        // TEE 2 × $20 + HOODIE 2 × $50 (1 allocated, 1 backordered) + $5 shipping.
        let mut life = Life::new(&[("TEE", 2), ("HOODIE", 2)]);
        prop_assert_eq!(life.order.totals().grand_total, usd(14500));
        let roles = [Role::Customer, Role::Staff, Role::Admin, Role::Channel, Role::Supplier("northwood".into())];
        for (role, command) in commands {
            let command = match command {
                Command::AuthorizePayment { method, .. } => Command::AuthorizePayment { amount: usd(14500), method },
                other => other,
            };
            let before = life.order.clone();
            let may_move_money = command.may_move_money();
            match life.run(&roles[role as usize], command) {
                Ok(events) => {
                    // Only a command that says it may move money moves it (the gateway runs
                    // those through the payment provider first).
                    let moved = events.iter().any(|e| matches!(*e, "payment_captured" | "payment_voided" | "payment_refunded"));
                    prop_assert!(!moved || may_move_money, "{:?} moved money", events);
                }
                Err(e) => {
                    prop_assert_ne!(e.code(), "INTERNAL", "{}", e);
                    prop_assert_eq!(&life.order, &before, "a refused command changed nothing");
                }
            }
            let p = life.order.payment();
            prop_assert!(p.refunded().amount() <= p.captured().amount());
            prop_assert!(p.captured().amount() <= p.authorized().amount());
            for line in life.order.lines() {
                prop_assert!(life.order.units_in_shipments(line.index()) <= line.remaining());
                let (returned, open) = life.order.units_returned(line.index());
                prop_assert!(returned + open <= life.order.units_delivered(line.index()));
                // Cancelled plus remaining is what was ordered.
                prop_assert_eq!(line.parts().iter().map(|p| p.quantity()).sum::<u32>(), line.remaining());
                prop_assert_eq!(line.cancelled() + line.remaining(), line.quantity());
            }
            // Nothing is captured beyond what is due; refunds never beyond what was captured.
            prop_assert!(p.captured().amount() - p.refunded().amount() <= life.order.totals().grand_total.amount());
            let _ = status_view(&life.order, life.now);
            let _ = allowed_actions(&life.order, &Role::Staff, life.now);
        }
        prop_assert_eq!(Order::from_timeline(&life.timeline).unwrap(), life.order.clone());
    }
}

#[test]
fn a_shop_that_confirms_on_capture_confirms_when_the_money_is_taken() {
    let mut timeline = placed(&[("TEE", 1)]);
    if let OrderEvent::Placed(p) = &mut timeline[0].event {
        p.policy.confirm_on_capture = true;
    }
    let mut life = Life { order: Order::from_timeline(&timeline).unwrap(), timeline, now: t0() };
    let amount = life.order.totals().grand_total;
    let method = PaymentMethod { reference: "a".into(), brand: CardBrand::Visa, last4: None };
    assert_eq!(
        life.ok(&Role::Customer, Command::AuthorizePayment { amount, method }),
        vec!["payment_authorized"]
    );
    assert_eq!(life.order.state(), OrderState::Placed);
    assert_eq!(
        life.ok(&Role::Staff, Command::CapturePayment { amount: None }),
        vec!["payment_captured", "confirmed"]
    );
}

fn effect(sku: &str, location: &str, on_hand: i64, reserved: i64, reason: StockReason) -> StockEffect {
    StockEffect {
        sku: Sku::parse(sku).unwrap(),
        location: loc(location),
        on_hand_delta: on_hand,
        reserved_delta: reserved,
        reason,
    }
}

#[test]
fn shipping_from_a_location_consumes_the_reservation_and_a_supplier_parcel_touches_no_stock() {
    let mut life = Life::new(&[("TEE", 2), ("DESK", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    let before = life.order.clone();
    let from = life.timeline.len();
    life.ship("ord_1-S1");
    let shipped = stock_effects(&before, &life.timeline[from..]);
    assert_eq!(shipped, vec![effect("TEE", "east", -2, -2, StockReason::Shipped)]);
    let before = life.order.clone();
    let from = life.timeline.len();
    life.ship("ord_1-S2");
    assert_eq!(stock_effects(&before, &life.timeline[from..]), vec![], "the supplier ships its own desk");
}

#[test]
fn units_whose_stock_was_lost_release_their_reservation_and_join_the_backorder_queue() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    let before = life.order.clone();
    let from = life.timeline.len();
    let promised = life.now.date_naive() + Days::new(9);
    assert_eq!(
        life.ok(&Role::Staff, Command::Backorder { line: 0, part: 0, promised }),
        ["line_backordered"]
    );
    let entries = &life.timeline[from..];
    assert_eq!(stock_effects(&before, entries), vec![effect("TEE", "east", 0, -2, StockReason::Released)]);
    assert_eq!(
        super::queue_changes(&life.order, entries),
        [super::QueueChange::Wait { line: 0, part: 0, quantity: 2, promised }]
    );
    assert_eq!(held_reservations(&life.order), vec![(Sku::parse("MUG").unwrap(), loc("west"), 1)]);
    // A new day for units already waiting moves nothing on the shelf.
    let before = life.order.clone();
    let from = life.timeline.len();
    let later = promised + Days::new(5);
    life.ok(&Role::Staff, Command::Backorder { line: 0, part: 0, promised: later });
    assert_eq!(stock_effects(&before, &life.timeline[from..]), vec![]);
}

#[test]
fn cancelling_releases_what_is_still_reserved_and_nothing_that_shipped() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1), ("HOODIE", 3)]);
    assert_eq!(
        held_reservations(&life.order),
        vec![
            (Sku::parse("TEE").unwrap(), loc("east"), 2),
            (Sku::parse("MUG").unwrap(), loc("west"), 1),
            (Sku::parse("HOODIE").unwrap(), loc("east"), 1),
        ],
        "two hoodies wait on backorder and hold nothing"
    );
    life.pay();
    let before = life.order.clone();
    let from = life.timeline.len();
    life.ok(&Role::Staff, Command::Cancel { reason: "fraud check".into() });
    let mut released = stock_effects(&before, &life.timeline[from..]);
    released.sort_by(|a, b| a.sku.as_str().cmp(b.sku.as_str()));
    assert_eq!(
        released,
        vec![
            effect("HOODIE", "east", 0, -1, StockReason::Released),
            effect("MUG", "west", 0, -1, StockReason::Released),
            effect("TEE", "east", 0, -2, StockReason::Released),
        ]
    );
}

#[test]
fn a_parcel_returned_to_the_sender_holds_no_reservation_so_cancelling_releases_only_the_rest() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    let tee_parcel = life.order.shipments().iter().find(|s| s.lines()[0].line == 0).unwrap().id().to_owned();
    life.ship(&tee_parcel);
    let lost = ShipmentAction::ReportException {
        kind: crate::lifecycle::ExceptionKind::AddressProblem,
        note: String::new(),
    };
    life.ok(&Role::Staff, Command::Shipment { shipment: tee_parcel.clone(), action: lost });
    life.ok(&Role::Staff, Command::Shipment { shipment: tee_parcel, action: ShipmentAction::ReturnToSender });
    assert_eq!(
        held_reservations(&life.order),
        vec![(Sku::parse("MUG").unwrap(), loc("west"), 1)],
        "shipping consumed the tees' reservation; coming back does not restore it"
    );
    let before = life.order.clone();
    let from = life.timeline.len();
    life.ok(&Role::Staff, Command::Cancel { reason: "undeliverable".into() });
    assert_eq!(
        stock_effects(&before, &life.timeline[from..]),
        vec![effect("MUG", "west", 0, -1, StockReason::Released)],
        "the tees' reservation is not released a second time"
    );
}

#[test]
fn a_parcel_returned_to_the_sender_is_received_back_once_by_staff_restocked_or_written_off() {
    for restock in [Some(loc("west")), None] {
        let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let tee = life.order.shipments().iter().find(|s| s.lines()[0].line == 0).unwrap().id().to_owned();
        let mug = life.order.shipments().iter().find(|s| s.id() != tee).unwrap().id().to_owned();
        let receive = |shipment: &str| Command::ReceiveReturnedParcel {
            shipment: shipment.into(),
            restock: restock.clone(),
        };
        life.ship(&tee);
        life.ship(&mug);
        let refused = life.run(&Role::Staff, receive(&tee)).unwrap_err();
        assert_eq!(refused.code(), "INVALID_TRANSITION", "still with the carrier: {refused}");
        let problem = ShipmentAction::ReportException {
            kind: crate::lifecycle::ExceptionKind::AddressProblem,
            note: String::new(),
        };
        life.ok(&Role::Staff, Command::Shipment { shipment: tee.clone(), action: problem });
        life.ok(
            &Role::Staff,
            Command::Shipment { shipment: tee.clone(), action: ShipmentAction::ReturnToSender },
        );
        let kinds = |life: &Life, role: &Role| -> Vec<(ActionKind, Option<String>)> {
            allowed_actions(&life.order, role, life.now).into_iter().map(|a| (a.kind, a.shipment)).collect()
        };
        let offered = (ActionKind::ReceiveReturnedParcel, Some(tee.clone()));
        assert!(kinds(&life, &Role::Staff).contains(&offered));
        assert!(!kinds(&life, &Role::Customer).contains(&offered));
        assert_eq!(life.run(&Role::Customer, receive(&tee)).unwrap_err().code(), "FORBIDDEN");
        assert_eq!(life.run(&Role::Staff, receive("ord_1-S9")).unwrap_err().code(), "NOT_FOUND");

        let before = life.order.clone();
        let from = life.timeline.len();
        assert_eq!(life.ok(&Role::Staff, receive(&tee)), vec!["parcel_received_back"]);
        let expected = match &restock {
            Some(_) => vec![effect("TEE", "west", 2, 0, StockReason::Restocked)],
            None => vec![],
        };
        assert_eq!(stock_effects(&before, &life.timeline[from..]), expected, "{restock:?}");
        assert!(life.order.shipment(&tee).unwrap().received_back());
        assert_eq!(
            life.run(&Role::Staff, receive(&tee)).unwrap_err().code(),
            "INVALID_TRANSITION",
            "only once"
        );
        assert!(!kinds(&life, &Role::Staff).contains(&offered));
        assert_eq!(Order::from_timeline(&life.timeline).unwrap(), life.order, "the timeline replays");
    }
}

#[test]
fn receiving_a_return_restocks_or_writes_off_each_line_as_told() {
    let mut life = Life::new(&[("TEE", 3), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    life.ship("ord_1-S2");
    life.deliver("ord_1-S1");
    life.deliver("ord_1-S2");
    let lines = vec![
        ReturnItem { line: 0, quantity: 2, reason: "too small".into() },
        ReturnItem { line: 1, quantity: 1, reason: "broken".into() },
    ];
    life.ok(&Role::Customer, Command::RequestReturn { lines });
    life.ok(&Role::Staff, Command::Return { rma: "ord_1-R1".into(), action: ReturnAction::Approve });
    let dispositions = [
        ReturnDisposition { line: 0, restock: Some(loc("west")) },
        ReturnDisposition { line: 1, restock: None },
    ];
    assert_eq!(
        return_restock(&life.order, "ord_1-R1", &dispositions).unwrap(),
        vec![effect("TEE", "west", 2, 0, StockReason::Restocked)]
    );
    let missing = return_restock(&life.order, "ord_1-R1", &dispositions[..1]).unwrap_err();
    assert_eq!(missing.code(), "BAD_USER_INPUT");
    let extra =
        [dispositions[0].clone(), dispositions[1].clone(), ReturnDisposition { line: 5, restock: None }];
    assert_eq!(return_restock(&life.order, "ord_1-R1", &extra).unwrap_err().code(), "BAD_USER_INPUT");
    assert_eq!(return_restock(&life.order, "ord_1-R9", &dispositions).unwrap_err().code(), "NOT_FOUND");
}

#[test]
fn a_return_cannot_be_refunded_before_anything_was_captured() {
    // A shop that captures by hand (parcels capture nothing as they ship).
    let mut life = Life::with_policy(&[("TEE", 1)], super::CapturePolicy::Manual);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    life.deliver("ord_1-S1");
    life.ok(
        &Role::Customer,
        Command::RequestReturn { lines: vec![ReturnItem { line: 0, quantity: 1, reason: "x".into() }] },
    );
    for action in [ReturnAction::Approve, ReturnAction::Receive] {
        life.ok(&Role::Staff, Command::Return { rma: "ord_1-R1".into(), action });
    }
    let refund = Command::Return { rma: "ord_1-R1".into(), action: ReturnAction::Refund };
    assert_eq!(life.run(&Role::Staff, refund.clone()).unwrap_err().code(), "PAYMENT_NOT_CAPTURED");
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    assert_eq!(life.ok(&Role::Staff, refund), vec!["return_refunded", "payment_refunded"]);
}

#[test]
fn cancelling_some_units_lowers_the_total_releases_their_stock_and_drops_them_from_the_parcel() {
    let mut life = Life::new(&[("TEE", 3), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    assert_eq!(life.order.totals().grand_total, usd(7500));
    let before = life.order.clone();
    let from = life.timeline.len();
    let cancel =
        Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "too many".into() };
    assert_eq!(life.ok(&Role::Customer, cancel), vec!["shipment_units_removed", "lines_cancelled"]);
    assert_eq!(
        stock_effects(&before, &life.timeline[from..]),
        vec![effect("TEE", "east", 0, -1, StockReason::Released)]
    );
    let tee = &life.order.lines()[0];
    assert_eq!((tee.quantity(), tee.cancelled(), tee.remaining()), (3, 1, 2));
    assert_eq!(life.order.shipment("ord_1-S1").unwrap().units(), 2);
    let totals = life.order.totals();
    assert_eq!((totals.subtotal, totals.shipping, totals.grand_total), (usd(5000), usd(500), usd(5500)));
    assert_eq!(life.order.placed_totals().grand_total, usd(7500));
    // The authorization holds 75.00; the capture takes only what is due and releases the rest.
    assert_eq!(life.order.payment().authorized(), usd(7500));
    let over = Command::CapturePayment { amount: Some(usd(6000)) };
    assert_eq!(life.run(&Role::Staff, over).unwrap_err().code(), "INVALID_AMOUNT");
    assert_eq!(
        life.ok(&Role::Staff, Command::CapturePayment { amount: None }),
        vec!["payment_captured", "payment_voided"]
    );
    assert_eq!(life.order.payment().captured(), usd(5500));
    life.ship("ord_1-S1");
    life.ship("ord_1-S2");
    life.deliver("ord_1-S1");
    assert_eq!(life.deliver("ord_1-S2"), vec!["shipment_delivered", "completed"]);
}

#[test]
fn cancelling_captured_units_refunds_their_share_and_a_line_adds_up_in_parts() {
    let mut life = Life::new(&[("TEE", 3), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    let one_tee = |life: &mut Life| {
        life.ok(
            &Role::Staff,
            Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() },
        )
    };
    assert_eq!(one_tee(&mut life), vec!["lines_cancelled", "payment_refunded"]);
    assert_eq!(one_tee(&mut life), vec!["lines_cancelled", "payment_refunded"]);
    assert_eq!(one_tee(&mut life), vec!["lines_cancelled", "payment_refunded"]);
    assert_eq!(life.order.payment().refunded(), usd(6000), "three tees, exactly");
    assert_eq!(life.order.totals().grand_total, usd(1500));
    assert_eq!(life.order.state(), OrderState::Confirmed, "the mug is still coming");
}

#[test]
fn cancelling_packed_or_shipped_units_is_refused_with_advice_to_return() {
    // A shop that captures by hand (parcels capture nothing as they ship).
    let mut life = Life::with_policy(&[("TEE", 2), ("MUG", 1)], super::CapturePolicy::Manual);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    let before = life.order.clone();
    let err = life
        .run(
            &Role::Staff,
            Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() },
        )
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert!(err.to_string().contains("request a return instead"), "{err}");
    let err = life
        .run(
            &Role::Staff,
            Command::CancelLines { lines: vec![LineUnits { line: 1, quantity: 2 }], reason: "r".into() },
        )
        .unwrap_err();
    assert_eq!(err.code(), "QUANTITY_EXCEEDS_REMAINING");
    assert_eq!(err.to_string(), "line 1: 2 unit(s) to cancel but only 1 remain on the order");
    let err = life
        .run(
            &Role::Staff,
            Command::CancelLines { lines: vec![LineUnits { line: 7, quantity: 1 }], reason: "r".into() },
        )
        .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");
    assert_eq!(life.order, before, "nothing changed");
    // The mug has not shipped: it can go, and its parcel with it.
    let events = life.ok(
        &Role::Staff,
        Command::CancelLines { lines: vec![LineUnits { line: 1, quantity: 1 }], reason: "r".into() },
    );
    assert_eq!(events, vec!["shipment_cancelled", "lines_cancelled"]);
    life.deliver("ord_1-S1");
    assert!(life.order.fully_delivered());
}

#[test]
fn cancelling_every_remaining_unit_cancels_the_order() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ok(
        &Role::Staff,
        Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() },
    );
    let rest = vec![LineUnits { line: 0, quantity: 1 }, LineUnits { line: 1, quantity: 1 }];
    let events = life.ok(&Role::Customer, Command::CancelLines { lines: rest, reason: "all of it".into() });
    assert_eq!(events, vec!["shipment_cancelled", "shipment_cancelled", "payment_voided", "cancelled"]);
    assert_eq!(life.order.state(), OrderState::Cancelled);
}

#[test]
fn backordered_units_are_cancelled_first_and_hold_no_stock() {
    let mut life = Life::new(&[("HOODIE", 2)]);
    life.pay();
    let before = life.order.clone();
    let from = life.timeline.len();
    life.ok(
        &Role::Customer,
        Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() },
    );
    assert_eq!(stock_effects(&before, &life.timeline[from..]), vec![]);
    let parts: Vec<u32> = life.order.lines()[0].parts().iter().map(|p| p.quantity()).collect();
    assert_eq!(parts, vec![1, 0], "the allocated hoodie stays, the backordered one is gone");
    assert_eq!(life.order.lines()[0].backorder_promise(), None, "nothing waits on backorder any more");
}

#[test]
fn a_customer_cannot_cancel_units_being_picked_but_staff_can() {
    let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ok(
        &Role::Staff,
        Command::Shipment { shipment: "ord_1-S1".into(), action: ShipmentAction::StartPicking },
    );
    let cancel = Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() };
    assert_eq!(life.run(&Role::Customer, cancel.clone()).unwrap_err(), CommandError::TooLateToCancel);
    assert_eq!(life.ok(&Role::Staff, cancel), vec!["shipment_units_removed", "lines_cancelled"]);
}

#[test]
fn a_parcel_splits_and_merges_back_before_packing_and_not_after() {
    let mut life = Life::new(&[("TEE", 3)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    let split = |quantity| Command::SplitShipment {
        shipment: "ord_1-S1".into(),
        lines: vec![ShipmentLine { line: 0, quantity }],
    };
    assert_eq!(
        life.run(&Role::Staff, split(3)).unwrap_err().code(),
        "BAD_USER_INPUT",
        "nothing would be left"
    );
    assert_eq!(life.run(&Role::Customer, split(1)).unwrap_err().code(), "FORBIDDEN");
    assert_eq!(life.ok(&Role::Staff, split(1)), vec!["shipment_split"]);
    let s2 = life.order.shipment("ord_1-S2").unwrap();
    assert_eq!(
        (s2.units(), s2.state().name(), s2.source()),
        (1, "pending", life.order.shipments()[0].source())
    );
    assert_eq!(life.order.shipment("ord_1-S1").unwrap().units(), 2);
    let merge = Command::MergeShipments { shipments: vec!["ord_1-S2".into(), "ord_1-S1".into()] };
    assert_eq!(life.ok(&Role::Staff, merge), vec!["shipments_merged"]);
    assert_eq!(life.order.shipment("ord_1-S2").unwrap().units(), 3);
    assert_eq!(life.order.shipment("ord_1-S1").unwrap().state().name(), "cancelled");
    assert_eq!(life.order.units_in_shipments(0), 3);
    life.ok(
        &Role::Staff,
        Command::Shipment { shipment: "ord_1-S2".into(), action: ShipmentAction::StartPicking },
    );
    life.ok(&Role::Staff, Command::Shipment { shipment: "ord_1-S2".into(), action: ShipmentAction::Pack });
    let late = Command::SplitShipment {
        shipment: "ord_1-S2".into(),
        lines: vec![ShipmentLine { line: 0, quantity: 1 }],
    };
    let err = life.run(&Role::Staff, late).unwrap_err();
    assert_eq!(err.code(), "INVALID_TRANSITION");
    assert_eq!(err.to_string(), "cannot split a shipment that is packed");
    let actions = allowed_actions(&life.order, &Role::Staff, life.now);
    assert!(!actions.iter().any(|a| a.kind == ActionKind::SplitShipment));
    assert_eq!(Order::from_timeline(&life.timeline).unwrap(), life.order);
}

#[test]
fn parcels_from_different_places_do_not_merge() {
    let mut life = Life::new(&[("TEE", 1), ("MUG", 1)]);
    life.pay();
    life.ok(&Role::Staff, Command::CreateShipments);
    let merge = Command::MergeShipments { shipments: vec!["ord_1-S1".into(), "ord_1-S2".into()] };
    assert_eq!(life.run(&Role::Staff, merge).unwrap_err().code(), "BAD_USER_INPUT");
    let one = Command::MergeShipments { shipments: vec!["ord_1-S1".into(), "ord_1-S1".into()] };
    assert_eq!(life.run(&Role::Staff, one).unwrap_err().code(), "BAD_USER_INPUT");
    let unknown = Command::MergeShipments { shipments: vec!["ord_1-S1".into(), "ord_1-S9".into()] };
    assert_eq!(life.run(&Role::Staff, unknown).unwrap_err().code(), "NOT_FOUND");
}

#[test]
fn a_return_after_a_cancellation_refunds_the_rest_of_the_line_exactly() {
    let mut life = Life::new(&[("TEE", 3)]);
    life.pay();
    life.ok(&Role::Staff, Command::CapturePayment { amount: None });
    life.ok(
        &Role::Staff,
        Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() },
    );
    life.ok(&Role::Staff, Command::CreateShipments);
    life.ship("ord_1-S1");
    life.deliver("ord_1-S1");
    life.ok(
        &Role::Customer,
        Command::RequestReturn { lines: vec![ReturnItem { line: 0, quantity: 2, reason: "x".into() }] },
    );
    for action in [ReturnAction::Approve, ReturnAction::Receive, ReturnAction::Refund] {
        life.ok(&Role::Staff, Command::Return { rma: "ord_1-R1".into(), action });
    }
    // 2000 for the cancelled tee, 4000 for the two returned; the 500 shipping is kept.
    assert_eq!(life.order.payment().refunded(), usd(6000));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// One unit of a 3-unit line returned and refunded, the other two (backordered) cancelled, in
    /// either order: the line gives back exactly what it cost, whatever its total after the
    /// discount (a third of these totals are 2 modulo 3, where front pieces for both lost a cent).
    #[test]
    fn a_line_partly_returned_and_partly_cancelled_gives_back_exactly_its_total_in_either_order(
        discount in 1i64..3000,
        return_first in any::<bool>(),
    ) {
        let timeline = placed_with_discount(&[("HOODIE", 3), ("MUG", 1)], discount);
        let mut life = Life { order: Order::from_timeline(&timeline).unwrap(), timeline, now: t0() };
        let hoodie = life.order.lines()[0].total;
        life.pay();
        life.ok(&Role::Staff, Command::CapturePayment { amount: None });
        let cancel = Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 2 }], reason: "r".into() };
        if !return_first {
            life.ok(&Role::Staff, cancel.clone());
        }
        life.ok(&Role::Staff, Command::CreateShipments);
        for shipment in ["ord_1-S1", "ord_1-S2"] {
            life.ship(shipment);
            life.deliver(shipment);
        }
        life.ok(
            &Role::Customer,
            Command::RequestReturn { lines: vec![ReturnItem { line: 0, quantity: 1, reason: "x".into() }] },
        );
        for action in [ReturnAction::Approve, ReturnAction::Receive, ReturnAction::Refund] {
            life.ok(&Role::Staff, Command::Return { rma: "ord_1-R1".into(), action });
        }
        if return_first {
            life.ok(&Role::Staff, cancel);
        }
        prop_assert_eq!(life.order.payment().refunded(), hoodie);
    }
}

/// An order for two tees, placed and not paid (for the unpaid-order rules' tests).
pub(super) fn placed_order() -> Order {
    placed_order_with(&[("TEE", 2)])
}

/// An order for `lines` (TEE and MUG in stock, HOODIE backordered, DESK dropshipped by northwood).
pub(super) fn placed_order_with(lines: &[(&str, i64)]) -> Order {
    Order::from_timeline(&placed(lines)).unwrap()
}

/// An approved authorization of `order`'s total.
pub(super) fn approved(order: &Order) -> Command {
    let method =
        PaymentMethod { reference: "auth_1".into(), brand: CardBrand::Visa, last4: Some("4242".into()) };
    Command::AuthorizePayment { amount: order.totals().grand_total, method }
}

#[test]
fn cancelling_backordered_units_shrinks_their_place_in_the_queue_and_cancelling_the_order_leaves_it() {
    // HOODIE × 3: one from stock, two backordered (part 1).
    let life = Life::new(&[("HOODIE", 3)]);
    let cancel_one =
        Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() };
    let (entries, after) = life.order.execute(&cancel_one, &Role::Staff, life.now).unwrap();
    assert_eq!(queue_changes(&after, &entries), [QueueChange::Shrink { line: 0, part: 1, quantity: 1 }]);
    let cancel_all = Command::Cancel { reason: "r".into() };
    let (entries, after) = life.order.execute(&cancel_all, &Role::Staff, life.now).unwrap();
    assert_eq!(queue_changes(&after, &entries), [QueueChange::LeaveAll]);
    // Anything else leaves the queue alone.
    let (entries, after) = life.order.execute(&Command::Confirm, &Role::Staff, life.now).unwrap();
    assert!(queue_changes(&after, &entries).is_empty());
}
