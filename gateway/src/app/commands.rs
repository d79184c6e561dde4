//! Running an ordo-core command against a stored order: load, decide, append, retry on conflict;
//! and the payment mutations, which talk to the provider before recording what it said.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use ordo_core::order::{
    Command, Order, OrderEvent, PaymentMethod, Role, TimelineEntry, next_authorization_check,
    next_late_check, payment_hold_ends, stock_effects,
};

use crate::app::App;
use crate::app::error::ApiError;
use crate::app::idempotency::Idempotency;
use crate::app::orders::load_from;
use crate::app::payments::PaymentFailure;
use crate::store::orders::{Append, Effects};
use crate::store::{Doer, Store, StoreError, backoff};

const MAX_ATTEMPTS: u32 = 16;

/// Loads an order (`NOT_FOUND` when it does not exist).
pub async fn load(app: &App, order_id: &str) -> Result<Order, ApiError> {
    load_from(app.store(), order_id).await
}

/// The first answer again when `idempotency`'s key was already used for the same request;
/// `IDEMPOTENCY_MISMATCH` when it was used for another; `None` when it is unused.
async fn replay(store: &Store, idempotency: Option<&Idempotency>) -> Result<Option<Ran>, ApiError> {
    let Some(i) = idempotency else { return Ok(None) };
    let Some(record) = store.idempotency(i.record()).await? else { return Ok(None) };
    if i.matches(&record.operation, &record.fingerprint) {
        Ok(Some(Ran { order: load_from(store, &record.order_id).await?, replayed: true }))
    } else {
        Err(ApiError::IdempotencyMismatch)
    }
}

/// The result of running a command: the order after it, and whether it was a replay.
#[derive(Debug)]
pub struct Ran {
    pub order: Order,
    pub replayed: bool,
}

/// Runs `command` as `role`, retrying from a fresh read when another writer got there first.
/// The stock the events move (shipping, cancelling) is written in the same transaction.
pub async fn run(
    app: &App,
    order_id: &str,
    role: &Role,
    actor: &Doer,
    command: &Command,
    idempotency: Option<&Idempotency>,
) -> Result<Ran, ApiError> {
    run_with(app, order_id, role, actor, command, idempotency, |_| Ok(Effects::default())).await
}

/// [`run`] under `lease` on `order` as just read (read again only if another writer appended
/// since); the append that records the command gives the lease back.
async fn run_from(
    app: &App,
    order: Order,
    role: &Role,
    actor: &Doer,
    command: &Command,
    idempotency: Option<&Idempotency>,
    lease: &HeldLease,
) -> Result<Ran, ApiError> {
    let id = order.id().as_str().to_owned();
    let extra = |_: &Order| Ok(Effects { release_lease: Some(lease.token.clone()), ..Effects::default() });
    let (entries, after) = order.execute(command, role, Utc::now())?;
    if record(app, &order, &entries, &after, actor, idempotency, &extra).await? {
        lease.given_back.store(true, Ordering::Relaxed);
        return Ok(Ran { order: after, replayed: false });
    }
    let ran = run_with(app, &id, role, actor, command, idempotency, extra).await?;
    lease.given_back.store(!ran.replayed, Ordering::Relaxed);
    Ok(ran)
}

/// [`run`], with `extra` effects worked out from the order before the command (a return's
/// restocking, a shipment's package).
pub(crate) async fn run_with(
    app: &App,
    order_id: &str,
    role: &Role,
    actor: &Doer,
    command: &Command,
    idempotency: Option<&Idempotency>,
    extra: impl Fn(&Order) -> Result<Effects, ApiError>,
) -> Result<Ran, ApiError> {
    let store = app.store();
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Some(ran) = replay(store, idempotency).await? {
            return Ok(ran);
        }
        let order = load_from(store, order_id).await?;
        let (entries, after) = order.execute(command, role, Utc::now())?;
        if record(app, &order, &entries, &after, actor, idempotency, &extra).await? {
            return Ok(Ran { order: after, replayed: false });
        }
        if attempt >= MAX_ATTEMPTS {
            return Err(StoreError::Contended(attempt).into());
        }
        backoff(attempt).await;
    }
}

/// Appends `entries` (which turned `before` into `after`) with their stock effects and
/// `extra`'s; `false` when another writer got there first.
#[allow(clippy::too_many_arguments)]
async fn record(
    app: &App,
    before: &Order,
    entries: &[TimelineEntry],
    after: &Order,
    actor: &Doer,
    idempotency: Option<&Idempotency>,
    extra: &impl Fn(&Order) -> Result<Effects, ApiError>,
) -> Result<bool, ApiError> {
    let mut effects = extra(before)?;
    effects.stock.extend(stock_effects(before, entries));
    effects.end_payment_hold = payment_hold_ends(before, after);
    // A parcel left, or its day changed: watch it for running late.
    let moved = entries.iter().any(|e| {
        matches!(e.event, OrderEvent::ShipmentShipped { .. } | OrderEvent::ShipmentOutForDelivery { .. })
    });
    if moved && let Some(due) = next_late_check(after, app.late_after()) {
        effects.watches.push(("delivery_watch", due));
    }
    // An authorization was granted: watch it for lapsing with money still to capture.
    let authorized = entries.iter().any(|e| matches!(e.event, OrderEvent::PaymentAuthorized { .. }));
    if authorized && let Some(due) = next_authorization_check(after, app.authorization_valid()) {
        effects.watches.push(("authorization_watch", due));
    }
    let messages = super::messages::for_append(Some(before), after, entries, app.feedback_request());
    let webhooks = Box::pin(super::channels::webhooks_for(app, Some(before), after, entries)).await?;
    let append = Append {
        order: after,
        expected_seq: before.last_seq(),
        entries,
        actor,
        idempotency: idempotency.map(Idempotency::key_use),
        effects: &effects,
        messages: &messages,
        attempt: None,
        webhooks: &webhooks,
        webhook_attempt: None,
    };
    // Boxed: the append's future is large, and inline it grew every caller's (a debug build's
    // current-thread test overflowed its 2 MB stack on the return flow).
    Ok(Box::pin(app.store().append(&append)).await?)
}

/// Authorizes the order total with the provider and records the outcome (a decline is recorded
/// as a failed payment, so the customer can retry with another token, up to core's limit of
/// declines). One authorization per order runs at a time (the order's payment lease, across
/// gateways), so two concurrent calls never both reach the provider; each attempt carries a
/// stable idempotency key (`<order>:authorize:<attempt>`) to the provider.
pub async fn authorize(
    app: &App,
    order_id: &str,
    token: &str,
    who: (&Role, &Doer),
    idempotency: Option<&Idempotency>,
) -> Result<Ran, ApiError> {
    authorize_seen(app, order_id, token, who, idempotency, None).await
}

/// [`authorize`], given the order as `seen` just before (read to admit the caller).
pub(crate) async fn authorize_seen(
    app: &App,
    order_id: &str,
    token: &str,
    (role, by): (&Role, &Doer),
    idempotency: Option<&Idempotency>,
    seen: Option<Order>,
) -> Result<Ran, ApiError> {
    if ordo_core::card::contains_card_number(token) {
        // Never pass a card number on to a provider, log it or store it.
        return Err(ApiError::bad_input(
            "token",
            "looks like a card number; send the token your payment provider's browser SDK returns",
        ));
    }
    if let Some(ran) = replay(app.store(), idempotency).await? {
        return Ok(ran);
    }
    // `seen` (read to admit the caller) still stands when no append came after it: then the
    // order need not be read again under the lease.
    let (token_held, last_seq) = app.store().lease_payment_seeing(order_id).await?;
    let current = seen.filter(|order| Some(order.last_seq()) == last_seq);
    let lease = HeldLease { token: token_held, given_back: AtomicBool::new(false) };
    let result =
        Box::pin(authorize_leased(app, order_id, token, (role, by), idempotency, current, &lease)).await;
    if !lease.given_back.load(Ordering::Relaxed) {
        app.store().release_payment(order_id, &lease.token).await;
    }
    result
}

/// A payment lease this request holds, and whether an append already gave it back.
struct HeldLease {
    token: String,
    given_back: AtomicBool,
}

/// Runs `work` holding `order_id`'s payment lease (one money-moving command per order at a time,
/// across gateways, waiting briefly for a holder), and gives the lease back after. `work` comes
/// boxed: these futures are large, and resolvers nest them (a receipt that refunds at once), so
/// they must not sit inline in the caller's future.
pub(crate) async fn under_payment_lease<T, F>(
    store: &Store,
    order_id: &str,
    work: std::pin::Pin<Box<F>>,
) -> Result<T, ApiError>
where
    F: std::future::Future<Output = Result<T, ApiError>>,
{
    let lease = store.lease_payment(order_id).await?;
    let result = work.await;
    store.release_payment(order_id, &lease).await;
    result
}

async fn authorize_leased(
    app: &App,
    order_id: &str,
    token: &str,
    (role, by): (&Role, &Doer),
    idempotency: Option<&Idempotency>,
    current: Option<Order>,
    lease: &HeldLease,
) -> Result<Ran, ApiError> {
    let (store, provider) = (app.store(), app.payments());
    // The first request may have finished while this one waited for the lease.
    if let Some(ran) = replay(store, idempotency).await? {
        return Ok(ran);
    }
    let order = match current {
        Some(order) => order,
        None => load_from(store, order_id).await?,
    };
    // Refused before the provider is asked when the order cannot take a payment now.
    let amount = order.payment_to_authorize(role, Utc::now())?;
    let attempt_key = format!("{order_id}:authorize:{}", order.declined_payments() + 1);
    match provider.authorize(token, amount, &attempt_key) {
        Ok(auth) => {
            let reference = auth.reference.clone();
            let method = PaymentMethod { reference: auth.reference, brand: auth.brand, last4: auth.last4 };
            let command = Command::AuthorizePayment { amount, method };
            // A shop that charges at checkout captures with the authorization, before either is
            // recorded; a refused capture releases the authorization and records nothing.
            let mut charged = None;
            if let Ok((entries, _)) = order.execute(&command, role, Utc::now()) {
                for event in money_events(&entries) {
                    let OrderEvent::PaymentCaptured { amount } = event else { continue };
                    charged = Some(*amount);
                    if let Err(failure) = provider.capture(&reference, *amount) {
                        if let Err(e) = provider.void(&reference) {
                            tracing::error!(order = order_id, %reference, error = %e, "a refused sale could not be released");
                        }
                        return Err(match failure {
                            PaymentFailure::Declined { reason } => {
                                ApiError::MoneyRefused { movement: "capture", reason }
                            }
                            _ => ApiError::PaymentUnavailable,
                        });
                    }
                }
            }
            let recorded = run_from(app, order, role, by, &command, idempotency, lease).await;
            if recorded.is_err() {
                // Never leave money held or taken that the order does not know of.
                let undone = match charged {
                    Some(amount) => provider.refund(&reference, amount),
                    None => provider.void(&reference),
                };
                if let Err(failure) = undone {
                    let id = ulid::Ulid::new().to_string();
                    tracing::error!(order = order_id, %reference, %failure, reference_id = %id, "an authorization could not be recorded nor voided");
                }
            }
            recorded
        }
        Err(PaymentFailure::Declined { reason }) => {
            let command = Command::FailPayment { reason: reason.clone() };
            // The caller hears of the decline whatever happens to its record.
            if let Err(e) = run(app, order_id, role, &Doer::system("payment-provider"), &command, None).await
            {
                tracing::warn!(order = order_id, error = %e, "a declined payment could not be recorded");
            }
            Err(ApiError::PaymentDeclined(reason))
        }
        Err(PaymentFailure::UnknownToken) => {
            Err(ApiError::bad_input("token", "is not a payment token this shop accepts"))
        }
        Err(PaymentFailure::Provider(detail)) => {
            tracing::warn!(%detail, order = order_id, "payment provider failed");
            Err(ApiError::PaymentUnavailable)
        }
    }
}

/// The money movements among `entries`, which the provider must carry out before they are recorded.
fn money_events(entries: &[TimelineEntry]) -> Vec<&OrderEvent> {
    entries
        .iter()
        .map(|e| &e.event)
        .filter(|e| {
            matches!(
                e,
                OrderEvent::PaymentCaptured { .. }
                    | OrderEvent::PaymentVoided
                    | OrderEvent::PaymentRefunded { .. }
            )
        })
        .collect()
}

/// Runs a command whose events move money (capture, void, refund — also inside a cancellation
/// or a return's refund): the core decides, the provider carries out each money movement, then
/// the events are recorded. One such command per order at a time (a lease in the store), so two
/// concurrent refunds cannot both reach the provider.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_paid(
    app: &App,
    order_id: &str,
    role: &Role,
    actor: &Doer,
    command: &Command,
    idempotency: Option<&Idempotency>,
    extra: impl Fn(&Order) -> Result<Effects, ApiError>,
) -> Result<Ran, ApiError> {
    let (store, provider) = (app.store(), app.payments());
    if let Some(ran) = replay(store, idempotency).await? {
        return Ok(ran);
    }
    under_payment_lease(store, order_id, Box::pin(async {
        // A replay again: the first request may have finished while this one waited for the lease.
        if let Some(ran) = replay(store, idempotency).await? {
            return Ok(ran);
        }
        let order = load_from(store, order_id).await?;
        let (entries, _) = order.execute(command, role, Utc::now())?;
        extra(&order)?;
        let reference = order.payment_method().map(|m| m.reference.clone()).unwrap_or_default();
        let sent: Vec<OrderEvent> = money_events(&entries).into_iter().cloned().collect();
        for event in &sent {
            let (movement, call) = match event {
                OrderEvent::PaymentCaptured { amount } => ("capture", provider.capture(&reference, *amount)),
                OrderEvent::PaymentRefunded { amount, .. } => ("refund", provider.refund(&reference, *amount)),
                _ => ("release", provider.void(&reference)),
            };
            match call {
                Ok(()) => {}
                Err(PaymentFailure::Declined { reason }) => {
                    tracing::warn!(%reason, order = order_id, movement, "payment provider refused");
                    // A shop that ships rather than waits: the parcel goes, the order is flagged.
                    if let Ok((entries, after)) = order.ship_despite_refused_capture(command, role, Utc::now(), &reason) {
                        if record(app, &order, &entries, &after, actor, idempotency, &extra).await? {
                            return Ok(Ran { order: after, replayed: false });
                        }
                        return Err(StoreError::Contended(1).into());
                    }
                    return Err(ApiError::MoneyRefused { movement, reason });
                }
                Err(failure) => {
                    tracing::warn!(%failure, order = order_id, "payment provider failed");
                    return Err(ApiError::PaymentUnavailable);
                }
            }
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let order = load_from(store, order_id).await?;
            let decided = order.execute(command, role, Utc::now());
            let same = decided
                .as_ref()
                .is_ok_and(|(entries, _)| money_events(entries).into_iter().eq(sent.iter()));
            let Ok((entries, after)) = decided.map_err(|e| e.to_string()).and_then(|d| {
                if same { Ok(d) } else { Err("the money movements changed".into()) }
            }) else {
                // The provider moved money but the order changed underneath (another writer
                // got in between): record nothing silently wrong, ask for reconciliation.
                let id = ulid::Ulid::new().to_string();
                tracing::error!(order = order_id, reference = %id, ?sent, "provider moved money; order changed before it was recorded");
                return Err(ApiError::Internal { id });
            };
            if record(app, &order, &entries, &after, actor, idempotency, &extra).await? {
                return Ok(Ran { order: after, replayed: false });
            }
            if attempt >= MAX_ATTEMPTS {
                return Err(StoreError::Contended(attempt).into());
            }
            backoff(attempt).await;
        }
    }))
    .await
}
