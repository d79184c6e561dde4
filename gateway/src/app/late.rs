//! Parcels running late: flags the parcels of a stored order that ordo-core finds late now
//! (`late_entries`), with the message that tells the customer, and says when to look again.

use chrono::{DateTime, Utc};
use ordo_core::order::{late_entries, next_late_check};

use super::App;
use super::commands::load;
use super::error::ApiError;
use crate::store::orders::{Append, Effects};
use crate::store::{Doer, StoreError, backoff};

/// What looking at an order's parcels came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Watched {
    /// The parcels flagged late just now.
    pub flagged: Vec<String>,
    /// When the next parcel on its way would become late, if one may.
    pub next: Option<DateTime<Utc>>,
}

/// Flags order `order_id`'s parcels that are late now, once each (appends are conditional on the
/// order's last event: a delivery recorded meanwhile wins, and the order is read again).
pub(crate) async fn flag(app: &App, order_id: &str) -> Result<Watched, ApiError> {
    let late_after = app.late_after();
    let by = Doer::system("system");
    for round in 1..=20u32 {
        let before = load(app, order_id).await?;
        let entries = late_entries(&before, Utc::now(), late_after);
        if entries.is_empty() {
            return Ok(Watched { flagged: Vec::new(), next: next_late_check(&before, late_after) });
        }
        let mut after = before.clone();
        for entry in &entries {
            after.apply(entry).map_err(|e| StoreError::Decode(e.to_string()))?;
        }
        let messages = super::messages::for_append(&after, &entries, None);
        let append = Append {
            order: &after,
            expected_seq: before.last_seq(),
            entries: &entries,
            actor: &by,
            outbox_topic: Some("order.shipment_late"),
            idempotency: None,
            effects: &Effects::default(),
            messages: &messages,
            attempt: None,
        };
        if Box::pin(app.store().append(&append)).await? {
            let flagged = entries.iter().filter_map(|e| e.event.shipment().map(str::to_owned)).collect();
            return Ok(Watched { flagged, next: next_late_check(&after, late_after) });
        }
        backoff(round).await;
    }
    Err(StoreError::Contended(20).into())
}
