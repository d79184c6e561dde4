//! What a use case can refuse or fail with: one variant per meaning. The GraphQL edge
//! (`graphql::error`) gives each its `extensions.code`; nothing else names codes.

use ordo_core::cart::Issue;
use ordo_core::order::CommandError;
use ordo_core::review::ReviewError;

use crate::store::StoreError;

/// Something a request could not do.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The cart or order input broke a rule; every issue is listed (the first blocking one gives
    /// the code).
    #[error("{message}")]
    Rejected { message: String, issues: Vec<Issue> },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this idempotency key was used for a different request")]
    IdempotencyMismatch,
    /// The channel already has an order with this external id, placed by another caller or
    /// for a different request.
    #[error("this channel already has a different order with this external id")]
    ExternalIdTaken,
    #[error("{0}")]
    Command(#[from] CommandError),
    /// A review or feedback rule (rating, text, delivery, one per line or order).
    #[error("{0}")]
    Review(#[from] ReviewError),
    #[error("the payment was declined: {0}")]
    PaymentDeclined(String),
    #[error("the payment provider is unavailable; try again")]
    PaymentUnavailable,
    /// The provider refused to move money the command needed (a capture when a parcel ships, a
    /// refund): nothing was recorded.
    #[error("the payment provider refused the {movement} ({reason}), so nothing was changed")]
    MoneyRefused { movement: &'static str, reason: String },
    /// Too many declined payments from the caller's address within the hour (card testing).
    #[error("too many declined payments from this address; try again in {retry_minutes} minutes")]
    DeclinesFromAddress { retry_minutes: u64 },
    #[error("{field}: {message}")]
    BadInput { field: String, message: String },
    #[error("the order is busy; try again")]
    Contended,
    #[error("another parcel was already shipped with this carrier and tracking number")]
    TrackingTaken,
    #[error("a valid bearer token is required")]
    Unauthenticated,
    #[error("your role may not do this")]
    Forbidden,
    /// A record with this key exists already (a channel's code).
    #[error("a {0} with this code exists already")]
    Taken(&'static str),
    /// A message (or webhook) that was delivered already cannot be queued again.
    #[error("this was delivered already")]
    AlreadySent,
    /// A job ran before its time (its hold was longer than when it was scheduled); never
    /// reaches a caller.
    #[error("not due until {0}")]
    NotDueYet(chrono::DateTime<chrono::Utc>),
    /// The store cannot be reached now (a SurrealDB server gone away); the client may retry.
    #[error("the store is unavailable; try again")]
    StoreUnavailable,
    /// A store or internal failure. The message is generic; the detail is logged with `id`.
    #[error("internal error (reference {id})")]
    Internal { id: String },
}

impl ApiError {
    /// An internal failure: `what` failed with `error`, logged with a reference the caller sees.
    pub fn internal(what: &str, error: &dyn std::fmt::Display) -> ApiError {
        let id = ulid::Ulid::new().to_string();
        tracing::error!(%error, reference = %id, "{what} failed");
        ApiError::Internal { id }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadInput { field: field.into(), message: message.into() }
    }

    /// A rejection carrying the cart issues; the first error issue gives the code.
    pub fn rejected(issues: Vec<Issue>) -> ApiError {
        let first = issues.iter().find(|i| i.severity == ordo_core::cart::Severity::Error);
        let message = first.map_or_else(|| "the order was rejected".to_owned(), |i| i.message.clone());
        ApiError::Rejected { message, issues }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Contended(_) => return ApiError::Contended,
            StoreError::TrackingTaken => return ApiError::TrackingTaken,
            ref unreachable if unreachable.is_unavailable() => {
                tracing::warn!(error = %unreachable, "the store is unavailable");
                return ApiError::StoreUnavailable;
            }
            _ => {}
        }
        let id = ulid::Ulid::new().to_string();
        tracing::error!(error = %e, reference = %id, "store failure");
        ApiError::Internal { id }
    }
}
