//! The payment hold: a shopper's order whose payment is not authorized within the hold is
//! cancelled (`payment_timeout`) and its stock released, once, by whichever gateway runs the job.

use chrono::Utc;
use ordo_core::order::{Command, PAYMENT_TIMEOUT_REASON, Role, payment_due};

use super::Ran;
use crate::app::App;
use crate::app::commands;
use crate::app::error::ApiError;
use crate::store::orders::Effects;

/// Cancels `order_id` if its payment is overdue. The decision is ordo-core's, re-made on the
/// order as it is when the cancellation is appended (appends are conditional on the order's last
/// sequence number), so an authorization that lands meanwhile wins and nothing is cancelled.
pub(crate) async fn run(app: &App, order_id: &str, hold: chrono::Duration) -> Result<Ran, String> {
    let cancel = Command::Cancel { reason: PAYMENT_TIMEOUT_REASON.into() };
    let overdue = |order: &ordo_core::order::Order| match payment_due(order, hold) {
        Some(due) if Utc::now() >= due => Ok(Effects::default()),
        Some(due) => Err(ApiError::NotDueYet(due)),
        None => Err(ApiError::NotFound("overdue payment")),
    };
    // Recorded as the gateway's own doing.
    let by = crate::store::Doer::system("system");
    // Under the order's payment lease: an authorization in flight (the provider already asked)
    // finishes and is recorded first, and then the order is not overdue any more.
    let cancel = Box::pin(commands::run_with(app, order_id, &Role::Staff, &by, &cancel, None, overdue));
    match commands::under_payment_lease(app.store(), order_id, cancel).await {
        Ok(_) => {
            tracing::info!(order = order_id, "unpaid order cancelled: payment hold ran out");
            Ok(Ran::Done)
        }
        // Paid, confirmed, cancelled or gone meanwhile: nothing to do.
        Err(ApiError::NotFound(_) | ApiError::Command(_)) => Ok(Ran::Done),
        Err(ApiError::NotDueYet(due)) => Ok(Ran::Later(due)),
        Err(other) => Err(other.to_string()),
    }
}
