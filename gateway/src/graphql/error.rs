//! Error codes: the one place that gives every failure its stable `extensions.code`, for the
//! application's errors ([`ApiError`]) and the edge's refusals ([`Refusal`]), and turns them into
//! GraphQL errors.

use async_graphql::ErrorExtensions;

use crate::app::error::ApiError;

/// Every code the gateway itself gives (ordo-core names the codes of its own rules: a cart
/// issue, a refused command, a review rule). One variant per meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The store cannot be reached now: try again.
    StoreUnavailable,
    /// An argument or input value is malformed or out of range.
    BadUserInput,
    /// The cart or order broke a rule without naming a more precise one.
    ValidationFailed,
    NotFound,
    /// The idempotency key was used for a different request.
    IdempotencyMismatch,
    /// Someone else got there first: another order with this external id, or a busy order.
    Conflict,
    PaymentDeclined,
    /// The provider refused a capture or refund a command needed; nothing changed.
    PaymentRefused,
    PaymentProviderError,
    /// Too many declined payments from one address.
    PaymentAttemptsExhausted,
    TrackingNumberTaken,
    Unauthenticated,
    Forbidden,
    Internal,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not validate against the schema.
    GraphqlValidationFailed,
    QueryTooDeep,
    QueryTooComplex,
    TooManyAliases,
    TooManyFields,
    /// A mutation over GET.
    MethodNotAllowed,
    RateLimited,
    /// A WebSocket connection runs as many operations as it may.
    TooManySubscriptions,
    TooManyConnections,
    /// A subscriber fell too far behind the live feed.
    SubscriberLagged,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMediaType,
    BatchNotSupported,
    /// The HTTP request itself is malformed (not JSON, no query, a bad query string).
    BadRequest,
    /// A carrier webhook's signature does not match.
    BadSignature,
    /// A carrier webhook's signature is too old or too new.
    StaleSignature,
}

impl Code {
    /// The code on the wire (`extensions.code`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::ValidationFailed => "VALIDATION_FAILED",
            Code::NotFound => "NOT_FOUND",
            Code::IdempotencyMismatch => "IDEMPOTENCY_MISMATCH",
            Code::Conflict => "CONFLICT",
            Code::PaymentDeclined => "PAYMENT_DECLINED",
            Code::PaymentRefused => "PAYMENT_REFUSED",
            Code::PaymentProviderError => "PAYMENT_PROVIDER_ERROR",
            Code::PaymentAttemptsExhausted => "PAYMENT_ATTEMPTS_EXHAUSTED",
            Code::TrackingNumberTaken => "TRACKING_NUMBER_TAKEN",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::Internal => "INTERNAL",
            Code::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::QueryTooDeep => "QUERY_TOO_DEEP",
            Code::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Code::TooManyAliases => "TOO_MANY_ALIASES",
            Code::TooManyFields => "TOO_MANY_FIELDS",
            Code::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Code::RateLimited => "RATE_LIMITED",
            Code::TooManySubscriptions => "TOO_MANY_SUBSCRIPTIONS",
            Code::TooManyConnections => "TOO_MANY_CONNECTIONS",
            Code::StoreUnavailable => "STORE_UNAVAILABLE",
            Code::SubscriberLagged => "SUBSCRIBER_LAGGED",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::RequestTimeout => "REQUEST_TIMEOUT",
            Code::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Code::BatchNotSupported => "BATCH_NOT_SUPPORTED",
            Code::BadRequest => "BAD_REQUEST",
            Code::BadSignature => "BAD_SIGNATURE",
            Code::StaleSignature => "STALE_SIGNATURE",
        }
    }

    /// The HTTP status of a request refused outright with this code (GraphQL errors inside a
    /// response that ran are answered 200).
    pub fn status(self) -> u16 {
        match self {
            Code::Unauthenticated | Code::BadSignature | Code::StaleSignature => 401,
            Code::Forbidden => 403,
            Code::NotFound => 404,
            Code::MethodNotAllowed => 405,
            Code::RequestTimeout => 408,
            Code::Conflict | Code::IdempotencyMismatch | Code::TrackingNumberTaken => 409,
            Code::PayloadTooLarge => 413,
            Code::UnsupportedMediaType => 415,
            Code::RateLimited | Code::TooManySubscriptions | Code::PaymentAttemptsExhausted => 429,
            Code::Internal => 500,
            Code::PaymentProviderError => 502,
            Code::TooManyConnections | Code::StoreUnavailable => 503,
            _ => 400,
        }
    }
}

/// The gateway's code for `error`, when the gateway names it (not ordo-core).
fn own_code(error: &ApiError) -> Option<Code> {
    Some(match error {
        ApiError::Rejected { issues, .. } => {
            if issues.iter().any(|i| i.severity == ordo_core::cart::Severity::Error) {
                return None;
            }
            Code::ValidationFailed
        }
        ApiError::Command(_) | ApiError::Review(_) => return None,
        ApiError::NotFound(_) => Code::NotFound,
        ApiError::IdempotencyMismatch => Code::IdempotencyMismatch,
        ApiError::ExternalIdTaken | ApiError::Contended | ApiError::AlreadySent | ApiError::Taken(_) => {
            Code::Conflict
        }
        ApiError::PaymentDeclined(_) => Code::PaymentDeclined,
        ApiError::PaymentUnavailable => Code::PaymentProviderError,
        ApiError::StoreUnavailable => Code::StoreUnavailable,
        ApiError::MoneyRefused { .. } => Code::PaymentRefused,
        ApiError::DeclinesFromAddress { .. } => Code::PaymentAttemptsExhausted,
        ApiError::BadInput { .. } => Code::BadUserInput,
        ApiError::TrackingTaken => Code::TrackingNumberTaken,
        ApiError::Unauthenticated => Code::Unauthenticated,
        ApiError::Forbidden => Code::Forbidden,
        ApiError::NotDueYet(_) | ApiError::Internal { .. } => Code::Internal,
    })
}

/// The code a client sees for `error`: the gateway's, or the one ordo-core gives its rule.
pub fn code(error: &ApiError) -> &'static str {
    if let Some(code) = own_code(error) {
        return code.as_str();
    }
    match error {
        ApiError::Command(e) => e.code(),
        ApiError::Review(e) => e.code(),
        ApiError::Rejected { issues, .. } => issues
            .iter()
            .find(|i| i.severity == ordo_core::cart::Severity::Error)
            .map_or(Code::ValidationFailed.as_str(), |i| i.code.as_str()),
        _ => Code::Internal.as_str(),
    }
}

/// The HTTP status for `error` when a plain HTTP route (a document, a webhook) answers with it.
pub fn status(error: &ApiError) -> u16 {
    own_code(error).map_or(409, Code::status)
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", code(self));
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
