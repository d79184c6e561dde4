//! The HTTP edge: GraphQL over POST and GET (our own handler, not the stock batch service),
//! GraphiQL in development, health probes, and the web demo's static files.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::App;
use crate::app::access::{Actor, ClientIp, Subject};
use crate::app::error::ApiError;
use crate::edge::connections::ConnectionLimits;
use crate::edge::gate::{Gate, GatedExecutor, Refusal, client, finish};
use crate::edge::proxies::TrustedProxies;
use crate::edge::ratelimit::RateLimits;
use crate::graphql::OrdoSchema;
use crate::graphql::error::Code;

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
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Body deadline, WebSocket pings, idle time and operations per connection.
    pub connections: ConnectionLimits,
}

#[derive(Clone)]
pub(crate) struct Http {
    schema: OrdoSchema,
    app: App,
    graphiql: bool,
    /// Parse cache and rate limits, shared by HTTP and WebSocket.
    gate: Arc<Gate>,
    carrier_secrets: Arc<Vec<(String, Vec<u8>)>>,
    proxies: Arc<TrustedProxies>,
    connections: ConnectionLimits,
}

pub(crate) fn router(schema: OrdoSchema, app: App, edge: Edge) -> Router {
    let http = Http {
        schema,
        app,
        graphiql: edge.graphiql,
        gate: Arc::new(Gate::new(edge.rate_limits)),
        carrier_secrets: Arc::new(edge.carrier_secrets),
        proxies: Arc::new(edge.trusted_proxies),
        connections: edge.connections,
    };
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphiql/{file}", get(graphiql_asset))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/documents/{order}/{shipment}/{file}", get(document))
        .route("/documents/{order}/receipt.pdf", get(receipt_document))
        .route("/purchase-orders/{id}/purchase-order.pdf", get(purchase_order_document))
        .route("/webhooks/carriers/{carrier}", axum::routing::post(carrier_webhook))
        .route("/unsubscribe", get(unsubscribe_page).post(unsubscribe_one_click))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A body must arrive whole within its deadline, however it is dripped (the head has its
        // own deadline, see `connections`).
        .layer(axum::middleware::from_fn_with_state(edge.connections.body_timeout, body_deadline))
        .layer(axum::middleware::from_fn_with_state(edge.connections.handler_timeout, handler_deadline))
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

/// Answers `408 REQUEST_TIMEOUT` (with a JSON error, like every refusal) when a request takes
/// longer than `deadline`; what it was doing is dropped.
async fn handler_deadline(
    State(deadline): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error_response(
            Code::RequestTimeout,
            &format!("the request took longer than {} s; try again", deadline.as_secs()),
        ),
    }
}

/// Reads a request's whole body within `deadline` (at most [`MAX_BODY_BYTES`]) before the handler
/// runs: a client dripping its body byte by byte gets 408 instead of holding the connection.
async fn body_deadline(
    State(deadline): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.method() == HttpMethod::GET || request.method() == HttpMethod::HEAD {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(deadline, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => {
            next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await
        }
        Ok(Err(_)) => {
            error_response(Code::PayloadTooLarge, &format!("the body is larger than {MAX_BODY_BYTES} bytes"))
        }
        Err(_) => {
            let mut response = error_response(
                Code::RequestTimeout,
                &format!("the body did not arrive within {} s", deadline.as_secs_f32()),
            );
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

async fn readyz(State(http): State<Http>) -> Response {
    if http.app.ready().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "store unavailable").into_response()
    }
}

/// An order's receipt as PDF, for whoever may see the whole order (bearer token, or the signed
/// link `order.receipt` answers). Anyone else gets the same 404 as for a missing order.
async fn receipt_document(
    State(http): State<Http>,
    Path(order_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let path = format!("/documents/{order_id}/receipt.pdf");
    let Some(actor) = document_caller(&http, &headers, query.as_deref(), &path) else {
        return unauthenticated("a bearer token, or a fresh receipt link, is required");
    };
    match crate::app::documents::receipt_for(&http.app, &actor, &order_id).await {
        Ok(pdf) => pdf_response(pdf),
        Err(e) => failure(&e),
    }
}

/// A purchase order as PDF, for staff or its supplier once it was sent (bearer token, or the
/// signed link `purchaseOrder.document` answers). Anyone else gets the same 404 as for a missing
/// one.
async fn purchase_order_document(
    State(http): State<Http>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let path = format!("/purchase-orders/{id}/purchase-order.pdf");
    let Some(actor) = document_caller(&http, &headers, query.as_deref(), &path) else {
        return unauthenticated("a staff or supplier bearer token, or a fresh document link, is required");
    };
    match crate::app::documents::restock_order_for(&http.app, &actor, &id).await {
        Ok(pdf) => pdf_response(pdf),
        Err(e) => failure(&e),
    }
}

/// Who asks for the document at `path`: a bearer token's caller, or the caller a signed link's
/// own token (`?token=`, what `shipment.documents` and `order.receipt` answer) was made for,
/// for this path only. `None` when neither holds.
fn document_caller(http: &Http, headers: &HeaderMap, query: Option<&str>, path: &str) -> Option<Actor> {
    let keys = http.app.keys();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| keys.verify(t.trim()));
    let link = || token_of(query).map(|t| keys.verify_document_link(&t, path));
    bearer.or_else(link).and_then(Result::ok)
}

fn pdf_response(pdf: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, pdf).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    response
}

/// A shipment's label, commercial invoice or packing slip as PDF: staff, or the supplier that
/// ships the parcel. Anyone else gets the same 404 as for a missing parcel.
async fn document(
    State(http): State<Http>,
    Path((order_id, shipment_id, file)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    use crate::app::documents::{Document, for_parcel};
    let path = format!("/documents/{order_id}/{shipment_id}/{file}");
    let Some(actor) = document_caller(&http, &headers, query.as_deref(), &path) else {
        return unauthenticated("a staff or supplier bearer token, or a fresh document link, is required");
    };
    let Some(kind) = Document::from_file_name(&file) else { return failure(&ApiError::NotFound("document")) };
    match for_parcel(&http.app, &actor, &order_id, &shipment_id, kind).await {
        Ok(pdf) => pdf_response(pdf),
        Err(e) => failure(&e),
    }
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
    use crate::app::tracking::record;
    use crate::edge::carriers::{WebhookError, parse, verify};
    let Some((_, secret)) = http.carrier_secrets.iter().find(|(name, _)| *name == carrier) else {
        return error_response(Code::NotFound, "no such carrier");
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(e) =
        verify(secret, header("ordo-timestamp"), header("ordo-signature"), &body, chrono::Utc::now())
    {
        let code = if e == WebhookError::Stale { Code::StaleSignature } else { Code::BadSignature };
        return error_response(code, &e.to_string());
    }
    let reports = match parse(&carrier, &body) {
        Ok(r) => r,
        Err(e) => return error_response(Code::BadRequest, &e.to_string()),
    };
    let by = crate::app::Doer::system(&format!("carrier:{carrier}"));
    match record(&http.app, &carrier, &reports, &by).await {
        Ok(done) => {
            let body = serde_json::json!({ "accepted": done.accepted, "duplicates": done.duplicates });
            let mut response = (StatusCode::OK, body.to_string()).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(ApiError::NotFound(_)) => error_response(Code::NotFound, "unknown tracking number"),
        Err(e) => failure(&e),
    }
}

/// The `token` parameter of a query string, if there is one.
fn token_of(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned())
}

/// A mail client's one-click unsubscribe (RFC 8058): `POST /unsubscribe?token=…` with the body
/// `List-Unsubscribe=One-Click`, the address in its `List-Unsubscribe` header. Only a POST
/// unsubscribes (a link scanner's GET never does); the address's choice is kept, and posting
/// again changes nothing.
async fn unsubscribe_one_click(State(http): State<Http>, RawQuery(query): RawQuery) -> Response {
    let Some(token) = token_of(query.as_deref()) else {
        return error_response(Code::BadRequest, "the unsubscribe address needs its token");
    };
    match crate::app::opt_out::one_click(&http.app, &token).await {
        Ok(()) => {
            (StatusCode::OK, "Unsubscribed: you will not be asked for feedback again.\n").into_response()
        }
        Err(e) => failure(&e),
    }
}

/// The same address opened in a browser: the page that shows the choice and asks to confirm it.
async fn unsubscribe_page(RawQuery(query): RawQuery) -> Response {
    let token = token_of(query.as_deref()).unwrap_or_default();
    let target: String =
        url::form_urlencoded::Serializer::new(String::new()).append_pair("token", &token).finish();
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/#/unsubscribe?{target}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A plain HTTP refusal: `{"errors": [{message, extensions: {code}}]}` with the code's status.
fn error_response(code: Code, message: &str) -> Response {
    json_error(code.status(), code.as_str(), message)
}

/// A use case's failure as a plain HTTP answer.
fn failure(error: &ApiError) -> Response {
    json_error(crate::graphql::error::status(error), crate::graphql::error::code(error), &error.to_string())
}

fn json_error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
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
        return error_response(Code::UnsupportedMediaType, "send application/json");
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return error_response(Code::BadRequest, "the body is not valid JSON");
        }
    };
    if value.is_array() {
        return error_response(Code::BatchNotSupported, "send one operation per request");
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(_) => {
            return error_response(
                Code::BadRequest,
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
        let ip = http.proxies.client(peer.ip(), &parts.headers);
        return websocket(http, &mut parts, ip).await;
    }
    let headers = parts.headers;
    let query = parts.uri.query().map(str::to_owned);
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        if http.graphiql {
            return Html(super::graphiql::PAGE).into_response();
        }
        return error_response(Code::BadRequest, "missing query");
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(_) => return error_response(Code::BadRequest, "malformed query string"),
    };
    respond(&http, request, &headers, peer, Method::Get).await
}

/// GraphiQL's scripts and styles, from the binary (development only; production answers 404).
async fn graphiql_asset(State(http): State<Http>, Path(file): Path<String>) -> Response {
    let Some((bytes, content_type, gzipped)) = super::graphiql::asset(&file).filter(|_| http.graphiql) else {
        return error_response(Code::NotFound, "no such asset");
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    if gzipped {
        // Every browser takes gzip; these are for GraphiQL in a browser only.
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// Bytes tungstenite reads from a subscription socket at once.
const WS_READ_BUFFER: usize = 4 * 1024;
/// The largest message a subscription client may send (`subscribe` documents are small).
const WS_MAX_MESSAGE: usize = 256 * 1024;

/// Subscriptions over WebSocket. The bearer token comes in `connection_init`'s payload
/// (`{"Authorization": "Bearer …"}` or `{"authToken": "…"}`); a bad one closes the connection.
/// Every operation passes the same [`Gate`] as over HTTP; see [`drive`] for pings and idle time.
async fn websocket(http: Http, parts: &mut axum::http::request::Parts, ip: std::net::IpAddr) -> Response {
    use std::str::FromStr;

    use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
    use axum::extract::FromRequestParts;
    use axum::extract::ws::WebSocketUpgrade;
    let protocol = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| offered.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok()));
    let Some(protocol) = protocol else {
        return error_response(Code::BadRequest, "offer the graphql-transport-ws or graphql-ws sub-protocol");
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &()).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let executor = GatedExecutor {
        schema: http.schema.clone(),
        gate: Arc::clone(&http.gate),
        ip,
        running: Arc::default(),
        max_running: http.connections.max_subscriptions,
    };
    let keys = http.app.keys().clone();
    let limits = http.connections;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Clients send a few small control messages; tungstenite zero-fills its whole read
        // buffer on every read, so its 128 KiB default made each read cost a 128 KiB memset
        // (29% of the CPU with 5,000 subscribers).
        .read_buffer_size(WS_READ_BUFFER)
        .max_message_size(WS_MAX_MESSAGE)
        .max_frame_size(WS_MAX_MESSAGE)
        .on_upgrade(move |socket| drive(socket, executor, protocol, keys, limits))
        .into_response()
}

/// Runs one WebSocket: the GraphQL protocol over it, a ping every `ws_ping_every` (a client that
/// answers nothing for two of them is gone), `connection_init` within a deadline, and a close
/// once the connection has had no operation running for `ws_idle`.
async fn drive(
    socket: axum::extract::ws::WebSocket,
    executor: GatedExecutor,
    protocol: async_graphql::http::WebSocketProtocols,
    keys: crate::app::tokens::Keys,
    limits: ConnectionLimits,
) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    use axum::extract::ws::{CloseFrame, Message};
    use futures::{SinkExt, StreamExt};

    let started = Instant::now();
    let millis = move || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let heard = Arc::new(AtomicU64::new(0));
    let initialised = Arc::new(AtomicBool::new(false));
    let (mut sink, source) = socket.split();
    let input = {
        let heard = Arc::clone(&heard);
        source.take_while(|frame| futures::future::ready(frame.is_ok())).filter_map(move |frame| {
            heard.store(millis(), Ordering::Relaxed);
            futures::future::ready(match frame {
                Ok(Message::Text(text)) => Some(Bytes::from(text)),
                Ok(Message::Binary(bytes)) => Some(bytes),
                _ => None,
            })
        })
    };
    let mut connection_data = async_graphql::Data::default();
    connection_data.insert(ClientIp(executor.ip));
    let running = Arc::clone(&executor.running);
    let on_init = {
        let initialised = Arc::clone(&initialised);
        move |payload: serde_json::Value| async move {
            let token = payload
                .get("Authorization")
                .or_else(|| payload.get("authorization"))
                .and_then(serde_json::Value::as_str)
                .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
                .or_else(|| payload.get("authToken").and_then(serde_json::Value::as_str).map(str::to_owned));
            let (actor, subject) = match token {
                None => (Actor::Anonymous, "anonymous".to_owned()),
                Some(token) => keys
                    .verify_subject(&token)
                    .map_err(|_| async_graphql::Error::new("the bearer token is invalid or expired"))?,
            };
            let mut data = async_graphql::Data::default();
            data.insert(actor);
            data.insert(Subject(subject));
            initialised.store(true, Ordering::Relaxed);
            Ok(data)
        }
    };
    let mut messages = async_graphql::http::WebSocket::new(executor, input, protocol)
        .connection_data(connection_data)
        .on_connection_init(on_init)
        .map(|message| match message {
            async_graphql::http::WsMessage::Text(text) => Message::Text(text.into()),
            async_graphql::http::WsMessage::Close(code, reason) => {
                Message::Close(Some(CloseFrame { code, reason: reason.into() }))
            }
        });
    let every = limits.ws_ping_every.max(Duration::from_millis(10));
    let init_deadline = (limits.ws_idle / 10).max(limits.header_timeout);
    let mut ticker = tokio::time::interval_at(
        tokio::time::Instant::now() + every.min(init_deadline),
        every.min(init_deadline),
    );
    let mut busy_at = 0u64;
    let close =
        |code: u16, reason: &'static str| Message::Close(Some(CloseFrame { code, reason: reason.into() }));
    loop {
        tokio::select! {
            message = messages.next() => match message {
                // A client that stops reading is cut off instead of stalling this loop.
                Some(message) => {
                    if !matches!(tokio::time::timeout(every * 2, sink.send(message)).await, Ok(Ok(()))) {
                        break;
                    }
                }
                None => break,
            },
            _ = ticker.tick() => {
                let now = millis();
                let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                if running.load(Ordering::Acquire) > 0 {
                    busy_at = now;
                }
                let ending = if !initialised.load(Ordering::Relaxed) && now >= ms(init_deadline) {
                    Some(close(4408, "connection_init was not sent in time"))
                } else if now.saturating_sub(heard.load(Ordering::Relaxed)) > 2 * ms(every) {
                    Some(close(1001, "no answer to pings"))
                } else if now.saturating_sub(busy_at) > ms(limits.ws_idle) {
                    Some(close(1000, "idle: no subscription for too long"))
                } else {
                    None
                };
                if let Some(ending) = ending {
                    let _ = tokio::time::timeout(every, sink.send(ending)).await;
                    break;
                }
                if !matches!(tokio::time::timeout(every * 2, sink.send(Message::Ping(Bytes::new()))).await, Ok(Ok(()))) {
                    break;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Authenticates, admits the operation through the [`Gate`] (parse once, size caps, rate limit
/// by its cost), runs it, and gives every error an `extensions.code`.
async fn respond(
    http: &Http,
    mut request: async_graphql::Request,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: Method,
) -> Response {
    // A store known to be away (its watch's last ping failed): say so at once instead of
    // letting the request wait for it until the deadline.
    if !http.app.store_reachable() {
        return error_response(Code::StoreUnavailable, "the store is unavailable; try again");
    }
    let token = match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        None => None,
        Some(Ok(value)) => match value.strip_prefix("Bearer ") {
            Some(token) => Some(token.trim()),
            None => return unauthenticated("send the token as `Authorization: Bearer <token>`"),
        },
        Some(Err(_)) => return unauthenticated("the bearer token is invalid"),
    };
    let (actor, subject) = match token.map(|t| http.app.keys().verify_subject(t)) {
        None => (Actor::Anonymous, Subject("anonymous".into())),
        Some(Ok((actor, subject))) => (actor, Subject(subject)),
        Some(Err(_)) => return unauthenticated("the bearer token is invalid or expired"),
    };
    let graphql_response = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/graphql-response+json"));
    let ip = http.proxies.client(peer.ip(), headers);
    let scope = actor.scope(&subject.0);
    match http.gate.admit(&mut request, client(&actor, &scope, ip), method == Method::Post) {
        Ok(_) => {}
        Err(Refusal::Parse(e)) => {
            return encode(async_graphql::Response::from_errors(vec![e]), graphql_response);
        }
        Err(refusal @ Refusal::Limit { .. }) => return refusal_response(&refusal),
    }
    let mut response = http.schema.execute(request.data(actor).data(subject).data(ClientIp(ip))).await;
    finish(&mut response);
    encode(response, graphql_response)
}

/// A refused operation as its HTTP answer (with `Retry-After` when waiting helps).
fn refusal_response(refusal: &Refusal) -> Response {
    let Refusal::Limit { code, retry_after, .. } = refusal else {
        return encode(async_graphql::Response::from_errors(vec![refusal.to_error()]), false);
    };
    let body = serde_json::json!({ "errors": [refusal.to_error()] });
    let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
    }
    response
}

fn unauthenticated(message: &str) -> Response {
    error_response(Code::Unauthenticated, message)
}

/// The JSON response. GraphQL over HTTP: with the graphql-response media type, a request that
/// could not run at all (parse or validation errors) is a 400 without a `data` entry; one that
/// ran is a 200 (its errors, if any, inside); with plain JSON always a 200.
fn encode(response: async_graphql::Response, graphql_response: bool) -> Response {
    // A request that did not run (it failed to parse or validate: errors without a path, no
    // data) has no `data` entry; one that ran has it, even when null (GraphQL over HTTP).
    let did_not_run = response.data == async_graphql::Value::Null
        && response.is_err()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if graphql_response && did_not_run { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let encoded = if graphql_response && did_not_run {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    let body = match encoded {
        Ok(b) => b,
        Err(_) => {
            return error_response(Code::Internal, "could not encode the response");
        }
    };
    let content_type =
        if graphql_response { "application/graphql-response+json" } else { "application/json" };
    let mut out = (status, body).into_response();
    out.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out
}
