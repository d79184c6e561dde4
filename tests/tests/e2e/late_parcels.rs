//! Parcels running late, end to end: a parcel whose expected day went by without a delivery or a
//! carrier's word is flagged by the `delivery_watch` job once (two gateways on one store), the
//! customer gets one message over real SMTP (aiosmtpd), the order page says it runs late; a
//! delivery afterwards ends the watch. With the default grace the watch waits for its day.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use futures::future::join_all;
use ordo_gateway::app::mail::MailTransport;
use ordo_tests::smtp::SmtpServer;
use ordo_tests::{TestApp, eventually};
use serde_json::{Value, json};

use super::feedback_requests::{mark_delivered, ship_all};
use super::messages::{WAIT, mail, ok, paid_order, reference};

/// A gateway on `store` sending by `smtp`, counting parcels late `late_after` after their
/// expected day begins.
async fn gateway_on(
    store: ordo_gateway::store::Store,
    smtp: &SmtpServer,
    late_after: chrono::Duration,
) -> TestApp {
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        job_interval: Duration::from_millis(100),
        late_parcel_after: late_after,
        mail: Some(mail(MailTransport::Smtp(smtp.url()))),
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(store, config).await
}

/// `order`'s timeline event types.
async fn events(app: &TestApp, order: &str) -> Vec<String> {
    let body =
        app.gql("query($id: ID!) { order(id: $id) { timeline { type } } }", json!({ "id": order })).await;
    ok(&body)["order"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// The store's `delivery_watch` jobs, as (order, due).
async fn watches(app: &TestApp) -> Vec<(String, DateTime<Utc>)> {
    let mut rows = app
        .store
        .db()
        .query("SELECT order_id, <string>due AS due FROM job WHERE kind = 'delivery_watch'")
        .await
        .unwrap();
    let rows: Vec<Value> = rows.take(0).unwrap();
    rows.iter()
        .map(|r| (r["order_id"].as_str().unwrap().to_owned(), r["due"].as_str().unwrap().parse().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parcel_past_its_day_is_flagged_once_across_two_gateways_and_the_customer_told_once() {
    let smtp = SmtpServer::start().await;
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    // Every parcel counts as late at once: its expected day is at most a week away.
    let late = chrono::Duration::days(-8);
    let a = gateway_on(store.clone(), &smtp, late).await;
    let b = gateway_on(store, &smtp, late).await;
    let orders = join_all((0..12).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        async move {
            let (id, _) = paid_order(
                app,
                &format!("late{n}@example.com"),
                json!([{ "sku": "MUG-STONE", "quantity": 1 }]),
            )
            .await;
            let shipments = ship_all(app, &id).await;
            (id, shipments)
        }
    }))
    .await;
    let all_told = eventually(Duration::from_secs(60), || async {
        let late = smtp
            .received()
            .iter()
            .filter(|m| m["subject"].as_str().unwrap().contains("running late"))
            .count();
        (late >= orders.len()).then_some(())
    })
    .await;
    assert!(
        all_told.is_some(),
        "{:?}",
        smtp.received().iter().map(|m| m["subject"].clone()).collect::<Vec<_>>()
    );
    // Give a second flag or message every chance to appear before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut told: HashMap<String, usize> = HashMap::new();
    for m in smtp.received() {
        let subject = m["subject"].as_str().unwrap();
        if subject.contains("running late") {
            *told
                .entry(subject.split_whitespace().find(|w| w.starts_with('#')).unwrap().to_owned())
                .or_default() += 1;
        }
    }
    for (id, _) in &orders {
        let r = reference(&a, id).await;
        assert_eq!(told.get(&r), Some(&1), "{id} ({r}): {told:?}");
        let flags = events(&a, id).await.iter().filter(|t| *t == "shipment_late").count();
        assert_eq!(flags, 1, "{id} flagged once");
    }
    let mail = smtp
        .received()
        .into_iter()
        .find(|m| m["subject"].as_str().unwrap().contains("running late"))
        .unwrap();
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("has not arrived yet. We have asked UPS where it is"), "{text}");
    assert!(text.contains("Carrier: UPS, tracking number 1Z999AA1"), "{text}");

    let (id, shipments) = &orders[0];
    let view = "query($id: ID!) { order(id: $id) { statusView { headline detail tone } } }";
    let body = a.gql(view, json!({ "id": id })).await;
    assert_eq!(ok(&body)["order"]["statusView"]["headline"], "Running late");
    assert_eq!(ok(&body)["order"]["statusView"]["tone"], "WARNING");
    // Every watch ended: each order's one parcel was flagged, nothing more may run late.
    let left = eventually(WAIT, || async { watches(&a).await.is_empty().then_some(()) }).await;
    assert!(left.is_some(), "{:?}", watches(&a).await);

    // It arrives after all: the page says so, and no further word about lateness.
    mark_delivered(&a, id, &shipments[0]).await;
    let body = a.gql(view, json!({ "id": id })).await;
    assert_eq!(ok(&body)["order"]["statusView"]["headline"], "Delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_default_grace_the_watch_waits_until_two_days_after_the_expected_day() {
    let smtp = SmtpServer::start().await;
    let store = ordo_gateway::store::Store::open("mem://").await.unwrap();
    let app = gateway_on(store, &smtp, chrono::Duration::hours(48)).await;
    let (id, shipments) = {
        let (id, _) =
            paid_order(&app, "patient@example.com", json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
        let shipments = ship_all(&app, &id).await;
        (id, shipments)
    };
    let body = app
        .gql("query($id: ID!) { order(id: $id) { shipments { expectedDelivery } } }", json!({ "id": id }))
        .await;
    let expected: NaiveDate =
        ok(&body)["order"]["shipments"][0]["expectedDelivery"].as_str().unwrap().parse().unwrap();
    let due = expected.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::hours(48);
    assert_eq!(watches(&app).await, vec![(id.clone(), due)], "one watch, due two days into the expected day");
    smtp.wait_for(2, WAIT).await; // the confirmation and the shipping message
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!events(&app, &id).await.contains(&"shipment_late".to_owned()));
    assert_eq!(smtp.received().len(), 2, "nothing late yet");
    mark_delivered(&app, &id, &shipments[0]).await;
    // The watch looks once more when due and ends; delivered, the order needs none.
    assert_eq!(watches(&app).await.len(), 1, "left to end by itself when it falls due");
}
