//! The load harness of issue #9: measures order intake, reads and checkout on both embedded engines.
//!
//! Phases: the store ceiling (`intake::place_order` called directly), placeOrder through GraphQL
//! over HTTP (spread and hot SKUs), the checkout flow (place → authorize → capture) and `order(id)`
//! reads; it prints a table and writes JSON.
//!
//! Run it with `gateway/bench` (`--quick` for a smoke run, `--secs N` per phase, `--engine mem|kv`,
//! `--only TEXT` to run the phases whose name contains TEXT, `--json PATH`). Everything runs in
//! this one process on one tokio runtime: the SurrealDB engine, the gateway (started through
//! [`ordo_gateway::serve_store`] on `127.0.0.1:0`, exactly as `ordo serve` starts it) and the
//! reqwest clients on loopback.
//!
//! Every phase runs `concurrency` virtual users in a closed loop for a warm-up, then for the
//! measured duration; an operation counts when it started inside the measured window. An error is
//! a transport failure, a non-2xx status, or a 200 whose body has `errors` (counted by
//! `extensions.code`). "retried" counts the store's retried transactions during the measured
//! window ([`Store::contention`]: write conflicts, and intakes whose stock changed under them);
//! an operation that still conflicted after every retry is an error (`CONFLICT`).

mod common;
#[path = "common/graphql.rs"]
mod graphql;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ordo_core::cart::CartLine;
use ordo_gateway::app::intake;
use ordo_gateway::app::{Actor, Keys};
use ordo_gateway::store::Store;
use serde_json::{Value, json};

type BoxError = Box<dyn Error + Send + Sync>;

/// The secret the bench gateway signs tokens with.
const SECRET: &[u8] = b"ordo-bench-secret-ordo-bench-secret-0123";

/// SKUs of the demo shop (`gateway/src/seed.rs`) with the `deny` policy and stock at both
/// locations after the top-up: every placement is a pure allocation (conditional stock updates).
const SPREAD: [&str; 24] = [
    "TEE-BLK-S",
    "TEE-BLK-M",
    "TEE-BLK-L",
    "TEE-WHT-M",
    "CAP-NAVY",
    "SOCKS-3PK",
    "SCARF-WOOL",
    "MUG-STONE",
    "MUG-ENAMEL",
    "CANDLE-CEDAR",
    "PLANTER-S",
    "PLANTER-L",
    "TOWEL-SET",
    "BOOK-RUST",
    "BOOK-SQL",
    "BOOK-COOK",
    "NOTEBOOK-A5",
    "PEN-SET",
    "COFFEE-HOUSE",
    "COFFEE-DECAF",
    "TEA-EARL",
    "HONEY-RAW",
    "CHOC-DARK",
    "GIFT-CARD-50",
];

/// The hot-SKU variant: every client buys from these five.
const HOT: [&str; 5] = ["TEE-BLK-M", "SOCKS-3PK", "NOTEBOOK-A5", "COFFEE-HOUSE", "CHOC-DARK"];

/// On-hand units set per SKU and location before a run, so nothing fails with OUT_OF_STOCK.
const TOP_UP: i64 = 10_000_000;

/// Order ids kept for the read phase.
const KEEP_IDS: usize = 20_000;

const PLACE: &str = "mutation($input: PlaceOrderInput!, $key: String) {
  placeOrder(input: $input, idempotencyKey: $key) {
    replayed accessToken
    order { id state totals { grandTotal { amount currency } }
            lines { sku quantity availability { kind location quantity } }
            payment { status } statusView { headline } }
  }
}";

const READ: &str = "query($id: String!) {
  order(id: $id) {
    id state channel email placedAt
    totals { subtotal { amount } shipping { amount } tax { amount } grandTotal { amount currency } }
    lines { index sku name quantity unitPrice { amount } total { amount }
            availability { kind location supplier promisedOn quantity } }
    payment { status authorized { amount } captured { amount } }
    shipments { id state source units carrier trackingNumber expectedDelivery }
    timeline { seq at type actor data }
  }
}";

const AUTHORIZE: &str = "mutation($id: String!) {
  authorizePayment(orderId: $id, token: \"tok_visa\") { order { id state payment { status } } }
}";

const CAPTURE: &str = "mutation($id: String!) {
  capturePayment(orderId: $id) { order { id state payment { status captured { amount } } } }
}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Mem,
    Kv,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Mem => "mem",
            Engine::Kv => "surrealkv",
        }
    }
}

/// Which SKUs the carts draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skus {
    Spread,
    Hot,
}

impl Skus {
    fn name(self) -> &'static str {
        match self {
            Skus::Spread => "spread",
            Skus::Hot => "hot",
        }
    }

    fn pool(self) -> &'static [&'static str] {
        match self {
            Skus::Spread => &SPREAD,
            Skus::Hot => &HOT,
        }
    }
}

/// What a virtual user does in a loop.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// `intake::place_order` called directly: the server-side path minus GraphQL and HTTP.
    Store(Skus),
    /// `placeOrder` through GraphQL over HTTP, as a guest.
    Place(Skus),
    /// `order(id)` with lines, shipments and timeline, as staff.
    Read,
    /// placeOrder (guest) → authorizePayment (guest token) → capturePayment (staff).
    Flow,
}

impl Op {
    fn phase(self) -> &'static str {
        match self {
            Op::Store(_) => "store place_order",
            Op::Place(_) => "graphql placeOrder",
            Op::Read => "graphql order(id)",
            Op::Flow => "checkout flow",
        }
    }

    fn variant(self) -> &'static str {
        match self {
            Op::Store(skus) | Op::Place(skus) => skus.name(),
            Op::Read | Op::Flow => "-",
        }
    }
}

#[derive(Debug)]
struct Options {
    secs: f64,
    warmup: f64,
    json: Option<PathBuf>,
    engines: Vec<Engine>,
    only: Option<String>,
}

fn options() -> Result<Options, BoxError> {
    let mut o =
        Options { secs: 5.0, warmup: 1.0, json: None, engines: vec![Engine::Mem, Engine::Kv], only: None };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>, name: &str| -> Result<f64, BoxError> {
        let v = v.ok_or_else(|| format!("{name} needs a value"))?;
        let n: f64 = v.parse().map_err(|_| format!("{name}: not a number: {v}"))?;
        if n.is_finite() && n >= 0.0 { Ok(n) } else { Err(format!("{name}: out of range: {v}").into()) }
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                o.secs = 1.0;
                o.warmup = 0.25;
            }
            "--secs" => o.secs = number(args.next(), "--secs")?.max(0.1),
            "--warmup" => o.warmup = number(args.next(), "--warmup")?,
            "--json" => o.json = Some(PathBuf::from(args.next().ok_or("--json needs a path")?)),
            "--engine" => {
                o.engines = match args.next().as_deref() {
                    Some("mem") => vec![Engine::Mem],
                    Some("kv" | "surrealkv") => vec![Engine::Kv],
                    Some("both") => vec![Engine::Mem, Engine::Kv],
                    other => return Err(format!("--engine mem|kv|both, not {other:?}").into()),
                }
            }
            "--only" => o.only = Some(args.next().ok_or("--only needs a text")?),
            // `cargo bench` passes `--bench` to harness-less benches.
            "--bench" => {}
            "--help" | "-h" => {
                println!(
                    "usage: gateway/bench [--quick] [--secs N] [--warmup N] [--engine mem|kv|both] \
                     [--only TEXT] [--json PATH]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other} (try --help)").into()),
        }
    }
    Ok(o)
}

/// Shared by every virtual user of one engine.
#[derive(Debug)]
struct Ctx {
    store: Store,
    /// The application over `store`, for the store-ceiling phase.
    app: ordo_gateway::app::App,
    client: reqwest::Client,
    url: String,
    staff: String,
    /// Makes idempotency keys unique across runs and phases.
    run: String,
    /// Ids of placed orders, for the read phase.
    placed: Mutex<Vec<String>>,
}

impl Ctx {
    fn remember(&self, id: &str) {
        if let Ok(mut ids) = self.placed.lock()
            && ids.len() < KEEP_IDS
        {
            ids.push(id.to_owned());
        }
    }

    fn any_order(&self) -> Option<String> {
        let ids = self.placed.lock().ok()?;
        if ids.is_empty() { None } else { ids.get(rand::random_range(0..ids.len())).cloned() }
    }

    /// POSTs one operation (see [`graphql::post`]).
    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Result<Value, String> {
        graphql::post(&self.client, &self.url, token, query, variables).await
    }
}

/// Two distinct SKUs from the pool, one unit each.
fn lines(skus: Skus) -> Vec<CartLine> {
    let pool = skus.pool();
    let a = rand::random_range(0..pool.len());
    let b = (a + rand::random_range(1..pool.len())) % pool.len();
    [a, b].iter().map(|&i| CartLine { sku: pool[i].to_owned(), quantity: 1 }).collect()
}

fn graphql_input(lines: &[CartLine]) -> Value {
    let a = common::address();
    json!({
        "channel": "web", "currency": "USD", "email": "grace@example.com",
        "lines": lines.iter().map(|l| json!({ "sku": l.sku, "quantity": l.quantity })).collect::<Vec<_>>(),
        "shippingAddress": { "name": a.name, "line1": a.line1, "city": a.city, "region": a.region,
                             "postalCode": a.postal_code, "country": a.country },
    })
}

/// One operation's result: an error code, and the latency of each step (flows have three).
#[derive(Debug, Default)]
struct Done {
    error: Option<String>,
    steps: Vec<(&'static str, Duration)>,
}

impl Done {
    fn failed(code: impl Into<String>) -> Done {
        Done { error: Some(code.into()), steps: Vec::new() }
    }
}

async fn place_graphql(ctx: &Ctx, skus: Skus, key: &str) -> Result<(String, Option<String>), String> {
    let body = ctx.gql(None, PLACE, json!({ "input": graphql_input(&lines(skus)), "key": key })).await?;
    let payload = &body["data"]["placeOrder"];
    let id = payload["order"]["id"].as_str().ok_or("NO_ORDER_ID")?.to_owned();
    ctx.remember(&id);
    Ok((id, payload["accessToken"].as_str().map(str::to_owned)))
}

async fn perform(ctx: &Ctx, op: Op, key: &str) -> Done {
    match op {
        Op::Store(skus) => {
            match intake::place_order(
                &ctx.app,
                &common::web_order(lines(skus)),
                Some(key),
                intake::Placer::ANONYMOUS,
            )
            .await
            {
                Ok(placed) => {
                    ctx.remember(&placed.order_id);
                    Done::default()
                }
                Err(e) => Done::failed(ordo_gateway::graphql::error::code(&e)),
            }
        }
        Op::Place(skus) => match place_graphql(ctx, skus, key).await {
            Ok(_) => Done::default(),
            Err(code) => Done::failed(code),
        },
        Op::Read => {
            let Some(id) = ctx.any_order() else { return Done::failed("NO_ORDERS") };
            match ctx.gql(Some(&ctx.staff), READ, json!({ "id": id })).await {
                Ok(body) if body["data"]["order"]["id"].is_string() => Done::default(),
                Ok(_) => Done::failed("NULL_ORDER"),
                Err(code) => Done::failed(code),
            }
        }
        Op::Flow => {
            let mut done = Done::default();
            let t = Instant::now();
            let placed = place_graphql(ctx, Skus::Spread, key).await;
            done.steps.push(("place", t.elapsed()));
            let (id, token) = match placed {
                Ok(ok) => ok,
                Err(code) => return Done { error: Some(format!("place:{code}")), ..done },
            };
            let guest = token.unwrap_or_else(|| ctx.staff.clone());
            let t = Instant::now();
            let authorized = ctx.gql(Some(&guest), AUTHORIZE, json!({ "id": id })).await;
            done.steps.push(("authorize", t.elapsed()));
            if let Err(code) = authorized {
                return Done { error: Some(format!("authorize:{code}")), ..done };
            }
            let t = Instant::now();
            let captured = ctx.gql(Some(&ctx.staff), CAPTURE, json!({ "id": id })).await;
            done.steps.push(("capture", t.elapsed()));
            if let Err(code) = captured {
                return Done { error: Some(format!("capture:{code}")), ..done };
            }
            done
        }
    }
}

/// What the virtual users of one phase measured.
#[derive(Debug, Default)]
struct Tally {
    /// Latencies of successful operations, in microseconds.
    ok_us: Vec<u64>,
    errors: BTreeMap<String, u64>,
    steps: BTreeMap<&'static str, Vec<u64>>,
    /// The store's retries during the measured window.
    retried: ordo_gateway::store::Contention,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.ok_us.extend(other.ok_us);
        for (code, n) in other.errors {
            *self.errors.entry(code).or_default() += n;
        }
        for (step, us) in other.steps {
            self.steps.entry(step).or_default().extend(us);
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

async fn run_phase(ctx: &Arc<Ctx>, op: Op, concurrency: usize, o: &Options) -> Result<Tally, BoxError> {
    let start = Instant::now();
    let from = start + Duration::from_secs_f64(o.warmup);
    let until = from + Duration::from_secs_f64(o.secs);
    let tag = format!("{}-{}-{}", ctx.run, rand::random::<u32>(), concurrency);
    let mut users = Vec::with_capacity(concurrency);
    for user in 0..concurrency {
        let ctx = Arc::clone(ctx);
        let tag = tag.clone();
        users.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut seq = 0u64;
            loop {
                let t = Instant::now();
                if t >= until {
                    break;
                }
                seq += 1;
                let key = format!("bench-{tag}-{user}-{seq}");
                let done = perform(&ctx, op, &key).await;
                let elapsed = t.elapsed();
                if t < from {
                    continue;
                }
                for (step, d) in done.steps {
                    tally.steps.entry(step).or_default().push(micros(d));
                }
                match done.error {
                    None => tally.ok_us.push(micros(elapsed)),
                    Some(code) => *tally.errors.entry(code).or_default() += 1,
                }
            }
            tally
        }));
    }
    // The store's retry counters at the start and end of the measured window.
    let store = ctx.store.clone();
    let before = tokio::spawn(async move {
        tokio::time::sleep_until(from.into()).await;
        store.contention()
    });
    let mut total = Tally::default();
    for user in users {
        total.merge(user.await?);
    }
    let (before, after) = (before.await?, ctx.store.contention());
    total.retried = ordo_gateway::store::Contention {
        conflicts: after.conflicts - before.conflicts,
        stock_changed: after.stock_changed - before.stock_changed,
    };
    Ok(total)
}

/// One line of the table.
#[derive(Debug, Clone)]
struct Row {
    phase: String,
    variant: String,
    engine: &'static str,
    concurrency: usize,
    ops: u64,
    ops_per_sec: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: u64,
    error_codes: BTreeMap<String, u64>,
    /// Transactions the store retried after a write conflict, during the measured window.
    conflicts: u64,
    /// Intakes re-planned because their stock changed underneath, during the measured window.
    stock_changed: u64,
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1] as f64 / 1000.0
}

/// What one row summarises: latencies of successful operations (µs), errors by code, and the
/// store's retries.
struct Sample {
    us: Vec<u64>,
    errors: BTreeMap<String, u64>,
    retried: ordo_gateway::store::Contention,
}

fn row(phase: &str, variant: &str, engine: Engine, concurrency: usize, secs: f64, sample: Sample) -> Row {
    let Sample { mut us, errors, retried } = sample;
    us.sort_unstable();
    let error_count = errors.values().sum();
    Row {
        phase: phase.to_owned(),
        variant: variant.to_owned(),
        engine: engine.name(),
        concurrency,
        ops: us.len() as u64,
        ops_per_sec: us.len() as f64 / secs,
        p50_ms: percentile(&us, 0.50),
        p95_ms: percentile(&us, 0.95),
        p99_ms: percentile(&us, 0.99),
        max_ms: us.last().map_or(f64::NAN, |&m| m as f64 / 1000.0),
        errors: error_count,
        error_codes: errors,
        conflicts: retried.conflicts,
        stock_changed: retried.stock_changed,
    }
}

fn rows_of(op: Op, engine: Engine, concurrency: usize, secs: f64, tally: Tally) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut steps: Vec<_> = tally.steps.into_iter().collect();
    // place, authorize, capture in flow order.
    steps.sort_by_key(|(name, _)| ["place", "authorize", "capture"].iter().position(|s| s == name));
    let sample = Sample { us: tally.ok_us, errors: tally.errors, retried: tally.retried };
    rows.push(row(op.phase(), op.variant(), engine, concurrency, secs, sample));
    for (step, us) in steps {
        let sample =
            Sample { us, errors: BTreeMap::new(), retried: ordo_gateway::store::Contention::default() };
        rows.push(row(&format!("  flow step {step}"), "-", engine, concurrency, secs, sample));
    }
    rows
}

fn print_row(r: &Row) {
    println!(
        "{:<22} {:<7} {:<9} {:>4} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>9} {:>9}",
        r.phase,
        r.variant,
        r.engine,
        r.concurrency,
        r.ops_per_sec,
        r.p50_ms,
        r.p95_ms,
        r.p99_ms,
        r.errors,
        r.conflicts,
        r.stock_changed
    );
}

fn print_header() {
    println!(
        "{:<22} {:<7} {:<9} {:>4} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9}",
        "phase",
        "variant",
        "engine",
        "conc",
        "ops/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "conflicts",
        "replanned"
    );
}

/// A SurrealKV directory removed when dropped.
#[derive(Debug)]
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Seeds the demo shop, tops up stock, and checks that every SKU the bench buys can be ordered.
async fn prepare(store: &Store) -> Result<(), BoxError> {
    ordo_gateway::seed::seed_if_empty(store).await?;
    for sku in SPREAD {
        for location in ["east", "west"] {
            store.put_stock(sku, location, TOP_UP, "bench top-up").await?;
        }
    }
    for sku in SPREAD {
        let request = common::web_order(vec![CartLine { sku: sku.to_owned(), quantity: 1 }]);
        intake::place_order(&common::app(store), &request, None, intake::Placer::ANONYMOUS).await.map_err(
            |e| format!("the demo shop cannot sell {sku}: {} ({e})", ordo_gateway::graphql::error::code(&e)),
        )?;
    }
    Ok(())
}

/// Runs every phase on one engine; returns its rows.
async fn bench_engine(engine: Engine, o: &Options, run: &str) -> Result<Vec<Row>, BoxError> {
    let (url, _dir) = match engine {
        Engine::Mem => ("mem://".to_owned(), None),
        Engine::Kv => {
            let dir = target_dir().join("bench").join("tmp").join(format!("kv-{run}"));
            std::fs::create_dir_all(dir.parent().ok_or("no parent")?)?;
            (format!("surrealkv://{}", dir.display()), Some(TempDir(dir)))
        }
    };
    let store = Store::open(&url).await?;
    prepare(&store).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // No rate limits: the bench is one client hammering one gateway. Later fields take their
    // defaults through `..Config::default()`.
    let config = ordo_gateway::Config {
        db_url: url.clone(),
        seed_demo: false,
        production: true,
        jwt_secret: Some(SECRET.to_vec()),
        rate_limits: None,
        ..ordo_gateway::Config::default()
    };
    let served = store.clone();
    let server = tokio::spawn(async move {
        ordo_gateway::serve_store(listener, served, config, async {
            let _ = stopped.await;
        })
        .await
    });
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(256).timeout(Duration::from_secs(60)).build()?;
    let mut ready = false;
    for _ in 0..400 {
        if let Ok(r) = client.get(format!("http://{addr}/readyz")).send().await
            && r.status().is_success()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    if !ready {
        return Err("the gateway did not become ready".into());
    }
    let staff = Keys::new(SECRET)?.mint(&Actor::Staff, "bench", chrono::Duration::hours(2))?;
    let ctx = Arc::new(Ctx {
        app: common::app(&store),
        store,
        client,
        url: format!("http://{addr}/graphql"),
        staff,
        run: run.to_owned(),
        placed: Mutex::new(Vec::new()),
    });

    let mut plan: Vec<(Op, usize)> = Vec::new();
    for skus in [Skus::Spread, Skus::Hot] {
        for c in [1, 16, 64] {
            plan.push((Op::Store(skus), c));
        }
    }
    for skus in [Skus::Spread, Skus::Hot] {
        for c in [1, 16, 64] {
            plan.push((Op::Place(skus), c));
        }
    }
    plan.push((Op::Flow, 16));
    plan.push((Op::Read, 64));

    let mut rows = Vec::new();
    for (op, concurrency) in plan {
        let label = format!("{} {}", op.phase(), op.variant());
        if o.only.as_deref().is_some_and(|only| !label.contains(only)) {
            continue;
        }
        if matches!(op, Op::Read) && ctx.any_order().is_none() {
            // Orders to read when the placement phases were filtered out.
            for _ in 0..256 {
                let _ =
                    perform(&ctx, Op::Store(Skus::Spread), &format!("bench-{run}-seed-{}", nonce())).await;
            }
        }
        let tally = run_phase(&ctx, op, concurrency, o).await?;
        let new = rows_of(op, engine, concurrency, o.secs, tally);
        for r in &new {
            eprint!("[{}] ", engine.name());
            print_row_to_stderr(r);
        }
        rows.extend(new);
    }

    let _ = stop.send(());
    server.await??;
    Ok(rows)
}

fn print_row_to_stderr(r: &Row) {
    eprintln!(
        "{} {} c={}: {:.0}/s p50 {:.2} ms p99 {:.2} ms errors {} {:?}",
        r.phase.trim(),
        r.variant,
        r.concurrency,
        r.ops_per_sec,
        r.p50_ms,
        r.p99_ms,
        r.errors,
        r.error_codes
    );
}

fn nonce() -> String {
    format!("{:x}", rand::random::<u64>())
}

/// GraphQL placeOrder over the store ceiling at the same engine, SKU variant and concurrency.
fn ratios(rows: &[Row]) -> Vec<Value> {
    let mut out = Vec::new();
    for g in rows.iter().filter(|r| r.phase == Op::Place(Skus::Spread).phase()) {
        if let Some(s) = rows.iter().find(|s| {
            s.phase == Op::Store(Skus::Spread).phase()
                && s.engine == g.engine
                && s.variant == g.variant
                && s.concurrency == g.concurrency
        }) {
            let ratio = if s.ops_per_sec > 0.0 { g.ops_per_sec / s.ops_per_sec } else { f64::NAN };
            out.push(json!({
                "engine": g.engine, "variant": g.variant, "concurrency": g.concurrency,
                "graphql_ops_per_sec": g.ops_per_sec, "store_ops_per_sec": s.ops_per_sec, "ratio": ratio,
            }));
        }
    }
    out
}

/// The targets of issue #9 (file store): placeOrder at c=64 and order(id) at c=64.
fn targets(rows: &[Row], ratios: &[Value]) -> Vec<Value> {
    let find = |phase: &str, variant: &str| {
        rows.iter().find(|r| {
            r.engine == "surrealkv" && r.phase == phase && r.variant == variant && r.concurrency == 64
        })
    };
    let mut out = Vec::new();
    let mut check = |target: &str, value: f64, met: bool| {
        out.push(json!({ "target": target, "value": value, "met": met }));
    };
    if let Some(p) = find(Op::Place(Skus::Spread).phase(), "spread") {
        let ratio = ratios
            .iter()
            .find(|r| r["engine"] == "surrealkv" && r["variant"] == "spread" && r["concurrency"] == 64)
            .and_then(|r| r["ratio"].as_f64())
            .unwrap_or(f64::NAN);
        check("placeOrder >= 1000/s at c=64 (surrealkv, spread)", p.ops_per_sec, p.ops_per_sec >= 1000.0);
        check("placeOrder p99 <= 50 ms at c=64", p.p99_ms, p.p99_ms <= 50.0);
        check("placeOrder >= 50% of the store ceiling at c=64", ratio, ratio >= 0.5);
    }
    if let Some(r) = find(Op::Read.phase(), "-") {
        check("order(id) >= 5000 req/s at c=64 (surrealkv)", r.ops_per_sec, r.ops_per_sec >= 5000.0);
        check("order(id) p99 <= 20 ms at c=64", r.p99_ms, r.p99_ms <= 20.0);
    }
    out
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path).map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn machine() -> Value {
    let cpuinfo = read_trimmed("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown");
    json!({
        "cpu": model,
        "cpus": std::thread::available_parallelism().map_or(0, usize::from),
        "os": std::env::consts::OS,
        "loadavg": read_trimmed("/proc/loadavg"),
    })
}

fn main() -> Result<(), BoxError> {
    // reqwest's TLS needs a crypto provider named (the harness speaks plain HTTP on loopback).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let o = options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let started = chrono::Utc::now();
    let run = format!("{}-{}", started.format("%Y%m%dT%H%M%S"), std::process::id());
    let machine_before = machine();
    eprintln!(
        "ordo load harness: {} s per phase after {} s warm-up, engines {:?}",
        o.secs,
        o.warmup,
        o.engines.iter().map(|e| e.name()).collect::<Vec<_>>()
    );
    let wall = Instant::now();
    let mut rows = Vec::new();
    for &engine in &o.engines {
        rows.extend(runtime.block_on(bench_engine(engine, &o, &run))?);
    }
    let ratios = ratios(&rows);
    let targets = targets(&rows, &ratios);

    println!();
    print_header();
    for r in &rows {
        print_row(r);
    }
    println!();
    println!("GraphQL placeOrder / store ceiling (intake::place_order), same engine, SKUs and concurrency:");
    for r in &ratios {
        println!(
            "  {:<9} {:<6} c={:<3} {:>7.0} / {:>7.0} = {:.2}",
            r["engine"].as_str().unwrap_or(""),
            r["variant"].as_str().unwrap_or(""),
            r["concurrency"],
            r["graphql_ops_per_sec"].as_f64().unwrap_or(f64::NAN),
            r["store_ops_per_sec"].as_f64().unwrap_or(f64::NAN),
            r["ratio"].as_f64().unwrap_or(f64::NAN)
        );
    }
    if !targets.is_empty() {
        println!("Targets of issue #9:");
        for t in &targets {
            let met = if t["met"] == true { "met " } else { "MISS" };
            println!(
                "  {met} {} (measured {:.2})",
                t["target"].as_str().unwrap_or(""),
                t["value"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    for r in rows.iter().filter(|r| !r.error_codes.is_empty()) {
        println!(
            "  errors in {} {} {} c={}: {:?}",
            r.phase.trim(),
            r.variant,
            r.engine,
            r.concurrency,
            r.error_codes
        );
    }
    println!("Wall time {:.0} s.", wall.elapsed().as_secs_f64());

    let report = json!({
        "harness": "ordo-gateway/benches/load.rs",
        "started_at": started.to_rfc3339(),
        "commit": std::env::var("ORDO_BENCH_COMMIT").ok(),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "machine": machine_before,
        "loadavg_after": read_trimmed("/proc/loadavg"),
        "secs_per_phase": o.secs,
        "warmup_secs": o.warmup,
        "wall_secs": wall.elapsed().as_secs_f64(),
        "conflict_counter": "Store::contention during the measured window: conflicts = commits retried after a write conflict, stock_changed = intakes re-planned because stock changed",
        "results": rows.iter().map(|r| json!({
            "phase": r.phase.trim(), "variant": r.variant, "engine": r.engine, "concurrency": r.concurrency,
            "ops": r.ops, "ops_per_sec": r.ops_per_sec, "p50_ms": r.p50_ms, "p95_ms": r.p95_ms,
            "p99_ms": r.p99_ms, "max_ms": r.max_ms, "errors": r.errors, "error_codes": r.error_codes,
            "conflicts": r.conflicts, "stock_changed": r.stock_changed,
        })).collect::<Vec<_>>(),
        "ratios": ratios,
        "targets": targets,
    });
    if let Some(path) = &o.json {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")?;
        println!("JSON: {}", path.display());
    }
    Ok(())
}
