//! What the harnesses share: the application they place orders through, and the order they
//! place (a web checkout for some lines).

use ordo_core::cart::{Cart, CartLine, CartStage};
use ordo_core::values::AddressInput;
use ordo_gateway::app::intake::PlaceOrder;
use ordo_gateway::app::{App, Keys};
use ordo_gateway::store::Store;

/// The application on `store` (test payment provider, default limits), as intake runs in the
/// gateway minus GraphQL and HTTP.
pub fn app(store: &Store) -> App {
    let keys = Keys::new(b"bench-secret-bench-secret-bench-secret").expect("a long enough secret");
    App::new(store.clone(), keys)
}

/// The address every harness order ships to.
pub fn address() -> AddressInput {
    AddressInput {
        name: "Grace Hopper".into(),
        line1: "1 Navy Way".into(),
        line2: None,
        city: "Arlington".into(),
        region: Some("VA".into()),
        postal_code: "22202".into(),
        country: "US".into(),
        phone: None,
    }
}

/// A guest's web order for `lines`, at checkout stage.
pub fn web_order(lines: Vec<CartLine>) -> PlaceOrder {
    PlaceOrder {
        channel: "web".into(),
        external_id: None,
        customer: None,
        cart: Cart {
            currency: "USD".into(),
            lines,
            shipping_address: Some(address()),
            email: Some("grace@example.com".into()),
            stage: CartStage::Checkout,
            ..Cart::default()
        },
    }
}
