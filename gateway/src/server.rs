//! Startup: open the store, build the schema and router, serve until the shutdown future resolves.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::graphql::{self, AppState, Limits};
use crate::payments::TestProvider;
use crate::store::{Store, StoreError};

/// How to run the gateway.
#[derive(Debug, Clone)]
pub struct Config {
    /// `surrealkv://data/ordo.db` (default), `mem://`, or `ws://host:port` for a SurrealDB server.
    pub db_url: String,
    /// Load the demo shop when the store has no products.
    pub seed_demo: bool,
    /// Production mode: no GraphiQL, no introspection, no field suggestions.
    pub production: bool,
    /// Static files to serve at `/` (the web demo), if any.
    pub web_root: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db_url: "surrealkv://data/ordo.db".into(),
            seed_demo: false,
            production: false,
            web_root: None,
        }
    }
}

/// Serves the gateway on `listener` until `shutdown` resolves. Tests call this with a
/// `127.0.0.1:0` listener and a fresh `mem://` store; `ordo serve` calls it the same way.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StoreError> {
    let store = Store::open(&config.db_url).await?;
    serve_store(listener, store, config, shutdown).await
}

/// [`serve`] on a store the caller already opened (tests prepare their data this way).
pub async fn serve_store(
    listener: TcpListener,
    store: Store,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StoreError> {
    if config.seed_demo {
        crate::seed::seed_if_empty(&store).await?;
    }
    let state = AppState { store, payments: Arc::new(TestProvider) };
    let limits = Limits { locked_down: config.production, ..Limits::default() };
    let schema = graphql::build(Some(state.clone()), limits);
    let router = crate::http::router(schema, state, !config.production, config.web_root.clone());
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, db = %config.db_url, "ordo gateway listening");
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| StoreError::Decode(format!("server error: {e}")))
}
