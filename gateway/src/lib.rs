//! ordo-gateway: Ordo's GraphQL API over a SurrealDB store, with every rule from ordo-core.
//!
//! # Layout
//! The folders are the layers; each imports only the ones below it (checked by
//! `tests/tests/e2e/architecture.rs`):
//! - [`edge`]: HTTP and WebSocket, connection caps, deadlines, rate limits, the parse cache;
//!   turns a bearer token into an [`app::Actor`] and hands the operation to the schema.
//! - [`graphql`]: the schema, one object per area: parses arguments into core types, calls
//!   [`app`], maps the outcome (and every error code, in [`graphql::error`]).
//! - [`app`]: the use cases (load, authorize, decide in ordo-core, append, answer) and who is
//!   calling ([`app::access`]).
//! - [`jobs`]: background work, leased in the store (payment holds, messages to customers).
//! - [`store`]: SurrealDB, the only place that speaks SurrealQL: records, transactions, migrations.
//!
//! [`server`] wires them together on a listener the caller provides; [`seed`] is the demo shop;
//! [`cli`] is the `ordo` command line.

pub mod app;
pub mod cli;
pub mod edge;
pub mod graphql;
pub mod jobs;
pub mod seed;
pub mod server;
pub mod store;

pub use server::{Config, serve, serve_store};
