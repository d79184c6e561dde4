//! The `surreal` server binary, built from the registry's `surrealdb-server` crate for tests.
// The server's query types nest deeply: a release build needs more than the default 128.
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
