//! Dropship suppliers, end to end: admins keep supplier records; when a parcel becomes a
//! supplier's to send, the supplier is told by a signed `dropship.requested` webhook (checked by
//! a real endpoint with PyPI's `standardwebhooks`) carrying its lines and the ship-to address,
//! never the customer's e-mail, prices or other lines; its acknowledgement is on the order's
//! timeline for staff; bad settings change nothing.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use ordo_gateway::app::Actor;
use ordo_tests::webhooks::WebhookReceiver;
use ordo_tests::{TestApp, error_code, eventually};
use serde_json::{Value, json};

use crate::channels::{gateway, secret};
use crate::messages::{ok, paid_order};

const WAIT: Duration = Duration::from_secs(30);

const UPDATE: &str = "mutation($code: String!, $input: UpdateSupplierInput!) {
    updateSupplier(code: $code, input: $input) { supplier { code name email webhookUrl leadTimeDays active } signingSecret } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropship_parcel_asks_its_supplier_by_signed_webhook_for_its_lines_and_the_ship_to_address_only() {
    let app = gateway().await;
    let admin = app.token(&Actor::Admin);
    let listed = app.gql("{ suppliers { code name email leadTimeDays active webhookUrl } }", json!({})).await;
    assert_eq!(
        ok(&listed)["suppliers"],
        json!([{ "code": "harbor", "name": "Harbor Supply Co.", "email": "orders@harbor.example",
                 "leadTimeDays": 21, "active": true, "webhookUrl": null },
               { "code": "northwood", "name": "Northwood Furniture", "email": "orders@northwood.example",
                 "leadTimeDays": 10, "active": true, "webhookUrl": null }])
    );
    let northwood = WebhookReceiver::start(&secret(9)).await;
    let body = app
        .gql_with(
            Some(&admin),
            UPDATE,
            json!({ "code": "northwood", "input": { "webhookUrl": northwood.url(), "signingSecret": secret(9) } }),
        )
        .await;
    assert_eq!(ok(&body)["updateSupplier"]["supplier"]["webhookUrl"], northwood.url());
    assert_eq!(ok(&body)["updateSupplier"]["signingSecret"], secret(9), "a secret set is answered once");

    // A mug from the warehouse and a desk from Northwood, paid; staff plan the parcels.
    let (order, _) = paid_order(
        &app,
        "grace@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "DESK-OAK", "quantity": 1 }]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(northwood.received().is_empty(), "nothing to send before the parcel is planned");
    let create = "mutation($id: String!) { createShipments(orderId: $id) { order { reference shipments { id source } } } }";
    let body = app.gql(create, json!({ "id": order })).await;
    let planned = &ok(&body)["createShipments"]["order"];
    let parcel = planned["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "supplier:northwood")
        .unwrap_or_else(|| panic!("{planned}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let told = northwood.wait_for(1, WAIT).await;
    assert_eq!(told.len(), 1);
    let request = &told[0];
    assert_eq!(request["type"], "dropship.requested");
    let data = &request["data"];
    assert_eq!(data["orderId"], order.as_str());
    assert_eq!(data["orderNumber"], planned["reference"]);
    assert_eq!(data["shipment"], parcel.as_str());
    assert_eq!(
        data["lines"],
        json!([{ "line": 1, "sku": "DESK-OAK", "name": "Oak standing desk", "quantity": 1 }])
    );
    assert_eq!(data["shipTo"]["line1"], "12 Analytical Row");
    assert_eq!(data["shipTo"]["postalCode"], "62701");
    let text = request.to_string();
    for secret_of_the_shop in ["grace@example.com", "MUG-STONE", "amount", "tok_", "total"] {
        assert!(!text.contains(secret_of_the_shop), "{secret_of_the_shop} in {text}");
    }
    assert!(northwood.received().iter().all(|r| r["verified"] == true), "the signature verifies");

    // The acknowledgement is on the timeline (staff only); the webhook row names the supplier.
    let acked = eventually(WAIT, || async {
        let body = app
            .gql(
                "query($id: ID!) { order(id: $id) { timeline { type actor data } } }",
                json!({ "id": order }),
            )
            .await;
        ok(&body)["order"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "channel_acknowledged")
            .cloned()
    })
    .await
    .expect("the acknowledgement on the timeline");
    assert_eq!(acked["actor"], "channel:supplier:northwood");
    assert_eq!(acked["data"]["channelAcknowledged"]["event"], "dropship.requested");
    let rows =
        app.gql("{ webhooks(channel: \"supplier:northwood\") { id state eventType } }", json!({})).await;
    assert_eq!(
        ok(&rows)["webhooks"],
        json!([{ "id": northwood.received()[0]["id"], "state": "ACKNOWLEDGED", "eventType": "dropship.requested" }])
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(northwood.received().len(), 1, "asked once");
}

#[tokio::test]
async fn bad_supplier_settings_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.token(&Actor::Admin);
    let create =
        "mutation($input: CreateSupplierInput!) { createSupplier(input: $input) { supplier { code } } }";
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "ftp webhook",
            UPDATE,
            json!({ "code": "northwood", "input": { "webhookUrl": "ftp://n.example/hook" } }),
            "BAD_USER_INPUT",
        ),
        (
            "short secret",
            UPDATE,
            json!({ "code": "northwood", "input": { "signingSecret": "whsec_c2hvcnQ=" } }),
            "BAD_USER_INPUT",
        ),
        (
            "bad e-mail",
            UPDATE,
            json!({ "code": "northwood", "input": { "email": "not an address" } }),
            "BAD_USER_INPUT",
        ),
        (
            "lead time past a year",
            UPDATE,
            json!({ "code": "northwood", "input": { "leadTimeDays": 400 } }),
            "BAD_USER_INPUT",
        ),
        (
            "negative lead time",
            UPDATE,
            json!({ "code": "northwood", "input": { "leadTimeDays": -1 } }),
            "BAD_USER_INPUT",
        ),
        (
            "bad return address",
            UPDATE,
            json!({ "code": "northwood", "input": { "address": { "name": "N", "line1": "1 Road",
                "city": "Grand Rapids", "postalCode": "ABCDE", "country": "US" } } }),
            "BAD_USER_INPUT",
        ),
        (
            "the sender's address removed",
            UPDATE,
            json!({ "code": "northwood", "input": { "address": null } }),
            "BAD_USER_INPUT",
        ),
        (
            "a sender with no address",
            create,
            json!({ "input": { "code": "acme", "name": "Acme", "labelSender": "SUPPLIER" } }),
            "BAD_USER_INPUT",
        ),
        ("unknown supplier", UPDATE, json!({ "code": "nobody", "input": { "name": "X" } }), "NOT_FOUND"),
        ("bad code", create, json!({ "input": { "code": "North Wood!", "name": "X" } }), "BAD_USER_INPUT"),
        ("taken code", create, json!({ "input": { "code": "northwood", "name": "X" } }), "CONFLICT"),
    ];
    for (what, query, variables, code) in cases {
        let before = app.store.dump().await.unwrap();
        let body = app.gql_with(Some(&admin), query, variables).await;
        assert_eq!(error_code(&body), Some(code), "{what}: {body}");
        assert_eq!(app.store.dump().await.unwrap(), before, "{what} changed the store");
    }
    // Only admins change suppliers; a supplier reads its own record, not another's.
    let staff = app.gql(UPDATE, json!({ "code": "northwood", "input": { "name": "X" } })).await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"));
    let own = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let read = "query($c: String!) { supplier(code: $c) { name } }";
    let body = app.gql_with(Some(&own), read, json!({ "c": "northwood" })).await;
    assert_eq!(ok(&body)["supplier"]["name"], "Northwood Furniture");
    let other = app.token(&Actor::Supplier { supplier: "acme".into() });
    let body = app.gql_with(Some(&other), read, json!({ "c": "northwood" })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_supplier_with_an_email_address_gets_each_request_by_mail_with_its_purchase_order_and_a_portal_link()
 {
    use ordo_gateway::app::mail::MailTransport;
    use ordo_tests::smtp::SmtpServer;

    let smtp = SmtpServer::start().await;
    let app = crate::messages::gateway(MailTransport::Smtp(smtp.url())).await;
    let (order, _) = paid_order(
        &app,
        "grace@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "CHAIR-ASH", "quantity": 2 }]),
    )
    .await;
    let create = "mutation($id: String!) { createShipments(orderId: $id) {
        order { reference shipments { id source documents { purchaseOrder } } } } }";
    let body = app.gql(create, json!({ "id": order })).await;
    let planned = ok(&body)["createShipments"]["order"].clone();
    let reference = planned["reference"].as_str().unwrap().to_owned();
    let shipments = planned["shipments"].as_array().unwrap();
    let partner = |s: &&Value| s["source"] == "supplier:northwood";
    let parcel = shipments.iter().find(partner).unwrap();
    let ours = shipments.iter().find(|s| !partner(s)).unwrap();
    assert_eq!(ours["documents"]["purchaseOrder"], Value::Null, "our own parcel has no purchase order");
    let parcel_id = parcel["id"].as_str().unwrap();
    let po = format!("PO-{}-{}", reference.trim_start_matches('#'), parcel_id.rsplit('-').next().unwrap());

    let northwood_mail = || {
        smtp.received()
            .into_iter()
            .filter(|m| m["rcpt_tos"] == json!(["orders@northwood.example"]))
            .collect::<Vec<_>>()
    };
    let mail = eventually(WAIT, || async { northwood_mail().into_iter().next() })
        .await
        .expect("Northwood is asked by e-mail");
    let subject = mail["subject"].as_str().unwrap();
    assert!(subject.contains(&po) && subject.ends_with("please send 2 items"), "{subject}");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("2 × Ash dining chair (CHAIR-ASH)") && text.contains("12 Analytical Row"),
        "{text}"
    );
    for secret_of_the_shop in ["grace@example.com", "MUG-STONE", "$"] {
        assert!(!text.contains(secret_of_the_shop), "{secret_of_the_shop} in {text}");
    }
    // The purchase order, attached as a PDF: its number, the lines, where to send it, the
    // supplier's own details, and nothing of the customer's but the address.
    let attachments = mail["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    assert_eq!(attachments[0]["filename"], format!("{po}.pdf"));
    assert_eq!(attachments[0]["content_type"], "application/pdf");
    let pdf = attachments[0]["latin1"].as_str().unwrap();
    assert!(pdf.starts_with("%PDF-1.4"));
    for word in [
        "PURCHASE ORDER",
        po.as_str(),
        "CHAIR-ASH",
        "12 Analytical Row",
        "4 Mill Road",
        "Northwood Furniture",
    ] {
        assert!(pdf.contains(word), "{word} is on the purchase order");
    }
    for word in ["grace@example.com", "MUG-STONE", "$"] {
        assert!(!pdf.contains(word), "{word} is not on the purchase order");
    }
    // Its portal link lets Northwood in to this request.
    let token =
        text.split("/#/supplier?token=").nth(1).expect("a portal link").split_whitespace().next().unwrap();
    let body = app.gql_with(Some(token), "{ dropshipRequests { id } }", json!({})).await;
    assert_eq!(ok(&body)["dropshipRequests"], json!([{ "id": order }]));
    // The mail is a delivery like a webhook: acknowledged once the server took it, on the row.
    let rows = eventually(WAIT, || async {
        let body = app.gql("{ webhooks(channel: \"supplier:northwood\") { id via state } }", json!({})).await;
        let rows = ok(&body)["webhooks"].clone();
        (rows[0]["state"] == "ACKNOWLEDGED").then_some(rows)
    })
    .await
    .expect("the mail acknowledged");
    assert_eq!(rows.as_array().unwrap().len(), 1, "no webhook URL: the mail only: {rows}");
    assert_eq!(rows[0]["via"], "EMAIL");
    assert!(rows[0]["id"].as_str().unwrap().ends_with("#supplier:northwood#mail"), "{rows}");
    // Staff open the same purchase order from the parcel.
    let link = parcel["documents"]["purchaseOrder"].as_str().unwrap();
    let opened = app.client.get(app.url(link)).send().await.unwrap();
    assert_eq!(opened.headers()["content-type"], "application/pdf");
    assert!(String::from_utf8_lossy(&opened.bytes().await.unwrap()).contains(&po));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(northwood_mail().len(), 1, "asked once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropship_label_names_the_supplier_or_the_shop_as_sender_as_the_supplier_is_set() {
    let app = TestApp::spawn().await;
    let admin = app.token(&Actor::Admin);
    let (order, _) = paid_order(
        &app,
        "ada@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "DESK-OAK", "quantity": 1 }]),
    )
    .await;
    let create = "mutation($id: String!) { createShipments(orderId: $id) {
        order { shipments { source documents { label commercialInvoice packingSlip } } } } }";
    let body = app.gql(create, json!({ "id": order })).await;
    let shipments = ok(&body)["createShipments"]["order"]["shipments"].as_array().unwrap().clone();
    let links = |partner: bool| {
        let parcel = shipments
            .iter()
            .find(|s| s["source"].as_str().unwrap().starts_with("supplier:") == partner)
            .unwrap();
        let d = &parcel["documents"];
        [&d["label"], &d["commercialInvoice"], &d["packingSlip"]].map(|l| l.as_str().unwrap().to_owned())
    };
    let text = |link: String| {
        let app = &app;
        async move {
            String::from_utf8_lossy(
                &app.client.get(app.url(&link)).send().await.unwrap().bytes().await.unwrap(),
            )
            .into_owned()
        }
    };
    const SHOP: &str = "100 Commerce Way";
    const MILL: &str = "4 Mill Road";
    // The demo's Northwood prints its own return address on its label and customs papers; the
    // packing slip inside, and every warehouse parcel, stay the shop's.
    let listed =
        app.gql("{ supplier(code: \"northwood\") { labelSender address { line1 city } } }", json!({})).await;
    assert_eq!(
        ok(&listed)["supplier"],
        json!({ "labelSender": "SUPPLIER", "address": { "line1": MILL, "city": "Grand Rapids" } })
    );
    let [label, invoice, slip] = links(true);
    for (what, link) in [("label", &label), ("commercial invoice", &invoice)] {
        let pdf = text(link.clone()).await;
        assert!(pdf.contains(MILL) && pdf.contains("Grand Rapids MI 49503"), "{what} names Northwood");
        assert!(!pdf.contains(SHOP), "{what} does not name the shop");
    }
    let pdf = text(slip).await;
    assert!(pdf.contains(SHOP) && !pdf.contains(MILL), "the packing slip is the shop's");
    let [warehouse_label, ..] = links(false);
    let pdf = text(warehouse_label).await;
    assert!(pdf.contains(SHOP) && !pdf.contains(MILL), "a warehouse parcel is the shop's");

    // Set to the shop (a blind dropship), the same parcel's label names the shop.
    let body = app
        .gql_with(Some(&admin), UPDATE, json!({ "code": "northwood", "input": { "labelSender": "SHOP" } }))
        .await;
    ok(&body);
    let pdf = text(label).await;
    assert!(pdf.contains(SHOP) && !pdf.contains(MILL), "blind: the shop's name only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_supplier_lists_its_requests_accepts_with_a_day_and_ships_and_the_customer_is_told_each_step() {
    use ordo_gateway::app::mail::MailTransport;
    use ordo_tests::smtp::SmtpServer;

    let smtp = SmtpServer::start().await;
    let app = crate::messages::gateway(MailTransport::Smtp(smtp.url())).await;
    let (order, _) = paid_order(
        &app,
        "hedy@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "CHAIR-ASH", "quantity": 2 }]),
    )
    .await;
    let create = "mutation($id: String!) { createShipments(orderId: $id) { order { reference } } }";
    let reference =
        ok(&app.gql(create, json!({ "id": order })).await)["createShipments"]["order"]["reference"]
            .as_str()
            .unwrap()
            .to_owned();

    // Northwood's portal: its open request, its lines and the ship-to address, nothing else.
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let requests = "{ dropshipRequests { id reference email shippingAddress { name line1 postalCode }
        lines { sku quantity } shipments { id source state shipBy } } }";
    let body = app.gql_with(Some(&northwood), requests, json!({})).await;
    let listed = ok(&body)["dropshipRequests"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let request = &listed[0];
    assert_eq!(
        (request["id"].as_str(), request["reference"].as_str()),
        (Some(order.as_str()), Some(reference.as_str()))
    );
    assert_eq!(request["email"], Value::Null, "never the customer's e-mail");
    assert_eq!(request["shippingAddress"]["line1"], "12 Analytical Row");
    assert_eq!(request["lines"], json!([{ "sku": "CHAIR-ASH", "quantity": 2 }]), "only its own lines");
    let shipments = request["shipments"].as_array().unwrap();
    assert_eq!(shipments.len(), 1, "only its own parcels: {shipments:?}");
    assert_eq!((shipments[0]["state"].as_str(), &shipments[0]["shipBy"]), (Some("pending"), &Value::Null));
    let parcel = shipments[0]["id"].as_str().unwrap().to_owned();
    // Another supplier sees none of it, and may not ask for northwood's.
    let acme = app.token(&Actor::Supplier { supplier: "acme".into() });
    let body = app.gql_with(Some(&acme), requests, json!({})).await;
    assert_eq!(ok(&body)["dropshipRequests"], json!([]));
    let body =
        app.gql_with(Some(&acme), "{ dropshipRequests(supplier: \"northwood\") { id } }", json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let accept = "mutation($id: String!, $s: String!, $d: NaiveDate!) {
        acceptShipment(orderId: $id, shipmentId: $s, shipBy: $d) { order { shipments { id shipBy } } } }";
    let ship_by = (chrono::Utc::now().date_naive() + chrono::Days::new(3)).to_string();
    let body = app.gql_with(Some(&acme), accept, json!({ "id": order, "s": parcel, "d": ship_by })).await;
    assert!(error_code(&body).is_some(), "acme cannot accept northwood's parcel: {body}");

    // Northwood accepts for a day three days on: the customer is told that day.
    let before = smtp.received().len();
    let body =
        app.gql_with(Some(&northwood), accept, json!({ "id": order, "s": parcel, "d": ship_by })).await;
    assert_eq!(ok(&body)["acceptShipment"]["order"]["shipments"][0]["shipBy"], ship_by.as_str());
    let past = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let body = app.gql_with(Some(&northwood), accept, json!({ "id": order, "s": parcel, "d": past })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let mails = eventually(WAIT, || async {
        let got: Vec<Value> = smtp.received()[before..]
            .iter()
            .filter(|m| m["subject"].as_str().unwrap().contains("Our partner will send"))
            .cloned()
            .collect();
        (!got.is_empty()).then_some(got)
    })
    .await
    .expect("the customer is told the partner's day");
    assert_eq!(mails[0]["rcpt_tos"], json!(["hedy@example.com"]));
    assert!(mails[0]["text"].as_str().unwrap().contains("will send it by"), "{}", mails[0]["text"]);

    // Northwood ships with its tracking number: the customer's mail has the tracking link, and
    // the request leaves the open list.
    let ship =
        "mutation($id: String!, $s: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: \"UPS\",
        trackingNumber: \"1Z999AA10123456784\") { order { shipments { state trackingUrl } } } }";
    let body = app.gql_with(Some(&northwood), ship, json!({ "id": order, "s": parcel })).await;
    let shipped = &ok(&body)["shipShipment"]["order"]["shipments"][0];
    assert_eq!(shipped["state"], "shipped");
    let link = shipped["trackingUrl"].as_str().unwrap().to_owned();
    let told = eventually(WAIT, || async {
        smtp.received()
            .into_iter()
            .find(|m| m["subject"].as_str().unwrap().ends_with(&format!("Order {reference} is on its way")))
    })
    .await
    .expect("the shipped message");
    assert!(told["text"].as_str().unwrap().contains(&link), "{}", told["text"]);
    let body = app.gql_with(Some(&northwood), requests, json!({})).await;
    assert_eq!(ok(&body)["dropshipRequests"], json!([]), "nothing left to send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_supplier_that_cannot_send_its_parcel_rejects_it_and_only_those_items_are_cancelled_and_told() {
    use ordo_gateway::app::mail::MailTransport;
    use ordo_tests::smtp::SmtpServer;

    let smtp = SmtpServer::start().await;
    let app = crate::messages::gateway(MailTransport::Smtp(smtp.url())).await;
    let (order, _) = paid_order(
        &app,
        "ida@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "LAMP-DESK", "quantity": 1 }]),
    )
    .await;
    let totals = "query($id: ID!) { order(id: $id) { totals { grandTotal { amount } }
        lines { sku remaining } shipments { id source state } } }";
    let before = ok(&app.gql(totals, json!({ "id": order })).await)["order"].clone();
    let parcel = plan_parcels(&app, &order, "supplier:northwood").await;
    let reject = "mutation($id: String!, $s: String!, $r: String!) {
        rejectShipment(orderId: $id, shipmentId: $s, reason: $r) { order { id } } }";
    // Once the customer's mails so far are sent and recorded (the confirmation, the partner
    // parcel), another supplier cannot reject and a reason is required: nothing changes.
    eventually(WAIT, || async {
        let rows = crate::messages::messages_of(&app, &order).await;
        (rows.len() == 2 && rows.iter().all(|r| r["state"] == "SENT")).then_some(())
    })
    .await
    .expect("the first two messages sent");
    let acme = app.token(&Actor::Supplier { supplier: "acme".into() });
    let dump = app.store.dump().await.unwrap();
    let body = app.gql_with(Some(&acme), reject, json!({ "id": order, "s": parcel, "r": "not ours" })).await;
    assert!(error_code(&body).is_some(), "{body}");
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let body = app.gql_with(Some(&northwood), reject, json!({ "id": order, "s": parcel, "r": "  " })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(app.store.dump().await.unwrap(), dump, "refusals change nothing");

    let sent = smtp.received().len();
    let body = app
        .gql_with(Some(&northwood), reject, json!({ "id": order, "s": parcel, "r": "no brass left" }))
        .await;
    ok(&body);
    let after = ok(&app.gql(totals, json!({ "id": order })).await)["order"].clone();
    assert_eq!(
        after["lines"],
        json!([{ "sku": "MUG-STONE", "remaining": 1 }, { "sku": "LAMP-DESK", "remaining": 0 }])
    );
    assert!(
        after["totals"]["grandTotal"]["amount"].as_i64().unwrap()
            < before["totals"]["grandTotal"]["amount"].as_i64().unwrap(),
        "the lamp no longer counts: {after}"
    );
    let states: Vec<(&str, &str)> = after["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["source"].as_str().unwrap(), s["state"].as_str().unwrap()))
        .collect();
    assert!(
        states.contains(&("supplier:northwood", "cancelled")) && states.contains(&("east", "pending")),
        "{states:?}"
    );
    let told = eventually(WAIT, || async {
        smtp.received()[sent..].iter().find(|m| m["rcpt_tos"] == json!(["ida@example.com"])).cloned()
    })
    .await
    .expect("the customer is told");
    assert!(told["text"].as_str().unwrap().contains("Brass desk lamp"), "{}", told["text"]);
    let body = app.gql_with(Some(&northwood), "{ dropshipRequests { id } }", json!({})).await;
    assert_eq!(ok(&body)["dropshipRequests"], json!([]), "nothing left to send");
}

const CREATE: &str =
    "mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id source } } } }";

/// Staff make `order`'s parcels; the id of the one from `source` (`supplier:northwood`).
async fn plan_parcels(app: &TestApp, order: &str, source: &str) -> String {
    let planned = app.gql(CREATE, json!({ "id": order })).await;
    ok(&planned)["createShipments"]["order"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("no parcel from {source}: {planned}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The lines of `order` with where their units come from, its payment and parcels.
async fn sourcing(app: &TestApp, order: &str) -> Value {
    let query = "query($id: ID!) { order(id: $id) { payment { status refunded { amount } }
        lines { sku remaining availability { quantity kind supplier promisedOn } }
        shipments { id source state } } }";
    ok(&app.gql(query, json!({ "id": order })).await)["order"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_that_backorders_keeps_what_its_partner_cannot_send_waiting_and_staff_hand_it_to_another() {
    use ordo_gateway::app::mail::MailTransport;
    use ordo_tests::smtp::SmtpServer;

    let smtp = SmtpServer::start().await;
    let app = crate::messages::gateway(MailTransport::Smtp(smtp.url())).await;
    let mut rules = ordo_gateway::seed::demo_rules();
    rules.rejected_dropship = ordo_core::supplier::RejectedDropship::Backorder;
    app.store.set_rules(&rules).await.unwrap();
    let (order, _) = paid_order(
        &app,
        "joan@example.com",
        json!([{ "sku": "MUG-STONE", "quantity": 1 }, { "sku": "LAMP-DESK", "quantity": 2 }]),
    )
    .await;
    let parcel = plan_parcels(&app, &order, "supplier:northwood").await;
    eventually(WAIT, || async {
        let rows = crate::messages::messages_of(&app, &order).await;
        (rows.len() == 2 && rows.iter().all(|r| r["state"] == "SENT")).then_some(())
    })
    .await
    .expect("the confirmation and the partner parcel told");
    let before = sourcing(&app, &order).await;
    let sent = smtp.received().len();

    // Northwood cannot send the lamps: they wait, promised after its lead time (10 days).
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let reject = "mutation($id: String!, $s: String!) {
        rejectShipment(orderId: $id, shipmentId: $s, reason: \"kiln broke\") { order { id } } }";
    ok(&app.gql_with(Some(&northwood), reject, json!({ "id": order, "s": parcel })).await);
    let day = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    let after = sourcing(&app, &order).await;
    assert_eq!(
        after["lines"][1],
        json!({ "sku": "LAMP-DESK", "remaining": 2,
                "availability": [{ "quantity": 2, "kind": "BACKORDERED", "supplier": null, "promisedOn": day }] }),
        "{after}"
    );
    assert_eq!(after["payment"], before["payment"], "no money moves");
    assert!(
        after["shipments"]
            .as_array()
            .unwrap()
            .contains(&json!({ "id": parcel, "source": "supplier:northwood", "state": "cancelled" }))
    );
    let waiting = app.store.waiting_backorders("LAMP-DESK").await.unwrap();
    assert_eq!(
        waiting.iter().map(|b| (b.order_id.as_str(), b.quantity)).collect::<Vec<_>>(),
        [(order.as_str(), 2)]
    );
    let told = eventually(WAIT, || async {
        smtp.received()[sent..].iter().find(|m| m["rcpt_tos"] == json!(["joan@example.com"])).cloned()
    })
    .await
    .expect("the customer is told");
    let text = told["text"].as_str().unwrap();
    assert!(
        text.contains("Our partner cannot send Brass desk lamp after all, so it is on backorder"),
        "{text}"
    );
    assert!(text.contains("choose=cancel-line-1"), "the choice to cancel for a refund: {text}");
    let timeline = "query($id: ID!) { order(id: $id) { timeline { type data } } }";
    let body = app.gql(timeline, json!({ "id": order })).await;
    assert!(
        ok(&body)["order"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "shipment_rejected" && e["data"].to_string().contains("kiln broke")),
        "the reason is on the timeline: {body}"
    );

    // Bad hand-overs are refused and change nothing.
    let hand = "mutation($id: String!, $line: Int!, $supplier: String!) {
        dropshipLine(orderId: $id, line: $line, part: 0, supplier: $supplier) { order { id } } }";
    let staff = app.token(&Actor::Staff);
    let dump = app.store.dump().await.unwrap();
    for (what, line, supplier, code) in [
        ("an unknown partner", 1, "nobody", "BAD_USER_INPUT"),
        ("units in the warehouse's parcel", 0, "harbor", "INVALID_TRANSITION"),
        ("a line that is not there", 9, "harbor", "NOT_FOUND"),
    ] {
        let body = app
            .gql_with(Some(&staff), hand, json!({ "id": order, "line": line, "supplier": supplier }))
            .await;
        assert_eq!(error_code(&body), Some(code), "{what}: {body}");
    }
    let body = app
        .gql_with(Some(&northwood), hand, json!({ "id": order, "line": 1, "supplier": "northwood" }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "a supplier does not hand work to itself: {body}");
    assert_eq!(app.store.dump().await.unwrap(), dump, "refusals change nothing");

    // Staff hand them to Harbor: they leave the queue; the parcel they make asks Harbor.
    let sent = smtp.received().len();
    ok(&app.gql_with(Some(&staff), hand, json!({ "id": order, "line": 1, "supplier": "harbor" })).await);
    assert!(app.store.waiting_backorders("LAMP-DESK").await.unwrap().is_empty(), "out of the queue");
    ok(&app.gql_with(Some(&staff), CREATE, json!({ "id": order })).await);
    let after = sourcing(&app, &order).await;
    assert_eq!(
        after["lines"][1]["availability"],
        json!([{ "quantity": 2, "kind": "DROPSHIPPED", "supplier": "harbor", "promisedOn": null }])
    );
    let harbor_parcel =
        after["shipments"].as_array().unwrap().iter().find(|s| s["source"] == "supplier:harbor").cloned();
    assert_eq!(harbor_parcel.map(|p| p["state"].clone()), Some(json!("pending")), "{after}");
    let asked = eventually(WAIT, || async {
        smtp.received()[sent..].iter().find(|m| m["rcpt_tos"] == json!(["orders@harbor.example"])).cloned()
    })
    .await
    .expect("Harbor is asked by mail");
    assert!(asked["text"].as_str().unwrap().contains("Brass desk lamp"), "{}", asked["text"]);
}

#[tokio::test]
async fn staff_put_units_whose_stock_was_lost_on_backorder_and_their_reservation_is_released() {
    let app = TestApp::spawn().await;
    let (order, _) =
        paid_order(&app, "kay@example.com", json!([{ "sku": "MUG-STONE", "quantity": 2 }])).await;
    let (reserved, rows) = app.store.reserved_total("MUG-STONE").await.unwrap();
    let staff = app.token(&Actor::Staff);
    let backorder = "mutation($id: String!, $day: NaiveDate!) {
        backorderLine(orderId: $id, line: 0, part: 0, promised: $day) { order { lines { availability { kind promisedOn } } } } }";
    let dump = app.store.dump().await.unwrap();
    let past = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let body = app.gql_with(Some(&staff), backorder, json!({ "id": order, "day": past })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(app.store.dump().await.unwrap(), dump, "a day in the past changes nothing");

    let day = (chrono::Utc::now().date_naive() + chrono::Days::new(6)).to_string();
    let body = app.gql_with(Some(&staff), backorder, json!({ "id": order, "day": day })).await;
    assert_eq!(
        ok(&body)["backorderLine"]["order"]["lines"][0]["availability"],
        json!([{ "kind": "BACKORDERED", "promisedOn": day }])
    );
    assert_eq!(app.store.reserved_total("MUG-STONE").await.unwrap(), (reserved - 2, rows - 2), "released");
    let waiting = app.store.waiting_backorders("MUG-STONE").await.unwrap();
    assert_eq!(
        waiting.iter().map(|b| (b.order_id.as_str(), b.quantity)).collect::<Vec<_>>(),
        [(order.as_str(), 2)]
    );
}
