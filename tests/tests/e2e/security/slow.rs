//! Hole 5: slow clients do not hold connections. A request head dripped a header at a time is cut
//! off at its deadline, so is a dripped body and an idle keep-alive connection; a WebSocket must
//! send `connection_init` in time, is pinged, and is closed once idle.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::{Duration, Instant};

use futures::StreamExt;
use ordo_gateway::edge::connections::ConnectionLimits;
use ordo_gateway::store::Store;
use ordo_tests::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn app_with(connections: ConnectionLimits) -> TestApp {
    let config = ordo_gateway::Config {
        seed_demo: true,
        rate_limits: None,
        connections,
        ..ordo_gateway::Config::default()
    };
    TestApp::serve_with(Store::open("mem://").await.unwrap(), config).await
}

fn quick() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        ws_ping_every: Duration::from_millis(300),
        ws_idle: Duration::from_secs(2),
        ..ConnectionLimits::default()
    }
}

/// Writes `chunks` one every `every` until the server closes the connection; how long that took.
async fn drip(stream: &mut tokio::net::TcpStream, chunks: &[String], every: Duration) -> Option<Duration> {
    let started = Instant::now();
    for chunk in chunks {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            return Some(started.elapsed());
        }
        // A closed connection shows as end of stream (or a reset) on read.
        let mut buf = [0u8; 512];
        match tokio::time::timeout(every, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {
                // The server answered (a timeout status) and will close: wait for it.
                let mut rest = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
                return Some(started.elapsed());
            }
            Err(_) => {}
        }
    }
    None
}

#[tokio::test]
async fn a_client_dripping_headers_is_cut_off_at_the_head_deadline() {
    let app = app_with(quick()).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let mut chunks = vec!["POST /graphql HTTP/1.1\r\n".to_owned()];
    chunks.extend((0..30).map(|i| format!("x-drip-{i}: {i}\r\n")));
    // 30 headers at 250 ms would take 7.5 s; the deadline is 1 s.
    let closed = drip(&mut stream, &chunks, Duration::from_millis(250)).await;
    let closed = closed.expect("the server closed the connection");
    assert!(closed < Duration::from_secs(4), "closed after {closed:?}");
    // Everyone else is served meanwhile and after.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_dripped_body_and_an_idle_keep_alive_connection_are_cut_off() {
    let app = app_with(quick()).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n",
        app.addr
    );
    let mut chunks = vec![head];
    chunks.extend((0..40).map(|_| " ".repeat(10)));
    let closed = drip(&mut stream, &chunks, Duration::from_millis(250)).await.expect("cut off");
    assert!(closed < Duration::from_secs(5), "closed after {closed:?}");

    // A finished request's connection may idle only until the head deadline.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(format!("GET /healthz HTTP/1.1\r\nhost: {}\r\n\r\n", app.addr).as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let n = idle.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let end = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut answer)).await;
    assert!(matches!(end, Ok(Ok(0) | Err(_))), "the idle connection was closed: {end:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn a_websocket_must_initialise_in_time_is_pinged_and_closes_when_idle() {
    let app = app_with(quick()).await;
    let connect = || async {
        let mut request = format!("ws://{}/graphql", app.addr).into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        tokio_tungstenite::connect_async(request).await.unwrap().0
    };
    // Never sends connection_init: closed with 4408.
    let mut silent = connect().await;
    let started = Instant::now();
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(5), silent.next()).await.expect("closed in time") {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(4408));
    assert!(started.elapsed() < Duration::from_secs(4));

    // Initialised, without a subscription: pinged, then closed as idle.
    let mut idle = connect().await;
    use futures::SinkExt;
    idle.send(Message::Text(r#"{"type":"connection_init","payload":{}}"#.into())).await.unwrap();
    let (mut pings, mut closed) = (0, None);
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(6), idle.next()).await {
        match message {
            Message::Ping(_) => pings += 1,
            Message::Close(frame) => {
                closed = frame;
                break;
            }
            _ => {}
        }
    }
    assert!(pings >= 2, "pinged {pings} times");
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(1000), "closed as idle");
}
