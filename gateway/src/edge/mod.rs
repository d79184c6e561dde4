//! The edge: everything between a socket and the schema. It admits connections and operations,
//! turns a bearer token into a caller, and decides nothing about orders.
//!
//! - [`carriers`]: carrier webhooks: signatures and payload formats.
//! - [`connections`]: accepting connections (caps in all and per address, head deadline).
//! - [`http`]: GraphQL POST/GET and WebSocket, GraphiQL, health probes, documents, carrier
//!   webhooks, static demo files, CORS and security headers.
//! - [`graphiql`]: GraphiQL's page and assets, embedded (no CDN).
//! - [`gate`]: admits each operation the same way over HTTP and WebSocket.
//! - [`guard`]: a document's fields, aliases and cost.
//! - [`ratelimit`]: operations per caller and per address.
//! - [`proxies`]: the client behind trusted reverse proxies.
//! - [`parse_cache`]: parsed documents, reused.

pub mod carriers;
pub mod connections;
pub(crate) mod gate;
pub(crate) mod graphiql;
pub mod guard;
pub(crate) mod http;
pub(crate) mod parse_cache;
pub mod proxies;
pub mod ratelimit;
