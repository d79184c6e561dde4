//! Carrier tracking reports in the store: each stored once under its digest, read per parcel.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, decode, rows, without_nulls};

/// One carrier tracking report, as stored and as the live feed carries it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TrackingRecord {
    pub order_id: String,
    pub shipment_id: String,
    pub tracking_number: String,
    pub carrier: String,
    pub status: String,
    pub occurred_at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    pub carrier_status: String,
}

/// A report to store, under `key` (a digest of carrier, number, status and time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewReport<'a> {
    pub key: &'a str,
    pub carrier: &'a str,
    pub order_id: &'a str,
    pub shipment_id: &'a str,
    pub tracking_number: &'a str,
    /// ordo-core's `TrackingStatus::name`.
    pub status: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub location: Option<&'a str>,
    pub carrier_status: &'a str,
}

impl Store {
    /// When the newest stored report for a parcel happened.
    pub(crate) async fn latest_tracking(
        &self,
        shipment_id: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut result = self
            .db()
            .query("SELECT VALUE occurred_at FROM tracking_event WHERE shipment_id = $s ORDER BY occurred_at DESC LIMIT 1")
            .bind(("s", shipment_id.to_owned()))
            .await?;
        let times: Vec<DateTime<Utc>> = result.take(0)?;
        Ok(times.into_iter().next())
    }

    /// Stores a report under its key; `false` when it was already there.
    pub(crate) async fn insert_tracking(&self, report: &NewReport<'_>) -> Result<bool, StoreError> {
        let content = without_nulls(serde_json::json!({
            "order_id": report.order_id, "shipment_id": report.shipment_id,
            "tracking_number": report.tracking_number, "carrier": report.carrier, "status": report.status,
            "location": report.location, "carrier_status": report.carrier_status,
        }));
        let mut result = self
            .db()
            .query(
                "CREATE type::record('tracking_event', $key) CONTENT {
                    order_id: $content.order_id, shipment_id: $content.shipment_id,
                    tracking_number: $content.tracking_number, carrier: $content.carrier,
                    status: $content.status, location: $content.location,
                    carrier_status: $content.carrier_status, occurred_at: <datetime>$at };",
            )
            .bind(("key", report.key.to_owned()))
            .bind(("content", content))
            .bind(("at", report.occurred_at.to_rfc3339()))
            .await?;
        let errors = result.take_errors();
        if errors.is_empty() {
            return Ok(true);
        }
        if errors.values().any(|e| e.is_already_exists() || e.message().contains("already exists")) {
            return Ok(false);
        }
        let detail: Vec<String> = errors.values().map(|e| e.message().to_owned()).collect();
        Err(StoreError::Decode(format!("tracking insert: {}", detail.join("; "))))
    }

    /// Every report for a parcel, by when it happened.
    pub async fn tracking_for(&self, shipment_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        let mut result = self
            .db()
            .query("SELECT * FROM tracking_event WHERE shipment_id = $s ORDER BY occurred_at")
            .bind(("s", shipment_id.to_owned()))
            .await?;
        decode(rows(&mut result, 0)?)
    }
}
