//! The watch over an order's parcels on their way: when one has not arrived some time after its
//! expected day, it is flagged late and the customer told, once, by whichever gateway runs the
//! job; the job then waits for the next parcel that may run late, or ends.

use super::Ran;
use crate::app::App;
use crate::app::error::ApiError;
use crate::app::late::flag;

/// Looks at `order_id`'s parcels now.
pub(crate) async fn run(app: &App, order_id: &str) -> Result<Ran, String> {
    match flag(app, order_id).await {
        Ok(watched) => {
            for shipment in &watched.flagged {
                tracing::info!(order = order_id, shipment, "parcel running late");
            }
            Ok(watched.next.map_or(Ran::Done, Ran::Later))
        }
        // The order is gone: nothing to watch.
        Err(ApiError::NotFound(_)) => Ok(Ran::Done),
        Err(other) => Err(other.to_string()),
    }
}
