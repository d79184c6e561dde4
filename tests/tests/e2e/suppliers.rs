//! Dropship suppliers, end to end: admins keep supplier records; when a parcel becomes a
//! supplier's to send, the supplier is told by a signed `dropship.requested` webhook (checked by
//! a real endpoint with PyPI's `standardwebhooks`) carrying its lines and the ship-to address,
//! never the customer's e-mail, prices or other lines; its acknowledgement is on the order's
//! timeline for staff; bad settings change nothing.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use ordo_gateway::app::Actor;
use ordo_tests::webhooks::WebhookReceiver;
use ordo_tests::{TestApp, error_code, eventually};
use serde_json::{Value, json};

use crate::messages::{ok, paid_order};

const WAIT: Duration = Duration::from_secs(30);

async fn gateway() -> TestApp {
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        job_interval: Duration::from_millis(100),
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(store, config).await
}

fn secret(fill: u8) -> String {
    format!("whsec_{}", ordo_core::channel::setup::base64_encode(&[fill; 32]))
}

const UPDATE: &str = "mutation($code: String!, $input: UpdateSupplierInput!) {
    updateSupplier(code: $code, input: $input) { supplier { code name email webhookUrl leadTimeDays active } signingSecret } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropship_parcel_asks_its_supplier_by_signed_webhook_for_its_lines_and_the_ship_to_address_only() {
    let app = gateway().await;
    let admin = app.token(&Actor::Admin);
    let listed = app.gql("{ suppliers { code name email leadTimeDays active webhookUrl } }", json!({})).await;
    assert_eq!(
        ok(&listed)["suppliers"],
        json!([{ "code": "northwood", "name": "Northwood Furniture", "email": "orders@northwood.example",
                 "leadTimeDays": 10, "active": true, "webhookUrl": null }])
    );
    let northwood = WebhookReceiver::start(&secret(9)).await;
    let body = app
        .gql_with(
            Some(&admin),
            UPDATE,
            json!({ "code": "northwood", "input": { "webhookUrl": northwood.url(), "signingSecret": secret(9) } }),
        )
        .await;
    assert_eq!(ok(&body)["updateSupplier"]["supplier"]["webhookUrl"], northwood.url());
    assert_eq!(ok(&body)["updateSupplier"]["signingSecret"], secret(9), "a secret set is answered once");

    // A mug from the warehouse and a desk from Northwood, paid; staff plan the parcels.
    let (order, _) = paid_order(
        &app,
        "grace@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "DESK-OAK", "quantity": 1 }]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(northwood.received().is_empty(), "nothing to send before the parcel is planned");
    let create = "mutation($id: String!) { createShipments(orderId: $id) { order { reference shipments { id source } } } }";
    let body = app.gql(create, json!({ "id": order })).await;
    let planned = &ok(&body)["createShipments"]["order"];
    let parcel = planned["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "supplier:northwood")
        .unwrap_or_else(|| panic!("{planned}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let told = northwood.wait_for(1, WAIT).await;
    assert_eq!(told.len(), 1);
    let request = &told[0];
    assert_eq!(request["type"], "dropship.requested");
    let data = &request["data"];
    assert_eq!(data["orderId"], order.as_str());
    assert_eq!(data["orderNumber"], planned["reference"]);
    assert_eq!(data["shipment"], parcel.as_str());
    assert_eq!(
        data["lines"],
        json!([{ "line": 1, "sku": "DESK-OAK", "name": "Oak standing desk", "quantity": 1 }])
    );
    assert_eq!(data["shipTo"]["line1"], "12 Analytical Row");
    assert_eq!(data["shipTo"]["postalCode"], "62701");
    let text = request.to_string();
    for secret_of_the_shop in ["grace@example.com", "MUG-STONE", "amount", "tok_", "total"] {
        assert!(!text.contains(secret_of_the_shop), "{secret_of_the_shop} in {text}");
    }
    assert!(northwood.received().iter().all(|r| r["verified"] == true), "the signature verifies");

    // The acknowledgement is on the timeline (staff only); the webhook row names the supplier.
    let acked = eventually(WAIT, || async {
        let body = app
            .gql(
                "query($id: ID!) { order(id: $id) { timeline { type actor data } } }",
                json!({ "id": order }),
            )
            .await;
        ok(&body)["order"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "channel_acknowledged")
            .cloned()
    })
    .await
    .expect("the acknowledgement on the timeline");
    assert_eq!(acked["actor"], "channel:supplier:northwood");
    assert_eq!(acked["data"]["channelAcknowledged"]["event"], "dropship.requested");
    let rows =
        app.gql("{ webhooks(channel: \"supplier:northwood\") { id state eventType } }", json!({})).await;
    assert_eq!(
        ok(&rows)["webhooks"],
        json!([{ "id": northwood.received()[0]["id"], "state": "ACKNOWLEDGED", "eventType": "dropship.requested" }])
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(northwood.received().len(), 1, "asked once");
}

#[tokio::test]
async fn bad_supplier_settings_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.token(&Actor::Admin);
    let create =
        "mutation($input: CreateSupplierInput!) { createSupplier(input: $input) { supplier { code } } }";
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "ftp webhook",
            UPDATE,
            json!({ "code": "northwood", "input": { "webhookUrl": "ftp://n.example/hook" } }),
            "BAD_USER_INPUT",
        ),
        (
            "short secret",
            UPDATE,
            json!({ "code": "northwood", "input": { "signingSecret": "whsec_c2hvcnQ=" } }),
            "BAD_USER_INPUT",
        ),
        (
            "bad e-mail",
            UPDATE,
            json!({ "code": "northwood", "input": { "email": "not an address" } }),
            "BAD_USER_INPUT",
        ),
        (
            "lead time past a year",
            UPDATE,
            json!({ "code": "northwood", "input": { "leadTimeDays": 400 } }),
            "BAD_USER_INPUT",
        ),
        (
            "negative lead time",
            UPDATE,
            json!({ "code": "northwood", "input": { "leadTimeDays": -1 } }),
            "BAD_USER_INPUT",
        ),
        ("unknown supplier", UPDATE, json!({ "code": "nobody", "input": { "name": "X" } }), "NOT_FOUND"),
        ("bad code", create, json!({ "input": { "code": "North Wood!", "name": "X" } }), "BAD_USER_INPUT"),
        ("taken code", create, json!({ "input": { "code": "northwood", "name": "X" } }), "CONFLICT"),
    ];
    for (what, query, variables, code) in cases {
        let before = app.store.dump().await.unwrap();
        let body = app.gql_with(Some(&admin), query, variables).await;
        assert_eq!(error_code(&body), Some(code), "{what}: {body}");
        assert_eq!(app.store.dump().await.unwrap(), before, "{what} changed the store");
    }
    // Only admins change suppliers; a supplier reads its own record, not another's.
    let staff = app.gql(UPDATE, json!({ "code": "northwood", "input": { "name": "X" } })).await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"));
    let own = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let read = "query($c: String!) { supplier(code: $c) { name } }";
    let body = app.gql_with(Some(&own), read, json!({ "c": "northwood" })).await;
    assert_eq!(ok(&body)["supplier"]["name"], "Northwood Furniture");
    let other = app.token(&Actor::Supplier { supplier: "acme".into() });
    let body = app.gql_with(Some(&other), read, json!({ "c": "northwood" })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}
