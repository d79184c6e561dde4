//! Running an ordo-core command against a stored order: load, decide, append, retry on conflict;
//! and the payment mutations, which talk to the provider before recording what it said.

use chrono::Utc;
use ordo_core::money::Money;
use ordo_core::order::{Command, Order, PaymentMethod, Role};

use crate::error::ApiError;
use crate::payments::{PaymentFailure, PaymentProvider};
use crate::store::{Store, StoreError, backoff};

const MAX_ATTEMPTS: u32 = 16;

/// An idempotency key for a mutation, with what it is used for.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub operation: &'a str,
    pub fingerprint: &'a str,
}

/// Loads an order (`NOT_FOUND` when it does not exist).
pub async fn load(store: &Store, order_id: &str) -> Result<Order, ApiError> {
    let timeline = store.timeline(order_id).await?;
    if timeline.is_empty() {
        return Err(ApiError::NotFound("order"));
    }
    Order::from_timeline(&timeline).map_err(|e| StoreError::Decode(e.to_string()).into())
}

/// The first answer again when `idempotency`'s key was already used for the same request;
/// `IDEMPOTENCY_MISMATCH` when it was used for another; `None` when it is unused.
async fn replay(store: &Store, idempotency: Option<Idempotency<'_>>) -> Result<Option<Ran>, ApiError> {
    let Some(i) = idempotency else { return Ok(None) };
    let Some(record) = store.idempotency(i.key).await? else { return Ok(None) };
    if record.operation == i.operation && record.fingerprint == i.fingerprint {
        Ok(Some(Ran { order: load(store, &record.order_id).await?, replayed: true }))
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
pub async fn run(
    store: &Store,
    order_id: &str,
    role: &Role,
    actor: &str,
    command: &Command,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Ran, ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Some(ran) = replay(store, idempotency).await? {
            return Ok(ran);
        }
        let order = load(store, order_id).await?;
        let (entries, after) = order.execute(command, role, Utc::now())?;
        let record = idempotency.map(|i| (i.key, i.operation, i.fingerprint));
        let topic = format!("order.{}", command.kind().name());
        if store.append(&after, order.last_seq(), &entries, actor, Some(&topic), record).await? {
            return Ok(Ran { order: after, replayed: false });
        }
        if attempt >= MAX_ATTEMPTS {
            return Err(StoreError::Contended(attempt).into());
        }
        backoff(attempt).await;
    }
}

/// Authorizes the order total with the provider and records the outcome (a decline is recorded
/// as a failed payment, so the customer can retry with another token).
pub async fn authorize(
    store: &Store,
    provider: &dyn PaymentProvider,
    order_id: &str,
    token: &str,
    role: &Role,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Ran, ApiError> {
    if ordo_core::card::contains_card_number(token) {
        // Never pass a card number on to a provider, log it or store it.
        return Err(ApiError::bad_input(
            "token",
            "looks like a card number; send the token your payment provider's browser SDK returns",
        ));
    }
    if let Some(ran) = replay(store, idempotency).await? {
        return Ok(ran);
    }
    let order = load(store, order_id).await?;
    let amount = order.totals().grand_total;
    // Refuse before asking the provider when the order cannot take a payment now.
    let probe = Command::AuthorizePayment {
        amount,
        method: PaymentMethod {
            reference: "probe".into(),
            brand: ordo_core::card::CardBrand::Unknown,
            last4: None,
        },
    };
    order.decide(&probe, role, Utc::now())?;
    match provider.authorize(token, amount) {
        Ok(auth) => {
            let method = PaymentMethod { reference: auth.reference, brand: auth.brand, last4: auth.last4 };
            let command = Command::AuthorizePayment { amount, method };
            run(store, order_id, role, "customer", &command, idempotency).await
        }
        Err(PaymentFailure::Declined { reason }) => {
            let command = Command::FailPayment { reason: reason.clone() };
            run(store, order_id, role, "payment-provider", &command, None).await?;
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

/// Captures `amount` (everything capturable when absent) with the provider, then records it.
pub async fn capture(
    store: &Store,
    provider: &dyn PaymentProvider,
    order_id: &str,
    amount: Option<Money>,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Ran, ApiError> {
    money_call(store, provider, order_id, Command::CapturePayment { amount }, idempotency).await
}

/// Releases the uncaptured authorization with the provider, then records it.
pub async fn void(
    store: &Store,
    provider: &dyn PaymentProvider,
    order_id: &str,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Ran, ApiError> {
    money_call(store, provider, order_id, Command::VoidPayment, idempotency).await
}

async fn money_call(
    store: &Store,
    provider: &dyn PaymentProvider,
    order_id: &str,
    command: Command,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Ran, ApiError> {
    if let Some(ran) = replay(store, idempotency).await? {
        return Ok(ran);
    }
    let order = load(store, order_id).await?;
    order.decide(&command, &Role::Staff, Utc::now())?;
    let reference = order.payment_method().map(|m| m.reference.clone()).unwrap_or_default();
    let result = match &command {
        Command::CapturePayment { amount } => {
            provider.capture(&reference, amount.unwrap_or_else(|| order.payment().capturable()))
        }
        _ => provider.void(&reference),
    };
    if let Err(failure) = result {
        tracing::warn!(%failure, order = order_id, "payment provider failed");
        return Err(ApiError::PaymentUnavailable);
    }
    run(store, order_id, &Role::Staff, "staff", &command, idempotency).await
}
