//! The holes a stranger could use (issue #19), each closed and proven from the outside: taking
//! over someone's order by naming it, replaying another caller's idempotency key, holding stock
//! without paying, card testing, and going around the limits.

mod audit;
mod config;
mod errors;
mod holds;
mod limits;
mod payments;
mod roles;
mod slow;
mod takeover;

use ordo_tests::TestApp;
use serde_json::{Value, json};

pub(crate) const PLACE: &str = "mutation($input: PlaceOrderInput!, $key: String) {
  placeOrder(input: $input, idempotencyKey: $key) {
    replayed accessToken
    order { id email channel lines { sku quantity } }
  }
}";

/// A web checkout for one mug, shipping to `name`.
pub(crate) fn checkout(name: &str, email: &str) -> Value {
    json!({ "channel": "web", "currency": "USD", "email": email,
            "lines": [{ "sku": "MUG-STONE", "quantity": 1 }],
            "shippingAddress": { "name": name, "line1": "1 Main St", "city": "Springfield", "region": "IL",
                                 "postalCode": "62701", "country": "US" } })
}

/// How many orders the store holds (read as staff).
pub(crate) async fn order_count(app: &TestApp) -> usize {
    let body = app.gql("{ orders(first: 100) { edges { node { id } } } }", json!({})).await;
    body["data"]["orders"]["edges"].as_array().map_or(0, Vec::len)
}
