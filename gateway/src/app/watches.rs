//! Watches over stored orders, run later by jobs: flags what ordo-core finds due now (parcels
//! running late, which tells the customer; an authorization about to lapse with money still to
//! capture, which tells staff) and says when to look again.

use chrono::{DateTime, Utc};
use ordo_core::order::{
    Order, TimelineEntry, authorization_entries, late_entries, next_authorization_check, next_late_check,
};

use super::App;
use super::commands::load;
use super::error::ApiError;
use crate::store::orders::{Append, Effects};
use crate::store::{Doer, StoreError, backoff};

/// What a watch looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watch {
    /// Parcels whose expected day went by without a delivery.
    Late,
    /// An authorization about to lapse with money still to capture.
    Authorization,
}

impl Watch {
    /// The entries that flag what is due on `order` at `now`.
    fn entries(self, app: &App, order: &Order, now: DateTime<Utc>) -> Vec<TimelineEntry> {
        match self {
            Watch::Late => late_entries(order, now, app.late_after()),
            Watch::Authorization => authorization_entries(order, now, app.authorization_valid()),
        }
    }

    /// When to look at `order` again, if ever.
    fn next(self, app: &App, order: &Order) -> Option<DateTime<Utc>> {
        match self {
            Watch::Late => next_late_check(order, app.late_after()),
            Watch::Authorization => next_authorization_check(order, app.authorization_valid()),
        }
    }

    fn topic(self) -> &'static str {
        match self {
            Watch::Late => "order.shipment_late",
            Watch::Authorization => "order.payment_authorization_expiring",
        }
    }
}

/// What looking at an order came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Watched {
    /// The events appended just now, by name.
    pub flagged: Vec<&'static str>,
    /// When to look again, if ever.
    pub next: Option<DateTime<Utc>>,
}

/// Flags what `watch` finds due on order `order_id` now, once (appends are conditional on the
/// order's last event: a change recorded meanwhile wins, and the order is read again), with the
/// messages the events call for.
pub(crate) async fn look(app: &App, order_id: &str, watch: Watch) -> Result<Watched, ApiError> {
    let by = Doer::system("system");
    for round in 1..=20u32 {
        let before = load(app, order_id).await?;
        let entries = watch.entries(app, &before, Utc::now());
        if entries.is_empty() {
            return Ok(Watched { flagged: Vec::new(), next: watch.next(app, &before) });
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
            outbox_topic: Some(watch.topic()),
            idempotency: None,
            effects: &Effects::default(),
            messages: &messages,
            attempt: None,
        };
        if Box::pin(app.store().append(&append)).await? {
            let flagged = entries.iter().map(|e| e.event.name()).collect();
            return Ok(Watched { flagged, next: watch.next(app, &after) });
        }
        backoff(round).await;
    }
    Err(StoreError::Contended(20).into())
}
