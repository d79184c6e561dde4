//! The SurrealDB store: connecting (embedded file, in-memory or a server), migrations, and typed access.
//!
//! - [`migrate`]: applies `schema/surreal/NNNN_*.surql` in order, once each.
//! - [`catalog`]: products, stock, purchase orders and rules, read into ordo-core's types.
//! - [`orders`]: order intake and timeline appends, each one transaction, retried on conflict.
//! - [`channels`]: sales channels and the webhooks that tell them of their orders.
//! - [`jobs`]: work due later, claimed with an expiring lease.
//! - [`tracking`]: carrier tracking reports, stored once each.
//! - [`stock`]: adjustments, purchase orders, receipts, backorder allocation.
//! - [`reviews`]: product reviews (one per order line) and post-delivery feedback (one per order).
//! - [`live`]: live queries and the records since an instant, for the live feed.
//! - [`kept`]: values an embedded store's only writer keeps in memory until it writes them.
//! - [`reference`]: rules, locations and channels kept in memory (on a server behind a version).
//! - [`timelines`]: order timelines recently read, kept in memory on an embedded store.
//! - [`turn`]: the intake turn this process's intakes take (on a server, once they collide).

pub mod catalog;
pub mod channels;
pub mod fulfilment;
pub(crate) mod inventory;
pub mod jobs;
mod kept;
mod live;
pub mod messages;
mod migrate;
pub mod orders;
mod reference;
pub mod reviews;
pub mod stock;
pub mod suppliers;
pub mod tracking;
pub use timelines::SharedTimeline;
mod timelines;
mod turn;

use std::collections::HashMap;

use surrealdb::Surreal;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::auth::Root;
use surrealdb::types::QueryError;

/// Who caused an event, as its timeline records it: the kind of caller (`customer`, `staff`,
/// `system`, `payment-provider`, `carrier:ups`, …) and, for a caller with a token, the subject the
/// token was issued to (`alice@shop`), so the audit trail names people, not only roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doer {
    pub kind: String,
    pub subject: Option<String>,
}

impl Doer {
    /// A caller with no token subject: the gateway itself or a party acting by signature.
    pub fn system(kind: &str) -> Doer {
        Doer { kind: kind.to_owned(), subject: None }
    }
}

/// Why the store could not do something. Internal detail stays in the log, never in a response.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot connect to the store at {url}: {source}")]
    Connect { url: String, source: Box<surrealdb::Error> },
    #[error("store query failed: {0}")]
    Query(Box<surrealdb::Error>),
    #[error("the store did not answer in time")]
    Unanswered,
    #[error("migration {name} failed: {message}")]
    Migration { name: String, message: String },
    #[error("store returned unexpected data: {0}")]
    Decode(String),
    #[error("the transaction kept conflicting after {0} attempts")]
    Contended(u32),
    /// Another parcel was shipped with this carrier and tracking number.
    #[error("the tracking number is taken")]
    TrackingTaken,
}

impl StoreError {
    /// Whether the store could not be reached (a server gone away), rather than refusing a query.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Query(e) | StoreError::Connect { source: e, .. } => e.is_connection(),
            StoreError::Unanswered => true,
            _ => false,
        }
    }
}

impl From<surrealdb::Error> for StoreError {
    fn from(e: surrealdb::Error) -> Self {
        StoreError::Query(Box::new(e))
    }
}

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct Target {
    /// Root user and password, for a server (embedded engines need none).
    pub login: Option<(String, String)>,
    pub namespace: String,
    pub database: String,
}

/// A connected, migrated SurrealDB.
#[derive(Debug, Clone)]
pub struct Store {
    /// One client for every engine: `mem://`, `surrealkv://path`, `ws://host:port`. Shared,
    /// never cloned: cloning a SurrealDB 3 client opens a new session, which on a server replays
    /// the root sign-in (an Argon2 password check on the server for every clone of the store).
    db: std::sync::Arc<Surreal<Any>>,
    /// This process's turn-taking for intake writes (see [`turn`]): always on an embedded
    /// store; on a SurrealDB server only once intakes collide.
    intake_turn: std::sync::Arc<turn::IntakeTurn>,
    /// Whether the engine runs in this process (`mem://`, `surrealkv://`).
    embedded: bool,
    /// Whether the last ping was answered (a server can go away and come back).
    reachable: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// A SurrealDB server's `host:port`; `None` for an embedded engine.
    server: Option<String>,
    /// The shop's rules and locations as last read (see [`reference`]).
    shop: std::sync::Arc<reference::RefCache<std::sync::Arc<reference::Shop>>>,
    /// Order timelines recently read, on an embedded store (see [`timelines`]).
    timelines: Option<std::sync::Arc<timelines::TimelineCache>>,
    /// The sales channels as last read (see [`reference`]).
    channels: std::sync::Arc<reference::RefCache<std::sync::Arc<Vec<channels::ChannelRow>>>>,
    /// Transactions this process had to retry, by cause.
    retries: std::sync::Arc<Retries>,
    /// Woken when this process writes messages to customers, so its dispatcher sends them at
    /// once instead of at its next round.
    messages_written: std::sync::Arc<tokio::sync::Notify>,
    /// Woken when this process writes webhooks to channels (see `messages_written`).
    webhooks_written: std::sync::Arc<tokio::sync::Notify>,
}

/// Counts of retried transactions (what the load harness reports per phase).
#[derive(Debug, Default)]
struct Retries {
    conflicts: std::sync::atomic::AtomicU64,
    stock_changed: std::sync::atomic::AtomicU64,
}

/// How often this process's writes had to be retried since it opened the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contention {
    /// Commits the store refused because a concurrent transaction wrote the same keys.
    pub conflicts: u64,
    /// Intakes whose conditional stock update no longer held (re-read and re-planned).
    pub stock_changed: u64,
}

impl Store {
    /// Connects to `url` and applies pending migrations. Credentials, namespace and database for a
    /// server come from `ORDO_DB_USER`, `ORDO_DB_PASS`, `ORDO_DB_NS` and `ORDO_DB_NAME`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let env = |name: &str| std::env::var(name).ok();
        let login = match (env("ORDO_DB_USER"), env("ORDO_DB_PASS")) {
            (Some(user), Some(pass)) => Some((user, pass)),
            _ => None,
        };
        let target = Target {
            login,
            namespace: env("ORDO_DB_NS").unwrap_or_else(|| "ordo".into()),
            database: env("ORDO_DB_NAME").unwrap_or_else(|| "ordo".into()),
        };
        Store::open_with(url, &target).await
    }

    /// Connects to `url` with explicit credentials and names, and applies pending migrations.
    pub async fn open_with(url: &str, target: &Target) -> Result<Store, StoreError> {
        let connect_error = |source| StoreError::Connect { url: url.to_owned(), source: Box::new(source) };
        let db = any::connect(url).await.map_err(connect_error)?;
        if let Some((username, password)) = &target.login {
            db.signin(Root { username: username.clone(), password: password.clone() })
                .await
                .map_err(connect_error)?;
        }
        db.use_ns(target.namespace.clone()).use_db(target.database.clone()).await.map_err(connect_error)?;
        let embedded =
            !["ws://", "wss://", "http://", "https://"].iter().any(|remote| url.starts_with(remote));
        let shop = std::sync::Arc::new(reference::RefCache::new(embedded));
        let timelines = embedded.then(std::sync::Arc::default);
        let channels = std::sync::Arc::new(reference::RefCache::new(embedded));
        let store = Store {
            db: std::sync::Arc::new(db),
            intake_turn: std::sync::Arc::default(),
            embedded,
            reachable: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
            server: server_address(url),
            shop,
            timelines,
            channels,
            retries: std::sync::Arc::default(),
            messages_written: std::sync::Arc::default(),
            webhooks_written: std::sync::Arc::default(),
        };
        migrate::apply(&store.db).await?;
        store.backfill_order_names().await?;
        Ok(store)
    }

    /// The SurrealDB client itself, for harnesses (`benches/statements.rs`); the gateway goes
    /// through the typed methods.
    pub fn db(&self) -> &Surreal<Any> {
        &self.db
    }

    /// Woken when this process has written messages to customers (see [`messages`]).
    pub(crate) fn messages_written(&self) -> &tokio::sync::Notify {
        &self.messages_written
    }

    /// Woken when this process writes webhooks to channels.
    pub(crate) fn webhooks_written(&self) -> &tokio::sync::Notify {
        &self.webhooks_written
    }

    /// Retries so far, by cause.
    pub fn contention(&self) -> Contention {
        use std::sync::atomic::Ordering::Relaxed;
        Contention {
            conflicts: self.retries.conflicts.load(Relaxed),
            stock_changed: self.retries.stock_changed.load(Relaxed),
        }
    }

    fn count_conflict(&self) {
        self.retries.conflicts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn count_stock_changed(&self) {
        self.retries.stock_changed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Every record of every table, as `(table, JSON text)`: for audits, and for the test that
    /// no card number is ever stored.
    pub async fn dump(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut info = self.db.query("INFO FOR DB").await?;
        let info: Option<serde_json::Value> = info.take(0)?;
        let tables: Vec<String> = info
            .as_ref()
            .and_then(|i| i.get("tables"))
            .and_then(serde_json::Value::as_object)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        let mut dump = Vec::with_capacity(tables.len());
        for table in tables {
            // The names come from the store itself, not from a caller.
            let mut result = self.db.query(format!("SELECT * FROM `{table}`")).await?;
            let records = rows(&mut result, 0)?;
            dump.push((table, serde_json::Value::Array(records).to_string()));
        }
        Ok(dump)
    }

    /// A trivial query, for readiness probes.
    /// Whether the store answers a trivial query within two seconds; remembered for
    /// [`Store::reachable`], and a change logged. A server that does not answer in time but
    /// still accepts connections is busy, not gone: it counts as answering (a storm must not
    /// make a gateway turn its buyers away); one that refuses connections is gone.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let answer =
            match tokio::time::timeout(std::time::Duration::from_secs(2), self.db.query("RETURN 1")).await {
                Ok(answer) => {
                    answer.map_err(StoreError::from).and_then(|r| r.check().map(drop).map_err(Into::into))
                }
                Err(_) => match &self.server {
                    Some(address) if !accepts_connections(address).await => Err(StoreError::Unanswered),
                    _ => Ok(()),
                },
            };
        let was = self.reachable.swap(answer.is_ok(), std::sync::atomic::Ordering::Relaxed);
        match &answer {
            Err(e) if was => tracing::warn!(error = %e, "the store does not answer"),
            Ok(()) if !was => tracing::info!("the store answers again"),
            _ => {}
        }
        answer
    }

    /// Whether the store answered the last [`Store::ping`] (true until one fails).
    pub fn reachable(&self) -> bool {
        self.reachable.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The `host:port` of a SurrealDB server's URL (`ws://db:8000`); `None` for an embedded engine.
fn server_address(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let default = match parsed.scheme() {
        "ws" | "http" => 80,
        "wss" | "https" => 443,
        _ => return None,
    };
    Some(format!("{}:{}", parsed.host_str()?, parsed.port().unwrap_or(default)))
}

/// Whether `address` accepts a TCP connection within a second.
async fn accepts_connections(address: &str) -> bool {
    let connect = tokio::net::TcpStream::connect(address);
    matches!(tokio::time::timeout(std::time::Duration::from_secs(1), connect).await, Ok(Ok(_)))
}

/// How a transaction sent as one `BEGIN … COMMIT` query ended. A failed COMMIT does not fail
/// the call itself (surrealdb#7428): every statement's result is inspected.
#[derive(Debug)]
pub(crate) enum TxOutcome {
    Committed,
    /// A write conflict: retry the whole transaction from a fresh read.
    Conflict,
    /// A `THROW` inside the transaction, with its message.
    Thrown(String),
    /// A unique index or record id already taken, with the store's message.
    Duplicate(String),
    Failed(String),
}

impl TxOutcome {
    /// A one-line description for logs and internal errors.
    pub(crate) fn describe(&self) -> String {
        match self {
            TxOutcome::Committed => "committed".into(),
            TxOutcome::Conflict => "write conflict".into(),
            TxOutcome::Thrown(m) => format!("thrown: {m}"),
            TxOutcome::Duplicate(m) => format!("duplicate: {m}"),
            TxOutcome::Failed(m) => format!("failed: {m}"),
        }
    }
}

/// The results of a query that another gateway may win, or `None` when it did (a write
/// conflict: the other commit stands, nothing of this one does); any other error is `what`'s.
pub(crate) fn unless_conflicted(
    result: Result<surrealdb::IndexedResults, surrealdb::Error>,
    what: &str,
) -> Result<Option<surrealdb::IndexedResults>, StoreError> {
    let mut results = match result {
        Ok(results) => results,
        Err(e) if e.message().contains("can be retried") => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let errors = results.take_errors();
    if conflicted(&errors) {
        return Ok(None);
    }
    if !errors.is_empty() {
        let mut detail: Vec<(usize, String)> =
            errors.into_iter().map(|(i, e)| (i, e.message().to_owned())).collect();
        detail.sort();
        let detail: Vec<String> = detail.into_iter().map(|(_, m)| m).collect();
        return Err(StoreError::Decode(format!("{what}: {}", detail.join("; "))));
    }
    Ok(Some(results))
}

/// Whether a transaction's errors come from a write conflict (the other statements then say they
/// were not executed): retrying from a fresh read may succeed.
pub(crate) fn conflicted(errors: &HashMap<usize, surrealdb::Error>) -> bool {
    errors.values().any(|e| {
        e.query_details() == Some(&QueryError::TransactionConflict) || e.message().contains("can be retried")
    })
}

pub(crate) fn outcome(mut results: surrealdb::IndexedResults) -> TxOutcome {
    outcome_of(results.take_errors())
}

/// How a transaction ended, from the errors of its statements.
pub(crate) fn outcome_of(errors: HashMap<usize, surrealdb::Error>) -> TxOutcome {
    if errors.is_empty() {
        return TxOutcome::Committed;
    }
    if conflicted(&errors) {
        return TxOutcome::Conflict;
    }
    if let Some(e) = errors.values().find(|e| e.is_thrown()) {
        let message = e.message();
        return TxOutcome::Thrown(message.strip_prefix("An error occurred: ").unwrap_or(message).to_owned());
    }
    if let Some(e) = errors.values().find(|e| {
        e.is_already_exists()
            || e.message().contains("already contains")
            || e.message().contains("already exists")
    }) {
        return TxOutcome::Duplicate(e.message().to_owned());
    }
    let mut messages: Vec<(usize, String)> =
        errors.into_iter().map(|(i, e)| (i, e.message().to_owned())).collect();
    messages.sort();
    TxOutcome::Failed(messages.into_iter().map(|(i, m)| format!("#{i}: {m}")).collect::<Vec<_>>().join("; "))
}

/// A short random pause before retrying a conflicting transaction (grows with the attempt).
pub(crate) async fn backoff(attempt: u32) {
    let ceiling = 2u64.saturating_pow(attempt.min(6)).saturating_mul(2);
    let millis = rand::random_range(1..=ceiling.max(2));
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

/// Reads column `index` of a query result as JSON rows.
pub(crate) fn rows(
    results: &mut surrealdb::IndexedResults,
    index: usize,
) -> Result<Vec<serde_json::Value>, StoreError> {
    Ok(results.take::<Vec<serde_json::Value>>(index)?)
}

/// JSON for `CONTENT`/`SET`: SurrealDB's `option<T>` fields take NONE (an absent key), not NULL.
pub(crate) fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(without_nulls).collect())
        }
        other => other,
    }
}

/// Decodes JSON rows into `T`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    rows: Vec<serde_json::Value>,
) -> Result<Vec<T>, StoreError> {
    rows.into_iter()
        .map(|row| serde_json::from_value(row).map_err(|e| StoreError::Decode(e.to_string())))
        .collect()
}

/// The record key of a stock row.
pub(crate) fn stock_key(sku: &str, location: &str) -> String {
    format!("{sku}@{location}")
}

#[cfg(test)]
mod tests {
    use super::server_address;

    #[test]
    fn a_server_url_names_the_address_to_probe_and_an_embedded_engine_none() {
        assert_eq!(server_address("ws://127.0.0.1:8000").as_deref(), Some("127.0.0.1:8000"));
        assert_eq!(server_address("wss://db.example/rpc").as_deref(), Some("db.example:443"));
        assert_eq!(server_address("http://db.example").as_deref(), Some("db.example:80"));
        assert_eq!(server_address("surrealkv://data"), None);
        assert_eq!(server_address("mem://"), None);
    }
}
