//! Hole 7: roles see and touch only what is theirs. A dropship supplier reads only its own lines
//! (without prices), its own parcels and the ship-to address; staff bound to a location record
//! tracking only for parcels leaving it; a tracking number is one parcel's per carrier.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use futures::future::join_all;
use ordo_gateway::app::Actor;
use ordo_tests::{TestApp, WsClient, error_code};
use serde_json::{Value, json};

/// A guest order for `lines`, authorized, in parcels; returns its id.
async fn order_in_parcels(app: &TestApp, lines: Value) -> String {
    let input = json!({ "channel": "web", "currency": "USD", "email": "customer@example.com", "lines": lines,
        "shippingAddress": { "name": "Grace Hopper", "line1": "1 Navy Way", "city": "Arlington", "region": "VA",
                             "postalCode": "22202", "country": "US" } });
    let body = app.gql_with(None, super::PLACE, json!({ "input": input })).await;
    let id =
        body["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap().to_owned();
    let pay = "mutation($id: String!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    assert!(app.gql_with(Some(&guest), pay, json!({ "id": id })).await["errors"].is_null());
    let create = "mutation($id: String!) { createShipments(orderId: $id) { replayed } }";
    assert!(app.gql(create, json!({ "id": id })).await["errors"].is_null());
    id
}

async fn parcels(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let body = app
        .gql("query($id: String!) { order(id: $id) { shipments { id source } } }", json!({ "id": id }))
        .await;
    body["data"]["order"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s["source"].as_str().unwrap().to_owned()))
        .collect()
}

/// Picks, packs and ships a parcel as `token`'s caller with `carrier` and `number`.
async fn ship(app: &TestApp, token: &str, id: &str, parcel: &str, carrier: &str, number: &str) -> Value {
    pack(app, token, id, parcel).await;
    ship_packed(app, token, id, parcel, carrier, number).await
}

/// Picks and packs a parcel as `token`'s caller.
async fn pack(app: &TestApp, token: &str, id: &str, parcel: &str) {
    let steps = [
        "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { replayed } }",
        "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 30, widthCm: 20, heightCm: 10, weightGrams: 850, material: \"box\" }) { replayed } }",
    ];
    for step in steps {
        let body = app.gql_with(Some(token), step, json!({ "id": id, "s": parcel })).await;
        assert!(body["errors"].is_null(), "{body}");
    }
}

/// Ships a packed parcel with `carrier` and `number`, answering the narrowest useful payload.
async fn ship_packed(
    app: &TestApp,
    token: &str,
    id: &str,
    parcel: &str,
    carrier: &str,
    number: &str,
) -> Value {
    let ship = "mutation($id: String!, $s: String!, $c: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: $c, trackingNumber: $t) {
        order { email totals { grandTotal { amount } } lines { sku } shipments { id } } } }";
    app.gql_with(Some(token), ship, json!({ "id": id, "s": parcel, "c": carrier, "t": number })).await
}

#[tokio::test]
async fn a_supplier_sees_an_order_only_once_it_has_a_parcel_to_send() {
    let app = TestApp::spawn().await;
    let input = json!({ "channel": "web", "currency": "USD", "email": "early@example.com",
        "lines": [{ "sku": "DESK-OAK", "quantity": 1 }],
        "shippingAddress": { "name": "Early Bird", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                             "postalCode": "62701", "country": "US" } });
    let body = app.gql_with(None, super::PLACE, json!({ "input": input })).await;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let read = "query($id: String!) { order(id: $id) { id shippingAddress { name } } }";
    assert_eq!(
        app.gql_with(Some(&northwood), read, json!({ "id": id })).await["data"]["order"],
        Value::Null,
        "unpaid, no parcel yet"
    );
}

#[tokio::test]
async fn a_supplier_reads_only_its_own_lines_parcels_and_the_ship_to_address() {
    let app = TestApp::spawn().await;
    let id = order_in_parcels(
        &app,
        json!([{ "sku": "DESK-OAK", "quantity": 1 }, { "sku": "MUG-STONE", "quantity": 1 }]),
    )
    .await;
    let northwood = app.token(&Actor::Supplier { supplier: "northwood".into() });
    let read = "query($id: String!) { order(id: $id) { id customerId email statusView { headline } totals { grandTotal { amount } } grandTotal { amount }
        payment { status } lines { sku quantity unitPrice { amount } total { amount } } shipments { id source }
        shippingAddress { name line1 city postalCode country } timeline { type } timelineWire refunds { amount { amount } }
        reservations { sku } } }";
    let body = app.gql_with(Some(&northwood), read, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    let order = &body["data"]["order"];
    for hidden in ["customerId", "email", "statusView", "totals", "grandTotal", "payment"] {
        assert_eq!(order[hidden], Value::Null, "{hidden} is not the supplier's: {order}");
    }
    assert_eq!(
        order["lines"],
        json!([{ "sku": "DESK-OAK", "quantity": 1, "unitPrice": null, "total": null }])
    );
    let shipments = order["shipments"].as_array().unwrap();
    assert_eq!(shipments.len(), 1, "{order}");
    assert_eq!(shipments[0]["source"], "supplier:northwood");
    assert_eq!(order["shippingAddress"]["name"], "Grace Hopper");
    assert_eq!(order["shippingAddress"]["postalCode"], "22202");
    for empty in ["timeline", "timelineWire", "refunds", "reservations"] {
        assert_eq!(order[empty], json!([]), "{empty}: {order}");
    }
    assert!(!body.to_string().contains("customer@example.com"));
    // Staff still see everything.
    let staff = app.gql(read, json!({ "id": id })).await;
    assert_eq!(staff["data"]["order"]["email"], "customer@example.com");
    assert_eq!(staff["data"]["order"]["lines"].as_array().unwrap().len(), 2);

    // The payload of the supplier's own mutation is just as narrow.
    let parcel = shipments[0]["id"].as_str().unwrap().to_owned();
    let shipped = ship(&app, &northwood, &id, &parcel, "FedEx", "986578788855").await;
    let order = &shipped["data"]["shipShipment"]["order"];
    assert_eq!(order["email"], Value::Null, "{shipped}");
    assert_eq!(order["totals"], Value::Null);
    assert_eq!(order["lines"], json!([{ "sku": "DESK-OAK" }]));
    assert_eq!(order["shipments"].as_array().unwrap().len(), 1);

    // Nor may it watch the whole order's events.
    let mut ws = WsClient::connect(&app, "graphql-transport-ws", Some(&northwood)).await.unwrap();
    ws.subscribe(
        "1",
        "subscription($id: String!) { orderUpdated(orderId: $id, afterSeq: 0) { seq } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(ws.next_result().await.unwrap_err()[0]["extensions"]["code"], "NOT_FOUND");
    // Another supplier sees nothing.
    let acme = app.token(&Actor::Supplier { supplier: "acme".into() });
    assert_eq!(app.gql_with(Some(&acme), read, json!({ "id": id })).await["data"]["order"], Value::Null);
}

#[tokio::test]
async fn staff_bound_to_a_location_record_tracking_only_for_their_parcels() {
    let app = TestApp::spawn().await;
    let id = order_in_parcels(
        &app,
        json!([{ "sku": "TEE-BLK-L", "quantity": 1 }, { "sku": "SCARF-WOOL", "quantity": 1 }]),
    )
    .await;
    let staff = app.token(&Actor::Staff);
    let mut numbers = Vec::new();
    for (parcel, source) in parcels(&app, &id).await {
        let number = ordo_tests::ups(&source);
        assert!(ship(&app, &staff, &id, &parcel, "UPS", &number).await["errors"].is_null());
        numbers.push((source, number));
    }
    let west = app.token(&Actor::WarehouseStaff { locations: vec!["west".into()] });
    let record = "mutation($t: String!) { recordTrackingEvent(trackingNumber: $t, status: IN_TRANSIT, occurredAt: \"2026-12-01T00:00:00Z\") }";
    // The refusals first, each compared with the whole store before it.
    numbers.sort_by_key(|(source, _)| source == "west");
    for (source, number) in numbers {
        let before = app.store.dump().await.unwrap();
        let body = app.gql_with(Some(&west), record, json!({ "t": number })).await;
        if source == "west" {
            assert_eq!(body["data"]["recordTrackingEvent"], true, "{body}");
        } else {
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{source}: {body}");
            app.assert_unchanged(&before, "a refused tracking event").await;
        }
    }
}

#[tokio::test]
async fn a_tracking_number_belongs_to_one_parcel_per_carrier() {
    let app = TestApp::spawn().await;
    let staff = app.token(&Actor::Staff);
    let mut parcels_to_ship = Vec::new();
    for _ in 0..4 {
        let id = order_in_parcels(&app, json!([{ "sku": "MUG-STONE", "quantity": 1 }])).await;
        let parcel = parcels(&app, &id).await.remove(0).0;
        parcels_to_ship.push((id, parcel));
    }
    let (first, second, third, fourth) =
        (&parcels_to_ship[0], &parcels_to_ship[1], &parcels_to_ship[2], &parcels_to_ship[3]);
    assert!(ship(&app, &staff, &first.0, &first.1, "UPS", "1Z5R89390357567127").await["errors"].is_null());
    // The same number (case and spaces aside) with the same carrier is refused, and nothing changes.
    let body = ship(&app, &staff, &second.0, &second.1, "ups", "1z5r8939 0357567127").await;
    assert_eq!(error_code(&body), Some("TRACKING_NUMBER_TAKEN"), "{body}");
    let state = app
        .gql(
            "query($id: String!) { order(id: $id) { shipments { state trackingNumber } } }",
            json!({ "id": second.0 }),
        )
        .await;
    assert_eq!(state["data"]["order"]["shipments"][0]["state"], "packed", "{state}");
    // Another carrier may use the number.
    assert!(ship_packed(&app, &staff, &second.0, &second.1, "Local courier", "1Z5R89390357567127").await["errors"].is_null());
    // Two parcels shipped at once with one number: exactly one gets it.
    pack(&app, &staff, &third.0, &third.1).await;
    pack(&app, &staff, &fourth.0, &fourth.1).await;
    let only_ship = "mutation($id: String!, $s: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: \"UPS\", trackingNumber: \"1Z879E930346834440\") { replayed } }";
    let answers = join_all(
        [third, fourth]
            .map(|(id, parcel)| app.gql_with(Some(&staff), only_ship, json!({ "id": id, "s": parcel }))),
    )
    .await;
    let shipped = answers.iter().filter(|b| b["errors"].is_null()).count();
    assert_eq!(shipped, 1, "{answers:?}");
    assert!(answers.iter().any(|b| error_code(b) == Some("TRACKING_NUMBER_TAKEN")), "{answers:?}");
}
