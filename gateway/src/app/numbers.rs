//! Order numbers (`#1042`): each gateway claims a block of numbers from the store at a time and
//! hands them out in order, so no single row is written by every checkout.

use tokio::sync::Mutex;

use crate::app::error::ApiError;
use crate::store::Store;

/// Numbers claimed per write to the store's counter.
pub(crate) const BLOCK: u32 = 20;

/// This gateway's unused numbers: `next..end`.
#[derive(Debug, Default)]
pub(crate) struct OrderNumbers {
    range: Mutex<(u32, u32)>,
}

impl OrderNumbers {
    /// The next order number: from this gateway's block, or a new block when it is used up.
    /// Numbers taken by checkouts that then fail, and the rest of a block when the gateway
    /// stops, are skipped; no number is ever given twice.
    pub(crate) async fn take(&self, store: &Store) -> Result<u32, ApiError> {
        let mut range = self.range.lock().await;
        if range.0 >= range.1 {
            let start = store.claim_order_numbers(BLOCK).await?;
            *range = (start, start + BLOCK);
        }
        let number = range.0;
        range.0 += 1;
        Ok(number)
    }
}
