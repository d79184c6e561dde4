//! A real channel endpoint for the webhook tests: `tests/python/webhook_receiver.py`, which checks
//! every signature with the `standardwebhooks` package from PyPI (independent of the gateway's
//! signing), on a loopback port; it stops when the handle is dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::process::Child;

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
        let args: Vec<&str> = ["--secret", secret].into_iter().chain(args.iter().copied()).collect();
        let helper = crate::python::start("webhook_receiver.py", &args, "webhook receiver").await;
        WebhookReceiver { port: helper.port, records: helper.records, _child: helper.child }
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
