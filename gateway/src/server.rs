//! Startup: open the store, build the schema and router, serve until the shutdown future resolves.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::auth::Keys;
use crate::graphql::{self, AppState, Limits};
use crate::http::Edge;
use crate::payments::TestProvider;
use crate::ratelimit::RateLimits;
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
    /// The token secret; when absent, `ORDO_JWT_SECRET`, else (outside production) a secret
    /// kept in `data/jwt-secret` and created on first start.
    pub jwt_secret: Option<Vec<u8>>,
    /// Browser origins allowed to call the API (CORS); empty means same-origin only.
    pub cors_origins: Vec<String>,
    /// Mutation rate limits per token and per IP; `None` turns them off (benchmarks, tests).
    pub rate_limits: Option<RateLimits>,
    /// Webhook secrets per carrier: `POST /webhooks/carriers/{carrier}` is refused for others.
    pub carrier_secrets: Vec<(String, Vec<u8>)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db_url: "surrealkv://data/ordo.db".into(),
            seed_demo: false,
            production: false,
            web_root: None,
            jwt_secret: None,
            cors_origins: Vec::new(),
            rate_limits: Some(RateLimits::default()),
            carrier_secrets: Vec::new(),
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
    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => token_secret(config.production).map_err(StoreError::Decode)?,
    };
    let keys = Keys::new(&secret).map_err(StoreError::Decode)?;
    let feed = crate::live::Feed::start(store.clone());
    let state = AppState { store, payments: Arc::new(TestProvider), keys, feed: feed.clone() };
    let limits = Limits { locked_down: config.production, ..Limits::default() };
    let schema = graphql::build(Some(state.clone()), limits);
    let edge = Edge {
        graphiql: !config.production,
        web_root: config.web_root.clone(),
        cors_origins: config.cors_origins.clone(),
        rate_limits: config.rate_limits,
        carrier_secrets: config.carrier_secrets.clone(),
    };
    let router = crate::http::router(schema, state, edge);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, db = %config.db_url, "ordo gateway listening");
    }
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| StoreError::Decode(format!("server error: {e}")));
    feed.stop();
    served
}

/// The token secret: `ORDO_JWT_SECRET`, or outside production a random secret kept in
/// `data/jwt-secret` (created on first use) so `ordo token` and `ordo serve` agree.
pub fn token_secret(production: bool) -> Result<Vec<u8>, String> {
    if let Ok(secret) = std::env::var("ORDO_JWT_SECRET") {
        return Ok(secret.into_bytes());
    }
    if production {
        return Err("set ORDO_JWT_SECRET (at least 32 bytes) in production".into());
    }
    let path = std::path::Path::new("data").join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let secret: String = (0..4).map(|_| format!("{:016x}", rand::random::<u64>())).collect();
    std::fs::create_dir_all("data").map_err(|e| format!("cannot create data/: {e}"))?;
    std::fs::write(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret.into_bytes())
}
