//! Purchasing end to end: stock adjustments, low stock, purchase orders received into waiting backorders.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

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

    let create = "mutation { createPurchaseOrder(sku: \"HOODIE-GRY-L\", location: \"east\", quantity: 10, expectedOn: \"2099-01-01\") { purchaseOrder { id open } } }";
    let po = app.gql(create, json!({})).await;
    let po_id = po["data"]["createPurchaseOrder"]["purchaseOrder"]["id"].as_str().expect("po id").to_owned();

    let receive = "mutation($id: String!, $q: Int!) { receivePurchaseOrder(id: $id, quantity: $q) {
        purchaseOrder { received open } allocated { orderId quantity } } }";
    // 4 units: enough for the oldest (2), not for the next (3): strictly oldest first.
    let body = app.gql(receive, json!({ "id": po_id, "q": 4 })).await;
    let receipt = &body["data"]["receivePurchaseOrder"];
    assert_eq!(receipt["allocated"], json!([{ "orderId": first, "quantity": 2 }]), "{body}");
    assert_eq!(receipt["purchaseOrder"], json!({ "received": 4, "open": true }));
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
        json!([{ "orderId": second, "quantity": 3 }])
    );
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
