//! Carrier tracking end to end: signed webhooks in two formats move parcels, duplicates and
//! late reports change nothing, unknown numbers and bad signatures are refused without side
//! effects, and tracking reads and subscriptions reach only those who may see the order.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use chrono::{Duration, Utc};
use ordo_gateway::app::Actor;
use ordo_gateway::edge::carriers::sign;
use ordo_gateway::store::Store;
use ordo_tests::TestApp;
use serde_json::{Value, json};

const SECRET: &[u8] = b"carrier-secret-for-tests";

async fn app() -> TestApp {
    let store = Store::open("mem://").await.unwrap();
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        carrier_secrets: vec![("generic".into(), SECRET.to_vec()), ("ups".into(), SECRET.to_vec())],
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(store, config).await
}

/// A captured guest order for one mug, shipped by UPS with `tracking`; returns (order id, guest token).
async fn shipped(app: &TestApp, key: &str, tracking: &str) -> (String, String) {
    shipped_by(app, key, "UPS", tracking).await
}

/// [`shipped`] with `carrier`.
async fn shipped_by(app: &TestApp, key: &str, carrier: &str, tracking: &str) -> (String, String) {
    let body = app
        .gql_with(
            None,
            "mutation($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { order { id } accessToken } }",
            json!({ "key": key, "input": { "channel": "web", "currency": "USD", "email": "ada@example.com",
                "lines": [{ "sku": "MUG-STONE", "quantity": 1 }],
                "shippingAddress": { "name": "Ada", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                                     "postalCode": "62701", "country": "US" } } }),
        )
        .await;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let ok = |b: Value| assert!(b["errors"].is_null(), "{b}");
    ok(app
        .gql_with(
            Some(&guest),
            "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }",
            json!({ "id": id }),
        )
        .await);
    ok(app
        .gql("mutation($id: ID!) { capturePayment(orderId: $id) { replayed } }", json!({ "id": id }))
        .await);
    ok(app
        .gql("mutation($id: String!) { createShipments(orderId: $id) { replayed } }", json!({ "id": id }))
        .await);
    let s = format!("{id}-S1");
    for m in [
        "startPicking(orderId: $id, shipmentId: $s)",
        "packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 20, widthCm: 20, heightCm: 20, weightGrams: 600, material: \"box\" })",
        "shipShipment(orderId: $id, shipmentId: $s, carrier: $c, trackingNumber: $t)",
    ] {
        let vars = if m.contains("$t") {
            "$id: String!, $s: String!, $c: String!, $t: String!"
        } else {
            "$id: String!, $s: String!"
        };
        ok(app
            .gql(
                &format!("mutation({vars}) {{ {m} {{ replayed }} }}"),
                json!({ "id": id, "s": s, "c": carrier, "t": tracking }),
            )
            .await);
    }
    (id, guest)
}

async fn webhook(app: &TestApp, carrier: &str, body: &Value, age_secs: i64, secret: &[u8]) -> (u16, Value) {
    let raw = body.to_string();
    let ts = Utc::now().timestamp() - age_secs;
    let r = app
        .client
        .post(app.url(&format!("/webhooks/carriers/{carrier}")))
        .header("content-type", "application/json")
        .header("ordo-timestamp", ts.to_string())
        .header("ordo-signature", sign(secret, ts, raw.as_bytes()))
        .body(raw)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn generic(tracking: &str, status: &str, minutes_ago: i64) -> Value {
    let at = (Utc::now() - Duration::minutes(minutes_ago)).to_rfc3339();
    json!({ "events": [{ "trackingNumber": tracking, "status": status, "occurredAt": at, "location": "Columbus, OH, US", "description": status }] })
}

/// A UPS-format "delivered, front door" report for `tracking`, five minutes old.
fn ups_delivered(tracking: &str) -> Value {
    json!({ "trackingNumber": tracking, "localActivityDate": Utc::now().format("%Y%m%d").to_string(),
        "localActivityTime": (Utc::now() - Duration::minutes(5)).format("%H%M%S").to_string(), "gmtOffset": "+00:00",
        "activityLocation": { "city": "Springfield", "stateProvince": "IL", "country": "US" },
        "activityStatus": { "type": "D", "code": "KB", "description": "Delivered, front door" } })
}

async fn parcel(app: &TestApp, tracking: &str) -> Value {
    let q = "query($t: String!) { shipment(trackingNumber: $t) { orderId shipment { state } events { status location carrierStatus } } }";
    app.gql(q, json!({ "t": tracking })).await["data"]["shipment"].clone()
}

#[tokio::test]
async fn signed_reports_move_the_parcel_and_delivery_completes_the_order() {
    let app = app().await;
    let (id, _) = shipped(&app, "track-key-1", "1Z410E7W0392751591").await;
    let in_transit = generic("1Z410E7W0392751591", "in_transit", 30);
    let (status, body) = webhook(&app, "generic", &in_transit, 0, SECRET).await;
    assert_eq!((status, body), (200, json!({ "accepted": 1, "duplicates": 0 })));
    assert_eq!(parcel(&app, "1Z410E7W0392751591").await["shipment"]["state"], "in_transit");
    // The same report again is a duplicate and changes nothing.
    let (status, body) = webhook(&app, "generic", &in_transit, 0, SECRET).await;
    assert_eq!((status, body["duplicates"].clone()), (200, json!(1)));
    // Delivered (UPS format) completes the order.
    let ups = ups_delivered("1Z410E7W0392751591");
    assert_eq!(webhook(&app, "ups", &ups, 0, SECRET).await.0, 200);
    let p = parcel(&app, "1Z410E7W0392751591").await;
    assert_eq!(p["shipment"]["state"], "delivered", "{p}");
    let order = app.gql("query($id: ID!) { order(id: $id) { state } }", json!({ "id": id })).await;
    assert_eq!(order["data"]["order"]["state"], "completed");
    // A late in-transit report (older than the delivery) is kept in the history, and changes nothing.
    assert_eq!(
        webhook(&app, "generic", &generic("1Z410E7W0392751591", "out_for_delivery", 20), 0, SECRET).await.0,
        200
    );
    let p = parcel(&app, "1Z410E7W0392751591").await;
    assert_eq!(p["shipment"]["state"], "delivered");
    let statuses: Vec<&str> =
        p["events"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        vec!["in_transit", "out_for_delivery", "delivered"],
        "ordered by when they happened"
    );
    assert_eq!(p["events"][2]["carrierStatus"], "KB Delivered, front door");
}

#[tokio::test]
async fn bad_signatures_stale_replays_and_unknown_numbers_change_nothing() {
    let app = app().await;
    shipped(&app, "track-key-2", "1Z8V92A70367203024").await;
    let report = generic("1Z8V92A70367203024", "in_transit", 1);
    // Every table, before any of the bad reports and after each.
    let before = app.store.dump().await.unwrap();
    let (status, body) = webhook(&app, "generic", &report, 0, b"wrong-secret").await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (401, json!("BAD_SIGNATURE")));
    app.assert_unchanged(&before, "a bad signature").await;
    let (status, body) = webhook(&app, "generic", &report, 400, SECRET).await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (401, json!("STALE_SIGNATURE")));
    app.assert_unchanged(&before, "a stale signature").await;
    assert_eq!(webhook(&app, "fedex", &report, 0, SECRET).await.0, 404);
    app.assert_unchanged(&before, "a carrier without a secret").await;
    // One unknown number in a batch: 404, and the known one is not recorded either.
    let mut batch = generic("1Z8V92A70367203024", "in_transit", 1);
    batch["events"].as_array_mut().unwrap().push(generic("1ZNOPE", "delivered", 1)["events"][0].clone());
    assert_eq!(webhook(&app, "generic", &batch, 0, SECRET).await.0, 404);
    app.assert_unchanged(&before, "a batch with an unknown number").await;
    let (status, _) = webhook(&app, "generic", &json!({ "events": [{ "trackingNumber": "1Z", "status": "teleported", "occurredAt": "2026-01-01T00:00:00Z" }] }), 0, SECRET).await;
    assert_eq!(status, 400);
    app.assert_unchanged(&before, "an unknown status").await;
    let unsigned =
        app.client.post(app.url("/webhooks/carriers/generic")).body(report.to_string()).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    app.assert_unchanged(&before, "an unsigned report").await;
    let p = parcel(&app, "1Z8V92A70367203024").await;
    assert_eq!(p["shipment"]["state"], "shipped");
    assert_eq!(p["events"], json!([]));
}

#[tokio::test]
async fn tracking_reads_reach_only_those_who_may_see_the_order() {
    let app = app().await;
    let (id, guest) = shipped(&app, "track-key-3", "1ZXX3150YW44070023").await;
    let q = "query($t: String!) { shipment(trackingNumber: $t) { orderId } }";
    let own = app.gql_with(Some(&guest), q, json!({ "t": "1ZXX3150YW44070023" })).await;
    assert_eq!(own["data"]["shipment"]["orderId"], id.as_str());
    let stranger = app.token(&Actor::Customer { id: "cus_stranger".into() });
    let theirs = app.gql_with(Some(&stranger), q, json!({ "t": "1ZXX3150YW44070023" })).await;
    assert_eq!(theirs["data"]["shipment"], Value::Null, "same as an unknown number: {theirs}");
    let unknown = app.gql_with(Some(&stranger), q, json!({ "t": "1ZNOTHING" })).await;
    assert_eq!(unknown["data"]["shipment"], Value::Null);
    // Staff enter a report by hand.
    let record = "mutation($t: String!, $at: DateTime!) { recordTrackingEvent(trackingNumber: $t, status: EXCEPTION, occurredAt: $at, carrierStatus: \"Address not found\") }";
    let at = Utc::now().to_rfc3339();
    let body = app.gql_with(Some(&guest), record, json!({ "t": "1ZXX3150YW44070023", "at": at })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let body = app.gql(record, json!({ "t": "1ZXX3150YW44070023", "at": at })).await;
    assert_eq!(body["data"]["recordTrackingEvent"], true, "{body}");
    assert_eq!(parcel(&app, "1ZXX3150YW44070023").await["shipment"]["state"], "exception");
}

#[tokio::test]
async fn a_carriers_webhook_moves_only_that_carriers_parcels() {
    let app = app().await;
    shipped_by(&app, "track-key-dhl", "DHL", "3318810025").await;
    let ups = ups_delivered("3318810025");
    // UPS's secret cannot report on a DHL parcel: it answers like an unknown number.
    assert_eq!(webhook(&app, "ups", &ups, 0, SECRET).await.0, 404);
    let p = parcel(&app, "3318810025").await;
    assert_eq!(p["shipment"]["state"], "shipped", "{p}");
    assert_eq!(p["events"], json!([]));
}
