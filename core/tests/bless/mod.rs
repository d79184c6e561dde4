//! Whether a fixture test rewrites its expected files instead of checking them.

/// Whether this run rewrites the expected files (`ORDO_BLESS=1`), which makes the fixture tests
/// pass whatever the code does: refused under CI, where a test must be able to fail.
pub fn blessing() -> bool {
    let bless = std::env::var_os("ORDO_BLESS").is_some();
    assert!(
        !(bless && std::env::var_os("CI").is_some()),
        "ORDO_BLESS is set under CI: nothing would be checked"
    );
    bless
}
