//! Recording carrier tracking reports: each stored once, applied to the parcel only when newer
//! than what it has (ordo-core's `implied_action`), and only to the reporting carrier's parcels.

use chrono::{DateTime, Utc};
use ordo_core::order::{Command, Role};
use ordo_core::tracking::{TrackingStatus, implied_action};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;

/// One normalised report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub tracking_number: String,
    pub status: TrackingStatus,
    pub occurred_at: DateTime<Utc>,
    pub location: Option<String>,
    pub carrier_status: String,
}

/// Records `report` entered by hand: staff, and staff bound to locations only for parcels
/// leaving theirs.
pub async fn record_by_hand(
    app: &App,
    caller: &Actor,
    by: &crate::store::Doer,
    report: Report,
) -> Result<Recorded, ApiError> {
    caller.require_staff()?;
    if let Actor::WarehouseStaff { .. } = caller {
        let parcels = app.store().shipments_by_tracking(&report.tracking_number).await?;
        let theirs = parcels.iter().all(|p| p.location.as_deref().is_some_and(|l| caller.may_work_at(l)));
        if !theirs {
            return Err(ApiError::Forbidden);
        }
    }
    record(app, "manual", &[report], by).await
}

/// What recording a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recorded {
    pub accepted: usize,
    pub duplicates: usize,
}

/// Records `reports` from `carrier`: every tracking number must be known (else nothing is
/// written); each report is stored once; a report newer than the parcel's latest moves it.
pub async fn record(
    app: &App,
    carrier: &str,
    reports: &[Report],
    actor: &crate::store::Doer,
) -> Result<Recorded, ApiError> {
    let store = app.store();
    let mut parcels = Vec::with_capacity(reports.len());
    for report in reports {
        let found = store.shipments_by_tracking(&report.tracking_number).await?;
        // A carrier's webhook moves only that carrier's parcels (a tracking number is unique per
        // carrier, not across carriers); the generic format and staff may report for any.
        let for_carrier = |row: &&crate::store::fulfilment::ShipmentRow| {
            matches!(carrier, "generic" | "manual")
                || row.carrier.as_deref().is_some_and(|c| c.trim().eq_ignore_ascii_case(carrier))
        };
        let Some(parcel) = found.iter().find(for_carrier).cloned() else {
            return Err(ApiError::NotFound("tracking number"));
        };
        parcels.push(parcel);
    }
    let mut sorted: Vec<(&Report, &crate::store::fulfilment::ShipmentRow)> =
        reports.iter().zip(&parcels).collect();
    sorted.sort_by_key(|(r, _)| r.occurred_at);
    let mut recorded = Recorded::default();
    for (report, parcel) in sorted {
        let latest = store.latest_tracking(&parcel.id).await?;
        let key = hex::encode(Sha256::digest(
            format!(
                "{carrier}|{}|{}|{}",
                report.tracking_number,
                report.status.name(),
                report.occurred_at.timestamp_millis()
            )
            .as_bytes(),
        ));
        let row = crate::store::tracking::NewReport {
            key: &key,
            carrier,
            order_id: &parcel.order_id,
            shipment_id: &parcel.id,
            tracking_number: &report.tracking_number,
            status: report.status.name(),
            occurred_at: report.occurred_at,
            location: report.location.as_deref(),
            carrier_status: &report.carrier_status,
        };
        if !store.insert_tracking(&row).await? {
            recorded.duplicates += 1;
            continue;
        }
        recorded.accepted += 1;
        let order = crate::app::commands::load(app, &parcel.order_id).await?;
        let Some(shipment) = order.shipment(&parcel.id) else { continue };
        if let Some(action) = implied_action(
            shipment.state(),
            report.status,
            report.occurred_at,
            latest,
            &report.carrier_status,
        ) {
            let command = Command::Shipment { shipment: parcel.id.clone(), action };
            match crate::app::commands::run(app, &parcel.order_id, &Role::Staff, actor, &command, None).await
            {
                Ok(_) | Err(ApiError::Command(_)) => {} // the report is kept either way
                Err(e) => return Err(e),
            }
        }
    }
    Ok(recorded)
}
