//! Order intake: a cart from any channel becomes an order, exactly once, without overselling.
//!
//! The server rebuilds the shop's snapshot from the store and lets ordo-core check the order
//! out (the validation the browser runs, then allocation and the first event); then writes
//! everything in one transaction ([`crate::store::Store::insert_order`]). Conflicts and stock
//! that changed underneath are retried from a fresh read, a bounded number of times.

use std::collections::BTreeMap;

use chrono::Utc;
use ordo_core::cart::Cart;
use ordo_core::order::{CheckoutError, Order, Placement, Shop, TimelineEntry, check_out, parse_external_id};
use ordo_core::values::{CustomerId, OrderId};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::idempotency::Idempotency;
use crate::store::orders::{Intake, NewOrderRecord};
use crate::store::{Doer, StoreError, backoff};

/// Most attempts at the intake transaction before answering `CONFLICT`.
const MAX_ATTEMPTS: u32 = 16;

/// A request to place an order.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlaceOrder {
    pub channel: String,
    pub external_id: Option<String>,
    pub customer: Option<String>,
    /// The cart, at checkout stage.
    pub cart: Cart,
}

/// The answer to a placement.
#[derive(Debug, Clone)]
pub struct Placed {
    pub order_id: String,
    /// True when the order already existed (same idempotency key or channel external id).
    pub replayed: bool,
    /// The order as this call wrote it, with its first event; `None` for a replay.
    pub fresh: Option<Box<(Order, TimelineEntry)>>,
}

/// Who places an order: the name recorded on its first event and the scope its idempotency key
/// and external id belong to (see [`crate::app::access::Actor::scope`]).
#[derive(Debug, Clone, Copy)]
pub struct Placer<'a> {
    /// The kind of caller (`anonymous`, `customer`, `channel`, `staff`, …).
    pub actor: &'a str,
    /// Who the caller's token was issued to, recorded on the first event.
    pub subject: Option<&'a str>,
    pub scope: &'a str,
    /// How long the order holds its stock unpaid (see `ordo_core::order::holds_until_paid`);
    /// `None` for orders that do not wait for a payment through Ordo.
    pub payment_hold: Option<chrono::Duration>,
}

impl Placer<'static> {
    /// A caller without a token (guest checkout) with the default payment hold; harnesses use it.
    pub const ANONYMOUS: Placer<'static> = Placer {
        actor: "anonymous",
        subject: None,
        scope: "anonymous",
        payment_hold: Some(chrono::Duration::minutes(ordo_core::order::DEFAULT_PAYMENT_HOLD_MINUTES)),
    };
}

/// A checkout's answer: the placement and, for a guest, a token for this one order (to pay for
/// it and track it).
#[derive(Debug, Clone)]
pub struct Checkout {
    pub placed: Placed,
    pub access_token: Option<String>,
}

/// Places `request` for `caller` (whose token was issued to `subject`): anonymous shoppers and
/// customers on the `web` channel only (a customer for themselves), a channel on its own channel,
/// staff anywhere. Only a channel or staff may name an external id (a shopper who could would
/// name, and replay, someone else's order). A shopper's order holds its stock until paid.
pub async fn checkout(
    app: &App,
    caller: &Actor,
    subject: &str,
    mut request: PlaceOrder,
    idempotency_key: Option<&str>,
) -> Result<Checkout, ApiError> {
    if request.external_id.is_some()
        && !matches!(
            caller,
            Actor::Channel { .. } | Actor::Staff | Actor::WarehouseStaff { .. } | Actor::Admin
        )
    {
        return Err(ApiError::Forbidden);
    }
    match caller {
        Actor::Anonymous => {
            if request.channel != "web" || request.customer.is_some() {
                return Err(ApiError::Unauthenticated);
            }
        }
        Actor::Customer { id } => {
            if request.channel != "web" || request.customer.as_ref().is_some_and(|c| c != id) {
                return Err(ApiError::Forbidden);
            }
            request.customer = Some(id.clone());
        }
        Actor::Channel { channel } if *channel == request.channel => {}
        Actor::Staff | Actor::WarehouseStaff { .. } | Actor::Admin => {}
        _ => return Err(ApiError::Forbidden),
    }
    super::channels::require_open(app, &request.channel).await?;
    let scope = caller.scope(subject);
    let placer = Placer {
        actor: caller.name(),
        subject: (*caller != Actor::Anonymous).then_some(subject),
        scope: &scope,
        payment_hold: ordo_core::order::holds_until_paid(&caller.role()).then_some(app.payment_hold()),
    };
    let placed = place_order(app, &request, idempotency_key, placer).await?;
    let access_token = match caller {
        Actor::Anonymous => Some(
            app.keys()
                .mint_guest(&placed.order_id)
                .map_err(|e| ApiError::internal("minting a guest token", &e))?,
        ),
        _ => None,
    };
    Ok(Checkout { placed, access_token })
}

/// Places an order once per idempotency key (within the caller's scope) and per (channel,
/// external id). A replay answers only a caller of the same scope sending the same request;
/// anything else is `IDEMPOTENCY_MISMATCH` (a key) or `CONFLICT` (an external id), without the
/// order. Orders without an external id have no external key at all.
pub async fn place_order(
    app: &App,
    request: &PlaceOrder,
    idempotency_key: Option<&str>,
    placer: Placer<'_>,
) -> Result<Placed, ApiError> {
    let store = app.store();
    let text = serde_json::to_vec(request).map_err(|e| ApiError::bad_input("input", e.to_string()))?;
    let idempotency =
        idempotency_key.map(|key| Idempotency::new(placer.scope, key, "placeOrder", &text)).transpose()?;
    let fingerprint = crate::app::idempotency::fingerprint(&text);
    let customer = request
        .customer
        .as_deref()
        .map(CustomerId::parse)
        .transpose()
        .map_err(|e| ApiError::bad_input("customerId", e.to_string()))?;
    let external_id =
        request.external_id.as_deref().map(parse_external_id).transpose().map_err(|e| match e {
            CheckoutError::Invalid { field, message } => ApiError::bad_input(field, message),
            other => ApiError::bad_input("externalId", other.to_string()),
        })?;
    let external_key = external_id.map(|e| format!("{}:{e}", request.channel));
    let id = format!("ord_{}", ulid::Ulid::new().to_string().to_lowercase());
    let order_id = OrderId::parse(&id).map_err(|e| ApiError::bad_input("id", e.to_string()))?;
    let doer = Doer { kind: placer.actor.to_owned(), subject: placer.subject.map(str::to_owned) };
    // Taken once a replay is ruled out, and kept across retries: one number per new order.
    let mut number = None;
    let mut attempt = 0;
    let skus: Vec<String> = request.cart.lines.iter().map(|l| l.sku.trim().to_owned()).collect();
    let mut wanted: BTreeMap<String, u64> = BTreeMap::new();
    for line in &request.cart.lines {
        *wanted.entry(line.sku.trim().to_owned()).or_default() += u64::try_from(line.quantity).unwrap_or(0);
    }
    loop {
        attempt += 1;
        let reads = store
            .intake_snapshot(
                &skus,
                Some(&wanted),
                idempotency.as_ref().map(Idempotency::record),
                external_key.as_deref(),
            )
            .await?;
        if let (Some(record), Some(key)) = (reads.idempotency, &idempotency) {
            return if key.matches(&record.operation, &record.fingerprint) {
                Ok(Placed { order_id: record.order_id, replayed: true, fresh: None })
            } else {
                Err(ApiError::IdempotencyMismatch)
            };
        }
        if let Some(existing) = reads.existing {
            return if existing.scope == placer.scope && existing.fingerprint == fingerprint {
                Ok(Placed { order_id: existing.order_id, replayed: true, fresh: None })
            } else {
                Err(ApiError::ExternalIdTaken)
            };
        }
        let snapshot = reads.snapshot;
        let now = Utc::now();
        let shop = Shop {
            catalog: &snapshot.catalog,
            rules: &snapshot.rules,
            stock: &snapshot.stock,
            locations: &snapshot.locations,
        };
        let refused = |e| match e {
            CheckoutError::Rejected(issues) => ApiError::rejected(issues),
            CheckoutError::Invalid { field, message } => ApiError::bad_input(field, message),
        };
        let placement =
            check_out(&order_id, None, &request.channel, customer.as_ref(), &request.cart, shop, now)
                .map_err(refused)?;
        // The number is taken once the cart is known to place (claiming a block of numbers
        // writes the counter, and a refusal changes nothing), and kept across retries.
        let taken = match number {
            Some(taken) => taken,
            None => *number.insert(app.next_order_number().await?),
        };
        let Placement { first, order, plan } = placement.numbered(taken).map_err(refused)?;
        let messages = super::messages::for_append(None, &order, std::slice::from_ref(&first), None);
        let webhooks = Box::pin(super::channels::webhooks_told(
            app,
            Some(reads.channels.clone()),
            None,
            &order,
            std::slice::from_ref(&first),
        ))
        .await?;
        let record = NewOrderRecord {
            id: &id,
            external_key: external_key.as_deref(),
            external_id,
            idempotency: idempotency.as_ref().map(Idempotency::key_use),
            scope: placer.scope,
            fingerprint: &fingerprint,
            plan: &plan,
            first: &first,
            order: &order,
            actor: &doer,
            payment_due: placer.payment_hold.and_then(|hold| now.checked_add_signed(hold)),
            messages: &messages,
            webhooks: &webhooks,
        };
        match store.insert_order(&record, attempt > 1).await? {
            Intake::Placed => {
                return Ok(Placed { order_id: id, replayed: false, fresh: Some(Box::new((order, first))) });
            }
            // The next turn of the loop finds the winner's record or order.
            Intake::KeyTaken | Intake::ExternalIdTaken => {}
            Intake::StockChanged | Intake::Conflict => {}
        }
        if attempt >= MAX_ATTEMPTS {
            return Err(StoreError::Contended(attempt).into());
        }
        backoff(attempt).await;
    }
}
