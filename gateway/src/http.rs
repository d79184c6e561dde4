//! The HTTP edge: GraphQL over POST and GET (our own handler, not the stock batch service),
//! GraphiQL in development, health probes, and the web demo's static files.

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::auth::Actor;
use crate::graphql::{AppState, OrdoSchema};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub(crate) struct Http {
    schema: OrdoSchema,
    state: AppState,
    graphiql: bool,
}

pub(crate) fn router(
    schema: OrdoSchema,
    state: AppState,
    graphiql: bool,
    web_root: Option<std::path::PathBuf>,
) -> Router {
    let http = Http { schema, state, graphiql };
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(http);
    if let Some(root) = web_root {
        router = router.fallback_service(tower_http::services::ServeDir::new(root));
    }
    router
}

async fn readyz(State(http): State<Http>) -> Response {
    match http.state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable").into_response()
        }
    }
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// GraphQL over POST: one operation per request (no batches), JSON body.
async fn graphql_post(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("application/json")
        && !content_type.starts_with("application/graphql-response+json")
    {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send application/json",
        );
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the body is not valid JSON");
        }
    };
    if value.is_array() {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_SUPPORTED",
            "send one operation per request",
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "expected {\"query\": string, \"variables\"?: object, \"operationName\"?: string}",
            );
        }
    };
    respond(&http, request, &headers).await
}

/// GraphQL over GET: queries only.
async fn graphql_get(State(http): State<Http>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        if http.graphiql {
            return Html(GraphiQLSource::build().endpoint("/graphql").title("Ordo GraphiQL").finish())
                .into_response();
        }
        return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", "missing query");
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(_) => return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", "malformed query string"),
    };
    if !only_queries(&request.query) {
        return error_response(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "mutations need POST");
    }
    respond(&http, request, &headers).await
}

/// Whether every operation in the document is a query (GET may not change anything). A
/// document that does not parse counts as a query here: execution then reports the syntax error.
fn only_queries(query: &str) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(query) else { return true };
    let is_query = |ty: OperationType| ty == OperationType::Query;
    match &document.operations {
        DocumentOperations::Single(op) => is_query(op.node.ty),
        DocumentOperations::Multiple(ops) => ops.values().all(|op| is_query(op.node.ty)),
    }
}

async fn respond(http: &Http, request: async_graphql::Request, headers: &HeaderMap) -> Response {
    let actor = match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        None => Actor::Anonymous,
        Some(Ok(value)) => match value.strip_prefix("Bearer ").map(|t| http.state.keys.verify(t.trim())) {
            Some(Ok(actor)) => actor,
            _ => {
                return error_response(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "the bearer token is invalid or expired",
                );
            }
        },
        Some(Err(_)) => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "the bearer token is invalid",
            );
        }
    };
    let response = http.schema.execute(request.data(actor)).await;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let graphql_response = accept.contains("application/graphql-response+json");
    // GraphQL-over-HTTP: with the graphql-response media type, a request that could not run at
    // all (parse or validation errors, no data) is a 400; otherwise 200.
    let status = if graphql_response && response.data == async_graphql::Value::Null && response.is_err() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = match serde_json::to_vec(&response) {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "could not encode the response",
            );
        }
    };
    let content_type =
        if graphql_response { "application/graphql-response+json" } else { "application/json" };
    let mut out = (status, body).into_response();
    out.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out
}
