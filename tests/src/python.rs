//! The tests' Python: a virtualenv under `target/` with the packages of `tests/python/requirements.txt`
//! (PyPI, pinned), made on first use: aiosmtpd for the SMTP server, standardwebhooks for the
//! webhook receiver. Each helper script speaks JSON lines on its standard output.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::workspace_root;

/// A running helper script: the port it listens on, every record it printed since, in order.
#[derive(Debug)]
pub(crate) struct Helper {
    pub port: u16,
    pub records: Arc<Mutex<Vec<Value>>>,
    pub child: Child,
}

/// Starts `tests/python/<script>` with `args`; it prints `{"port": N}` once listening, then one
/// JSON record per line. `what` names it in panics.
pub(crate) async fn start(script: &str, args: &[&str], what: &str) -> Helper {
    let mut child = Command::new(python().await)
        .arg(workspace_root().join("tests/python").join(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start the {what}: {e}"));
    let stdout = child.stdout.take().expect("the helper's output");
    let mut lines = BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap_or_else(|_| panic!("the {what} starts"))
        .unwrap_or_else(|e| panic!("read the {what}'s output: {e}"))
        .unwrap_or_else(|| panic!("the {what} prints its port"));
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
    Helper { port, records, child }
}

/// The virtualenv's Python, made once per test process (the install runs at most once).
pub async fn python() -> std::path::PathBuf {
    static READY: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    READY
        .get_or_init(|| async {
            let root = workspace_root();
            let requirements = root.join("tests/python/requirements.txt");
            let wanted = std::fs::read_to_string(&requirements).expect("tests/python/requirements.txt");
            let venv = root.join("target/python-venv");
            let marker = venv.join("installed.txt");
            let python = venv.join("bin/python");
            if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
                let run = |program: &std::path::Path, args: &[&str]| {
                    let status = std::process::Command::new(program).args(args).status();
                    assert!(
                        status.is_ok_and(|s| s.success()),
                        "{} {args:?} failed (tests/run installs python3-venv)",
                        program.display()
                    );
                };
                let venv_arg = venv.to_str().expect("a UTF-8 path");
                run(std::path::Path::new("python3"), &["-m", "venv", venv_arg]);
                let req = requirements.to_str().expect("a UTF-8 path");
                run(&python, &["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", req]);
                std::fs::write(&marker, wanted).expect("write the virtualenv's marker");
            }
            python
        })
        .await
        .clone()
}
