//! A channel's pull feed, end to end: `channelEvents(after:)` pages a channel's own orders'
//! events (never another channel's) in one order that no late commit can jump, with many writers
//! at once; the `channelEvents` subscription pushes the same events and resumes from a cursor
//! without a gap or a repeat; bad cursors and strangers are refused.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::HashSet;
use std::time::Duration;

use ordo_gateway::app::Actor;
use ordo_tests::{TestApp, WsClient, error_code};
use serde_json::{Value, json};

use crate::channels::gateway;
use crate::messages::{ok, paid_order};

/// Longer than the feed's horizon (2 s) and a busy machine's commits.
const WAIT: Duration = Duration::from_secs(30);

const PAGE: &str = "query($c: String, $after: String, $first: Int = 100) {
    channelEvents(channel: $c, after: $after, first: $first) { cursor events { id cursor type orderId seq payload } } }";

async fn keep_feed(app: &TestApp, channel: &str) {
    let update = "mutation($code: String!) { updateChannel(code: $code, input: { eventFeed: true }) { channel { eventFeed } } }";
    let body = app.gql_with(Some(&app.token(&Actor::Admin)), update, json!({ "code": channel })).await;
    assert_eq!(ok(&body)["updateChannel"]["channel"]["eventFeed"], true);
}

/// One page of `token`'s feed after `after`.
async fn page(app: &TestApp, token: &str, after: Option<&str>, first: i64) -> (Vec<Value>, Option<String>) {
    let body = app.gql_with(Some(token), PAGE, json!({ "after": after, "first": first })).await;
    let page = &ok(&body)["channelEvents"];
    (page["events"].as_array().unwrap().clone(), page["cursor"].as_str().map(str::to_owned))
}

/// Every event of `token`'s feed from the start, `first` at a time, until `done` holds of them.
async fn read_until(app: &TestApp, token: &str, first: i64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let (mut seen, mut cursor) = (Vec::new(), None);
    loop {
        let (events, next) = page(app, token, cursor.as_deref(), first).await;
        let empty = events.is_empty();
        seen.extend(events);
        cursor = next;
        if done(&seen) {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the feed stopped at {} events: {seen:#?}",
            seen.len()
        );
        if empty {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn ids(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channel_reads_its_own_orders_events_page_by_page_in_one_order_and_nothing_of_other_channels() {
    let app = gateway().await;
    keep_feed(&app, "web").await;
    keep_feed(&app, "ebay").await;
    let web = app.token(&Actor::Channel { channel: "web".into() });
    let ebay = app.token(&Actor::Channel { channel: "ebay".into() });
    let (first, _) =
        paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let (second, _) =
        paid_order(&app, "grace@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    // The web storefront's feed: each order placed, then confirmed when paid, in order.
    let all = read_until(&app, &web, 100, |seen| seen.len() >= 4).await;
    let kinds: Vec<(&str, &str)> =
        all.iter().map(|e| (e["orderId"].as_str().unwrap(), e["type"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [
            (first.as_str(), "order.placed"),
            (first.as_str(), "order.confirmed"),
            (second.as_str(), "order.placed"),
            (second.as_str(), "order.confirmed")
        ]
    );
    assert_eq!(all[0]["payload"]["type"], "order.placed", "the body its webhook would carry");
    assert_eq!(all[0]["payload"]["data"]["orderId"], first.as_str());
    assert!(all[0]["id"].as_str().unwrap().ends_with("#web"), "the webhook's id");
    // One at a time, each page's cursor leading to the next, the same four; then nothing new.
    let mut cursor: Option<String> = None;
    let mut one_by_one = Vec::new();
    for _ in 0..4 {
        let (events, next) = page(&app, &web, cursor.as_deref(), 1).await;
        assert_eq!(events.len(), 1);
        assert_eq!(next.as_deref(), events[0]["cursor"].as_str(), "a page ends at its last event");
        one_by_one.extend(events);
        cursor = next;
    }
    assert_eq!(ids(&one_by_one), ids(&all));
    let (rest, same) = page(&app, &web, cursor.as_deref(), 100).await;
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(same, cursor, "nothing new: read on from the same place");

    // eBay carries only what staff list on it, from then on, and never sees web's other orders.
    assert!(page(&app, &ebay, None, 100).await.0.is_empty());
    let list = "mutation($id: ID!) { listOrderOnChannel(orderId: $id, channel: \"ebay\") { channels } }";
    ok(&app.gql(list, json!({ "id": second })).await);
    crate::feedback_requests::ship_all(&app, &second).await;
    let theirs =
        read_until(&app, &ebay, 100, |seen| seen.iter().any(|e| e["type"] == "shipment.shipped")).await;
    assert!(theirs.iter().all(|e| e["orderId"] == second.as_str()), "{theirs:#?}");
    let mine = read_until(&app, &web, 100, |seen| seen.iter().any(|e| e["type"] == "shipment.shipped")).await;
    assert!(mine.len() > theirs.len(), "web carries both orders");

    // A channel reads only its own feed; nobody else reads any but staff.
    let forbidden = app.gql_with(Some(&ebay), PAGE, json!({ "c": "web" })).await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"));
    let guest = app.token(&Actor::Guest { order_id: first.clone() });
    assert_eq!(error_code(&app.gql_with(Some(&guest), PAGE, json!({})).await), Some("FORBIDDEN"));
    assert_eq!(error_code(&app.gql_with(None, PAGE, json!({})).await), Some("UNAUTHENTICATED"));
    let staff = app.gql(PAGE, json!({ "c": "web", "first": 2 })).await;
    assert_eq!(ids(ok(&staff)["channelEvents"]["events"].as_array().unwrap()), ids(&all[..2]));
    assert_eq!(error_code(&app.gql(PAGE, json!({})).await), Some("BAD_USER_INPUT"), "staff name the channel");
    assert_eq!(error_code(&app.gql(PAGE, json!({ "c": "nowhere" })).await), Some("NOT_FOUND"));
    for bad in ["", "yesterday", "12~", "x~ord_1#0000000001#web"] {
        let body = app.gql_with(Some(&web), PAGE, json!({ "after": bad })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad:?}: {body}");
    }
    let body = app.gql_with(Some(&web), PAGE, json!({ "first": 0 })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_paging_while_many_buyers_check_out_at_once_sees_every_event_once_in_feed_order() {
    const BUYERS: usize = 8;
    const ORDERS_EACH: usize = 5;
    let app = std::sync::Arc::new(gateway().await);
    keep_feed(&app, "web").await;
    let web = app.token(&Actor::Channel { channel: "web".into() });
    // The reader pages with small pages from the start while the buyers write.
    let reader = {
        let (app, web) = (app.clone(), web.clone());
        tokio::spawn(
            async move { read_until(&app, &web, 7, |seen| seen.len() >= 2 * BUYERS * ORDERS_EACH).await },
        )
    };
    let buyers: Vec<_> = (0..BUYERS)
        .map(|b| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for n in 0..ORDERS_EACH {
                    let email = format!("buyer{b}.{n}@example.com");
                    mine.push(
                        paid_order(&app, &email, json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await.0,
                    );
                }
                mine
            })
        })
        .collect();
    let mut orders = HashSet::new();
    for buyer in buyers {
        orders.extend(buyer.await.unwrap());
    }
    let seen = reader.await.unwrap();
    // Every event exactly once: each order's placed and confirmed, nothing else, no repeats.
    let seen_ids = ids(&seen);
    assert_eq!(seen_ids.iter().collect::<HashSet<_>>().len(), seen_ids.len(), "no event twice");
    assert_eq!(seen.len(), 2 * BUYERS * ORDERS_EACH);
    let placed: HashSet<&str> =
        seen.iter().filter(|e| e["type"] == "order.placed").map(|e| e["orderId"].as_str().unwrap()).collect();
    assert_eq!(placed, orders.iter().map(String::as_str).collect::<HashSet<_>>());
    // The reader, racing the writers, saw the feed exactly as a reader after them sees it.
    let after = read_until(&app, &web, 100, |s| s.len() >= seen.len()).await;
    assert_eq!(ids(&after), seen_ids, "a late commit never lands behind a cursor");
    for order in &orders {
        let at = |kind: &str| seen.iter().position(|e| e["orderId"] == order.as_str() && e["type"] == kind);
        assert!(at("order.placed") < at("order.confirmed"), "{order}: placed before confirmed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_subscription_pushes_the_feed_and_resumes_from_a_cursor_without_a_gap_or_a_repeat() {
    let app = gateway().await;
    keep_feed(&app, "web").await;
    let web = app.token(&Actor::Channel { channel: "web".into() });
    let query = "subscription($after: String) { channelEvents(after: $after) { id cursor type orderId } }";
    let mut client = WsClient::connect(&app, "graphql-transport-ws", Some(&web)).await.unwrap();
    client.subscribe("1", query, json!({})).await;
    let (first, _) =
        paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let placed = client.next_result().await.unwrap()["channelEvents"].clone();
    assert_eq!(
        (placed["type"].as_str(), placed["orderId"].as_str()),
        (Some("order.placed"), Some(first.as_str()))
    );
    // The connection drops after one event; two more happen meanwhile.
    drop(client);
    let (second, _) =
        paid_order(&app, "grace@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let mut again = WsClient::connect(&app, "graphql-transport-ws", Some(&web)).await.unwrap();
    again.subscribe("2", query, json!({ "after": placed["cursor"] })).await;
    let mut rest = Vec::new();
    for _ in 0..3 {
        rest.push(again.next_result().await.unwrap()["channelEvents"].clone());
    }
    let kinds: Vec<(&str, &str)> =
        rest.iter().map(|e| (e["orderId"].as_str().unwrap(), e["type"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [
            (first.as_str(), "order.confirmed"),
            (second.as_str(), "order.placed"),
            (second.as_str(), "order.confirmed")
        ],
        "on from the cursor: nothing missed, nothing twice"
    );
    // Another channel may not subscribe to web's feed.
    let ebay = app.token(&Actor::Channel { channel: "ebay".into() });
    let mut stranger = WsClient::connect(&app, "graphql-transport-ws", Some(&ebay)).await.unwrap();
    stranger.subscribe("3", "subscription { channelEvents(channel: \"web\") { id } }", json!({})).await;
    let refused = stranger.next_result().await.unwrap_err();
    assert_eq!(refused[0]["extensions"]["code"], "FORBIDDEN", "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_whose_transaction_commits_late_is_still_read_after_a_cursor_taken_meanwhile() {
    let app = gateway().await;
    keep_feed(&app, "web").await;
    let web = app.token(&Actor::Channel { channel: "web".into() });
    // The scene needs the order's events to be younger than 1.5 s when the late row commits; on
    // a machine too busy for that, it is played again with a new order.
    let mut attempt = 0;
    let (order, early, cursor) = loop {
        attempt += 1;
        assert!(attempt <= 5, "the machine never placed and read an order within 1.2 s");
        let started = std::time::Instant::now();
        let (order, _) =
            paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
        // A reader pages right after the order's events committed, and keeps its cursor.
        let (early, cursor) = page(&app, &web, None, 100).await;
        if started.elapsed() < Duration::from_millis(1200) {
            break (order, early, cursor);
        }
    };
    // Meanwhile a transaction that wrote its row 1.5 s ago (a stalled commit) commits only now:
    // its row's `at` is older than the order's events the reader may already have passed.
    app.store
        .db()
        .query(
            "CREATE type::record('channel_event', 'ord_late#0000000001#web') SET channel = 'web', \
             order_id = 'ord_late', seq = 1, event_type = 'order.placed', payload_json = '{}', \
             at = time::now() - 1500ms",
        )
        .await
        .unwrap()
        .check()
        .unwrap();
    // Reading on from that cursor still finds it: the feed only shows rows older than its
    // horizon, so the cursor cannot have passed it.
    let mut seen = early;
    let mut cursor = cursor;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !seen.iter().any(|e| e["orderId"] == order.as_str() && e["type"] == "order.confirmed") {
        assert!(tokio::time::Instant::now() < deadline, "{seen:#?}");
        let (events, next) = page(&app, &web, cursor.as_deref(), 100).await;
        seen.extend(events);
        cursor = next;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let at = |id: &str| seen.iter().position(|e| e["orderId"] == id);
    assert!(at("ord_late").is_some(), "the late event was skipped: {seen:#?}");
    assert!(at("ord_late") < at(&order), "in the order of when each was written");
}
