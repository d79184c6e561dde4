//! Sales channels: what a channel is, where its webhooks go and how their secret is written, what a channel is told of an order, and how far behind it is.
//!
//! - [`setup`]: a channel's code, name, kind, webhook URL and signing secret, each parsed.
//! - [`events`]: which appended events a channel is told of, and what it is told (the webhook's
//!   payload, in the Standard Webhooks envelope `{type, timestamp, data}`).
//! - [`sync`]: how far behind a channel is on one order, from its deliveries; when a failed
//!   delivery is tried again, and when it is given up.
//! - [`inventory`]: available-to-sell per SKU told to channels that ask for it, at most once a
//!   second per SKU.
//! - [`listing`]: putting an order on another channel, and what became of a webhook, as the
//!   order's timeline records them.

pub mod events;
pub mod inventory;
pub mod listing;
pub mod setup;
pub mod sync;

pub use events::{ChannelEvent, ChannelEventType, EventData, EventDetail, EventLine, channel_events};
pub use inventory::{
    INVENTORY_UPDATED, InventoryData, InventoryEvent, InventoryPush, Pushed, hears_inventory, inventory_push,
    inventory_webhook_id,
};
pub use listing::{ListingError, Notified, listing_entry, notified_entry};
pub use setup::{
    ChannelCode, ChannelError, ChannelKind, ChannelName, MAX_SECRET_BYTES, MIN_SECRET_BYTES, SigningSecret,
    WebhookUrl,
};
pub use sync::{
    ChannelSync, DeliveryState, DeliverySummary, MAX_ATTEMPTS, SyncState, retry_after, sync_state,
};
