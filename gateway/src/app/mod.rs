//! The use cases: each loads what it needs once, checks who is calling, lets ordo-core decide,
//! appends the outcome to the store and answers. Nothing here knows GraphQL or HTTP.
//!
//! - [`App`]: what every use case works with.
//! - [`access`]: who is calling ([`Actor`], [`Caller`]) and what each role may see and do.
//! - [`reviews`]: product reviews and ratings, the post-delivery survey.
//! - [`tokens`]: bearer tokens (JWT, HS256): minting and verifying.
//! - [`declines`]: declined payments per address (card testing).
//! - [`error`]: what a use case can refuse or fail with.
//! - [`execute`]: the one path for every state change of an order.
//! - [`orders`], [`catalog`], [`fulfilment`]: reading orders, the catalog, pick lists and parcels.
//! - [`intake`]: placing orders once, without overselling.
//! - [`commands`]: running core commands on stored orders; payment mutations.
//! - [`idempotency`]: idempotency keys scoped to their caller, SHA-256 fingerprints.
//! - [`purchasing`]: stock adjustments, purchase orders, receipts to backorders.
//! - [`tracking`]: carrier tracking reports recorded against parcels.
//! - [`documents`]: shipping labels, commercial invoices and packing slips as PDF.
//! - [`payments`]: the payment provider trait and the test provider.
//! - [`live`]: the live event feed (one LIVE SELECT per gateway, fanned out to subscribers).

pub mod access;
pub mod catalog;
pub mod commands;
mod context;
pub mod declines;
pub mod documents;
pub mod error;
pub mod execute;
pub mod fulfilment;
pub mod idempotency;
pub mod intake;
pub mod live;
pub mod orders;
pub mod payments;
pub mod purchasing;
pub mod reviews;
pub mod tokens;
pub mod tracking;

/// Who did something, as the timeline records it.
pub use crate::store::Doer;
pub use access::{Actor, ClientIp, Subject};
pub use context::App;
pub use tokens::Keys;
