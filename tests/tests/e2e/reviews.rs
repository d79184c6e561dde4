//! Reviews and feedback end to end: only delivered lines reviewed, once each, by their customer; ratings, hiding, the survey and its low scores.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_core::order::{Command, Role, ShipmentAction};
use ordo_gateway::app::Actor;
use ordo_gateway::app::commands;
use ordo_tests::{TestApp, error_code};
use serde_json::{Value, json};

const PLACE: &str =
    "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { accessToken order { id } } }";
const AUTHORIZE: &str = "mutation($id: String!) { authorizePayment(orderId: $id, token: \"tok_visa\") { order { payment { status } } } }";
const SUBMIT: &str = "mutation($o: String!, $sku: String!, $r: Int!, $t: String!, $b: String! = \"\") {
  submitReview(orderId: $o, sku: $sku, rating: $r, title: $t, body: $b) { id sku rating title body hidden hiddenReason }
}";
const PRODUCT: &str = "query($sku: String!, $first: Int! = 20, $after: String) { product(sku: $sku) {
  rating { average count distribution { stars count } }
  reviews(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id rating title } } }
} }";
const HIDE: &str = "mutation($id: String!, $reason: String!) { hideReview(id: $id, reason: $reason) { id hidden hiddenReason } }";
const FEEDBACK: &str = "mutation($o: String!, $s: Int!, $c: String) { submitFeedback(orderId: $o, score: $s, comment: $c) { orderId customerId score comment } }";
const LOW: &str = "query($max: Int! = 6, $first: Int! = 20, $after: String) { lowFeedback(maxScore: $max, first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } edges { cursor node { orderId score comment } } } }";

fn customer(app: &TestApp, id: &str) -> String {
    app.token(&Actor::Customer { id: id.into() })
}

/// Places a web order for one of each SKU (as the customer of `token`, or as a guest without
/// one) and authorizes its payment. Returns the order id and, for a guest, the order's token.
async fn paid_order(app: &TestApp, token: Option<&str>, skus: &[&str]) -> (String, Option<String>) {
    let lines: Vec<Value> = skus.iter().map(|s| json!({ "sku": s, "quantity": 1 })).collect();
    let input = json!({ "channel": "web", "currency": "USD", "email": "ada@example.com", "lines": lines,
        "shippingAddress": { "name": "Ada", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                             "postalCode": "62701", "country": "US" } });
    let placed = app.gql_with(token, PLACE, json!({ "input": input })).await;
    let id =
        placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{placed}")).to_owned();
    let guest = placed["data"]["placeOrder"]["accessToken"].as_str().map(str::to_owned);
    let payer = token.or(guest.as_deref());
    let paid = app.gql_with(payer, AUTHORIZE, json!({ "id": id })).await;
    assert_eq!(paid["data"]["authorizePayment"]["order"]["payment"]["status"], "authorized", "{paid}");
    (id, guest)
}

/// Runs a staff command on the order through the same path the API uses.
async fn staff(app: &TestApp, order_id: &str, command: Command) {
    commands::run(
        &ordo_gateway::app::App::new(app.store.clone(), app.keys.clone()),
        order_id,
        &Role::Staff,
        &ordo_gateway::store::Doer::system("staff"),
        &command,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{command:?} on {order_id}: {e:?}"));
}

/// Puts the order in shipments (when it has none yet), then picks, packs, ships and delivers
/// the shipment holding `sku`.
async fn deliver(app: &TestApp, order_id: &str, sku: &str) {
    if commands::load(&ordo_gateway::app::App::new(app.store.clone(), app.keys.clone()), order_id)
        .await
        .unwrap()
        .shipments()
        .is_empty()
    {
        staff(app, order_id, Command::CreateShipments).await;
    }
    let order = commands::load(&ordo_gateway::app::App::new(app.store.clone(), app.keys.clone()), order_id)
        .await
        .unwrap();
    let line = order.lines().iter().find(|l| l.sku().as_str() == sku).unwrap().index();
    let shipment =
        order.shipments().iter().find(|s| s.lines().iter().any(|l| l.line == line)).unwrap().id().to_owned();
    // A tracking number is one parcel's (per carrier).
    let ship = ShipmentAction::Ship {
        carrier: "UPS".into(),
        tracking_number: ordo_tests::ups(&shipment),
        tracking_url: None,
    };
    for action in [ShipmentAction::StartPicking, ShipmentAction::Pack, ship, ShipmentAction::MarkDelivered] {
        staff(app, order_id, Command::Shipment { shipment: shipment.clone(), action }).await;
    }
}

async fn review(app: &TestApp, token: &str, order: &str, sku: &str, rating: i64, title: &str) -> Value {
    app.gql_with(Some(token), SUBMIT, json!({ "o": order, "sku": sku, "r": rating, "t": title })).await
}

async fn product(app: &TestApp, sku: &str, first: i64, after: Option<&str>) -> Value {
    let body = app.gql_with(None, PRODUCT, json!({ "sku": sku, "first": first, "after": after })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["product"].clone()
}

#[tokio::test]
async fn only_delivered_lines_are_reviewed_and_each_only_once() {
    let app = TestApp::spawn().await;
    let ada = customer(&app, "cus_ada");
    // The enamel mug is only in the east warehouse and the scarf only in the west: two parcels.
    let (id, _) = paid_order(&app, Some(&ada), &["MUG-ENAMEL", "SCARF-WOOL"]).await;

    let early = review(&app, &ada, &id, "MUG-ENAMEL", 5, "Great mug").await;
    assert_eq!(error_code(&early), Some("NOT_DELIVERED"), "{early}");

    deliver(&app, &id, "MUG-ENAMEL").await;
    let body = app
        .gql_with(
            Some(&ada),
            SUBMIT,
            json!({ "o": id, "sku": " MUG-ENAMEL ", "r": 5, "t": "  Great mug ", "b": "Keeps coffee hot. " }),
        )
        .await;
    let created = &body["data"]["submitReview"];
    assert_eq!(
        (&created["sku"], &created["rating"], &created["title"], &created["body"], &created["hidden"]),
        (&json!("MUG-ENAMEL"), &json!(5), &json!("Great mug"), &json!("Keeps coffee hot."), &json!(false)),
        "{body}"
    );
    assert!(created["id"].as_str().unwrap().starts_with("rev_"));

    let scarf = review(&app, &ada, &id, "SCARF-WOOL", 4, "Warm").await;
    assert_eq!(error_code(&scarf), Some("NOT_DELIVERED"), "the scarf's parcel is still on its way: {scarf}");
    let again = review(&app, &ada, &id, "MUG-ENAMEL", 1, "Changed my mind").await;
    assert_eq!(error_code(&again), Some("ALREADY_REVIEWED"), "{again}");
    let not_ordered = review(&app, &ada, &id, "TEE-BLK-M", 4, "Never bought it").await;
    assert_eq!(error_code(&not_ordered), Some("NOT_ON_ORDER"), "{not_ordered}");

    deliver(&app, &id, "SCARF-WOOL").await;
    // Two submissions at once for the same line: one is stored, the other is told it was reviewed.
    let (a, b) = tokio::join!(
        review(&app, &ada, &id, "SCARF-WOOL", 4, "Warm"),
        review(&app, &ada, &id, "SCARF-WOOL", 3, "Itchy")
    );
    let mut codes = [error_code(&a), error_code(&b)];
    codes.sort();
    assert_eq!(codes, [None, Some("ALREADY_REVIEWED")], "{a} {b}");
    assert_eq!(product(&app, "SCARF-WOOL", 20, None).await["rating"]["count"], 1);

    let mug = product(&app, "MUG-ENAMEL", 20, None).await;
    assert_eq!(mug["rating"]["count"], 1, "the refused second review was not stored: {mug}");
    assert_eq!(mug["rating"]["average"], 5.0);
    assert_eq!(mug["reviews"]["edges"][0]["node"]["title"], "Great mug");
}

#[tokio::test]
async fn only_the_orders_customer_may_review_it_and_others_learn_nothing() {
    let app = TestApp::spawn().await;
    let ada = customer(&app, "cus_ada");
    let bob = customer(&app, "cus_bob");
    let (id, _) = paid_order(&app, Some(&ada), &["MUG-STONE"]).await;
    deliver(&app, &id, "MUG-STONE").await;

    let probe = review(&app, &bob, &id, "MUG-STONE", 1, "Terrible").await;
    assert_eq!(error_code(&probe), Some("NOT_FOUND"), "{probe}");
    let missing = review(&app, &bob, "ord_missing", "MUG-STONE", 1, "Terrible").await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"));
    assert_eq!(probe["errors"][0]["message"], missing["errors"][0]["message"], "no existence leak");

    let staff = app.token(&Actor::Staff);
    assert_eq!(error_code(&review(&app, &staff, &id, "MUG-STONE", 5, "Staff pick").await), Some("FORBIDDEN"));
    let anonymous =
        app.gql_with(None, SUBMIT, json!({ "o": id, "sku": "MUG-STONE", "r": 5, "t": "Hi" })).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    // A guest order's token may answer the survey but not review: reviews belong to an account.
    let (guest_order, guest) = paid_order(&app, None, &["MUG-STONE"]).await;
    deliver(&app, &guest_order, "MUG-STONE").await;
    let guest_review = review(&app, guest.as_deref().unwrap(), &guest_order, "MUG-STONE", 5, "Nice").await;
    assert_eq!(error_code(&guest_review), Some("FORBIDDEN"), "{guest_review}");

    assert_eq!(product(&app, "MUG-STONE", 20, None).await["rating"]["count"], 0);
}

#[tokio::test]
async fn bad_ratings_and_text_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let ada = customer(&app, "cus_ada");
    let (id, _) = paid_order(&app, Some(&ada), &["TEA-EARL"]).await;
    deliver(&app, &id, "TEA-EARL").await;

    // Every table, before any bad review and after each.
    let before = app.store.dump().await.unwrap();
    for rating in [0, 6, -1] {
        let body = review(&app, &ada, &id, "TEA-EARL", rating, "Tea").await;
        assert_eq!(error_code(&body), Some("INVALID_RATING"), "{rating}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "rating");
        app.assert_unchanged(&before, &format!("rating {rating}")).await;
    }
    let untitled = review(&app, &ada, &id, "TEA-EARL", 4, "   ").await;
    assert_eq!(error_code(&untitled), Some("TEXT_REQUIRED"));
    app.assert_unchanged(&before, "a blank title").await;
    let long = review(&app, &ada, &id, "TEA-EARL", 4, &"t".repeat(121)).await;
    assert_eq!(error_code(&long), Some("TEXT_TOO_LONG"));
    assert_eq!(long["errors"][0]["extensions"]["field"], "title");
    app.assert_unchanged(&before, "a long title").await;
    let card = app
        .gql_with(
            Some(&ada),
            SUBMIT,
            json!({ "o": id, "sku": "TEA-EARL", "r": 4, "t": "Tea", "b": "paid with 4242 4242 4242 4242" }),
        )
        .await;
    assert_eq!(error_code(&card), Some("CARD_NUMBER_IN_TEXT"));
    assert_eq!(card["errors"][0]["extensions"]["field"], "body");
    app.assert_unchanged(&before, "a card number in the text").await;

    let tea = product(&app, "TEA-EARL", 20, None).await;
    assert_eq!(
        tea["rating"],
        json!({ "average": null, "count": 0, "distribution": [
        { "stars": 1, "count": 0 }, { "stars": 2, "count": 0 }, { "stars": 3, "count": 0 },
        { "stars": 4, "count": 0 }, { "stars": 5, "count": 0 } ] })
    );
    assert_eq!(tea["reviews"]["edges"], json!([]));
    let unicode = review(&app, &ada, &id, "TEA-EARL", 4, &"é".repeat(120)).await;
    assert_eq!(
        unicode["data"]["submitReview"]["rating"], 4,
        "the line is still open, limits count characters: {unicode}"
    );
}

#[tokio::test]
async fn the_rating_averages_visible_reviews_over_orders_and_hidden_ones_drop_out() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (who, stars) in [("cus_a", 5), ("cus_b", 4), ("cus_c", 2)] {
        let token = customer(&app, who);
        let (id, _) = paid_order(&app, Some(&token), &["BOOK-RUST"]).await;
        deliver(&app, &id, "BOOK-RUST").await;
        let body = review(&app, &token, &id, "BOOK-RUST", stars, &format!("{stars} stars")).await;
        ids.push(body["data"]["submitReview"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned());
    }
    let book = product(&app, "BOOK-RUST", 20, None).await;
    assert_eq!(book["rating"]["count"], 3);
    assert_eq!(book["rating"]["average"], 3.67, "11 / 3 rounded to hundredths");
    assert_eq!(book["rating"]["distribution"][1], json!({ "stars": 2, "count": 1 }));
    let titles: Vec<&str> = book["reviews"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["2 stars", "4 stars", "5 stars"], "newest first");

    // Pages of two: the cursor continues where the first page ended.
    let first = product(&app, "BOOK-RUST", 2, None).await;
    assert_eq!(first["reviews"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(first["reviews"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["reviews"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let second = product(&app, "BOOK-RUST", 2, Some(&cursor)).await;
    assert_eq!(second["reviews"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(second["reviews"]["edges"][0]["node"]["title"], "5 stars");
    assert_eq!(second["reviews"]["pageInfo"]["hasNextPage"], false);

    // Staff hide the 2-star review: gone from the list and the rating.
    let customer_try =
        app.gql_with(Some(&customer(&app, "cus_a")), HIDE, json!({ "id": ids[2], "reason": "spam" })).await;
    assert_eq!(error_code(&customer_try), Some("FORBIDDEN"));
    let no_reason = app.gql(HIDE, json!({ "id": ids[2], "reason": " " })).await;
    assert_eq!(error_code(&no_reason), Some("TEXT_REQUIRED"));
    let missing = app.gql(HIDE, json!({ "id": "rev_missing", "reason": "spam" })).await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"));
    let hidden = app.gql(HIDE, json!({ "id": ids[2], "reason": "off-topic" })).await;
    assert_eq!(
        hidden["data"]["hideReview"],
        json!({ "id": ids[2], "hidden": true, "hiddenReason": "off-topic" }),
        "{hidden}"
    );
    let book = product(&app, "BOOK-RUST", 20, None).await;
    assert_eq!((&book["rating"]["count"], &book["rating"]["average"]), (&json!(2), &json!(4.5)));
    let listed: Vec<&str> = book["reviews"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [ids[1].as_str(), ids[0].as_str()]);

    // Staff may show it again: it counts and is listed again, with no hiding reason left.
    const UNHIDE: &str = "mutation($id: String!) { unhideReview(id: $id) { id hidden hiddenReason } }";
    let refused = app.gql_with(Some(&customer(&app, "cus_ada")), UNHIDE, json!({ "id": ids[2] })).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    assert_eq!(
        product(&app, "BOOK-RUST", 20, None).await["rating"]["count"],
        json!(2),
        "refused: still hidden"
    );
    let unknown = app.gql(UNHIDE, json!({ "id": "rev_nope" })).await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"), "{unknown}");
    let shown = app.gql(UNHIDE, json!({ "id": ids[2] })).await;
    assert_eq!(
        shown["data"]["unhideReview"],
        json!({ "id": ids[2], "hidden": false, "hiddenReason": null }),
        "{shown}"
    );
    let book = product(&app, "BOOK-RUST", 20, None).await;
    assert_eq!(book["rating"]["count"], json!(3), "{book}");
    assert_eq!(book["reviews"]["edges"].as_array().map(Vec::len), Some(3), "{book}");
}

#[tokio::test]
async fn feedback_is_taken_once_per_order_after_a_delivery_from_the_customer_or_the_guest() {
    let app = TestApp::spawn().await;
    let ada = customer(&app, "cus_ada");
    let (id, _) = paid_order(&app, Some(&ada), &["MUG-ENAMEL", "SCARF-WOOL"]).await;
    let send = |token: String, order: String, score: i64, comment: Option<&'static str>| {
        let app = &app;
        async move { app.gql_with(Some(&token), FEEDBACK, json!({ "o": order, "s": score, "c": comment })).await }
    };

    let early = send(ada.clone(), id.clone(), 9, None).await;
    assert_eq!(error_code(&early), Some("NOT_DELIVERED"), "{early}");
    deliver(&app, &id, "SCARF-WOOL").await;
    for score in [11, -1] {
        let bad = send(ada.clone(), id.clone(), score, None).await;
        assert_eq!(error_code(&bad), Some("INVALID_SCORE"), "{bad}");
    }
    let bob = send(customer(&app, "cus_bob"), id.clone(), 0, None).await;
    assert_eq!(error_code(&bob), Some("NOT_FOUND"), "{bob}");
    let staff = send(app.token(&Actor::Staff), id.clone(), 10, None).await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"));

    let given = send(ada.clone(), id.clone(), 9, Some("  Quick and friendly  ")).await;
    assert_eq!(
        given["data"]["submitFeedback"],
        json!({ "orderId": id, "customerId": "cus_ada", "score": 9, "comment": "Quick and friendly" }),
        "{given}"
    );
    let twice = send(ada.clone(), id.clone(), 3, None).await;
    assert_eq!(error_code(&twice), Some("ALREADY_SUBMITTED"), "{twice}");

    let (guest_order, guest) = paid_order(&app, None, &["TEA-EARL"]).await;
    deliver(&app, &guest_order, "TEA-EARL").await;
    let guest_answer = send(guest.unwrap(), guest_order.clone(), 7, None).await;
    assert_eq!(guest_answer["data"]["submitFeedback"]["customerId"], Value::Null, "{guest_answer}");
    assert_eq!(guest_answer["data"]["submitFeedback"]["score"], 7);
}

#[tokio::test]
async fn low_feedback_is_for_staff_and_lists_only_low_scores_newest_first() {
    let app = TestApp::spawn().await;
    let mut orders = Vec::new();
    for (who, score) in [("cus_a", 2), ("cus_b", 9), ("cus_c", 5), ("cus_d", 6)] {
        let token = customer(&app, who);
        let (id, _) = paid_order(&app, Some(&token), &["COFFEE-HOUSE"]).await;
        deliver(&app, &id, "COFFEE-HOUSE").await;
        let body = app
            .gql_with(Some(&token), FEEDBACK, json!({ "o": id, "s": score, "c": format!("scored {score}") }))
            .await;
        assert_eq!(body["data"]["submitFeedback"]["score"], score, "{body}");
        orders.push(id);
    }

    let as_customer = app.gql_with(Some(&customer(&app, "cus_a")), LOW, json!({})).await;
    assert_eq!(error_code(&as_customer), Some("FORBIDDEN"));
    assert_eq!(error_code(&app.gql_with(None, LOW, json!({})).await), Some("UNAUTHENTICATED"));
    assert_eq!(error_code(&app.gql(LOW, json!({ "max": 11 })).await), Some("INVALID_SCORE"));

    let low = app.gql(LOW, json!({})).await;
    let scores: Vec<i64> = low["data"]["lowFeedback"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["score"].as_i64().unwrap())
        .collect();
    assert_eq!(scores, [6, 5, 2], "at most 6, newest first: {low}");
    assert_eq!(low["data"]["lowFeedback"]["edges"][2]["node"]["orderId"], json!(orders[0]));

    let page = app.gql(LOW, json!({ "max": 5, "first": 1 })).await;
    assert_eq!(page["data"]["lowFeedback"]["edges"][0]["node"]["score"], 5, "{page}");
    assert_eq!(page["data"]["lowFeedback"]["pageInfo"]["hasNextPage"], true);
    let cursor = page["data"]["lowFeedback"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let next = app.gql(LOW, json!({ "max": 5, "first": 1, "after": cursor })).await;
    assert_eq!(next["data"]["lowFeedback"]["edges"][0]["node"]["comment"], "scored 2", "{next}");
    assert_eq!(next["data"]["lowFeedback"]["pageInfo"]["hasNextPage"], false);
    let bad_cursor = app.gql(LOW, json!({ "after": "not-a-cursor" })).await;
    assert_eq!(error_code(&bad_cursor), Some("BAD_USER_INPUT"));
}
