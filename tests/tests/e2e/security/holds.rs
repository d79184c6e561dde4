//! Hole 2: unpaid orders do not hold stock forever. A shopper's order whose payment is not
//! authorized within the hold is cancelled by the server (`payment_timeout`, actor `system`), its
//! stock released; the hold is a job in the store, so it survives a restart and runs once with
//! two gateways on one store.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use futures::future::join_all;
use ordo_gateway::app::Actor;
use ordo_gateway::store::Store;
use ordo_tests::{TestApp, eventually, reopen_store};
use serde_json::{Value, json};

use super::{PLACE, checkout};

fn config(hold_ms: i64) -> ordo_gateway::Config {
    ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        payment_hold: chrono::Duration::milliseconds(hold_ms),
        job_interval: Duration::from_millis(100),
        ..ordo_gateway::Config::default()
    }
}

async fn reserved(app: &TestApp, sku: &str) -> i64 {
    let body = app.gql("query($sku: String!) { stock(sku: $sku) { reserved } }", json!({ "sku": sku })).await;
    body["data"]["stock"].as_array().unwrap().iter().map(|r| r["reserved"].as_i64().unwrap()).sum()
}

async fn order(app: &TestApp, id: &str) -> Value {
    let query = "query($id: String!) { order(id: $id) { state timeline { type actor data } } }";
    app.gql(query, json!({ "id": id })).await["data"]["order"].clone()
}

/// Places a guest checkout; returns its id and guest token.
async fn guest_order(app: &TestApp, name: &str) -> (String, String) {
    let body = app.gql_with(None, PLACE, json!({ "input": checkout(name, "shopper@example.com") })).await;
    let placed = &body["data"]["placeOrder"];
    (placed["order"]["id"].as_str().unwrap().to_owned(), placed["accessToken"].as_str().unwrap().to_owned())
}

async fn cancelled_by_timeout(app: &TestApp, id: &str) -> bool {
    let order = order(app, id).await;
    order["state"] == "cancelled"
}

/// The order's `cancelled` events: exactly one, by the system, for `payment_timeout`.
fn assert_cancelled_once_for_timeout(order: &Value) {
    let cancels: Vec<&Value> =
        order["timeline"].as_array().unwrap().iter().filter(|e| e["type"] == "cancelled").collect();
    assert_eq!(cancels.len(), 1, "cancelled exactly once: {order}");
    assert_eq!(cancels[0]["actor"], "system");
    assert!(cancels[0]["data"].to_string().contains("payment_timeout"), "{}", cancels[0]);
}

#[tokio::test]
async fn an_unpaid_guest_order_gives_its_stock_back_when_the_hold_runs_out() {
    let app = TestApp::serve_with(Store::open("mem://").await.unwrap(), config(1_500)).await;
    let before = reserved(&app, "MUG-STONE").await;
    let (unpaid, _) = guest_order(&app, "Unpaid").await;
    let (paid, guest) = guest_order(&app, "Paid").await;
    let pay =
        "mutation($id: String!) { authorizePayment(orderId: $id, token: \"tok_visa\") { order { id } } }";
    let body = app.gql_with(Some(&guest), pay, json!({ "id": paid })).await;
    assert_eq!(body["data"]["authorizePayment"]["order"]["id"], json!(paid), "{body}");
    let amazon = app.token(&Actor::Channel { channel: "amazon".into() });
    let mut import = checkout("Marketplace", "buyer@example.com");
    import["channel"] = json!("amazon");
    import["externalId"] = json!("AMZ-1001");
    let body = app.gql_with(Some(&amazon), PLACE, json!({ "input": import })).await;
    let channel_order = body["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(reserved(&app, "MUG-STONE").await, before + 3);

    let done = eventually(Duration::from_secs(20), || async {
        cancelled_by_timeout(&app, &unpaid).await.then_some(())
    })
    .await;
    assert!(done.is_some(), "the unpaid order was cancelled: {}", order(&app, &unpaid).await);
    assert_cancelled_once_for_timeout(&order(&app, &unpaid).await);
    assert_eq!(reserved(&app, "MUG-STONE").await, before + 2, "its unit went back to stock");
    // The paid order's hold ran out too, and nothing happened to it; the channel's import (paid on
    // the channel) has no hold at all.
    let settled = eventually(Duration::from_secs(20), || async {
        hold_jobs(&app.store).await.is_empty().then_some(())
    })
    .await;
    assert!(settled.is_some(), "every hold job ran: {:?}", hold_jobs(&app.store).await);
    assert_eq!(order(&app, &paid).await["state"], "confirmed");
    assert_eq!(order(&app, &channel_order).await["state"], "placed");
}

#[tokio::test]
async fn a_payment_hold_survives_a_restart_of_the_gateway() {
    let dir = std::env::temp_dir().join(format!("ordo-hold-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("surrealkv://{}", dir.join("ordo.db").display());
    let app = TestApp::serve_with(Store::open(&url).await.unwrap(), config(2_000)).await;
    let (id, _) = guest_order(&app, "Restart").await;
    let before = reserved(&app, "MUG-STONE").await;
    app.stop().await;
    // Down past the hold: nobody could cancel it meanwhile.
    tokio::time::sleep(Duration::from_millis(2_200)).await;

    let app = TestApp::serve_with(reopen_store(&url).await, config(2_000)).await;
    let done =
        eventually(Duration::from_secs(20), || async { cancelled_by_timeout(&app, &id).await.then_some(()) })
            .await;
    assert!(done.is_some(), "cancelled after the restart: {}", order(&app, &id).await);
    assert_cancelled_once_for_timeout(&order(&app, &id).await);
    assert_eq!(reserved(&app, "MUG-STONE").await, before - 1);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_on_one_store_cancel_each_overdue_order_once() {
    let store = Store::open("mem://").await.unwrap();
    let one = TestApp::serve_with(store.clone(), config(1_000)).await;
    let two = TestApp::serve_with(store.clone(), config(1_000)).await;
    let before = reserved(&one, "TEE-BLK-M").await;
    let mut input = checkout("Many", "many@example.com");
    input["lines"] = json!([{ "sku": "TEE-BLK-M", "quantity": 1 }]);
    let placed = join_all((0..20).map(|i| {
        let app = if i % 2 == 0 { &one } else { &two };
        app.gql_with(None, PLACE, json!({ "input": input.clone() }))
    }))
    .await;
    let ids: Vec<String> =
        placed.iter().map(|b| b["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(reserved(&one, "TEE-BLK-M").await, before + 20);
    let done = eventually(Duration::from_secs(30), || async {
        hold_jobs(&one.store).await.is_empty().then_some(())
    })
    .await;
    assert!(done.is_some(), "jobs left: {:?}", hold_jobs(&one.store).await);
    for id in &ids {
        let order = order(&two, id).await;
        assert_eq!(order["state"], "cancelled");
        assert_cancelled_once_for_timeout(&order);
    }
    assert_eq!(reserved(&one, "TEE-BLK-M").await, before, "every unit released exactly once");
}

/// The payment-hold jobs waiting (an authorized order's watch over its authorization runs days
/// later and is not one).
async fn hold_jobs(store: &Store) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
    store
        .pending_jobs()
        .await
        .unwrap()
        .into_iter()
        .filter(|(key, _)| key.starts_with("payment_timeout:"))
        .collect()
}
