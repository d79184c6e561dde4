//! When a partner cannot send: its rejection (cancelled and refunded, or on backorder after its
//! lead time, as the order's policy says), and staff putting waiting units on backorder or
//! handing them to a partner again.

use chrono::{NaiveDate, Utc};
use ordo_core::lifecycle::LineAvailability;
use ordo_core::order::{Command, Order, ShipmentAction, ShipmentSource};
use ordo_core::promise::after_lead_time;
use ordo_core::supplier::lead_time;

use crate::app::App;
use crate::app::access::Actor;
use crate::app::commands::Ran;
use crate::app::error::ApiError;
use crate::app::execute;
use crate::store::Doer;

/// Who asks, as recorded.
pub type Caller<'a> = (&'a Actor, &'a Doer);

/// A partner cannot send parcel `shipment_id` of order `order_id` (`reason`): as the order's
/// policy says, its units are cancelled and refunded, or they go on backorder promised after the
/// partner's lead time — then promised again against the open purchase orders of their SKUs,
/// which tells the customer the nearer day.
pub async fn reject(
    app: &App,
    (caller, doer): Caller<'_>,
    order_id: &str,
    shipment_id: &str,
    reason: String,
) -> Result<Ran, ApiError> {
    let shipment = shipment_id.trim().to_owned();
    let unpromised = Command::Shipment {
        shipment: shipment.clone(),
        action: ShipmentAction::Reject { reason: reason.clone(), promised: None },
    };
    execute::admit(app, caller, order_id.trim(), &unpromised.clone().into()).await?;
    let order = super::commands::load(app, order_id.trim()).await?;
    let promised = match order.shipment(&shipment).map(|s| s.source()) {
        Some(ShipmentSource::Supplier { supplier }) => Some(partner_day(app, supplier).await?),
        _ => None,
    };
    let command = Command::Shipment { shipment, action: ShipmentAction::Reject { reason, promised } };
    let ran = Box::pin(execute::execute(app, caller, doer, order_id, &command.into(), None)).await?;
    repromise_waiting(app, &order, &ran.order).await;
    Ok(ran)
}

/// The day units a partner could not send are promised for: after its lead time from today.
async fn partner_day(app: &App, supplier: &str) -> Result<NaiveDate, ApiError> {
    // Stored lead times were checked by ordo-core's `lead_time` when written.
    let lead = app.store().supplier(supplier).await?.and_then(|s| lead_time(s.lead_time_days).ok());
    Ok(after_lead_time(Utc::now().date_naive(), lead.unwrap_or(0)))
}

/// Promises again, against their open purchase orders, the SKUs of parts that `before` did not
/// have waiting and `after` does. What is already recorded stands when that fails: it is logged.
async fn repromise_waiting(app: &App, before: &Order, after: &Order) {
    let mut skus: Vec<&str> = Vec::new();
    for (line, was) in after.lines().iter().zip(before.lines()) {
        let newly = line.parts().iter().zip(was.parts()).any(|(now, then)| {
            matches!(now.availability(), LineAvailability::Backordered { .. })
                && !matches!(then.availability(), LineAvailability::Backordered { .. })
        });
        if newly && !skus.contains(&line.sku().as_str()) {
            skus.push(line.sku().as_str());
        }
    }
    for sku in skus {
        if let Err(e) = super::purchasing::repromise(app, sku).await {
            tracing::warn!(sku, error = %e, "could not promise backorders again");
        }
    }
}

/// Staff put units of part `part` of line `line` on backorder for `promised` (their stock was
/// lost, or a new day): the reservation is released and the part waits in the queue.
pub async fn backorder(
    app: &App,
    (caller, doer): Caller<'_>,
    order_id: &str,
    (line, part): (usize, usize),
    promised: NaiveDate,
) -> Result<Ran, ApiError> {
    let command = Command::Backorder { line, part, promised };
    Box::pin(execute::execute(app, caller, doer, order_id, &command.into(), None)).await
}

/// Staff hand waiting units (part `part` of line `line`) to active partner `supplier`: they
/// leave the backorder queue; the next `createShipments` makes the partner's parcel, which asks
/// the partner and tells the customer, as for units dropshipped at checkout.
pub async fn hand_to_partner(
    app: &App,
    (caller, doer): Caller<'_>,
    order_id: &str,
    (line, part): (usize, usize),
    supplier: &str,
) -> Result<Ran, ApiError> {
    caller.require_staff()?;
    let supplier = supplier.trim();
    let active = app.store().supplier(supplier).await?.is_some_and(|s| s.active);
    if !active {
        return Err(ApiError::bad_input("supplier", format!("no active supplier \"{supplier}\"")));
    }
    let command = Command::Dropship { line, part, supplier: supplier.to_owned() };
    Box::pin(execute::execute(app, caller, doer, order_id, &command.into(), None)).await
}
