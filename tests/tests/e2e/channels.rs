//! Sales channels, end to end: admins give channels a webhook URL and secret; every event core
//! tells a channel (placed, confirmed, shipped, …) reaches each channel that carries the order,
//! signed as Standard Webhooks sign, checked by a real endpoint with the `standardwebhooks`
//! package from PyPI; a channel that is down is tried again and hears each event once; a channel
//! that stops taking webhooks gets a dead letter staff send again; bad settings change nothing.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use ordo_gateway::app::Actor;
use ordo_tests::webhooks::WebhookReceiver;
use ordo_tests::{TestApp, error_code, eventually};
use serde_json::{Value, json};

use crate::feedback_requests::ship_all;
use crate::messages::{guest_order, ok, paid_order};

const WAIT: Duration = Duration::from_secs(30);

/// A gateway on a fresh demo store that looks for due work every 100 ms.
pub(crate) async fn gateway() -> TestApp {
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        job_interval: Duration::from_millis(100),
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(store, config).await
}

/// A signing secret in Standard Webhooks' form, of `fill` bytes.
pub(crate) fn secret(fill: u8) -> String {
    format!("whsec_{}", ordo_core::channel::setup::base64_encode(&[fill; 32]))
}

const UPDATE: &str = "mutation($code: String!, $input: UpdateChannelInput!) {
    updateChannel(code: $code, input: $input) { channel { code webhookUrl active } signingSecret } }";

/// Points channel `code` at `url` with `secret` (admin).
pub(crate) async fn connect(app: &TestApp, code: &str, url: &str, secret: &str) {
    let admin = app.token(&Actor::Admin);
    let body = app
        .gql_with(
            Some(&admin),
            UPDATE,
            json!({ "code": code, "input": { "webhookUrl": url, "signingSecret": secret } }),
        )
        .await;
    assert_eq!(ok(&body)["updateChannel"]["channel"]["webhookUrl"], url);
    assert_eq!(ok(&body)["updateChannel"]["signingSecret"], secret, "a secret set is answered once");
}

async fn list_on(app: &TestApp, order: &str, channel: &str) -> Value {
    let list =
        "mutation($id: ID!, $c: String!) { listOrderOnChannel(orderId: $id, channel: $c) { channels } }";
    app.gql(list, json!({ "id": order, "c": channel })).await
}

const SYNC: &str = "query($id: ID!) { order(id: $id) {
    channelSync { channel state behind attempts lastError acknowledgedAt }
    timeline { type actor data } } }";

/// `order`'s channel sync rows and its `channel_*` timeline events, once `done` holds of both.
async fn sync_when(
    app: &TestApp,
    order: &str,
    done: impl Fn(&[Value], &[Value]) -> bool,
) -> (Vec<Value>, Vec<Value>) {
    let found = eventually(WAIT, || async {
        let body = app.gql(SYNC, json!({ "id": order })).await;
        let sync = ok(&body)["order"]["channelSync"].as_array().unwrap().clone();
        let events: Vec<Value> = ok(&body)["order"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"].as_str().is_some_and(|t| t.starts_with("channel_")))
            .cloned()
            .collect();
        done(&sync, &events).then_some((sync, events))
    })
    .await;
    found.unwrap_or_else(|| panic!("channel sync of {order} never settled"))
}

const WEBHOOKS: &str = "query($id: ID, $c: String) { webhooks(orderId: $id, channel: $c) {
    id channel eventType state attempts lastError tries { ok status error } } }";

async fn webhooks_of(app: &TestApp, order: &str, channel: &str) -> Vec<Value> {
    let body = app.gql(WEBHOOKS, json!({ "id": order, "c": channel })).await;
    ok(&body)["webhooks"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shipped_parcel_is_told_to_every_channel_that_carries_the_order_each_signature_checked_independently()
 {
    let app = gateway().await;
    let admin = app.token(&Actor::Admin);
    // A new channel without a secret gets a fresh one, answered this once.
    let create = "mutation($input: CreateChannelInput!) { createChannel(input: $input) {
        channel { code name kind webhookUrl active } signingSecret } }";
    let body = app
        .gql_with(
            Some(&admin),
            create,
            json!({ "input": { "code": "amazon-eu", "name": "Amazon EU", "kind": "MARKETPLACE" } }),
        )
        .await;
    let created = &ok(&body)["createChannel"];
    assert_eq!(
        created["channel"],
        json!({ "code": "amazon-eu", "name": "Amazon EU", "kind": "MARKETPLACE", "webhookUrl": null, "active": true })
    );
    let amazon_secret = created["signingSecret"].as_str().unwrap().to_owned();
    assert!(amazon_secret.starts_with("whsec_") && amazon_secret.len() >= 6 + 44, "{amazon_secret}");
    let amazon = WebhookReceiver::start(&amazon_secret).await;
    let body = app
        .gql_with(
            Some(&admin),
            UPDATE,
            json!({ "code": "amazon-eu", "input": { "webhookUrl": amazon.url() } }),
        )
        .await;
    assert_eq!(
        ok(&body)["updateChannel"]["signingSecret"],
        Value::Null,
        "the secret is never answered again"
    );
    let (ebay, web) = (WebhookReceiver::start(&secret(2)).await, WebhookReceiver::start(&secret(3)).await);
    connect(&app, "ebay", &ebay.url(), &secret(2)).await;
    connect(&app, "web", &web.url(), &secret(3)).await;

    let (order, guest) =
        paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 2 }])).await;
    let told = web.wait_for(2, WAIT).await;
    let types: Vec<_> = told.iter().map(|p| p["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["order.placed", "order.confirmed"],
        "the origin hears of its order; the payment is not news"
    );
    assert_eq!(told[0]["data"]["orderId"], order.as_str());
    assert_eq!(told[0]["data"]["lines"], json!([{ "line": 0, "sku": "MUG-STONE", "quantity": 2 }]));
    assert_eq!(told[0]["data"]["origin"], "web");
    for channel in ["amazon-eu", "ebay"] {
        assert_eq!(
            ok(&list_on(&app, &order, channel).await)["listOrderOnChannel"]["channels"]
                .as_array()
                .unwrap()
                .last()
                .unwrap(),
            channel
        );
    }
    let shipments = ship_all(&app, &order).await;
    assert_eq!(shipments.len(), 1);

    let mut ids = Vec::new();
    for (receiver, count) in [(&amazon, 1), (&ebay, 1), (&web, 3)] {
        let told = receiver.wait_for(count, WAIT).await;
        let shipped = told.last().unwrap();
        assert_eq!(shipped["type"], "shipment.shipped", "{told:#?}");
        let data = &shipped["data"];
        assert_eq!(
            (data["orderId"].as_str(), data["shipment"].as_str()),
            (Some(order.as_str()), Some(shipments[0].as_str()))
        );
        assert!(data["trackingNumber"].as_str().unwrap().starts_with("1Z"), "{data}");
        assert!(data["trackingUrl"].as_str().unwrap().starts_with("https://"), "{data}");
        assert_eq!(data["lines"], json!([{ "line": 0, "sku": "MUG-STONE", "quantity": 2 }]));
        let received = receiver.received();
        assert!(received.iter().all(|r| r["verified"] == true), "every signature verifies: {received:#?}");
        assert_eq!(received.len(), count, "each event once: {received:#?}");
        ids.extend(received.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "one webhook-id per channel and event: {ids:?}");

    let (sync, events) = sync_when(&app, &order, |sync, events| {
        sync.len() == 3
            && sync.iter().all(|s| s["state"] == "SYNCED")
            && events.iter().filter(|e| e["type"] == "channel_acknowledged").count() >= 5
    })
    .await;
    let channels: Vec<_> = sync.iter().map(|s| s["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["web", "amazon-eu", "ebay"]);
    assert!(sync.iter().all(|s| s["behind"] == false && s["acknowledgedAt"].is_string()), "{sync:#?}");
    let acknowledged: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "channel_acknowledged")
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["data"]["channelAcknowledged"]["event"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(acknowledged.len(), 5, "each acknowledgement on the timeline: {events:#?}");
    assert!(acknowledged.contains(&("channel:ebay".into(), "shipment.shipped".into())), "{acknowledged:?}");
    let rows = webhooks_of(&app, &order, "ebay").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"].as_str(), ebay.received()[0]["id"].as_str(), "the row is the webhook-id");
    assert_eq!(
        (rows[0]["state"].as_str(), rows[0]["tries"][0]["status"].as_i64()),
        (Some("ACKNOWLEDGED"), Some(204))
    );
    // The customer's copy of the timeline keeps every place but names no channel or webhook.
    let wire = "query($id: ID!) { order(id: $id) { timelineWire timeline { type } } }";
    let theirs = app.gql_with(Some(&guest), wire, json!({ "id": order })).await;
    let staff = app.gql(wire, json!({ "id": order })).await;
    let (theirs, staff) = (&ok(&theirs)["order"], &ok(&staff)["order"]);
    assert_eq!(
        theirs["timelineWire"].as_array().unwrap().len(),
        staff["timelineWire"].as_array().unwrap().len()
    );
    let text = theirs["timelineWire"].to_string();
    assert!(!text.contains("ebay") && !text.contains("amazon-eu") && !text.contains(&ids[0]), "{text}");
    assert!(staff["timelineWire"].to_string().contains("ebay"), "staff see it all");
    assert!(
        theirs["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["type"].as_str().unwrap().starts_with("channel_")),
        "{theirs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channel_that_is_down_or_failing_is_tried_again_and_hears_each_event_once() {
    let app = gateway().await;
    // Nothing listens on `down` yet: the channel is down.
    let down = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{down}/hooks/ordo");
    connect(&app, "pos", &url, &secret(4)).await;
    let failing = WebhookReceiver::start_failing(&secret(5), 1).await;
    connect(&app, "web", &failing.url(), &secret(5)).await;

    let place = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }";
    let input = json!({ "channel": "pos", "currency": "USD", "email": "bo@example.com",
        "lines": [{ "sku": "CAP-NAVY", "quantity": 1 }],
        "shippingAddress": { "name": "Bo", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                             "postalCode": "62701", "country": "US" } });
    let body = app.gql(place, json!({ "input": input })).await;
    let pos_order = ok(&body)["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let (web_order, _) =
        guest_order(&app, "cy@example.com", json!([{ "sku": "CAP-NAVY", "quantity": 1 }])).await;

    let (sync, _) =
        sync_when(&app, &pos_order, |sync, _| sync.first().is_some_and(|s| s["state"] == "RETRYING")).await;
    assert_eq!(
        (sync[0]["channel"].as_str(), sync[0]["attempts"].as_i64(), sync[0]["behind"].as_bool()),
        (Some("pos"), Some(1), Some(true))
    );
    assert_eq!(sync[0]["lastError"], "could not connect", "{sync:#?}");
    // The channel comes back where the gateway sends; the next attempt (5 s on) gets through.
    let back = WebhookReceiver::start_on(&secret(4), down).await;
    let told = back.wait_for(1, WAIT).await;
    assert_eq!(told[0]["type"], "order.placed");
    let told = failing.wait_for(1, WAIT).await;
    assert_eq!(told[0]["data"]["orderId"], web_order.as_str());
    assert_eq!(
        failing.received().iter().map(|r| r["status"].as_i64().unwrap()).collect::<Vec<_>>(),
        [503, 204]
    );
    assert_eq!(failing.received()[0]["id"], failing.received()[1]["id"], "a retry is the same webhook");

    for (order, channel, first_error) in [
        (&pos_order, "pos", "could not connect"),
        (&web_order, "web", "the channel answered HTTP 503 Service Unavailable"),
    ] {
        let (sync, events) = sync_when(&app, order, |sync, events| {
            sync.first().is_some_and(|s| s["state"] == "SYNCED")
                && events.iter().any(|e| e["type"] == "channel_acknowledged")
        })
        .await;
        assert_eq!(sync[0]["channel"], channel);
        let acks: Vec<_> = events.iter().filter(|e| e["type"] == "channel_acknowledged").collect();
        assert_eq!(acks.len(), 1, "acknowledged once: {events:#?}");
        assert_eq!(acks[0]["data"]["channelAcknowledged"]["attempt"], 2);
        let rows = webhooks_of(&app, order, channel).await;
        let tries: Vec<_> = rows[0]["tries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["ok"].as_bool().unwrap(), t["error"].as_str().map(str::to_owned)))
            .collect();
        assert_eq!(tries, [(false, Some(first_error.to_owned())), (true, None)]);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(back.received().len(), 1, "delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channel_that_stops_taking_webhooks_gets_a_dead_letter_staff_send_again() {
    let app = gateway().await;
    let admin = app.token(&Actor::Admin);
    let down = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    connect(&app, "web", &format!("http://127.0.0.1:{down}/hooks/ordo"), &secret(6)).await;
    let (order, _) = guest_order(&app, "di@example.com", json!([{ "sku": "CAP-NAVY", "quantity": 1 }])).await;
    sync_when(&app, &order, |sync, _| sync.first().is_some_and(|s| s["state"] == "RETRYING")).await;
    // Switched off before the retry: the webhook is given up, not sent.
    let off =
        app.gql_with(Some(&admin), UPDATE, json!({ "code": "web", "input": { "webhookUrl": null } })).await;
    assert_eq!(ok(&off)["updateChannel"]["channel"]["webhookUrl"], Value::Null);
    let (sync, events) = sync_when(&app, &order, |sync, events| {
        sync.first().is_some_and(|s| s["state"] == "FAILED")
            && events.iter().any(|e| e["type"] == "channel_gave_up")
    })
    .await;
    assert_eq!(sync[0]["lastError"], "the channel takes no webhooks now");
    let gave_up: Vec<_> = events.iter().filter(|e| e["type"] == "channel_gave_up").collect();
    assert_eq!(gave_up.len(), 1, "{events:#?}");
    assert_eq!(gave_up[0]["data"]["channelGaveUp"]["attempts"], 2);
    let dead = app.gql("{ webhooks(state: DEAD) { id channel } }", json!({})).await;
    let dead = ok(&dead)["webhooks"].as_array().unwrap().clone();
    assert_eq!(dead.len(), 1);
    // Staff point it somewhere that answers and send it again.
    let receiver = WebhookReceiver::start(&secret(6)).await;
    connect(&app, "web", &receiver.url(), &secret(6)).await;
    let retry = "mutation($id: ID!) { retryWebhook(id: $id) { state attempts } }";
    let body = app.gql(retry, json!({ "id": dead[0]["id"] })).await;
    assert_eq!(ok(&body)["retryWebhook"], json!({ "state": "PENDING", "attempts": 0 }));
    let told = receiver.wait_for(1, WAIT).await;
    assert_eq!(told[0]["type"], "order.placed");
    sync_when(&app, &order, |sync, _| sync.first().is_some_and(|s| s["state"] == "SYNCED")).await;
    let again = app.gql(retry, json!({ "id": dead[0]["id"] })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "an acknowledged webhook is not sent again");
}

#[tokio::test]
async fn bad_channel_settings_and_unknown_channels_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.token(&Actor::Admin);
    let create =
        "mutation($input: CreateChannelInput!) { createChannel(input: $input) { channel { code } } }";
    let new = |code: &str, url: Option<&str>, secret: Option<String>| json!({ "input": { "code": code, "name": "Shop", "kind": "SOCIAL", "webhookUrl": url, "signingSecret": secret } });
    let short = format!("whsec_{}", ordo_core::channel::setup::base64_encode(&[7; 23]));
    let (order, _) = guest_order(&app, "ed@example.com", json!([{ "sku": "CAP-NAVY", "quantity": 1 }])).await;
    let cases: Vec<(&str, Option<String>, &str, Value, &str)> = vec![
        (
            "ftp URL",
            Some(admin.clone()),
            create,
            new("insta", Some("ftp://hooks.example/x"), None),
            "BAD_USER_INPUT",
        ),
        (
            "script URL",
            Some(admin.clone()),
            create,
            new("insta", Some("javascript:alert(1)"), None),
            "BAD_USER_INPUT",
        ),
        (
            "URL with a password",
            Some(admin.clone()),
            create,
            new("insta", Some("https://u:p@hooks.example/"), None),
            "BAD_USER_INPUT",
        ),
        (
            "short secret",
            Some(admin.clone()),
            create,
            new("insta", Some("https://hooks.example/"), Some(short.clone())),
            "BAD_USER_INPUT",
        ),
        (
            "not base64",
            Some(admin.clone()),
            create,
            new("insta", None, Some("whsec_!!!".into())),
            "BAD_USER_INPUT",
        ),
        ("bad code", Some(admin.clone()), create, new("Insta Gram", None, None), "BAD_USER_INPUT"),
        ("taken code", Some(admin.clone()), create, new("ebay", None, None), "CONFLICT"),
        ("staff", Some(app.token(&Actor::Staff)), create, new("insta", None, None), "FORBIDDEN"),
        ("anonymous", None, create, new("insta", None, None), "UNAUTHENTICATED"),
        (
            "unknown channel",
            Some(admin.clone()),
            UPDATE,
            json!({ "code": "nope", "input": { "active": false } }),
            "NOT_FOUND",
        ),
        (
            "short secret on update",
            Some(admin.clone()),
            UPDATE,
            json!({ "code": "web", "input": { "signingSecret": short } }),
            "BAD_USER_INPUT",
        ),
        (
            "list on unknown",
            Some(app.token(&Actor::Staff)),
            "mutation($id: ID!) { listOrderOnChannel(orderId: $id, channel: \"nope\") { id } }",
            json!({ "id": order }),
            "NOT_FOUND",
        ),
        (
            "list on its own",
            Some(app.token(&Actor::Staff)),
            "mutation($id: ID!) { listOrderOnChannel(orderId: $id, channel: \"web\") { id } }",
            json!({ "id": order }),
            "BAD_USER_INPUT",
        ),
        (
            "list as a channel",
            Some(app.token(&Actor::Channel { channel: "web".into() })),
            "mutation($id: ID!) { listOrderOnChannel(orderId: $id, channel: \"ebay\") { id } }",
            json!({ "id": order }),
            "FORBIDDEN",
        ),
    ];
    for (what, token, query, variables, code) in cases {
        let before = app.store.dump().await.unwrap();
        let body = app.gql_with(token.as_deref(), query, variables).await;
        assert_eq!(error_code(&body), Some(code), "{what}: {body}");
        assert_eq!(app.store.dump().await.unwrap(), before, "{what} changed the store");
    }
    // An order on a channel the shop does not have, or has switched off, is refused.
    let place = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }";
    let input = |channel: &str| {
        json!({ "input": { "channel": channel, "currency": "USD", "email": "fi@example.com",
        "lines": [{ "sku": "CAP-NAVY", "quantity": 1 }],
        "shippingAddress": { "name": "Fi", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                             "postalCode": "62701", "country": "US" } } })
    };
    let before = app.store.dump().await.unwrap();
    assert_eq!(error_code(&app.gql(place, input("nope")).await), Some("NOT_FOUND"));
    assert_eq!(app.store.dump().await.unwrap(), before);
    let off =
        app.gql_with(Some(&admin), UPDATE, json!({ "code": "ebay", "input": { "active": false } })).await;
    assert_eq!(ok(&off)["updateChannel"]["channel"]["active"], false);
    assert_eq!(error_code(&app.gql(place, input("ebay")).await), Some("NOT_FOUND"));
    let ebay = app.token(&Actor::Channel { channel: "ebay".into() });
    assert_eq!(error_code(&app.gql_with(Some(&ebay), place, input("ebay")).await), Some("NOT_FOUND"));
    ok(&app.gql(place, input("amazon")).await);
}

async fn available(app: &TestApp) -> i64 {
    let body = app.gql("{ product(sku: \"MUG-STONE\") { available } }", json!({})).await;
    ok(&body)["product"]["available"].as_i64().unwrap()
}

/// The `inventory.updated` payloads `receiver` acknowledged for `sku`, in order.
fn inventory_pushes(receiver: &WebhookReceiver, sku: &str) -> Vec<Value> {
    receiver
        .acknowledged()
        .into_iter()
        .filter(|p| p["type"] == "inventory.updated" && p["data"]["sku"] == sku)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn available_to_sell_reaches_the_channels_that_ask_at_most_once_a_second_per_sku_latest_count_last() {
    let app = gateway().await;
    let admin = app.token(&Actor::Admin);
    let amazon = WebhookReceiver::start(&secret(7)).await;
    connect(&app, "amazon", &amazon.url(), &secret(7)).await;
    let ebay = WebhookReceiver::start(&secret(8)).await;
    connect(&app, "ebay", &ebay.url(), &secret(8)).await; // ebay does not ask for counts
    let ask = "mutation { updateChannel(code: \"amazon\", input: { inventorySync: true }) { channel { inventorySync } } }";
    let body = app.gql_with(Some(&admin), ask, json!({})).await;
    assert_eq!(ok(&body)["updateChannel"]["channel"]["inventorySync"], true);

    let start = available(&app).await;
    // Five shoppers at once, then a delivery of ten: every change reaches amazon, the latest last.
    let emails: Vec<String> = (0..5).map(|n| format!("mug{n}@example.com")).collect();
    futures::future::join_all(
        emails.iter().map(|email| guest_order(&app, email, json!([{ "sku": "MUG-STONE", "quantity": 1 }]))),
    )
    .await;
    let adjust = "mutation { adjustStock(sku: \"MUG-STONE\", location: \"east\", delta: 10, reason: \"delivery\") { onHand } }";
    ok(&app.gql(adjust, json!({})).await);
    let end = available(&app).await;
    assert_eq!(end, start - 5 + 10);
    let pushes = eventually(WAIT, || async {
        let pushes = inventory_pushes(&amazon, "MUG-STONE");
        (pushes.last().is_some_and(|p| p["data"]["available"] == end)).then_some(pushes)
    })
    .await
    .unwrap_or_else(|| panic!("amazon never heard {end}: {:#?}", amazon.received()));
    // Versions count the pushes; each push at least a second after the one before (changes in
    // between told together); six changes never make more than six pushes.
    let versions: Vec<i64> = pushes.iter().map(|p| p["data"]["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, (1..=i64::try_from(pushes.len()).unwrap()).collect::<Vec<_>>(), "{pushes:#?}");
    assert!(pushes.len() <= 6, "{pushes:#?}");
    let times: Vec<chrono::DateTime<chrono::Utc>> =
        pushes.iter().map(|p| p["timestamp"].as_str().unwrap().parse().unwrap()).collect();
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= chrono::Duration::seconds(1), "pushed within a second: {pushes:#?}");
    }
    assert!(amazon.received().iter().all(|r| r["verified"] == true), "every signature verifies");
    // A channel that did not ask hears no counts; staff see the pushes, about no order.
    assert!(inventory_pushes(&ebay, "MUG-STONE").is_empty(), "{:#?}", ebay.received());
    let rows = app.gql("{ webhooks(channel: \"amazon\") { orderId seq eventType state } }", json!({})).await;
    let rows = ok(&rows)["webhooks"].as_array().unwrap().clone();
    assert_eq!(rows.len(), pushes.len(), "{rows:#?}");
    assert!(
        rows.iter().all(|r| r["orderId"].is_null() && r["eventType"] == "inventory.updated"),
        "{rows:#?}"
    );
    // Nothing changes: nothing more is pushed.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(inventory_pushes(&amazon, "MUG-STONE").len(), pushes.len());
}
