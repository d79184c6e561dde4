//! Reading fulfilment: pick lists, a parcel by tracking number with its carrier reports, a
//! parcel's stored details (package, service).

use ordo_core::allocation::LocationId;
use ordo_core::order::Order;

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
pub use crate::store::fulfilment::{PickGroup, PickLine, ShipmentRow};
pub use crate::store::tracking::TrackingRecord;

/// What to pick at `location` (staff who work there): lines of parcels waiting or being picked,
/// grouped by order, oldest first.
pub async fn pick_list(app: &App, caller: &Actor, location: &LocationId) -> Result<Vec<PickGroup>, ApiError> {
    caller.require_staff_at(location.as_str())?;
    Ok(app.store().pick_list(location.as_str()).await?)
}

/// A parcel found by its tracking number, with its order and every carrier report, oldest first.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub order: Order,
    pub parcel: ShipmentRow,
    pub reports: Vec<TrackingRecord>,
}

/// The parcel with `tracking_number`, for whoever may see it (a supplier: its own parcels);
/// `None` for anyone else, exactly as for an unknown number.
pub async fn tracked(app: &App, caller: &Actor, tracking_number: &str) -> Result<Option<Tracked>, ApiError> {
    if *caller == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let Some(parcel) = app.store().shipments_by_tracking(tracking_number).await?.into_iter().next() else {
        return Ok(None);
    };
    let order = crate::app::commands::load(app, &parcel.order_id).await?;
    let visible = order.shipment(&parcel.id).is_some_and(|p| caller.can_see_parcel(&order, p.source()));
    if !visible {
        return Ok(None);
    }
    let reports = app.store().tracking_for(&parcel.id).await?;
    Ok(Some(Tracked { order, parcel, reports }))
}

/// The carrier reports of parcel `id`, oldest first.
pub async fn reports(app: &App, id: &str) -> Result<Vec<TrackingRecord>, ApiError> {
    Ok(app.store().tracking_for(id).await?)
}

/// Parcel `id`'s stored details (package, service), once it has them.
pub async fn parcel(app: &App, id: &str) -> Result<Option<ShipmentRow>, ApiError> {
    Ok(app.store().shipment_row(id).await?)
}

/// What a tracking subscription follows, for `caller`: an order's parcels (whoever may see the
/// order, but not a supplier: it follows its own parcels), or one parcel by tracking number
/// (whoever may see that parcel). Answers the order id and the parcel; `NOT_FOUND` otherwise.
pub async fn followed(
    app: &App,
    caller: &Actor,
    order_id: Option<&str>,
    tracking_number: Option<&str>,
) -> Result<(String, Option<String>), ApiError> {
    if *caller == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let (order_id, shipment) = match (order_id, tracking_number) {
        (Some(order_id), None) => (order_id.trim().to_owned(), None),
        (None, Some(number)) => {
            let row = app.store().shipments_by_tracking(number.trim()).await?.into_iter().next();
            let Some(row) = row else { return Err(ApiError::NotFound("shipment")) };
            (row.order_id, Some(row.id))
        }
        _ => return Err(ApiError::bad_input("orderId", "give either orderId or trackingNumber")),
    };
    let order = crate::app::commands::load(app, &order_id).await?;
    let visible = match &shipment {
        Some(id) => order.shipment(id).is_some_and(|parcel| caller.can_see_parcel(&order, parcel.source())),
        None => caller.can_see(&order) && !matches!(caller, Actor::Supplier { .. }),
    };
    if !visible {
        return Err(ApiError::NotFound("shipment"));
    }
    Ok((order_id, shipment))
}
