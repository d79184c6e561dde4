//! Tests of cart validation: one `check` helper per behaviour, and the laws as properties.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::catalog::{Catalog, CatalogItem, OutOfStockPolicy, TaxClass};
use crate::money::{Currency, Money};
use crate::values::{AddressInput, CountryCode, Quantity, Sku};

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::Usd)
}

fn now() -> DateTime<Utc> {
    "2026-11-27T12:00:00Z".parse().unwrap()
}

fn item(sku: &str, price: i64, available: u32) -> CatalogItem {
    CatalogItem {
        sku: Sku::parse(sku).unwrap(),
        name: format!("Item {sku}").into(),
        unit_price: usd(price),
        active: true,
        min_per_order: None,
        max_per_order: None,
        available,
        policy: OutOfStockPolicy::Deny,
        next_restock: None,
        restocks: None,
        weight_grams: 500,
        tax_class: TaxClass::Standard,
    }
}

fn catalog() -> Catalog {
    let mut limited = item("LIMITED", 1000, 100);
    limited.min_per_order = Some(Quantity::parse(2).unwrap());
    limited.max_per_order = Some(Quantity::parse(5).unwrap());
    let mut retired = item("RETIRED", 500, 10);
    retired.active = false;
    let mut back = item("BACK", 2500, 1);
    back.policy = OutOfStockPolicy::Backorder { lead_time_days: 10 };
    back.next_restock = Some(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
    let mut drop = item("DROP", 4000, 0);
    drop.policy = OutOfStockPolicy::Dropship { supplier: "acme".into() };
    let mut euro = item("EURO", 900, 10);
    euro.unit_price = Money::new(900, Currency::Eur);
    let mut book = item("BOOK", 1500, 50);
    book.tax_class = TaxClass::Reduced;
    Catalog::new([item("TEE", 2000, 10), item("MUG", 1250, 3), limited, retired, back, drop, euro, book])
}

fn rules() -> Rules {
    let until: DateTime<Utc> = "2026-11-30T00:00:00Z".parse().unwrap();
    let coupon = |code: &str, discount: CouponDiscount| Coupon {
        code: code.into(),
        discount,
        min_subtotal: None,
        valid_from: None,
        valid_until: None,
        stackable: false,
    };
    Rules {
        coupons: vec![
            Coupon {
                valid_until: Some(until),
                ..coupon("TEN", CouponDiscount::Percent { basis_points: 1000 })
            },
            Coupon { stackable: true, ..coupon("FIVE", CouponDiscount::Fixed { amount: usd(500) }) },
            Coupon { stackable: true, ..coupon("SHIPFREE", CouponDiscount::FreeShipping) },
            Coupon {
                valid_until: Some("2026-11-01T00:00:00Z".parse().unwrap()),
                ..coupon("OLD", CouponDiscount::Percent { basis_points: 500 })
            },
            Coupon {
                valid_from: Some("2026-12-01T00:00:00Z".parse().unwrap()),
                ..coupon("XMAS", CouponDiscount::Percent { basis_points: 500 })
            },
            Coupon {
                min_subtotal: Some(usd(10_000)),
                ..coupon("BIG", CouponDiscount::Fixed { amount: usd(1500) })
            },
            coupon("EUROFF", CouponDiscount::Fixed { amount: Money::new(300, Currency::Eur) }),
        ],
        allow_coupon_stacking: true,
        shipping: vec![
            ShippingZone {
                name: "United States".into(),
                countries: vec![CountryCode::parse("US").unwrap()],
                options: vec![
                    ShippingOption {
                        code: "ground".into(),
                        name: "Ground".into(),
                        rate: ShippingRate::WeightBands {
                            bands: vec![
                                WeightBand { up_to_grams: 2000, amount: usd(595) },
                                WeightBand { up_to_grams: 10_000, amount: usd(1295) },
                            ],
                        },
                        free_above: Some(usd(15_000)),
                        transit_days: 5,
                    },
                    ShippingOption {
                        code: "express".into(),
                        name: "Express".into(),
                        rate: ShippingRate::Flat { amount: usd(2500) },
                        free_above: None,
                        transit_days: 2,
                    },
                ],
            },
            ShippingZone {
                name: "Nowhere".into(),
                countries: vec![CountryCode::parse("CA").unwrap()],
                options: vec![],
            },
        ],
        tax: TaxRules {
            prices_include_tax: false,
            rates: vec![
                TaxRate {
                    country: CountryCode::parse("US").unwrap(),
                    region: None,
                    class: TaxClass::Standard,
                    basis_points: 500,
                },
                TaxRate {
                    country: CountryCode::parse("US").unwrap(),
                    region: Some("CA".into()),
                    class: TaxClass::Standard,
                    basis_points: 725,
                },
                TaxRate {
                    country: CountryCode::parse("US").unwrap(),
                    region: None,
                    class: TaxClass::Reduced,
                    basis_points: 0,
                },
            ],
        },
        max_lines: 20,
        returns: ReturnPolicy::default(),
        confirm_on_capture: false,
        capture: crate::order::CapturePolicy::default(),
        ship_when_capture_fails: false,
        rejected_dropship: crate::supplier::RejectedDropship::default(),
    }
}

fn us_address() -> AddressInput {
    AddressInput {
        name: "Grace Hopper".into(),
        line1: "1 Navy Way".into(),
        city: "Arlington".into(),
        region: Some("VA".into()),
        postal_code: "22202".into(),
        country: "US".into(),
        ..AddressInput::default()
    }
}

fn cart(lines: &[(&str, i64)]) -> Cart {
    Cart {
        currency: "USD".into(),
        lines: lines
            .iter()
            .map(|(sku, quantity)| CartLine { sku: (*sku).into(), quantity: *quantity })
            .collect(),
        ..Cart::default()
    }
}

fn run(cart: &Cart) -> CartCheck {
    validate(cart, &catalog(), &rules(), now())
}

/// The (code, path) pairs of a check, for compact assertions.
fn codes(check: &CartCheck) -> Vec<(&'static str, &str)> {
    check.issues.iter().map(|i| (i.code.as_str(), i.path.as_str())).collect()
}

#[test]
fn a_clean_cart_is_ok_and_priced() {
    let check = run(&cart(&[("TEE", 2), ("MUG", 1)]));
    assert!(check.ok, "{:?}", check.issues);
    assert!(check.issues.is_empty());
    let totals = check.totals.unwrap();
    assert_eq!(totals.subtotal, usd(5250));
    assert_eq!(totals.grand_total, usd(5250));
    assert_eq!(totals.lines.len(), 2);
    assert_eq!(totals.lines[0].total, usd(4000));
}

#[test]
fn every_line_problem_is_reported_at_its_path() {
    let check = run(&cart(&[
        ("NOPE", 1),
        ("bad sku", 1),
        ("TEE", 0),
        ("RETIRED", 1),
        ("LIMITED", 1),
        ("TEE", 1),
        ("EURO", 1),
        ("MUG", 4),
    ]));
    assert!(!check.ok);
    assert_eq!(
        codes(&check),
        vec![
            ("UNKNOWN_SKU", "lines[0].sku"),
            ("INVALID_SKU", "lines[1].sku"),
            ("INVALID_QUANTITY", "lines[2].quantity"),
            ("INACTIVE_PRODUCT", "lines[3].sku"),
            ("QTY_BELOW_MIN", "lines[4].quantity"),
            ("DUPLICATE_LINE", "lines[5].sku"),
            ("CURRENCY_MISMATCH", "lines[6].sku"),
            ("OUT_OF_STOCK", "lines[7].quantity"),
        ]
    );
    assert_eq!(check.issues[7].message, "Only 3 of \"Item MUG\" are in stock.");
    assert_eq!(
        check.issues[5].message,
        "TEE is already in the cart on line 3; change the quantity there instead."
    );
}

#[test]
fn a_quantity_above_the_maximum_is_an_error() {
    let check = run(&cart(&[("LIMITED", 6)]));
    assert_eq!(codes(&check), vec![("QTY_ABOVE_MAX", "lines[0].quantity")]);
    assert_eq!(check.issues[0].message, "At most 5 of \"Item LIMITED\" can be ordered at once.");
}

#[test]
fn a_backordered_line_is_a_warning_with_its_promised_date() {
    let check = run(&cart(&[("BACK", 3)]));
    assert!(check.ok);
    assert_eq!(codes(&check), vec![("BACKORDERED", "lines[0].quantity")]);
    assert_eq!(check.issues[0].severity, Severity::Warning);
    assert_eq!(check.issues[0].message, "2 of \"Item BACK\" are on backorder and will ship by 4 Dec 2026.");
    let line = &check.totals.unwrap().lines[0];
    assert_eq!(
        line.fulfilment,
        Fulfilment::Backorder { quantity: 2, promised: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap() }
    );
}

#[test]
fn a_dropshipped_line_is_a_warning_naming_the_supplier_route() {
    let check = run(&cart(&[("DROP", 1)]));
    assert!(check.ok);
    assert_eq!(codes(&check), vec![("DROPSHIPPED", "lines[0].quantity")]);
    assert_eq!(
        check.totals.unwrap().lines[0].fulfilment,
        Fulfilment::Dropship { quantity: 1, supplier: "acme".into() }
    );
}

#[test]
fn an_empty_cart_or_unknown_currency_is_an_error() {
    let check = run(&cart(&[]));
    assert_eq!(codes(&check), vec![("CART_EMPTY", "lines")]);
    let mut c = cart(&[("TEE", 1)]);
    c.currency = "DOGE".into();
    let check = run(&c);
    assert_eq!(codes(&check), vec![("CURRENCY_UNKNOWN", "currency")]);
    assert!(check.totals.is_none());
}

#[test]
fn too_many_lines_are_refused() {
    let mut c = cart(&[]);
    c.lines = (0..21).map(|i| CartLine { sku: format!("X{i}"), quantity: 1 }).collect();
    let check = run(&c);
    assert_eq!(codes(&check)[0], ("CART_TOO_MANY_LINES", "lines"));
}

#[test]
fn a_percentage_coupon_is_spread_over_lines_by_largest_remainder() {
    let mut c = cart(&[("TEE", 1), ("MUG", 1), ("BOOK", 1)]); // 2000 + 1250 + 1500 = 4750
    c.coupons = vec!["ten".into()];
    let totals = run(&c).totals.unwrap();
    assert_eq!(totals.discount, usd(475));
    let shares: Vec<i64> = totals.lines.iter().map(|l| l.discount.amount()).collect();
    assert_eq!(shares, vec![200, 125, 150]);
    assert_eq!(totals.coupons, vec!["TEN".to_owned()]);
    assert_eq!(totals.grand_total, usd(4275));
}

#[test]
fn coupon_problems_are_each_reported() {
    let mut c = cart(&[("TEE", 1)]);
    c.coupons = ["OLD", "XMAS", "NOPE", "BIG", "EUROFF", "TEN", "TEN", "FIVE"].map(String::from).to_vec();
    let check = run(&c);
    assert_eq!(
        codes(&check),
        vec![
            ("COUPON_EXPIRED", "coupons[0]"),
            ("COUPON_NOT_YET_VALID", "coupons[1]"),
            ("COUPON_UNKNOWN", "coupons[2]"),
            ("COUPON_MIN_SUBTOTAL", "coupons[3]"),
            ("COUPON_CURRENCY_MISMATCH", "coupons[4]"),
            ("COUPON_DUPLICATE", "coupons[6]"),
            ("COUPON_NOT_STACKABLE", "coupons[7]"),
        ]
    );
    assert_eq!(check.issues[3].message, "Coupon BIG needs an order of at least $100.00.");
    assert_eq!(check.totals.unwrap().discount, usd(200), "only TEN applies");
}

#[test]
fn a_coupon_expires_at_its_end_instant() {
    let mut c = cart(&[("TEE", 1)]);
    c.coupons = vec!["TEN".into()];
    let at = |s: &str| validate(&c, &catalog(), &rules(), s.parse().unwrap());
    assert!(at("2026-11-29T23:59:59Z").ok);
    assert_eq!(codes(&at("2026-11-30T00:00:00Z")), vec![("COUPON_EXPIRED", "coupons[0]")]);
}

#[test]
fn stackable_coupons_combine_and_never_exceed_the_subtotal() {
    let mut c = cart(&[("MUG", 1)]); // 1250
    c.coupons = vec!["FIVE".into(), "SHIPFREE".into()];
    c.shipping_address = Some(us_address());
    let totals = run(&c).totals.unwrap();
    assert_eq!(totals.discount, usd(500));
    assert_eq!(totals.shipping, usd(0));
    let mut rules = rules();
    rules.coupons[1].discount = CouponDiscount::Fixed { amount: usd(99_999) };
    let totals = validate(&c, &catalog(), &rules, now()).totals.unwrap();
    assert_eq!(totals.discount, usd(1250));
    assert_eq!(totals.grand_total, usd(0));
}

#[test]
fn shipping_is_priced_by_weight_band_and_tax_is_added_by_destination() {
    let mut c = cart(&[("TEE", 3), ("BOOK", 2)]); // 2.5 kg; goods 6000 + 3000
    c.shipping_address = Some(us_address());
    let totals = run(&c).totals.unwrap();
    assert_eq!(totals.weight_grams, 2500);
    assert_eq!(totals.shipping, usd(1295));
    // 5 % on the tees and on shipping, books are zero-rated.
    assert_eq!(totals.lines[0].tax, usd(300));
    assert_eq!(totals.lines[1].tax, usd(0));
    assert_eq!(totals.shipping_tax, usd(65)); // 64.75 rounds half away from zero
    assert_eq!(totals.tax, usd(365));
    assert_eq!(totals.grand_total, usd(9000 + 1295 + 365));
}

#[test]
fn a_regional_rate_applies_to_a_californian_address() {
    let mut c = cart(&[("TEE", 1)]);
    c.shipping_address =
        Some(AddressInput { region: Some("CA".into()), postal_code: "94103".into(), ..us_address() });
    c.shipping_option = Some("express".into());
    let totals = run(&c).totals.unwrap();
    assert_eq!(totals.shipping, usd(2500));
    assert_eq!(totals.lines[0].tax, usd(145));
    assert_eq!(totals.shipping_tax, usd(181)); // 181.25
}

#[test]
fn shipping_is_free_above_the_threshold_after_discounts() {
    let mut c = cart(&[("TEE", 8)]); // 16000, 4 kg
    c.shipping_address = Some(us_address());
    assert_eq!(run(&c).totals.unwrap().shipping, usd(0));
    c.coupons = vec!["TEN".into()]; // goods 14400 < 15000
    assert_eq!(run(&c).totals.unwrap().shipping, usd(1295));
}

#[test]
fn shipping_problems_are_reported() {
    let mut c = cart(&[("TEE", 1)]);
    c.shipping_address = Some(AddressInput {
        country: "CA".into(),
        postal_code: "K1A 0B1".into(),
        region: None,
        ..us_address()
    });
    assert_eq!(codes(&run(&c)), vec![("SHIPPING_UNAVAILABLE", "shippingAddress.country")]);
    c.shipping_address =
        Some(AddressInput { country: "JP".into(), postal_code: "100-0001".into(), ..us_address() });
    assert_eq!(codes(&run(&c)), vec![("SHIPPING_UNAVAILABLE", "shippingAddress.country")]);
    c.shipping_address = Some(us_address());
    c.shipping_option = Some("teleport".into());
    assert_eq!(codes(&run(&c)), vec![("SHIPPING_OPTION_UNKNOWN", "shippingOption")]);
    c.shipping_option = None;
    c.lines[0].quantity = 30; // 15 kg
    let mut catalog = catalog();
    catalog = Catalog::new(catalog.items().cloned().map(|mut i| {
        i.available = 1000;
        i
    }));
    let check = validate(&c, &catalog, &rules(), now());
    assert_eq!(codes(&check), vec![("SHIPPING_WEIGHT_EXCEEDED", "shippingOption")]);
    assert_eq!(check.issues[0].message, "Ground cannot ship parcels over 10 kg; this order weighs 15 kg.");
}

#[test]
fn checkout_requires_an_address_and_an_email() {
    let mut c = cart(&[("TEE", 1)]);
    c.stage = CartStage::Checkout;
    assert_eq!(codes(&run(&c)), vec![("ADDRESS_REQUIRED", "shippingAddress"), ("EMAIL_REQUIRED", "email")]);
    c.stage = CartStage::Browse;
    assert!(run(&c).ok);
}

#[test]
fn address_and_contact_problems_point_at_their_fields() {
    let mut c = cart(&[("TEE", 1)]);
    c.shipping_address = Some(AddressInput {
        postal_code: "2220".into(),
        phone: Some("12345".into()),
        city: " ".into(),
        ..us_address()
    });
    c.email = Some("grace@navy".into());
    let check = run(&c);
    assert_eq!(
        codes(&check),
        vec![
            ("ADDRESS_MISSING_FIELD", "shippingAddress.city"),
            ("ADDRESS_INVALID_POSTCODE", "shippingAddress.postalCode"),
            ("PHONE_INVALID", "shippingAddress.phone"),
            ("EMAIL_INVALID", "email"),
        ]
    );
    assert_eq!(
        check.issues[1].message,
        "\"2220\" is not a valid postcode for US (e.g. 94103 or 94103-1234)."
    );
}

#[test]
fn tax_inclusive_prices_report_the_tax_they_contain() {
    let mut rules = rules();
    rules.tax.prices_include_tax = true;
    let mut c = cart(&[("TEE", 1)]); // 20.00 incl. 5 %
    c.shipping_address = Some(us_address());
    let totals = validate(&c, &catalog(), &rules, now()).totals.unwrap();
    assert_eq!(totals.lines[0].tax, usd(95)); // 2000 * 500 / 10500 = 95.2
    assert_eq!(totals.lines[0].total, usd(2000));
    assert_eq!(totals.grand_total, usd(2000 + 595));
    assert_eq!(totals.shipping_tax, usd(28)); // 595 * 500 / 10500 = 28.3
}

#[test]
fn a_jpy_cart_has_no_minor_units_to_round() {
    let mut item = item("TEA", 1200, 10);
    item.unit_price = Money::new(1200, Currency::Jpy);
    let c = Cart {
        currency: "jpy".into(),
        lines: vec![CartLine { sku: "TEA".into(), quantity: 3 }],
        ..Cart::default()
    };
    let check = validate(&c, &Catalog::new([item]), &Rules::default(), now());
    assert_eq!(check.totals.unwrap().grand_total, Money::new(3600, Currency::Jpy));
}

#[test]
fn absurd_prices_give_an_error_instead_of_overflowing() {
    let c = cart(&[("HUGE", 10_000)]);
    let check = validate(&c, &Catalog::new([item("HUGE", i64::MAX / 2, 20_000)]), &Rules::default(), now());
    assert_eq!(codes(&check), vec![("TOTAL_OUT_OF_RANGE", "lines")]);
    assert!(check.totals.is_none());
}

// ---- laws ----

fn arb_cart() -> impl Strategy<Value = Cart> {
    let skus = prop::sample::select(vec!["TEE", "MUG", "LIMITED", "BACK", "DROP", "BOOK", "NOPE", "RETIRED"]);
    let line = (skus, -2i64..12).prop_map(|(sku, quantity)| CartLine { sku: sku.into(), quantity });
    let coupons =
        prop::collection::vec(prop::sample::select(vec!["TEN", "FIVE", "SHIPFREE", "BIG", "OLD"]), 0..3);
    let region = prop::sample::select(vec![None, Some("CA"), Some("VA")]);
    (prop::collection::vec(line, 0..8), coupons, any::<bool>(), region, any::<bool>()).prop_map(
        |(lines, coupons, with_address, region, express)| Cart {
            currency: "USD".into(),
            lines,
            coupons: coupons.into_iter().map(String::from).collect(),
            shipping_address: with_address
                .then(|| AddressInput { region: region.map(String::from), ..us_address() }),
            shipping_option: express.then(|| "express".into()),
            ..Cart::default()
        },
    )
}

proptest! {
    #[test]
    fn a_cart_checks_the_same_against_the_rules_its_codes_reveal_as_against_all_of_them(
        cart in arb_cart(),
        codes in proptest::collection::vec(prop_oneof![
            Just("TEN"), Just(" ten "), Just("FIVE"), Just("shipfree"), Just("OLD"), Just("XMAS"), Just("BIG"),
            Just("EUROFF"), Just("NOPE"), Just("")
        ], 0..5),
    ) {
        let cart = Cart { coupons: codes.iter().map(|c| (*c).to_owned()).collect(), ..cart };
        let all = rules();
        let revealed = all.for_entered_codes(&cart.coupons);
        prop_assert_eq!(validate(&cart, &catalog(), &revealed, now()), validate(&cart, &catalog(), &all, now()));
        // Exactly the coupons the codes name, nothing else changed.
        for coupon in &all.coupons {
            let named = cart.coupons.iter().any(|t| coupon.matches(t));
            prop_assert_eq!(revealed.coupons.contains(coupon), named, "{}", coupon.code);
        }
        prop_assert_eq!(Rules { coupons: all.coupons.clone(), ..revealed }, all);
    }

    #[test]
    fn line_amounts_always_add_up_to_the_cart_totals(cart in arb_cart(), inclusive in any::<bool>()) {
        let mut rules = rules();
        rules.tax.prices_include_tax = inclusive;
        let check = validate(&cart, &catalog(), &rules, now());
        let t = check.totals.expect("USD carts are always priced");
        let sum = |f: fn(&LineTotals) -> Money| Money::sum(Currency::Usd, t.lines.iter().map(f)).unwrap();
        prop_assert_eq!(sum(|l| l.subtotal), t.subtotal);
        prop_assert_eq!(sum(|l| l.discount), t.discount);
        prop_assert_eq!(sum(|l| l.tax).checked_add(t.shipping_tax).unwrap(), t.tax);
        let mut expected = sum(|l| l.total).checked_add(t.shipping).unwrap();
        if !inclusive {
            expected = expected.checked_add(t.shipping_tax).unwrap();
        }
        prop_assert_eq!(expected, t.grand_total);
        prop_assert!(t.discount.amount() <= t.subtotal.amount());
        prop_assert!(t.grand_total.amount() >= 0);
        for line in &t.lines {
            prop_assert_eq!(line.subtotal, line.unit_price.checked_mul(i64::from(line.quantity.get())).unwrap());
            prop_assert!(line.discount.amount() <= line.subtotal.amount());
        }
    }

    #[test]
    fn a_line_is_a_duplicate_exactly_when_an_earlier_line_has_the_same_valid_sku(
        skus in proptest::collection::vec(prop_oneof![
            Just("TEE"), Just(" TEE "), Just("MUG"), Just("GONE"), Just(" GONE"), Just("NOPE"), Just("bad sku"), Just("")
        ], 0..24),
    ) {
        let lines: Vec<CartLine> = skus.iter().map(|sku| CartLine { sku: (*sku).into(), quantity: 1 }).collect();
        let check = validate(&Cart { lines, ..cart(&[]) }, &catalog(), &rules(), now());
        let duplicates: Vec<(String, String)> = check
            .issues
            .iter()
            .filter(|i| i.code == IssueCode::DuplicateLine)
            .map(|i| (i.path.clone(), i.message.clone()))
            .collect();
        let mut expected = Vec::new();
        for (line, sku) in skus.iter().enumerate() {
            let sku = sku.trim();
            if Sku::parse(sku).is_err() {
                continue;
            }
            if let Some(first) = skus[..line].iter().position(|earlier| earlier.trim() == sku) {
                let message = format!("{sku} is already in the cart on line {}; change the quantity there instead.", first + 1);
                expected.push((format!("lines[{line}].sku"), message));
            }
        }
        prop_assert_eq!(duplicates, expected);
    }

    #[test]
    fn ok_means_no_error_issue(cart in arb_cart()) {
        let check = validate(&cart, &catalog(), &rules(), now());
        prop_assert_eq!(check.ok, check.errors().next().is_none());
    }

    #[test]
    fn validation_never_panics_on_arbitrary_text(
        currency in ".{0,5}",
        sku in ".{0,80}",
        quantity in any::<i64>(),
        coupon in ".{0,20}",
        postal in ".{0,12}",
        country in ".{0,3}",
        email in ".{0,40}",
    ) {
        let cart = Cart {
            currency,
            lines: vec![CartLine { sku, quantity }],
            coupons: vec![coupon],
            shipping_address: Some(AddressInput { postal_code: postal, country, ..us_address() }),
            email: Some(email),
            stage: CartStage::Checkout,
            ..Cart::default()
        };
        let check = validate(&cart, &catalog(), &rules(), now());
        prop_assert_eq!(check.ok, check.errors().next().is_none());
    }
}

#[test]
fn a_blank_shipping_option_is_the_same_as_none() {
    let mut c = cart(&[("TEE", 1)]);
    c.shipping_address =
        Some(AddressInput { country: "CA".into(), postal_code: "K1A 0B1".into(), ..us_address() });
    c.shipping_option = Some("  ".into());
    assert_eq!(codes(&run(&c)), vec![("SHIPPING_UNAVAILABLE", "shippingAddress.country")]);
}

#[test]
fn an_overlong_postcode_names_the_postcode_limit() {
    let mut c = cart(&[("TEE", 1)]);
    c.shipping_address =
        Some(AddressInput { country: "BR".into(), postal_code: "1".repeat(13), ..us_address() });
    let check = run(&c);
    assert_eq!(codes(&check), vec![("ADDRESS_FIELD_TOO_LONG", "shippingAddress.postalCode")]);
    assert_eq!(check.issues[0].message, "The postcode is too long (at most 12 characters).");
}

#[test]
fn every_repeat_of_a_sku_points_at_its_first_line_even_when_that_line_has_other_issues() {
    let check = run(&cart(&[
        ("NOPE", 1),
        ("TEE", 0),
        (" NOPE ", 1),
        ("bad sku!", 1),
        ("TEE", 1),
        ("NOPE", 2),
        ("bad sku!", 1),
    ]));
    assert_eq!(
        codes(&check),
        vec![
            ("UNKNOWN_SKU", "lines[0].sku"),
            ("INVALID_QUANTITY", "lines[1].quantity"),
            ("DUPLICATE_LINE", "lines[2].sku"),
            ("INVALID_SKU", "lines[3].sku"),
            ("DUPLICATE_LINE", "lines[4].sku"),
            ("DUPLICATE_LINE", "lines[5].sku"),
            ("INVALID_SKU", "lines[6].sku"),
        ]
    );
    let lines: Vec<&str> = check.issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(lines[2], "NOPE is already in the cart on line 1; change the quantity there instead.");
    assert_eq!(lines[4], "TEE is already in the cart on line 2; change the quantity there instead.");
    assert_eq!(lines[5], "NOPE is already in the cart on line 1; change the quantity there instead.");
}
