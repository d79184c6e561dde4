//! Authorizations about to lapse, end to end: an order whose authorization holds money still to
//! capture is flagged for staff a day before it lapses, once, by one of two gateways on one store
//! (the `authorization_watch` job); capturing clears it; with the default week the watch waits.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use ordo_tests::{TestApp, eventually};
use serde_json::{Value, json};

use super::feedback_requests::ship_all;
use super::messages::{WAIT, ok, paid_order};

/// A gateway on `store` whose payment authorizations hold `valid`.
async fn gateway_on(store: ordo_gateway::store::Store, valid: chrono::Duration) -> TestApp {
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        job_interval: Duration::from_millis(100),
        authorization_valid: valid,
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(store, config).await
}

/// A guest order for one mug, authorized with tok_visa; answers its id and a time just before it
/// was authorized.
async fn authorized_order(app: &TestApp, email: &str) -> (String, DateTime<Utc>) {
    let before = Utc::now();
    let (id, _) = paid_order(app, email, json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    (id, before)
}

const PAYMENT: &str =
    "query($id: ID!) { order(id: $id) { payment { status authorizationExpiresAt authorizationExpiring }
    timeline { type } } }";

async fn payment(app: &TestApp, id: &str) -> Value {
    ok(&app.gql(PAYMENT, json!({ "id": id })).await)["order"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_authorization_about_to_lapse_is_flagged_once_across_two_gateways_and_capturing_clears_it() {
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    // An hour: the day's warning is due at once.
    let a = gateway_on(store.clone(), chrono::Duration::hours(1)).await;
    let b = gateway_on(store, chrono::Duration::hours(1)).await;
    let orders = join_all((0..10).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        async move { authorized_order(app, &format!("lapse{n}@example.com")).await }
    }))
    .await;
    for (id, before) in &orders {
        let flagged = eventually(WAIT, || async {
            let o = payment(&a, id).await;
            (o["payment"]["authorizationExpiring"] == true).then_some(o)
        })
        .await
        .unwrap_or_else(|| panic!("{id} never flagged"));
        let expires: DateTime<Utc> =
            flagged["payment"]["authorizationExpiresAt"].as_str().unwrap().parse().unwrap();
        assert!(
            expires >= *before + chrono::Duration::hours(1)
                && expires <= Utc::now() + chrono::Duration::hours(1)
        );
    }
    // Give a second flag every chance to appear before counting.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (id, _) in &orders {
        let o = payment(&b, id).await;
        let flags = o["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "payment_authorization_expiring")
            .count();
        assert_eq!(flags, 1, "{id} flagged once: {o}");
    }
    // Shipping captures everything: nothing is at risk any more.
    let (id, _) = &orders[0];
    ship_all(&a, id).await;
    let o = payment(&a, id).await;
    assert_eq!(o["payment"]["status"], "captured");
    assert_eq!(o["payment"]["authorizationExpiring"], false);
    assert!(o["payment"]["authorizationExpiresAt"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_a_week_long_authorization_the_watch_waits_six_days() {
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    let app = gateway_on(store, chrono::Duration::days(7)).await;
    let (id, before) = authorized_order(&app, "patient@example.com").await;
    let mut rows = app
        .store
        .db()
        .query("SELECT order_id, <string>due AS due FROM job WHERE kind = 'authorization_watch'")
        .await
        .unwrap();
    let rows: Vec<Value> = rows.take(0).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["order_id"], id.as_str());
    let due: DateTime<Utc> = rows[0]["due"].as_str().unwrap().parse().unwrap();
    let six_days = chrono::Duration::days(6);
    assert!(due >= before + six_days && due <= Utc::now() + six_days, "due {due}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let o = payment(&app, &id).await;
    assert_eq!(o["payment"]["authorizationExpiring"], false);
    assert!(o["payment"]["authorizationExpiresAt"].is_string());
}

/// The `type`s of order `id`'s timeline.
async fn types(app: &TestApp, id: &str) -> Vec<String> {
    payment(app, id).await["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_authorization_about_to_lapse_is_renewed_on_the_card_three_times_then_flagged_and_a_refused_renewal_is_flagged()
 {
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    // A day and two seconds: each renewal falls due two seconds after the last.
    let app = gateway_on(store, chrono::Duration::hours(24) + chrono::Duration::seconds(2)).await;
    let (renewed, _) = authorized_order(&app, "renew@example.com").await;
    let first_expiry = payment(&app, &renewed).await["payment"]["authorizationExpiresAt"].clone();
    // A card that can no longer be charged: the provider refuses the renewal.
    let place =
        "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { accessToken order { id } } }";
    let input = json!({ "channel": "web", "currency": "USD", "email": "refused@example.com",
        "lines": [{ "sku": "MUG-STONE", "quantity": 1 }],
        "shippingAddress": { "name": "Ada Lovelace", "line1": "1 Main St", "city": "Springfield",
            "region": "IL", "postalCode": "62701", "country": "US" } });
    let placed = app.gql_with(None, place, json!({ "input": input })).await;
    let refused = placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let guest = placed["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let pay =
        "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_capture_declined\") { replayed } }";
    ok(&app.gql_with(Some(&guest), pay, json!({ "id": refused })).await);

    let count = |types: &[String], t: &str| types.iter().filter(|x| *x == t).count();
    let done = eventually(Duration::from_secs(60), || async {
        let t = types(&app, &renewed).await;
        (count(&t, "payment_authorization_expiring") == 1).then_some(t)
    })
    .await
    .expect("renewed, then flagged");
    assert_eq!(count(&done, "payment_reauthorized"), 3, "{done:?}");
    let last_renewal = done.iter().rposition(|t| t == "payment_reauthorized").unwrap();
    let flag = done.iter().position(|t| t == "payment_authorization_expiring").unwrap();
    assert!(flag > last_renewal, "flagged only once renewing is over: {done:?}");
    let now = payment(&app, &renewed).await;
    assert_eq!(now["payment"]["authorizationExpiring"], true);
    assert!(
        now["payment"]["authorizationExpiresAt"].as_str() > first_expiry.as_str(),
        "{now} vs {first_expiry}"
    );

    let refused_types = eventually(WAIT, || async {
        let t = types(&app, &refused).await;
        t.iter().any(|x| x == "payment_authorization_expiring").then_some(t)
    })
    .await
    .expect("a refused renewal is flagged");
    assert_eq!(count(&refused_types, "payment_reauthorized"), 0, "{refused_types:?}");
    // Give a second flag every chance to appear.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(count(&types(&app, &refused).await, "payment_authorization_expiring"), 1);
    assert_eq!(count(&types(&app, &renewed).await, "payment_authorization_expiring"), 1);
}
