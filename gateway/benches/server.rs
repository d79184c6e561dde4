//! The scale-out harness of issue #26: paid guest checkouts through one and through two `ordo`
//! gateways on one SurrealDB server, with each process's CPU per checkout.
//!
//! Every process is a release build of its own: the SurrealDB server is the tests crate's
//! `surreal` binary (the `surrealdb-server` crate, `surreal start memory`), each gateway the
//! `ordo` binary (`ordo serve --db ws://…`), and the clients run here. Run it with
//! `gateway/bench-server` (`--secs N` per phase, `--clients N`, `--only TEXT`, `--json PATH`,
//! `--idle N` for that many more gateways that take no clients),
//! which builds the two binaries first and passes their paths in `ORDO_SURREAL_BIN` and
//! `ORDO_BIN`.
//!
//! A checkout is `placeOrder` (two lines) then `authorizePayment` with the guest's token, as a
//! shopper's browser does. Each phase starts a fresh server with the demo shop topped up with
//! stock (nothing runs out), runs `clients` closed-loop clients spread over the gateways for a
//! warm-up and then the measured seconds, and reads each process's CPU time (`/proc/<pid>/stat`)
//! around the measured window. A failed checkout is any error at either step, counted by code.
//! After each phase the store's ledger is checked: every stock row's reserved units equal its
//! reservation rows, and no row is reserved beyond what is on hand.

#[path = "common/graphql.rs"]
mod graphql;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ordo_gateway::store::{Store, Target};
use serde_json::{Value, json};

type BoxError = Box<dyn Error + Send + Sync>;

const SECRET: &str = "ordo-bench-secret-ordo-bench-secret-0123";

/// The demo shop's SKUs with the `deny` policy (pure allocations), topped up before each phase.
const SPREAD: [&str; 12] = [
    "TEE-BLK-S",
    "TEE-BLK-M",
    "CAP-NAVY",
    "SOCKS-3PK",
    "MUG-STONE",
    "CANDLE-CEDAR",
    "TOWEL-SET",
    "BOOK-RUST",
    "NOTEBOOK-A5",
    "PEN-SET",
    "COFFEE-HOUSE",
    "CHOC-DARK",
];

/// The hot variant: every checkout buys two of these three, so the gateways' intakes write the
/// same few stock rows all the time.
const HOT: [&str; 3] = ["TEE-BLK-M", "NOTEBOOK-A5", "CHOC-DARK"];

const TOP_UP: i64 = 10_000_000;

const PLACE: &str = "mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { accessToken order { id state totals { grandTotal { amount } } } } }";

const AUTHORIZE: &str = "mutation($id: ID!) {
  authorizePayment(orderId: $id, token: \"tok_visa\") { order { id state payment { status } } } }";

struct Options {
    secs: f64,
    warmup: f64,
    clients: usize,
    /// Gateways started on the same server that take no clients (what one costs by itself).
    idle: usize,
    only: Option<String>,
    json: Option<PathBuf>,
}

fn options() -> Result<Options, BoxError> {
    let mut o = Options { secs: 10.0, warmup: 3.0, clients: 32, idle: 0, only: None, json: None };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secs" => o.secs = args.next().ok_or("--secs N")?.parse()?,
            "--warmup" => o.warmup = args.next().ok_or("--warmup N")?.parse()?,
            "--clients" => o.clients = args.next().ok_or("--clients N")?.parse()?,
            "--idle" => o.idle = args.next().ok_or("--idle N")?.parse()?,
            "--only" => o.only = Some(args.next().ok_or("--only TEXT")?),
            "--json" => o.json = Some(args.next().ok_or("--json PATH")?.into()),
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(o)
}

fn binary(var: &str) -> Result<PathBuf, BoxError> {
    let path =
        PathBuf::from(std::env::var(var).map_err(|_| format!("{var} is not set: run gateway/bench-server"))?);
    if path.exists() { Ok(path) } else { Err(format!("{var}: {} does not exist", path.display()).into()) }
}

fn free_port() -> Result<u16, BoxError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process killed on drop.
struct Process {
    child: std::process::Child,
    name: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU seconds (user + system) process `pid` has used so far.
fn cpu_seconds(pid: u32) -> Result<f64, BoxError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit_once(')').ok_or("odd /proc stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
    let ticks: f64 = fields.get(11).ok_or("no utime")?.parse::<f64>()?
        + fields.get(12).ok_or("no stime")?.parse::<f64>()?;
    Ok(ticks / clock_ticks())
}

/// The kernel's clock ticks per second for `/proc` times (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

async fn wait_for_port(port: u16) -> Result<(), BoxError> {
    for _ in 0..600 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("nothing listens on {port}").into())
}

/// A fresh `surreal start memory` on a free port.
async fn start_server(bin: &PathBuf) -> Result<(Process, String), BoxError> {
    let port = free_port()?;
    let child = std::process::Command::new(bin)
        .args(["start", "--bind", &format!("127.0.0.1:{port}"), "--user", "root", "--pass", "root"])
        .args(["--log", "warn", "memory"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let process = Process { child, name: "surreal".into() };
    wait_for_port(port).await?;
    Ok((process, format!("ws://127.0.0.1:{port}")))
}

/// `ordo serve` on the server at `url`, answering on the returned base URL.
async fn start_gateway(
    bin: &PathBuf,
    url: &str,
    n: usize,
    mail: &std::path::Path,
) -> Result<(Process, String), BoxError> {
    let port = free_port()?;
    let child = std::process::Command::new(bin)
        .args(["serve", "--db", url, "--listen", &format!("127.0.0.1:{port}"), "--production"])
        .arg("--mail-dir")
        .arg(mail.join(format!("gateway-{n}")))
        .env("ORDO_DB_USER", "root")
        .env("ORDO_DB_PASS", "root")
        .env("ORDO_DB_NS", "ordo")
        .env("ORDO_DB_NAME", "bench")
        .env("ORDO_JWT_SECRET", SECRET)
        .env("ORDO_RATE_LIMIT", "0")
        .env("ORDO_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let process = Process { child, name: format!("gateway {}", n + 1) };
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return Ok((process, base));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("gateway {} did not become ready", n + 1).into())
}

async fn open_store(url: &str) -> Result<Store, BoxError> {
    let target = Target {
        login: Some(("root".into(), "root".into())),
        namespace: "ordo".into(),
        database: "bench".into(),
    };
    Ok(Store::open_with(url, &target).await?)
}

/// The demo shop, every bench SKU topped up at both locations.
async fn prepare(store: &Store) -> Result<(), BoxError> {
    ordo_gateway::seed::seed_if_empty(store).await?;
    for sku in SPREAD {
        for location in ["east", "west"] {
            store.put_stock(sku, location, TOP_UP, "bench top-up").await?;
        }
    }
    Ok(())
}

fn checkout_input(skus: &[&str], n: usize) -> Value {
    let a = skus[n % skus.len()];
    let b = skus[(n * 7 + 1) % skus.len()];
    let lines = if a == b {
        json!([{ "sku": a, "quantity": 2 }])
    } else {
        json!([{ "sku": a, "quantity": 1 }, { "sku": b, "quantity": 1 }])
    };
    json!({ "input": { "channel": "web", "currency": "USD", "email": "grace@example.com", "lines": lines,
        "shippingAddress": { "name": "Grace Hopper", "line1": "1 Navy Way", "city": "Arlington", "region": "VA",
                             "postalCode": "22202", "country": "US" } } })
}

/// One paid guest checkout; the failing step's code otherwise.
async fn checkout(client: &reqwest::Client, base: &str, skus: &[&str], n: usize) -> Result<(), String> {
    let url = format!("{base}/graphql");
    let placed = graphql::post(client, &url, None, PLACE, checkout_input(skus, n)).await?;
    let id = placed["data"]["placeOrder"]["order"]["id"].as_str().ok_or("NO_ID")?;
    let guest = placed["data"]["placeOrder"]["accessToken"].as_str().ok_or("NO_TOKEN")?;
    let paid = graphql::post(client, &url, Some(guest), AUTHORIZE, json!({ "id": id })).await?;
    match paid["data"]["authorizePayment"]["order"]["payment"]["status"].as_str() {
        Some("authorized") => Ok(()),
        other => Err(format!("PAYMENT_{other:?}")),
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    failures: BTreeMap<String, u64>,
}

struct Phase {
    name: String,
    gateways: usize,
    clients: usize,
    secs: f64,
    checkouts: usize,
    failures: BTreeMap<String, u64>,
    p50_ms: f64,
    p99_ms: f64,
    /// (process, CPU-ms per completed checkout)
    cpu: Vec<(String, f64)>,
    /// The ledger after the phase: (SKU, reserved, in reservation rows, on hand).
    ledger_ok: bool,
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

async fn run_phase(
    surreal: &PathBuf,
    ordo: &PathBuf,
    gateways: usize,
    hot: bool,
    o: &Options,
) -> Result<Phase, BoxError> {
    let idle = if o.idle == 0 { String::new() } else { format!(" + {} idle", o.idle) };
    let name = format!(
        "{} SKUs, {gateways} gateway{}{idle}",
        if hot { "hot" } else { "spread" },
        if gateways == 1 { "" } else { "s" }
    );
    let (server, url) = start_server(surreal).await?;
    let setup = open_store(&url).await?;
    prepare(&setup).await?;
    let mail = std::env::temp_dir().join(format!("ordo-bench-server-{}", std::process::id()));
    let mut processes = vec![server];
    let mut bases = Vec::new();
    for n in 0..gateways + o.idle {
        let (mut process, base) = start_gateway(ordo, &url, n, &mail).await?;
        if n < gateways {
            bases.push(base);
        } else {
            process.name.push_str(" (idle)");
        }
        processes.push(process);
    }
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(256).timeout(Duration::from_secs(60)).build()?;
    let skus: &'static [&'static str] = if hot { &HOT } else { &SPREAD };
    let tally = Arc::new(Mutex::new(Tally::default()));
    let start = Instant::now();
    let warm_until = start + Duration::from_secs_f64(o.warmup);
    let end = warm_until + Duration::from_secs_f64(o.secs);
    let mut tasks = Vec::new();
    for c in 0..o.clients {
        let (client, base, tally) = (client.clone(), bases[c % bases.len()].clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = c * 1_000_003;
            loop {
                let began = Instant::now();
                if began >= end {
                    break;
                }
                n += 1;
                let done = checkout(&client, &base, skus, n).await;
                if began >= warm_until {
                    let mut t = tally.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    match done {
                        Ok(()) => t
                            .latencies_us
                            .push(u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX)),
                        Err(code) => *t.failures.entry(code).or_default() += 1,
                    }
                }
            }
        }));
    }
    tokio::time::sleep_until(warm_until.into()).await;
    let pids: Vec<(String, u32)> = processes
        .iter()
        .map(|p| (p.name.clone(), p.child.id()))
        .chain(std::iter::once(("clients (this process)".to_owned(), std::process::id())))
        .collect();
    let before: Vec<f64> = pids.iter().map(|(_, pid)| cpu_seconds(*pid)).collect::<Result<_, _>>()?;
    tokio::time::sleep_until(end.into()).await;
    let after: Vec<f64> = pids.iter().map(|(_, pid)| cpu_seconds(*pid)).collect::<Result<_, _>>()?;
    for task in tasks {
        task.await?;
    }
    let mut tally = std::mem::take(&mut *tally.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    tally.latencies_us.sort_unstable();
    let checkouts = tally.latencies_us.len();
    let per = |cpu: f64| if checkouts == 0 { 0.0 } else { cpu * 1000.0 / checkouts as f64 };
    let cpu = pids
        .iter()
        .zip(before.iter().zip(&after))
        .map(|((name, _), (b, a))| (name.clone(), per(a - b)))
        .collect();
    let mut ledger_ok = true;
    for sku in SPREAD {
        let (reserved, rows) = setup.reserved_total(sku).await?;
        if reserved != rows {
            eprintln!("{name}: {sku} reserved {reserved} but its reservation rows hold {rows}");
            ledger_ok = false;
        }
        for row in setup.stock_of(sku).await? {
            if row.available() < 0 {
                eprintln!("{name}: {sku} oversold at {}", row.location);
                ledger_ok = false;
            }
        }
    }
    drop(processes);
    let _ = std::fs::remove_dir_all(&mail);
    Ok(Phase {
        name,
        gateways,
        clients: o.clients,
        secs: o.secs,
        checkouts,
        failures: tally.failures,
        p50_ms: percentile(&tally.latencies_us, 0.50),
        p99_ms: percentile(&tally.latencies_us, 0.99),
        cpu,
        ledger_ok,
    })
}

fn print_phase(p: &Phase) {
    let failed: u64 = p.failures.values().sum();
    println!(
        "{:<26} {:>3} clients  {:>8.1} checkouts/s  p50 {:>7.1} ms  p99 {:>7.1} ms  failed {:>4} {}  ledger {}",
        p.name,
        p.clients,
        p.checkouts as f64 / p.secs,
        p.p50_ms,
        p.p99_ms,
        failed,
        if p.failures.is_empty() { String::new() } else { format!("{:?}", p.failures) },
        if p.ledger_ok { "ok" } else { "WRONG" },
    );
    let cpu: Vec<String> = p.cpu.iter().map(|(name, ms)| format!("{name} {ms:.2}")).collect();
    println!("{:<26} CPU-ms per checkout: {}", "", cpu.join(", "));
}

fn main() -> Result<(), BoxError> {
    // reqwest's TLS needs a crypto provider named (loopback is plain HTTP, but the client is built
    // with TLS support all the same).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let o = options()?;
    let surreal = binary("ORDO_SURREAL_BIN")?;
    let ordo = binary("ORDO_BIN")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut phases = Vec::new();
    println!(
        "Paid guest checkouts (placeOrder + authorizePayment) on a SurrealDB server ({} s measured after {} s warm-up per phase; commit {})",
        o.secs,
        o.warmup,
        std::env::var("ORDO_BENCH_COMMIT").unwrap_or_else(|_| "unknown".into())
    );
    for hot in [false, true] {
        for gateways in [1, 2] {
            let label = format!("{} {gateways}", if hot { "hot" } else { "spread" });
            if o.only.as_deref().is_some_and(|only| !label.contains(only)) {
                continue;
            }
            let phase = runtime.block_on(run_phase(&surreal, &ordo, gateways, hot, &o))?;
            print_phase(&phase);
            phases.push(phase);
        }
    }
    if let Some(path) = &o.json {
        let rows: Vec<Value> = phases
            .iter()
            .map(|p| {
                json!({ "phase": p.name, "gateways": p.gateways, "clients": p.clients, "secs": p.secs,
                    "checkouts": p.checkouts, "per_second": p.checkouts as f64 / p.secs,
                    "p50_ms": p.p50_ms, "p99_ms": p.p99_ms, "failures": p.failures,
                    "cpu_ms_per_checkout": p.cpu.iter().map(|(n, ms)| json!({ "process": n, "ms": ms })).collect::<Vec<_>>(),
                    "ledger_ok": p.ledger_ok })
            })
            .collect();
        let commit = std::env::var("ORDO_BENCH_COMMIT").unwrap_or_else(|_| "unknown".into());
        std::fs::write(path, serde_json::to_string_pretty(&json!({ "commit": commit, "phases": rows }))?)?;
        println!("JSON: {}", path.display());
    }
    if phases.iter().any(|p| !p.ledger_ok) {
        return Err("the ledger does not add up".into());
    }
    Ok(())
}
