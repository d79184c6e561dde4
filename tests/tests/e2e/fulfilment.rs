//! After payment, end to end: parcels per location picked, packed and shipped (stock consumed),
//! documents, delivery, cancellation (stock released, money voided or refunded), returns
//! (restock or write-off, refund once), goodwill refunds under concurrency, dropship suppliers,
//! cancelling some units of lines, and splitting and merging parcels before packing.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::sync::Arc;

use futures::future::join_all;
use ordo_gateway::app::Actor;
use ordo_tests::{TestApp, error_code, in_parallel, ups};
use serde_json::{Value, json};

const ORDER_FIELDS: &str = "order { id state grandTotal { amount } lines { total { amount } }
    payment { status authorized { amount } captured { amount } refunded { amount } }
    shipments { id state source units carrier trackingNumber trackingUrl service package { weightGrams material }
                documents { label commercialInvoice packingSlip } }
    returns { id state refunded { amount } } reservations { sku location quantity } }";

fn address() -> Value {
    json!({ "name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "Springfield", "region": "IL",
            "postalCode": "62701", "country": "US" })
}

/// A guest order, authorized with tok_visa; returns (order id, guest token).
async fn paid_order(app: &TestApp, lines: Value, key: &str) -> (String, String) {
    let body = app
        .gql_with(
            None,
            "mutation($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { order { id } accessToken } }",
            json!({ "key": key, "input": { "channel": "web", "currency": "USD", "email": "ada@example.com",
                    "lines": lines, "shippingAddress": address() } }),
        )
        .await;
    let id =
        body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let paid = app
        .gql_with(
            Some(&guest),
            "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }",
            json!({ "id": id }),
        )
        .await;
    assert!(paid["errors"].is_null(), "{paid}");
    (id, guest)
}

async fn run(app: &TestApp, token: Option<&str>, mutation: &str, variables: Value) -> Value {
    app.gql_with(token, mutation, variables).await
}

/// Each call (token, operation, variables) sent at once from its own task: on the
/// multi-threaded runtime they reach the gateway in parallel. Their answers, in order.
async fn at_once(app: &Arc<TestApp>, calls: Vec<(String, &'static str, Value)>) -> Vec<Value> {
    in_parallel(calls.len(), |i| {
        let (app, (token, operation, variables)) = (app.clone(), calls[i].clone());
        async move { app.gql_with(Some(&token), operation, variables).await }
    })
    .await
}

async fn stock(app: &TestApp, sku: &str, location: &str) -> (i64, i64) {
    let body = app
        .gql("query($sku: String!) { stock(sku: $sku) { location onHand reserved } }", json!({ "sku": sku }))
        .await;
    let row = body["data"]["stock"].as_array().unwrap().iter().find(|r| r["location"] == location).cloned();
    row.map_or((0, 0), |r| (r["onHand"].as_i64().unwrap(), r["reserved"].as_i64().unwrap()))
}

async fn order(app: &TestApp, id: &str) -> Value {
    let body = app
        .gql(
            &format!("query($id: ID!) {{ {} }}", ORDER_FIELDS.replacen("order {", "order(id: $id) {", 1)),
            json!({ "id": id }),
        )
        .await;
    body["data"]["order"].clone()
}

/// The barcodes on a one-page PDF as zbar reads them (`TYPE:text`), after poppler's `pdftoppm`
/// printed it at 203 dpi (`tests/run` installs both from Debian).
fn scan_barcodes(pdf: &[u8]) -> Vec<String> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("ordo-scan-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("label.pdf"), pdf).unwrap();
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-r", "203", "-mono", "-singlefile", "label.pdf", "label"])
        .current_dir(&dir)
        .status()
        .expect("pdftoppm (Debian's poppler-utils) renders the PDF");
    assert!(rendered.success());
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "label.pbm"])
        .current_dir(&dir)
        .output()
        .expect("zbarimg (Debian's zbar-tools) scans the image");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

fn shipment_from<'a>(order: &'a Value, source: &str) -> &'a Value {
    order["shipments"].as_array().unwrap().iter().find(|s| s["source"] == source).unwrap()
}

const CREATE: &str = "mutation($id: String!) { createShipments(orderId: $id) { order { id } } }";
const PICK: &str =
    "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }";
const PACK: &str = "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s,
    package: { lengthCm: 30, widthCm: 20, heightCm: 10, weightGrams: 850, material: \"box\" }) { order { id } } }";
const SHIP: &str = "mutation($id: String!, $s: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s,
    carrier: \"UPS\", service: \"Ground\", trackingNumber: $t, trackingUrl: \"https://ups.example/t\") { order { id } } }";
const DELIVER: &str =
    "mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { state } } }";
const CAPTURE: &str = "mutation($id: ID!) { capturePayment(orderId: $id) { replayed } }";
const CANCEL_LINES: &str = "mutation($id: String!, $lines: [LineQuantityInput!]!, $key: String) {
    cancelOrderLines(orderId: $id, lines: $lines, reason: \"no longer needed\", idempotencyKey: $key) { replayed } }";
const SPLIT: &str = "mutation($id: String!, $s: String!, $lines: [LineQuantityInput!]!) {
    splitShipment(orderId: $id, shipmentId: $s, lines: $lines) { order { id } } }";
const MERGE: &str = "mutation($id: String!, $ids: [String!]!) {
    mergeShipments(orderId: $id, shipmentIds: $ids) { order { id } } }";

fn ok(body: &Value) {
    assert!(body["errors"].is_null(), "{body}");
}

async fn ship(app: &TestApp, token: Option<&str>, id: &str, shipment: &str, tracking: &str) {
    for (m, vars) in [
        (PICK, json!({ "id": id, "s": shipment })),
        (PACK, json!({ "id": id, "s": shipment })),
        (SHIP, json!({ "id": id, "s": shipment, "t": tracking })),
    ] {
        let body = match token {
            Some(t) => run(app, Some(t), m, vars).await,
            None => app.gql(m, vars).await,
        };
        ok(&body);
    }
}

#[tokio::test]
async fn an_order_ships_in_one_parcel_per_location_consuming_stock_and_completes_on_delivery() {
    let app = TestApp::spawn().await;
    let east_before = stock(&app, "TEE-BLK-L", "east").await;
    let west_before = stock(&app, "SCARF-WOOL", "west").await;
    let (id, guest) = paid_order(
        &app,
        json!([{ "sku": "TEE-BLK-L", "quantity": 2 }, { "sku": "SCARF-WOOL", "quantity": 1 }]),
        "ful-key-1",
    )
    .await;
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (east_before.0, east_before.1 + 2));

    // Customers cannot run the warehouse.
    assert_eq!(error_code(&run(&app, Some(&guest), CREATE, json!({ "id": id })).await), Some("FORBIDDEN"));
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let o = order(&app, &id).await;
    assert_eq!(o["shipments"].as_array().unwrap().len(), 2, "{o}");
    let east = shipment_from(&o, "east")["id"].as_str().unwrap().to_owned();
    let west = shipment_from(&o, "west")["id"].as_str().unwrap().to_owned();

    // The pick list at east holds this order's tee, with its bin, until it is packed.
    let pick_list = "query($l: String!) { pickList(location: $l) { orderId lines { shipmentId sku name quantity bin } } }";
    let list = app.gql(pick_list, json!({ "l": "east" })).await;
    let group = list["data"]["pickList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["orderId"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(group["lines"][0]["sku"], "TEE-BLK-L");
    assert_eq!(group["lines"][0]["quantity"], 2);
    assert_eq!(group["lines"][0]["name"], "Organic tee, black, L");
    assert!(group["lines"][0]["bin"].as_str().is_some_and(|b| b.starts_with("A-")), "{group}");

    ship(&app, None, &id, &east, &ups("EAST0001")).await;
    let list = app.gql(pick_list, json!({ "l": "east" })).await;
    assert!(!list["data"]["pickList"].as_array().unwrap().iter().any(|g| g["orderId"] == id.as_str()));
    // Shipping consumed the reservation: on hand and reserved both went down.
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (east_before.0 - 2, east_before.1));
    let o = order(&app, &id).await;
    let parcel = shipment_from(&o, "east");
    assert_eq!(parcel["state"], "shipped");
    assert_eq!(parcel["service"], "Ground");
    assert_eq!(parcel["package"]["weightGrams"], 850);
    assert_eq!(o["reservations"], json!([{ "sku": "SCARF-WOOL", "location": "west", "quantity": 1 }]));
    // The parcel's share was captured as it shipped: the tees and the shipping charge.
    let lines: i64 =
        o["lines"].as_array().unwrap().iter().map(|l| l["total"]["amount"].as_i64().unwrap()).sum();
    let shipping = o["grandTotal"]["amount"].as_i64().unwrap() - lines;
    let tees = o["lines"][0]["total"]["amount"].as_i64().unwrap();
    assert_eq!(o["payment"]["status"], "partially_captured", "{o}");
    assert_eq!(o["payment"]["captured"]["amount"], tees + shipping);

    // Documents: PDFs for staff; a customer is told it does not exist.
    let label = parcel["documents"]["label"].as_str().unwrap().to_owned();
    for doc in [
        &label,
        parcel["documents"]["commercialInvoice"].as_str().unwrap(),
        parcel["documents"]["packingSlip"].as_str().unwrap(),
    ] {
        let r = app.client.get(app.url(doc)).bearer_auth(app.token(&Actor::Staff)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{doc}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(&id), "{doc} names the order");
    }
    let label_pdf = app
        .client
        .get(app.url(&label))
        .bearer_auth(app.token(&Actor::Staff))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        label_pdf.contains(&ups("EAST0001"))
            && label_pdf.contains("Ada Lovelace")
            && label_pdf.contains("UPS Ground")
    );
    // The barcode on the label, printed and scanned: poppler renders the page at 203 dpi (a
    // thermal label printer's resolution) and zbar, an independent barcode library, reads it.
    assert_eq!(scan_barcodes(label_pdf.as_bytes()), [format!("CODE-128:{}", ups("EAST0001"))]);
    let (path, signed) = label.split_once("?token=").expect("a signed link");
    let r = app.client.get(app.url(path)).bearer_auth(&guest).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.client.get(app.url(path)).send().await.unwrap().status(), 401);
    // The signed link opens the label in a browser, without a bearer header; it opens nothing
    // else, and a tampered one nothing at all.
    let r = app.client.get(app.url(&label)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let slip = path.replace("label.pdf", "packing-slip.pdf");
    let r = app.client.get(app.url(&format!("{slip}?token={signed}"))).send().await.unwrap();
    assert_eq!(r.status(), 401, "a label's link is not a packing slip's");
    let tampered = format!("{path}?token={}x", &signed[..signed.len() - 1]);
    assert_eq!(app.client.get(app.url(&tampered)).send().await.unwrap().status(), 401);
    let as_bearer = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(signed)
        .json(&json!({ "query": "{ orders(first: 1) { edges { node { id } } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(as_bearer.status(), 401, "a document link is no bearer token");
    // A guest (who may read the order, not its documents) gets no signed link.
    let mine = app
        .gql_with(
            Some(&guest),
            "query($id: ID!) { order(id: $id) { shipments { documents { label } } } }",
            json!({ "id": id }),
        )
        .await;
    let theirs = mine["data"]["order"]["shipments"][0]["documents"]["label"].as_str().unwrap().to_owned();
    assert!(!theirs.contains("token="), "{theirs}");
    assert_eq!(app.client.get(app.url(&theirs)).send().await.unwrap().status(), 401);

    ship(&app, None, &id, &west, &ups("WEST0001")).await;
    assert_eq!(stock(&app, "SCARF-WOOL", "west").await, (west_before.0 - 1, west_before.1));
    // The last parcel took the rest: nothing left to capture by hand.
    let o = order(&app, &id).await;
    assert_eq!(o["payment"]["status"], "captured", "{o}");
    assert_eq!(o["payment"]["captured"], o["grandTotal"]);
    assert_eq!(error_code(&app.gql(CAPTURE, json!({ "id": id })).await), Some("INVALID_TRANSITION"));
    let body = app.gql(DELIVER, json!({ "id": id, "s": east })).await;
    assert_eq!(body["data"]["markDelivered"]["order"]["state"], "confirmed", "{body}");
    let body = app.gql(DELIVER, json!({ "id": id, "s": west })).await;
    assert_eq!(body["data"]["markDelivered"]["order"]["state"], "completed", "{body}");
    assert_eq!(order(&app, &id).await["reservations"], json!([]));
}

#[tokio::test]
async fn cancelling_releases_reservations_and_voids_or_refunds_but_not_after_shipping() {
    let app = TestApp::spawn().await;
    let before = stock(&app, "MUG-STONE", "east").await;
    let cancel = "mutation($id: String!, $r: String!) { cancelOrder(orderId: $id, reason: $r) { order { state payment { status refunded { amount } } reservations { quantity } } } }";

    // Authorized, cancelled by the guest: the hold is voided and the units are free again.
    let (id, guest) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 3 }]), "cancel-key-1").await;
    assert_eq!(stock(&app, "MUG-STONE", "east").await, (before.0, before.1 + 3));
    let body = run(&app, Some(&guest), cancel, json!({ "id": id, "r": "changed my mind" })).await;
    ok(&body);
    assert_eq!(body["data"]["cancelOrder"]["order"]["state"], "cancelled");
    assert_eq!(body["data"]["cancelOrder"]["order"]["payment"]["status"], "voided");
    assert_eq!(body["data"]["cancelOrder"]["order"]["reservations"], json!([]));
    assert_eq!(stock(&app, "MUG-STONE", "east").await, before);
    // Twice is refused and changes nothing.
    let again = run(&app, Some(&guest), cancel, json!({ "id": id, "r": "again" })).await;
    assert_eq!(error_code(&again), Some("INVALID_TRANSITION"), "{again}");
    assert_eq!(stock(&app, "MUG-STONE", "east").await, before);

    // Captured, cancelled by staff: refunded in full.
    let (id, _) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 1 }]), "cancel-key-2").await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    let body = app.gql(cancel, json!({ "id": id, "r": "fraud check" })).await;
    ok(&body);
    assert_eq!(body["data"]["cancelOrder"]["order"]["payment"]["status"], "refunded", "{body}");

    // Shipped: refused, with advice to use a return; stock stays as shipped.
    let (id, guest) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 1 }]), "cancel-key-3").await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let o = order(&app, &id).await;
    ship(&app, None, &id, o["shipments"][0]["id"].as_str().unwrap(), &ups("CANCEL")).await;
    let after_ship = stock(&app, "MUG-STONE", "east").await;
    let body = app.gql(cancel, json!({ "id": id, "r": "too late" })).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("return"), "{body}");
    assert_eq!(stock(&app, "MUG-STONE", "east").await, after_ship);
    // Another customer's order answers like a missing one.
    let other = app.token(&Actor::Customer { id: "cus_other".into() });
    assert_eq!(
        error_code(&run(&app, Some(&other), cancel, json!({ "id": id, "r": "x" })).await),
        Some("NOT_FOUND")
    );
    let _ = guest;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_return_is_approved_received_into_stock_or_written_off_and_refunded_once() {
    let app = Arc::new(TestApp::spawn_apart_demo().await); // the gateway on its own runtime
    let (id, guest) = paid_order(
        &app,
        json!([{ "sku": "BOOK-COOK", "quantity": 3 }, { "sku": "TEA-EARL", "quantity": 2 }]),
        "ret-key-1",
    )
    .await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let o = order(&app, &id).await;
    for s in o["shipments"].as_array().unwrap() {
        let sid = s["id"].as_str().unwrap();
        ship(&app, None, &id, sid, &ups(sid)).await;
        ok(&app.gql(DELIVER, json!({ "id": id, "s": sid })).await);
    }
    let request = "mutation($id: String!, $lines: [ReturnLineInput!]!) { requestReturn(orderId: $id, lines: $lines) { order { returns { id state } } } }";
    let too_many = run(
        &app,
        Some(&guest),
        request,
        json!({ "id": id, "lines": [{ "line": 0, "quantity": 4, "reason": "x" }] }),
    )
    .await;
    assert_eq!(error_code(&too_many), Some("RETURN_NOT_ALLOWED"), "{too_many}");
    let body = run(&app, Some(&guest), request, json!({ "id": id, "lines": [
        { "line": 0, "quantity": 2, "reason": "too many" }, { "line": 1, "quantity": 1, "reason": "crushed box" }] })).await;
    ok(&body);
    let rma = body["data"]["requestReturn"]["order"]["returns"][0]["id"].as_str().unwrap().to_owned();

    // Only staff approve and receive.
    let approve =
        "mutation($id: String!, $rma: String!) { approveReturn(orderId: $id, rma: $rma) { order { id } } }";
    assert_eq!(
        error_code(&run(&app, Some(&guest), approve, json!({ "id": id, "rma": rma })).await),
        Some("FORBIDDEN")
    );
    ok(&app.gql(approve, json!({ "id": id, "rma": rma })).await);

    let west_books = stock(&app, "BOOK-COOK", "west").await;
    let tea = (stock(&app, "TEA-EARL", "east").await, stock(&app, "TEA-EARL", "west").await);
    let receive = "mutation($id: String!, $rma: String!, $lines: [ReceivedLineInput!]!) {
        receiveReturn(orderId: $id, rma: $rma, lines: $lines) { order { returns { state } } } }";
    let missing = app
        .gql(receive, json!({ "id": id, "rma": rma, "lines": [{ "line": 0, "restockTo": "west" }] }))
        .await;
    assert_eq!(error_code(&missing), Some("BAD_USER_INPUT"), "every line needs a disposition: {missing}");
    let unknown = app
        .gql(
            receive,
            json!({ "id": id, "rma": rma, "lines": [{ "line": 0, "restockTo": "moon" }, { "line": 1 }] }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    let body = app
        .gql(
            receive,
            json!({ "id": id, "rma": rma, "lines": [{ "line": 0, "restockTo": "west" }, { "line": 1 }] }),
        )
        .await;
    ok(&body);
    assert_eq!(body["data"]["receiveReturn"]["order"]["returns"][0]["state"], "received");
    assert_eq!(stock(&app, "BOOK-COOK", "west").await, (west_books.0 + 2, west_books.1), "restocked");
    assert_eq!(
        (stock(&app, "TEA-EARL", "east").await, stock(&app, "TEA-EARL", "west").await),
        tea,
        "written off"
    );

    // Refunded once, however often the button is pressed.
    let refund = "mutation($id: String!, $rma: String!) { refundReturn(orderId: $id, rma: $rma, idempotencyKey: \"refund-ret-1\") {
        replayed order { payment { refunded { amount } } returns { refunded { amount } } } } }";
    let staff = app.token(&Actor::Staff);
    let presses = (0..5).map(|_| (staff.clone(), refund, json!({ "id": id, "rma": rma }))).collect();
    let answers = at_once(&app, presses).await;
    for a in &answers {
        ok(a);
    }
    assert_eq!(answers.iter().filter(|a| a["data"]["refundReturn"]["replayed"] == false).count(), 1);
    // The paid share of 2 × $24.95 + 1 × $11.00, with its sales tax; shipping is kept. Worked
    // by hand: the books' line tax is 2 % (reduced) of $74.85 = $1.497, $1.50, of which two of
    // three units carry $1.00; the tea's is 6 % of $22.00 = $1.32, of which one of two carries
    // $0.66. $49.90 + $1.00 + $11.00 + $0.66 = $62.56.
    let o = order(&app, &id).await;
    let refunded = o["payment"]["refunded"]["amount"].as_i64().unwrap();
    assert_eq!(o["returns"][0]["refunded"]["amount"], refunded, "{o}");
    assert_eq!(refunded, 6256, "{o}");
    assert_eq!(o["payment"]["status"], "partially_refunded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_goodwill_refunds_never_exceed_what_was_captured() {
    let app = Arc::new(TestApp::spawn_apart_demo().await); // the gateway on its own runtime
    let (id, _) = paid_order(&app, json!([{ "sku": "PEN-SET", "quantity": 1 }]), "goodwill-key-1").await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    let captured = order(&app, &id).await["payment"]["captured"]["amount"].as_i64().unwrap();
    let slice = captured / 4;
    let refund = "mutation($id: String!, $a: Int!, $k: String!) { refundPayment(orderId: $id, amount: $a, reason: \"goodwill\", idempotencyKey: $k) { replayed } }";
    let staff = app.token(&Actor::Staff);
    let refunds = (0..12)
        .map(|i| (staff.clone(), refund, json!({ "id": id, "a": slice, "k": format!("goodwill-{i:04}") })))
        .collect();
    let answers = at_once(&app, refunds).await;
    let done = answers.iter().filter(|a| a["errors"].is_null()).count();
    let codes: Vec<Option<&str>> =
        answers.iter().filter(|a| !a["errors"].is_null()).map(error_code).collect();
    assert_eq!(done, 4, "{answers:?}");
    assert!(codes.iter().all(|c| *c == Some("INVALID_AMOUNT")), "{codes:?}");
    let refunded = order(&app, &id).await["payment"]["refunded"]["amount"].as_i64().unwrap();
    assert_eq!(refunded, 4 * slice);
    assert!(refunded <= captured);
}

#[tokio::test]
async fn a_supplier_ships_its_own_dropship_parcel_and_nobody_elses() {
    let app = TestApp::spawn().await;
    let (id, _) = paid_order(
        &app,
        json!([{ "sku": "DESK-OAK", "quantity": 1 }, { "sku": "MUG-STONE", "quantity": 1 }]),
        "drop-key-1",
    )
    .await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let o = order(&app, &id).await;
    let dropship = shipment_from(&o, "supplier:northwood")["id"].as_str().unwrap().to_owned();
    let own = shipment_from(&o, "east")["id"].as_str().unwrap().to_owned();
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let acme = app.token(&Actor::Supplier { supplier: "acme".into() });
    let body = run(&app, Some(&acme), PICK, json!({ "id": id, "s": dropship })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // The shop's own parcel is not the supplier's to touch (nor to know about).
    let body = run(&app, Some(&northwood), PICK, json!({ "id": id, "s": own })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    ship(&app, Some(&northwood), &id, &dropship, &ups("NW-778899")).await;
    let o = order(&app, &id).await;
    assert_eq!(shipment_from(&o, "supplier:northwood")["trackingNumber"], ups("NW-778899"));
    assert_eq!(shipment_from(&o, "east")["state"], "pending");
}

#[tokio::test]
async fn staff_bound_to_a_location_work_only_there() {
    let app = TestApp::spawn().await;
    let west = app.token(&Actor::WarehouseStaff { locations: vec!["west".into()] });
    let adjust = "mutation($l: String!) { adjustStock(sku: \"MUG-STONE\", location: $l, delta: 1, reason: \"count\") { onHand } }";
    assert!(run(&app, Some(&west), adjust, json!({ "l": "west" })).await["errors"].is_null());
    assert_eq!(error_code(&run(&app, Some(&west), adjust, json!({ "l": "east" })).await), Some("FORBIDDEN"));
    let picks = "query($l: String!) { pickList(location: $l) { orderId } }";
    assert!(run(&app, Some(&west), picks, json!({ "l": "west" })).await["errors"].is_null());
    assert_eq!(error_code(&run(&app, Some(&west), picks, json!({ "l": "east" })).await), Some("FORBIDDEN"));

    // An order with a parcel from each warehouse: west staff handle only the west one.
    let (id, _) = paid_order(
        &app,
        json!([{ "sku": "TEE-BLK-L", "quantity": 1 }, { "sku": "SCARF-WOOL", "quantity": 1 }]),
        "loc-key-1",
    )
    .await;
    ok(&run(&app, Some(&west), CREATE, json!({ "id": id })).await);
    let o = order(&app, &id).await;
    let east_parcel = shipment_from(&o, "east")["id"].as_str().unwrap().to_owned();
    let west_parcel = shipment_from(&o, "west")["id"].as_str().unwrap().to_owned();
    assert_eq!(
        error_code(&run(&app, Some(&west), PICK, json!({ "id": id, "s": east_parcel })).await),
        Some("FORBIDDEN")
    );
    ship(&app, Some(&west), &id, &west_parcel, &ups("WESTONLY")).await;
    let o = order(&app, &id).await;
    assert_eq!(
        (shipment_from(&o, "west")["state"].clone(), shipment_from(&o, "east")["state"].clone()),
        (json!("shipped"), json!("pending"))
    );
}

async fn timeline_len(app: &TestApp, id: &str) -> usize {
    let body = app.gql("query($id: ID!) { order(id: $id) { timeline { seq } } }", json!({ "id": id })).await;
    body["data"]["order"]["timeline"].as_array().unwrap().len()
}

async fn state_of(app: &TestApp, id: &str) -> (String, String, Vec<String>, Vec<String>) {
    let o = order(app, id).await;
    let shipments =
        o["shipments"].as_array().unwrap().iter().map(|s| s["state"].as_str().unwrap().to_owned()).collect();
    let returns =
        o["returns"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap().to_owned()).collect();
    (
        o["state"].as_str().unwrap().to_owned(),
        o["payment"]["status"].as_str().unwrap().to_owned(),
        shipments,
        returns,
    )
}

#[tokio::test]
async fn one_order_from_split_shipment_to_returns_review_and_feedback() {
    let app = TestApp::spawn().await;
    let customer = app.token(&Actor::Customer { id: "cus_scenario".into() });
    let place = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input, idempotencyKey: \"scenario-key-1\") { order { id } } }";
    let input = json!({ "channel": "web", "currency": "USD", "email": "ada@example.com",
        "lines": [{ "sku": "TEE-BLK-L", "quantity": 2 }, { "sku": "SCARF-WOOL", "quantity": 1 }], "shippingAddress": address() });
    let body = run(&app, Some(&customer), place, json!({ "input": input })).await;
    let id =
        body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_mastercard\") { replayed } }";
    ok(&run(&app, Some(&customer), pay, json!({ "id": id })).await);
    assert_eq!(state_of(&app, &id).await, ("confirmed".into(), "authorized".into(), vec![], vec![]));
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);

    // Split: one parcel from each warehouse.
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let o = order(&app, &id).await;
    let (east, west) = (
        shipment_from(&o, "east")["id"].as_str().unwrap().to_owned(),
        shipment_from(&o, "west")["id"].as_str().unwrap().to_owned(),
    );
    ship(&app, None, &id, &east, &ups("SCN-EAST")).await;
    ok(&app.gql(DELIVER, json!({ "id": id, "s": east })).await);
    // Partial delivery: the order is not complete yet; the delivered tee can be reviewed, the scarf not.
    assert_eq!(
        state_of(&app, &id).await,
        ("confirmed".into(), "captured".into(), vec!["delivered".into(), "pending".into()], vec![])
    );
    let review = "mutation($id: String!, $sku: String!) { submitReview(orderId: $id, sku: $sku, rating: 5, title: \"Great tee\", body: \"Fits well\") { id } }";
    let early = run(&app, Some(&customer), review, json!({ "id": id, "sku": "SCARF-WOOL" })).await;
    assert_eq!(error_code(&early), Some("NOT_DELIVERED"), "{early}");
    ok(&run(&app, Some(&customer), review, json!({ "id": id, "sku": "TEE-BLK-L" })).await);
    ship(&app, None, &id, &west, &ups("SCN-WEST")).await;
    ok(&app.gql(DELIVER, json!({ "id": id, "s": west })).await);
    assert_eq!(state_of(&app, &id).await.0, "completed");

    // Return one tee: restocked east and refunded.
    let request = "mutation($id: String!, $lines: [ReturnLineInput!]!) { requestReturn(orderId: $id, lines: $lines) { order { returns { id } } } }";
    ok(&run(
        &app,
        Some(&customer),
        request,
        json!({ "id": id, "lines": [{ "line": 0, "quantity": 1, "reason": "too big" }] }),
    )
    .await);
    let rma1 = format!("{id}-R1");
    let approve =
        "mutation($id: String!, $rma: String!) { approveReturn(orderId: $id, rma: $rma) { replayed } }";
    ok(&app.gql(approve, json!({ "id": id, "rma": rma1 })).await);
    let east_stock = stock(&app, "TEE-BLK-L", "east").await;
    let receive = "mutation($id: String!, $rma: String!) { receiveReturn(orderId: $id, rma: $rma, lines: [{ line: 0, restockTo: \"east\" }], refund: true, idempotencyKey: \"scenario-refund-1\") { replayed } }";
    ok(&app.gql(receive, json!({ "id": id, "rma": rma1 })).await);
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (east_stock.0 + 1, east_stock.1));
    // A second return (the scarf) is rejected.
    ok(&run(
        &app,
        Some(&customer),
        request,
        json!({ "id": id, "lines": [{ "line": 1, "quantity": 1, "reason": "changed mind" }] }),
    )
    .await);
    let reject = "mutation($id: String!, $rma: String!) { rejectReturn(orderId: $id, rma: $rma, reason: \"worn\") { replayed } }";
    ok(&app.gql(reject, json!({ "id": id, "rma": format!("{id}-R2") })).await);
    let (_, payment, _, returns) = state_of(&app, &id).await;
    assert_eq!(
        (payment.as_str(), returns),
        ("partially_refunded", vec!["refunded".to_owned(), "rejected".to_owned()])
    );

    // Feedback once.
    let feedback =
        "mutation($id: String!) { submitFeedback(orderId: $id, score: 9, comment: \"Quick\") { score } }";
    ok(&run(&app, Some(&customer), feedback, json!({ "id": id })).await);
    assert_eq!(
        error_code(&run(&app, Some(&customer), feedback, json!({ "id": id })).await),
        Some("ALREADY_SUBMITTED")
    );

    // order(id) shows the parcels (items, tracking, documents, events), returns, refunds,
    // reviews and feedback.
    let view = "query($id: ID!) { order(id: $id) {
        shipments { id items { sku quantity } carrier trackingNumber trackingUrl
                    documents { label commercialInvoice } events { type } }
        returns { id state } refunds { amount { amount } reason }
        reviews { sku rating title } feedback { score comment } } }";
    let body = run(&app, Some(&customer), view, json!({ "id": id })).await;
    let o = &body["data"]["order"];
    let east_parcel = o["shipments"].as_array().unwrap().iter().find(|s| s["id"] == east.as_str()).unwrap();
    assert_eq!(east_parcel["items"], json!([{ "sku": "TEE-BLK-L", "quantity": 2 }]), "{o}");
    assert_eq!(east_parcel["trackingNumber"], ups("SCN-EAST"));
    assert_eq!(east_parcel["documents"]["label"], format!("/documents/{id}/{east}/label.pdf"));
    let parcel_events: Vec<&str> =
        east_parcel["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        parcel_events,
        [
            "shipment_created",
            "shipment_picking_started",
            "shipment_packed",
            "shipment_shipped",
            "shipment_delivered"
        ]
    );
    assert_eq!(o["refunds"].as_array().unwrap().len(), 1, "{o}");
    assert_eq!(o["refunds"][0]["reason"], format!("return {rma1}"));
    assert_eq!(o["reviews"], json!([{ "sku": "TEE-BLK-L", "rating": 5, "title": "Great tee" }]));
    assert_eq!(o["feedback"], json!({ "score": 9, "comment": "Quick" }));

    // The timeline holds every step, in order.
    let body = app.gql("query($id: ID!) { order(id: $id) { timeline { type } } }", json!({ "id": id })).await;
    let kinds: Vec<&str> = body["data"]["order"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in [
        "placed",
        "payment_authorized",
        "confirmed",
        "payment_captured",
        "shipment_created",
        "shipment_shipped",
        "shipment_delivered",
        "completed",
        "return_requested",
        "return_approved",
        "return_received",
        "return_refunded",
        "payment_refunded",
        "return_rejected",
    ] {
        assert!(kinds.contains(&expected), "{expected} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn illegal_steps_are_refused_with_their_code_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (id, guest) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 1 }]), "illegal-key-1").await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let s = order(&app, &id).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    let before = app.store.dump().await.unwrap(); // every table
    // Ship before pack.
    let body = app.gql(SHIP, json!({ "id": id, "s": s, "t": ups("EARLY") })).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
    // Refund more than captured.
    let refund = "mutation($id: String!) { refundPayment(orderId: $id, amount: 99999999, reason: \"x\", idempotencyKey: \"too-much-1\") { replayed } }";
    assert_eq!(error_code(&app.gql(refund, json!({ "id": id })).await), Some("INVALID_AMOUNT"));
    // Return before delivery.
    let request = "mutation($id: String!) { requestReturn(orderId: $id, lines: [{ line: 0, quantity: 1, reason: \"x\" }]) { replayed } }";
    assert_eq!(
        error_code(&run(&app, Some(&guest), request, json!({ "id": id })).await),
        Some("RETURN_NOT_ALLOWED")
    );
    let changed = ordo_tests::changed_tables(&before, &app.store.dump().await.unwrap());
    assert!(changed.is_empty(), "nothing changed: {changed:#?}");
    // Split after pack.
    for m in [PICK, PACK] {
        ok(&app.gql(m, json!({ "id": id, "s": s })).await);
    }
    let before = app.store.dump().await.unwrap(); // every table
    let body = app.gql(SPLIT, json!({ "id": id, "s": s, "lines": [{ "line": 0, "quantity": 1 }] })).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
    assert_eq!(body["errors"][0]["message"], "cannot split a shipment that is packed");
    let changed = ordo_tests::changed_tables(&before, &app.store.dump().await.unwrap());
    assert!(changed.is_empty(), "nothing changed: {changed:#?}");
    // Cancel after ship, the whole order or a line.
    let body = app.gql(SHIP, json!({ "id": id, "s": s, "t": ups("LATE") })).await;
    ok(&body);
    let before = app.store.dump().await.unwrap(); // every table
    let cancel = "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"late\") { replayed } }";
    assert_eq!(error_code(&app.gql(cancel, json!({ "id": id })).await), Some("INVALID_TRANSITION"));
    let body = app.gql(CANCEL_LINES, json!({ "id": id, "lines": [{ "line": 0, "quantity": 1 }] })).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("request a return"), "{body}");
    let body = app.gql(CANCEL_LINES, json!({ "id": id, "lines": [{ "line": 0, "quantity": 5 }] })).await;
    assert_eq!(error_code(&body), Some("QUANTITY_EXCEEDS_REMAINING"), "{body}");
    let body = app.gql(CANCEL_LINES, json!({ "id": id, "lines": [{ "line": 0, "quantity": 0 }] })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let changed = ordo_tests::changed_tables(&before, &app.store.dump().await.unwrap());
    assert!(changed.is_empty(), "nothing changed: {changed:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_staff_shipping_one_parcel_at_once_ship_it_once() {
    let app = Arc::new(TestApp::spawn_apart_demo().await); // the gateway on its own runtime
    let (id, _) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 2 }]), "race-key-1").await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let s = order(&app, &id).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    for m in [PICK, PACK] {
        ok(&app.gql(m, json!({ "id": id, "s": s })).await);
    }
    let before = stock(&app, "MUG-STONE", "east").await;
    let a = app.token(&Actor::Staff);
    let b = app.token(&Actor::Admin);
    let answers = at_once(
        &app,
        vec![
            (a, SHIP, json!({ "id": id, "s": s, "t": ups("RACE-A") })),
            (b, SHIP, json!({ "id": id, "s": s, "t": ups("RACE-B") })),
        ],
    )
    .await;
    let (first, second) = (answers[0].clone(), answers[1].clone());
    let won = [&first, &second].iter().filter(|b| b["errors"].is_null()).count();
    assert_eq!(won, 1, "{first} {second}");
    let loser = if first["errors"].is_null() { &second } else { &first };
    // The loser re-read the parcel after the conflict and found it shipped.
    assert!(matches!(error_code(loser), Some("CONFLICT" | "INVALID_TRANSITION")), "{loser}");
    assert_eq!(stock(&app, "MUG-STONE", "east").await, (before.0 - 2, before.1 - 2), "stock consumed once");
    let shipped = order(&app, &id).await;
    let events =
        app.gql("query($id: ID!) { order(id: $id) { timeline { type } } }", json!({ "id": id })).await;
    let ships = events["data"]["order"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "shipment_shipped")
        .count();
    assert_eq!(ships, 1, "{shipped}");
}

/// Grand total, captured, refunded, and units per line still ordered.
async fn money(app: &TestApp, id: &str) -> (i64, i64, i64, Vec<i64>) {
    let body = app
        .gql(
            "query($id: ID!) { order(id: $id) { totals { grandTotal { amount } }
                payment { captured { amount } refunded { amount } } lines { remaining } } }",
            json!({ "id": id }),
        )
        .await;
    let o = &body["data"]["order"];
    (
        o["totals"]["grandTotal"]["amount"].as_i64().unwrap(),
        o["payment"]["captured"]["amount"].as_i64().unwrap(),
        o["payment"]["refunded"]["amount"].as_i64().unwrap(),
        o["lines"].as_array().unwrap().iter().map(|l| l["remaining"].as_i64().unwrap()).collect(),
    )
}

#[tokio::test]
async fn cancelling_some_units_releases_their_stock_lowers_the_total_and_refunds_what_was_captured() {
    let app = TestApp::spawn().await;
    let east_before = stock(&app, "TEE-BLK-L", "east").await;
    let (id, guest) = paid_order(
        &app,
        json!([{ "sku": "TEE-BLK-L", "quantity": 3 }, { "sku": "SCARF-WOOL", "quantity": 1 }]),
        "cancel-lines-key-1",
    )
    .await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let (total, captured, _, _) = money(&app, &id).await;
    let tee_line = app
        .gql("query($id: ID!) { order(id: $id) { lines { total { amount } } } }", json!({ "id": id }))
        .await["data"]["order"]["lines"][0]["total"]["amount"]
        .as_i64()
        .unwrap();

    // The customer (guest token) cancels one tee; a retry with the same key changes nothing more.
    let vars = json!({ "id": id, "lines": [{ "line": 0, "quantity": 1 }], "key": "cancel-one-tee" });
    ok(&run(&app, Some(&guest), CANCEL_LINES, vars.clone()).await);
    let again = run(&app, Some(&guest), CANCEL_LINES, vars).await;
    assert_eq!(again["data"]["cancelOrderLines"]["replayed"], true, "{again}");
    let share = tee_line / 3;
    assert_eq!(money(&app, &id).await, (total - share, captured, share, vec![2, 1]));
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (east_before.0, east_before.1 + 2));
    let o = order(&app, &id).await;
    assert_eq!(shipment_from(&o, "east")["units"], 2);
    assert!(
        o["reservations"]
            .as_array()
            .unwrap()
            .contains(&json!({ "sku": "TEE-BLK-L", "location": "east", "quantity": 2 })),
        "{o}"
    );
    let picks =
        app.gql("{ pickList(location: \"east\") { orderId lines { sku quantity } } }", json!({})).await;
    let ours =
        picks["data"]["pickList"].as_array().unwrap().iter().find(|g| g["orderId"] == id.as_str()).cloned();
    assert_eq!(ours.unwrap()["lines"], json!([{ "sku": "TEE-BLK-L", "quantity": 2 }]));

    // Cancelling the scarf empties the west parcel; then everything left goes: the order is cancelled.
    ok(&app.gql(CANCEL_LINES, json!({ "id": id, "lines": [{ "line": 1, "quantity": 1 }] })).await);
    assert_eq!(shipment_from(&order(&app, &id).await, "west")["state"], "cancelled");
    ok(&app.gql(CANCEL_LINES, json!({ "id": id, "lines": [{ "line": 0, "quantity": 2 }] })).await);
    let (_, captured_after, refunded, _) = money(&app, &id).await;
    assert_eq!(refunded, captured_after, "everything, shipping included, went back");
    let o = order(&app, &id).await;
    assert_eq!(o["state"], "cancelled");
    assert_eq!(o["payment"]["status"], "refunded");
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, east_before, "every tee released");
    let kinds =
        app.gql("query($id: ID!) { order(id: $id) { timeline { type } } }", json!({ "id": id })).await;
    let kinds: Vec<&str> = kinds["data"]["order"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in ["shipment_units_removed", "lines_cancelled", "payment_refunded", "cancelled"] {
        assert!(kinds.contains(&expected), "{expected} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn an_authorization_is_not_cut_but_the_capture_takes_only_what_is_still_due() {
    let app = TestApp::spawn().await;
    let (id, guest) = paid_order(
        &app,
        json!([{ "sku": "MUG-STONE", "quantity": 2 }, { "sku": "BOOK-RUST", "quantity": 1 }]),
        "cancel-lines-key-2",
    )
    .await;
    let (total, _, _, _) = money(&app, &id).await;
    ok(&run(&app, Some(&guest), CANCEL_LINES, json!({ "id": id, "lines": [{ "line": 1, "quantity": 1 }] }))
        .await);
    let (due, captured, refunded, remaining) = money(&app, &id).await;
    assert!(due < total);
    assert_eq!((captured, refunded, remaining), (0, 0, vec![2, 0]));
    assert_eq!(order(&app, &id).await["payment"]["status"], "authorized");
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    assert_eq!(money(&app, &id).await.1, due, "captured what is due, the rest of the hold released");
    assert_eq!(order(&app, &id).await["payment"]["status"], "captured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_partial_cancellations_and_refunds_never_exceed_what_was_captured() {
    let app = Arc::new(TestApp::spawn_apart_demo().await); // the gateway on its own runtime
    let (id, _) = paid_order(
        &app,
        json!([{ "sku": "NOTEBOOK-A5", "quantity": 8 }, { "sku": "PEN-SET", "quantity": 1 }]),
        "cancel-race-1",
    )
    .await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    let (_, captured, _, _) = money(&app, &id).await;
    let refund = "mutation($id: String!, $a: Int!, $k: String!) { refundPayment(orderId: $id, amount: $a, reason: \"goodwill\", idempotencyKey: $k) { replayed } }";
    let slice = captured / 5;
    let staff = app.token(&Actor::Staff);
    let cancels = (0..8).map(|i| {
        let lines =
            json!({ "id": id, "lines": [{ "line": 0, "quantity": 1 }], "key": format!("race-cancel-{i}") });
        (staff.clone(), CANCEL_LINES, lines)
    });
    let refunds = (0..6)
        .map(|i| (staff.clone(), refund, json!({ "id": id, "a": slice, "k": format!("race-refund-{i}") })));
    let mut answers = at_once(&app, cancels.chain(refunds).collect()).await;
    let refunded = answers.split_off(8);
    let cancelled = answers;
    for answer in cancelled.iter().chain(&refunded) {
        if !answer["errors"].is_null() {
            assert!(
                matches!(error_code(answer), Some("INVALID_AMOUNT" | "INVALID_TRANSITION" | "CONFLICT")),
                "{answer}"
            );
        }
    }
    let done = cancelled.iter().filter(|a| a["errors"].is_null()).count();
    // Racing is no excuse to refuse everything: some of each went through.
    assert!(done >= 1, "no cancellation went through: {cancelled:?}");
    assert!(refunded.iter().any(|a| a["errors"].is_null()), "no refund went through: {refunded:?}");
    let (_, captured_after, refunded_total, remaining) = money(&app, &id).await;
    assert_eq!(captured_after, captured);
    assert!(refunded_total <= captured, "{refunded_total} > {captured}");
    let o = order(&app, &id).await;
    if o["state"] != "cancelled" {
        assert_eq!(remaining[0], 8 - i64::try_from(done).unwrap(), "each cancellation counted once");
    }
    // The refunds the timeline records add up to the payment's refunded amount.
    let body = app
        .gql("query($id: ID!) { order(id: $id) { refunds { amount { amount } } } }", json!({ "id": id }))
        .await;
    let sum: i64 = body["data"]["order"]["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, refunded_total);
    let (reserved, reservations) = app.store.reserved_total("NOTEBOOK-A5").await.unwrap();
    assert_eq!(reserved, reservations, "stock and reservation rows agree");
}

#[tokio::test]
async fn staff_split_a_parcel_and_merge_it_back_and_the_pick_list_follows() {
    let app = TestApp::spawn().await;
    let (id, guest) = paid_order(
        &app,
        json!([{ "sku": "CAP-NAVY", "quantity": 3 }, { "sku": "SOCKS-3PK", "quantity": 2 }]),
        "split-key-1",
    )
    .await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let s1 = format!("{id}-S1");
    let s2 = format!("{id}-S2");
    let split =
        json!({ "id": id, "s": s1, "lines": [{ "line": 0, "quantity": 1 }, { "line": 1, "quantity": 2 }] });
    assert_eq!(error_code(&run(&app, Some(&guest), SPLIT, split.clone()).await), Some("FORBIDDEN"));
    let west = app.token(&Actor::WarehouseStaff { locations: vec!["west".into()] });
    assert_eq!(error_code(&run(&app, Some(&west), SPLIT, split.clone()).await), Some("FORBIDDEN"));
    ok(&app.gql(SPLIT, split).await);
    let units = |o: &Value| -> Vec<(String, i64)> {
        o["shipments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["state"].as_str().unwrap().to_owned(), s["units"].as_i64().unwrap()))
            .collect()
    };
    assert_eq!(units(&order(&app, &id).await), vec![("pending".to_owned(), 2), ("pending".to_owned(), 3)]);
    let picks = app
        .gql("{ pickList(location: \"east\") { orderId lines { shipmentId sku quantity } } }", json!({}))
        .await;
    let ours = picks["data"]["pickList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["orderId"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(ours["lines"].as_array().unwrap().len(), 3, "{ours}");
    // Nothing may leave a parcel empty, or move more than it holds.
    let all = json!({ "id": id, "s": s1, "lines": [{ "line": 0, "quantity": 2 }] });
    assert_eq!(error_code(&app.gql(SPLIT, all).await), Some("BAD_USER_INPUT"));
    let more = json!({ "id": id, "s": s1, "lines": [{ "line": 1, "quantity": 1 }] });
    assert_eq!(error_code(&app.gql(SPLIT, more).await), Some("BAD_USER_INPUT"));

    ok(&app.gql(PICK, json!({ "id": id, "s": s2 })).await);
    ok(&app.gql(MERGE, json!({ "id": id, "ids": [s2, s1] })).await);
    assert_eq!(units(&order(&app, &id).await), vec![("cancelled".to_owned(), 2), ("picking".to_owned(), 5)]);
    let picks = app
        .gql("{ pickList(location: \"east\") { orderId lines { shipmentId sku quantity } } }", json!({}))
        .await;
    let ours = picks["data"]["pickList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["orderId"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        ours["lines"],
        json!([{ "shipmentId": s2, "sku": "CAP-NAVY", "quantity": 3 }, { "shipmentId": s2, "sku": "SOCKS-3PK", "quantity": 2 }])
    );
    let body = app
        .gql("query($id: ID!) { order(id: $id) { shipments { id events { type } } } }", json!({ "id": id }))
        .await;
    let merged = &body["data"]["order"]["shipments"][1];
    let kinds: Vec<&str> =
        merged["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["shipment_split", "shipment_picking_started", "shipments_merged"]);
    // The merged parcel ships whole, with its documents.
    ok(&app.gql(PACK, json!({ "id": id, "s": s2 })).await);
    ok(&app.gql(SHIP, json!({ "id": id, "s": s2, "t": ups("MERGED") })).await);
    let slip = app
        .client
        .get(app.url(&format!("/documents/{id}/{s2}/packing-slip.pdf")))
        .bearer_auth(app.token(&Actor::Staff))
        .send()
        .await
        .unwrap();
    assert_eq!(slip.status(), 200);
    assert_eq!(order(&app, &id).await["state"], "confirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_staff_splitting_or_merging_one_parcel_at_once_change_it_once() {
    let app = Arc::new(TestApp::spawn_apart_demo().await); // the gateway on its own runtime
    let (id, _) = paid_order(
        &app,
        json!([{ "sku": "TEA-EARL", "quantity": 2 }, { "sku": "HONEY-RAW", "quantity": 1 }]),
        "split-race-1",
    )
    .await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let s1 = format!("{id}-S1");
    let a = app.token(&Actor::Staff);
    let b = app.token(&Actor::Admin);
    let split = json!({ "id": id, "s": s1, "lines": [{ "line": 0, "quantity": 2 }] });
    let answers = at_once(&app, vec![(a.clone(), SPLIT, split.clone()), (b.clone(), SPLIT, split)]).await;
    let (first, second) = (answers[0].clone(), answers[1].clone());
    let won = [&first, &second].iter().filter(|x| x["errors"].is_null()).count();
    assert_eq!(won, 1, "{first} {second}");
    let loser = if first["errors"].is_null() { &second } else { &first };
    assert!(matches!(error_code(loser), Some("CONFLICT" | "BAD_USER_INPUT")), "{loser}");
    let o = order(&app, &id).await;
    assert_eq!(o["shipments"].as_array().unwrap().len(), 2, "{o}");

    let ids = json!({ "id": id, "ids": [s1, format!("{id}-S2")] });
    let answers = at_once(&app, vec![(a, MERGE, ids.clone()), (b, MERGE, ids)]).await;
    let (first, second) = (answers[0].clone(), answers[1].clone());
    let won = [&first, &second].iter().filter(|x| x["errors"].is_null()).count();
    assert_eq!(won, 1, "{first} {second}");
    let loser = if first["errors"].is_null() { &second } else { &first };
    assert!(matches!(error_code(loser), Some("CONFLICT" | "INVALID_TRANSITION")), "{loser}");
    let o = order(&app, &id).await;
    let live: Vec<i64> = o["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] != "cancelled")
        .map(|s| s["units"].as_i64().unwrap())
        .collect();
    assert_eq!(live, vec![3], "every unit in one parcel, counted once: {o}");
}

#[tokio::test]
async fn readers_racing_commands_always_see_every_command_once_it_has_answered() {
    let app = TestApp::spawn().await;
    let (id, _) = paid_order(&app, json!([{ "sku": "PEN-SET", "quantity": 1 }]), "racing-readers-1").await;
    ok(&app.gql(CAPTURE, json!({ "id": id })).await);
    let before = timeline_len(&app, &id).await;
    let refund = "mutation($id: String!, $k: String!) { refundPayment(orderId: $id, amount: 1, reason: \"goodwill\", idempotencyKey: $k) { replayed } }";
    let stop = std::sync::atomic::AtomicBool::new(false);
    // Sixteen clients read the order without pause while refunds are appended one at a time;
    // after each refund has answered, a fresh read must show it.
    let readers = join_all((0..16).map(|_| async {
        let mut reads = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let _ = timeline_len(&app, &id).await;
            reads += 1;
        }
        reads
    }));
    let writer = async {
        for i in 0..12 {
            ok(&app.gql(refund, json!({ "id": id, "k": format!("racing-refund-{i:04}") })).await);
            assert_eq!(
                timeline_len(&app, &id).await,
                before + i + 1,
                "refund {i} is missing from a read after it answered"
            );
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (reads, ()) = futures::join!(readers, writer);
    assert!(reads.iter().sum::<usize>() >= 16, "the readers really raced the refunds: {reads:?}");
    assert_eq!(timeline_len(&app, &id).await, before + 12);
}

#[tokio::test]
async fn allowed_actions_list_what_the_caller_may_do_now_and_each_is_accepted() {
    let app = TestApp::spawn().await;
    let (id, guest) = paid_order(&app, json!([{ "sku": "TEE-BLK-M", "quantity": 1 }]), "allowed-1").await;
    let query = "query($id: ID!) { order(id: $id) { allowedActions { kind shipment rma line part } } }";
    let actions = |body: Value| -> Vec<(String, Option<String>)> {
        let list =
            body["data"]["order"]["allowedActions"].as_array().unwrap_or_else(|| panic!("{body}")).clone();
        list.iter()
            .map(|a| (a["kind"].as_str().unwrap().to_owned(), a["shipment"].as_str().map(str::to_owned)))
            .collect()
    };
    let kinds =
        |list: &[(String, Option<String>)]| -> Vec<String> { list.iter().map(|(k, _)| k.clone()).collect() };

    let customer = actions(app.gql_with(Some(&guest), query, json!({ "id": id })).await);
    assert!(kinds(&customer).contains(&"cancel".to_owned()), "{customer:?}");
    assert!(!kinds(&customer).contains(&"capture_payment".to_owned()), "{customer:?}");
    let staff = actions(app.gql(query, json!({ "id": id })).await);
    for kind in ["capture_payment", "void_payment", "create_shipments", "cancel"] {
        assert!(kinds(&staff).contains(&kind.to_owned()), "{kind} missing for staff: {staff:?}");
    }
    assert!(staff.iter().all(|(_, shipment)| shipment.is_none()), "no parcel yet: {staff:?}");

    let body = app.gql(CREATE, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    let staff = actions(app.gql(query, json!({ "id": id })).await);
    assert!(!kinds(&staff).contains(&"create_shipments".to_owned()), "{staff:?}");
    let (_, parcel) = staff.iter().find(|(k, _)| k == "start_picking").unwrap_or_else(|| panic!("{staff:?}"));
    let parcel = parcel.clone().unwrap();
    let location = order(&app, &id).await["shipments"][0]["source"].as_str().unwrap().to_owned();

    // Staff bound to another location get no action on the parcel; bound to its own, they do.
    let elsewhere = app.token(&Actor::WarehouseStaff { locations: vec!["nowhere".into()] });
    let theirs = actions(app.gql_with(Some(&elsewhere), query, json!({ "id": id })).await);
    assert!(theirs.iter().all(|(_, shipment)| shipment.is_none()), "{theirs:?}");
    let bound = app.token(&Actor::WarehouseStaff { locations: vec![location.clone()] });
    let theirs = actions(app.gql_with(Some(&bound), query, json!({ "id": id })).await);
    assert!(theirs.contains(&("start_picking".to_owned(), Some(parcel.clone()))), "{location}: {theirs:?}");

    // What was listed is accepted, and the list follows the order.
    let body = app.gql_with(Some(&bound), PICK, json!({ "id": id, "s": parcel })).await;
    assert!(body["errors"].is_null(), "{body}");
    let staff = actions(app.gql(query, json!({ "id": id })).await);
    assert!(staff.contains(&("pack".to_owned(), Some(parcel.clone()))), "{staff:?}");
    assert!(!staff.contains(&("start_picking".to_owned(), Some(parcel))), "{staff:?}");
}

#[tokio::test]
async fn a_parcel_returned_to_the_sender_is_received_back_once_and_its_units_restocked() {
    let app = TestApp::spawn().await;
    let before = stock(&app, "TEE-BLK-L", "east").await;
    let (id, _) = paid_order(&app, json!([{ "sku": "TEE-BLK-L", "quantity": 2 }]), "rts-key-1").await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let parcel = order(&app, &id).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    ship(&app, None, &id, &parcel, &ups("RTS1")).await;
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (before.0 - 2, before.1), "shipped");

    const EXCEPTION: &str = "mutation($id: String!, $s: String!) { reportShipmentException(orderId: $id,
        shipmentId: $s, kind: ADDRESS_PROBLEM, note: \"no such street\") { replayed } }";
    const BACK: &str = "mutation($id: String!, $s: String!) { returnShipmentToSender(orderId: $id, shipmentId: $s) { replayed } }";
    const RECEIVE: &str = "mutation($id: String!, $s: String!, $to: String) {
        receiveReturnedParcel(orderId: $id, shipmentId: $s, restockTo: $to) { order { shipments { state receivedBack } } } }";
    let vars = |to: Option<&str>| json!({ "id": id, "s": parcel, "to": to });
    let early = app.gql(RECEIVE, vars(Some("east"))).await;
    assert_eq!(error_code(&early), Some("INVALID_TRANSITION"), "still with the carrier: {early}");
    ok(&app.gql(EXCEPTION, vars(None)).await);
    ok(&app.gql(BACK, vars(None)).await);
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (before.0 - 2, before.1), "not back on the shelf yet");

    let elsewhere = app.token(&Actor::WarehouseStaff { locations: vec!["west".into()] });
    let refused = app.gql_with(Some(&elsewhere), RECEIVE, vars(Some("east"))).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let nowhere = app.gql(RECEIVE, vars(Some("attic"))).await;
    assert_eq!(error_code(&nowhere), Some("BAD_USER_INPUT"), "{nowhere}");
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, (before.0 - 2, before.1), "refusals change nothing");

    let received = app.gql(RECEIVE, vars(Some("east"))).await;
    assert_eq!(
        received["data"]["receiveReturnedParcel"]["order"]["shipments"][0],
        json!({ "state": "returned_to_sender", "receivedBack": true }),
        "{received}"
    );
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, before, "both units back on hand");
    let again = app.gql(RECEIVE, vars(Some("east"))).await;
    assert_eq!(error_code(&again), Some("INVALID_TRANSITION"), "{again}");
    assert_eq!(stock(&app, "TEE-BLK-L", "east").await, before, "received once");
}

/// A guest order for one stoneware mug, paid with `token`; returns (order id, guest token).
async fn mug_paid_with(app: &TestApp, token: &str) -> (String, String) {
    let body = app
        .gql_with(
            None,
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken } }",
            json!({ "input": { "channel": "web", "currency": "USD", "email": "ada@example.com",
                "lines": [{ "sku": "MUG-STONE", "quantity": 1 }], "shippingAddress": address() } }),
        )
        .await;
    ok(&body);
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let pay =
        format!("mutation($id: ID!) {{ authorizePayment(orderId: $id, token: \"{token}\") {{ replayed }} }}");
    let paid = app.gql_with(Some(&guest), &pay, json!({ "id": id })).await;
    ok(&paid);
    (id, guest)
}

/// The order's timeline length.
async fn events(app: &TestApp, id: &str) -> usize {
    let body = app.gql("query($id: ID!) { order(id: $id) { timeline { seq } } }", json!({ "id": id })).await;
    body["data"]["order"]["timeline"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_parcel_whose_capture_is_refused_does_not_ship_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let (id, _) = mug_paid_with(&app, "tok_capture_declined").await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let parcel = order(&app, &id).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    ok(&app.gql(PICK, json!({ "id": id, "s": parcel })).await);
    ok(&app.gql(PACK, json!({ "id": id, "s": parcel })).await);
    let before = (events(&app, &id).await, stock(&app, "MUG-STONE", "east").await);
    let body = app.gql(SHIP, json!({ "id": id, "s": parcel, "t": ups("REFUSED01") })).await;
    assert_eq!(error_code(&body), Some("PAYMENT_REFUSED"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("refused the capture") && message.contains("nothing was changed"), "{message}");
    let o = order(&app, &id).await;
    assert_eq!(o["shipments"][0]["state"], "packed", "not shipped: {o}");
    assert_eq!(o["payment"]["status"], "authorized");
    assert_eq!((events(&app, &id).await, stock(&app, "MUG-STONE", "east").await), before, "nothing recorded");
    // The tracking number was not taken by the refused attempt.
    let (other, _) = mug_paid_with(&app, "tok_visa").await;
    ok(&app.gql(CREATE, json!({ "id": other })).await);
    let s = order(&app, &other).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    ship(&app, None, &other, &s, &ups("REFUSED01")).await;
    assert_eq!(order(&app, &other).await["payment"]["status"], "captured");
}

#[tokio::test]
async fn a_shop_that_charges_at_checkout_captures_with_the_authorization_or_records_nothing() {
    let app = TestApp::spawn().await;
    let mut rules = ordo_gateway::seed::demo_rules();
    rules.capture = ordo_core::order::CapturePolicy::OnAuthorization;
    app.store.set_rules(&rules).await.unwrap();
    let (id, _) = mug_paid_with(&app, "tok_visa").await;
    let o = order(&app, &id).await;
    assert_eq!(o["payment"]["status"], "captured", "{o}");
    assert_eq!(o["payment"]["captured"], o["grandTotal"]);
    assert_eq!(o["state"], "confirmed");

    // A sale whose capture is refused: the authorization is released, the order still waits.
    let body = app
        .gql_with(
            None,
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken } }",
            json!({ "input": { "channel": "web", "currency": "USD", "email": "bo@example.com",
                "lines": [{ "sku": "MUG-STONE", "quantity": 1 }], "shippingAddress": address() } }),
        )
        .await;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let before = events(&app, &id).await;
    let pay =
        "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_capture_declined\") { replayed } }";
    let refused = app.gql_with(Some(&guest), pay, json!({ "id": id })).await;
    assert_eq!(error_code(&refused), Some("PAYMENT_REFUSED"), "{refused}");
    let o = order(&app, &id).await;
    assert_eq!(
        (o["state"].as_str(), o["payment"]["status"].as_str()),
        (Some("placed"), Some("pending")),
        "{o}"
    );
    assert_eq!(events(&app, &id).await, before, "nothing recorded");
    // Another card then goes through.
    let pay = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_mastercard\") { replayed } }";
    ok(&app.gql_with(Some(&guest), pay, json!({ "id": id })).await);
    assert_eq!(order(&app, &id).await["payment"]["status"], "captured");
}

#[tokio::test]
async fn a_shop_that_ships_rather_than_waits_ships_a_parcel_whose_capture_is_refused_and_flags_the_order() {
    let app = TestApp::spawn().await;
    let mut rules = ordo_gateway::seed::demo_rules();
    rules.ship_when_capture_fails = true;
    app.store.set_rules(&rules).await.unwrap();
    let (id, _) = mug_paid_with(&app, "tok_capture_declined").await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let parcel = order(&app, &id).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    ship(&app, None, &id, &parcel, &ups("SHIPANYWAY1")).await;
    let body = app
        .gql(
            "query($id: ID!) { order(id: $id) { shipments { state } payment { status captureFailure } timeline { type } } }",
            json!({ "id": id }),
        )
        .await;
    let o = &body["data"]["order"];
    assert_eq!(o["shipments"][0]["state"], "shipped", "{o}");
    assert_eq!(o["payment"]["status"], "authorized", "nothing was taken");
    assert_eq!(o["payment"]["captureFailure"], "the authorization can no longer be captured");
    let types: Vec<&str> =
        o["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types[types.len() - 2..], ["shipment_shipped", "payment_capture_failed"]);
}

#[tokio::test]
async fn a_parcel_ships_only_with_a_listed_carrier_and_a_number_that_passes_its_check() {
    let app = TestApp::spawn().await;
    let (id, _) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 1 }]), "carrier-check-1").await;
    ok(&app.gql(CREATE, json!({ "id": id })).await);
    let s = order(&app, &id).await["shipments"][0]["id"].as_str().unwrap().to_owned();
    for m in [PICK, PACK] {
        ok(&app.gql(m, json!({ "id": id, "s": s })).await);
    }
    let listed = app.gql("{ carriers { code name formats hasTrackingPage } }", json!({})).await;
    let codes: Vec<&str> =
        listed["data"]["carriers"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["ups", "usps", "fedex", "dhl", "royal-mail", "dpd", "local"]);
    let ship = "mutation($id: String!, $s: String!, $c: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: $c, trackingNumber: $t) { order { id } } }";
    for (carrier, number, says) in [
        ("Pony Express", "1Z999AA10123456784", "not one of the shop's carriers"),
        ("UPS", "hello world", "not a UPS tracking number"),
        ("UPS", "1Z999AA10123456785", "wrong check digit"),
        ("FedEx", "1Z999AA10123456784", "not a FedEx tracking number"),
        ("dhl", "3318810026", "wrong check digit"),
    ] {
        let before = app.store.dump().await.unwrap(); // every table
        let body = app.gql(ship, json!({ "id": id, "s": s, "c": carrier, "t": number })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{carrier} {number}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{carrier} {number}: {message}");
        let changed = ordo_tests::changed_tables(&before, &app.store.dump().await.unwrap());
        assert!(changed.is_empty(), "{carrier} {number} changed: {changed:#?}");
    }
    // Typed with spaces in lower case, by the carrier's code: stored as the carrier prints it,
    // with the carrier's own tracking page for the customer.
    ok(&app.gql(ship, json!({ "id": id, "s": s, "c": "dhl", "t": "331 881 0025" })).await);
    let parcel = &order(&app, &id).await["shipments"][0];
    assert_eq!(parcel["carrier"], "DHL Express");
    assert_eq!(parcel["trackingNumber"], "3318810025");
    assert_eq!(
        parcel["trackingUrl"],
        "https://www.dhl.com/global-en/home/tracking.html?tracking-id=3318810025"
    );
}

#[tokio::test]
async fn the_customer_opens_a_receipt_with_a_tax_line_per_rate_that_follows_cancellations() {
    let app = TestApp::spawn().await;
    let (id, guest) = paid_order(
        &app,
        json!([{ "sku": "MUG-STONE", "quantity": 2 }, { "sku": "BOOK-RUST", "quantity": 1 }]),
        "receipt-1",
    )
    .await;
    let read = "query($id: String!) { order(id: $id) { reference receipt grandTotal { formatted } } }";
    let receipt = |token: Option<String>| {
        let app = &app;
        let id = id.clone();
        async move {
            // Staff without a token of their own.
            let body = match token {
                Some(token) => app.gql_with(Some(&token), read, json!({ "id": id })).await,
                None => app.gql(read, json!({ "id": id })).await,
            };
            let order = body["data"]["order"].clone();
            let link = order["receipt"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
            // The link opens in a browser: no bearer header.
            let r = app.client.get(app.url(&link)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{link}");
            assert_eq!(r.headers()["content-type"], "application/pdf");
            (order, String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned())
        }
    };
    let (order, pdf) = receipt(Some(guest.clone())).await;
    let reference = order["reference"].as_str().unwrap();
    assert!(pdf.contains(&format!("(Order {reference} \\({id}\\)")), "{pdf}");
    // Books are taxed at 2 %, mugs at 6 % (Illinois, prices before tax): one line per rate.
    assert!(pdf.contains("(Tax 2 % on $") && pdf.contains("(Tax 6 % on $"), "{pdf}");
    assert!(pdf.contains("(Stoneware mug \\(MUG-STONE\\)) Tj"), "{pdf}");
    assert!(pdf.contains(order["grandTotal"]["formatted"].as_str().unwrap()), "{pdf}");
    assert!(pdf.contains("(Paid \\(Visa ending in 4242\\)) Tj"), "{pdf}");

    // Staff cancel one mug: the receipt drops it and its tax, and says so.
    let cancel = "mutation($id: String!) { cancelOrderLines(orderId: $id, lines: [{ line: 0, quantity: 1 }], reason: \"out of stock\") { order { id } } }";
    ok(&app.gql(cancel, json!({ "id": id })).await);
    let (after, pdf) = receipt(None).await;
    assert_ne!(after["grandTotal"], order["grandTotal"]);
    assert!(pdf.contains(after["grandTotal"]["formatted"].as_str().unwrap()), "{pdf}");
    assert!(pdf.contains("(Cancelled before shipping, not charged: 1 unit.)"), "{pdf}");

    // Nobody else opens it: not without a token, not with another order's, not with a link
    // changed by one character.
    let path = format!("/documents/{id}/receipt.pdf");
    assert_eq!(app.client.get(app.url(&path)).send().await.unwrap().status(), 401);
    let (_, stranger) = paid_order(&app, json!([{ "sku": "MUG-STONE", "quantity": 1 }]), "receipt-2").await;
    let r = app.client.get(app.url(&path)).bearer_auth(&stranger).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = app.client.get(app.url(&path)).bearer_auth(&guest).send().await.unwrap();
    assert_eq!(r.status(), 200, "the customer's own token opens it too");
    let link = receipt(None).await.0["receipt"].as_str().unwrap().to_owned();
    let tampered = format!("{}x", link);
    assert_eq!(app.client.get(app.url(&tampered)).send().await.unwrap().status(), 401);
    let other = link.replace(&id, "ord_other");
    assert_eq!(app.client.get(app.url(&other)).send().await.unwrap().status(), 401);
}
