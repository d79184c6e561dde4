//! The tests' Python: a virtualenv under `target/` with the packages of `tests/python/requirements.txt`
//! (PyPI, pinned), made on first use: aiosmtpd for the SMTP server, standardwebhooks for the
//! webhook receiver. Each helper script speaks JSON lines on its standard output.

use crate::workspace_root;

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
