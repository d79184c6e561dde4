//! Watches over stored orders, run later by jobs: flags what ordo-core finds due now (parcels
//! running late, which tells the customer; an authorization about to lapse with money still to
//! capture, which is renewed on the card when it may be and else tells staff) and says when to
//! look again.

use chrono::{DateTime, Utc};
use ordo_core::order::{
    AuthorizationStep, Order, TimelineEntry, authorization_entries, authorization_step, late_entries,
    next_authorization_check, next_late_check, reauthorized_entry,
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
    /// The entries that record what is due on `order` at `now`. Renewing an authorization asks
    /// the provider first (under the order's payment lease, with a key per order and sequence
    /// number, so a retry is the same renewal); a refused renewal flags it instead.
    async fn entries(self, app: &App, order: &Order, now: DateTime<Utc>) -> Vec<TimelineEntry> {
        match self {
            Watch::Late => late_entries(order, now, app.late_after()),
            Watch::Authorization => match authorization_step(order, now, app.authorization_valid()) {
                AuthorizationStep::Wait => Vec::new(),
                AuthorizationStep::Flag { .. } => {
                    authorization_entries(order, now, app.authorization_valid())
                }
                AuthorizationStep::Renew { amount } => {
                    let Some(reference) = order.payment_method().map(|m| m.reference.clone()) else {
                        return Vec::new();
                    };
                    let key = format!("{}:reauthorize:{}", order.id().as_str(), order.last_seq());
                    match app.payments().reauthorize(&reference, amount, &key) {
                        Ok(renewed) => vec![reauthorized_entry(order, now, amount, &renewed)],
                        Err(e) => {
                            tracing::warn!(order = order.id().as_str(), error = %e, "re-authorization refused");
                            authorization_entries(order, now, app.authorization_valid())
                        }
                    }
                }
            },
        }
    }

    /// When to look at `order` again, if ever.
    fn next(self, app: &App, order: &Order) -> Option<DateTime<Utc>> {
        match self {
            Watch::Late => next_late_check(order, app.late_after()),
            Watch::Authorization => next_authorization_check(order, app.authorization_valid()),
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
    // Renewing an authorization moves money: one gateway at a time, as every payment does.
    let lease = match watch {
        Watch::Authorization => Some(app.store().lease_payment(order_id).await?),
        Watch::Late => None,
    };
    let result = Box::pin(look_once(app, order_id, watch, &by)).await;
    if let Some(lease) = lease {
        app.store().release_payment(order_id, &lease).await;
    }
    result
}

async fn look_once(app: &App, order_id: &str, watch: Watch, by: &Doer) -> Result<Watched, ApiError> {
    for round in 1..=20u32 {
        let before = load(app, order_id).await?;
        let entries = watch.entries(app, &before, Utc::now()).await;
        if entries.is_empty() {
            return Ok(Watched { flagged: Vec::new(), next: watch.next(app, &before) });
        }
        let mut after = before.clone();
        for entry in &entries {
            after.apply(entry).map_err(|e| StoreError::Decode(e.to_string()))?;
        }
        let messages = super::messages::for_append(Some(&before), &after, &entries, None);
        let webhooks = Box::pin(super::channels::webhooks_for(app, Some(&before), &after, &entries)).await?;
        let append = Append {
            order: &after,
            expected_seq: before.last_seq(),
            entries: &entries,
            actor: by,
            idempotency: None,
            effects: &Effects::default(),
            messages: &messages,
            attempt: None,
            webhooks: &webhooks,
            webhook_attempt: None,
        };
        if Box::pin(app.store().append(&append)).await? {
            let flagged = entries.iter().map(|e| e.event.name()).collect();
            return Ok(Watched { flagged, next: watch.next(app, &after) });
        }
        backoff(round).await;
    }
    Err(StoreError::Contended(20).into())
}
