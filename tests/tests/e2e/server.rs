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

/// Places `input` through `app`: the order's id, or the error's code.
async fn place(app: &TestApp, input: Value) -> Result<String, String> {
    let body = app.gql(PLACE, json!({ "input": input })).await;
    match body["data"]["placeOrder"]["order"]["id"].as_str() {
        Some(id) => Ok(id.to_owned()),
        None => Err(error_code(&body).unwrap_or("none").to_owned()),
    }
}

#[tokio::test]
async fn a_gateway_on_a_server_checks_out_with_the_rules_locations_and_channels_another_writer_just_changed()
{
    let server = SurrealServer::start().await;
    let setup = server.store().await;
    limited_drop(&setup, 10).await;
    let a = TestApp::serve(server.store().await, false).await;
    let b = TestApp::serve(server.store().await, false).await;
    let coupon = |code: &str| {
        let mut input = order("DROP-10");
        input["coupons"] = json!([code]);
        input
    };

    // A reads (and keeps) the rules, the locations and the channels at its first checkout.
    place(&a, coupon("WELCOME10")).await.expect("the demo rules know WELCOME10");

    // Another writer drops the coupon: A's next checkout refuses it.
    let mut rules = ordo_gateway::seed::demo_rules();
    rules.coupons.retain(|c| c.code != "WELCOME10");
    setup.set_rules(&rules).await.unwrap();
    assert_eq!(place(&a, coupon("WELCOME10")).await, Err("COUPON_UNKNOWN".to_owned()));

    // A new preferred location with stock: A's next order is allocated there.
    setup.put_location("west", "West", 0).await.unwrap();
    setup.put_stock("DROP-10", "west", 5, "test").await.unwrap();
    place(&a, order("DROP-10")).await.unwrap();
    let stock = a.gql("{ stock(sku: \"DROP-10\") { location reserved } }", json!({})).await;
    let west = stock["data"]["stock"].as_array().unwrap().iter().find(|s| s["location"] == "west").cloned();
    assert_eq!(west.map(|s| s["reserved"].clone()), Some(json!(1)), "{stock}");

    // B points the web channel at a receiver: A's next order tells it.
    let secret = crate::channels::secret(7);
    let receiver = ordo_tests::webhooks::WebhookReceiver::start(&secret).await;
    crate::channels::connect(&b, "web", &receiver.url(), &secret).await;
    let told = place(&a, order("DROP-10")).await.unwrap();
    let received = receiver.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(received[0]["data"]["orderId"], told.as_str(), "{received:#?}");
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

/// What a gateway acknowledged of one checkout: the order placed, and whether its payment went
/// through.
#[derive(Debug, Clone)]
struct Checkout {
    id: String,
    paid: bool,
}

/// A guest checkout of one `sku` at `base`, paid when `pay`; what was acknowledged of it.
async fn checkout(client: &reqwest::Client, base: &str, sku: &str, pay: bool) -> Option<Checkout> {
    let q = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken } }";
    let body = crate::crash::call(client, base, None, q, json!({ "input": order(sku) })).await?;
    let id = body["data"]["placeOrder"]["order"]["id"].as_str()?.to_owned();
    let guest = body["data"]["placeOrder"]["accessToken"].as_str()?.to_owned();
    if !pay {
        return Some(Checkout { id, paid: false });
    }
    let q = "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
    let paid = crate::crash::call(client, base, Some(&guest), q, json!({ "id": id }))
        .await
        .is_some_and(|body| body["errors"].is_null());
    Some(Checkout { id, paid })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_killed_in_a_storm_loses_no_acknowledged_order_and_the_other_takes_over_its_leases() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ordo_tests::smtp::SmtpServer;

    use crate::binary::Binary;

    let server = SurrealServer::start().await;
    // The mail server takes the first message and never answers its DATA.
    let smtp = SmtpServer::start_holding_first().await;
    let on_server = [
        ("ORDO_DB_USER", "root"),
        ("ORDO_DB_PASS", "root"),
        ("ORDO_DB_NS", "ordo"),
        ("ORDO_DB_NAME", "shop"),
    ];
    let a = Binary::start_with(&server.url(), &smtp.url(), &on_server).await;
    let client = reqwest::Client::new();
    // The first buyer pays through A alone: A claims the confirmation, sends it, and waits for
    // an answer that never comes — it holds that message's lease.
    let first = checkout(&client, a.base(), "MUG-STONE", true).await.unwrap();
    assert!(first.paid);
    let held = smtp.wait_for(1, Duration::from_secs(60)).await;
    let b = Binary::start_with(&server.url(), &smtp.url(), &on_server).await;

    // Twelve buyers, six checkouts each, half on each gateway, every fourth checkout left unpaid; A is
    // killed with SIGKILL once ten checkouts through it were acknowledged, and its buyers' calls
    // go unanswered from then on.
    let (base_a, base_b) = (a.base().to_owned(), b.base().to_owned());
    let acked_on_a = Arc::new(AtomicUsize::new(0));
    let buyers = in_parallel(12, |i| {
        let (client, base, acked_on_a) =
            (client.clone(), if i % 2 == 0 { base_a.clone() } else { base_b.clone() }, acked_on_a.clone());
        async move {
            let mut acked = Vec::new();
            for n in 0..6 {
                let sku = ["MUG-STONE", "TEE-BLK-M", "PEN-SET"][(i + n) % 3];
                if let Some(done) = checkout(&client, &base, sku, (i + n) % 4 != 0).await {
                    if i % 2 == 0 {
                        acked_on_a.fetch_add(1, Ordering::SeqCst);
                    }
                    acked.push(done);
                }
            }
            acked
        }
    });
    let killer = async {
        let started = std::time::Instant::now();
        while acked_on_a.load(Ordering::SeqCst) < 10 && started.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        a.kill().await;
        acked_on_a.load(Ordering::SeqCst)
    };
    let (acked, at_kill) = tokio::join!(buyers, killer);
    let acked: Vec<Checkout> = std::iter::once(first.clone()).chain(acked.into_iter().flatten()).collect();
    assert!(at_kill >= 10, "A was killed mid-storm, after {at_kill} checkouts through it");
    assert!(acked.len() > at_kill, "B went on serving: {} acknowledged", acked.len());

    // Every acknowledged order is there, through B, and every acknowledged payment with it.
    let staff = ordo_gateway::app::Keys::new(ordo_tests::TEST_SECRET)
        .unwrap()
        .mint(&ordo_gateway::app::Actor::Staff, "storm", chrono::Duration::hours(1))
        .unwrap();
    let q = "query($id: ID!) { order(id: $id) { id state payment { status } } }";
    for done in &acked {
        let body = b.gql(Some(&staff), q, json!({ "id": done.id })).await;
        assert_eq!(body["data"]["order"]["id"], done.id.as_str(), "{done:?} lost: {body}");
        if done.paid {
            assert_eq!(body["data"]["order"]["payment"]["status"], "authorized", "{done:?}: {body}");
        }
    }
    // Nothing half-applied: reserved units equal reservation rows; an unpaid order keeps the job
    // that cancels it.
    let store = server.store().await;
    for sku in ["MUG-STONE", "TEE-BLK-M", "PEN-SET"] {
        let (reserved, rows) = store.reserved_total(sku).await.unwrap();
        assert_eq!(reserved, rows, "{sku}'s reserved units and reservation rows");
    }
    let orphans = crate::crash::unpaid_without_timeout_job(&store).await;
    assert!(orphans.is_empty(), "unpaid orders without their payment-timeout job: {orphans:?}");

    // A's lease on the first confirmation runs out (60 s) and B sends it, under the same
    // Message-ID; every other confirmation goes out, each once unless A was sending it when it
    // was killed (then again, under the same Message-ID).
    let paid = acked.iter().filter(|c| c.paid).count();
    let rows = ordo_tests::eventually(Duration::from_secs(150), || async {
        let body = b
            .gql(Some(&staff), "{ customerMessages(first: 100) { id orderId state attempts } }", json!({}))
            .await;
        let rows = body["data"]["customerMessages"].as_array()?.clone();
        (rows.len() >= paid && rows.iter().all(|r| r["state"] == "SENT")).then_some(rows)
    })
    .await
    .expect("every confirmation sent");
    // A payment A recorded but could not acknowledge before it died has its confirmation too.
    for done in acked.iter().filter(|c| c.paid) {
        let of_order = rows.iter().filter(|r| r["orderId"] == done.id.as_str()).count();
        assert_eq!(of_order, 1, "one confirmation for {done:?}: {rows:#?}");
    }
    let first_row = rows.iter().find(|r| r["orderId"] == first.id.as_str()).unwrap();
    assert_eq!(first_row["attempts"], 2, "claimed by A, taken over by B");
    let received = smtp.received();
    let id_of = |row: &Value| row["id"].as_str().unwrap().replace('#', ".");
    for row in &rows {
        let key = id_of(row);
        let times = received.iter().filter(|m| m["message_id"].as_str().unwrap_or("").contains(&key)).count();
        assert!(times >= 1, "{row} never arrived");
        assert!(times == 1 || row["attempts"].as_i64() >= Some(2), "{row} arrived {times} times");
    }
    assert!(
        received.iter().filter(|m| m["message_id"] == held[0]["message_id"]).count() == 2,
        "the held confirmation again, recognisably the same message"
    );
    b.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscribers_on_one_gateway_see_every_event_written_through_another_in_order_under_load() {
    use crate::live::{follow, guest_order, last_seqs, pay};

    const ORDERS: usize = 10;
    const SUBSCRIBERS: usize = 40;
    const WRITERS: usize = 10;
    const WRITES_EACH: usize = 8;
    const BUYERS: usize = 60;
    let server = SurrealServer::start().await;
    let config = |seed_demo| ordo_gateway::Config {
        seed_demo,
        rate_limits: None,
        connections: ordo_gateway::edge::connections::ConnectionLimits {
            handler_timeout: Duration::from_secs(120),
            ..Default::default()
        },
        ..ordo_gateway::Config::default()
    };
    let writer = Arc::new(TestApp::serve_with(server.store().await, config(true)).await);
    let watcher = Arc::new(TestApp::serve_with(server.store().await, config(false)).await);
    let mut orders = Vec::new();
    for n in 0..ORDERS {
        let (id, guest) = guest_order(&writer, &format!("server-live-{n}")).await;
        pay(&writer, &guest, &id).await;
        let capture = "mutation($id: ID!) { capturePayment(orderId: $id) { replayed } }";
        assert!(writer.gql(capture, json!({ "id": id })).await["errors"].is_null());
        orders.push(id);
    }
    let base = last_seqs(&watcher, &orders).await;
    let (done, finals) = tokio::sync::watch::channel(None);
    // Subscribers on the watching gateway: half from the start, half from where each order stood.
    let subscribers: Vec<_> = (0..SUBSCRIBERS)
        .map(|s| {
            let (app, finals, n) = (watcher.clone(), finals.clone(), s % ORDERS);
            let (order, after) = (orders[n].clone(), if s % 2 == 0 { 0 } else { base[n] });
            tokio::spawn(async move { (n, after, follow(app, n, order, after, None, finals).await) })
        })
        .collect();
    // Through the writing gateway, refunds a cent at a time, while buyers check out on both.
    let writes = in_parallel(WRITERS, |w| {
        let (app, orders) = (writer.clone(), orders.clone());
        async move {
            let refund = "mutation($id: String!, $k: String!) { refundPayment(orderId: $id, amount: 1,
                reason: \"goodwill\", idempotencyKey: $k) { replayed } }";
            let mut written = 0;
            for i in 0..WRITES_EACH {
                let id = &orders[(w * 3 + i * 7) % ORDERS];
                let body = app.gql(refund, json!({ "id": id, "k": format!("server-live-{w}-{i}") })).await;
                written += usize::from(body["errors"].is_null());
            }
            written
        }
    });
    let buyers = in_parallel(BUYERS, |i| {
        let app = if i % 2 == 0 { writer.clone() } else { watcher.clone() };
        async move { buy(app, "TEE-BLK-M", i % 3 != 0).await }
    });
    let (written, bought) = tokio::join!(writes, buyers);
    let written: usize = written.iter().sum();
    assert!(written >= WRITERS * WRITES_EACH * 9 / 10, "most refunds went through: {written}");
    assert!(bought.iter().filter(|b| b.is_ok()).count() >= BUYERS / 2, "the load was real: {bought:?}");
    let last = Arc::new(last_seqs(&writer, &orders).await);
    let appended: i64 = last.iter().zip(&base).map(|(l, b)| l - b).sum();
    assert_eq!(appended, i64::try_from(written).unwrap(), "one event per refund");
    done.send(Some(last.clone())).unwrap();
    for subscriber in subscribers {
        let (n, after, seen) =
            tokio::time::timeout(Duration::from_secs(120), subscriber).await.unwrap().unwrap();
        let expected: Vec<i64> = (after + 1..=last[n]).collect();
        assert_eq!(seen, expected, "order {n} from {after}: every seq once, in order");
    }
}
