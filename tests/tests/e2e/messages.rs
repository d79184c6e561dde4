//! Messages to customers, end to end: a real SMTP server (aiosmtpd, started by the test) receives
//! each message once, as multipart text + HTML with a stable Message-ID and a link that opens the
//! order; failures are retried with the same Message-ID, refused addresses go to the dead letters
//! and staff queue them again; two gateways on one store send each message once; a gateway
//! killed between sending and recording sends again after restart with the same Message-ID;
//! without SMTP, messages are written as `.eml` files.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::HashMap;
use std::time::Duration;

use futures::future::join_all;
use ordo_gateway::app::mail::{MailSettings, MailTransport};
use ordo_tests::smtp::SmtpServer;
use ordo_tests::{TestApp, error_code, eventually};
use serde_json::{Value, json};

use crate::binary::Binary;

pub(crate) const WAIT: Duration = Duration::from_secs(30);

pub(crate) fn mail(transport: MailTransport) -> MailSettings {
    MailSettings {
        transport,
        from: "Lumen & Co <orders@lumen.example>".into(),
        shop_name: "Lumen & Co".into(),
        public_url: "https://lumen.example/".into(),
        returns_url: Some("https://lumen.example/returns".into()),
        locale: "en-US".into(),
    }
}

/// A gateway on a fresh demo store that sends messages with `transport`.
pub(crate) async fn gateway(transport: MailTransport) -> TestApp {
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    gateway_on(store, transport).await
}

pub(crate) async fn gateway_on(store: ordo_gateway::store::Store, transport: MailTransport) -> TestApp {
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        job_interval: Duration::from_millis(100),
        mail: Some(mail(transport)),
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(store, config).await
}

/// A guest order for `email`; returns (order id, guest token).
pub(crate) async fn guest_order(app: &TestApp, email: &str, lines: Value) -> (String, String) {
    let body = app
        .gql_with(
            None,
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken } }",
            json!({ "input": { "channel": "web", "currency": "USD", "email": email, "lines": lines,
                "shippingAddress": { "name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "Springfield",
                                     "region": "IL", "postalCode": "62701", "country": "US" } } }),
        )
        .await;
    let id =
        body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    (id, body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned())
}

/// A guest order paid with tok_visa (which confirms it, and calls for the confirmation).
pub(crate) async fn paid_order(app: &TestApp, email: &str, lines: Value) -> (String, String) {
    let (id, guest) = guest_order(app, email, lines).await;
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    ok(&app.gql_with(Some(&guest), pay, json!({ "id": id })).await);
    (id, guest)
}

pub(crate) fn ok(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "{body}");
    &body["data"]
}

const MESSAGES: &str =
    "query($order: ID, $state: MessageState) { customerMessages(orderId: $order, state: $state) {
    id orderId kind recipient state due reason attempts tries { ok error } content { subject text html } } }";

/// The `message_*` events of `order`'s timeline once there are `count`, as (type, actor, data).
async fn message_events(app: &TestApp, order: &str, count: usize) -> Vec<(String, String, Value)> {
    let query = "query($id: ID!) { order(id: $id) { timeline { type actor data } } }";
    let found = eventually(WAIT, || async {
        let body = app.gql(query, json!({ "id": order })).await;
        let events: Vec<_> = ok(&body)["order"]["timeline"]
            .as_array()?
            .iter()
            .filter(|e| e["type"].as_str().is_some_and(|t| t.starts_with("message_")))
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_owned(),
                    e["actor"].as_str().unwrap().to_owned(),
                    e["data"].clone(),
                )
            })
            .collect();
        (events.len() >= count).then_some(events)
    })
    .await;
    found.unwrap_or_else(|| panic!("{count} message events on {order}'s timeline"))
}

/// `order`'s messages once the first is recorded sent (the row is written after the server's 250).
async fn sent_messages_of(app: &TestApp, order: &str) -> Vec<Value> {
    let rows = eventually(WAIT, || async {
        let rows = messages_of(app, order).await;
        (rows.first().is_some_and(|r| r["state"] == "SENT")).then_some(rows)
    })
    .await;
    rows.unwrap_or_else(|| panic!("no sent message for {order}"))
}

pub(crate) async fn messages_of(app: &TestApp, order: &str) -> Vec<Value> {
    let body = app.gql(MESSAGES, json!({ "order": order })).await;
    ok(&body)["customerMessages"].as_array().unwrap().clone()
}

/// Messages `server` received for `order`, by subject.
/// How messages name order `id`: its reference (`#1042`).
pub(crate) async fn reference(app: &TestApp, id: &str) -> String {
    let body = app.gql("query($id: String!) { order(id: $id) { reference } }", json!({ "id": id })).await;
    ok(&body)["order"]["reference"].as_str().unwrap().to_owned()
}

/// The subjects of the messages about the order referred to as `order` (`#1042`).
fn subjects(received: &[Value], order: &str) -> Vec<String> {
    received
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().contains(order))
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_guest_gets_one_confirmation_by_smtp_whose_link_opens_the_order() {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let (id, guest) =
        guest_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 2 }])).await;
    // Several dispatcher rounds (every 100 ms) pass: an order waiting for its payment is not
    // confirmed yet, so nothing is sent.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(smtp.received().is_empty(), "{:?}", smtp.received());
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    ok(&app.gql_with(Some(&guest), pay, json!({ "id": id })).await);
    let received = smtp.wait_for(1, WAIT).await;
    let mail = &received[0];
    assert_eq!(mail["rcpt_tos"], json!(["ada@example.com"]));
    assert_eq!(mail["mail_from"], "orders@lumen.example");
    let r = reference(&app, &id).await;
    assert!(r.starts_with('#'), "{r}");
    assert_eq!(mail["subject"], format!("Lumen & Co: We received your order {r}"));
    assert_eq!(mail["content_type"], "multipart/alternative", "text and HTML parts");
    assert_eq!(
        mail["message_id"],
        format!("<{id}.0000000003.0@lumen.example>"),
        "stable, from the message's id"
    );
    let text = mail["text"].as_str().unwrap();
    let html = mail["html"].as_str().unwrap();
    for words in [
        "2 × Stoneware mug",
        "Total: $",
        "Shipping to Ada Lovelace, 12 Analytical Row, Springfield.",
        "You can return items within 30 days of delivery. Our return policy: https://lumen.example/returns",
    ] {
        assert!(text.contains(words), "{words:?} missing from\n{text}");
    }
    assert!(html.contains("<h1>Lumen &amp; Co</h1>") && html.contains("2 × Stoneware mug"), "{html}");

    // The link opens the order in a browser that never saw the checkout: its token is the order's.
    let link = text.lines().find_map(|l| l.strip_prefix("View your order: ")).unwrap();
    let prefix = format!("https://lumen.example/#/orders/{id}?token=");
    let token = link.strip_prefix(&prefix).unwrap_or_else(|| panic!("{link}"));
    let body =
        app.gql_with(Some(token), "query($id: ID!) { order(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(ok(&body)["order"]["id"], id.as_str());
    let other = paid_order(&app, "bob@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await.0;
    let body =
        app.gql_with(Some(token), "query($id: ID!) { order(id: $id) { id } }", json!({ "id": other })).await;
    assert!(body["data"]["order"].is_null(), "the link opens that one order only: {body}");

    // Staff see it sent, with its one attempt and the words the customer got.
    let rows = sent_messages_of(&app, &id).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["kind"], "order.confirmation");
    assert_eq!(rows[0]["state"], "SENT");
    assert_eq!(rows[0]["tries"], json!([{ "ok": true, "error": null }]));
    assert_eq!(rows[0]["content"]["subject"], mail["subject"]);
    // …and so does the order's timeline, as the gateway's own doing.
    let message = format!("{id}#0000000003#0");
    assert_eq!(
        message_events(&app, &id, 1).await,
        vec![(
            "message_sent".to_owned(),
            "messages".to_owned(),
            json!({ "messageSent": { "message": message, "kind": "order.confirmation", "attempt": 1 } })
        )]
    );
    smtp.wait_for(2, WAIT).await;
    assert_eq!(smtp.received().len(), 2, "one confirmation per order, nothing else");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_step_the_customer_cares_about_sends_its_message_once_and_quiet_steps_send_none() {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let (id, guest) =
        guest_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    ok(&app.gql_with(Some(&guest), pay, json!({ "id": id })).await);
    let create = "mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id } } } }";
    let body = app.gql(create, json!({ "id": id })).await;
    let shipment = ok(&body)["createShipments"]["order"]["shipments"][0]["id"].as_str().unwrap().to_owned();
    for step in [
        "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }",
        "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s,
            package: { lengthCm: 30, widthCm: 20, heightCm: 10, weightGrams: 850, material: \"box\" }) { order { id } } }",
        "mutation($id: String!, $s: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: \"UPS\",
            service: \"Ground\", trackingNumber: \"1Z999AA10123456784\", trackingUrl: \"https://ups.example/t?n=1Z999AA10123456784\") { order { id } } }",
        "mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }",
    ] {
        ok(&app.gql(step, json!({ "id": id, "s": shipment })).await);
    }
    let received = smtp.wait_for(3, WAIT).await;
    let r = reference(&app, &id).await;
    let shipped =
        received.iter().find(|m| m["subject"] == format!("Lumen & Co: Order {r} is on its way")).unwrap();
    let text = shipped["text"].as_str().unwrap();
    assert!(text.contains("Carrier: UPS, tracking number 1Z999AA10123456784"), "{text}");
    assert!(text.contains("Track the parcel: https://ups.example/t?n=1Z999AA10123456784"), "{text}");
    // Give a stray duplicate every chance to arrive before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        subjects(&smtp.received(), &r),
        vec![
            format!("Lumen & Co: We received your order {r}"),
            format!("Lumen & Co: Order {r} is on its way"),
            format!("Lumen & Co: Order {r} was delivered"),
        ],
        "payment, parcels, picking and packing send nothing; each message once, in order"
    );
    let ids: Vec<_> = smtp.received().iter().map(|m| m["message_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), ids.iter().collect::<std::collections::HashSet<_>>().len(), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_delivery_is_tried_again_with_the_same_message_id_and_a_refused_address_is_a_dead_letter() {
    let smtp = SmtpServer::start_failing(1).await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let (id, _) = paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let failed = eventually(WAIT, || async {
        let rows = messages_of(&app, &id).await;
        (rows[0]["attempts"] == 1 && rows[0]["tries"].as_array().unwrap().len() == 1).then_some(rows)
    })
    .await
    .expect("a failed attempt recorded");
    assert_eq!(failed[0]["state"], "PENDING", "a 451 is tried again later: {failed:#?}");
    assert_eq!(failed[0]["tries"][0]["ok"], false);
    assert!(failed[0]["tries"][0]["error"].as_str().unwrap().contains("try again later"), "{failed:#?}");
    // Staff need not wait for the schedule (30 s, doubling): they send it now.
    let message = failed[0]["id"].as_str().unwrap();
    let body = app
        .gql("mutation($id: ID!) { retryMessage(id: $id) { state attempts } }", json!({ "id": message }))
        .await;
    assert_eq!(ok(&body)["retryMessage"], json!({ "state": "PENDING", "attempts": 0 }));
    let received = smtp.wait_for(1, WAIT).await;
    assert_eq!(
        smtp.refused()[0]["message_id"],
        received[0]["message_id"],
        "the retry is recognisably the same message"
    );

    let (refused, _) =
        paid_order(&app, "nobody@refused.example", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let dead = eventually(WAIT, || async {
        let body = app.gql(MESSAGES, json!({ "state": "DEAD" })).await;
        let rows = ok(&body)["customerMessages"].as_array().unwrap().clone();
        (!rows.is_empty()).then_some(rows)
    })
    .await
    .expect("a dead letter");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["orderId"], refused.as_str());
    assert_eq!(dead[0]["tries"].as_array().unwrap().len(), 1, "a 550 is not retried: {dead:#?}");
    assert!(dead[0]["tries"][0]["error"].as_str().unwrap().contains("mailbox unavailable"), "{dead:#?}");
    // The timelines say what happened, without the mail server's words.
    let given_up = message_events(&app, &refused, 1).await;
    assert_eq!(given_up[0].0, "message_failed");
    assert_eq!(given_up[0].2["messageFailed"]["attempts"], 1);
    assert_eq!(given_up[0].2["messageFailed"]["givenUp"], true, "{given_up:?}");
    let retried: Vec<_> = message_events(&app, &id, 2).await.into_iter().map(|(t, _, d)| (t, d)).collect();
    assert_eq!(retried[0].0, "message_failed");
    assert_eq!(retried[0].1["messageFailed"]["givenUp"], false, "a 451 is tried again: {retried:?}");
    assert_eq!(retried[1].0, "message_sent");
    assert!(
        !format!("{given_up:?}{retried:?}").contains("mailbox unavailable"),
        "no server detail on the timeline"
    );
    // Sent messages are not sent again; unknown ids are not found; customers may not look.
    let sent = received_id(&app, &id).await;
    let body = app.gql("mutation($id: ID!) { retryMessage(id: $id) { state } }", json!({ "id": sent })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = app.gql("mutation { retryMessage(id: \"ord_nope#0000000001#0\") { state } }", json!({})).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let customer = app.token(&ordo_gateway::app::Actor::Customer { id: "cus_1".into() });
    let body = app.gql_with(Some(&customer), MESSAGES, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(smtp.received().len(), 1, "nothing went to the refused address");
}

async fn received_id(app: &TestApp, order: &str) -> String {
    sent_messages_of(app, order).await[0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_on_one_store_send_each_of_many_confirmations_exactly_once() {
    let smtp = SmtpServer::start().await;
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    let a = gateway_on(store.clone(), MailTransport::Smtp(smtp.url())).await;
    let b = gateway_on(store, MailTransport::Smtp(smtp.url())).await;
    let orders = join_all((0..40).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        async move {
            paid_order(app, &format!("buyer{n}@example.com"), json!([{ "sku": "MUG-STONE", "quantity": 1 }]))
                .await
                .0
        }
    }))
    .await;
    smtp.wait_for(40, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut per_order: HashMap<String, usize> = HashMap::new();
    for mail in smtp.received() {
        let subject = mail["subject"].as_str().unwrap();
        let order = subject.rsplit(' ').next().unwrap().to_owned();
        *per_order.entry(order).or_default() += 1;
    }
    // Subjects name orders by reference (`#1042`): forty orders, forty different numbers.
    for order in join_all(orders.iter().map(|id| reference(&a, id))).await {
        assert_eq!(per_order.get(&order), Some(&1), "{order}: {per_order:?}");
    }
    assert_eq!(smtp.received().len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_smtp_each_message_is_written_once_as_an_eml_file() {
    let dir = std::env::temp_dir().join(format!("ordo-mail-{}", std::process::id()));
    let app = gateway(MailTransport::Folder(dir.clone())).await;
    let (id, _) = paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let file = dir.join(format!("{id}.0000000003.0.eml"));
    let eml =
        eventually(WAIT, || async { std::fs::read_to_string(&file).ok() }).await.expect("the .eml file");
    assert!(eml.contains(&format!("Message-ID: <{id}.0000000003.0@lumen.example>")), "{eml}");
    assert!(eml.contains("To: ada@example.com"), "{eml}");
    assert!(eml.contains("multipart/alternative"), "{eml}");
    // The file is written first, then the row records it sent.
    let sent =
        eventually(WAIT, || async { (messages_of(&app, &id).await[0]["state"] == "SENT").then_some(()) })
            .await;
    assert!(sent.is_some(), "{:#?}", messages_of(&app, &id).await);
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
    assert_eq!(files.len(), 1, "one file, no leftovers: {files:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_killed_between_sending_and_recording_sends_again_after_restart_with_the_same_message_id() {
    let dir = std::env::temp_dir().join(format!("ordo-mail-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = format!("surrealkv://{}", dir.join("ordo.db").display());
    // The server takes the first message and then never answers its DATA: the gateway has sent
    // it and waits to hear so, and is killed before it can record anything.
    let smtp = SmtpServer::start_holding_first().await;
    let gateway = Binary::start(&db, &smtp.url()).await;
    let placed = gateway
        .gql(
            None,
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken } }",
            json!({ "input": { "channel": "web", "currency": "USD", "email": "ada@example.com",
                "lines": [{ "sku": "MUG-STONE", "quantity": 1 }],
                "shippingAddress": { "name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "Springfield",
                                     "region": "IL", "postalCode": "62701", "country": "US" } } }),
        )
        .await;
    let id =
        placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{placed}")).to_owned();
    let guest = placed["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    ok(&gateway.gql(Some(&guest), pay, json!({ "id": id })).await);
    let first = smtp.wait_for(1, WAIT).await;
    gateway.kill().await;

    // A new process on the same files: the message is still pending under the dead process's
    // lease, taken over when it runs out (60 s), and sent again under the same Message-ID.
    let gateway = Binary::start(&db, &smtp.url()).await;
    let both = smtp.wait_for(2, Duration::from_secs(120)).await;
    assert_eq!(both[1]["message_id"], first[0]["message_id"], "recognisably the same message: {both:#?}");
    assert_eq!(both[1]["subject"], first[0]["subject"]);
    assert!(both[1]["subject"].as_str().unwrap().starts_with("Lumen & Co: We received your order #"));
    let keys = ordo_gateway::app::Keys::new(ordo_tests::TEST_SECRET).unwrap();
    let staff = keys.mint(&ordo_gateway::app::Actor::Staff, "test", chrono::Duration::minutes(10)).unwrap();
    let rows = eventually(WAIT, || async {
        let body = gateway.gql(Some(&staff), MESSAGES, json!({ "order": id })).await;
        let rows = ok(&body)["customerMessages"].as_array().unwrap().clone();
        (rows[0]["state"] == "SENT").then_some(rows)
    })
    .await
    .expect("the message recorded as sent after the restart");
    assert_eq!(rows.len(), 1, "one message, not a second one: {rows:#?}");
    assert_eq!(rows[0]["attempts"], 2, "claimed by the killed process and by the new one");
    assert_eq!(
        rows[0]["tries"],
        json!([{ "ok": true, "error": null }]),
        "the killed attempt recorded nothing"
    );
    assert_eq!(smtp.received().len(), 2);
    gateway.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_wait_while_the_mail_server_is_down_and_go_out_once_when_it_is_back() {
    // A port nothing listens on: the mail server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = gateway(MailTransport::Smtp(format!("smtp://127.0.0.1:{port}"))).await;
    let (id, _) = paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let waiting = eventually(WAIT, || async {
        let rows = messages_of(&app, &id).await;
        (rows[0]["tries"].as_array().unwrap().len() == 1).then_some(rows)
    })
    .await
    .expect("a failed attempt");
    assert_eq!(waiting[0]["state"], "PENDING", "a mail server that is down is tried again: {waiting:#?}");
    assert_eq!(waiting[0]["tries"][0]["ok"], false);
    assert!(!waiting[0]["tries"][0]["error"].as_str().unwrap().is_empty());

    let smtp = SmtpServer::start_on(port).await;
    let message = waiting[0]["id"].as_str().unwrap();
    ok(&app.gql("mutation($id: ID!) { retryMessage(id: $id) { id } }", json!({ "id": message })).await);
    let received = smtp.wait_for(1, WAIT).await;
    let r = reference(&app, &id).await;
    assert_eq!(received[0]["subject"], format!("Lumen & Co: We received your order {r}"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1, "delivered once");
    let rows = sent_messages_of(&app, &id).await;
    assert_eq!(rows[0]["tries"].as_array().unwrap().len(), 2, "{rows:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_smtp_url_or_sender_stops_the_start_with_a_clear_error() {
    for (flag, value, words) in [
        ("--smtp", "smtp://[::1", "the SMTP URL"),
        ("--smtp", "ftp://mail.example", "the SMTP URL"),
        ("--mail-from", "not an address", "the sender address"),
    ] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_ordo-e2e"))
            .args(["serve", "--db", "mem://", "--listen", "127.0.0.1:0", flag, value])
            .env("ORDO_JWT_SECRET", std::str::from_utf8(ordo_tests::TEST_SECRET).unwrap())
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(60), out).await.expect("ordo exits").unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flag} {value:?} was accepted");
        assert!(stderr.contains(words), "{flag} {value:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn find_my_orders_mails_one_link_that_lists_only_the_orders_placed_with_that_address() {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let mug = json!([{ "sku": "MUG-STONE", "quantity": 1 }]);
    // Two orders with the address written two ways, one of someone else; none paid, so nothing
    // else is mailed.
    let first = guest_order(&app, "Ada.L@example.com", mug.clone()).await.0;
    let second = guest_order(&app, "ada.l@EXAMPLE.com", mug.clone()).await.0;
    let bobs = guest_order(&app, "bob@example.com", mug.clone()).await.0;
    let ask = "mutation($e: String!) { requestOrdersLink(email: $e) }";

    // An address with no orders gets the same answer, and no mail.
    assert_eq!(
        ok(&app.gql_with(None, ask, json!({ "e": "nobody@example.com" })).await)["requestOrdersLink"],
        true
    );
    let bad = app.gql_with(None, ask, json!({ "e": "not an address" })).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");

    assert_eq!(
        ok(&app.gql_with(None, ask, json!({ "e": "ADA.L@example.com" })).await)["requestOrdersLink"],
        true
    );
    let received = smtp.wait_for(1, WAIT).await;
    let mail = &received[0];
    assert_eq!(mail["rcpt_tos"], json!(["ada.l@example.com"]), "to the address as the newest order has it");
    assert_eq!(mail["subject"], "Lumen & Co: Your orders");
    assert_eq!(mail["content_type"], "multipart/alternative");
    let message_id = mail["message_id"].as_str().unwrap();
    assert!(
        message_id.starts_with("<signin.")
            && message_id.matches('@').count() == 1
            && !message_id.contains("ada"),
        "a well-formed Message-ID that does not carry the address: {message_id}"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(!text.contains(&first) && !text.contains(&second), "the mail itself names no order: {text}");
    let link = text.lines().find_map(|l| l.strip_prefix("See your orders: ")).unwrap();
    let token =
        link.strip_prefix("https://lumen.example/#/my-orders?token=").unwrap_or_else(|| panic!("{link}"));
    assert!(mail["html"].as_str().unwrap().contains(">See your orders</a>"));

    // The link lists that address's orders, newest first, and opens each; nobody else's.
    let list = "{ orders(first: 10) { edges { node { id email } } } }";
    let body = app.gql_with(Some(token), list, json!({})).await;
    let ids: Vec<&str> = ok(&body)["orders"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()]);
    let read = "query($id: ID!) { order(id: $id) { id allowedActions { kind } } }";
    let own = app.gql_with(Some(token), read, json!({ "id": first })).await;
    assert_eq!(ok(&own)["order"]["id"], first.as_str());
    assert!(
        ok(&own)["order"]["allowedActions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "authorize_payment"),
        "the shopper may pay as the order's guest would: {own}"
    );
    let foreign = app.gql_with(Some(token), read, json!({ "id": bobs })).await;
    assert!(foreign["data"]["order"].is_null(), "{foreign}");
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    assert_eq!(error_code(&app.gql_with(Some(token), pay, json!({ "id": bobs })).await), Some("NOT_FOUND"));

    // Asking again at once sends nothing more (one link a minute per address), however it is
    // written; the staff see the one sign-in message, about no order.
    ok(&app.gql_with(None, ask, json!({ "e": "ada.l@example.com" })).await);
    let rows = eventually(WAIT, || async {
        let body = app.gql(MESSAGES, json!({})).await;
        let rows: Vec<Value> = ok(&body)["customerMessages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "account.sign_in")
            .cloned()
            .collect();
        rows.iter().all(|r| r["state"] == "SENT").then_some(rows)
    })
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["orderId"], Value::Null);
    assert_eq!(rows[0]["recipient"], "ada.l@example.com");
    assert_eq!(rows[0]["content"]["subject"], "Lumen & Co: Your orders");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1, "{:#?}", smtp.received());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_for_one_address_at_once_send_one_link() {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    guest_order(&app, "grace@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let ask = "mutation($e: String!) { requestOrdersLink(email: $e) }";
    let answers =
        join_all((0..20).map(|_| app.gql_with(None, ask, json!({ "e": "grace@example.com" })))).await;
    for answer in &answers {
        assert_eq!(ok(answer)["requestOrdersLink"], true, "every caller gets the same answer");
    }
    smtp.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(smtp.received().len(), 1, "{:#?}", smtp.received());
}
