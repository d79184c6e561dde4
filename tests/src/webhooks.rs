//! A real channel endpoint for the webhook tests: `tests/python/webhook_receiver.py`, which checks
//! every signature with the `standardwebhooks` package from PyPI (independent of the gateway's
//! signing), on a loopback port; it stops when the handle is dropped.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::workspace_root;

/// A running receiver and the requests it got.
#[derive(Debug)]
pub struct WebhookReceiver {
    pub port: u16,
    /// Every request, in order: `{id, timestamp, verified, error, status, payload}`.
    records: Arc<Mutex<Vec<Value>>>,
    _child: Child,
}

impl WebhookReceiver {
    /// Starts a receiver that verifies with `secret` (`whsec_…`) and answers 204.
    pub async fn start(secret: &str) -> WebhookReceiver {
        Self::start_with(secret, &[]).await
    }

    /// Starts a receiver that answers the first `fail` requests with 503.
    pub async fn start_failing(secret: &str, fail: u32) -> WebhookReceiver {
        Self::start_with(secret, &["--fail", &fail.to_string()]).await
    }

    /// Starts a receiver on `port` (an endpoint coming back where the gateway sends).
    pub async fn start_on(secret: &str, port: u16) -> WebhookReceiver {
        Self::start_with(secret, &["--port", &port.to_string()]).await
    }

    async fn start_with(secret: &str, args: &[&str]) -> WebhookReceiver {
        let script = workspace_root().join("tests/python/webhook_receiver.py");
        let mut child = Command::new(crate::python::python().await)
            .arg(script)
            .args(["--secret", secret])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the webhook receiver");
        let stdout = child.stdout.take().expect("the receiver's output");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the webhook receiver starts")
            .expect("read the webhook receiver's output")
            .expect("the webhook receiver prints its port");
        let port: Value = serde_json::from_str(&first).expect("a JSON line");
        let port = u16::try_from(port["port"].as_u64().expect("a port")).expect("a port number");
        let records = Arc::new(Mutex::new(Vec::new()));
        let sink = records.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let record: Value = serde_json::from_str(&line).expect("a JSON line");
                sink.lock().expect("records").push(record);
            }
        });
        WebhookReceiver { port, records, _child: child }
    }

    /// Where the gateway should send: `http://127.0.0.1:<port>/hooks/ordo`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/ordo", self.port)
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Value> {
        self.records.lock().expect("records").clone()
    }

    /// The verified payloads the receiver acknowledged (2xx), in order.
    pub fn acknowledged(&self) -> Vec<Value> {
        self.received().into_iter().filter(|r| r["status"] == 204).map(|r| r["payload"].clone()).collect()
    }

    /// Waits until `count` requests were acknowledged, and answers their payloads; panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Value> {
        let got = crate::eventually(limit, || async {
            let acknowledged = self.acknowledged();
            (acknowledged.len() >= count).then_some(acknowledged)
        })
        .await;
        got.unwrap_or_else(|| panic!("expected {count} webhooks, got {:#?}", self.received()))
    }
}
