//! Dated promises end to end: backordered units are matched against open purchase orders in
//! date order (oldest backorder first), a new order is promised against what is left, and a
//! purchase order that slips re-promises exactly the customers it carries — each told by e-mail
//! (a real SMTP server) with the new date and the choice to keep waiting or cancel.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use chrono::{Days, NaiveDate, Utc};
use ordo_gateway::app::mail::MailTransport;
use ordo_tests::smtp::SmtpServer;
use ordo_tests::{TestApp, error_code, eventually};
use serde_json::{Value, json};

use crate::messages::{WAIT, gateway, ok, paid_order, reference};

const SKU: &str = "HOODIE-GRY-L"; // no stock, sold on backorder with a 21-day lead time

fn in_days(n: u64) -> NaiveDate {
    Utc::now().date_naive() + Days::new(n)
}

/// How messages write a day (ordo-core's `text::date`: `8 Jan 2027`).
fn said(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

async fn promised_on(app: &TestApp, order: &str) -> Vec<String> {
    let body = app
        .gql(
            "query($id: String!) { order(id: $id) { lines { availability { kind promisedOn } } } }",
            json!({ "id": order }),
        )
        .await;
    ok(&body)["order"]["lines"][0]["availability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{} {}", a["kind"].as_str().unwrap(), a["promisedOn"].as_str().unwrap_or("-")))
        .collect()
}

async fn create_po(app: &TestApp, quantity: i64, on: NaiveDate) -> (String, Value) {
    let body = app
        .gql(
            "mutation($s: String!, $q: Int!, $d: NaiveDate!) {
               createPurchaseOrder(supplier: \"harbor\", location: \"east\", expectedOn: $d,
                                   lines: [{ sku: $s, quantity: $q }]) {
                 purchaseOrder { id } repromised { orderId promisedOn previously } } }",
            json!({ "s": SKU, "q": quantity, "d": on.to_string() }),
        )
        .await;
    let created = ok(&body)["createPurchaseOrder"].clone();
    (created["purchaseOrder"]["id"].as_str().unwrap().to_owned(), created["repromised"].clone())
}

/// The mail customers received, once there are at least `count` (Harbor, the supplier, is
/// mailed its purchase orders as well).
async fn customer_mail(smtp: &SmtpServer, count: usize) -> Vec<Value> {
    let customers = || async {
        let mail: Vec<Value> = smtp
            .received()
            .into_iter()
            .filter(|m| m["rcpt_tos"] != json!(["orders@harbor.example"]))
            .collect();
        (mail.len() >= count).then_some(mail)
    };
    eventually(WAIT, customers).await.unwrap_or_else(|| panic!("{count} customer mails"))
}

/// The orders a payload's `repromised` names, in its order, with the day each got.
fn moved(repromised: &Value) -> Vec<(String, String, String)> {
    repromised
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["orderId"].as_str().unwrap().to_owned(),
                r["previously"].as_str().unwrap().to_owned(),
                r["promisedOn"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_backordered_units_split_over_two_purchase_orders_and_a_slip_tells_the_six_it_moves() {
    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    // The demo's purchase order for the SKU closes: nothing is on order.
    let open = app.gql("query($s: String) { purchaseOrders(sku: $s) { id } }", json!({ "s": SKU })).await;
    for po in ok(&open)["purchaseOrders"].as_array().unwrap() {
        let close = "mutation($id: String!) { closePurchaseOrder(id: $id) { purchaseOrder { open } repromised { orderId } } }";
        let closed = app.gql(close, json!({ "id": po["id"] })).await;
        assert_eq!(ok(&closed)["closePurchaseOrder"]["purchaseOrder"]["open"], false);
    }

    // Ten customers, one unit each, oldest first: nothing on order, so the lead time.
    let mut orders = Vec::new();
    for n in 0..10 {
        let (id, _) =
            paid_order(&app, &format!("buyer{n}@example.com"), json!([{ "sku": SKU, "quantity": 1 }])).await;
        assert_eq!(promised_on(&app, &id).await, [format!("BACKORDERED {}", in_days(21))]);
        orders.push(id);
    }
    // Confirmations (each tells of the backorder) before anything moves.
    customer_mail(&smtp, 10).await;

    // 6 units on day 10: the six oldest move up; 10 units on day 20: the next four.
    let (first_po, repromised) = create_po(&app, 6, in_days(10)).await;
    let expect =
        |range: std::ops::Range<usize>, from: NaiveDate, to: NaiveDate| -> Vec<(String, String, String)> {
            orders[range].iter().map(|id| (id.clone(), from.to_string(), to.to_string())).collect()
        };
    assert_eq!(moved(&repromised), expect(0..6, in_days(21), in_days(10)));
    let (_, repromised) = create_po(&app, 10, in_days(20)).await;
    assert_eq!(moved(&repromised), expect(6..10, in_days(21), in_days(20)));
    for (n, id) in orders.iter().enumerate() {
        let day = if n < 6 { in_days(10) } else { in_days(20) };
        assert_eq!(promised_on(&app, id).await, [format!("BACKORDERED {day}")], "order {n}");
    }

    // A new order is promised against what is left: 6 of the second purchase order's 10 units.
    let (eleventh, _) = paid_order(&app, "late@example.com", json!([{ "sku": SKU, "quantity": 6 }])).await;
    assert_eq!(promised_on(&app, &eleventh).await, [format!("BACKORDERED {}", in_days(20))]);
    let (twelfth, _) = paid_order(&app, "later@example.com", json!([{ "sku": SKU, "quantity": 1 }])).await;
    assert_eq!(
        promised_on(&app, &twelfth).await,
        [format!("BACKORDERED {}", in_days(21))],
        "no unit left on order: the lead time"
    );
    let product = app
        .gql(
            "query($s: String!) { product(sku: $s) { nextRestock restocks { on units } } }",
            json!({ "s": SKU }),
        )
        .await;
    assert_eq!(ok(&product)["product"]["nextRestock"], Value::Null, "every unit on order is promised");
    assert_eq!(ok(&product)["product"]["restocks"], json!([{ "on": in_days(20).to_string(), "units": 0 }]));

    // Everything so far is told (10 confirmations, 10 new dates, 2 confirmations) before the slip.
    let before = 22;
    customer_mail(&smtp, before).await;
    // The first purchase order slips to day 15: exactly its six customers move, and are told.
    let slip = "mutation($id: String!, $d: NaiveDate) { updatePurchaseOrder(id: $id, expectedOn: $d) {
        purchaseOrder { expectedOn } repromised { orderId promisedOn previously } } }";
    let body = app.gql(slip, json!({ "id": first_po, "d": in_days(15).to_string() })).await;
    assert_eq!(ok(&body)["updatePurchaseOrder"]["purchaseOrder"]["expectedOn"], in_days(15).to_string());
    assert_eq!(
        moved(&ok(&body)["updatePurchaseOrder"]["repromised"]),
        expect(0..6, in_days(10), in_days(15))
    );
    let received = customer_mail(&smtp, before + 6).await;
    let told: Vec<&Value> =
        received[before..].iter().filter(|m| m["subject"].as_str().unwrap().contains("A new date")).collect();
    assert_eq!(told.len(), 6, "{:#?}", &received[before..]);
    for (n, id) in orders[..6].iter().enumerate() {
        let r = reference(&app, id).await;
        let mail = told
            .iter()
            .find(|m| m["subject"] == format!("Lumen & Co: A new date for an item in order {r}"))
            .unwrap_or_else(|| panic!("order {n} ({r}) was not told"));
        assert_eq!(mail["rcpt_tos"], json!([format!("buyer{n}@example.com")]));
        let text = mail["text"].as_str().unwrap();
        assert!(
            text.contains(&format!(
                "we now expect to ship it by {} (we said {} before)",
                said(in_days(15)),
                said(in_days(10))
            )),
            "{text}"
        );
        assert!(mail["html"].as_str().unwrap().contains("choose=cancel-line-0"), "the choice to cancel");
    }
    // Nobody else hears of it; moving it again to the same day tells no one.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(customer_mail(&smtp, 0).await.len(), before + 6, "only the six are told");
    let body = app.gql(slip, json!({ "id": first_po, "d": in_days(15).to_string() })).await;
    assert_eq!(ok(&body)["updatePurchaseOrder"]["repromised"], json!([]));
}

#[tokio::test]
async fn a_short_receipt_closes_the_purchase_order_and_the_rest_wait_for_the_next() {
    let app = TestApp::spawn().await;
    // HOODIE-GRY-M: 4 on hand, a demo purchase order on day 9, cut to 12 units.
    let open = app.gql("{ purchaseOrders(sku: \"HOODIE-GRY-M\") { id } }", json!({})).await;
    let demo_po = ok(&open)["purchaseOrders"][0]["id"].as_str().unwrap().to_owned();
    let cut = "mutation($id: String!) { updatePurchaseOrder(id: $id, lines: [{ sku: \"HOODIE-GRY-M\", quantity: 12 }]) {
        purchaseOrder { lines { sku quantity } } repromised { orderId } } }";
    let body = app.gql(cut, json!({ "id": demo_po })).await;
    assert_eq!(
        ok(&body)["updatePurchaseOrder"],
        json!({ "purchaseOrder": { "lines": [{ "sku": "HOODIE-GRY-L", "quantity": 40 }, { "sku": "HOODIE-GRY-M", "quantity": 12 }] },
                "repromised": [] })
    );
    let place = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }";
    let input = |q: i64| {
        json!({ "input": { "channel": "web", "currency": "USD", "email": "ada@example.com",
            "lines": [{ "sku": "HOODIE-GRY-M", "quantity": q }],
            "shippingAddress": { "name": "Ada", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                                 "postalCode": "62701", "country": "US" } } })
    };
    let first = app.gql(place, input(10)).await; // 4 from stock, 6 wait for the purchase order
    let first_id = ok(&first)["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let second = app.gql(place, input(6)).await; // 6 wait: the other 6 on order
    let second_id = ok(&second)["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        promised_on(&app, &first_id).await,
        ["ALLOCATED -".to_owned(), format!("BACKORDERED {}", in_days(9))]
    );
    assert_eq!(promised_on(&app, &second_id).await, [format!("BACKORDERED {}", in_days(9))]);

    // 8 arrive and the supplier says that is all: the first order gets its 6, the second waits
    // for the 2 left on the shelf and 4 more — none on order, so the lead time.
    let receive = "mutation($id: String!, $q: Int!, $close: Boolean!) {
        receivePurchaseOrder(id: $id, lines: [{ sku: \"HOODIE-GRY-M\", quantity: $q }], close: $close) {
        purchaseOrder { status lines { received } } allocated { orderId quantity } repromised { orderId promisedOn } } }";
    let body = app.gql(receive, json!({ "id": demo_po, "q": 1, "close": false })).await;
    assert_eq!(
        ok(&body)["receivePurchaseOrder"],
        json!({ "purchaseOrder": { "status": "PARTIALLY_RECEIVED", "lines": [{ "received": 0 }, { "received": 1 }] },
                "allocated": [], "repromised": [] }),
        "a partial receipt keeps it open; one unit serves nobody whole"
    );
    let body = app.gql(receive, json!({ "id": demo_po, "q": 7, "close": true })).await;
    let receipt = &ok(&body)["receivePurchaseOrder"];
    assert_eq!(
        receipt["purchaseOrder"],
        json!({ "status": "RECEIVED", "lines": [{ "received": 0 }, { "received": 8 }] }),
        "closed short: received, as much as ever will be"
    );
    assert_eq!(receipt["allocated"], json!([{ "orderId": first_id, "quantity": 6 }]));
    assert_eq!(
        receipt["repromised"],
        json!([{ "orderId": second_id, "promisedOn": in_days(21).to_string() }])
    );
    assert_eq!(promised_on(&app, &second_id).await, [format!("BACKORDERED {}", in_days(21))]);
}

#[tokio::test]
async fn bad_purchase_orders_get_a_clear_code_and_change_nothing() {
    let app = TestApp::spawn().await;
    let open = app.gql("{ purchaseOrders(sku: \"HOODIE-GRY-L\") { id } }", json!({})).await;
    let po = ok(&open)["purchaseOrders"][0]["id"].as_str().unwrap().to_owned();
    let create = |lines: Value, d: NaiveDate| {
        (
            "mutation($lines: [PurchaseOrderLineInput!]!, $d: NaiveDate!) { createPurchaseOrder(supplier: \"harbor\", location: \"east\", expectedOn: $d, lines: $lines) { purchaseOrder { id } } }",
            json!({ "lines": lines, "d": d.to_string() }),
        )
    };
    let line = |sku: &str, q: i64| json!([{ "sku": sku, "quantity": q }]);
    let from = |supplier: &str| {
        (
            "mutation($s: String!) { createPurchaseOrder(supplier: $s, location: \"east\", expectedOn: \"2099-01-01\", lines: [{ sku: \"HOODIE-GRY-L\", quantity: 1 }]) { purchaseOrder { id } } }",
            json!({ "s": supplier }),
        )
    };
    let update = "mutation($id: String!, $lines: [LineUnitsInput!], $d: NaiveDate) { updatePurchaseOrder(id: $id, lines: $lines, expectedOn: $d) { purchaseOrder { id } } }";
    let yesterday = Utc::now().date_naive() - Days::new(1);
    let cases: Vec<(&str, (&str, Value), &str)> = vec![
        ("unknown SKU", create(line("NO-SUCH-SKU", 5), in_days(3)), "BAD_USER_INPUT"),
        ("quantity 0", create(line(SKU, 0), in_days(3)), "BAD_USER_INPUT"),
        ("negative quantity", create(line(SKU, -4), in_days(3)), "BAD_USER_INPUT"),
        ("a day in the past", create(line(SKU, 5), yesterday), "BAD_USER_INPUT"),
        ("no lines", create(json!([]), in_days(3)), "BAD_USER_INPUT"),
        (
            "a SKU twice",
            create(json!([{ "sku": SKU, "quantity": 1 }, { "sku": SKU, "quantity": 2 }]), in_days(3)),
            "BAD_USER_INPUT",
        ),
        ("no cost known", create(line("MUG-STONE", 5), in_days(3)), "BAD_USER_INPUT"),
        (
            "a negative cost",
            create(json!([{ "sku": SKU, "quantity": 1, "unitCost": -1 }]), in_days(3)),
            "BAD_USER_INPUT",
        ),
        (
            "a dropshipped SKU",
            create(json!([{ "sku": "DESK-OAK", "quantity": 1, "unitCost": 1 }]), in_days(3)),
            "BAD_USER_INPUT",
        ),
        ("an unknown supplier", from("nobody"), "NOT_FOUND"),
        ("update to quantity 0", (update, json!({ "id": po, "lines": line(SKU, 0) })), "BAD_USER_INPUT"),
        (
            "update a SKU not on it",
            (update, json!({ "id": po, "lines": line("MUG-STONE", 3) })),
            "BAD_USER_INPUT",
        ),
        ("update with nothing to change", (update, json!({ "id": po })), "BAD_USER_INPUT"),
        ("update into the past", (update, json!({ "id": po, "d": yesterday.to_string() })), "BAD_USER_INPUT"),
        (
            "update an unknown purchase order",
            (update, json!({ "id": "po_nope", "lines": line(SKU, 3) })),
            "NOT_FOUND",
        ),
    ];
    for (what, (query, variables), code) in cases {
        let before = app.store.dump().await.unwrap();
        let body = app.gql(query, variables).await;
        assert_eq!(error_code(&body), Some(code), "{what}: {body}");
        assert_eq!(app.store.dump().await.unwrap(), before, "{what} changed the store");
    }
    // A closed purchase order cannot change any more.
    let close = "mutation($id: String!) { closePurchaseOrder(id: $id) { purchaseOrder { open } } }";
    ok(&app.gql(close, json!({ "id": po })).await);
    let before = app.store.dump().await.unwrap();
    for body in [
        app.gql(update, json!({ "id": po, "lines": line(SKU, 50) })).await,
        app.gql(close, json!({ "id": po })).await,
    ] {
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    assert_eq!(app.store.dump().await.unwrap(), before);
}
