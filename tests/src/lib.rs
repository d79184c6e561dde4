//! Helpers shared by Ordo's end-to-end and architecture tests (the tests live in `tests/tests/e2e/`).
//!
//! [`TestApp::spawn`] starts the real gateway through the same startup path as `ordo serve`,
//! on `127.0.0.1:0` with a fresh store, and stops it when dropped.

pub mod python;
pub mod smtp;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use futures::{SinkExt, StreamExt};
use ordo_gateway::app::{Actor, Keys};
use ordo_gateway::store::Store;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The workspace root (the folder holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Every file under `dir` (recursively) whose name ends in `.{ext}`, skipping build output,
/// dependencies and hidden folders.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !(name.starts_with('.')
                    || name == "target"
                    || name == "node_modules"
                    || name.starts_with("pkg"))
                {
                    pending.push(path);
                }
            } else if name.ends_with(&format!(".{ext}")) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A running gateway and an HTTP client for it.
#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// A handle on the same store the gateway uses, for checks behind the API.
    pub store: Store,
    /// Signs tokens the gateway accepts.
    pub keys: Keys,
    /// Dropping the sender stops the server.
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Starts a gateway on a fresh in-memory store with the demo shop.
    pub async fn spawn() -> TestApp {
        Self::spawn_on("mem://", true).await
    }

    /// Starts a gateway on `db_url`, loading the demo shop when `seed_demo`.
    pub async fn spawn_on(db_url: &str, seed_demo: bool) -> TestApp {
        let store = Store::open(db_url).await.expect("open the store");
        Self::serve(store, seed_demo).await
    }

    /// Starts a gateway on an opened store (prepare data on it first), without rate limits.
    pub async fn serve(store: Store, seed_demo: bool) -> TestApp {
        let config = ordo_gateway::Config {
            seed_demo,
            rate_limits: None,
            cors_origins: vec!["https://shop.example".into()],
            ..ordo_gateway::Config::default()
        };
        Self::serve_with(store, config).await
    }

    /// Starts a gateway on an opened store with `config` (its store URL and secret are ignored).
    pub async fn serve_with(store: Store, config: ordo_gateway::Config) -> TestApp {
        // `ORDO_LOG=warn cargo test …` shows the gateway's logs (off by default).
        let filter = tracing_subscriber::EnvFilter::try_from_env("ORDO_LOG").unwrap_or_else(|_| "off".into());
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let config = ordo_gateway::Config { jwt_secret: Some(TEST_SECRET.to_vec()), ..config };
        let served = store.clone();
        let server = tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = ordo_gateway::serve_store(listener, served, config, shutdown).await {
                panic!("gateway failed: {e}");
            }
        });
        let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("http client");
        let keys = Keys::new(TEST_SECRET).expect("keys");
        let app = TestApp { addr, client, store, keys, shutdown: Some(tx), server: Some(server) };
        app.wait_ready().await;
        app
    }

    /// Starts a gateway as production runs one: on a runtime of its own (two worker threads, on
    /// a thread of its own), with its in-memory store opened there, so the test's clients and
    /// the gateway never share a scheduler. `prepare` runs on the store first (products, stock).
    pub async fn spawn_apart<F, Fut>(config: ordo_gateway::Config, prepare: F) -> TestApp
    where
        F: FnOnce(Store) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let (ready_tx, ready_rx) = oneshot::channel::<(SocketAddr, Store)>();
        let (tx, rx) = oneshot::channel::<()>();
        let config = ordo_gateway::Config { jwt_secret: Some(TEST_SECRET.to_vec()), ..config };
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("the gateway's runtime");
            runtime.block_on(async move {
                let store = Store::open("mem://").await.expect("open the store");
                prepare(store.clone()).await;
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
                let addr = listener.local_addr().expect("local address");
                let _ = ready_tx.send((addr, store.clone()));
                let shutdown = async {
                    let _ = rx.await;
                };
                if let Err(e) = ordo_gateway::serve_store(listener, store, config, shutdown).await {
                    panic!("gateway failed: {e}");
                }
            });
        });
        let (addr, store) = ready_rx.await.expect("the gateway's runtime started");
        let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("http client");
        let keys = Keys::new(TEST_SECRET).expect("keys");
        let app = TestApp { addr, client, store, keys, shutdown: Some(tx), server: None };
        app.wait_ready().await;
        app
    }

    /// [`TestApp::spawn`] on a runtime of its own ([`TestApp::spawn_apart`]): the demo shop on a
    /// fresh in-memory store, without rate limits.
    pub async fn spawn_apart_demo() -> TestApp {
        let config = ordo_gateway::Config {
            seed_demo: true,
            rate_limits: None,
            cors_origins: vec!["https://shop.example".into()],
            ..ordo_gateway::Config::default()
        };
        Self::spawn_apart(config, |_| async {}).await
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = self.client.get(self.url("/readyz")).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the gateway did not become ready");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A bearer token for `actor`, valid for an hour.
    pub fn token(&self, actor: &Actor) -> String {
        self.keys.mint(actor, "test", chrono_hour()).expect("mint a token")
    }

    /// POSTs a GraphQL operation as staff and returns the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_with(Some(&self.token(&Actor::Staff)), query, variables).await
    }

    /// POSTs a GraphQL operation with `token` (anonymous when `None`).
    pub async fn gql_with(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request =
            self.client.post(self.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send the request");
        response.json().await.expect("a JSON body")
    }

    /// Asserts that no table changed since `before` (a `store.dump()`), naming what did.
    pub async fn assert_unchanged(&self, before: &[(String, String)], what: &str) {
        let changed = changed_tables(before, &self.store.dump().await.expect("dump the store"));
        assert!(changed.is_empty(), "{what} changed the store: {changed:#?}");
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The secret test gateways sign tokens with.
pub const TEST_SECRET: &[u8] = b"ordo-test-secret-ordo-test-secret-0123";

fn chrono_hour() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// A UPS tracking number that passes UPS's check digit, named by `label` (the same label gives
/// the same number): tests ship with made-up labels and real-shaped numbers.
pub fn ups(label: &str) -> String {
    ordo_core::carrier::example_for(ordo_core::carrier::Carrier::Ups, label)
}

/// Runs `n` clients at once, each on its own task, and answers their results in the order of
/// their numbers. On a multi-threaded runtime (`flavor = "multi_thread"`) they run in parallel on
/// its workers, as separate processes would, rather than taking turns in one task.
pub async fn in_parallel<T, F, Fut>(n: usize, client: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(client(i))).collect();
    let mut results = Vec::with_capacity(n);
    for task in tasks {
        results.push(task.await.expect("a client panicked"));
    }
    results
}

/// The tables whose rows differ between two `Store::dump`s, each with its rows after (cut to
/// 2,000 characters): empty when nothing changed.
pub fn changed_tables(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    let rows = |dump: &[(String, String)], table: &str| {
        dump.iter().find(|(t, _)| t == table).map(|(_, rows)| rows.clone()).unwrap_or_default()
    };
    let mut tables: Vec<&String> = before.iter().chain(after).map(|(t, _)| t).collect();
    tables.sort();
    tables.dedup();
    tables
        .into_iter()
        .filter(|t| rows(before, t) != rows(after, t))
        .map(|t| format!("{t}: {}", rows(after, t).chars().take(2000).collect::<String>()))
        .collect()
}

/// A product sold only from stock (never backordered), 100 g, standard tax, in USD: what the
/// tests that set up their own shop stock.
pub fn stocked_product(sku: &str, name: &str, price: i64) -> ordo_gateway::store::catalog::ProductRow {
    ordo_gateway::store::catalog::ProductRow {
        sku: sku.into(),
        name: name.into(),
        category: "art".into(),
        description: String::new(),
        price,
        currency: "USD".into(),
        active: true,
        min_per_order: None,
        max_per_order: None,
        policy: "deny".into(),
        lead_time_days: None,
        supplier: None,
        weight_grams: 100,
        tax_class: "standard".into(),
        reorder_point: 0,
    }
}

/// The `extensions.code` of the first error in a GraphQL response, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A GraphQL-over-WebSocket client speaking one of the two protocols (`graphql-transport-ws`,
/// legacy `graphql-ws`).
#[derive(Debug)]
pub struct WsClient {
    pub socket: Socket,
    legacy: bool,
}

impl WsClient {
    pub async fn connect(app: &TestApp, protocol: &str, token: Option<&str>) -> Result<WsClient, String> {
        let mut request =
            format!("ws://{}/graphql", app.addr).into_client_request().expect("a WebSocket URL");
        request.headers_mut().insert("sec-websocket-protocol", protocol.parse().expect("a protocol header"));
        let (socket, response) =
            tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;
        assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
        let mut client = WsClient { socket, legacy: protocol == "graphql-ws" };
        let payload = token.map_or(json!({}), |t| json!({ "Authorization": format!("Bearer {t}") }));
        client.send(json!({ "type": "connection_init", "payload": payload })).await;
        match client.receive().await {
            Some(m) if m["type"] == "connection_ack" => Ok(client),
            other => Err(format!("{other:?}")),
        }
    }

    pub async fn send(&mut self, message: Value) {
        self.socket.send(Message::Text(message.to_string().into())).await.expect("send a message");
    }

    /// The next protocol message (keep-alives skipped); `None` when the server closed.
    pub async fn receive(&mut self) -> Option<Value> {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(20), self.socket.next()).await.ok()??;
            match next.ok()? {
                Message::Text(text) => {
                    let v: Value = serde_json::from_str(&text).expect("a JSON message");
                    if v["type"] == "ka" || v["type"] == "ping" || v["type"] == "pong" {
                        continue;
                    }
                    return Some(v);
                }
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.legacy { "start" } else { "subscribe" };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next result of subscription `id`: `Ok(data)` or `Err(errors)`.
    pub async fn next_result(&mut self) -> Result<Value, Value> {
        let mut m = self.receive().await.expect("a message");
        while m["type"] == "complete" {
            m = self.receive().await.expect("a message");
        }
        match m["type"].as_str() {
            Some("next" | "data") if m["payload"]["errors"].is_null() => Ok(m["payload"]["data"].clone()),
            Some("next" | "data") => Err(m["payload"]["errors"].clone()),
            Some("error") => Err(m["payload"].clone()),
            _ => Err(m),
        }
    }
}

/// Opens the store at `url` again once the last gateway on it has stopped (the embedded engine
/// releases its file lock shortly after its last handle is dropped).
pub async fn reopen_store(url: &str) -> Store {
    for _ in 0..100 {
        if let Ok(store) = Store::open(url).await {
            return store;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the store at {url} did not reopen");
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `limit`; the poll is the
/// synchronisation, so a slow machine waits longer instead of failing.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
