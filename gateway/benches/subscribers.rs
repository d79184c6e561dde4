//! The subscription harness of issue #6: N WebSocket subscribers on one gateway, events emitted,
//! event-to-client latency and delivered/expected counts printed (not a test).
//!
//! Each subscriber opens `/graphql` with `graphql-transport-ws` as staff and subscribes to
//! `orderEvents(filter: { types: ["placed"] })`; the harness then places `--events` orders
//! through `intake::place_order`, a few milliseconds apart. Latency is from the event's own
//! timestamp (written by the gateway in this process) to its arrival at each client.
//! Usage: `gateway/bench-subscribers [--subscribers 1000,5000] [--events 20]`.

mod common;

use std::error::Error;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use ordo_core::cart::CartLine;
use ordo_gateway::app::intake;
use ordo_gateway::app::{Actor, Keys};
use ordo_gateway::store::Store;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type BoxError = Box<dyn Error + Send + Sync>;

const SECRET: &[u8] = b"ordo-bench-secret-ordo-bench-secret-0123";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(subscribers: usize, events: usize) -> Result<(), BoxError> {
    let store = Store::open("mem://").await?;
    let app = common::app(&store);
    ordo_gateway::seed::seed_if_empty(&store).await?;
    store.put_stock("CHOC-DARK", "east", 1_000_000, "bench").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // Every subscriber connects from 127.0.0.1: no per-address cap here, and room for them all.
    let config = ordo_gateway::Config {
        jwt_secret: Some(SECRET.to_vec()),
        rate_limits: None,
        connections: ordo_gateway::edge::connections::ConnectionLimits {
            max_connections: 100_000,
            max_per_ip: 100_000,
            ..Default::default()
        },
        ..ordo_gateway::Config::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = store.clone();
    let server = tokio::spawn(async move {
        let _ = ordo_gateway::serve_store(listener, served, config, async {
            let _ = stopped.await;
        })
        .await;
    });
    let token = Keys::new(SECRET).map_err(|e| e.to_string())?.mint(
        &Actor::Staff,
        "bench",
        chrono::Duration::hours(1),
    )?;

    // Connect everyone, then wait until every subscription is acknowledged.
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(subscribers);
    let started = Instant::now();
    let mut clients = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut request = format!("ws://{addr}/graphql").into_client_request()?;
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
        // tungstenite zero-fills its whole read buffer on every read; its 128 KiB default would
        // make these 5,000 in-process clients, not the gateway, the bottleneck of the run.
        let config =
            tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(8 * 1024);
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
        let init =
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
        socket.send(Message::Text(init.to_string().into())).await?;
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription { orderEvents(filter: { types: [\"placed\"] }) { event { at } } }" } });
        socket.send(Message::Text(subscribe.to_string().into())).await?;
        let ready = ready_tx.clone();
        clients.push(tokio::spawn(async move {
            // Each client keeps its own latencies (a shared lock would serialise 5,000 clients).
            let mut latencies = Vec::with_capacity(events);
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else { continue };
                let arrived = chrono::Utc::now();
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if v["type"] == "connection_ack" {
                    let _ = ready.send(()).await;
                    continue;
                }
                if v["type"] != "next" {
                    continue;
                }
                let at = v["payload"]["data"]["orderEvents"]["event"]["at"].as_str().unwrap_or_default();
                if let Ok(at) = chrono::DateTime::parse_from_rfc3339(at) {
                    let ms = (arrived - at.with_timezone(&chrono::Utc)).num_microseconds().unwrap_or(0)
                        as f64
                        / 1000.0;
                    latencies.push(ms);
                }
                if latencies.len() == events {
                    break;
                }
            }
            latencies
        }));
    }
    for _ in 0..subscribers {
        ready_rx.recv().await;
    }
    let connect_secs = started.elapsed().as_secs_f64();
    // Give the last subscriptions a moment to be registered on the feed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let emit = Instant::now();
    for _ in 0..events {
        intake::place_order(
            &app,
            &common::web_order(vec![CartLine { sku: "CHOC-DARK".into(), quantity: 1 }]),
            None,
            intake::Placer::ANONYMOUS,
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lat = Vec::with_capacity(subscribers * events);
    for client in clients {
        if let Ok(Ok(mut latencies)) = tokio::time::timeout(Duration::from_secs(60), client).await {
            lat.append(&mut latencies);
        }
    }
    let delivered = lat.len();
    let drain_secs = emit.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    println!(
        "| {subscribers:>6} | {events:>6} | {delivered:>9} / {:<9} | {:>8.1} | {:>8.1} | {:>8.1} | {connect_secs:>7.1} | {drain_secs:>7.1} |",
        subscribers * events,
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        lat.last().copied().unwrap_or(f64::NAN),
    );
    let _ = stop.send(());
    let _ = server.await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let counts: Vec<usize> = arg("--subscribers")
        .unwrap_or_else(|| "1000,5000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let events: usize = arg("--events").and_then(|n| n.parse().ok()).unwrap_or(20);
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("subscribers on one gateway (mem://), orderEvents over graphql-transport-ws, {build} build");
    println!(
        "| subs   | events | delivered / expected  | p50 ms   | p99 ms   | max ms   | connect s | emit+drain s |"
    );
    println!(
        "|--------|--------|-----------------------|----------|----------|----------|---------|---------|"
    );
    for n in counts {
        run(n, events).await?;
    }
    Ok(())
}
