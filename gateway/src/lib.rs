//! ordo-gateway: Ordo's GraphQL API over a SurrealDB store, with every rule from ordo-core.
//!
//! # Layout
//! - [`auth`]: bearer tokens, roles, who may see and do what.
//! - [`server`]: startup (store, schema, router) on a listener the caller provides.
//! - [`connections`]: accepting connections (caps in all and per address, head deadline).
//! - [`http`]: the HTTP edge (GraphQL POST/GET and WebSocket, GraphiQL, health probes, static
//!   demo files, CORS and security headers); [`gate`] admits each operation the same way over
//!   HTTP and WebSocket; [`guard`] counts a document's fields, aliases and cost; [`ratelimit`]
//!   limits operations per caller and per address; [`proxies`] finds the client behind proxies.
//! - [`graphql`]: the schema, one object per area.
//! - [`live`]: the live event feed (one LIVE SELECT per gateway, fanned out to subscribers).
//! - [`intake`]: placing orders once, without overselling.
//! - [`jobs`]: background work (payment holds), leased in the store.
//! - [`commands`]: running core commands on stored orders; payment mutations.
//! - [`idempotency`]: idempotency keys scoped to their caller, SHA-256 fingerprints.
//! - [`purchasing`]: stock adjustments, purchase orders, receipts to backorders.
//! - [`documents`]: shipping labels, commercial invoices and packing slips as PDF.
//! - [`payments`]: the payment provider trait and the test provider.
//! - [`tracking`]: carrier webhooks (signed, two formats) and tracking reports.
//! - [`store`]: SurrealDB access, migrations, transactions.
//! - [`seed`]: the demo shop.
//! - [`error`]: API errors and their codes.

pub mod auth;
pub mod commands;
pub mod connections;
pub mod documents;
pub mod error;
mod gate;
pub mod graphql;
pub mod guard;
mod http;
pub mod idempotency;
pub mod intake;
pub mod jobs;
pub mod live;
mod parse_cache;
pub mod payments;
pub mod proxies;
pub mod purchasing;
pub mod ratelimit;
pub mod seed;
pub mod server;
pub mod store;
pub mod tracking;

pub use server::{Config, serve, serve_store};
