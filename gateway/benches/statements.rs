//! What single SurrealQL statements cost on the embedded engine (issue #9's "what is SurrealDB's"):
//! each statement the intake and the order read issue, run alone in a loop on `mem://` (or the URL
//! given as the first argument), one client, after the demo shop is seeded. Not a test.
//!
//! Run it with `gateway/bench-statements [surrealkv://path]`.

#![allow(clippy::unwrap_used)] // a harness: a panic is the failure report

mod common;

use std::time::Instant;

use ordo_core::cart::CartLine;
use ordo_gateway::intake::{self, PlaceOrder};
use ordo_gateway::store::Store;
use serde_json::json;
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{RecordId, RecordIdKey, RecordIdKeyRange};

const SKUS: [&str; 6] = ["TEE-BLK-M", "SOCKS-3PK", "NOTEBOOK-A5", "COFFEE-HOUSE", "CHOC-DARK", "TEA-EARL"];
const ROUNDS: usize = 400;

/// Two lines, rotating through the SKUs.
fn request(i: usize) -> PlaceOrder {
    common::web_order(vec![
        CartLine { sku: SKUS[i % 6].into(), quantity: 1 },
        CartLine { sku: SKUS[(i + 1) % 6].into(), quantity: 2 },
    ])
}

/// Runs `sql` with `binds`; any statement's error fails the harness.
async fn exec(db: &Surreal<Any>, sql: &str, binds: Vec<(&'static str, serde_json::Value)>) {
    let mut query = db.query(sql);
    for bind in binds {
        query = query.bind(bind);
    }
    query.await.unwrap().check().unwrap();
}

/// Runs `f` ROUNDS times and prints the mean time per round.
async fn time(label: &str, mut f: impl AsyncFnMut(usize)) {
    let start = Instant::now();
    for i in 0..ROUNDS {
        f(i).await;
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / ROUNDS as f64;
    println!("| {label:<58} | {per:>8.0} |");
}

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).filter(|a| !a.starts_with('-')).unwrap_or_else(|| "mem://".into());
    let store = Store::open(&url).await.unwrap();
    ordo_gateway::seed::seed_if_empty(&store).await.unwrap();
    for sku in SKUS {
        for location in ["east", "west"] {
            store.put_stock(sku, location, 10_000_000, "bench top-up").await.unwrap();
        }
    }
    println!("SurrealQL statements on {url}, one client, mean of {ROUNDS} rounds, release build\n");
    println!("| statement | µs |\n|---|---|");
    let mut ids = Vec::new();
    time("intake::place_order, 2 lines (whole intake)", async |i| {
        ids.push(intake::place_order(&store, &request(i), None, "bench").await.unwrap().order_id);
    })
    .await;
    let db = store.db();
    time("RETURN 1", async |_| exec(db, "RETURN 1", vec![]).await).await;
    time("BEGIN; RETURN 1; COMMIT", async |_| {
        exec(db, "BEGIN; RETURN 1; COMMIT;", vec![]).await;
    })
    .await;
    time("record fetch by id (absent idempotency key)", async |i| {
        exec(
            db,
            "SELECT * FROM type::record('idempotency', $key)",
            vec![("key", json!(format!("absent-{i}")))],
        )
        .await;
    })
    .await;
    let skus: Vec<String> = SKUS[..2].iter().map(|s| (*s).to_owned()).collect();
    let products: Vec<RecordId> = skus.iter().map(|s| RecordId::new("product", s.as_str())).collect();
    for (label, sql) in [
        ("2 products by record id", "SELECT * FROM $ids"),
        ("2 products through the sku index (IN)", "SELECT * FROM product WHERE sku IN $skus"),
        (
            "stock rows of 2 SKUs (index, IN)",
            "SELECT sku, location, on_hand, reserved FROM stock WHERE sku IN $skus",
        ),
        (
            "open purchase orders of 2 SKUs",
            "SELECT sku, expected_on FROM purchase_order WHERE open = true AND sku IN $skus",
        ),
        ("the shop's rules (one record)", "SELECT VALUE rules FROM shop:rules"),
        ("locations by rank", "SELECT record::id(id) AS key, rank FROM location ORDER BY rank, key"),
    ] {
        time(label, async |_| {
            db.query(sql)
                .bind(("ids", products.clone()))
                .bind(("skus", skus.clone()))
                .await
                .unwrap()
                .check()
                .map(drop)
                .unwrap();
        })
        .await;
    }
    let one = ids[7].clone();
    time("an order's timeline by record-id range", async |_| {
        let range = RecordIdKeyRange::from(format!("{one}#")..=format!("{one}#~"));
        let events = RecordId::new("event", RecordIdKey::Range(Box::new(range)));
        let mut r = db.query("SELECT entry, actor, seq FROM $events").bind(("events", events)).await.unwrap();
        let rows: Vec<serde_json::Value> = r.take(0).unwrap();
        assert_eq!(rows.len(), 1);
    })
    .await;
    let mut r = db.query("SELECT VALUE entry FROM event LIMIT 1").await.unwrap();
    let entry = r.take::<Vec<serde_json::Value>>(0).unwrap().remove(0);
    time(&format!("CREATE event (entry: {} B JSON object)", entry.to_string().len()), async |i| {
        exec(db, "CREATE type::record('event', $k) SET order_id = $id, seq = 1, at = time::now(), type = 'placed', actor = 'bench', entry = $entry", vec![("k", json!(format!("bench{i}#0000000001"))), ("id", json!(format!("bench{i}"))), ("entry", entry.clone())]).await;
    })
    .await;
    time("CREATE outbox (payload: the same object)", async |i| {
        exec(
            db,
            "CREATE outbox SET topic = 'order.placed', order_id = $id, payload = $entry, at = time::now()",
            vec![("id", json!(format!("bench{i}"))), ("entry", entry.clone())],
        )
        .await;
    })
    .await;
    time("CREATE reservation", async |i| {
        exec(
            db,
            "CREATE reservation SET order_id = $id, sku = 'TEE-BLK-M', location = 'east', quantity = 1",
            vec![("id", json!(format!("bench{i}")))],
        )
        .await;
    })
    .await;
    time("CREATE stock_movement", async |i| {
        exec(db, "CREATE stock_movement SET sku = 'TEE-BLK-M', location = 'east', on_hand_delta = 0, reserved_delta = 1, reason = 'reserved', order_id = $id, at = time::now()", vec![("id", json!(format!("bench{i}")))]).await;
    })
    .await;
    time("conditional stock UPDATE + THROW check", async |_| {
        exec(db, "LET $r = UPDATE type::record('stock', $k) SET reserved += 1 WHERE on_hand - reserved >= 1 RETURN AFTER; IF array::len($r) = 0 { THROW 'stock_changed' };", vec![("k", json!("TEE-BLK-M@east"))]).await;
    })
    .await;
}
