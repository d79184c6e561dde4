//! Order intake end to end: the real gateway on a loopback port, a real SurrealDB engine, HTTP clients.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::sync::Arc;

use futures::future::join_all;
use ordo_gateway::app::Actor;
use ordo_gateway::store::Store;
use ordo_tests::{TestApp, error_code, in_parallel};
use serde_json::{Value, json};

const PLACE: &str = "mutation($input: PlaceOrderInput!, $key: String) {
  placeOrder(input: $input, idempotencyKey: $key) {
    replayed
    order { id state totals { grandTotal { amount } }
            lines { sku quantity availability { kind location supplier promisedOn quantity } }
            payment { status } statusView { headline summary } timeline { seq type } }
  }
}";

fn address() -> Value {
    json!({ "name": "Grace Hopper", "line1": "1 Navy Way", "city": "Arlington", "region": "VA",
            "postalCode": "22202", "country": "US" })
}

fn input(lines: Value) -> Value {
    json!({ "channel": "web", "currency": "USD", "email": "grace@example.com", "lines": lines, "shippingAddress": address() })
}

async fn place(app: &TestApp, input: Value, key: Option<&str>) -> Value {
    app.gql(PLACE, json!({ "input": input, "key": key })).await
}

async fn stock(app: &TestApp, sku: &str) -> Vec<(String, i64, i64)> {
    let body = app
        .gql("query($sku: String!) { stock(sku: $sku) { location onHand reserved } }", json!({ "sku": sku }))
        .await;
    body["data"]["stock"]
        .as_array()
        .expect("stock rows")
        .iter()
        .map(|r| {
            (
                r["location"].as_str().unwrap_or("").to_owned(),
                r["onHand"].as_i64().unwrap_or(-1),
                r["reserved"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

async fn order_count(app: &TestApp) -> usize {
    let body = app.gql("{ orders(first: 100) { edges { node { id } } } }", json!({})).await;
    body["data"]["orders"]["edges"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn an_order_goes_from_cart_to_captured_payment_with_backorder_and_dropship_lines() {
    let app = TestApp::spawn().await;
    let body = place(
        &app,
        input(json!([{ "sku": "TEE-BLK-M", "quantity": 2 }, { "sku": "HOODIE-GRY-L", "quantity": 1 }, { "sku": "LAMP-DESK", "quantity": 1 }])),
        Some("intake-0001"),
    )
    .await;
    let order = &body["data"]["placeOrder"]["order"];
    assert_eq!(order["state"], "placed", "{body}");
    // 2 × $24 + $69 + $89 = $206, free ground shipping above $75, 6 % Virginia tax.
    assert_eq!(order["totals"]["grandTotal"]["amount"], 21836);
    assert_eq!(order["lines"][0]["availability"][0]["kind"], "ALLOCATED");
    assert_eq!(order["lines"][1]["availability"][0]["kind"], "BACKORDERED");
    assert!(
        order["lines"][1]["availability"][0]["promisedOn"].is_string(),
        "promised from the open purchase order"
    );
    assert_eq!(order["lines"][2]["availability"][0]["kind"], "DROPSHIPPED");
    assert_eq!(order["lines"][2]["availability"][0]["supplier"], "northwood");
    assert_eq!(order["statusView"]["summary"], "AWAITING_PAYMENT");
    assert_eq!(stock(&app, "TEE-BLK-M").await, vec![("east".into(), 60, 2), ("west".into(), 20, 0)]);

    let id = order["id"].as_str().expect("an order id").to_owned();
    let details = app
        .gql("query($id: String!) { order(id: $id) { reservations { sku location quantity } timeline { type actor } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        details["data"]["order"]["reservations"],
        json!([{ "sku": "TEE-BLK-M", "location": "east", "quantity": 2 }])
    );
    assert_eq!(details["data"]["order"]["timeline"][0], json!({ "type": "placed", "actor": "staff" }));
    let authorize =
        "mutation($id: String!, $token: String!) { authorizePayment(orderId: $id, token: $token) {
        order { state payment { status brand last4 method } statusView { headline } } } }";
    let body = app.gql(authorize, json!({ "id": id, "token": "tok_visa" })).await;
    let authorized = &body["data"]["authorizePayment"]["order"];
    assert_eq!(authorized["state"], "confirmed", "{body}");
    assert_eq!(authorized["payment"]["status"], "authorized");
    assert_eq!(
        (authorized["payment"]["brand"].as_str(), authorized["payment"]["last4"].as_str()),
        (Some("visa"), Some("4242"))
    );
    assert_eq!(authorized["payment"]["method"], "Visa ending in 4242", "the words messages use");

    let capture = "mutation($id: String!) { capturePayment(orderId: $id) { order { payment { status captured { amount } } timeline { seq type } } } }";
    let body = app.gql(capture, json!({ "id": id })).await;
    let captured = &body["data"]["capturePayment"]["order"];
    assert_eq!(captured["payment"]["status"], "captured", "{body}");
    assert_eq!(captured["payment"]["captured"]["amount"], 21836);
    let types: Vec<&str> =
        captured["timeline"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types, vec!["placed", "payment_authorized", "confirmed", "payment_captured"]);
}

#[tokio::test]
async fn a_declined_card_is_recorded_and_another_token_can_pay() {
    let app = TestApp::spawn().await;
    let body = place(&app, input(json!([{ "sku": "MUG-STONE", "quantity": 1 }])), None).await;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().expect("order id").to_owned();
    let authorize = "mutation($id: String!, $token: String!) { authorizePayment(orderId: $id, token: $token) { order { payment { status } } } }";
    let declined = app.gql(authorize, json!({ "id": id, "token": "tok_insufficient_funds" })).await;
    assert_eq!(error_code(&declined), Some("PAYMENT_DECLINED"));
    let read = app.gql("query($id: String!) { order(id: $id) { payment { status failureReason } statusView { headline } } }", json!({ "id": id })).await;
    assert_eq!(read["data"]["order"]["payment"]["status"], "failed");
    assert_eq!(read["data"]["order"]["payment"]["failureReason"], "insufficient funds");
    assert_eq!(read["data"]["order"]["statusView"]["headline"], "Payment failed");
    let unknown = app.gql(authorize, json!({ "id": id, "token": "4242424242424242" })).await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "a card number is not a token");
    let paid = app.gql(authorize, json!({ "id": id, "token": "tok_mastercard" })).await;
    assert_eq!(paid["data"]["authorizePayment"]["order"]["payment"]["status"], "authorized", "{paid}");
}

/// Puts a location, the `LIMITED` product with `units` in stock and the demo rules on `store`.
async fn limited_sku(store: &Store, units: i64) {
    store.put_location("east", "East", 1).await.expect("location");
    store
        .put_product(&ordo_tests::stocked_product("LIMITED", "Limited edition print", 1000))
        .await
        .expect("product");
    store.put_stock("LIMITED", "east", units, "test").await.expect("stock");
    store.set_rules(&ordo_gateway::seed::demo_rules()).await.expect("rules");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_orders_for_fifty_units_never_oversell() {
    // The gateway on its own runtime, the 200 clients on the test's: as in production.
    let config = ordo_gateway::Config { rate_limits: None, ..ordo_gateway::Config::default() };
    let app =
        Arc::new(TestApp::spawn_apart(config, |store| async move { limited_sku(&store, 50).await }).await);
    let results = in_parallel(200, |_| {
        let app = app.clone();
        async move { place(&app, input(json!([{ "sku": "LIMITED", "quantity": 1 }])), None).await }
    })
    .await;
    let placed = results.iter().filter(|b| b["data"]["placeOrder"]["order"]["id"].is_string()).count();
    let codes: Vec<Option<&str>> =
        results.iter().filter(|b| b["errors"].is_array()).map(error_code).collect();
    assert_eq!(placed, 50, "exactly the stock is sold");
    assert_eq!(codes.len(), 150);
    assert!(codes.iter().all(|c| *c == Some("OUT_OF_STOCK")), "every other call is OUT_OF_STOCK: {codes:?}");
    assert_eq!(stock(&app, "LIMITED").await, vec![("east".into(), 50, 50)]);
    let (reserved, in_reservations) = app.store.reserved_total("LIMITED").await.expect("ledger");
    assert_eq!((reserved, in_reservations), (50, 50), "stock and reservation ledger agree");
    assert_eq!(order_count(&app).await, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_retries_with_one_key_make_one_order() {
    let app = Arc::new(TestApp::spawn_apart_demo().await); // the gateway on its own runtime
    let same = input(json!([{ "sku": "CAP-NAVY", "quantity": 2 }]));
    let results = in_parallel(50, |_| {
        let (app, same) = (app.clone(), same.clone());
        async move { place(&app, same, Some("checkout-7f3a9c21")).await }
    })
    .await;
    let ids: Vec<&str> =
        results.iter().filter_map(|b| b["data"]["placeOrder"]["order"]["id"].as_str()).collect();
    assert_eq!(
        ids.len(),
        50,
        "every call gets an answer: {:?}",
        results.iter().find(|b| b["errors"].is_array())
    );
    assert!(ids.iter().all(|id| *id == ids[0]), "one order for one key");
    let fresh = results.iter().filter(|b| b["data"]["placeOrder"]["replayed"] == false).count();
    assert_eq!(fresh, 1, "exactly one call placed it");
    assert_eq!(order_count(&app).await, 1);
    assert_eq!(stock(&app, "CAP-NAVY").await.iter().map(|s| s.2).sum::<i64>(), 2, "reserved once");

    let other = input(json!([{ "sku": "CAP-NAVY", "quantity": 3 }]));
    let mismatch = place(&app, other, Some("checkout-7f3a9c21")).await;
    assert_eq!(error_code(&mismatch), Some("IDEMPOTENCY_MISMATCH"));
    assert_eq!(order_count(&app).await, 1);
}

#[tokio::test]
async fn a_channel_order_imports_once_per_external_id() {
    let app = TestApp::spawn().await;
    let mut marketplace = input(json!([{ "sku": "SOCKS-3PK", "quantity": 1 }]));
    marketplace["channel"] = json!("amazon");
    marketplace["externalId"] = json!("113-5550123-7654321");
    let first = place(&app, marketplace.clone(), None).await;
    let again = place(&app, marketplace, None).await;
    assert_eq!(first["data"]["placeOrder"]["order"]["id"], again["data"]["placeOrder"]["order"]["id"]);
    assert_eq!(again["data"]["placeOrder"]["replayed"], true);
    assert_eq!(order_count(&app).await, 1);
    let filters = [
        (json!({ "channel": "amazon" }), 1),
        (json!({ "channel": "pos" }), 0),
        (json!({ "placedFrom": "2000-01-01T00:00:00Z", "placedTo": "2099-01-01T00:00:00Z" }), 1),
        (json!({ "placedFrom": "2099-01-01T00:00:00Z" }), 0),
        (json!({ "summary": "AWAITING_PAYMENT" }), 1),
        (json!({ "summary": "SHIPPED" }), 0),
    ];
    for (filter, expected) in filters {
        let query =
            "query($f: OrderFilterInput!) { orders(first: 10, filter: $f) { edges { node { id } } } }";
        let body = app.gql(query, json!({ "f": filter })).await;
        assert_eq!(
            body["data"]["orders"]["edges"].as_array().map(Vec::len),
            Some(expected),
            "{filter} {body}"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_code_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let lines = |l: Value| input(l);
    let with = |field: &str, value: Value| {
        let mut i = input(json!([{ "sku": "TEE-BLK-M", "quantity": 1 }]));
        i[field] = value;
        i
    };
    let with_address = |field: &str, value: Value| {
        let mut i = input(json!([{ "sku": "TEE-BLK-M", "quantity": 1 }]));
        i["shippingAddress"][field] = value;
        i
    };
    let cases: Vec<(&str, Value, Option<&str>, &str)> = vec![
        ("unknown SKU", lines(json!([{ "sku": "NOPE-1", "quantity": 1 }])), None, "UNKNOWN_SKU"),
        ("malformed SKU", lines(json!([{ "sku": "a b/c", "quantity": 1 }])), None, "INVALID_SKU"),
        ("quantity zero", lines(json!([{ "sku": "TEE-BLK-M", "quantity": 0 }])), None, "INVALID_QUANTITY"),
        (
            "negative quantity",
            lines(json!([{ "sku": "TEE-BLK-M", "quantity": -3 }])),
            None,
            "INVALID_QUANTITY",
        ),
        (
            "huge quantity",
            lines(json!([{ "sku": "TEE-BLK-M", "quantity": 2_000_000_000 }])),
            None,
            "INVALID_QUANTITY",
        ),
        (
            "above max per order",
            lines(json!([{ "sku": "TEE-BLK-M", "quantity": 11 }])),
            None,
            "QTY_ABOVE_MAX",
        ),
        ("more than in stock", lines(json!([{ "sku": "TEE-WHT-M", "quantity": 9 }])), None, "OUT_OF_STOCK"),
        ("no lines", lines(json!([])), None, "CART_EMPTY"),
        (
            "duplicate line",
            lines(json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "MUG-STONE", "quantity": 1 }])),
            None,
            "DUPLICATE_LINE",
        ),
        ("unknown currency", with("currency", json!("DOGE")), None, "CURRENCY_UNKNOWN"),
        ("other currency", with("currency", json!("EUR")), None, "CURRENCY_MISMATCH"),
        ("bad e-mail", with("email", json!("grace@")), None, "EMAIL_INVALID"),
        ("bad postcode", with_address("postalCode", json!("2220")), None, "ADDRESS_INVALID_POSTCODE"),
        ("unknown country", with_address("country", json!("UK")), None, "ADDRESS_INVALID_COUNTRY"),
        ("empty city", with_address("city", json!(" ")), None, "ADDRESS_MISSING_FIELD"),
        (
            "no shipping there",
            {
                let mut i = with_address("country", json!("JP"));
                i["shippingAddress"]["postalCode"] = json!("100-0001");
                i
            },
            None,
            "SHIPPING_UNAVAILABLE",
        ),
        ("unknown coupon", with("coupons", json!(["NOPE"])), None, "COUPON_UNKNOWN"),
        (
            "unknown shipping option",
            with("shippingOption", json!("teleport")),
            None,
            "SHIPPING_OPTION_UNKNOWN",
        ),
        ("bad channel", with("channel", json!("Web Shop!")), None, "BAD_USER_INPUT"),
        ("bad customer id", with("customerId", json!("cus 1; DROP")), None, "BAD_USER_INPUT"),
        ("short idempotency key", with("email", json!("grace@example.com")), Some("k"), "BAD_USER_INPUT"),
        (
            "quantity as a string",
            lines(json!([{ "sku": "TEE-BLK-M", "quantity": "2" }])),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("unknown input field", with("giftWrap", json!(true)), None, "GRAPHQL_VALIDATION_FAILED"),
        ("missing e-mail", with("email", Value::Null), None, "GRAPHQL_VALIDATION_FAILED"),
        ("lines not a list of objects", lines(json!(["TEE-BLK-M"])), None, "GRAPHQL_VALIDATION_FAILED"),
    ];
    assert!(cases.len() >= 25);
    for (name, input, key, code) in cases {
        // Every table, row by row, before and after: a refused order leaves no trace anywhere.
        let before = app.store.dump().await.unwrap();
        let body = place(&app, input, key).await;
        let got = error_code(&body);
        let actual = got.unwrap_or("<none>");
        let expected_family = if code == "GRAPHQL_VALIDATION_FAILED" {
            body["errors"].is_array() && body["data"].is_null()
        } else {
            actual == code
        };
        assert!(expected_family, "{name}: expected {code}, got {body}");
        assert!(body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{name}: a message");
        assert!(!body.to_string().contains("surreal"), "{name}: no internals leak: {body}");
        let changed = ordo_tests::changed_tables(&before, &app.store.dump().await.unwrap());
        assert!(changed.is_empty(), "{name} changed the store: {changed:#?}");
    }
    assert_eq!(order_count(&app).await, 0, "nothing was placed");
    assert_eq!(stock(&app, "TEE-BLK-M").await.iter().map(|s| s.2).sum::<i64>(), 0, "nothing was reserved");
}

#[tokio::test]
async fn a_rejection_lists_every_blocking_issue_in_extensions() {
    let app = TestApp::spawn().await;
    let body = place(
        &app,
        input(json!([{ "sku": "NOPE", "quantity": 1 }, { "sku": "TEE-BLK-M", "quantity": 0 }])),
        None,
    )
    .await;
    let issues = body["errors"][0]["extensions"]["issues"].as_array().expect("issues");
    let pairs: Vec<(&str, &str)> =
        issues.iter().map(|i| (i["code"].as_str().unwrap_or(""), i["path"].as_str().unwrap_or(""))).collect();
    assert_eq!(pairs, vec![("UNKNOWN_SKU", "lines[0].sku"), ("INVALID_QUANTITY", "lines[1].quantity")]);
}

#[tokio::test]
async fn orders_survive_a_restart_on_the_embedded_file_store() {
    let dir = std::env::temp_dir().join(format!("ordo-persist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("surrealkv://{}", dir.join("ordo.db").display());
    let app = TestApp::spawn_on(&url, true).await;
    let mut ids = Vec::new();
    for quantity in 1..=3 {
        let body = place(&app, input(json!([{ "sku": "BOOK-RUST", "quantity": quantity }])), None).await;
        ids.push(body["data"]["placeOrder"]["order"]["id"].as_str().expect("placed").to_owned());
    }
    let before = stock(&app, "BOOK-RUST").await;
    app.stop().await;

    let app = TestApp::serve(ordo_tests::reopen_store(&url).await, true).await;
    for id in &ids {
        let body = app.gql("query($id: String!) { order(id: $id) { id state } }", json!({ "id": id })).await;
        assert_eq!(body["data"]["order"]["id"], json!(id), "order {id} survived: {body}");
    }
    assert_eq!(stock(&app, "BOOK-RUST").await, before, "reservations survived");
    assert_eq!(before.iter().map(|s| s.2).sum::<i64>(), 6);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_order_stored_before_entries_were_json_text_still_reads_and_takes_commands() {
    let app = TestApp::spawn().await;
    let body = place(&app, input(json!([{ "sku": "LAMP-DESK", "quantity": 1 }])), None).await;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().expect("an order id").to_owned();
    // Rewrite the order's rows as migrations 0002–0007 stored them: the entry as an object, no
    // JSON text.
    let db = app.store.db();
    let mut found = db
        .query("SELECT VALUE [record::id(id), entry_json] FROM event WHERE order_id = $id")
        .bind(("id", id.clone()))
        .await
        .unwrap();
    let events: Vec<Value> = found.take(0).unwrap();
    assert_eq!(events.len(), 1, "one event");
    for (table, field, rows) in [("event", "entry", events)] {
        for row in rows {
            let object: Value = serde_json::from_str(row[1].as_str().expect("JSON text")).unwrap();
            db.query(format!(
                "UPDATE type::record('{table}', $key) SET {field} = $object, {field}_json = NONE"
            ))
            .bind(("key", row[0].clone()))
            .bind(("object", object))
            .await
            .unwrap()
            .check()
            .unwrap();
        }
        let mut left = db
            .query(format!(
                "SELECT VALUE count() FROM {table} WHERE order_id = $id AND {field}_json != NONE GROUP ALL"
            ))
            .bind(("id", id.clone()))
            .await
            .unwrap();
        let left: Vec<i64> = left.take(0).unwrap();
        assert!(left.is_empty() || left == [0], "{table} rows still hold JSON text: {left:?}");
    }

    let read = "query($id: String!) { order(id: $id) { state timeline { seq type } } }";
    let body = app.gql(read, json!({ "id": id })).await;
    assert_eq!(body["data"]["order"]["timeline"], json!([{ "seq": 1, "type": "placed" }]), "{body}");
    let authorize =
        "mutation($id: String!, $token: String!) { authorizePayment(orderId: $id, token: $token) {
        order { state timeline { seq type } } } }";
    let body = app.gql(authorize, json!({ "id": id, "token": "tok_visa" })).await;
    let types: Vec<&str> = body["data"]["authorizePayment"]["order"]["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(types, ["placed", "payment_authorized", "confirmed"]);
    // The new events are JSON text; the old one is still an object, and both read back.
    let body = app.gql(read, json!({ "id": id })).await;
    assert_eq!(body["data"]["order"]["timeline"].as_array().map(Vec::len), Some(3), "{body}");
    let mut text = db
        .query("SELECT VALUE seq FROM event WHERE order_id = $id AND entry_json != NONE AND entry = NONE ORDER BY seq")
        .bind(("id", id.clone()))
        .await
        .unwrap();
    let text: Vec<Value> = text.take(0).unwrap();
    assert_eq!(text, [json!(2), json!(3)], "new events are stored as JSON text only");
}

#[tokio::test]
async fn the_next_order_uses_rules_and_locations_changed_after_the_last_one() {
    let app = TestApp::spawn().await;
    let mut with_coupon = input(json!([{ "sku": "TEE-BLK-M", "quantity": 1 }]));
    with_coupon["coupons"] = json!(["WELCOME10"]);
    let body = place(&app, with_coupon.clone(), None).await;
    assert_eq!(body["data"]["placeOrder"]["order"]["state"], "placed", "{body}");
    assert_eq!(stock(&app, "TEE-BLK-M").await, vec![("east".into(), 60, 1), ("west".into(), 20, 0)]);

    // The shop withdraws its coupons and makes the west warehouse preferred.
    let mut rules = ordo_gateway::seed::demo_rules();
    rules.coupons.clear();
    app.store.set_rules(&rules).await.expect("rules");
    app.store.put_location("west", "West warehouse (Reno)", 0).await.expect("location");

    let body = place(&app, with_coupon, None).await;
    assert_eq!(error_code(&body), Some("COUPON_UNKNOWN"), "{body}");
    let body = place(&app, input(json!([{ "sku": "TEE-BLK-M", "quantity": 1 }])), None).await;
    assert_eq!(body["data"]["placeOrder"]["order"]["state"], "placed", "{body}");
    assert_eq!(
        stock(&app, "TEE-BLK-M").await,
        vec![("east".into(), 60, 1), ("west".into(), 20, 1)],
        "reserved at the warehouse now preferred"
    );
}

#[tokio::test]
async fn cart_rules_show_a_coupon_only_to_whoever_names_it_and_every_coupon_to_staff() {
    let app = TestApp::spawn().await;
    let query = "query($c: [String!]) { cartRules(coupons: $c) }";
    let codes = |body: &Value| -> Vec<String> {
        let coupons = body["data"]["cartRules"]["coupons"].as_array().unwrap_or_else(|| panic!("{body}"));
        coupons.iter().map(|c| c["code"].as_str().unwrap().to_owned()).collect()
    };
    let anonymous = app.gql_with(None, query, json!({})).await;
    assert_eq!(codes(&anonymous), Vec::<String>::new(), "no code named, none shown: {anonymous}");
    assert!(
        anonymous["data"]["cartRules"]["shipping"].as_array().is_some_and(|z| !z.is_empty()),
        "{anonymous}"
    );
    let named = app.gql_with(None, query, json!({ "c": [" welcome10 ", "NOPE", "freeship"] })).await;
    assert_eq!(codes(&named), ["WELCOME10", "FREESHIP"], "{named}");

    let customer = app.token(&Actor::Customer { id: "c-rules".into() });
    let body = app.gql_with(Some(&customer), query, json!({ "c": ["FIVEOFF"] })).await;
    assert_eq!(codes(&body), ["FIVEOFF"], "{body}");
    let staff = app.token(&Actor::Staff);
    let body = app.gql_with(Some(&staff), query, json!({})).await;
    assert_eq!(codes(&body), ["WELCOME10", "FIVEOFF", "FREESHIP", "BIGSPEND"], "{body}");

    let many: Vec<String> = (0..21).map(|i| format!("CODE{i}")).collect();
    let body = app.gql_with(None, query, json!({ "c": many })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["data"].is_null() || body["data"]["cartRules"].is_null(), "{body}");
}

#[tokio::test]
async fn staff_find_the_orders_placed_with_an_address_in_any_case_and_a_malformed_one_is_refused() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for email in ["grace@example.com", "Grace@Example.COM", "ada@example.com"] {
        let mut order = input(json!([{ "sku": "MUG-STONE", "quantity": 1 }]));
        order["email"] = json!(email);
        let body = place(&app, order, None).await;
        ids.push(
            body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned(),
        );
    }
    let list = "query($e: String) { orders(first: 50, filter: { email: $e }) { nodes { id email } } }";
    let body = app.gql(list, json!({ "e": "GRACE@example.com" })).await;
    let mut found: Vec<String> = body["data"]["orders"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    let mut grace = ids[..2].to_vec();
    grace.sort();
    assert_eq!(found, grace, "both of Grace's orders, whatever case they were placed in; not Ada's");
    let body = app.gql(list, json!({ "e": "not an address" })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn orders_are_numbered_once_each_in_order_and_found_by_their_number_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("ordo-numbers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("surrealkv://{}", dir.join("ordo.db").display());
    let app = TestApp::spawn_on(&url, true).await;
    let numbered = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { accessToken order { id number reference } } }";
    let one = || input(json!([{ "sku": "SOCKS-3PK", "quantity": 1 }]));
    let placed = |body: &Value| {
        let order = &body["data"]["placeOrder"]["order"];
        let number = order["number"].as_i64().unwrap_or_else(|| panic!("a number: {body}"));
        assert_eq!(order["reference"], format!("#{number}"));
        (order["id"].as_str().unwrap().to_owned(), number)
    };
    // One after another: consecutive numbers.
    let mut orders = Vec::new();
    let mut guest = String::new();
    for _ in 0..3 {
        let body = app.gql_with(None, numbered, json!({ "input": one() })).await;
        guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
        orders.push(placed(&body));
    }
    assert_eq!([orders[1].1 - orders[0].1, orders[2].1 - orders[1].1], [1, 1], "{orders:?}");
    // A replayed request is the same order: it takes no number of its own.
    let keyed = "mutation($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { order { id number reference } } }";
    let first_try = placed(&app.gql(keyed, json!({ "input": one(), "key": "numbered-once" })).await);
    let replay = placed(&app.gql(keyed, json!({ "input": one(), "key": "numbered-once" })).await);
    assert_eq!(replay, first_try);
    let after = placed(&app.gql(keyed, json!({ "input": one(), "key": "numbered-next" })).await);
    assert_eq!((first_try.1 - orders[2].1, after.1 - first_try.1), (1, 1), "no number skipped by the replay");
    orders.push(after);
    // Forty at once: forty different numbers, none given before.
    let bodies = join_all((0..40).map(|_| app.gql(numbered, json!({ "input": one() })))).await;
    let concurrent: std::collections::BTreeSet<i64> = bodies.iter().map(|b| placed(b).1).collect();
    assert_eq!(concurrent.len(), 40);
    assert!(concurrent.iter().all(|n| *n > orders[2].1), "{concurrent:?}");
    // Staff open an order by its reference; nobody probes numbers: a guest's token finds only
    // its own order that way, and an unknown number is null like a missing id.
    let by_ref = "query($id: String!) { order(id: $id) { id } }";
    let (first_id, first) = orders[0].clone();
    let found = app.gql(by_ref, json!({ "id": format!("#{first}") })).await;
    assert_eq!(found["data"]["order"]["id"], json!(first_id), "{found}");
    let theirs = app.gql_with(Some(&guest), by_ref, json!({ "id": format!("#{first}") })).await;
    assert_eq!(theirs["data"]["order"], Value::Null, "{theirs}");
    let own = app.gql_with(Some(&guest), by_ref, json!({ "id": format!("#{}", orders[2].1) })).await;
    assert_eq!(own["data"]["order"]["id"], json!(orders[2].0));
    assert_eq!(app.gql(by_ref, json!({ "id": "#99999999" })).await["data"]["order"], Value::Null);
    let highest = *concurrent.iter().max().unwrap();
    app.stop().await;

    // After a restart the numbers go on upwards (skipping what the stopped gateway held), and
    // the old numbers still open their orders.
    let app = TestApp::serve(ordo_tests::reopen_store(&url).await, true).await;
    let (_, next) = placed(&app.gql(numbered, json!({ "input": one() })).await);
    assert!(next > highest, "{next} after {highest}");
    let found = app.gql(by_ref, json!({ "id": format!("#{first}") })).await;
    assert_eq!(found["data"]["order"]["id"], json!(first_id));
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn staff_find_orders_by_part_of_the_customers_name_in_any_case_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for name in ["Ada  Lovelace", "ADA BYRON KING", "Grace Hopper"] {
        let mut order = input(json!([{ "sku": "MUG-STONE", "quantity": 1 }]));
        order["shippingAddress"]["name"] = json!(name);
        let body = place(&app, order, None).await;
        ids.push(
            body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned(),
        );
    }
    let list = "query($n: String) { orders(first: 50, filter: { name: $n }) { nodes { id } } }";
    let found = |body: &Value| {
        let mut ids: Vec<String> = body["data"]["orders"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let mut adas = ids[..2].to_vec();
    adas.sort();
    assert_eq!(found(&app.gql(list, json!({ "n": "ada" })).await), adas, "any case, any part");
    assert_eq!(found(&app.gql(list, json!({ "n": " ada   lovelace " })).await), [ids[0].clone()]);
    assert_eq!(found(&app.gql(list, json!({ "n": "hopper" })).await), [ids[2].clone()]);
    assert!(found(&app.gql(list, json!({ "n": "nobody" })).await).is_empty());
    let body = app.gql(list, json!({ "n": "x".repeat(101) })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // A customer's list stays their own whatever name they ask for.
    let customer = app.token(&Actor::Customer { id: "cus_nobody".into() });
    let body = app.gql_with(Some(&customer), list, json!({ "n": "ada" })).await;
    assert!(found(&body).is_empty(), "{body}");
}

#[tokio::test]
async fn orders_placed_before_names_were_searchable_are_found_once_the_store_is_opened_again() {
    let dir = std::env::temp_dir().join(format!("ordo-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("surrealkv://{}", dir.join("ordo.db").display());
    let app = TestApp::spawn_on(&url, true).await;
    let mut order = input(json!([{ "sku": "MUG-STONE", "quantity": 1 }]));
    order["shippingAddress"]["name"] = json!("Katherine Johnson");
    let body = place(&app, order, None).await;
    let id =
        body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    // Opening the store recorded the backfill as done: later starts do not scan the orders.
    let mut done = app
        .store
        .db()
        .query("SELECT VALUE record::id(id) FROM type::record('migration', '0019_order_names_backfilled')")
        .await
        .unwrap();
    let done: Vec<String> = done.take(0).unwrap();
    assert_eq!(done, ["0019_order_names_backfilled"]);
    // As migration 0019 leaves an order placed before it: no name key, and the backfill that
    // follows it not done yet (a gateway stopped in between).
    app.store
        .db()
        .query("UPDATE orders SET name_key = ''; DELETE migration:0019_order_names_backfilled")
        .await
        .unwrap()
        .check()
        .unwrap();
    let list = "query($n: String) { orders(first: 50, filter: { name: $n }) { nodes { id } } }";
    assert_eq!(app.gql(list, json!({ "n": "johnson" })).await["data"]["orders"]["nodes"], json!([]));
    app.stop().await;

    let app = TestApp::serve(ordo_tests::reopen_store(&url).await, true).await;
    let body = app.gql(list, json!({ "n": "johnson" })).await;
    assert_eq!(body["data"]["orders"]["nodes"], json!([{ "id": id }]), "{body}");
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_paid_or_cancelled_checkout_leaves_no_payment_timeout_job_behind_and_a_declined_one_keeps_it() {
    let app = TestApp::spawn().await;
    let checkout =
        "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { accessToken order { id } } }";
    let mut placed = Vec::new();
    for _ in 0..3 {
        let body = app
            .gql_with(
                None,
                checkout,
                json!({ "input": input(json!([{ "sku": "SOCKS-3PK", "quantity": 1 }])) }),
            )
            .await;
        let order = &body["data"]["placeOrder"];
        placed.push((
            order["order"]["id"].as_str().unwrap().to_owned(),
            order["accessToken"].as_str().unwrap().to_owned(),
        ));
    }
    let timeouts = || async {
        let jobs = app.store.pending_jobs().await.unwrap();
        placed
            .iter()
            .map(|(id, _)| jobs.iter().any(|(key, _)| *key == format!("payment_timeout:{id}")))
            .collect::<Vec<_>>()
    };
    assert_eq!(timeouts().await, [true, true, true], "a shopper's unpaid order is held until paid");

    let pay = "mutation($id: String!, $token: String!) { authorizePayment(orderId: $id, token: $token) { order { state } } }";
    let paid = app.gql_with(Some(&placed[0].1), pay, json!({ "id": placed[0].0, "token": "tok_visa" })).await;
    assert_eq!(paid["data"]["authorizePayment"]["order"]["state"], "confirmed", "{paid}");
    let cancel = "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"changed my mind\") { order { state } } }";
    let cancelled = app.gql_with(Some(&placed[1].1), cancel, json!({ "id": placed[1].0 })).await;
    assert_eq!(cancelled["data"]["cancelOrder"]["order"]["state"], "cancelled", "{cancelled}");
    let declined =
        app.gql_with(Some(&placed[2].1), pay, json!({ "id": placed[2].0, "token": "tok_declined" })).await;
    assert_eq!(error_code(&declined), Some("PAYMENT_DECLINED"), "{declined}");

    assert_eq!(
        timeouts().await,
        [false, false, true],
        "the declined order may still be paid in time, or not"
    );
}
