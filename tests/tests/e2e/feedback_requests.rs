//! The message a customer may refuse, end to end against a real SMTP server (aiosmtpd): the
//! feedback request waits days after the last parcel arrives, carries the one-click unsubscribe
//! headers (RFC 8058) and a link to a page that asks; an address that opted out (by either) gets
//! no more of them while the messages about its orders still go; an answered survey withdraws the
//! request; a link scanner's GET changes nothing; a bad token changes nothing.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use chrono::{DateTime, Utc};
use ordo_gateway::app::mail::MailTransport;
use ordo_tests::smtp::SmtpServer;
use ordo_tests::{TestApp, error_code, eventually};
use serde_json::{Value, json};

use super::messages::{WAIT, gateway, messages_of, ok, paid_order, reference};

/// Tracking numbers no parcel of this process used yet (the store refuses one used twice).
fn tracking_number() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    ordo_tests::ups(&format!("FB{:08}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
}

/// Plans, packs and ships every parcel of `order` (staff); answers their ids.
pub(crate) async fn ship_all(app: &TestApp, order: &str) -> Vec<String> {
    let create = "mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id } } } }";
    let body = app.gql(create, json!({ "id": order })).await;
    let shipments: Vec<String> = ok(&body)["createShipments"]["order"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    for shipment in &shipments {
        for step in [
            "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }",
            "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s,
                package: { lengthCm: 30, widthCm: 20, heightCm: 10, weightGrams: 850, material: \"box\" }) { order { id } } }",
            "mutation($id: String!, $s: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: \"UPS\",
                service: \"Ground\", trackingNumber: $t) { order { id } } }",
        ] {
            ok(&app.gql(step, json!({ "id": order, "s": shipment, "t": tracking_number() })).await);
        }
    }
    shipments
}

/// Marks parcel `shipment` of `order` delivered (staff).
pub(crate) async fn mark_delivered(app: &TestApp, order: &str, shipment: &str) {
    let step = "mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }";
    ok(&app.gql(step, json!({ "id": order, "s": shipment })).await);
}

/// Plans, packs, ships and delivers every parcel of `order` (staff).
async fn deliver_all(app: &TestApp, order: &str) {
    for shipment in ship_all(app, order).await {
        mark_delivered(app, order, &shipment).await;
    }
}

/// `order`'s feedback request row, once written.
async fn feedback_request(app: &TestApp, order: &str) -> Value {
    let row = eventually(WAIT, || async {
        messages_of(app, order).await.into_iter().find(|m| m["kind"] == "order.feedback_request")
    })
    .await;
    row.unwrap_or_else(|| panic!("no feedback request for {order}"))
}

/// Queues message `id` now (staff's "Send now") and waits until it is sent or withheld.
async fn send_now(app: &TestApp, order: &str, id: &str) -> Value {
    let retry = "mutation($id: ID!) { retryMessage(id: $id) { state } }";
    assert_eq!(ok(&app.gql(retry, json!({ "id": id })).await)["retryMessage"]["state"], "PENDING");
    let row = eventually(WAIT, || async {
        messages_of(app, order).await.into_iter().find(|m| m["id"] == id && m["state"] != "PENDING")
    })
    .await;
    row.unwrap_or_else(|| panic!("message {id} stayed pending"))
}

const PREFERENCES: &str =
    "query($t: String!) { emailPreferences(token: $t) { email feedbackRequests optedOutAt } }";

/// The received feedback requests.
fn asked(smtp: &SmtpServer) -> Vec<Value> {
    smtp.received()
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap().contains("How was your order"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_feedback_request_waits_offers_one_click_unsubscribe_and_an_opted_out_address_still_gets_its_order_messages()
 {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let (first, _) =
        paid_order(&app, "ada@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    let delivered_at = Utc::now();
    deliver_all(&app, &first).await;
    // Confirmation, shipped, delivered: the survey is not among them, it waits three days.
    smtp.wait_for(3, WAIT).await;
    let request = feedback_request(&app, &first).await;
    assert_eq!(request["state"], "PENDING");
    let due: DateTime<Utc> = request["due"].as_str().unwrap().parse().unwrap();
    assert!(due > delivered_at + chrono::Duration::hours(71), "due {due}, delivered {delivered_at}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(asked(&smtp).is_empty(), "nothing asked before it is due");

    // Staff send it now: it arrives with the one-click headers and both links.
    let sent = send_now(&app, &first, request["id"].as_str().unwrap()).await;
    assert_eq!(sent["state"], "SENT", "{sent}");
    let mail = &smtp.wait_for(4, WAIT).await[3];
    let r = reference(&app, &first).await;
    assert_eq!(mail["subject"], format!("Lumen & Co: How was your order {r}?"));
    assert_eq!(mail["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let header = mail["list_unsubscribe"].as_str().unwrap();
    let one_click = header
        .strip_prefix("<https://lumen.example/unsubscribe?token=")
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or_else(|| panic!("{header}"));
    let text = mail["text"].as_str().unwrap();
    let page = text.lines().find_map(|l| l.split_once("Unsubscribe: ").map(|(_, url)| url)).unwrap();
    let token =
        page.strip_prefix("https://lumen.example/#/unsubscribe?token=").unwrap_or_else(|| panic!("{page}"));
    assert_eq!(token, one_click, "one token, two ways out");
    let answer = text.lines().find_map(|l| l.strip_prefix("Answer the survey: ")).unwrap();
    let order_page = format!("https://lumen.example/#/orders/{first}?token=");
    assert!(answer.starts_with(&order_page) && answer.trim_end().ends_with("&choose=feedback"), "{answer}");
    assert!(mail["html"].as_str().unwrap().contains("choose=feedback-10"), "the scale, in HTML");
    let other = smtp
        .received()
        .into_iter()
        .find(|m| m["subject"].as_str().unwrap().contains("was delivered"))
        .unwrap();
    assert!(other["list_unsubscribe"].is_null(), "an order message has no way out: {other}");

    // The token opens the choice and nothing else.
    let body = app.gql_with(None, PREFERENCES, json!({ "t": token })).await;
    assert_eq!(
        ok(&body)["emailPreferences"],
        json!({ "email": "ada@example.com", "feedbackRequests": true, "optedOutAt": null })
    );
    let as_bearer =
        app.gql_with(Some(token), "{ orders(first: 5) { edges { node { id } } } }", json!({})).await;
    assert_eq!(error_code(&as_bearer), Some("UNAUTHENTICATED"), "{as_bearer}");

    // A link scanner's GET is sent to the page and unsubscribes no one.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let got = plain.get(app.url(&format!("/unsubscribe?token={token}"))).send().await.unwrap();
    assert_eq!(got.status(), 303);
    assert_eq!(got.headers()["location"], format!("/#/unsubscribe?token={token}").as_str());
    let body = app.gql_with(None, PREFERENCES, json!({ "t": token })).await;
    assert_eq!(ok(&body)["emailPreferences"]["feedbackRequests"], true);

    // A forged token is refused and changes nothing.
    let forged = ordo_gateway::app::tokens::Keys::new(b"another-secret-another-secret-xx")
        .unwrap()
        .mint_unsubscribe("ada@example.com")
        .unwrap();
    let refused = plain
        .post(app.url(&format!("/unsubscribe?token={forged}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let refusal: Value = refused.json().await.unwrap();
    assert_eq!(refusal["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let body = app.gql_with(None, PREFERENCES, json!({ "t": token })).await;
    assert_eq!(ok(&body)["emailPreferences"]["feedbackRequests"], true);

    // The mail client's one-click POST, as RFC 8058 has it.
    let posted = plain
        .post(app.url(&format!("/unsubscribe?token={one_click}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let body = app.gql_with(None, PREFERENCES, json!({ "t": token })).await;
    let prefs = &ok(&body)["emailPreferences"];
    assert_eq!(prefs["feedbackRequests"], false);
    assert!(prefs["optedOutAt"].is_string(), "{prefs}");

    // The next order, the address typed in capitals: its order messages go, its survey does not.
    let before = smtp.received().len();
    let (second, _) =
        paid_order(&app, "ADA@Example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    deliver_all(&app, &second).await;
    let received = smtp.wait_for(before + 3, WAIT).await;
    let to: Vec<_> =
        received[before..].iter().map(|m| (m["rcpt_tos"].clone(), m["subject"].clone())).collect();
    assert!(to.iter().all(|(rcpt, _)| *rcpt == json!(["ADA@example.com"])), "transactional ones go: {to:?}");
    let request = feedback_request(&app, &second).await;
    let withheld = send_now(&app, &second, request["id"].as_str().unwrap()).await;
    assert_eq!(withheld["state"], "WITHHELD");
    assert_eq!(withheld["reason"], "the customer opted out of such messages");
    assert_eq!(withheld["tries"], json!([]), "nothing was tried");

    // Changing their mind on the page: staff may then send the withheld one.
    let choose = "mutation($t: String!, $on: Boolean!) { setEmailPreferences(token: $t, feedbackRequests: $on) { feedbackRequests optedOutAt } }";
    let body = app.gql_with(None, choose, json!({ "t": token, "on": true })).await;
    assert_eq!(ok(&body)["setEmailPreferences"], json!({ "feedbackRequests": true, "optedOutAt": null }));
    let sent = send_now(&app, &second, request["id"].as_str().unwrap()).await;
    assert_eq!(sent["state"], "SENT", "{sent}");
    let asked_now = eventually(WAIT, || async { (asked(&smtp).len() == 2).then_some(()) }).await;
    assert!(asked_now.is_some(), "{:?}", asked(&smtp));

    // Bad input: a malformed token is a clear error and changes nothing.
    let body = app.gql_with(None, choose, json!({ "t": "not-a-token", "on": false })).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    let body = app.gql_with(None, PREFERENCES, json!({ "t": token })).await;
    assert_eq!(ok(&body)["emailPreferences"]["feedbackRequests"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_answered_survey_or_a_return_withdraws_the_request_and_a_shop_may_never_ask() {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let (answered, guest) =
        paid_order(&app, "grace@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    deliver_all(&app, &answered).await;
    let survey = "mutation($id: String!) { submitFeedback(orderId: $id, score: 9, comment: \"Lovely mug\") { score } }";
    ok(&app.gql_with(Some(&guest), survey, json!({ "id": answered })).await);
    let request = feedback_request(&app, &answered).await;
    let withheld = send_now(&app, &answered, request["id"].as_str().unwrap()).await;
    assert_eq!(withheld["state"], "WITHHELD");
    assert_eq!(withheld["reason"], "the customer already answered the survey");

    let (returning, guest) =
        paid_order(&app, "grace@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    deliver_all(&app, &returning).await;
    let ret = "mutation($id: String!) { requestReturn(orderId: $id, lines: [{ line: 0, quantity: 1, reason: \"chipped\" }]) { order { id } } }";
    ok(&app.gql_with(Some(&guest), ret, json!({ "id": returning })).await);
    let request = feedback_request(&app, &returning).await;
    let withheld = send_now(&app, &returning, request["id"].as_str().unwrap()).await;
    assert_eq!(withheld["reason"], "the customer is returning items");
    assert!(asked(&smtp).is_empty(), "{:?}", asked(&smtp));

    // A shop that never asks (--feedback-request-days 0) writes no request at all.
    let quiet = TestApp::serve_with(
        ordo_gateway::store::Store::open("mem://").await.unwrap(),
        ordo_gateway::Config {
            seed_demo: true,
            rate_limits: None,
            job_interval: std::time::Duration::from_millis(100),
            feedback_request: None,
            mail: Some(super::messages::mail(MailTransport::Smtp(smtp.url()))),
            ..ordo_gateway::Config::default()
        },
    )
    .await;
    let (order, _) =
        paid_order(&quiet, "hedy@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
    deliver_all(&quiet, &order).await;
    let rows = eventually(WAIT, || async {
        let rows = messages_of(&quiet, &order).await;
        (rows.len() >= 3).then_some(rows)
    })
    .await
    .unwrap();
    let kinds: Vec<_> = rows.iter().map(|m| m["kind"].as_str().unwrap().to_owned()).collect();
    assert!(!kinds.contains(&"order.feedback_request".to_owned()), "{kinds:?}");
}
