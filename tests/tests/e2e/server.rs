//! Several gateways on one SurrealDB server over ws://: the deployment for a shop that outgrows one
//! machine. The server is the real `surreal` binary (built from the `surrealdb-server` crate).

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use ordo_gateway::store::{Store, Target};
use ordo_tests::{TestApp, error_code, in_parallel};
use serde_json::{Value, json};

/// A `surreal start` child process on a loopback port, killed on drop.
struct SurrealServer {
    child: tokio::process::Child,
    port: u16,
}

impl SurrealServer {
    async fn start() -> SurrealServer {
        SurrealServer::start_on(free_port(), "memory").await
    }

    /// A server on `port` keeping its data in `storage` (`memory`, or `surrealkv://<dir>` to
    /// stop it and start it again with its data).
    async fn start_on(port: u16, storage: &str) -> SurrealServer {
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_surreal"))
            .args([
                "start",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--user",
                "root",
                "--pass",
                "root",
                "--log",
                "warn",
                storage,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start surreal");
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return SurrealServer { child, port };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("surreal did not start");
    }

    /// Kills the server (SIGKILL) and waits until it is gone.
    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    async fn store(&self) -> Store {
        let target = Target {
            login: Some(("root".into(), "root".into())),
            namespace: "ordo".into(),
            database: "shop".into(),
        };
        Store::open_with(&self.url(), &target).await.expect("connect over ws")
    }
}

impl Drop for SurrealServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn order(sku: &str) -> Value {
    json!({ "channel": "web", "currency": "USD", "email": "ada@example.com", "lines": [{ "sku": sku, "quantity": 1 }],
            "shippingAddress": { "name": "Ada", "line1": "1 Main St", "city": "Springfield", "region": "IL",
                                 "postalCode": "62701", "country": "US" } })
}

const PLACE: &str = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }";

/// Puts a location, the `DROP-10` product with `units` in stock and the demo rules on `setup`.
async fn limited_drop(setup: &Store, units: i64) {
    setup.put_location("east", "East", 1).await.unwrap();
    setup.put_product(&ordo_tests::stocked_product("DROP-10", "Limited drop", 5000)).await.unwrap();
    setup.put_stock("DROP-10", "east", units, "test").await.unwrap();
    setup.set_rules(&ordo_gateway::seed::demo_rules()).await.unwrap();
}

#[tokio::test]
async fn two_gateways_on_one_server_share_orders_and_never_oversell() {
    let server = SurrealServer::start().await;
    limited_drop(&server.store().await, 10).await;

    let a = TestApp::serve(server.store().await, false).await;
    let b = TestApp::serve(server.store().await, false).await;

    // Placed through A, read through B.
    let placed = a.gql(PLACE, json!({ "input": order("DROP-10") })).await;
    let id = placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap().to_owned();
    let read = b
        .gql("query($id: String!) { order(id: $id) { id statusView { headline } } }", json!({ "id": id }))
        .await;
    assert_eq!(read["data"]["order"]["id"], json!(id), "{read}");

    // 12 concurrent buyers split over both gateways for the 9 units left (the storm below is
    // the big one).
    let calls = (0..12).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.gql(PLACE, json!({ "input": order("DROP-10") }))
    });
    let results = join_all(calls).await;
    let placed = results.iter().filter(|r| r["data"]["placeOrder"]["order"]["id"].is_string()).count();
    assert_eq!(
        placed,
        9,
        "exactly the remaining stock sells: {:?}",
        results.iter().find(|r| r["errors"].is_array())
    );
    assert!(results.iter().filter(|r| r["errors"].is_array()).all(|r| error_code(r) == Some("OUT_OF_STOCK")));
    let stock = b.gql("{ stock(sku: \"DROP-10\") { onHand reserved } }", json!({})).await;
    assert_eq!(stock["data"]["stock"][0], json!({ "onHand": 10, "reserved": 10 }));
    // Each gateway numbers orders from its own block of the shared counter: no number twice.
    let list = a.gql("{ orders(first: 50) { nodes { number } } }", json!({})).await;
    let numbers: std::collections::BTreeSet<i64> = list["data"]["orders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers.len(), 10, "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_on_one_server_cancel_each_unpaid_order_once() {
    let server = SurrealServer::start().await;
    let setup = server.store().await;
    limited_drop(&setup, 20).await;
    let config = || ordo_gateway::Config {
        rate_limits: None,
        payment_hold: chrono::Duration::seconds(1),
        job_interval: Duration::from_millis(100),
        ..ordo_gateway::Config::default()
    };
    let a = TestApp::serve_with(server.store().await, config()).await;
    let b = TestApp::serve_with(server.store().await, config()).await;
    let calls = (0..8).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.gql_with(None, PLACE, json!({ "input": order("DROP-10") }))
    });
    let ids: Vec<String> = join_all(calls)
        .await
        .iter()
        .map(|r| r["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned())
        .collect();
    let stock = || async {
        let body = a.gql("{ stock(sku: \"DROP-10\") { reserved } }", json!({})).await;
        body["data"]["stock"][0]["reserved"].as_i64().unwrap()
    };
    // Both gateways' runners race for the same jobs; each order is cancelled once.
    let done = ordo_tests::eventually(Duration::from_secs(120), || async {
        setup.pending_jobs().await.unwrap().is_empty().then_some(())
    })
    .await;
    assert!(done.is_some(), "jobs left: {:?}", setup.pending_jobs().await);
    for id in &ids {
        let body = b
            .gql(
                "query($id: String!) { order(id: $id) { state timeline { type actor } } }",
                json!({ "id": id }),
            )
            .await;
        let order = &body["data"]["order"];
        assert_eq!(order["state"], "cancelled", "{body}");
        let cancels =
            order["timeline"].as_array().unwrap().iter().filter(|e| e["type"] == "cancelled").count();
        assert_eq!(cancels, 1, "{body}");
    }
    assert_eq!(stock().await, 0, "every unit released once");
}

/// A buyer's order for one unit of `sku` (a guest on the web), paid when `pay`.
async fn buy(app: Arc<TestApp>, sku: &str, pay: bool) -> Result<String, String> {
    let q = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken } }";
    let body = app.gql_with(None, q, json!({ "input": order(sku) })).await;
    let Some(id) = body["data"]["placeOrder"]["order"]["id"].as_str() else {
        return Err(error_code(&body).unwrap_or("<none>").to_owned());
    };
    if pay {
        let guest = body["data"]["placeOrder"]["accessToken"].as_str().unwrap();
        let paid = app
            .gql_with(
                Some(guest),
                "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }",
                json!({ "id": id }),
            )
            .await;
        assert!(paid["errors"].is_null(), "{paid}");
    }
    Ok(id.to_owned())
}

/// Ships order `id`'s one parcel through `app` (staff); whether it shipped.
async fn ship(app: &TestApp, id: &str, tracking: &str) -> bool {
    let create = "mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id } } } }";
    let body = app.gql(create, json!({ "id": id })).await;
    let Some(parcel) = body["data"]["createShipments"]["order"]["shipments"][0]["id"].as_str() else {
        return false;
    };
    for step in [
        "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }",
        "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s,
            package: { lengthCm: 20, widthCm: 20, heightCm: 10, weightGrams: 500, material: \"box\" }) { order { id } } }",
    ] {
        if !app.gql(step, json!({ "id": id, "s": parcel })).await["errors"].is_null() {
            return false;
        }
    }
    let q = "mutation($id: String!, $s: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s,
        carrier: \"UPS\", trackingNumber: $t) { order { id } } }";
    app.gql(q, json!({ "id": id, "s": parcel, "t": ordo_tests::ups(tracking) })).await["errors"].is_null()
}

/// Buyers, units, and how many orders staff cancel and ship in the storm (issues #24 and #26): a
/// hundred buyers for thirty units, while two hundred buy a SKU there is plenty of.
const BUYERS: usize = 100;
const UNITS: usize = 30;
const PLENTIFUL_BUYERS: usize = 200;
const CANCELS: usize = 6;
const SHIPS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_buyers_over_two_gateways_sells_the_stock_exactly_while_staff_cancel_refund_and_ship() {
    let server = SurrealServer::start().await;
    let setup = server.store().await;
    limited_drop(&setup, i64::try_from(UNITS).unwrap()).await;
    setup.put_product(&ordo_tests::stocked_product("PLENTY", "Plentiful", 900)).await.unwrap();
    setup.put_stock("PLENTY", "east", 10_000, "test").await.unwrap();
    // The server is a debug build sharing two cores with the whole suite: this proves the
    // outcome (nothing oversold, every buyer served), not latency (that is the benchmarks'), so
    // requests get two minutes instead of thirty seconds.
    let config = || ordo_gateway::Config {
        rate_limits: None,
        connections: ordo_gateway::edge::connections::ConnectionLimits {
            handler_timeout: Duration::from_secs(120),
            ..Default::default()
        },
        ..ordo_gateway::Config::default()
    };
    let a = Arc::new(TestApp::serve_with(server.store().await, config()).await);
    let b = Arc::new(TestApp::serve_with(server.store().await, config()).await);
    let gateway = |i: usize| if i.is_multiple_of(2) { a.clone() } else { b.clone() };
    // The buyers at once, half through each gateway: as many orders of the drop as units, every
    // other buyer of it OUT_OF_STOCK; every buyer of the plentiful SKU gets an order, however
    // often its stock row was written meanwhile.
    let everyone =
        in_parallel(BUYERS + PLENTIFUL_BUYERS, |i| {
            let app = gateway(i);
            async move {
                if i < BUYERS { buy(app, "DROP-10", true).await } else { buy(app, "PLENTY", false).await }
            }
        })
        .await;
    let (first, plentiful) = everyone.split_at(BUYERS);
    let sold: Vec<String> = first.iter().filter_map(|r| r.clone().ok()).collect();
    let refused: Vec<&String> = first.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(sold.len(), UNITS, "exactly the stock sells: {refused:?}");
    assert!(refused.iter().all(|c| *c == "OUT_OF_STOCK"), "{refused:?}");
    let failed: Vec<&String> = plentiful.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "every buyer of a plentiful SKU gets an order: {failed:?}");

    // Then, all at once through both gateways: staff cancel some orders, ship others (which
    // captures them) and refund part of half of those, while more buyers try for what
    // cancelling frees.
    let cancels = in_parallel(CANCELS, |i| {
        let (app, id) = (gateway(i), sold[i].clone());
        async move {
            let q =
                "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"storm\") { order { id } } }";
            app.gql(q, json!({ "id": id })).await["errors"].is_null()
        }
    });
    let ships = in_parallel(SHIPS, |i| {
        let (app, id) = (gateway(i + 1), sold[CANCELS + i].clone());
        async move {
            let shipped = ship(&app, &id, &format!("STORM{i}")).await;
            let refund = "mutation($id: String!, $k: String!) { refundPayment(orderId: $id, amount: 500,
                reason: \"storm\", idempotencyKey: $k) { replayed } }";
            let refunded = i < SHIPS / 2
                && shipped
                && app.gql(refund, json!({ "id": id, "k": format!("storm-refund-{i}") })).await["errors"]
                    .is_null();
            (shipped, refunded)
        }
    });
    let second = in_parallel(BUYERS / 2, |i| buy(gateway(i), "DROP-10", false));
    let (cancelled, shipped, second) = tokio::join!(cancels, ships, second);
    assert!(cancelled.iter().all(|c| *c), "every cancellation of an unshipped order goes through");
    assert!(shipped.iter().all(|(s, _)| *s), "every paid order ships");
    assert_eq!(
        shipped.iter().filter(|(_, r)| *r).count(),
        SHIPS / 2,
        "refunds within what was captured go through"
    );
    let resold = second.iter().filter(|r| r.is_ok()).count();
    assert!(second.iter().filter_map(|r| r.as_ref().err()).all(|c| c == "OUT_OF_STOCK"), "{second:?}");
    assert!(resold <= CANCELS, "at most the cancelled units sell again: {resold}");

    // The ledger: every unit either on the shelf, reserved by exactly one open order, or shipped
    // in exactly one parcel; no order both cancelled and shipped.
    let mut open = 0;
    for id in sold.iter().chain(second.iter().filter_map(|r| r.as_ref().ok())) {
        let q = "query($id: String!) { order(id: $id) { state shipments { state } } }";
        let body = a.gql(q, json!({ "id": id })).await;
        let order = &body["data"]["order"];
        let shipped = order["shipments"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .any(|s| s["state"] == "shipped");
        assert!(!(order["state"] == "cancelled" && shipped), "cancelled and shipped: {body}");
        open += usize::from(order["state"] != "cancelled");
    }
    assert_eq!(open, UNITS - CANCELS + resold, "the open orders: sold, less cancelled, plus resold");
    let stock = b.gql("{ stock(sku: \"DROP-10\") { onHand reserved } }", json!({})).await;
    let row = &stock["data"]["stock"][0];
    let units = |n: usize| i64::try_from(n).unwrap();
    assert_eq!(row["onHand"].as_i64().unwrap(), units(UNITS - SHIPS), "the shipped units left the shelf");
    assert_eq!(
        row["reserved"].as_i64().unwrap(),
        units(UNITS - CANCELS - SHIPS + resold),
        "paid, unshipped and resold"
    );
    let (in_stock, in_reservations) = setup.reserved_total("DROP-10").await.unwrap();
    assert_eq!(in_stock, in_reservations, "stock's reserved units equal the reservation rows");
    let (in_stock, in_reservations) = setup.reserved_total("PLENTY").await.unwrap();
    let plenty = i64::try_from(PLENTIFUL_BUYERS).unwrap();
    assert_eq!((in_stock, in_reservations), (plenty, plenty), "one unit reserved per plentiful order, once");
}

/// Whether `app` answers its readiness probe with 200.
async fn ready(app: &TestApp) -> bool {
    app.client.get(app.url("/readyz")).send().await.is_ok_and(|r| r.status() == 200)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_credentials_or_no_server_fail_at_start_and_a_gateway_outlives_its_server_going_away() {
    let dir = std::env::temp_dir().join(format!("ordo-server-{}-{}", std::process::id(), free_port()));
    let storage = format!("surrealkv://{}", dir.display());
    let port = free_port();
    let server = SurrealServer::start_on(port, &storage).await;
    let login = |password: &str| Target {
        login: Some(("root".into(), password.into())),
        namespace: "ordo".into(),
        database: "shop".into(),
    };
    // Wrong credentials, or nobody at the address: a clear error at start, at once.
    let nobody = format!("ws://127.0.0.1:{}", free_port());
    for (url, password) in [(server.url(), "wrong"), (nobody, "root")] {
        let target = login(password);
        let answer = tokio::time::timeout(Duration::from_secs(30), Store::open_with(&url, &target)).await;
        let error = answer.expect("an answer, not a hang").unwrap_err().to_string();
        assert!(error.starts_with(&format!("cannot connect to the store at {url}")), "{error}");
    }

    limited_drop(&server.store().await, 10).await;
    let app = TestApp::serve(server.store().await, false).await;
    let placed = app.gql(PLACE, json!({ "input": order("DROP-10") })).await;
    let first =
        placed["data"]["placeOrder"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{placed}")).to_owned();
    assert!(ready(&app).await);

    // The server goes away: the gateway says it is not ready, and a checkout is told to try
    // again (not an internal error).
    server.stop().await;
    let down =
        ordo_tests::eventually(Duration::from_secs(30), || async { (!ready(&app).await).then_some(()) })
            .await;
    assert!(down.is_some(), "still ready without its server");
    let refused = app.gql(PLACE, json!({ "input": order("DROP-10") })).await;
    assert_eq!(error_code(&refused), Some("STORE_UNAVAILABLE"), "{refused}");

    // It comes back with its files on the same address: the same gateway, never restarted, is
    // ready again, reads the first order and places the next.
    let server = SurrealServer::start_on(port, &storage).await;
    let up =
        ordo_tests::eventually(Duration::from_secs(60), || async { ready(&app).await.then_some(()) }).await;
    assert!(up.is_some(), "not ready again after its server came back");
    let read = app.gql("query($id: String!) { order(id: $id) { id } }", json!({ "id": first })).await;
    assert_eq!(read["data"]["order"]["id"], json!(first), "{read}");
    let placed = app.gql(PLACE, json!({ "input": order("DROP-10") })).await;
    assert!(placed["data"]["placeOrder"]["order"]["id"].is_string(), "{placed}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
