//! The `ordo` command line as a process of its own (`ordo-e2e`, built by this crate), for tests
//! that kill it with SIGKILL and start it again on the same files.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::time::Duration;

use ordo_tests::eventually;
use serde_json::{Value, json};

/// The `ordo` command line, built by this crate as `ordo-e2e`, serving on `store` with messages
/// sent to `smtp`; killed on drop.
pub(crate) struct Binary {
    child: tokio::process::Child,
    base: String,
}

impl Binary {
    pub(crate) async fn start(db: &str, smtp: &str) -> Binary {
        Binary::start_with(db, smtp, &[]).await
    }

    /// [`Binary::start`] with more environment (`ORDO_DB_USER`… for a SurrealDB server).
    pub(crate) async fn start_with(db: &str, smtp: &str, env: &[(&str, &str)]) -> Binary {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ordo-e2e"))
            .args([
                "serve",
                "--db",
                db,
                "--seed-demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--smtp",
                smtp,
            ])
            .args(["--mail-from", "Lumen & Co <orders@lumen.example>", "--shop-name", "Lumen & Co"])
            .env("ORDO_JWT_SECRET", std::str::from_utf8(ordo_tests::TEST_SECRET).unwrap())
            .env("ORDO_RATE_LIMIT", "0")
            .env("ORDO_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start ordo-e2e");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let ready = eventually(Duration::from_secs(60), || async {
            let up = client.get(format!("{base}/readyz")).send().await.ok()?;
            up.status().is_success().then_some(())
        })
        .await;
        assert!(ready.is_some(), "ordo-e2e did not become ready on {base}");
        Binary { child, base }
    }

    pub(crate) async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub(crate) async fn kill(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}
