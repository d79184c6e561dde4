//! Every end-to-end and architecture test in one binary: each area is a module, so the gateway,
//! SurrealDB and their dependencies are linked once (eleven binaries took ~225 MB of disk each in
//! a debug build and as many link steps).

mod architecture;
mod auth;
mod authorizations;
mod binary;
mod channel_feed;
mod channels;
mod crash;
mod feedback_requests;
mod fulfilment;
mod hostile;
mod http;
mod intake;
mod late_parcels;
mod live;
mod messages;
mod model;
mod promises;
mod purchasing;
mod reviews;
mod security;
mod server;
mod suppliers;
mod tracking;
