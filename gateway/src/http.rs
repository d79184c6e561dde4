//! The HTTP edge: GraphQL over POST and GET (our own handler, not the stock batch service),
//! GraphiQL in development, health probes, and the web demo's static files.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::http::GraphiQLSource;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::{Actor, Subject};
use crate::graphql::{AppState, OrdoSchema};
use crate::guard::Shape;
use crate::ratelimit::{Client, Limiter, RateLimits};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The content security policy of the web demo's pages: only our own scripts (and WebAssembly),
/// no framing, connections back to this origin (HTTP and WebSocket).
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// How the HTTP edge behaves, from the server's configuration.
#[derive(Debug, Clone, Default)]
pub(crate) struct Edge {
    pub graphiql: bool,
    pub web_root: Option<std::path::PathBuf>,
    /// Origins allowed to call the API from a browser (CORS); none means same-origin only.
    pub cors_origins: Vec<String>,
    pub rate_limits: Option<RateLimits>,
    /// Webhook secrets per carrier (`generic`, `ups`, …).
    pub carrier_secrets: Vec<(String, Vec<u8>)>,
}

#[derive(Clone)]
pub(crate) struct Http {
    schema: OrdoSchema,
    state: AppState,
    graphiql: bool,
    limiter: Option<Arc<Limiter>>,
    carrier_secrets: Arc<Vec<(String, Vec<u8>)>>,
    parsed: Arc<crate::parse_cache::ParseCache>,
}

pub(crate) fn router(schema: OrdoSchema, state: AppState, edge: Edge) -> Router {
    let limiter = edge.rate_limits.map(|limits| Arc::new(Limiter::new(limits)));
    let http = Http {
        schema,
        state,
        graphiql: edge.graphiql,
        limiter,
        carrier_secrets: Arc::new(edge.carrier_secrets),
        parsed: Arc::default(),
    };
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/documents/{order}/{shipment}/{file}", get(document))
        .route("/webhooks/carriers/{carrier}", axum::routing::post(carrier_webhook))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(http);
    if let Some(root) = edge.web_root {
        let pages = tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_POLICY),
            ))
            .service(tower_http::services::ServeDir::new(root));
        router = router.fallback_service(pages);
    }
    router = router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    if !edge.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> =
            edge.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([HttpMethod::GET, HttpMethod::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
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

/// A shipment's label, commercial invoice or packing slip as PDF: staff, or the supplier that
/// ships the parcel. Anyone else gets the same 404 as for a missing parcel.
async fn document(
    State(http): State<Http>,
    Path((order_id, shipment_id, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    use crate::documents::{Document, render};
    let actor = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| http.state.keys.verify(t.trim()))
    {
        Some(Ok(actor)) => actor,
        _ => return unauthenticated("a staff or supplier bearer token is required"),
    };
    let not_found = || error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such document");
    let Some(kind) = Document::from_file_name(&file) else { return not_found() };
    let order = match crate::commands::load(&http.state.store, &order_id).await {
        Ok(order) => order,
        Err(crate::error::ApiError::NotFound(_)) => return not_found(),
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, e.code(), &e.to_string()),
    };
    let Some(shipment) = order.shipment(&shipment_id) else { return not_found() };
    let allowed = match (&actor, shipment.source()) {
        (a, _) if a.is_staff() => true,
        (Actor::Supplier { supplier }, ordo_core::order::ShipmentSource::Supplier { supplier: own }) => {
            supplier == own
        }
        _ => false,
    };
    if !allowed {
        return not_found();
    }
    let row = http.state.store.shipment_row(&shipment_id).await.ok().flatten();
    let from = ["Ordo Demo Shop", "100 Commerce Way", "Columbus OH 43004", "US"];
    let pdf = render(kind, &order, shipment, row.as_ref(), &from);
    let mut response = (StatusCode::OK, pdf).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    response
}

/// A carrier's tracking callback: HMAC-signed (`Ordo-Timestamp`, `Ordo-Signature: v1=…`, five
/// minutes at most), in the carrier's format (`ups`, else Ordo's generic JSON). An unknown
/// tracking number is a 404 and writes nothing; a repeated report is counted as a duplicate.
async fn carrier_webhook(
    State(http): State<Http>,
    Path(carrier): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use crate::tracking::{WebhookError, parse, record, verify};
    let Some((_, secret)) = http.carrier_secrets.iter().find(|(name, _)| *name == carrier) else {
        return error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such carrier");
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(e) =
        verify(secret, header("ordo-timestamp"), header("ordo-signature"), &body, chrono::Utc::now())
    {
        let code = if e == WebhookError::Stale { "STALE_SIGNATURE" } else { "BAD_SIGNATURE" };
        return error_response(StatusCode::UNAUTHORIZED, code, &e.to_string());
    }
    let reports = match parse(&carrier, &body) {
        Ok(r) => r,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &e.to_string()),
    };
    match record(&http.state.store, &carrier, &reports, &format!("carrier:{carrier}")).await {
        Ok(done) => {
            let body = serde_json::json!({ "accepted": done.accepted, "duplicates": done.duplicates });
            let mut response = (StatusCode::OK, body.to_string()).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(crate::error::ApiError::NotFound(_)) => {
            error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown tracking number")
        }
        Err(e) => {
            let status =
                if e.code() == "INTERNAL" { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::CONFLICT };
            error_response(status, e.code(), &e.to_string())
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
async fn graphql_post(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    respond(&http, request, &headers, peer, Method::Post).await
}

/// GET /graphql: a WebSocket upgrade for subscriptions (`graphql-transport-ws` and the legacy
/// `graphql-ws`), otherwise GraphQL over GET (queries only).
async fn graphql_get(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, _body) = request.into_parts();
    let upgrade = parts.headers.get(header::UPGRADE).and_then(|v| v.to_str().ok());
    if upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return websocket(http, &mut parts).await;
    }
    let headers = parts.headers;
    let query = parts.uri.query().map(str::to_owned);
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
    respond(&http, request, &headers, peer, Method::Get).await
}

/// Bytes tungstenite reads from a subscription socket at once.
const WS_READ_BUFFER: usize = 4 * 1024;
/// The largest message a subscription client may send (`subscribe` documents are small).
const WS_MAX_MESSAGE: usize = 256 * 1024;

/// Subscriptions over WebSocket. The bearer token comes in `connection_init`'s payload
/// (`{"Authorization": "Bearer …"}` or `{"authToken": "…"}`); a bad one closes the connection.
async fn websocket(http: Http, parts: &mut axum::http::request::Parts) -> Response {
    use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
    use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
    use axum::extract::FromRequestParts;
    use axum::extract::ws::WebSocketUpgrade;
    let protocol = match GraphQLProtocol::from_request_parts(parts, &()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &()).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let keys = http.state.keys.clone();
    let schema = http.schema.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Clients send a few small control messages; tungstenite zero-fills its whole read
        // buffer on every read, so its 128 KiB default made each read cost a 128 KiB memset
        // (29% of the CPU with 5,000 subscribers).
        .read_buffer_size(WS_READ_BUFFER)
        .max_message_size(WS_MAX_MESSAGE)
        .max_frame_size(WS_MAX_MESSAGE)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(serde_json::Value::as_str)
                        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
                        .or_else(|| {
                            payload.get("authToken").and_then(serde_json::Value::as_str).map(str::to_owned)
                        });
                    let (actor, subject) = match token {
                        None => (Actor::Anonymous, "anonymous".to_owned()),
                        Some(token) => keys.verify_subject(&token).map_err(|_| {
                            async_graphql::Error::new("the bearer token is invalid or expired")
                        })?,
                    };
                    let mut data = async_graphql::Data::default();
                    data.insert(actor);
                    data.insert(Subject(subject));
                    Ok(data)
                })
                .keepalive_timeout(Duration::from_secs(60))
                .serve()
        })
        .into_response()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Authenticates, parses once, applies the document caps and mutation rate limits, runs the
/// operation, and gives every error an `extensions.code`.
async fn respond(
    http: &Http,
    mut request: async_graphql::Request,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: Method,
) -> Response {
    let token = match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        None => None,
        Some(Ok(value)) => match value.strip_prefix("Bearer ") {
            Some(token) => Some(token.trim()),
            None => return unauthenticated("send the token as `Authorization: Bearer <token>`"),
        },
        Some(Err(_)) => return unauthenticated("the bearer token is invalid"),
    };
    let (actor, subject) = match token.map(|t| http.state.keys.verify_subject(t)) {
        None => (Actor::Anonymous, Subject("anonymous".into())),
        Some(Ok((actor, subject))) => (actor, Subject(subject)),
        Some(Err(_)) => return unauthenticated("the bearer token is invalid or expired"),
    };
    let graphql_response = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/graphql-response+json"));
    // A document parsed before is not parsed again; a new one is kept once it parses.
    let uncached = match http.parsed.get(&request.query) {
        Some(document) => {
            request.set_parsed_query(document);
            None
        }
        None => Some(request.query.clone()),
    };
    let shape = match request.parsed_query() {
        Ok(document) => {
            if let Some(text) = &uncached {
                http.parsed.put(text, document);
            }
            Shape::of(document)
        }
        Err(e) => {
            let mut e = parse_error(&e);
            set_code(&mut e, "GRAPHQL_PARSE_FAILED");
            return encode(async_graphql::Response::from_errors(vec![e]), graphql_response);
        }
    };
    if method == Method::Get && shape.mutates {
        return error_response(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "mutations need POST");
    }
    if let Some((code, message)) = shape.refusal() {
        return error_response(StatusCode::BAD_REQUEST, code, &message);
    }
    if shape.mutates
        && let Some(limiter) = &http.limiter
    {
        let client = match token {
            Some(token) => Client::Token(token),
            None => Client::Ip(peer.ip()),
        };
        if let Err(wait) = limiter.check(client, Instant::now()) {
            let seconds = wait.as_secs().saturating_add(1);
            let mut response = error_response(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                &format!("too many changes from this client; retry in {seconds} s"),
            );
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
    }
    let mut response = http.schema.execute(request.data(actor).data(subject)).await;
    for error in &mut response.errors {
        let missing = error.extensions.as_ref().is_none_or(|x| x.get("code").is_none());
        if missing {
            let code = uncoded_error_code(error);
            set_code(error, code);
            // async-graphql's own messages quote names from the document: at most a few dozen
            // characters of them.
            error.message = clip_quoted(&error.message);
        }
    }
    encode(response, graphql_response)
}

/// Most characters of a caller's input an error message repeats.
const MAX_ECHO: usize = 40;

/// A parse error without the document: where the parser stopped and what it expected (the
/// parser's own message quotes the offending line, up to the whole document).
fn parse_error(e: &async_graphql::ServerError) -> async_graphql::ServerError {
    let at =
        e.locations.first().map(|p| format!(" at line {}, column {}", p.line, p.column)).unwrap_or_default();
    let message = if e.message.starts_with("recursion limit exceeded") {
        format!("the document is nested too deeply: selections may nest at most {PARSER_DEPTH} levels{at}")
    } else {
        match e.message.lines().find_map(|l| l.trim_start().strip_prefix("= ")) {
            Some(expected) => format!("syntax error{at}: {}", clip(expected, 2 * MAX_ECHO)),
            None => format!("syntax error{at}"),
        }
    };
    async_graphql::ServerError::new(message, e.locations.first().copied())
}

/// How deep the GraphQL parser lets selections nest (async-graphql-parser's limit).
const PARSER_DEPTH: usize = 64;

/// `text` cut to `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// A message whose quoted parts (`"name"`, `` `name` ``) are cut to [`MAX_ECHO`] characters each.
fn clip_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(&clip(&after[..close], MAX_ECHO));
                out.push(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&clip(after, MAX_ECHO));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    clip(&out, 8 * MAX_ECHO)
}

fn unauthenticated(message: &str) -> Response {
    error_response(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
}

fn set_code(error: &mut async_graphql::ServerError, code: &str) {
    error.extensions.get_or_insert_with(Default::default).set("code", code);
}

/// Codes for the errors async-graphql raises itself (our resolvers always set one): limits and
/// validation failures have no path; argument values that do not coerce have one.
fn uncoded_error_code(error: &async_graphql::ServerError) -> &'static str {
    match error.message.as_str() {
        "Query is nested too deep." => "QUERY_TOO_DEEP",
        m if m.starts_with("The recursion depth of the query") => "QUERY_TOO_DEEP",
        "Query is too complex." => "QUERY_TOO_COMPLEX",
        _ if error.path.is_empty() => "GRAPHQL_VALIDATION_FAILED",
        _ => "BAD_USER_INPUT",
    }
}

/// The JSON response. GraphQL-over-HTTP: with the graphql-response media type, a request that
/// could not run at all (parse or validation errors, no data) is a 400; otherwise 200.
fn encode(response: async_graphql::Response, graphql_response: bool) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_names_the_position_and_never_the_document() {
        let secret = "x".repeat(5_000);
        let mut request = async_graphql::Request::new(format!("{{ product(sku: \"{secret}\") {{ name }}"));
        let e = request.parsed_query().err().unwrap();
        let cleaned = parse_error(&e);
        assert!(cleaned.message.starts_with("syntax error at line 1"), "{}", cleaned.message);
        assert!(!cleaned.message.contains("xxxx"), "{}", cleaned.message);
        assert!(cleaned.message.len() < 200);
    }

    #[test]
    fn quoted_names_in_messages_are_cut() {
        let long = "a".repeat(500);
        let clipped = clip_quoted(&format!("Unknown field \"{long}\" on type \"Query\"."));
        assert!(clipped.len() < 100, "{clipped}");
        assert!(clipped.ends_with("on type \"Query\"."), "{clipped}");
    }
}
