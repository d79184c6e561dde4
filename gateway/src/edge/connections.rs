//! Accepting connections: a cap on how many are open (in all and per client address), a deadline
//! for every request head (which is also how long an idle keep-alive connection may wait), and
//! a graceful stop. A slow client dripping one header every few seconds is cut off at the
//! deadline instead of holding its connection forever.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;

use crate::graphql::error::Code;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How many connections the gateway keeps and how long it waits for their clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections at most; one more is answered 503 `TOO_MANY_CONNECTIONS` and closed.
    pub max_connections: usize,
    /// Open connections at most from one client address (not applied to trusted proxies).
    pub max_per_ip: usize,
    /// The deadline for a request's head (request line and headers), from the moment the
    /// connection waits for one: also how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// The deadline for reading a request's body.
    pub body_timeout: Duration,
    /// The deadline for answering a request once its body arrived (`REQUEST_TIMEOUT` after it).
    pub handler_timeout: Duration,
    /// How often a WebSocket is pinged; a client silent (no pong, no message) for two intervals
    /// is closed.
    pub ws_ping_every: Duration,
    /// How long a WebSocket may stay open without an active subscription (and how long a new
    /// one has to send `connection_init`: a tenth of this, at least the header timeout).
    pub ws_idle: Duration,
    /// Operations (subscriptions) one WebSocket connection may have running at once.
    pub max_subscriptions: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 10_000,
            max_per_ip: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            handler_timeout: Duration::from_secs(30),
            ws_ping_every: Duration::from_secs(20),
            ws_idle: Duration::from_secs(120),
            max_subscriptions: 100,
        }
    }
}

/// Open connections, in all and per address.
#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// A connection's place in [`Open`], given back when it closes.
#[derive(Debug)]
struct Slot {
    open: Arc<Mutex<Open>>,
    ip: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(ip) = self.ip
            && let Some(n) = open.per_ip.get_mut(&ip)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.per_ip.remove(&ip);
            }
        }
    }
}

/// A client's socket holding its place in [`Open`]: the place is given back when the socket is
/// dropped, which for a WebSocket is when the upgraded connection ends, not when its HTTP
/// exchange does.
#[derive(Debug)]
struct Counted {
    stream: TcpStream,
    _slot: Slot,
}

impl tokio::io::AsyncRead for Counted {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Counted {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Which cap a refused connection hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Full {
    All,
    ThisAddress,
}

fn admit(open: &Arc<Mutex<Open>>, limits: &ConnectionLimits, ip: Option<IpAddr>) -> Result<Slot, Full> {
    let mut state = open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if state.total >= limits.max_connections {
        return Err(Full::All);
    }
    if let Some(ip) = ip {
        let n = state.per_ip.entry(ip).or_insert(0);
        if *n >= limits.max_per_ip {
            return Err(Full::ThisAddress);
        }
        *n += 1;
    }
    state.total += 1;
    Ok(Slot { open: Arc::clone(open), ip })
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish
/// (at most `grace`). `uncapped` says which peers are not held to the per-address cap (trusted
/// proxies, whose connections carry many clients).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    uncapped: impl Fn(IpAddr) -> bool + Send + 'static,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let open = Arc::new(Mutex::new(Open::default()));
    // HTTP exchanges in progress (a WebSocket's ends at its upgrade): what a stop waits for.
    let exchanges = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = (!uncapped(peer.ip())).then(|| crate::app::access::ClientIp(peer.ip()).network());
        let slot = match admit(&open, &limits, ip) {
            Ok(slot) => slot,
            Err(full) => {
                tokio::spawn(refuse(stream, full));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let counted = Counted { stream, _slot: slot };
        let exchange = Exchange::start(&exchanges);
        tokio::spawn(connection(counted, peer, router.clone(), limits, stopping.clone(), exchange));
    }
    let _ = stop.send(true);
    // Wait for HTTP exchanges to finish their requests (each stops after its current one).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while exchanges.load(std::sync::atomic::Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Counts an HTTP exchange in progress until dropped.
#[derive(Debug)]
struct Exchange(Arc<std::sync::atomic::AtomicUsize>);

impl Exchange {
    fn start(count: &Arc<std::sync::atomic::AtomicUsize>) -> Exchange {
        count.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Exchange(Arc::clone(count))
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// One connection: HTTP/1.1 with upgrades (WebSocket), the head deadline, and a graceful stop.
async fn connection(
    stream: Counted,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    mut stopping: tokio::sync::watch::Receiver<bool>,
    exchange: Exchange,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let router = router.clone();
        async move {
            Ok::<_, Infallible>(
                router.oneshot(request.map(axum::body::Body::new)).await.into_response_infallible(),
            )
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let served = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
    tokio::pin!(served);
    let result = tokio::select! {
        result = served.as_mut() => result,
        () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
            served.as_mut().graceful_shutdown();
            served.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, %peer, "connection ended");
    }
    drop(exchange);
}

/// Router responses are infallible; this names the conversion once.
trait IntoResponseInfallible {
    fn into_response_infallible(self) -> axum::response::Response;
}

impl IntoResponseInfallible for Result<axum::response::Response, Infallible> {
    fn into_response_infallible(self) -> axum::response::Response {
        match self {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

/// Answers a connection over a cap with 503 and the limit it hit, then closes it.
async fn refuse(mut stream: TcpStream, full: Full) {
    let message = match full {
        Full::All => "the gateway has as many connections open as it allows; retry shortly",
        Full::ThisAddress => "too many connections from this address; close some and retry",
    };
    let body = serde_json::json!({ "errors": [{ "message": message,
        "extensions": { "code": Code::TooManyConnections.as_str(), "retryAfter": 1 } }] })
    .to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_capped_in_all_and_per_address_and_slots_come_back() {
        let open = Arc::new(Mutex::new(Open::default()));
        let limits = ConnectionLimits { max_connections: 3, max_per_ip: 2, ..ConnectionLimits::default() };
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let first = admit(&open, &limits, Some(a)).unwrap();
        let _second = admit(&open, &limits, Some(a)).unwrap();
        assert_eq!(admit(&open, &limits, Some(a)).unwrap_err(), Full::ThisAddress);
        let _third = admit(&open, &limits, Some(b)).unwrap();
        assert_eq!(admit(&open, &limits, None).unwrap_err(), Full::All);
        drop(first);
        assert!(admit(&open, &limits, Some(a)).is_ok(), "a closed connection frees its slot");
    }
}
