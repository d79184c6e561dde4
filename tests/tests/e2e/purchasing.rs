//! Purchasing end to end: stock adjustments, low stock, purchase orders from suppliers (many
//! lines, costed from what the supplier supplies, drafted, sent, received in parts into waiting
//! backorders, closed), and what a supplier may see of them.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_gateway::app::Actor;
use ordo_tests::{TestApp, error_code};
use serde_json::{Value, json};

fn order_input(sku: &str, quantity: i64) -> Value {
    json!({ "channel": "web", "currency": "USD", "email": "ada@example.com",
            "lines": [{ "sku": sku, "quantity": quantity }],
            "shippingAddress": { "name": "Ada", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                                 "postalCode": "62701", "country": "US" } })
}

async fn place(app: &TestApp, sku: &str, quantity: i64) -> String {
    let body = app
        .gql(
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }",
            json!({ "input": order_input(sku, quantity) }),
        )
        .await;
    body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("placed: {body}")).to_owned()
}

async fn availability(app: &TestApp, id: &str) -> Vec<String> {
    let body = app
        .gql(
            "query($id: String!) { order(id: $id) { lines { availability { kind } } timeline { type } } }",
            json!({ "id": id }),
        )
        .await;
    body["data"]["order"]["lines"][0]["availability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_receipt_allocates_waiting_backorders_oldest_first() {
    let app = TestApp::spawn().await;
    // HOODIE-GRY-L has no stock and backorders.
    let first = place(&app, "HOODIE-GRY-L", 2).await;
    let second = place(&app, "HOODIE-GRY-L", 3).await;
    assert_eq!(availability(&app, &first).await, vec!["BACKORDERED"]);

    let create =
        "mutation { createPurchaseOrder(supplier: \"harbor\", location: \"east\", expectedOn: \"2099-01-01\",
        lines: [{ sku: \"HOODIE-GRY-L\", quantity: 10 }]) { purchaseOrder { id open status } } }";
    let po = app.gql(create, json!({})).await;
    assert_eq!(po["data"]["createPurchaseOrder"]["purchaseOrder"]["status"], "SENT", "{po}");
    let po_id = po["data"]["createPurchaseOrder"]["purchaseOrder"]["id"].as_str().expect("po id").to_owned();

    let receive = "mutation($id: String!, $q: Int!) { receivePurchaseOrder(id: $id, lines: [{ sku: \"HOODIE-GRY-L\", quantity: $q }]) {
        purchaseOrder { status open lines { received outstanding } } allocated { orderId sku quantity } } }";
    // 4 units: enough for the oldest (2), not for the next (3): strictly oldest first.
    let body = app.gql(receive, json!({ "id": po_id, "q": 4 })).await;
    let receipt = &body["data"]["receivePurchaseOrder"];
    assert_eq!(
        receipt["allocated"],
        json!([{ "orderId": first, "sku": "HOODIE-GRY-L", "quantity": 2 }]),
        "{body}"
    );
    assert_eq!(
        receipt["purchaseOrder"],
        json!({ "status": "PARTIALLY_RECEIVED", "open": true, "lines": [{ "received": 4, "outstanding": 6 }] })
    );
    assert_eq!(availability(&app, &first).await, vec!["ALLOCATED"]);
    assert_eq!(availability(&app, &second).await, vec!["BACKORDERED"]);
    let listed = app.gql("{ orders(first: 10) { edges { node { id state } } } }", json!({})).await;
    assert_eq!(
        listed["data"]["orders"]["edges"].as_array().map(Vec::len),
        Some(2),
        "both still listed: {listed}"
    );
    let timeline =
        app.gql("query($id: String!) { order(id: $id) { timeline { type } } }", json!({ "id": first })).await;
    assert_eq!(timeline["data"]["order"]["timeline"][1]["type"], "line_allocated");

    let body = app.gql(receive, json!({ "id": po_id, "q": 6 })).await;
    assert_eq!(
        body["data"]["receivePurchaseOrder"]["allocated"],
        json!([{ "orderId": second, "sku": "HOODIE-GRY-L", "quantity": 3 }])
    );
    assert_eq!(body["data"]["receivePurchaseOrder"]["purchaseOrder"]["status"], "RECEIVED");
    assert_eq!(body["data"]["receivePurchaseOrder"]["purchaseOrder"]["open"], false);
    let stock = app.gql("{ stock(sku: \"HOODIE-GRY-L\") { location onHand reserved } }", json!({})).await;
    assert_eq!(stock["data"]["stock"][0], json!({ "location": "east", "onHand": 10, "reserved": 5 }));

    let over = app.gql(receive, json!({ "id": po_id, "q": 1 })).await;
    assert_eq!(error_code(&over), Some("BAD_USER_INPUT"), "a closed purchase order takes no more");
}

#[tokio::test]
async fn stock_adjustments_never_drop_below_reservations() {
    let app = TestApp::spawn().await;
    place(&app, "TEE-WHT-M", 3).await; // east has 3: all reserved
    let adjust = "mutation($d: Int!) { adjustStock(sku: \"TEE-WHT-M\", location: \"east\", delta: $d, reason: \"cycle count\") { onHand reserved available } }";
    let refused = app.gql(adjust, json!({ "d": -1 })).await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"));
    let body = app.gql(adjust, json!({ "d": 5 })).await;
    assert_eq!(body["data"]["adjustStock"], json!({ "onHand": 8, "reserved": 3, "available": 5 }));
    let unknown = app
        .gql(
            "mutation { adjustStock(sku: \"NOPE\", location: \"east\", delta: 1, reason: \"x\") { onHand } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
}

#[tokio::test]
async fn low_stock_lists_products_below_their_reorder_point() {
    let app = TestApp::spawn().await;
    let body = app.gql("{ lowStock { product { sku } available reorderPoint } }", json!({})).await;
    let skus: Vec<&str> = body["data"]["lowStock"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["product"]["sku"].as_str())
        .collect();
    assert!(skus.contains(&"HOODIE-GRY-L") && skus.contains(&"BOOK-DESIGN"), "{skus:?}");
    assert!(!skus.contains(&"TEE-BLK-M"));
    assert!(!skus.contains(&"DESK-OAK"), "dropshipped products have no stock to reorder");
}

const PO_FIELDS: &str = "id number supplier location status open expectedOn sentAt document
    total { amount currency } lines { sku quantity received outstanding unitCost { amount } }";

#[tokio::test]
async fn a_purchase_order_holds_many_lines_costed_from_what_the_supplier_supplies_and_is_drafted_sent_and_received()
 {
    let app = TestApp::spawn().await;
    let admin = app.token(&Actor::Admin);
    // Harbor sells the shop a stoneware mug for $3.10 (its number HB-MG-1).
    let set = "mutation { setSupplierItem(supplier: \"harbor\", sku: \"MUG-STONE\", unitCost: 310, supplierSku: \"HB-MG-1\") {
        supplier sku supplierSku unitCost } }";
    let body = app.gql_with(Some(&admin), set, json!({})).await;
    assert_eq!(
        body["data"]["setSupplierItem"],
        json!({ "supplier": "harbor", "sku": "MUG-STONE", "supplierSku": "HB-MG-1", "unitCost": 310 }),
        "{body}"
    );
    let staff_sets = app.gql(set, json!({})).await;
    assert_eq!(error_code(&staff_sets), Some("FORBIDDEN"), "costs are an admin's to set");
    let items = app.gql("{ supplierItems(supplier: \"harbor\") { sku unitCost } }", json!({})).await;
    assert!(
        items["data"]["supplierItems"]
            .as_array()
            .unwrap()
            .contains(&json!({ "sku": "MUG-STONE", "unitCost": 310 }))
    );

    // A draft of two lines: the mug at Harbor's cost, a hoodie at a price agreed for this order.
    let create = format!(
        "mutation($lines: [PurchaseOrderLineInput!]!) {{ createPurchaseOrder(supplier: \"harbor\", location: \"east\",
            expectedOn: \"2099-01-01\", lines: $lines, send: false) {{ purchaseOrder {{ {PO_FIELDS} }} repromised {{ orderId }} }} }}"
    );
    let lines = json!([{ "sku": "MUG-STONE", "quantity": 24 }, { "sku": "HOODIE-GRY-L", "quantity": 5, "unitCost": 1700 }]);
    let body = app.gql(&create, json!({ "lines": lines })).await;
    let po = body["data"]["createPurchaseOrder"]["purchaseOrder"].clone();
    let id = po["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    assert!(po["number"].as_str().unwrap().starts_with("PO-50"), "{po}");
    assert_eq!((&po["status"], &po["open"], &po["sentAt"]), (&json!("DRAFT"), &json!(false), &Value::Null));
    assert_eq!(po["total"], json!({ "amount": 24 * 310 + 5 * 1700, "currency": "USD" }));
    assert_eq!(
        po["lines"],
        json!([
            { "sku": "MUG-STONE", "quantity": 24, "received": 0, "outstanding": 0, "unitCost": { "amount": 310 } },
            { "sku": "HOODIE-GRY-L", "quantity": 5, "received": 0, "outstanding": 0, "unitCost": { "amount": 1700 } },
        ])
    );
    // A draft is nobody's promise and the supplier cannot see it; it is not received either.
    let restocks = "{ product(sku: \"HOODIE-GRY-L\") { restocks { on units } } }";
    let before = app.gql(restocks, json!({})).await;
    assert!(!before.to_string().contains("2099-01-01"), "{before}");
    let harbor = app.token(&Actor::Supplier { supplier: "harbor".into() });
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let listed = app.gql("{ purchaseOrders { id status } }", json!({})).await;
    assert!(
        listed["data"]["purchaseOrders"]
            .as_array()
            .unwrap()
            .contains(&json!({ "id": id, "status": "DRAFT" })),
        "staff list their drafts with the open orders: {listed}"
    );
    let theirs =
        app.gql_with(Some(&harbor), "{ purchaseOrders(includeClosed: true) { id } }", json!({})).await;
    assert!(!theirs.to_string().contains(&id), "not the supplier's to see yet: {theirs}");
    let one = "query($id: String!) { purchaseOrder(id: $id) { number status } }";
    assert_eq!(error_code(&app.gql_with(Some(&harbor), one, json!({ "id": id })).await), Some("NOT_FOUND"));
    let receive =
        "mutation($id: String!, $lines: [LineUnitsInput!]!) { receivePurchaseOrder(id: $id, lines: $lines) {
        purchaseOrder { status lines { received } } } }";
    let early = app.gql(receive, json!({ "id": id, "lines": [{ "sku": "MUG-STONE", "quantity": 1 }] })).await;
    assert_eq!(error_code(&early), Some("BAD_USER_INPUT"), "a draft is sent before it is received: {early}");

    // Sent: on its way, promised, and Harbor (only Harbor) sees it.
    let send = format!(
        "mutation($id: String!) {{ sendPurchaseOrder(id: $id) {{ purchaseOrder {{ {PO_FIELDS} }} }} }}"
    );
    let body = app.gql(&send, json!({ "id": id })).await;
    let sent = &body["data"]["sendPurchaseOrder"]["purchaseOrder"];
    assert_eq!((&sent["status"], &sent["open"]), (&json!("SENT"), &json!(true)), "{body}");
    assert!(sent["sentAt"].is_string());
    assert_eq!(sent["lines"][0]["outstanding"], 24);
    let after = app.gql(restocks, json!({})).await;
    assert!(
        after["data"]["product"]["restocks"]
            .as_array()
            .unwrap()
            .contains(&json!({ "on": "2099-01-01", "units": 5 })),
        "{after}"
    );
    let again = app.gql(&send, json!({ "id": id })).await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "sent once");
    let seen = app.gql_with(Some(&harbor), one, json!({ "id": id })).await;
    assert_eq!(seen["data"]["purchaseOrder"]["status"], "SENT", "{seen}");
    assert_eq!(
        error_code(&app.gql_with(Some(&northwood), one, json!({ "id": id })).await),
        Some("NOT_FOUND")
    );
    let listed =
        app.gql_with(Some(&northwood), "{ purchaseOrders(includeClosed: true) { id } }", json!({})).await;
    assert_eq!(listed["data"]["purchaseOrders"], json!([]), "Northwood sees none of Harbor's");
    let listed = app.gql_with(Some(&harbor), "{ purchaseOrders { id supplier } }", json!({})).await;
    let harbor_pos = listed["data"]["purchaseOrders"].as_array().unwrap();
    assert!(
        harbor_pos.iter().any(|p| p["id"] == id.as_str())
            && harbor_pos.iter().all(|p| p["supplier"] == "harbor")
    );
    // Its PDF opens for Harbor by its link: number, both lines with Harbor's number and costs.
    let link = seen_link(&app, &harbor, &id).await;
    let pdf = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = String::from_utf8_lossy(&pdf.bytes().await.unwrap()).into_owned();
    for word in
        [po["number"].as_str().unwrap(), "Harbor Supply Co.", "HB-MG-1", "HOODIE-GRY-L", "$3.10", "$159.40"]
    {
        assert!(text.contains(word), "{word} on the purchase order");
    }
    let stranger =
        app.client.get(app.url(&format!("/purchase-orders/{id}/purchase-order.pdf"))).send().await.unwrap();
    assert_eq!(stranger.status(), 401);

    // Received in parts: the mugs now, the hoodies later; then it is received.
    let body = app.gql(receive, json!({ "id": id, "lines": [{ "sku": "MUG-STONE", "quantity": 24 }] })).await;
    assert_eq!(
        body["data"]["receivePurchaseOrder"]["purchaseOrder"],
        json!({ "status": "PARTIALLY_RECEIVED", "lines": [{ "received": 24 }, { "received": 0 }] }),
        "{body}"
    );
    let over =
        app.gql(receive, json!({ "id": id, "lines": [{ "sku": "HOODIE-GRY-L", "quantity": 6 }] })).await;
    assert_eq!(error_code(&over), Some("BAD_USER_INPUT"), "never more than is still to come");
    let body =
        app.gql(receive, json!({ "id": id, "lines": [{ "sku": "HOODIE-GRY-L", "quantity": 5 }] })).await;
    assert_eq!(body["data"]["receivePurchaseOrder"]["purchaseOrder"]["status"], "RECEIVED", "{body}");
    let stock = app.gql("{ stock(sku: \"MUG-STONE\") { location onHand } }", json!({})).await;
    let east =
        stock["data"]["stock"].as_array().unwrap().iter().find(|s| s["location"] == "east").unwrap().clone();
    assert_eq!(east["onHand"], 24 + 30, "the demo's 30 and the 24 received: {stock}");
    let closed = app
        .gql(
            "mutation($id: String!) { closePurchaseOrder(id: $id) { purchaseOrder { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&closed), Some("BAD_USER_INPUT"), "a received order is closed already");
}

/// Purchase order `id`'s PDF link as `token`'s caller gets it.
async fn seen_link(app: &TestApp, token: &str, id: &str) -> String {
    let body = app
        .gql_with(
            Some(token),
            "query($id: String!) { purchaseOrder(id: $id) { document } }",
            json!({ "id": id }),
        )
        .await;
    body["data"]["purchaseOrder"]["document"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_supplier_is_mailed_and_sent_a_signed_webhook_when_its_purchase_order_is_sent_changed_and_cancelled()
 {
    use ordo_gateway::app::mail::MailTransport;
    use ordo_tests::eventually;
    use ordo_tests::smtp::SmtpServer;
    use ordo_tests::webhooks::WebhookReceiver;

    use crate::channels::secret;
    use crate::messages::{WAIT, gateway, ok};

    let smtp = SmtpServer::start().await;
    let app = gateway(MailTransport::Smtp(smtp.url())).await;
    let receiver = WebhookReceiver::start(&secret(4)).await;
    let admin = app.token(&Actor::Admin);
    let update = "mutation($input: UpdateSupplierInput!) { updateSupplier(code: \"harbor\", input: $input) { supplier { code } } }";
    let input = json!({ "input": { "webhookUrl": receiver.url(), "signingSecret": secret(4) } });
    ok(&app.gql_with(Some(&admin), update, input).await);
    let harbor_mail = || {
        smtp.received()
            .into_iter()
            .filter(|m| m["rcpt_tos"] == json!(["orders@harbor.example"]))
            .collect::<Vec<_>>()
    };

    // A draft tells Harbor nothing.
    let create = "mutation($send: Boolean!) { createPurchaseOrder(supplier: \"harbor\", location: \"west\",
        expectedOn: \"2099-03-01\", send: $send, lines: [{ sku: \"BLANKET-WOOL\", quantity: 12 }, { sku: \"BOOK-DESIGN\", quantity: 8 }]) {
        purchaseOrder { id number } } }";
    ok(&app.gql(create, json!({ "send": false })).await);
    // Sent at once: by mail with the PDF, and by a signed webhook.
    let body = app.gql(create, json!({ "send": true })).await;
    let id = ok(&body)["createPurchaseOrder"]["purchaseOrder"]["id"].as_str().unwrap().to_owned();
    let number = ok(&body)["createPurchaseOrder"]["purchaseOrder"]["number"].as_str().unwrap().to_owned();
    let told = receiver.wait_for(1, WAIT).await;
    assert_eq!(told[0]["type"], "purchase_order.sent");
    assert!(receiver.received().iter().all(|r| r["verified"] == true), "the signature verifies");
    let data = &told[0]["data"];
    assert_eq!(
        (&data["id"], &data["number"], &data["expectedOn"]),
        (&json!(id), &json!(number), &json!("2099-03-01"))
    );
    assert_eq!(data["deliverTo"], "West warehouse (Reno)");
    assert_eq!(
        data["lines"][0],
        json!({ "sku": "BLANKET-WOOL", "supplierSku": "HB-BW-02", "name": "Wool throw blanket", "quantity": 12, "received": 0, "unitCost": 3900 }),
        "{data}"
    );
    assert_eq!(data["total"], 12 * 3900 + 8 * 1420);
    let mail =
        eventually(WAIT, || async { harbor_mail().into_iter().next() }).await.expect("Harbor is mailed");
    assert_eq!(mail["subject"], format!("Lumen & Co: purchase order {number}"));
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("12 × Wool throw blanket (BLANKET-WOOL, your HB-BW-02) at $39.00"), "{text}");
    assert!(text.contains("$581.60") && text.contains("West warehouse (Reno)"), "{text}");
    let attachment = &mail["attachments"][0];
    assert_eq!(
        (&attachment["filename"], &attachment["content_type"]),
        (&json!(format!("{number}.pdf")), &json!("application/pdf"))
    );
    let pdf = attachment["latin1"].as_str().unwrap();
    for word in ["PURCHASE ORDER", number.as_str(), "HB-BW-02", "BOOK-DESIGN", "$39.00", "Total: $581.60"] {
        assert!(pdf.contains(word), "{word} on the PDF");
    }

    // Moved a week: Harbor is sent the changed order.
    let slip = "mutation($id: String!) { updatePurchaseOrder(id: $id, expectedOn: \"2099-03-08\", lines: [{ sku: \"BOOK-DESIGN\", quantity: 10 }]) { purchaseOrder { status } } }";
    assert_eq!(
        ok(&app.gql(slip, json!({ "id": id })).await)["updatePurchaseOrder"]["purchaseOrder"]["status"],
        "SENT"
    );
    let told = receiver.wait_for(2, WAIT).await;
    assert_eq!(told[1]["type"], "purchase_order.changed");
    assert_eq!(
        (&told[1]["data"]["expectedOn"], &told[1]["data"]["lines"][1]["quantity"]),
        (&json!("2099-03-08"), &json!(10))
    );
    let changed =
        eventually(WAIT, || async { harbor_mail().into_iter().nth(1) }).await.expect("told of the change");
    assert_eq!(changed["subject"], format!("Lumen & Co: purchase order {number} changed"));
    assert!(changed["text"].as_str().unwrap().contains("10 × Designing Data Systems"), "{changed}");

    // Closed before anything came: cancelled, and Harbor told to send nothing.
    let close = "mutation($id: String!) { closePurchaseOrder(id: $id) { purchaseOrder { status } } }";
    assert_eq!(
        ok(&app.gql(close, json!({ "id": id })).await)["closePurchaseOrder"]["purchaseOrder"]["status"],
        "CANCELLED"
    );
    let told = receiver.wait_for(3, WAIT).await;
    assert_eq!(told[2]["type"], "purchase_order.cancelled");
    assert!(receiver.received().iter().all(|r| r["verified"] == true), "every signature verifies");
    let cancelled = eventually(WAIT, || async { harbor_mail().into_iter().nth(2) })
        .await
        .expect("told of the cancellation");
    assert_eq!(cancelled["subject"], format!("Lumen & Co: purchase order {number} cancelled"));
    assert!(cancelled["text"].as_str().unwrap().contains("send nothing more"));

    // Each delivery is a row staff see, acknowledged; nothing is sent twice.
    let rows = eventually(WAIT, || async {
        let body = app.gql("{ webhooks(channel: \"supplier:harbor\") { id via state } }", json!({})).await;
        let rows = ok(&body)["webhooks"].as_array().unwrap().clone();
        (rows.len() == 6 && rows.iter().all(|r| r["state"] == "ACKNOWLEDGED")).then_some(rows)
    })
    .await
    .expect("three webhooks and three mails, acknowledged");
    assert_eq!(rows.iter().filter(|r| r["via"] == "EMAIL").count(), 3);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!((receiver.received().len(), harbor_mail().len()), (3, 3), "once each");
}
