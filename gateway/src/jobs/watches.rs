//! Watch jobs, one per order and kind: `delivery_watch` flags parcels running late (the customer
//! is told), `authorization_watch` flags an authorization about to lapse with money still to
//! capture (staff are told), each once, by whichever gateway runs the job; the job then waits
//! for the next thing that may fall due, or ends.

use super::Ran;
use crate::app::App;
use crate::app::error::ApiError;
use crate::app::watches::{Watch, look};

/// Looks at `order_id` for what `watch` is about.
pub(crate) async fn run(app: &App, order_id: &str, watch: Watch) -> Result<Ran, String> {
    match look(app, order_id, watch).await {
        Ok(watched) => {
            for event in &watched.flagged {
                tracing::info!(order = order_id, event, "flagged");
            }
            Ok(watched.next.map_or(Ran::Done, Ran::Later))
        }
        // The order is gone: nothing to watch.
        Err(ApiError::NotFound(_)) => Ok(Ran::Done),
        Err(other) => Err(other.to_string()),
    }
}
