//! Authentication and authorization end to end: tokens, roles, and nobody reaching what is not theirs.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_gateway::app::{Actor, Keys};
use ordo_tests::{TestApp, error_code};
use serde_json::{Value, json};

const PLACE: &str = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { accessToken order { id customerId channel } } }";
const READ: &str = "query($id: String!) { order(id: $id) { id } }";
const AUTHORIZE: &str = "mutation($id: String!) { authorizePayment(orderId: $id, token: \"tok_visa\") { order { payment { status } } } }";

fn input(channel: &str, customer: Option<&str>) -> Value {
    json!({ "channel": channel, "customerId": customer, "currency": "USD", "email": "ada@example.com",
            "lines": [{ "sku": "MUG-STONE", "quantity": 1 }],
            "shippingAddress": { "name": "Ada", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                                 "postalCode": "62701", "country": "US" } })
}

#[tokio::test]
async fn a_guest_checks_out_and_only_their_token_reaches_the_order() {
    let app = TestApp::spawn().await;
    let placed = app.gql_with(None, PLACE, json!({ "input": input("web", None) })).await;
    let id = placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let token = placed["data"]["placeOrder"]["accessToken"].as_str().expect("a guest token").to_owned();
    assert_eq!(app.gql_with(Some(&token), READ, json!({ "id": id })).await["data"]["order"]["id"], json!(id));
    let paid = app.gql_with(Some(&token), AUTHORIZE, json!({ "id": id })).await;
    assert_eq!(paid["data"]["authorizePayment"]["order"]["payment"]["status"], "authorized", "{paid}");

    let other = app.gql_with(None, PLACE, json!({ "input": input("web", None) })).await;
    let other_token = other["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(
        app.gql_with(Some(&other_token), READ, json!({ "id": id })).await["data"]["order"],
        Value::Null
    );
    let probe = app.gql_with(Some(&other_token), AUTHORIZE, json!({ "id": id })).await;
    assert_eq!(error_code(&probe), Some("NOT_FOUND"), "someone else's order looks missing");
    let missing = app.gql_with(Some(&other_token), AUTHORIZE, json!({ "id": "ord_nope" })).await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"));
    assert_eq!(probe["errors"][0]["message"], missing["errors"][0]["message"], "no existence leak");
}

#[tokio::test]
async fn customers_reach_only_their_own_orders() {
    let app = TestApp::spawn().await;
    let alice = app.token(&Actor::Customer { id: "cus_alice".into() });
    let bob = app.token(&Actor::Customer { id: "cus_bob".into() });
    let placed = app.gql_with(Some(&alice), PLACE, json!({ "input": input("web", None) })).await;
    let order = &placed["data"]["placeOrder"]["order"];
    assert_eq!(order["customerId"], "cus_alice", "the order is bound to the token's customer");
    assert_eq!(placed["data"]["placeOrder"]["accessToken"], Value::Null);
    let id = order["id"].as_str().unwrap().to_owned();

    assert_eq!(app.gql_with(Some(&bob), READ, json!({ "id": id })).await["data"]["order"], Value::Null);
    let list = "{ orders(first: 10) { edges { node { id } } } }";
    assert_eq!(app.gql_with(Some(&bob), list, json!({})).await["data"]["orders"]["edges"], json!([]));
    assert_eq!(
        app.gql_with(Some(&alice), list, json!({})).await["data"]["orders"]["edges"][0]["node"]["id"],
        json!(id)
    );
    let by_customer =
        "query($c: String!) { orders(first: 10, filter: { customerId: $c }) { edges { node { id } } } }";
    let staff_view = app.gql(by_customer, json!({ "c": "cus_alice" })).await;
    assert_eq!(staff_view["data"]["orders"]["edges"][0]["node"]["id"], json!(id), "staff filter by customer");
    let sneaky = app.gql_with(Some(&bob), by_customer, json!({ "c": "cus_alice" })).await;
    assert_eq!(sneaky["data"]["orders"]["edges"], json!([]), "a customer's filter cannot widen their view");
    let posing = app.gql_with(Some(&bob), PLACE, json!({ "input": input("web", Some("cus_alice")) })).await;
    assert_eq!(error_code(&posing), Some("FORBIDDEN"));
}

#[tokio::test]
async fn bad_tokens_are_unauthenticated_never_a_server_error() {
    let app = TestApp::spawn().await;
    let forged = Keys::new(b"someone-elses-secret-someone-elses")
        .unwrap()
        .mint(&Actor::Admin, "mallory", chrono::Duration::hours(1))
        .unwrap();
    let expired = app.keys.mint(&Actor::Staff, "old", chrono::Duration::hours(-2)).unwrap();
    for token in [forged.as_str(), expired.as_str(), "garbage", ""] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": "{ lowStock { available } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{token}");
        assert_eq!(error_code(&response.json().await.unwrap()), Some("UNAUTHENTICATED"));
    }
}

#[tokio::test]
async fn a_channel_places_and_reads_only_its_own_channel() {
    let app = TestApp::spawn().await;
    let amazon = app.token(&Actor::Channel { channel: "amazon".into() });
    let pos = app.token(&Actor::Channel { channel: "pos".into() });
    let placed = app.gql_with(Some(&amazon), PLACE, json!({ "input": input("amazon", None) })).await;
    let id = placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        error_code(&app.gql_with(Some(&amazon), PLACE, json!({ "input": input("pos", None) })).await),
        Some("FORBIDDEN")
    );
    assert_eq!(app.gql_with(Some(&pos), READ, json!({ "id": id })).await["data"]["order"], Value::Null);
    assert_eq!(
        app.gql_with(Some(&amazon), READ, json!({ "id": id })).await["data"]["order"]["id"],
        json!(id)
    );
}

/// Every root field, how to call it, and who may, in the order of [`ROLES`]: anonymous, customer,
/// guest, shopper (a "Find my orders" link), supplier, staff, staff bound to the west warehouse. "ok" = allowed (an answer or an error
/// other than UNAUTHENTICATED, FORBIDDEN or INTERNAL), otherwise the expected code.
const MATRIX: &[(&str, &str, [&str; 7])] = &[
    ("products", "{ products(first: 1) { edges { cursor } } }", ["ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    ("product", "{ product(sku: \"MUG-STONE\") { name } }", ["ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    (
        "stock",
        "{ stock(sku: \"MUG-STONE\") { onHand } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    ("order", "{ order(id: \"ord_x\") { id } }", ["UNAUTHENTICATED", "ok", "ok", "ok", "ok", "ok", "ok"]),
    (
        "orders",
        "{ orders(first: 1) { edges { cursor } } }",
        ["UNAUTHENTICATED", "ok", "FORBIDDEN", "ok", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "lowStock",
        "{ lowStock { available } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "purchaseOrders",
        "{ purchaseOrders { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "purchaseOrder",
        "{ purchaseOrder(id: \"po_x\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "supplierItems",
        "{ supplierItems(supplier: \"northwood\") { sku } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "lowFeedback",
        "{ lowFeedback(first: 1) { edges { cursor } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "customerMessages",
        "{ customerMessages(first: 1) { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "customerMessage",
        "{ customerMessage(id: \"ord_x#0000000001#0\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "channels",
        "{ channels { code } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "channel",
        "{ channel(code: \"web\") { code } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "channelEvents",
        "{ channelEvents(channel: \"web\", first: 1) { cursor } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "webhooks",
        "{ webhooks(first: 1) { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "suppliers",
        "{ suppliers { code } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "supplier",
        "{ supplier(code: \"northwood\") { code } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "createSupplier",
        "mutation { createSupplier(input: { code: \"matrix\", name: \"M\" }) { supplier { code } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "updateSupplier",
        "mutation { updateSupplier(code: \"northwood\", input: { name: \"M\" }) { supplier { code } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "createChannel",
        "mutation { createChannel(input: { code: \"matrix\", name: \"M\", kind: SOCIAL }) { channel { code } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "updateChannel",
        "mutation { updateChannel(code: \"web\", input: { active: false }) { channel { code } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "listOrderOnChannel",
        "mutation { listOrderOnChannel(orderId: \"ord_x\", channel: \"ebay\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "NOT_FOUND", "NOT_FOUND"],
    ),
    (
        "retryWebhook",
        "mutation { retryWebhook(id: \"ord_x#0000000001#web\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "NOT_FOUND", "NOT_FOUND"],
    ),
    (
        "retryMessage",
        "mutation { retryMessage(id: \"ord_x#0000000001#0\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "NOT_FOUND", "NOT_FOUND"],
    ),
    (
        "requestOrdersLink",
        "mutation { requestOrdersLink(email: \"nobody@example.com\") }",
        ["ok", "ok", "ok", "ok", "ok", "ok", "ok"],
    ),
    // Decided by the unsubscribe link's token alone, whoever calls: without one, nobody.
    (
        "emailPreferences",
        "query { emailPreferences(token: \"not-a-link-token\") { email } }",
        [
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
        ],
    ),
    (
        "setEmailPreferences",
        "mutation { setEmailPreferences(token: \"not-a-link-token\", feedbackRequests: false) { email } }",
        [
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
        ],
    ),
    (
        "submitReview",
        "mutation { submitReview(orderId: \"ord_x\", sku: \"MUG-STONE\", rating: 5, title: \"Nice\") { id } }",
        ["UNAUTHENTICATED", "ok", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "hideReview",
        "mutation { hideReview(id: \"rev_x\", reason: \"spam\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "unhideReview",
        "mutation { unhideReview(id: \"rev_x\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "submitFeedback",
        "mutation { submitFeedback(orderId: \"ord_x\", score: 9) { score } }",
        ["UNAUTHENTICATED", "ok", "ok", "ok", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "placeOrder",
        "mutation { placeOrder(input: { channel: \"web\", currency: \"USD\", email: \"a@b.co\", lines: [], shippingAddress: { name: \"A\", line1: \"1\", city: \"C\", postalCode: \"62701\", country: \"US\" } }) { replayed } }",
        ["ok", "ok", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "authorizePayment",
        "mutation { authorizePayment(orderId: \"ord_x\", token: \"tok_visa\") { replayed } }",
        ["UNAUTHENTICATED", "ok", "ok", "ok", "ok", "ok", "ok"],
    ),
    (
        "capturePayment",
        "mutation { capturePayment(orderId: \"ord_x\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "voidPayment",
        "mutation { voidPayment(orderId: \"ord_x\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "adjustStock",
        "mutation { adjustStock(sku: \"MUG-STONE\", location: \"east\", delta: 1, reason: \"count\") { onHand } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "FORBIDDEN"],
    ),
    (
        "createPurchaseOrder",
        "mutation { createPurchaseOrder(supplier: \"harbor\", location: \"east\", expectedOn: \"2099-01-01\", lines: [{ sku: \"MUG-STONE\", quantity: 1, unitCost: 100 }], send: false) { purchaseOrder { id } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "FORBIDDEN"],
    ),
    (
        "sendPurchaseOrder",
        "mutation { sendPurchaseOrder(id: \"po_x\") { purchaseOrder { status } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "updatePurchaseOrder",
        "mutation { updatePurchaseOrder(id: \"po_x\", lines: [{ sku: \"MUG-STONE\", quantity: 2 }]) { repromised { orderId } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "closePurchaseOrder",
        "mutation { closePurchaseOrder(id: \"po_x\") { purchaseOrder { open } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "receivePurchaseOrder",
        "mutation { receivePurchaseOrder(id: \"po_x\", lines: [{ sku: \"MUG-STONE\", quantity: 1 }]) { allocated { quantity } } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "setSupplierItem",
        "mutation { setSupplierItem(supplier: \"harbor\", sku: \"MUG-STONE\", unitCost: 300) { unitCost } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "removeSupplierItem",
        "mutation { removeSupplierItem(supplier: \"harbor\", sku: \"MUG-STONE\") }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"],
    ),
    (
        "shipment",
        "{ shipment(trackingNumber: \"1Z\") { orderId } }",
        ["UNAUTHENTICATED", "ok", "ok", "ok", "ok", "ok", "ok"],
    ),
    (
        "recordTrackingEvent",
        "mutation { recordTrackingEvent(trackingNumber: \"1Z\", status: IN_TRANSIT, occurredAt: \"2026-01-01T00:00:00Z\") }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    ("carriers", "{ carriers { code } }", ["ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    ("cartRules", "{ cartRules }", ["ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    ("locations", "{ locations { id } }", ["ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    (
        "pickList",
        "{ pickList(location: \"east\") { orderId } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "FORBIDDEN"],
    ),
    (
        "createShipments",
        "mutation { createShipments(orderId: \"ord_x\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "startPicking",
        "mutation { startPicking(orderId: \"ord_x\", shipmentId: \"ord_x-S1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "packShipment",
        "mutation { packShipment(orderId: \"ord_x\", shipmentId: \"ord_x-S1\", package: { lengthCm: 1, widthCm: 1, heightCm: 1, weightGrams: 1, material: \"box\" }) { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "acceptShipment",
        "mutation { acceptShipment(orderId: \"ord_x\", shipmentId: \"ord_x-S1\", shipBy: \"2099-01-01\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "rejectShipment",
        "mutation { rejectShipment(orderId: \"ord_x\", shipmentId: \"ord_x-S1\", reason: \"none left\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "backorderLine",
        "mutation { backorderLine(orderId: \"ord_x\", line: 0, part: 0, promised: \"2099-01-01\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "dropshipLine",
        "mutation { dropshipLine(orderId: \"ord_x\", line: 0, part: 0, supplier: \"harbor\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "dropshipRequests",
        "{ dropshipRequests(supplier: \"northwood\") { id } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "shipShipment",
        "mutation { shipShipment(orderId: \"ord_x\", shipmentId: \"ord_x-S1\", carrier: \"UPS\", trackingNumber: \"1Z\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "markDelivered",
        "mutation { markDelivered(orderId: \"ord_x\", shipmentId: \"ord_x-S1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "reportShipmentException",
        "mutation { reportShipmentException(orderId: \"ord_x\", shipmentId: \"ord_x-S1\", kind: DAMAGED, note: \"x\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "resolveShipmentException",
        "mutation { resolveShipmentException(orderId: \"ord_x\", shipmentId: \"ord_x-S1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "cancelOrder",
        "mutation { cancelOrder(orderId: \"ord_x\", reason: \"x\") { replayed } }",
        ["UNAUTHENTICATED", "ok", "ok", "ok", "ok", "ok", "ok"],
    ),
    (
        "cancelOrderLines",
        "mutation { cancelOrderLines(orderId: \"ord_x\", lines: [{ line: 0, quantity: 1 }], reason: \"x\") { replayed } }",
        ["UNAUTHENTICATED", "ok", "ok", "ok", "ok", "ok", "ok"],
    ),
    (
        "splitShipment",
        "mutation { splitShipment(orderId: \"ord_x\", shipmentId: \"ord_x-S1\", lines: [{ line: 0, quantity: 1 }]) { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "mergeShipments",
        "mutation { mergeShipments(orderId: \"ord_x\", shipmentIds: [\"ord_x-S1\", \"ord_x-S2\"]) { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "requestReturn",
        "mutation { requestReturn(orderId: \"ord_x\", lines: [{ line: 0, quantity: 1, reason: \"x\" }]) { replayed } }",
        ["UNAUTHENTICATED", "ok", "ok", "ok", "ok", "ok", "ok"],
    ),
    (
        "approveReturn",
        "mutation { approveReturn(orderId: \"ord_x\", rma: \"ord_x-R1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "rejectReturn",
        "mutation { rejectReturn(orderId: \"ord_x\", rma: \"ord_x-R1\", reason: \"x\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "receiveReturn",
        "mutation { receiveReturn(orderId: \"ord_x\", rma: \"ord_x-R1\", lines: []) { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "returnShipmentToSender",
        "mutation { returnShipmentToSender(orderId: \"ord_x\", shipmentId: \"ord_x-S1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok", "ok"],
    ),
    (
        "receiveReturnedParcel",
        "mutation { receiveReturnedParcel(orderId: \"ord_x\", shipmentId: \"ord_x-S1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "refundReturn",
        "mutation { refundReturn(orderId: \"ord_x\", rma: \"ord_x-R1\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
    (
        "refundPayment",
        "mutation { refundPayment(orderId: \"ord_x\", amount: 1, reason: \"x\", idempotencyKey: \"key-00001\") { replayed } }",
        ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "ok", "ok"],
    ),
];

/// The callers of [`MATRIX`]'s columns.
static ROLES: std::sync::LazyLock<[(&str, Option<Actor>); 7]> = std::sync::LazyLock::new(|| {
    [
        ("anonymous", None),
        ("customer", Some(Actor::Customer { id: "cus_matrix".into() })),
        ("guest", Some(Actor::Guest { order_id: "ord_matrix".into() })),
        ("shopper", Some(Actor::Shopper { email: "matrix@example.com".into() })),
        ("supplier", Some(Actor::Supplier { supplier: "northwood".into() })),
        ("staff", Some(Actor::Staff)),
        ("west staff", Some(Actor::WarehouseStaff { locations: vec!["west".into()] })),
    ]
});

#[tokio::test]
async fn every_root_field_has_an_access_decision_that_holds() {
    let app = TestApp::spawn().await;
    let fields = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }";
    let schema = app.gql(fields, json!({})).await;
    let mut names: Vec<String> = ["queryType", "mutationType"]
        .iter()
        .flat_map(|t| schema["data"]["__schema"][t]["fields"].as_array().unwrap().clone())
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    let mut decided: Vec<String> = MATRIX.iter().map(|m| m.0.to_owned()).collect();
    decided.sort();
    assert_eq!(names, decided, "a root field without an access decision in MATRIX");

    let tokens: Vec<Option<String>> =
        ROLES.iter().map(|(_, actor)| actor.as_ref().map(|a| app.token(a))).collect();
    let mut wrong = Vec::new();
    for &(field, operation, expected) in MATRIX.iter() {
        for (((who, _), token), expected) in ROLES.iter().zip(&tokens).zip(expected) {
            let body = app.gql_with(token.as_deref(), operation, json!({})).await;
            let code = error_code(&body);
            let holds = if expected == "ok" {
                !matches!(code, Some("UNAUTHENTICATED" | "FORBIDDEN" | "INTERNAL"))
            } else {
                code == Some(expected)
            };
            if !holds {
                wrong.push(format!("{field} as {who}: expected {expected}, got {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
