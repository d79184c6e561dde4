//! The message dispatcher's harness (issue #21): how many messages a second one gateway sends to
//! an SMTP server on this machine, and how long a customer waits for a confirmation while orders
//! are being placed and paid.
//!
//! The SMTP server is a minimal one in this file (it speaks enough SMTP for lettre over loopback
//! TCP and notes when each Message-ID arrived), so that the figures are the gateway's, not a
//! Python server's. Orders go through the application layer (`intake::place_order`, then
//! `commands::authorize` with `tok_visa`, which confirms the order and calls for its confirmation).
//!
//! Usage: `gateway/bench-messages [--orders N] [--rate R] [--secs S] [--engine mem|kv]`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ordo_core::cart::CartLine;
use ordo_core::order::Role;
use ordo_gateway::app::mail::{MailSettings, MailTransport, Mailer};
use ordo_gateway::app::{App, Doer, commands, intake};
use ordo_gateway::store::Store;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[path = "common/mod.rs"]
mod common;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// When each Message-ID reached the server.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// A minimal SMTP server on a free loopback port; answers every command the way a mail server
/// that accepts everything would.
async fn smtp_sink() -> Result<(u16, Arrivals), BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let arrivals: Arrivals = Arc::default();
    let seen = arrivals.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let _ = session(socket, seen).await;
            });
        }
    });
    Ok((port, arrivals))
}

async fn session(socket: tokio::net::TcpStream, seen: Arrivals) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 PIPELINING\r\n",
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut id = None;
                while let Some(data) = lines.next_line().await? {
                    if data == "." {
                        break;
                    }
                    if id.is_none() && data.to_ascii_lowercase().starts_with("message-id:") {
                        id = Some(data[11..].trim().to_owned());
                    }
                }
                if let Some(id) = id {
                    seen.lock().expect("arrivals").insert(id, Instant::now());
                }
                b"250 queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 OK\r\n",
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

fn mailer(port: u16) -> Result<Mailer, BoxError> {
    Ok(Mailer::new(MailSettings {
        transport: MailTransport::Smtp(format!("smtp://127.0.0.1:{port}")),
        from: "Bench Shop <orders@bench.example>".into(),
        shop_name: "Bench Shop".into(),
        public_url: "http://127.0.0.1".into(),
        returns_url: None,
        locale: "en-US".into(),
    })?)
}

/// Places and pays one guest order; answers its confirmation's Message-ID and when the payment
/// (the event that calls for it) was recorded.
async fn checkout(app: &App, sku: &str) -> Result<(String, Instant), BoxError> {
    let request = common::web_order(vec![CartLine { sku: sku.to_owned(), quantity: 1 }]);
    let placed = intake::place_order(app, &request, None, intake::Placer::ANONYMOUS).await?;
    let by = Doer { kind: "anonymous".into(), subject: None };
    commands::authorize(app, &placed.order_id, "tok_visa", (&Role::Customer, &by), None).await?;
    Ok((format!("<{}.0000000003.0@bench.example>", placed.order_id), Instant::now()))
}

const SKUS: [&str; 6] = ["TEE-BLK-M", "SOCKS-3PK", "NOTEBOOK-A5", "COFFEE-HOUSE", "CHOC-DARK", "MUG-STONE"];

async fn open(engine: &str, dir: &std::path::Path) -> Result<Store, BoxError> {
    let url = match engine {
        "kv" => format!("surrealkv://{}", dir.join("ordo.db").display()),
        _ => "mem://".to_owned(),
    };
    let store = Store::open(&url).await?;
    ordo_gateway::seed::seed_if_empty(&store).await?;
    for sku in SKUS {
        for location in ["east", "west"] {
            store.put_stock(sku, location, 10_000_000, "bench top-up").await?;
        }
    }
    Ok(store)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Waits until `arrivals` holds every id of `ids`, for at most `limit`.
async fn drained(arrivals: &Arrivals, ids: &[String], limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        // Counting first keeps the harness's own polling cheap (the check runs every 5 ms).
        let all = {
            let seen = arrivals.lock().expect("arrivals");
            seen.len() >= ids.len() && ids.iter().all(|id| seen.contains_key(id))
        };
        if all {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Throughput: `orders` confirmations written with no dispatcher running, then one gateway's
/// dispatcher starts and sends them all.
async fn throughput(engine: &str, orders: usize, dir: &std::path::Path) -> Result<(), BoxError> {
    let store = open(engine, dir).await?;
    let quiet = common::app(&store);
    let mut ids = Vec::with_capacity(orders);
    let mut pending = futures::stream::FuturesUnordered::new();
    for n in 0..orders {
        let app = quiet.clone();
        pending.push(async move { checkout(&app, SKUS[n % SKUS.len()]).await });
        if pending.len() >= 16 {
            use futures::StreamExt;
            ids.push(pending.next().await.ok_or("no checkout")??.0);
        }
    }
    use futures::StreamExt;
    while let Some(done) = pending.next().await {
        ids.push(done?.0);
    }
    let (port, arrivals) = smtp_sink().await?;
    let app = common::app(&store).with_mailer(mailer(port)?);
    let started = Instant::now();
    let runner = ordo_gateway::jobs::Runner::start(app, ordo_gateway::jobs::JobSettings::default());
    if !drained(&arrivals, &ids, Duration::from_secs(600)).await {
        return Err(format!(
            "only {} of {orders} messages arrived",
            arrivals.lock().expect("arrivals").len()
        )
        .into());
    }
    let secs = started.elapsed().as_secs_f64();
    runner.stop();
    println!(
        "[{engine}] dispatcher throughput: {orders} confirmations in {secs:.2} s = {:.0} messages/s",
        orders as f64 / secs
    );
    Ok(())
}

/// Latency: orders placed and paid at `rate` a second for `secs` seconds while the dispatcher
/// runs; from each payment's record to its confirmation's arrival at the SMTP server.
async fn latency(engine: &str, rate: u32, secs: u64, dir: &std::path::Path) -> Result<(), BoxError> {
    let store = open(engine, dir).await?;
    let (port, arrivals) = smtp_sink().await?;
    let app = common::app(&store).with_mailer(mailer(port)?);
    let runner = ordo_gateway::jobs::Runner::start(app.clone(), ordo_gateway::jobs::JobSettings::default());
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = usize::try_from(u64::from(rate) * secs)?;
    let mut tasks = Vec::with_capacity(total);
    let started = Instant::now();
    for n in 0..total {
        ticks.tick().await;
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            checkout(&app, SKUS[n % SKUS.len()]).await.map_err(|e| e.to_string())
        }));
    }
    let mut paid = Vec::with_capacity(total);
    for task in tasks {
        paid.push(task.await??);
    }
    let placing = started.elapsed().as_secs_f64();
    let ids: Vec<String> = paid.iter().map(|(id, _)| id.clone()).collect();
    if !drained(&arrivals, &ids, Duration::from_secs(120)).await {
        return Err("not every confirmation arrived within 2 minutes".into());
    }
    runner.stop();
    let seen = arrivals.lock().expect("arrivals").clone();
    let mut waits: Vec<f64> =
        paid.iter().map(|(id, at)| seen[id].saturating_duration_since(*at).as_secs_f64() * 1000.0).collect();
    waits.sort_by(f64::total_cmp);
    println!(
        "[{engine}] {total} orders placed and paid at {:.0}/s (asked {rate}/s); payment to SMTP 250: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        total as f64 / placing,
        percentile(&waits, 0.5),
        percentile(&waits, 0.99),
        waits.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let orders: usize = value("--orders", "2000").parse()?;
    let rate: u32 = value("--rate", "200").parse()?;
    let secs: u64 = value("--secs", "10").parse()?;
    let engine = value("--engine", "mem");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("ordo-bench-messages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        println!(
            "ordo message harness: engine {engine}, {} cores",
            std::thread::available_parallelism()?.get()
        );
        throughput(&engine, orders, &dir.join("a")).await?;
        latency(&engine, rate, secs, &dir.join("b")).await?;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    })
}
