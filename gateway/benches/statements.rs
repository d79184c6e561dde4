//! What single SurrealQL statements cost on the embedded engine (issue #9's "what is SurrealDB's"):
//! each statement the intake and the order read issue, run alone in a loop on `mem://` (or the URL
//! given as the first argument), one client, after the demo shop is seeded. Not a test.
//!
//! Run it with `gateway/bench-statements [surrealkv://path] [--rounds N] [--only TEXT]` (`--only`
//! keeps the rows whose label contains TEXT).

#![allow(clippy::unwrap_used)] // a harness: a panic is the failure report

mod common;

use std::time::Instant;

use ordo_core::cart::CartLine;
use ordo_gateway::app::intake::{self, PlaceOrder};
use ordo_gateway::store::Store;
use serde_json::json;
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{RecordId, RecordIdKey, RecordIdKeyRange};

const SKUS: [&str; 6] = ["TEE-BLK-M", "SOCKS-3PK", "NOTEBOOK-A5", "COFFEE-HOUSE", "CHOC-DARK", "TEA-EARL"];
/// Rounds per row unless `--rounds` says otherwise.
const ROUNDS: usize = 400;

/// The command line: the store URL, rounds per row, and which rows to run.
#[derive(Debug)]
struct Args {
    url: String,
    rounds: usize,
    only: Option<String>,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args { url: "mem://".into(), rounds: ROUNDS, only: None };
        let mut given = std::env::args().skip(1);
        while let Some(arg) = given.next() {
            match arg.as_str() {
                "--rounds" => args.rounds = given.next().and_then(|n| n.parse().ok()).expect("--rounds N"),
                "--only" => args.only = given.next(),
                // cargo bench passes `--bench`.
                other if other.starts_with('-') => {}
                url => args.url = url.to_owned(),
            }
        }
        args
    }

    fn wanted(&self, label: &str) -> bool {
        self.only.as_ref().is_none_or(|only| label.contains(only.as_str()))
    }
}

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

/// Runs `f` `args.rounds` times and prints the mean time per round (when `args` wants the row).
async fn time(args: &Args, label: &str, mut f: impl AsyncFnMut(usize)) {
    if !args.wanted(label) {
        return;
    }
    let start = Instant::now();
    for i in 0..args.rounds {
        f(i).await;
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / args.rounds as f64;
    println!("| {label:<58} | {per:>8.0} |");
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let url = &args.url;
    let store = Store::open(url).await.unwrap();
    ordo_gateway::seed::seed_if_empty(&store).await.unwrap();
    for sku in SKUS {
        for location in ["east", "west"] {
            store.put_stock(sku, location, 10_000_000, "bench top-up").await.unwrap();
        }
    }
    println!("SurrealQL statements on {url}, one client, mean of {} rounds, release build\n", args.rounds);
    println!("| statement | µs |\n|---|---|");
    let app = common::app(&store);
    // One order placed before timing: the rows below read its timeline and copy its entry.
    let one = intake::place_order(&app, &request(0), None, intake::Placer::ANONYMOUS).await.unwrap().order_id;
    time(&args, "intake::place_order, 2 lines (whole intake)", async |i| {
        intake::place_order(&app, &request(i), None, intake::Placer::ANONYMOUS).await.unwrap();
    })
    .await;
    let db = store.db();
    time(&args, "RETURN 1", async |_| exec(db, "RETURN 1", vec![]).await).await;
    time(&args, "BEGIN; RETURN 1; COMMIT", async |_| {
        exec(db, "BEGIN; RETURN 1; COMMIT;", vec![]).await;
    })
    .await;
    time(&args, "record fetch by id (absent idempotency key)", async |i| {
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
            "open purchase order lines of 2 SKUs",
            "SELECT sku, expected_on FROM purchase_order_line WHERE open = true AND sku IN $skus",
        ),
        ("the shop's rules (one record)", "SELECT VALUE rules FROM shop:rules"),
        ("locations by rank", "SELECT record::id(id) AS key, rank FROM location ORDER BY rank, key"),
        ("locations, unsorted (the gateway sorts them)", "SELECT record::id(id) AS key, rank FROM location"),
    ] {
        time(&args, label, async |_| {
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
    time(&args, "an order's timeline by record-id range", async |_| {
        let range = RecordIdKeyRange::from(format!("{one}#")..=format!("{one}#~"));
        let events = RecordId::new("event", RecordIdKey::Range(Box::new(range)));
        let mut r =
            db.query("SELECT entry_json, actor, seq FROM $events").bind(("events", events)).await.unwrap();
        let rows: Vec<serde_json::Value> = r.take(0).unwrap();
        assert_eq!(rows.len(), 1);
    })
    .await;
    let mut r = db
        .query("SELECT VALUE entry_json FROM type::record('event', $k)")
        .bind(("k", format!("{one}#0000000001")))
        .await
        .unwrap();
    let text: String = r.take::<Vec<String>>(0).unwrap().remove(0);
    let entry: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The event row as the gateway writes it (entry as JSON text, migration 0008), and as it
    // wrote it before (entry as an object SurrealDB converts and checks value by value).
    let create = "CREATE type::record('event', $k) SET order_id = $id, seq = 1, at = time::now(), \
                  type = 'placed', actor = 'bench'";
    time(&args, &format!("CREATE event (entry: {} B as JSON text)", text.len()), async |i| {
        let sql = format!("{create}, entry_json = $entry");
        let binds = vec![
            ("k", json!(format!("text{i}#0000000001"))),
            ("id", json!(format!("text{i}"))),
            ("entry", json!(text)),
        ];
        exec(db, &sql, binds).await;
    })
    .await;
    time(&args, "CREATE event (the same entry as an object)", async |i| {
        let sql = format!("{create}, entry = $entry");
        let binds = vec![
            ("k", json!(format!("object{i}#0000000001"))),
            ("id", json!(format!("object{i}"))),
            ("entry", entry.clone()),
        ];
        exec(db, &sql, binds).await;
    })
    .await;
    for (label, prefix) in
        [("read one event, entry as JSON text", "text"), ("read one event, entry as an object", "object")]
    {
        time(&args, label, async |i| {
            let key = format!("{prefix}{i}#0000000001");
            let mut r = db
                .query("SELECT entry_json, entry FROM type::record('event', $k)")
                .bind(("k", key))
                .await
                .unwrap();
            let rows: Vec<serde_json::Value> = r.take(0).unwrap();
            let read = match rows[0]["entry_json"].as_str() {
                Some(text) => serde_json::from_str(text).unwrap(),
                None => rows[0]["entry"].clone(),
            };
            assert!(read.is_object());
        })
        .await;
    }
    time(&args, "CREATE reservation", async |i| {
        exec(
            db,
            "CREATE reservation SET order_id = $id, sku = 'TEE-BLK-M', location = 'east', quantity = 1",
            vec![("id", json!(format!("bench{i}")))],
        )
        .await;
    })
    .await;
    time(&args, "CREATE stock_movement", async |i| {
        exec(db, "CREATE stock_movement SET sku = 'TEE-BLK-M', location = 'east', on_hand_delta = 0, reserved_delta = 1, reason = 'reserved', order_id = $id, at = time::now()", vec![("id", json!(format!("bench{i}")))]).await;
    })
    .await;
    // Is a write's cost per statement or per row? Sixteen event rows as sixteen CREATEs in one
    // transaction, and as one INSERT of sixteen rows (the time is per round of sixteen rows).
    let rows = |round: &str| -> Vec<serde_json::Value> {
        (0..16)
            .map(|j| json!({ "id": format!("{round}-{j}#0000000001"), "order_id": format!("{round}-{j}"), "entry_json": text }))
            .collect()
    };
    time(&args, "16 CREATE event in one transaction (16 rows)", async |i| {
        let mut sql = String::from("BEGIN;\n");
        for j in 0..16 {
            sql.push_str(&format!(
                "CREATE type::record('event', $rows[{j}].id) SET order_id = $rows[{j}].order_id, seq = 1, \
                 at = time::now(), type = 'placed', actor = 'bench', entry_json = $rows[{j}].entry_json;\n"
            ));
        }
        sql.push_str("COMMIT;");
        exec(db, &sql, vec![("rows", json!(rows(&format!("tx{i}"))))]).await;
    })
    .await;
    time(&args, "one INSERT of 16 event rows (16 rows)", async |i| {
        let sql = "INSERT INTO event (SELECT id, order_id, 1 AS seq, time::now() AS at, 'placed' AS type, \
                   'bench' AS actor, entry_json FROM $rows)";
        exec(db, sql, vec![("rows", json!(rows(&format!("insert{i}"))))]).await;
    })
    .await;
    time(&args, "conditional stock UPDATE + THROW check", async |_| {
        exec(db, "LET $r = UPDATE type::record('stock', $k) SET reserved += 1 WHERE on_hand - reserved >= 1 RETURN AFTER; IF array::len($r) = 0 { THROW 'stock_changed' };", vec![("k", json!("TEE-BLK-M@east"))]).await;
    })
    .await;
}
