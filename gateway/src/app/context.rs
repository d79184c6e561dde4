//! [`App`]: what every use case works with (the store, the payment provider, token keys, the
//! decline limit, the payment hold), built once at startup and cloned cheaply.

use std::sync::Arc;

use crate::app::declines::DeclineLimit;
use crate::app::mail::Mailer;
use crate::app::numbers::OrderNumbers;
use crate::app::payments::{PaymentProvider, TestProvider};
use crate::app::tokens::Keys;
use crate::store::Store;

/// The application: use cases take it, the layers above hold it. Only `app` and `jobs` reach
/// the store through it.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    /// Authorizes, captures, voids and refunds.
    payments: Arc<dyn PaymentProvider>,
    /// Mints guest tokens at checkout (the edge verifies tokens with the same keys).
    keys: Keys,
    /// Declined authorizations per client address (card testing across orders).
    declines: Arc<DeclineLimit>,
    /// How long a shopper's unpaid order holds its stock.
    payment_hold: chrono::Duration,
    /// Sends messages to customers; a gateway without one leaves them to others.
    mailer: Option<Arc<Mailer>>,
    /// How long after everything arrived the customer is asked for feedback; `None`: never.
    feedback_request: Option<std::time::Duration>,
    /// How long after its expected day begins a parcel that has not arrived counts as late.
    late_after: chrono::Duration,
    /// How long a payment authorization holds.
    authorization_valid: chrono::Duration,
    /// This gateway's block of order numbers.
    numbers: Arc<OrderNumbers>,
}

impl App {
    /// An application on `store` with the test payment provider, 20 declines per address an
    /// hour and ordo-core's default payment hold.
    pub fn new(store: Store, keys: Keys) -> App {
        App {
            store,
            payments: Arc::new(TestProvider),
            keys,
            declines: Arc::new(DeclineLimit::default()),
            payment_hold: chrono::Duration::minutes(ordo_core::order::DEFAULT_PAYMENT_HOLD_MINUTES),
            mailer: None,
            feedback_request: Some(std::time::Duration::from_secs(
                86_400 * u64::from(ordo_core::messages::DEFAULT_FEEDBACK_REQUEST_DAYS),
            )),
            late_after: chrono::Duration::hours(ordo_core::order::DEFAULT_LATE_AFTER_HOURS),
            authorization_valid: chrono::Duration::days(ordo_core::order::DEFAULT_AUTHORIZATION_DAYS),
            numbers: Arc::new(OrderNumbers::default()),
        }
    }

    /// The next order number (`#1042`) for a new order.
    pub(crate) async fn next_order_number(&self) -> Result<u32, crate::app::error::ApiError> {
        self.numbers.take(&self.store).await
    }

    /// With another payment provider.
    pub fn with_payments(self, payments: Arc<dyn PaymentProvider>) -> App {
        App { payments, ..self }
    }

    /// With at most `per_hour` declined payments per address an hour.
    pub fn with_declines_per_hour(self, per_hour: u32) -> App {
        App { declines: Arc::new(DeclineLimit::new(per_hour)), ..self }
    }

    /// With unpaid shopper orders holding their stock for `hold`.
    pub fn with_payment_hold(self, payment_hold: chrono::Duration) -> App {
        App { payment_hold, ..self }
    }

    /// Asking for feedback `wait` after everything arrived, or (`None`) never.
    pub fn with_feedback_request(self, wait: Option<std::time::Duration>) -> App {
        App { feedback_request: wait, ..self }
    }

    /// Parcels counting as late `late_after` after their expected day begins.
    pub fn with_late_after(self, late_after: chrono::Duration) -> App {
        App { late_after, ..self }
    }

    /// Payment authorizations holding `valid` (the provider's rule).
    pub fn with_authorization_valid(self, authorization_valid: chrono::Duration) -> App {
        App { authorization_valid, ..self }
    }

    /// Sending messages to customers with `mailer`.
    pub fn with_mailer(self, mailer: Mailer) -> App {
        App { mailer: Some(Arc::new(mailer)), ..self }
    }

    /// Whether the store answers now (the readiness probe, and the store's watch).
    pub async fn ready(&self) -> bool {
        self.store.ping().await.is_ok()
    }

    /// Whether the store answered the last time it was asked (see [`App::ready`]).
    pub fn store_reachable(&self) -> bool {
        self.store.reachable()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn payments(&self) -> &dyn PaymentProvider {
        self.payments.as_ref()
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub(crate) fn declines(&self) -> &DeclineLimit {
        &self.declines
    }

    pub(crate) fn payment_hold(&self) -> chrono::Duration {
        self.payment_hold
    }

    pub(crate) fn authorization_valid(&self) -> chrono::Duration {
        self.authorization_valid
    }

    pub(crate) fn late_after(&self) -> chrono::Duration {
        self.late_after
    }

    pub(crate) fn feedback_request(&self) -> Option<std::time::Duration> {
        self.feedback_request
    }

    /// The shop's name as customers know it (the messages' letterhead), or "The shop".
    pub(crate) fn shop_name(&self) -> String {
        self.mailer().map_or_else(|| "The shop".to_owned(), |m| m.settings().shop_name.clone())
    }

    pub(crate) fn mailer(&self) -> Option<&Mailer> {
        self.mailer.as_deref()
    }
}
