//! Live subscriptions over WebSocket with both protocols (`graphql-transport-ws`, legacy
//! `graphql-ws`): events arrive as the store records them, `afterSeq` replays without gaps or
//! repeats, strangers learn nothing, another gateway's changes arrive too, and a restarted
//! live query loses no event.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use ordo_gateway::app::Actor;
use ordo_gateway::store::Store;
use ordo_tests::TestApp;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use ordo_tests::WsClient as Client;

pub(crate) const WATCH: &str =
    "subscription($id: String!, $after: Int) { orderUpdated(orderId: $id, afterSeq: $after) {
    orderId seq state event { type actor } statusView { headline } } }";

pub(crate) async fn guest_order(app: &TestApp, key: &str) -> (String, String) {
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
    let id =
        body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    (id, body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned())
}

pub(crate) async fn pay(app: &TestApp, guest: &str, id: &str) {
    let body = app
        .gql_with(
            Some(guest),
            "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }",
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

async fn staff_step(app: &TestApp, mutation: &str, id: &str) {
    let body = app
        .gql(&format!("mutation($id: String!) {{ {mutation} {{ order {{ id }} }} }}"), json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn both_websocket_protocols_stream_an_orders_events_as_they_happen() {
    let app = TestApp::spawn().await;
    for (n, protocol) in ["graphql-transport-ws", "graphql-ws"].into_iter().enumerate() {
        let (id, guest) = guest_order(&app, &format!("live-key-{n}")).await;
        // The guest watches their own order.
        let mut client = Client::connect(&app, protocol, Some(&guest)).await.unwrap();
        client.subscribe("1", WATCH, json!({ "id": id })).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        pay(&app, &guest, &id).await;
        let first = client.next_result().await.unwrap();
        assert_eq!(first["orderUpdated"]["seq"], 2, "{protocol}: {first}");
        assert_eq!(first["orderUpdated"]["event"]["type"], "payment_authorized");
        let second = client.next_result().await.unwrap();
        assert_eq!(second["orderUpdated"]["seq"], 3);
        assert_eq!(second["orderUpdated"]["event"]["type"], "confirmed");
        assert_eq!(second["orderUpdated"]["state"], "confirmed");
        assert_eq!(second["orderUpdated"]["statusView"]["headline"], "Order confirmed");
        staff_step(&app, "createShipments(orderId: $id)", &id).await;
        let third = client.next_result().await.unwrap();
        assert_eq!(
            (third["orderUpdated"]["seq"].clone(), third["orderUpdated"]["event"]["actor"].clone()),
            (json!(4), json!("staff"))
        );
    }
}

#[tokio::test]
async fn after_seq_replays_what_was_missed_then_continues_live_without_repeats() {
    let app = TestApp::spawn().await;
    let (id, guest) = guest_order(&app, "live-replay-1").await;
    pay(&app, &guest, &id).await; // seq 2, 3
    let mut client = Client::connect(&app, "graphql-transport-ws", Some(&guest)).await.unwrap();
    client.subscribe("a", WATCH, json!({ "id": id, "after": 1 })).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(client.next_result().await.unwrap()["orderUpdated"]["seq"].as_i64().unwrap());
    }
    assert_eq!(seen, vec![2, 3], "the missed events, in order");
    staff_step(&app, "createShipments(orderId: $id)", &id).await; // seq 4
    assert_eq!(client.next_result().await.unwrap()["orderUpdated"]["seq"], 4);
    drop(client);

    // Reconnect after seq 4 while two more events happen: 5 and 6, each once.
    let body = app.gql("query($id: ID!) { order(id: $id) { shipments { id } } }", json!({ "id": id })).await;
    let shipment = body["data"]["order"]["shipments"][0]["id"].as_str().unwrap().to_owned();
    let step =
        "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }";
    assert!(app.gql(step, json!({ "id": id, "s": shipment })).await["errors"].is_null());
    let mut client = Client::connect(&app, "graphql-ws", Some(&guest)).await.unwrap();
    client.subscribe("b", WATCH, json!({ "id": id, "after": 4 })).await;
    assert_eq!(client.next_result().await.unwrap()["orderUpdated"]["seq"], 5);
    let pack = "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s,
        package: { lengthCm: 10, widthCm: 10, heightCm: 10, weightGrams: 500, material: \"box\" }) { order { id } } }";
    assert!(app.gql(pack, json!({ "id": id, "s": shipment })).await["errors"].is_null());
    let next = client.next_result().await.unwrap();
    assert_eq!(next["orderUpdated"]["seq"], 6, "{next}");
    assert_eq!(next["orderUpdated"]["event"]["type"], "shipment_packed");
}

#[tokio::test]
async fn strangers_cannot_watch_an_order_and_bad_tokens_are_refused_at_init() {
    let app = TestApp::spawn().await;
    let (id, _) = guest_order(&app, "live-idor-1").await;
    let stranger = app.token(&Actor::Customer { id: "cus_stranger".into() });
    let mut client = Client::connect(&app, "graphql-transport-ws", Some(&stranger)).await.unwrap();
    client.subscribe("x", WATCH, json!({ "id": id })).await;
    let errors = client.next_result().await.unwrap_err();
    assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND", "{errors}");
    let mut anonymous = Client::connect(&app, "graphql-transport-ws", None).await.unwrap();
    anonymous.subscribe("y", WATCH, json!({ "id": id })).await;
    assert_eq!(anonymous.next_result().await.unwrap_err()[0]["extensions"]["code"], "UNAUTHENTICATED");
    let feed = "subscription { orderEvents { orderId } }";
    client.subscribe("z", feed, json!({})).await;
    assert_eq!(client.next_result().await.unwrap_err()[0]["extensions"]["code"], "FORBIDDEN");
    // A forged token never gets an acknowledgement.
    let forged =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjB9.bad";
    assert!(Client::connect(&app, "graphql-transport-ws", Some(forged)).await.is_err());
}

#[tokio::test]
async fn a_subscriber_on_one_gateway_sees_changes_made_through_another() {
    let store = Store::open("mem://").await.unwrap();
    let writer = TestApp::serve(store.clone(), true).await;
    let watcher = TestApp::serve(store, false).await;
    let (id, guest) = guest_order(&writer, "live-two-1").await;
    let mut client =
        Client::connect(&watcher, "graphql-transport-ws", Some(&watcher.token(&Actor::Staff))).await.unwrap();
    client.subscribe("1", WATCH, json!({ "id": id })).await;
    client
        .subscribe(
            "2",
            "subscription { orderEvents(filter: { types: [\"confirmed\"] }) { orderId seq event { type } } }",
            json!({}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    pay(&writer, &guest, &id).await;
    let mut by_subscription: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for _ in 0..3 {
        let m = client.receive().await.unwrap();
        by_subscription
            .entry(m["id"].as_str().unwrap().to_owned())
            .or_default()
            .push(m["payload"]["data"].clone());
    }
    let seqs: Vec<i64> =
        by_subscription["1"].iter().map(|d| d["orderUpdated"]["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![2, 3]);
    assert_eq!(
        by_subscription["2"],
        vec![json!({ "orderEvents": { "orderId": id, "seq": 3, "event": { "type": "confirmed" } } })]
    );
}

#[tokio::test]
async fn a_restarted_live_query_loses_no_event() {
    let store = Store::open("mem://").await.unwrap();
    ordo_gateway::seed::seed_if_empty(&store).await.unwrap();
    let app = TestApp::serve(store.clone(), false).await;
    let feed = ordo_gateway::app::live::Feed::start(store.clone());
    let mut rx = feed.subscribe();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut placed = Vec::new();
    for i in 0..6 {
        if i % 2 == 1 {
            feed.interrupt(); // the live query ends; events keep being written meanwhile
        }
        placed.push(guest_order(&app, &format!("live-restart-{i}")).await.0);
    }
    let mut received = std::collections::BTreeSet::new();
    while received.len() < placed.len() {
        let event = tokio::time::timeout(Duration::from_secs(15), rx.recv())
            .await
            .expect("every order's first event")
            .unwrap();
        received.insert(event.order_id.clone());
    }
    assert!(placed.iter().all(|id| received.contains(id)));
    assert!(feed.restarts() >= 3, "restarted {} times", feed.restarts());
    feed.stop();
}

/// Every subscription field × role, over WebSocket: (field, operation, anonymous, customer, staff).
const SUBSCRIPTIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "orderUpdated",
        "subscription { orderUpdated(orderId: \"ord_x\") { seq } }",
        "UNAUTHENTICATED",
        "NOT_FOUND",
        "NOT_FOUND",
    ),
    ("orderEvents", "subscription { orderEvents { seq } }", "UNAUTHENTICATED", "FORBIDDEN", "ok"),
    (
        "channelEvents",
        "subscription { channelEvents(channel: \"web\") { id } }",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "ok",
    ),
    (
        "shipmentTracking",
        "subscription { shipmentTracking(orderId: \"ord_x\") { status } }",
        "UNAUTHENTICATED",
        "NOT_FOUND",
        "NOT_FOUND",
    ),
];

#[tokio::test]
async fn every_subscription_field_has_an_access_decision_that_holds() {
    let app = TestApp::spawn().await;
    let schema = app.gql("{ __schema { subscriptionType { fields { name } } } }", json!({})).await;
    let mut names: Vec<&str> = schema["data"]["__schema"]["subscriptionType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    let mut decided: Vec<&str> = SUBSCRIPTIONS.iter().map(|s| s.0).collect();
    decided.sort_unstable();
    assert_eq!(names, decided, "a subscription field without an access decision");
    let customer = app.token(&Actor::Customer { id: "cus_matrix".into() });
    let staff = app.token(&Actor::Staff);
    for &(field, operation, anonymous, as_customer, as_staff) in SUBSCRIPTIONS {
        for (who, token, expected) in [
            ("anonymous", None, anonymous),
            ("customer", Some(customer.as_str()), as_customer),
            ("staff", Some(staff.as_str()), as_staff),
        ] {
            let mut client = Client::connect(&app, "graphql-transport-ws", token).await.unwrap();
            client.subscribe("m", operation, json!({})).await;
            if expected == "ok" {
                // Accepted: nothing arrives until an event happens.
                let quiet = tokio::time::timeout(Duration::from_millis(300), client.next_result()).await;
                assert!(quiet.is_err(), "{field} as {who}: {quiet:?}");
            } else {
                let errors = client.next_result().await.unwrap_err();
                assert_eq!(errors[0]["extensions"]["code"], expected, "{field} as {who}: {errors}");
            }
        }
    }
}

#[tokio::test]
async fn tracking_reports_reach_the_guest_watching_by_tracking_number_and_nobody_else() {
    let app = TestApp::spawn().await;
    let (id, guest) = guest_order(&app, "live-track-1").await;
    pay(&app, &guest, &id).await;
    staff_step(&app, "createShipments(orderId: $id)", &id).await;
    let s = format!("{id}-S1");
    for m in [
        "startPicking(orderId: $id, shipmentId: $s)",
        "packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 9, widthCm: 9, heightCm: 9, weightGrams: 500, material: \"box\" })",
        "shipShipment(orderId: $id, shipmentId: $s, carrier: \"UPS\", trackingNumber: \"1Z5R89390357567127\")",
    ] {
        let body = app
            .gql(
                &format!("mutation($id: String!, $s: String!) {{ {m} {{ replayed }} }}"),
                json!({ "id": id, "s": s }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let watch = "subscription($t: String) { shipmentTracking(trackingNumber: $t) { trackingNumber status location carrierStatus } }";
    let mut client = Client::connect(&app, "graphql-transport-ws", Some(&guest)).await.unwrap();
    client.subscribe("t", watch, json!({ "t": "1Z5R89390357567127" })).await;
    let stranger = app.token(&Actor::Customer { id: "cus_stranger".into() });
    let mut other = Client::connect(&app, "graphql-ws", Some(&stranger)).await.unwrap();
    other.subscribe("t", watch, json!({ "t": "1Z5R89390357567127" })).await;
    assert_eq!(other.next_result().await.unwrap_err()[0]["extensions"]["code"], "NOT_FOUND");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let record = "mutation($at: DateTime!) { recordTrackingEvent(trackingNumber: \"1Z5R89390357567127\", status: IN_TRANSIT, occurredAt: $at, location: \"Newark, NJ, US\", carrierStatus: \"Departed facility\") }";
    let body = app.gql(record, json!({ "at": chrono::Utc::now().to_rfc3339() })).await;
    assert_eq!(body["data"]["recordTrackingEvent"], true, "{body}");
    let report = client.next_result().await.unwrap();
    assert_eq!(
        report["shipmentTracking"],
        json!({ "trackingNumber": "1Z5R89390357567127", "status": "in_transit", "location": "Newark, NJ, US", "carrierStatus": "Departed facility" })
    );
    // A page opened later asks for the stored reports first, then gets new ones live, each once.
    let mut late = Client::connect(&app, "graphql-transport-ws", Some(&guest)).await.unwrap();
    let replaying = "subscription($id: String) { shipmentTracking(orderId: $id, replay: true) { status } }";
    late.subscribe("r", replaying, json!({ "id": id })).await;
    assert_eq!(late.next_result().await.unwrap()["shipmentTracking"]["status"], "in_transit");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let record = "mutation($at: DateTime!) { recordTrackingEvent(trackingNumber: \"1Z5R89390357567127\", status: OUT_FOR_DELIVERY, occurredAt: $at) }";
    assert_eq!(
        app.gql(record, json!({ "at": chrono::Utc::now().to_rfc3339() })).await["data"]["recordTrackingEvent"],
        true
    );
    assert_eq!(late.next_result().await.unwrap()["shipmentTracking"]["status"], "out_for_delivery");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), late.next_result()).await.is_err(),
        "nothing twice"
    );
    let locations = app.gql_with(Some(&guest), "{ locations { id name } }", json!({})).await;
    assert_eq!(locations["data"]["locations"][0]["id"], "east");
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_told_where_to_resume_and_resumes_from_there() {
    use ordo_gateway::graphql::{Limits, build};
    let store = Store::open("mem://").await.unwrap();
    ordo_gateway::seed::seed_if_empty(&store).await.unwrap();
    let app = TestApp::serve(store.clone(), false).await;
    let (id, guest) = guest_order(&app, "live-lag-0").await;
    // A schema whose feed holds only 4 events per subscriber.
    let feed = ordo_gateway::app::live::Feed::start_with_capacity(store.clone(), 4);
    let services = (ordo_gateway::app::App::new(store.clone(), app.keys.clone()), feed.clone());
    let schema = build(Some(services), Limits::default());
    let watch = |after: Option<i64>| {
        let after = after.map_or(String::new(), |a| format!(", afterSeq: {a}"));
        let query = format!("subscription {{ orderUpdated(orderId: \"{id}\"{after}) {{ seq }} }}");
        schema.execute_stream(async_graphql::Request::new(query).data(Actor::Staff))
    };
    let pending = |s: &mut futures::stream::BoxStream<'static, async_graphql::Response>| {
        futures::FutureExt::now_or_never(s.next()).is_none()
    };
    // The first poll runs the resolver; then this subscriber stops reading.
    let mut slow = watch(None);
    assert!(pending(&mut slow));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for i in 1..=10 {
        guest_order(&app, &format!("live-lag-{i}")).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let lagged = tokio::time::timeout(Duration::from_secs(10), slow.next()).await.unwrap().unwrap();
    let extensions = lagged.errors[0].extensions.as_ref().unwrap();
    assert_eq!(extensions.get("code"), Some(&async_graphql::Value::from("SUBSCRIBER_LAGGED")));
    assert_eq!(extensions.get("lastSeq"), Some(&async_graphql::Value::from(1)));
    assert!(
        tokio::time::timeout(Duration::from_secs(5), slow.next()).await.unwrap().is_none(),
        "then it ends"
    );
    // Resubscribing from lastSeq picks up the order's next events, each once.
    let mut again = watch(Some(1));
    assert!(pending(&mut again));
    tokio::time::sleep(Duration::from_millis(200)).await;
    pay(&app, &guest, &id).await;
    for seq in [2, 3] {
        let next = tokio::time::timeout(Duration::from_secs(10), again.next()).await.unwrap().unwrap();
        assert_eq!(next.data.into_json().unwrap()["orderUpdated"]["seq"], seq);
    }
    feed.stop();
}

#[tokio::test]
async fn a_customer_sees_paid_packed_shipped_in_transit_delivered_once_each_from_mutations_and_signed_webhooks()
 {
    let store = Store::open("mem://").await.unwrap();
    let secret = b"webhook-secret-live-test".to_vec();
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        carrier_secrets: vec![("generic".into(), secret.clone())],
        ..ordo_gateway::Config::default()
    };
    let app = TestApp::serve_with(store, config).await;
    let (id, guest) = guest_order(&app, "live-journey-1").await;
    let mut client = Client::connect(&app, "graphql-ws", Some(&guest)).await.unwrap();
    client.subscribe("j", WATCH, json!({ "id": id })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    pay(&app, &guest, &id).await;
    let capture = "mutation($id: ID!) { capturePayment(orderId: $id) { replayed } }";
    assert!(app.gql(capture, json!({ "id": id })).await["errors"].is_null());
    staff_step(&app, "createShipments(orderId: $id)", &id).await;
    let s = format!("{id}-S1");
    for m in [
        "startPicking(orderId: $id, shipmentId: $s)",
        "packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 9, widthCm: 9, heightCm: 9, weightGrams: 500, material: \"box\" })",
        "shipShipment(orderId: $id, shipmentId: $s, carrier: \"UPS\", trackingNumber: \"1Z879E930346834440\")",
    ] {
        let body = app
            .gql(
                &format!("mutation($id: String!, $s: String!) {{ {m} {{ replayed }} }}"),
                json!({ "id": id, "s": s }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    // The carrier reports in transit, then (twice, as carriers do) delivered.
    for (status, minutes_ago) in [("in_transit", 20), ("delivered", 5), ("delivered", 5)] {
        let at = (chrono::Utc::now() - chrono::Duration::minutes(minutes_ago)).timestamp();
        let at = chrono::DateTime::from_timestamp(at, 0).unwrap().to_rfc3339();
        let body =
            json!({ "events": [{ "trackingNumber": "1Z879E930346834440", "status": status, "occurredAt": at }] })
                .to_string();
        let ts = chrono::Utc::now().timestamp();
        let r = app
            .client
            .post(app.url("/webhooks/carriers/generic"))
            .header("ordo-timestamp", ts.to_string())
            .header("ordo-signature", ordo_gateway::edge::carriers::sign(&secret, ts, body.as_bytes()))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let mut seen = Vec::new();
    loop {
        let update = client.next_result().await.unwrap();
        let u = &update["orderUpdated"];
        seen.push((u["seq"].as_i64().unwrap(), u["event"]["type"].as_str().unwrap().to_owned()));
        if u["state"] == "completed" {
            break;
        }
    }
    let kinds: Vec<&str> = seen.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "payment_authorized",
            "confirmed",
            "payment_captured",
            "shipment_created",
            "shipment_picking_started",
            "shipment_packed",
            "shipment_shipped",
            "shipment_in_transit",
            "shipment_delivered",
            "completed",
        ]
    );
    let seqs: Vec<i64> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (2..2 + seqs.len() as i64).collect::<Vec<_>>(), "in order, no gaps, no repeats");
    // The repeated delivery report added nothing.
    assert!(tokio::time::timeout(Duration::from_millis(500), client.next_result()).await.is_err());
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_that_connection_and_others_keep_their_events() {
    let app = TestApp::spawn().await;
    let staff = app.token(&Actor::Staff);
    let mut watcher = Client::connect(&app, "graphql-transport-ws", Some(&staff)).await.unwrap();
    watcher.subscribe("1", "subscription { orderEvents { orderId event { type } } }", json!({})).await;
    let mut flooder = Client::connect(&app, "graphql-transport-ws", Some(&staff)).await.unwrap();
    let huge = format!("subscription {{ orderEvents {{ orderId }} }} # {}", "x".repeat(1024 * 1024));
    // The server may drop the socket while the 1 MiB message is still being written.
    let _ = flooder
        .socket
        .send(Message::Text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": huge } }).to_string().into(),
        ))
        .await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match flooder.socket.next().await {
                None | Some(Err(_) | Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true), "a 1 MiB message is refused by closing that connection");

    tokio::time::sleep(Duration::from_millis(300)).await;
    let (id, _guest) = guest_order(&app, "oversized-ws-0001").await;
    let event = watcher.next_result().await.unwrap();
    assert_eq!(event["orderEvents"]["orderId"], id.as_str());
    assert_eq!(event["orderEvents"]["event"]["type"], "placed");
}

/// The last sequence number of each of `orders`, read through the API.
pub(crate) async fn last_seqs(app: &TestApp, orders: &[String]) -> Vec<i64> {
    let mut last = Vec::with_capacity(orders.len());
    for id in orders {
        let body =
            app.gql("query($id: ID!) { order(id: $id) { timeline { seq } } }", json!({ "id": id })).await;
        let seqs = body["data"]["order"]["timeline"].as_array().unwrap_or_else(|| panic!("{body}"));
        last.push(seqs.iter().filter_map(|e| e["seq"].as_i64()).max().unwrap());
    }
    last
}

/// One subscriber of `order` (index `n` of the orders) from `after`: what it received, once the
/// writers are done (`finals` holds every order's last seq) and it has caught up. With
/// `reconnect`, it drops its connection after that many events and subscribes again from the
/// last one it saw.
pub(crate) async fn follow(
    app: Arc<TestApp>,
    n: usize,
    order: String,
    after: i64,
    reconnect: Option<usize>,
    mut finals: tokio::sync::watch::Receiver<Option<Arc<Vec<i64>>>>,
) -> Vec<i64> {
    let token = app.token(&Actor::Staff);
    let subscribe = |after: i64| {
        let (app, token, order) = (app.clone(), token.clone(), order.clone());
        async move {
            let mut client = Client::connect(&app, "graphql-transport-ws", Some(&token)).await.unwrap();
            client.subscribe("w", WATCH, json!({ "id": order, "after": after })).await;
            client
        }
    };
    let mut client = subscribe(after).await;
    let mut seen = Vec::new();
    loop {
        let caught_up =
            finals.borrow_and_update().as_ref().map(|f| seen.last().copied().unwrap_or(after) >= f[n]);
        if caught_up == Some(true) {
            return seen;
        }
        match tokio::time::timeout(Duration::from_millis(300), client.next_result()).await {
            Ok(Ok(data)) => {
                seen.push(data["orderUpdated"]["seq"].as_i64().unwrap());
                if reconnect == Some(seen.len()) {
                    drop(client);
                    client = subscribe(*seen.last().unwrap()).await;
                }
            }
            Ok(Err(errors)) => panic!("subscriber of {order}: {errors}"),
            Err(_) => {} // nothing yet: look at the writers again
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_subscribers_get_every_event_of_their_order_once_in_order_while_twenty_writers_append() {
    const ORDERS: usize = 50;
    const SUBSCRIBERS: usize = 200;
    const WRITERS: usize = 20;
    const WRITES_EACH: usize = 10;
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        connections: ordo_gateway::edge::connections::ConnectionLimits {
            max_per_ip: 1024,
            ..Default::default()
        },
        ..ordo_gateway::Config::default()
    };
    // The gateway on its own runtime, the subscribers and writers on the test's.
    let app = Arc::new(TestApp::spawn_apart(config, |_| async {}).await);
    // Fifty paid orders with their money captured, so that each can take refunds.
    let mut orders = Vec::new();
    for n in 0..ORDERS {
        let (id, guest) = guest_order(&app, &format!("live-storm-{n}")).await;
        pay(&app, &guest, &id).await;
        let capture = "mutation($id: ID!) { capturePayment(orderId: $id) { replayed } }";
        assert!(app.gql(capture, json!({ "id": id })).await["errors"].is_null());
        orders.push(id);
    }
    let base = last_seqs(&app, &orders).await;
    let (done, finals) = tokio::sync::watch::channel(None);
    // Subscribers, four kinds: from the first event, from where the order stood before the
    // writers, mid-stream (from the last event when they join, minus one), and reconnecting
    // after two events. None waits for a timer to be "ready": afterSeq says where each starts.
    let mut subscribers = Vec::new();
    for s in 0..SUBSCRIBERS {
        let (app, finals) = (app.clone(), finals.clone());
        let (n, order) = (s % ORDERS, orders[s % ORDERS].clone());
        let base = base[n];
        subscribers.push(tokio::spawn(async move {
            let (after, reconnect) = match s % 4 {
                0 => (0, None),
                1 => (base, None),
                2 => {
                    tokio::time::sleep(Duration::from_millis(u64::try_from(s).unwrap() * 5)).await;
                    (last_seqs(&app, std::slice::from_ref(&order)).await[0] - 1, None)
                }
                _ => (0, Some(2)),
            };
            (n, after, follow(app, n, order, after, reconnect, finals).await)
        }));
    }
    // Twenty writers at once, each refunding a cent at a time across the orders.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (app, orders) = (app.clone(), orders.clone());
            tokio::spawn(async move {
                let refund = "mutation($id: String!, $k: String!) { refundPayment(orderId: $id, amount: 1,
                    reason: \"goodwill\", idempotencyKey: $k) { replayed } }";
                let mut written = 0;
                for i in 0..WRITES_EACH {
                    let id = &orders[(w * 7 + i * 13) % ORDERS];
                    let key = format!("live-storm-refund-{w}-{i}");
                    let body = app.gql(refund, json!({ "id": id, "k": key })).await;
                    written += usize::from(body["errors"].is_null());
                }
                written
            })
        })
        .collect();
    let mut written = 0;
    for writer in writers {
        written += writer.await.unwrap();
    }
    assert!(written >= WRITERS * WRITES_EACH * 9 / 10, "most refunds went through: {written}");
    let last = Arc::new(last_seqs(&app, &orders).await);
    let appended: i64 = last.iter().zip(&base).map(|(l, b)| l - b).sum();
    assert_eq!(appended, i64::try_from(written).unwrap(), "one event per refund");
    done.send(Some(last.clone())).unwrap();
    for subscriber in subscribers {
        let (n, after, seen) = subscriber.await.unwrap();
        let expected: Vec<i64> = (after + 1..=last[n]).collect();
        assert_eq!(seen, expected, "order {n} from {after}: every seq once, in order");
    }
}
