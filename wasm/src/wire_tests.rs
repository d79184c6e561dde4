//! Every ordo-core type that crosses the package's boundary, through the codec and the reference JS halves.
//!
//! Arguments (carts, catalogs, rules, addresses, timelines, roles) are encoded as `codec.js` encodes
//! their JSON and must read as serde_json reads that JSON; results (cart checks and totals written by
//! hand in `results.rs`, shipping options, address / e-mail / card checks, status views, actions)
//! must reach JS as exactly their serde JSON, and the shared fixtures' expected answers. A property
//! test does the same for arbitrary carts against every fixture's shop.
#![cfg(all(feature = "cart", feature = "orders"))]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ordo_core::card::check_card;
use ordo_core::cart::{self, Cart, Rules};
use ordo_core::catalog::Catalog;
use ordo_core::order::{Order, Role, TimelineEntry, allowed_actions};
use ordo_core::status::status_view;
use ordo_core::values::{AddressInput, CountryCode};
use ordo_wire::reference::{Decoder, Value, encode};
use ordo_wire::{forget_shapes, from_bytes, to_parts, to_parts_written};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::cart::{AddressCheck, EmailCheck};
use crate::results::Direct;

fn fixtures(kind: &str) -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            (path.file_name().unwrap().to_string_lossy().into_owned(), json)
        })
        .collect()
}

/// JSON as the JS value `JSON.parse` gives.
fn js(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap()),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(js).collect()),
        serde_json::Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), js(v))).collect()),
    }
}

/// The value with every object's keys sorted, to compare a shape's field order with a JSON map's.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        Value::Object(o) => {
            let mut entries: Vec<_> = o.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries)
        }
        other => other.clone(),
    }
}

/// An argument passed from JS as `json`: what the codec reads, checked to be what serde_json reads.
fn argument<T: DeserializeOwned + Serialize>(json: &serde_json::Value, what: &str) -> T {
    let read: T = from_bytes(&encode(&js(json))).unwrap_or_else(|e| panic!("{what}: {e}"));
    let by_serde_json: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::to_value(&by_serde_json).unwrap(), "{what}");
    read
}

/// What JS receives for `value` written by serde.
fn result<T: Serialize + ?Sized>(js_side: &mut Decoder, value: &T) -> Value {
    let seen = js_side.decode(&to_parts(value).unwrap());
    assert_eq!(
        sorted(&seen),
        sorted(&js(&serde_json::to_value(value).unwrap())),
        "serde's JSON of the result"
    );
    seen
}

/// What JS receives for `value` written by hand (`results.rs`), checked against its serde JSON.
fn direct<T: Direct + Serialize + ?Sized>(js_side: &mut Decoder, value: &T) -> Value {
    let seen = js_side.decode(&to_parts_written(|w| value.write(w)).unwrap());
    assert_eq!(
        sorted(&seen),
        sorted(&js(&serde_json::to_value(value).unwrap())),
        "serde's JSON of the result"
    );
    seen
}

fn now(json: &serde_json::Value) -> DateTime<Utc> {
    ordo_core::rfc3339::parse_datetime(json.as_str().unwrap()).unwrap()
}

#[test]
fn every_cart_fixture_crosses_in_and_out_as_its_json_and_its_expected_answer() {
    forget_shapes();
    let mut js_side = Decoder::default();
    let carts = fixtures("cart");
    assert!(carts.len() >= 16);
    for (name, f) in &carts {
        let cart: Cart = argument(&f["cart"], name);
        let catalog: Catalog = argument(&f["catalog"], name);
        let rules: Rules = argument(&f["rules"], name);
        let check = cart::validate(&cart, &catalog, &rules, now(&f["now"]));
        assert_eq!(sorted(&direct(&mut js_side, &check)), sorted(&js(&f["expected"])), "{name}");
        assert_eq!(
            sorted(&direct(&mut js_side, &check.totals)),
            sorted(&js(&f["expected"]["totals"])),
            "{name}"
        );
        if let Some(offered) = f.get("expectedShippingOptions") {
            let country = serde_json::Value::String(cart.shipping_address.as_ref().unwrap().country.clone());
            let country: CountryCode = argument(&country, name);
            assert_eq!(
                sorted(&result(&mut js_side, rules.shipping_options(&country))),
                sorted(&js(offered)),
                "{name}"
            );
        }
        if let Some(address) = f["cart"].get("shippingAddress") {
            let input: AddressInput = argument(address, name);
            result(&mut js_side, &AddressCheck::from(cart::check_address(&input, "")));
        }
    }
}

#[test]
fn every_order_fixture_crosses_in_and_out_as_its_json_and_its_expected_answer() {
    forget_shapes();
    let mut js_side = Decoder::default();
    let orders = fixtures("order");
    assert!(orders.len() >= 10);
    for (name, f) in &orders {
        let timeline: Vec<TimelineEntry> = argument(&f["timeline"], name);
        let order = Order::from_timeline(&timeline).unwrap();
        let now = now(&f["now"]);
        let view = result(&mut js_side, &status_view(&order, now));
        assert_eq!(sorted(&view), sorted(&js(&f["expected"]["statusView"])), "{name}");
        for expected in f["expected"]["allowedActions"].as_array().unwrap() {
            let role: Role = argument(&expected["role"], name);
            let actions = result(&mut js_side, &allowed_actions(&order, &role, now));
            assert_eq!(sorted(&actions), sorted(&js(&expected["actions"])), "{name}");
        }
    }
}

#[test]
fn contact_and_card_checks_cross_as_their_json() {
    forget_shapes();
    let mut js_side = Decoder::default();
    let addresses = [
        json!({"name": "Ada Lovelace", "line1": "12 Rue de l'Église", "city": "Paris", "postalCode": "75001", "country": "fr"}),
        json!({"name": "", "line1": "1 Main St", "line2": null, "city": "Austin", "region": "TX", "postalCode": "7870",
               "country": "US", "phone": "+1 512 555 0100"}),
        json!({"name": "東京 太郎", "line1": "千代田区1-1", "city": "東京", "postalCode": "100-0001", "country": "XX"}),
    ];
    for (i, address) in addresses.iter().enumerate() {
        let input: AddressInput = argument(address, &format!("address {i}"));
        result(&mut js_side, &AddressCheck::from(cart::check_address(&input, "")));
    }
    for email in ["ada@example.com", " Ada@Example.COM ", "not an e-mail", ""] {
        result(&mut js_side, &EmailCheck::from(cart::check_email(email, "email")));
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    for (number, month, year) in
        [("4242 4242 4242 4242", 12, 2030), ("4242424242424241", 1, 2020), ("12", 13, 99)]
    {
        result(&mut js_side, &check_card(number, month, year, today));
    }
}

/// A cart against one fixture's shop: lines of its SKUs (and unknown ones), any quantity, its
/// coupons (and unknown ones).
fn cart_json(skus: Vec<String>, coupons: Vec<String>) -> impl Strategy<Value = serde_json::Value> {
    let sku = prop_oneof![4 => prop::sample::select(skus), 1 => "[A-Z]{1,3}-?[0-9]{0,3}"];
    let line = (sku, prop_oneof![1i64..5, -2i64..100, Just(i64::from(u32::MAX))])
        .prop_map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity}));
    let coupon = prop_oneof![
        prop::sample::select(if coupons.is_empty() { vec!["NONE".to_owned()] } else { coupons }),
        "[A-Z0-9]{0,6}"
    ];
    (
        prop::collection::vec(line, 0..12),
        prop::collection::vec(coupon, 0..3),
        prop::sample::select(vec!["USD", "EUR", "GBP", "XXX"]),
    )
        .prop_map(
            |(lines, coupons, currency)| json!({"currency": currency, "lines": lines, "coupons": coupons}),
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_cart_against_any_fixture_shop_crosses_as_its_json(
        (cart, f) in prop::sample::select(fixtures("cart")).prop_flat_map(|(_, f)| {
            let skus = f["catalog"].as_array().unwrap().iter().map(|i| i["sku"].as_str().unwrap().to_owned()).collect();
            let coupons = f["rules"]["coupons"].as_array().map(|c| c.iter().map(|c| c["code"].as_str().unwrap().to_owned()).collect()).unwrap_or_default();
            (cart_json(skus, coupons), Just(f))
        })
    ) {
        forget_shapes();
        let mut js_side = Decoder::default();
        let cart: Cart = argument(&cart, "cart");
        let catalog: Catalog = argument(&f["catalog"], "catalog");
        let rules: Rules = argument(&f["rules"], "rules");
        let check = cart::validate(&cart, &catalog, &rules, now(&f["now"]));
        // Written by hand and by serde, to the same decoder: the same values either way.
        let by_hand = direct(&mut js_side, &check);
        prop_assert_eq!(sorted(&by_hand), sorted(&result(&mut js_side, &check)));
    }
}
