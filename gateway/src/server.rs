//! Startup: open the store, build the schema and router, serve until the shutdown future resolves.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::app::App;
use crate::app::mail::{MailSettings, Mailer};
use crate::app::payments::{PaymentProvider, TestProvider};
use crate::app::tokens::Keys;
use crate::edge::connections::ConnectionLimits;
use crate::edge::http::Edge;
use crate::edge::proxies::TrustedProxies;
use crate::edge::ratelimit::RateLimits;
use crate::graphql::{self, Limits};
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
    /// An empty secret is refused at start.
    pub carrier_secrets: Vec<(String, Vec<u8>)>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: TrustedProxies,
    /// Connection caps and deadlines (HTTP heads and bodies, WebSocket pings and idle time).
    pub connections: ConnectionLimits,
    /// Declined payment authorizations allowed per client address per hour.
    pub declines_per_hour: u32,
    /// How long a shopper's unpaid order holds its stock before it is cancelled.
    pub payment_hold: chrono::Duration,
    /// How long after everything arrived the customer is asked for feedback; `None`: never.
    pub feedback_request: Option<std::time::Duration>,
    /// How long after its expected day begins a parcel that has not arrived counts as late (and
    /// the customer is told).
    pub late_parcel_after: chrono::Duration,
    /// How long a payment authorization holds (staff are told a day before one lapses with money
    /// still to capture).
    pub authorization_valid: chrono::Duration,
    /// How often this gateway looks for due background jobs.
    pub job_interval: std::time::Duration,
    /// The payment provider; `None` is the built-in test provider.
    pub payments: Option<Arc<dyn PaymentProvider>>,
    /// How messages to customers are sent; `None`: this gateway sends none (they wait in the
    /// store for a gateway that does).
    pub mail: Option<MailSettings>,
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
            trusted_proxies: TrustedProxies::default(),
            connections: ConnectionLimits::default(),
            declines_per_hour: 20,
            payment_hold: chrono::Duration::minutes(ordo_core::order::DEFAULT_PAYMENT_HOLD_MINUTES),
            feedback_request: Some(std::time::Duration::from_secs(
                86_400 * u64::from(ordo_core::messages::DEFAULT_FEEDBACK_REQUEST_DAYS),
            )),
            late_parcel_after: chrono::Duration::hours(ordo_core::order::DEFAULT_LATE_AFTER_HOURS),
            authorization_valid: chrono::Duration::days(ordo_core::order::DEFAULT_AUTHORIZATION_DAYS),
            job_interval: std::time::Duration::from_secs(1),
            payments: None,
            mail: None,
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
    if let Some((carrier, _)) =
        config.carrier_secrets.iter().find(|(_, secret)| secret.trim_ascii().is_empty())
    {
        return Err(StoreError::Decode(format!(
            "the webhook secret for carrier {carrier:?} is empty: anyone could sign its tracking updates"
        )));
    }
    if config.seed_demo {
        crate::seed::seed_if_empty(&store).await?;
    }
    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => token_secret(config.production).map_err(StoreError::Decode)?,
    };
    let keys = Keys::new(&secret).map_err(StoreError::Decode)?;
    let feed = crate::app::live::Feed::start(store.clone());
    let payments = config.payments.clone().unwrap_or_else(|| Arc::new(TestProvider));
    let mut app = App::new(store, keys)
        .with_payments(payments)
        .with_declines_per_hour(config.declines_per_hour)
        .with_payment_hold(config.payment_hold)
        .with_feedback_request(config.feedback_request)
        .with_late_after(config.late_parcel_after)
        .with_authorization_valid(config.authorization_valid);
    if let Some(mail) = config.mail.clone() {
        let mailer = Mailer::new(mail).map_err(StoreError::Decode)?;
        let checked = mailer.clone();
        // The gateway takes orders whether or not the mail server is up: messages wait in the
        // store and are retried. An unreachable server is reported at once.
        tokio::spawn(async move {
            if let Err(e) = checked.check().await {
                tracing::error!(error = %e, "cannot reach the SMTP server; messages wait and are retried");
            }
        });
        app = app.with_mailer(mailer);
    }
    let jobs = crate::jobs::Runner::start(
        app.clone(),
        crate::jobs::JobSettings { every: config.job_interval, payment_hold: config.payment_hold },
    );
    let limits = Limits { locked_down: config.production, ..Limits::default() };
    let schema = graphql::build(Some((app.clone(), feed.clone())), limits);
    let edge = Edge {
        graphiql: !config.production,
        web_root: config.web_root.clone(),
        cors_origins: config.cors_origins.clone(),
        rate_limits: config.rate_limits,
        carrier_secrets: config.carrier_secrets.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        connections: config.connections,
    };
    // The store's watch: a server can go away and come back; while it does not answer,
    // requests are told so at once, and it is used again as soon as it answers.
    let watched = app.clone();
    let watch = tokio::spawn(async move {
        loop {
            tokio::time::sleep(STORE_WATCH).await;
            watched.ready().await;
        }
    });
    let router = crate::edge::http::router(schema, app, edge);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, db = %config.db_url, "ordo gateway listening");
    }
    let proxies = config.trusted_proxies.clone();
    crate::edge::connections::serve(
        listener,
        router,
        config.connections,
        move |ip| proxies.contains(ip),
        shutdown,
    )
    .await;
    watch.abort();
    jobs.stop();
    feed.stop();
    Ok(())
}

/// How often the store's watch pings it.
const STORE_WATCH: std::time::Duration = std::time::Duration::from_secs(1);

/// The token secret: `ORDO_JWT_SECRET`, or outside production a random secret kept in
/// `data/jwt-secret` (created on first use) so `ordo token` and `ordo serve` agree.
pub fn token_secret(production: bool) -> Result<Vec<u8>, String> {
    if let Ok(secret) = std::env::var("ORDO_JWT_SECRET") {
        return Ok(secret.into_bytes());
    }
    if production {
        return Err("set ORDO_JWT_SECRET (at least 32 bytes) in production".into());
    }
    kept_secret(std::path::Path::new("data"))
}

/// The development token secret kept in `dir/jwt-secret`, created on first use readable by its
/// owner only (0600); an existing file others could read is restricted first.
pub fn kept_secret(dir: &std::path::Path) -> Result<Vec<u8>, String> {
    let path = dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        // A secret kept by an older version may be readable by others: only its owner may read it.
        make_private(&path).map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let secret: String = (0..4).map(|_| format!("{:016x}", rand::random::<u64>())).collect();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_private(&path, secret.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret.into_bytes())
}

/// Writes `bytes` to a new file only its owner may read or write (0600), or fails if it exists.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// Takes every permission but its owner's from `path` (0600).
fn make_private(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
