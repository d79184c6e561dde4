//! The order lifecycle against a reference model, through the GraphQL API: random sequences of
//! commands from several actors (shoppers paying for their own orders, staff cancelling,
//! shipping, delivering, capturing and refunding, a stranger trying others' orders) run against
//! a small model written here from the rules, independent of ordo-core (allowed or refused, order
//! state, money captured and refunded, stock on hand and reserved), and the gateway must agree
//! after every step. Seeds are printed; `ORDO_MODEL_SEED` replays one.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::BTreeMap;

use ordo_gateway::app::Actor;
use ordo_gateway::store::Store;
use ordo_tests::{TestApp, error_code, ups};
use serde_json::{Value, json};

/// SplitMix64, seedable.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        usize::try_from((z ^ (z >> 31)) % u64::try_from(n).unwrap()).unwrap()
    }
}

/// Two products at one location: one scarce, one plentiful.
const STOCK: [(&str, i64); 2] = [("SCARCE", 4), ("PLENTY", 500)];

async fn shop() -> Store {
    let store = Store::open("mem://").await.unwrap();
    store.put_location("east", "East", 1).await.unwrap();
    for (sku, units) in STOCK {
        let product = ordo_tests::stocked_product(sku, &format!("{sku} item"), 1250);
        store.put_product(&product).await.unwrap();
        store.put_stock(sku, "east", units, "test").await.unwrap();
    }
    store.set_rules(&ordo_gateway::seed::demo_rules()).await.unwrap();
    store
}

/// An order as the model sees it.
#[derive(Debug, Clone)]
struct Modelled {
    id: String,
    guest: String,
    sku: &'static str,
    quantity: i64,
    total: i64,
    state: &'static str,
    paid: bool,
    shipped: bool,
    captured: i64,
    refunded: i64,
}

/// The reference model: orders and stock, changed only by the rules written here.
#[derive(Debug, Default)]
struct Model {
    orders: Vec<Modelled>,
    on_hand: BTreeMap<&'static str, i64>,
    reserved: BTreeMap<&'static str, i64>,
}

/// What a step expects: allowed, or refused (with one of these codes).
enum Expect {
    Allowed,
    Refused(&'static [&'static str]),
}

const REFUSED: &[&str] =
    &["INVALID_TRANSITION", "INVALID_AMOUNT", "CONFLICT", "BAD_USER_INPUT", "NOTHING_TO_SHIP"];

fn outcome(body: &Value) -> Result<(), String> {
    if body["errors"].is_null() { Ok(()) } else { Err(error_code(body).unwrap_or("<no code>").to_owned()) }
}

fn check(step: &str, expect: &Expect, got: &Result<(), String>, body: &Value) {
    match (expect, got) {
        (Expect::Allowed, Ok(())) => {}
        (Expect::Refused(codes), Err(code)) if codes.contains(&code.as_str()) => {}
        (Expect::Allowed, Err(_)) => panic!("{step}: the model allows it, the gateway refused: {body}"),
        (Expect::Refused(codes), _) => {
            panic!("{step}: the model refuses it ({codes:?}), the gateway: {body}")
        }
    }
}

/// Compares every order and the stock with the model.
async fn agree(app: &TestApp, model: &Model, step: &str) {
    for o in &model.orders {
        let body = app
            .gql(
                "query($id: ID!) { order(id: $id) { state payment { captured { amount } refunded { amount } } reservations { quantity } } }",
                json!({ "id": o.id }),
            )
            .await;
        let got = &body["data"]["order"];
        let seen = (
            got["state"].as_str().unwrap_or_default(),
            got["payment"]["captured"]["amount"].as_i64().unwrap_or(-1),
            got["payment"]["refunded"]["amount"].as_i64().unwrap_or(-1),
        );
        assert_eq!(seen, (o.state, o.captured, o.refunded), "after {step}: order {o:?} reads {got}");
        let held: i64 =
            got["reservations"].as_array().unwrap().iter().map(|r| r["quantity"].as_i64().unwrap()).sum();
        let holds = if o.state == "cancelled" || o.shipped { 0 } else { o.quantity };
        assert_eq!(held, holds, "after {step}: reservations of {o:?}: {got}");
    }
    for (sku, _) in STOCK {
        let body =
            app.gql("query($s: String!) { stock(sku: $s) { onHand reserved } }", json!({ "s": sku })).await;
        let row = &body["data"]["stock"][0];
        let seen = (row["onHand"].as_i64().unwrap(), row["reserved"].as_i64().unwrap());
        assert_eq!(seen, (model.on_hand[sku], model.reserved[sku]), "after {step}: stock of {sku}");
    }
}

async fn run(seed: u64, steps: usize) {
    let app = TestApp::serve(shop().await, false).await;
    let staff = app.token(&Actor::Staff);
    let stranger = app.token(&Actor::Guest { order_id: "ord_somebody_else".into() });
    let mut rng = Rng(seed);
    let mut model = Model::default();
    for (sku, units) in STOCK {
        model.on_hand.insert(sku, units);
        model.reserved.insert(sku, 0);
    }
    // Per command: how often the model allowed and refused it (printed, to see what was covered).
    let mut tallies: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for n in 0..steps {
        let action = rng.below(10);
        if model.orders.is_empty() || action >= 9 || action == 0 {
            // A shopper orders 1-3 of a product: allowed while that much is unreserved.
            let sku = STOCK[rng.below(2)].0;
            let quantity = i64::try_from(1 + rng.below(3)).unwrap();
            let step = format!("seed {seed} step {n}: place {quantity} × {sku}");
            let available = model.on_hand[sku] - model.reserved[sku];
            let input = json!({ "channel": "web", "currency": "USD", "email": "model@example.com",
                "lines": [{ "sku": sku, "quantity": quantity }],
                "shippingAddress": { "name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "Springfield",
                                     "region": "IL", "postalCode": "62701", "country": "US" } });
            let q = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { accessToken order { id grandTotal { amount } } } }";
            let body = app.gql_with(None, q, json!({ "i": input })).await;
            let expect =
                if available >= quantity { Expect::Allowed } else { Expect::Refused(&["OUT_OF_STOCK"]) };
            check(&step, &expect, &outcome(&body), &body);
            if matches!(expect, Expect::Allowed) {
                let placed = &body["data"]["placeOrder"];
                *model.reserved.get_mut(sku).unwrap() += quantity;
                model.orders.push(Modelled {
                    id: placed["order"]["id"].as_str().unwrap().to_owned(),
                    guest: placed["accessToken"].as_str().unwrap().to_owned(),
                    sku,
                    quantity,
                    total: placed["order"]["grandTotal"]["amount"].as_i64().unwrap(),
                    state: "placed",
                    paid: false,
                    shipped: false,
                    captured: 0,
                    refunded: 0,
                });
            }
            agree(&app, &model, &step).await;
            continue;
        }
        // Mostly an order the command fits (by the model), sometimes any: both the allowed path
        // and the refusals get exercised.
        let fits = |o: &Modelled| match action {
            1 | 2 => o.state == "placed" && !o.paid,
            4 => o.state != "cancelled" && !o.shipped,
            5 => o.paid && o.state != "cancelled" && o.captured < o.total,
            6 => o.captured > o.refunded,
            7 => o.paid && o.state != "cancelled" && !o.shipped,
            8 => o.shipped && o.state == "confirmed",
            _ => true,
        };
        let fitting: Vec<usize> = (0..model.orders.len()).filter(|&k| fits(&model.orders[k])).collect();
        let i = if !fitting.is_empty() && rng.below(10) < 7 {
            fitting[rng.below(fitting.len())]
        } else {
            rng.below(model.orders.len())
        };
        let o = model.orders[i].clone();
        let open = o.state != "cancelled";
        let (step, body, expect) = match action {
            1 | 2 => {
                // Its shopper pays: only a placed order that is not paid yet.
                let q =
                    "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
                let body = app.gql_with(Some(&o.guest), q, json!({ "id": o.id })).await;
                let allowed = o.state == "placed" && !o.paid;
                if allowed {
                    let m = &mut model.orders[i];
                    (m.paid, m.state) = (true, "confirmed");
                }
                ("pay", body, if allowed { Expect::Allowed } else { Expect::Refused(REFUSED) })
            }
            3 => {
                // A stranger tries to pay for or cancel someone else's order: it looks missing.
                let q =
                    "mutation($id: ID!) { authorizePayment(orderId: $id, token: \"tok_visa\") { replayed } }";
                let body = app.gql_with(Some(&stranger), q, json!({ "id": o.id })).await;
                ("stranger pays", body, Expect::Refused(&["NOT_FOUND"]))
            }
            4 => {
                // Staff cancel: anything not shipped or cancelled; the stock comes back, an
                // authorization is released and captured money refunded.
                let q = "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"model\") { order { id } } }";
                let body = app.gql_with(Some(&staff), q, json!({ "id": o.id })).await;
                let allowed = open && !o.shipped && o.state != "completed";
                if allowed {
                    *model.reserved.get_mut(o.sku).unwrap() -= o.quantity;
                    let m = &mut model.orders[i];
                    m.state = "cancelled";
                    m.refunded = m.captured;
                }
                ("cancel", body, if allowed { Expect::Allowed } else { Expect::Refused(REFUSED) })
            }
            5 => {
                // Staff capture the whole payment by hand: a paid, open order with money left.
                let q = "mutation($id: String!) { capturePayment(orderId: $id) { replayed } }";
                let body = app.gql_with(Some(&staff), q, json!({ "id": o.id })).await;
                let allowed = o.paid && open && o.captured < o.total;
                if allowed {
                    model.orders[i].captured = o.total;
                }
                ("capture", body, if allowed { Expect::Allowed } else { Expect::Refused(REFUSED) })
            }
            6 => {
                // Staff refund some cents: never more than captured and not yet refunded.
                let amount = i64::try_from(1 + rng.below(1500)).unwrap();
                let q =
                    "mutation($id: String!, $a: Int!, $k: String!) { refundPayment(orderId: $id, amount: $a,
                    reason: \"model\", idempotencyKey: $k) { replayed } }";
                let key = format!("model-{seed}-{n}");
                let body = app.gql_with(Some(&staff), q, json!({ "id": o.id, "a": amount, "k": key })).await;
                let allowed = amount <= o.captured - o.refunded;
                if allowed {
                    model.orders[i].refunded += amount;
                }
                ("refund", body, if allowed { Expect::Allowed } else { Expect::Refused(REFUSED) })
            }
            7 => {
                // Staff ship the parcel (plan, pick, pack, ship): a paid, open order not shipped;
                // its units leave the shelf and the rest of the payment is captured.
                let allowed = o.paid && open && !o.shipped;
                let create =
                    "mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id } } } }";
                let body = app.gql_with(Some(&staff), create, json!({ "id": o.id })).await;
                let step = format!("seed {seed} step {n}: ship {o:?}");
                check(
                    &step,
                    &if allowed { Expect::Allowed } else { Expect::Refused(REFUSED) },
                    &outcome(&body),
                    &body,
                );
                if !allowed {
                    agree(&app, &model, &step).await;
                    continue;
                }
                let parcel = body["data"]["createShipments"]["order"]["shipments"][0]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                for q in [
                    "mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }",
                    "mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s,
                        package: { lengthCm: 20, widthCm: 20, heightCm: 10, weightGrams: 500, material: \"box\" }) { order { id } } }",
                ] {
                    let body = app.gql_with(Some(&staff), q, json!({ "id": o.id, "s": parcel })).await;
                    check(&step, &Expect::Allowed, &outcome(&body), &body);
                }
                let q = "mutation($id: String!, $s: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s,
                    carrier: \"UPS\", trackingNumber: $t) { order { id } } }";
                let t = ups(&format!("MODEL{seed}{n}"));
                let body = app.gql_with(Some(&staff), q, json!({ "id": o.id, "s": parcel, "t": t })).await;
                *model.on_hand.get_mut(o.sku).unwrap() -= o.quantity;
                *model.reserved.get_mut(o.sku).unwrap() -= o.quantity;
                let m = &mut model.orders[i];
                m.shipped = true;
                m.captured = m.total;
                ("ship", body, Expect::Allowed)
            }
            _ => {
                // Staff mark the parcel delivered: only a shipped one; the order completes.
                let read = app
                    .gql("query($id: ID!) { order(id: $id) { shipments { id } } }", json!({ "id": o.id }))
                    .await;
                let parcel =
                    read["data"]["order"]["shipments"][0]["id"].as_str().unwrap_or("none").to_owned();
                let q = "mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }";
                let body = app.gql_with(Some(&staff), q, json!({ "id": o.id, "s": parcel })).await;
                let allowed = o.shipped && o.state == "confirmed";
                if allowed {
                    model.orders[i].state = "completed";
                }
                let codes: &[&str] = &["INVALID_TRANSITION", "CONFLICT", "BAD_USER_INPUT", "NOT_FOUND"];
                ("deliver", body, if allowed { Expect::Allowed } else { Expect::Refused(codes) })
            }
        };
        let tally = tallies.entry(step).or_insert((0, 0));
        if matches!(expect, Expect::Allowed) {
            tally.0 += 1
        } else {
            tally.1 += 1
        }
        let step = format!("seed {seed} step {n}: {step} {o:?}");
        check(&step, &expect, &outcome(&body), &body);
        agree(&app, &model, &step).await;
    }
    println!("seed {seed}: {} orders; (allowed, refused) per command: {tallies:?}", model.orders.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_agrees_with_a_reference_model_after_every_step_of_random_command_sequences() {
    let seeds: Vec<u64> = match std::env::var("ORDO_MODEL_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
            let base = u64::try_from(now % 1_000_000_007).unwrap();
            (0..4).map(|k| base + k).collect()
        }
    };
    for seed in seeds {
        println!("model test seed: {seed} (ORDO_MODEL_SEED={seed} replays it)");
        run(seed, 80).await;
    }
}
