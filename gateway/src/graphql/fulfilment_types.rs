//! Output types of fulfilment reads (pick lists), shared by the schema and the store.

use async_graphql::SimpleObject;

/// One line to pick.
#[derive(SimpleObject, Debug, Clone)]
pub struct PickLine {
    pub shipment_id: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Where it sits in the location, when known.
    pub bin: Option<String>,
}

/// What to pick for one order at one location.
#[derive(SimpleObject, Debug, Clone)]
pub struct PickGroup {
    pub order_id: String,
    pub lines: Vec<PickLine>,
}
