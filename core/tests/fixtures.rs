//! Shared cart fixtures: each JSON file holds a cart, catalog, rules, instant and the expected check.
//!
//! A fixture whose cart has a shipping address also records `expectedShippingOptions`: the options
//! its rules offer to that address's country (`Rules::shipping_options`).
//!
//! The same files are run through the ordo-wasm package, so passing here and there proves the
//! browser and the server compute identical results. `ORDO_BLESS=1` rewrites `expected` from the
//! current code (review the diff before committing it).

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ordo_core::cart::{Cart, CartCheck, Rules, validate};
use ordo_core::catalog::Catalog;
use ordo_core::values::CountryCode;
use serde::Deserialize;

mod bless;
use bless::blessing;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fixture {
    now: DateTime<Utc>,
    cart: Cart,
    catalog: Catalog,
    rules: Rules,
}

fn fixture_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cart");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_cart_fixture_validates_to_its_expected_check() {
    let files = fixture_files();
    assert!(files.len() >= 16, "fixtures went missing: {files:?}");
    let bless = blessing();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        let fixture: Fixture = serde_json::from_value(raw.clone()).unwrap();
        let check = validate(&fixture.cart, &fixture.catalog, &fixture.rules, fixture.now);
        let actual = serde_json::to_value(&check).unwrap();
        if bless {
            raw["expected"] = actual;
            let object = raw.as_object_mut().unwrap();
            match shipping_options_offered(&fixture) {
                Some(options) => object.insert("expectedShippingOptions".into(), options),
                None => object.remove("expectedShippingOptions"),
            };
            std::fs::write(&path, serde_json::to_string_pretty(&raw).unwrap() + "\n").unwrap();
            continue;
        }
        assert_eq!(actual, raw["expected"], "{}", path.display());
        // The wire form reads back into the same value.
        let back: CartCheck = serde_json::from_value(raw["expected"].clone()).unwrap();
        assert_eq!(back, check, "{}", path.display());
    }
}

/// The shipping options the fixture's rules offer to its cart's address's country, in wire form;
/// `None` without an address (or with a country that is not a code).
fn shipping_options_offered(fixture: &Fixture) -> Option<serde_json::Value> {
    let country = CountryCode::parse(&fixture.cart.shipping_address.as_ref()?.country).ok()?;
    Some(serde_json::to_value(fixture.rules.shipping_options(&country)).unwrap())
}

#[test]
fn every_cart_fixture_with_an_address_records_the_shipping_options_offered_there() {
    if blessing() {
        return; // the test above rewrites them
    }
    let mut recorded = 0;
    for path in fixture_files() {
        let raw: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let fixture: Fixture = serde_json::from_value(raw.clone()).unwrap();
        let offered = shipping_options_offered(&fixture);
        recorded += usize::from(offered.is_some());
        assert_eq!(offered.as_ref(), raw.get("expectedShippingOptions"), "{}", path.display());
    }
    assert!(recorded >= 5, "only {recorded} fixtures record shipping options");
}
