//! Available-to-sell told to channels: a SKU's count after its stock changed, pushed as a signed
//! webhook to every channel that asks (ordo-core's `inventory_push` decides when and what).

use chrono::{DateTime, Utc};
use ordo_core::channel::{InventoryPush, hears_inventory, inventory_push, inventory_webhook_id};

use crate::app::App;
use crate::app::error::ApiError;
use crate::store::StoreError;
use crate::store::catalog::StockRow;
use crate::store::inventory::NewPush;

/// Tells the channels that ask what `sku`'s count is now, unless they know it; `Some(when)` when
/// the SKU was pushed less than a second ago and the count goes out then instead.
pub(crate) async fn push(app: &App, sku: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    let store = app.store();
    for _ in 0..8 {
        let (last, stock) = store.inventory_of(sku).await?;
        let available: i64 = stock.iter().map(StockRow::available).sum();
        let event = match inventory_push(sku, available, last, Utc::now()) {
            InventoryPush::Push(event) => event,
            InventoryPush::Unchanged => return Ok(None),
            InventoryPush::Wait(until) => return Ok(Some(until)),
        };
        let version = event.data.version;
        let webhooks = store
            .channels()
            .await?
            .iter()
            .filter(|c| hears_inventory(c.active, c.inventory_sync, c.hears()))
            .map(|c| (inventory_webhook_id(sku, version, &c.code), c.code.clone()))
            .collect();
        let payload_json =
            serde_json::to_string(&event).map_err(|e| StoreError::Decode(format!("inventory event: {e}")))?;
        let new = NewPush {
            sku,
            available: event.data.available,
            version,
            at: event.timestamp,
            payload_json: &payload_json,
            webhooks,
        };
        if store.record_inventory_push(&new, last.map_or(0, |l| l.version)).await? {
            return Ok(None);
        }
        // Another gateway pushed meanwhile: decide again from what it wrote.
    }
    Err(StoreError::Contended(8).into())
}
