//! Hole 3: limits count operations, not HTTP requests. Every mutation field is charged (placing
//! an order most), aliases and `subscribe` messages included, over HTTP and WebSocket alike; a
//! connection runs so many subscriptions at most and an address opens so many connections at
//! most; each refusal says which limit was hit.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use ordo_gateway::app::Actor;
use ordo_gateway::edge::connections::ConnectionLimits;
use ordo_gateway::edge::guard::cost;
use ordo_gateway::edge::ratelimit::{Rate, RateLimits};
use ordo_gateway::store::Store;
use ordo_tests::{TestApp, WsClient, error_code};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use super::{PLACE, checkout, order_count};

fn aliased_orders(n: usize) -> String {
    let fields: Vec<String> =
        (0..n).map(|i| format!("o{i}: placeOrder(input: $input) {{ order {{ id }} }}")).collect();
    format!("mutation($input: PlaceOrderInput!) {{ {} }}", fields.join(" "))
}

async fn app_with(rate_limits: Option<RateLimits>, connections: ConnectionLimits) -> TestApp {
    let config =
        ordo_gateway::Config { seed_demo: true, rate_limits, connections, ..ordo_gateway::Config::default() };
    TestApp::serve_with(Store::open("mem://").await.unwrap(), config).await
}

#[tokio::test]
async fn forty_aliased_orders_in_one_request_are_refused_whole() {
    let app = app_with(Some(RateLimits::default()), ConnectionLimits::default()).await;
    let before = app.store.dump().await.unwrap();
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": aliased_orders(40), "variables": { "input": checkout("Alias", "a@example.com") } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(&format!("{} points", 40 * cost::EXPENSIVE_MUTATION)), "{message}");
    assert!(message.contains("this address"), "names the limit: {message}");
    assert_eq!(order_count(&app).await, 0, "not one of the forty was placed");
    app.assert_unchanged(&before, "the refused request").await;
}

#[tokio::test]
async fn mutations_sent_over_websocket_are_charged_like_http_from_one_bucket() {
    // Two placements at once per address, refilling slowly.
    let limits = RateLimits {
        per_token: Rate { per_second: 100.0, burst: 1_000 },
        per_ip: Rate { per_second: 0.1, burst: 2 * cost::EXPENSIVE_MUTATION },
    };
    let app = app_with(Some(limits), ConnectionLimits::default()).await;
    let input = checkout("Socket", "ws@example.com");
    let body = app.gql_with(None, PLACE, json!({ "input": input })).await;
    assert!(body["data"]["placeOrder"]["order"]["id"].is_string(), "{body}");

    let mut ws = WsClient::connect(&app, "graphql-transport-ws", None).await.unwrap();
    ws.subscribe("1", PLACE, json!({ "input": input })).await;
    assert!(ws.next_result().await.unwrap()["placeOrder"]["order"]["id"].is_string());
    let before = app.store.dump().await.unwrap();
    ws.subscribe("2", PLACE, json!({ "input": input })).await;
    let errors = ws.next_result().await.unwrap_err();
    assert_eq!(errors[0]["extensions"]["code"], "RATE_LIMITED", "{errors}");
    assert!(errors[0]["extensions"]["retryAfter"].as_u64().unwrap() >= 1, "{errors}");
    // Aliases over the socket are counted too.
    ws.subscribe("3", &aliased_orders(40), json!({ "input": input })).await;
    let errors = ws.next_result().await.unwrap_err();
    assert_eq!(errors[0]["extensions"]["code"], "RATE_LIMITED", "{errors}");
    app.assert_unchanged(&before, "the refused placements over the socket").await;
    assert_eq!(order_count(&app).await, 2);
}

#[tokio::test]
async fn a_connection_runs_a_bounded_number_of_subscriptions() {
    let limits = ConnectionLimits { max_subscriptions: 5, ..ConnectionLimits::default() };
    let app = app_with(None, limits).await;
    let body = app.gql(PLACE, json!({ "input": checkout("Watched", "w@example.com") })).await;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let staff = app.token(&Actor::Staff);
    let mut ws = WsClient::connect(&app, "graphql-transport-ws", Some(&staff)).await.unwrap();
    let watch = "subscription($id: String!) { orderUpdated(orderId: $id, afterSeq: 0) { seq } }";
    for n in 0..5 {
        ws.subscribe(&format!("w{n}"), watch, json!({ "id": id })).await;
        assert_eq!(ws.next_result().await.unwrap()["orderUpdated"]["seq"], 1, "subscription {n} replays");
    }
    ws.subscribe("w5", watch, json!({ "id": id })).await;
    let errors = ws.next_result().await.unwrap_err();
    assert_eq!(errors[0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{errors}");
    // Stopping one makes room for another.
    ws.send(json!({ "id": "w0", "type": "complete" })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    ws.subscribe("w6", watch, json!({ "id": id })).await;
    assert_eq!(ws.next_result().await.unwrap()["orderUpdated"]["seq"], 1);
}

#[tokio::test]
async fn an_address_opens_a_bounded_number_of_connections() {
    let limits = ConnectionLimits { max_per_ip: 4, ..ConnectionLimits::default() };
    let app = app_with(None, limits).await;
    // Open idle connections until one is answered at once: that one was over the cap. (The test
    // client may keep one pooled connection of its own, so the cap is hit at the 4th or 5th.)
    let mut held = Vec::new();
    let mut refused = None;
    for n in 1..=6 {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let mut answer = String::new();
        let read = tokio::time::timeout(Duration::from_millis(500), stream.read_to_string(&mut answer)).await;
        if read.is_ok() {
            refused = Some((n, answer));
            break;
        }
        held.push(stream);
    }
    let (n, answer) = refused.expect("a connection over the cap was refused");
    assert!((4..=5).contains(&n), "refused the {n}th connection");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("TOO_MANY_CONNECTIONS") && answer.contains("this address"), "{answer}");
    // Closing them frees their places.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ok = reqwest::Client::new().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn websockets_count_against_the_connection_cap_for_as_long_as_they_are_open() {
    let limits = ConnectionLimits { max_per_ip: 3, ..ConnectionLimits::default() };
    let app = app_with(None, limits).await;
    let staff = app.token(&Actor::Staff);
    let mut open = Vec::new();
    let mut refused_at = None;
    for n in 1..=6 {
        match WsClient::connect(&app, "graphql-transport-ws", Some(&staff)).await {
            Ok(client) => open.push(client),
            Err(e) => {
                refused_at = Some((n, e));
                break;
            }
        }
    }
    let (n, error) = refused_at.expect("an upgraded socket still holds its place");
    assert!((3..=4).contains(&n), "refused the {n}th socket: {error}");
    assert!(error.contains("503"), "{error}");
    drop(open);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        WsClient::connect(&app, "graphql-transport-ws", Some(&staff)).await.is_ok(),
        "closed sockets free their places"
    );
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    let limits = RateLimits {
        per_token: Rate { per_second: 100.0, burst: 1_000 },
        per_ip: Rate { per_second: 0.1, burst: cost::EXPENSIVE_MUTATION },
    };
    let place_from = |app: &TestApp, ip: &str| {
        let request =
            app.client.post(app.url("/graphql")).header("x-forwarded-for", ip).json(
                &json!({ "query": PLACE, "variables": { "input": checkout("Proxy", "p@example.com") } }),
            );
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    // Untrusted: the header is the caller's word and is ignored; both count against 127.0.0.1.
    let direct = app_with(Some(limits), ConnectionLimits::default()).await;
    assert!(place_from(&direct, "203.0.113.1").await["errors"].is_null());
    assert_eq!(error_code(&place_from(&direct, "203.0.113.2").await), Some("RATE_LIMITED"));
    // Behind a trusted proxy each shopper has a bucket of their own.
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: Some(limits),
        trusted_proxies: ordo_gateway::edge::proxies::TrustedProxies::parse(&["127.0.0.0/8"]).unwrap(),
        ..ordo_gateway::Config::default()
    };
    let proxied = TestApp::serve_with(Store::open("mem://").await.unwrap(), config).await;
    assert!(place_from(&proxied, "203.0.113.1").await["errors"].is_null());
    assert!(place_from(&proxied, "203.0.113.2").await["errors"].is_null());
    assert_eq!(error_code(&place_from(&proxied, "203.0.113.1").await), Some("RATE_LIMITED"));
}
