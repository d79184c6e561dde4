//! A real SMTP server for the message tests: `tests/python/smtp_server.py` (aiosmtpd, from PyPI, in
//! the tests' virtualenv, see [`crate::python`]) on a free loopback port. Each accepted message is
//! parsed by Python's own e-mail library, independent of the gateway's; the server stops when the
//! handle is dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::process::Child;

/// A running SMTP server and what it received.
#[derive(Debug)]
pub struct SmtpServer {
    pub port: u16,
    /// Accepted messages and refused DATA attempts (`{"refused": true, "message_id": …}`), in order.
    records: Arc<Mutex<Vec<Value>>>,
    _child: Child,
}

impl SmtpServer {
    /// Starts a server that accepts every message.
    pub async fn start() -> SmtpServer {
        Self::start_with(&[]).await
    }

    /// Starts a server that answers the first `fail_data` messages' DATA with 451.
    pub async fn start_failing(fail_data: u32) -> SmtpServer {
        Self::start_with(&["--fail-data", &fail_data.to_string()]).await
    }

    /// Starts a server that takes the first message (reported as received) and never answers its
    /// DATA: the sender has sent it and will not hear so.
    pub async fn start_holding_first() -> SmtpServer {
        Self::start_with(&["--hold-first"]).await
    }

    /// Starts a server on `port` (a mail server coming back where the gateway expects it).
    pub async fn start_on(port: u16) -> SmtpServer {
        Self::start_with(&["--port", &port.to_string()]).await
    }

    async fn start_with(args: &[&str]) -> SmtpServer {
        let helper = crate::python::start("smtp_server.py", args, "SMTP server").await;
        SmtpServer { port: helper.port, records: helper.records, _child: helper.child }
    }

    /// `smtp://127.0.0.1:<port>` (plain: loopback only).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Value> {
        self.records.lock().expect("records").iter().filter(|r| r["refused"].is_null()).cloned().collect()
    }

    /// Every DATA refused with 451 so far (their Message-IDs).
    pub fn refused(&self) -> Vec<Value> {
        self.records.lock().expect("records").iter().filter(|r| r["refused"] == true).cloned().collect()
    }

    /// Waits until `count` messages were accepted (polling), and answers them; panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Value> {
        let got = crate::eventually(limit, || async {
            let received = self.received();
            (received.len() >= count).then_some(received)
        })
        .await;
        got.unwrap_or_else(|| panic!("expected {count} messages, got {:#?}", self.received()))
    }
}
