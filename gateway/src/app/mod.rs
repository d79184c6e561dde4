//! The use cases: each loads what it needs, checks who is calling, lets ordo-core decide,
//! appends the outcome to the store and answers. Nothing here knows GraphQL or HTTP.
//!
//! - [`App`]: what every use case works with (store, payment provider, keys, limits).
//! - [`execute`]: the one path for every state change of an order (one admission policy).
//! - [`intake`]: checkout; placing orders once, without overselling.
//! - [`orders`], [`catalog`], [`fulfilment`]: reading orders, the catalog, pick lists, parcels.
//! - [`purchasing`]: stock adjustments, purchase orders, receipts to backorders, low stock, and
//!   promising waiting backorders again when purchase orders change.
//! - [`reviews`]: product reviews and ratings, the post-delivery survey.
//! - [`tracking`]: carrier tracking reports recorded against parcels; [`watches`]: what falls
//!   due on an order later (parcels running late, authorizations about to lapse).
//! - [`documents`]: shipping labels, commercial invoices and packing slips as PDF.
//! - [`commands`]: running a core command on a stored order (retries, payment lease).
//! - [`payments`]: the payment provider trait and the test provider; [`declines`]: declined
//!   payments per address (card testing).
//! - [`channels`]: sales channels, listing an order on more of them, the webhooks an append
//!   writes to them and how far behind each is; [`webhooks`]: signing and sending one;
//!   [`inventory`]: a SKU's available-to-sell pushed to the channels that ask;
//!   [`channel_feed`]: a channel's pull feed of its orders' events, paged by cursor.
//! - [`suppliers`]: dropship suppliers and what they are asked; [`supplier_mail`]: a request by
//!   e-mail with its purchase order; [`dropship`]: a partner that cannot send, and units put on
//!   backorder or handed to a partner again.
//! - [`access`]: who is calling ([`Actor`]) and what each role may see; [`tokens`]: bearer tokens.
//! - [`idempotency`]: idempotency keys scoped to their caller, SHA-256 fingerprints.
//! - [`messages`]: messages to customers (which, delivering one, staff's view); [`mail`]: SMTP or
//!   `.eml` files; [`opt_out`]: unsubscribing from the messages a customer may refuse.
//! - [`live`]: the live event feed (one LIVE SELECT per gateway, fanned out to subscribers).
//! - [`error`]: what a use case can refuse or fail with.

pub mod access;
pub mod catalog;
pub mod channel_feed;
pub mod channels;
pub mod commands;
mod context;
pub mod declines;
pub mod documents;
pub mod dropship;
pub mod error;
pub mod execute;
pub mod fulfilment;
pub mod idempotency;
pub mod intake;
pub(crate) mod inventory;
pub mod live;
pub mod mail;
pub mod messages;
pub(crate) mod numbers;
pub mod opt_out;
pub mod orders;
pub mod payments;
pub mod purchasing;
pub mod reviews;
mod smtp;
pub mod supplier_mail;
pub mod suppliers;
pub mod tokens;
pub mod tracking;
pub(crate) mod watches;
pub mod webhooks;

/// Who did something, as the timeline records it.
pub use crate::store::Doer;
pub use access::{Actor, ClientIp, Subject};
pub use context::App;
pub use tokens::Keys;
