//! Hole 6: card testing and double holds. One authorization per order runs at a time (only one
//! reaches the provider however many arrive together), each attempt carries a stable idempotency
//! key to the provider, an order takes at most five declines, and an address at most so many
//! declines an hour (`PAYMENT_ATTEMPTS_EXHAUSTED`).

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::join_all;
use ordo_core::money::Money;
use ordo_gateway::app::payments::{Authorization, PaymentFailure, PaymentProvider, TestProvider};
use ordo_gateway::edge::proxies::TrustedProxies;
use ordo_gateway::store::Store;
use ordo_tests::{TestApp, error_code};
use serde_json::json;

use super::{PLACE, checkout};

/// The test provider, counting the authorizations that reach it and the keys they carry, slow
/// enough that concurrent calls would overlap inside it.
#[derive(Debug, Default)]
struct Counted {
    calls: AtomicUsize,
    keys: Mutex<Vec<String>>,
}

impl PaymentProvider for Counted {
    fn authorize(&self, token: &str, amount: Money, key: &str) -> Result<Authorization, PaymentFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.keys.lock().unwrap().push(key.to_owned());
        std::thread::sleep(Duration::from_millis(30));
        TestProvider.authorize(token, amount, key)
    }
    fn capture(&self, reference: &str, amount: Money) -> Result<(), PaymentFailure> {
        TestProvider.capture(reference, amount)
    }
    fn void(&self, reference: &str) -> Result<(), PaymentFailure> {
        TestProvider.void(reference)
    }
    fn refund(&self, reference: &str, amount: Money) -> Result<(), PaymentFailure> {
        TestProvider.refund(reference, amount)
    }
    fn reauthorize(&self, reference: &str, amount: Money, key: &str) -> Result<String, PaymentFailure> {
        TestProvider.reauthorize(reference, amount, key)
    }
}

const AUTHORIZE: &str = "mutation($id: String!, $token: String!) {
  authorizePayment(orderId: $id, token: $token) { order { payment { status } } } }";

async fn app_with(provider: Arc<Counted>, declines_per_hour: u32, proxies: TrustedProxies) -> TestApp {
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        payments: Some(provider),
        declines_per_hour,
        trusted_proxies: proxies,
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(Store::open("mem://").await.unwrap(), config).await
}

async fn guest_order(app: &TestApp) -> (String, String) {
    let body = app.gql_with(None, PLACE, json!({ "input": checkout("Card Tester", "ct@example.com") })).await;
    let placed = &body["data"]["placeOrder"];
    (placed["order"]["id"].as_str().unwrap().to_owned(), placed["accessToken"].as_str().unwrap().to_owned())
}

async fn timeline_types(app: &TestApp, id: &str) -> Vec<String> {
    let body =
        app.gql("query($id: String!) { order(id: $id) { timeline { type } } }", json!({ "id": id })).await;
    body["data"]["order"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_authorizations_of_one_order_reach_the_provider_once() {
    let provider = Arc::new(Counted::default());
    let app = app_with(provider.clone(), 20, TrustedProxies::default()).await;
    let (id, guest) = guest_order(&app).await;
    let answers = join_all(
        (0..10).map(|_| app.gql_with(Some(&guest), AUTHORIZE, json!({ "id": id, "token": "tok_visa" }))),
    )
    .await;
    let authorized = answers.iter().filter(|b| b["errors"].is_null()).count();
    assert_eq!(authorized, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|b| b["errors"].is_array())
            .all(|b| error_code(b) == Some("INVALID_TRANSITION"))
    );
    assert_eq!(provider.calls.load(Ordering::SeqCst), 1, "one hold on the card, not ten");
    assert_eq!(provider.keys.lock().unwrap().as_slice(), [format!("{id}:authorize:1")]);
    assert_eq!(timeline_types(&app, &id).await.iter().filter(|t| *t == "payment_authorized").count(), 1);
}

#[tokio::test]
async fn an_order_takes_five_declines_and_then_no_more_attempts() {
    let provider = Arc::new(Counted::default());
    let app = app_with(provider.clone(), 100, TrustedProxies::default()).await;
    let (id, guest) = guest_order(&app).await;
    for attempt in 1..=5 {
        let body = app.gql_with(Some(&guest), AUTHORIZE, json!({ "id": id, "token": "tok_declined" })).await;
        assert_eq!(error_code(&body), Some("PAYMENT_DECLINED"), "attempt {attempt}: {body}");
    }
    for token in ["tok_declined", "tok_visa"] {
        let body = app.gql_with(Some(&guest), AUTHORIZE, json!({ "id": id, "token": token })).await;
        assert_eq!(error_code(&body), Some("PAYMENT_ATTEMPTS_EXHAUSTED"), "{body}");
    }
    assert_eq!(provider.calls.load(Ordering::SeqCst), 5, "refused before the provider");
    let keys = provider.keys.lock().unwrap().clone();
    assert_eq!(keys, (1..=5).map(|n| format!("{id}:authorize:{n}")).collect::<Vec<_>>(), "a key per attempt");
    let types = timeline_types(&app, &id).await;
    assert_eq!(types.iter().filter(|t| *t == "payment_failed").count(), 5, "the timeline stops growing");
}

#[tokio::test]
async fn an_address_with_too_many_declines_an_hour_is_refused_and_others_are_not() {
    let provider = Arc::new(Counted::default());
    // The gateway sits behind a proxy on loopback: X-Forwarded-For names the shopper.
    let app = app_with(provider.clone(), 3, TrustedProxies::parse(&["127.0.0.1/32"]).unwrap()).await;
    let from = |ip: &'static str, token: String, id: String, card: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/graphql"))
                .bearer_auth(token)
                .header("x-forwarded-for", ip)
                .json(&json!({ "query": AUTHORIZE, "variables": { "id": id, "token": card } }))
                .send()
                .await
                .unwrap();
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    // Three declines spread over two orders from one address ...
    let (first, first_guest) = guest_order(&app).await;
    let (second, second_guest) = guest_order(&app).await;
    for (id, guest) in [(&first, &first_guest), (&first, &first_guest), (&second, &second_guest)] {
        let body = from("203.0.113.7", guest.clone(), id.clone(), "tok_declined").await;
        assert_eq!(error_code(&body), Some("PAYMENT_DECLINED"), "{body}");
    }
    // ... and a fourth attempt from it is refused before the provider, even with a good card.
    let (third, third_guest) = guest_order(&app).await;
    let body = from("203.0.113.7", third_guest.clone(), third.clone(), "tok_visa").await;
    assert_eq!(error_code(&body), Some("PAYMENT_ATTEMPTS_EXHAUSTED"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("minutes"), "{body}");
    assert_eq!(provider.calls.load(Ordering::SeqCst), 3);
    // Another shopper behind the same proxy pays.
    let body = from("198.51.100.20", third_guest, third, "tok_visa").await;
    assert_eq!(body["data"]["authorizePayment"]["order"]["payment"]["status"], "authorized", "{body}");
}
