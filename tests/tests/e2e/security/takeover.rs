//! Hole 1: nobody reaches another person's order by naming it (an external id or an idempotency
//! key); a replay answers only its own caller, only for the same request, and otherwise says
//! `CONFLICT` / `IDEMPOTENCY_MISMATCH` without a byte of the order.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_gateway::app::Actor;
use ordo_tests::{TestApp, error_code};
use serde_json::{Value, json};

use super::{PLACE, checkout, order_count};

fn leaks_nothing(body: &Value, victim_email: &str) {
    assert_eq!(body["data"], Value::Null, "no order data: {body}");
    assert!(!body.to_string().contains(victim_email), "the victim's e-mail leaked: {body}");
}

#[tokio::test]
async fn a_stranger_cannot_take_over_a_web_order_by_naming_its_id_as_external_id() {
    let app = TestApp::spawn().await;
    let victim =
        app.gql_with(None, PLACE, json!({ "input": checkout("Victim", "victim@example.com") })).await;
    let id = victim["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();

    // The attack of issue #19: the victim's order id as the web channel's external id. None of
    // the refusals below writes anything.
    let before = app.store.dump().await.unwrap();
    let mut attack = checkout("Mallory", "mallory@example.com");
    attack["externalId"] = json!(format!("#{id}"));
    let body = app.gql_with(None, PLACE, json!({ "input": attack.clone() })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    leaks_nothing(&body, "victim@example.com");
    // Not even with the victim's exact request.
    let mut exact = checkout("Victim", "victim@example.com");
    exact["externalId"] = json!(format!("#{id}"));
    let body = app.gql_with(None, PLACE, json!({ "input": exact.clone() })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    leaks_nothing(&body, "victim@example.com");
    // A customer token may not name external ids either.
    let customer = app.token(&Actor::Customer { id: "cus_mallory".into() });
    let body = app.gql_with(Some(&customer), PLACE, json!({ "input": exact.clone() })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    leaks_nothing(&body, "victim@example.com");
    app.assert_unchanged(&before, "the refused takeovers").await;

    // Staff may give the web channel an external id: the order id is no external key, so this
    // is a new order, never the victim's.
    let staff = app.gql(PLACE, json!({ "input": exact })).await;
    let new_id = staff["data"]["placeOrder"]["order"]["id"].as_str().expect("a new order");
    assert_ne!(new_id, id);
    assert_eq!(staff["data"]["placeOrder"]["replayed"], false);
    assert_eq!(order_count(&app).await, 2);
    let read = app
        .gql("query($id: String!) { order(id: $id) { email timeline { seq } } }", json!({ "id": id }))
        .await;
    assert_eq!(read["data"]["order"]["email"], "victim@example.com");
    assert_eq!(read["data"]["order"]["timeline"].as_array().map(Vec::len), Some(1), "untouched: {read}");
}

#[tokio::test]
async fn an_idempotency_key_answers_only_the_caller_who_used_it() {
    let app = TestApp::spawn().await;
    let key = "checkout-5f1e2d3c";
    let alice = app.token(&Actor::Customer { id: "cus_alice".into() });
    let bob = app.token(&Actor::Customer { id: "cus_bob".into() });
    let first = app
        .gql_with(Some(&alice), PLACE, json!({ "input": checkout("Alice", "alice@example.com"), "key": key }))
        .await;
    let alice_order = first["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();

    // The same key and the same request from another customer is that customer's own new order.
    let other = app
        .gql_with(Some(&bob), PLACE, json!({ "input": checkout("Alice", "alice@example.com"), "key": key }))
        .await;
    let bob_order = other["data"]["placeOrder"]["order"]["id"].as_str().expect("bob's own order");
    assert_ne!(bob_order, alice_order);
    assert_eq!(other["data"]["placeOrder"]["replayed"], false);

    // An anonymous caller reusing the key gets a new order too (a scope of its own) ...
    let anon = app
        .gql_with(None, PLACE, json!({ "input": checkout("Alice", "alice@example.com"), "key": key }))
        .await;
    let anon_order =
        anon["data"]["placeOrder"]["order"]["id"].as_str().expect("a new guest order").to_owned();
    assert_ne!(anon_order, alice_order);
    // ... and anonymous callers share one scope, so a different request under that key is refused
    // without the first guest's order. Neither the refusal nor a replay writes anything.
    let before = app.store.dump().await.unwrap();
    let probe = app
        .gql_with(None, PLACE, json!({ "input": checkout("Mallory", "mallory@example.com"), "key": key }))
        .await;
    assert_eq!(error_code(&probe), Some("IDEMPOTENCY_MISMATCH"), "{probe}");
    leaks_nothing(&probe, "alice@example.com");
    // The same caller with the same request gets its own first answer again.
    let again = app
        .gql_with(Some(&alice), PLACE, json!({ "input": checkout("Alice", "alice@example.com"), "key": key }))
        .await;
    assert_eq!(again["data"]["placeOrder"]["order"]["id"], json!(alice_order));
    assert_eq!(again["data"]["placeOrder"]["replayed"], true);
    app.assert_unchanged(&before, "the refused probe and the replay").await;
    assert_eq!(order_count(&app).await, 3);

    // The store keeps the key under a digest of caller and key, with a SHA-256 fingerprint.
    let dump = app.store.dump().await.unwrap();
    let (_, records) = dump.iter().find(|(table, _)| table == "idempotency").unwrap();
    assert!(!records.contains(key), "the key is not a record id anyone can name: {records}");
    let rows: Vec<Value> = serde_json::from_str(records).unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let fingerprint = row["fingerprint"].as_str().unwrap();
        assert_eq!(fingerprint.len(), 64, "SHA-256 hex: {fingerprint}");
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

#[tokio::test]
async fn an_external_id_replays_only_for_its_channel_and_the_same_request() {
    let app = TestApp::spawn().await;
    let amazon = app.token(&Actor::Channel { channel: "amazon".into() });
    let amazon_again = app
        .keys
        .mint(&Actor::Channel { channel: "amazon".into() }, "amazon-worker-2", chrono::Duration::hours(1))
        .unwrap();
    let mut import = checkout("Ada", "ada@example.com");
    import["channel"] = json!("amazon");
    import["externalId"] = json!("113-5550123-7654321");
    let first = app.gql_with(Some(&amazon), PLACE, json!({ "input": import.clone() })).await;
    let id = first["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();

    // The channel (any of its tokens) importing the same order again gets it back; neither that
    // nor any refusal below writes anything.
    let before = app.store.dump().await.unwrap();
    let again = app.gql_with(Some(&amazon_again), PLACE, json!({ "input": import.clone() })).await;
    assert_eq!(again["data"]["placeOrder"]["order"]["id"], json!(id), "{again}");
    assert_eq!(again["data"]["placeOrder"]["replayed"], true);

    // The same external id with another request, or from another caller, is CONFLICT, no data.
    let mut changed = import.clone();
    changed["email"] = json!("someone-else@example.com");
    let body = app.gql_with(Some(&amazon), PLACE, json!({ "input": changed })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    leaks_nothing(&body, "ada@example.com");
    let body = app.gql(PLACE, json!({ "input": import.clone() })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "staff replaying a channel's import: {body}");
    leaks_nothing(&body, "ada@example.com");
    // Another channel cannot place on amazon's channel at all.
    let ebay = app.token(&Actor::Channel { channel: "ebay".into() });
    let body = app.gql_with(Some(&ebay), PLACE, json!({ "input": import })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    leaks_nothing(&body, "ada@example.com");
    app.assert_unchanged(&before, "the replay and the refused imports").await;
    assert_eq!(order_count(&app).await, 1);
}
