//! Hole 8: the audit trail names people. Tokens carry a subject; every event records the kind of
//! caller and that subject, and the order timeline shows the subject to staff only.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_gateway::app::Actor;
use ordo_tests::TestApp;
use serde_json::{Value, json};

use super::{PLACE, checkout};

#[tokio::test]
async fn every_event_records_who_acted_and_only_staff_see_it() {
    let app = TestApp::spawn().await;
    let hour = chrono::Duration::hours(1);
    let alice = app.keys.mint(&Actor::Staff, "alice@shop.example", hour).unwrap();
    let bob = app.keys.mint(&Actor::Staff, "bob@shop.example", hour).unwrap();
    let customer = app.keys.mint(&Actor::Customer { id: "cus_ada".into() }, "ada@example.com", hour).unwrap();
    let placed =
        app.gql_with(Some(&customer), PLACE, json!({ "input": checkout("Ada", "ada@example.com") })).await;
    let id = placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let pay = "mutation($id: String!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    assert!(app.gql_with(Some(&customer), pay, json!({ "id": id })).await["errors"].is_null());
    let capture = "mutation($id: String!) { capturePayment(orderId: $id) { replayed } }";
    assert!(app.gql_with(Some(&alice), capture, json!({ "id": id })).await["errors"].is_null());
    let create = "mutation($id: String!) { createShipments(orderId: $id) { replayed } }";
    assert!(app.gql_with(Some(&bob), create, json!({ "id": id })).await["errors"].is_null());

    let read = "query($id: String!) { order(id: $id) { timeline { type actor subject } } }";
    let as_staff = app.gql_with(Some(&alice), read, json!({ "id": id })).await;
    let timeline = as_staff["data"]["order"]["timeline"].as_array().unwrap().clone();
    let who = |kind: &str| -> Value {
        let e = timeline.iter().find(|e| e["type"] == kind).unwrap_or_else(|| panic!("{kind}: {timeline:?}"));
        json!([e["actor"], e["subject"]])
    };
    assert_eq!(who("placed"), json!(["customer", "ada@example.com"]));
    assert_eq!(who("payment_authorized"), json!(["customer", "ada@example.com"]));
    assert_eq!(who("payment_captured"), json!(["staff", "alice@shop.example"]));
    assert_eq!(who("shipment_created"), json!(["staff", "bob@shop.example"]));

    // The customer sees what happened, not which staff member did it.
    let as_customer = app.gql_with(Some(&customer), read, json!({ "id": id })).await;
    let subjects: Vec<&Value> =
        as_customer["data"]["order"]["timeline"].as_array().unwrap().iter().map(|e| &e["subject"]).collect();
    assert!(subjects.iter().all(|s| s.is_null()), "{as_customer}");
    // Stored, not only shown: the rows name the people.
    let dump = app.store.dump().await.unwrap();
    let (_, events) = dump.iter().find(|(table, _)| table == "event").unwrap();
    assert!(events.contains("alice@shop.example") && events.contains("bob@shop.example"));
}
