//! Output types of fulfilment reads (pick lists, tracking), converted from the application's rows.

use async_graphql::SimpleObject;

/// A carrier parcels ship with.
#[derive(SimpleObject, Debug, Clone)]
pub struct CarrierView {
    /// Stable code (`ups`, `dhl`, …): carrier webhooks are addressed by it.
    pub code: String,
    /// The name on labels, the tracking page and messages.
    pub name: String,
    /// Its tracking numbers' formats, in words (a form's hint).
    pub formats: String,
    /// Whether customers get a link to the carrier's tracking page.
    pub has_tracking_page: bool,
}

impl From<ordo_core::carrier::Carrier> for CarrierView {
    fn from(c: ordo_core::carrier::Carrier) -> Self {
        CarrierView {
            code: c.code().to_owned(),
            name: c.name().to_owned(),
            formats: c.formats().to_owned(),
            has_tracking_page: c.tracking_url("0").is_some(),
        }
    }
}

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

impl From<crate::app::fulfilment::PickGroup> for PickGroup {
    fn from(group: crate::app::fulfilment::PickGroup) -> Self {
        let lines = group
            .lines
            .into_iter()
            .map(|l| PickLine {
                shipment_id: l.shipment_id,
                sku: l.sku,
                name: l.name,
                quantity: l.quantity,
                bin: l.bin,
            })
            .collect();
        PickGroup { order_id: group.order_id, lines }
    }
}

/// A carrier's report on a parcel.
#[derive(SimpleObject, Debug, Clone)]
pub struct TrackingEventView {
    pub order_id: String,
    pub shipment_id: String,
    pub tracking_number: String,
    pub carrier: String,
    /// label_created, picked_up, in_transit, out_for_delivery, delivered, exception.
    pub status: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub location: Option<String>,
    /// The carrier's own wording.
    pub carrier_status: String,
}

impl From<&crate::app::live::TrackingRecord> for TrackingEventView {
    fn from(r: &crate::app::live::TrackingRecord) -> Self {
        TrackingEventView {
            order_id: r.order_id.clone(),
            shipment_id: r.shipment_id.clone(),
            tracking_number: r.tracking_number.clone(),
            carrier: r.carrier.clone(),
            status: r.status.clone(),
            occurred_at: r.occurred_at,
            location: r.location.clone(),
            carrier_status: r.carrier_status.clone(),
        }
    }
}

/// A parcel found by tracking number, with its carrier reports (oldest first).
#[derive(SimpleObject, Debug, Clone)]
pub struct TrackedShipment {
    pub order_id: String,
    pub shipment: super::types::ShipmentView,
    pub events: Vec<TrackingEventView>,
}
