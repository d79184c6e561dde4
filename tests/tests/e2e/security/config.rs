//! Hole 9: the development token secret is readable by its owner only, and a carrier webhook
//! secret that is empty is refused at start (anyone could sign tracking updates with it).

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_gateway::store::Store;

#[cfg(unix)]
#[test]
fn the_kept_token_secret_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("ordo-secret-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let secret = ordo_gateway::server::kept_secret(&dir).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let path = dir.join("jwt-secret");
    assert_eq!(mode(&path), 0o600);
    // A secret an older version left world-readable is restricted, and kept.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(ordo_gateway::server::kept_secret(&dir).unwrap(), secret);
    assert_eq!(mode(&path), 0o600);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_empty_carrier_webhook_secret_is_refused_at_start() {
    let store = Store::open("mem://").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ordo_gateway::Config {
        carrier_secrets: vec![("ups".into(), Vec::new())],
        jwt_secret: Some(ordo_tests::TEST_SECRET.to_vec()),
        ..ordo_gateway::Config::default()
    };
    let served = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        ordo_gateway::serve_store(listener, store, config, std::future::pending()),
    )
    .await
    .expect("refused at once, not served");
    let error = served.unwrap_err().to_string();
    assert!(error.contains("ups") && error.contains("empty"), "{error}");
}
