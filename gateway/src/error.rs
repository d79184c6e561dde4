//! API errors: every failure a client can see, each with a stable `extensions.code`.

use async_graphql::ErrorExtensions;
use ordo_core::cart::Issue;
use ordo_core::order::CommandError;
use ordo_core::review::ReviewError;

use crate::store::StoreError;

/// Something a request could not do.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The cart or order input broke a rule; every issue is listed. `code` is the first blocking one's.
    #[error("{message}")]
    Rejected { code: &'static str, message: String, issues: Vec<Issue> },
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
    /// A job ran before its time (its hold was longer than when it was scheduled); never
    /// reaches a caller.
    #[error("not due until {0}")]
    NotDueYet(chrono::DateTime<chrono::Utc>),
    /// A store or internal failure. The message is generic; the detail is logged with `id`.
    #[error("internal error (reference {id})")]
    Internal { id: String },
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Rejected { code, .. } => code,
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::IdempotencyMismatch => "IDEMPOTENCY_MISMATCH",
            ApiError::ExternalIdTaken => "CONFLICT",
            ApiError::Command(e) => e.code(),
            ApiError::Review(e) => e.code(),
            ApiError::PaymentDeclined(_) => "PAYMENT_DECLINED",
            ApiError::PaymentUnavailable => "PAYMENT_PROVIDER_ERROR",
            ApiError::DeclinesFromAddress { .. } => "PAYMENT_ATTEMPTS_EXHAUSTED",
            ApiError::BadInput { .. } => "BAD_USER_INPUT",
            ApiError::Contended => "CONFLICT",
            ApiError::TrackingTaken => "TRACKING_NUMBER_TAKEN",
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden => "FORBIDDEN",
            ApiError::NotDueYet(_) | ApiError::Internal { .. } => "INTERNAL",
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadInput { field: field.into(), message: message.into() }
    }

    /// A rejection carrying the cart issues; the first error issue gives the code.
    pub fn rejected(issues: Vec<Issue>) -> ApiError {
        let first = issues.iter().find(|i| i.severity == ordo_core::cart::Severity::Error);
        let code = first.map_or("VALIDATION_FAILED", |i| i.code.as_str());
        let message = first.map_or_else(|| "the order was rejected".to_owned(), |i| i.message.clone());
        ApiError::Rejected { code, message, issues }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Contended(_) => return ApiError::Contended,
            StoreError::TrackingTaken => return ApiError::TrackingTaken,
            _ => {}
        }
        let id = ulid::Ulid::new().to_string();
        tracing::error!(error = %e, reference = %id, "store failure");
        ApiError::Internal { id }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let ApiError::Rejected { issues, .. } = self {
                let list: Vec<async_graphql::Value> = issues
                    .iter()
                    .map(|i| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(
                            async_graphql::Name::new("code"),
                            async_graphql::Value::from(i.code.as_str()),
                        );
                        m.insert(
                            async_graphql::Name::new("path"),
                            async_graphql::Value::from(i.path.as_str()),
                        );
                        let severity = match i.severity {
                            ordo_core::cart::Severity::Error => "error",
                            ordo_core::cart::Severity::Warning => "warning",
                        };
                        m.insert(async_graphql::Name::new("severity"), async_graphql::Value::from(severity));
                        m.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(i.message.as_str()),
                        );
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                ext.set("issues", async_graphql::Value::List(list));
            }
            if let ApiError::BadInput { field, .. } = self {
                ext.set("field", field.as_str());
            }
            if let ApiError::Review(e) = self
                && let Some(field) = e.field()
            {
                ext.set("field", field);
            }
        })
    }
}

/// `.gql()?` in resolvers: any error convertible to [`ApiError`] becomes a GraphQL error with its code.
pub(crate) trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<ApiError>> GqlResult<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.into().extend())
    }
}
