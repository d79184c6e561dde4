//! The `surreal` server binary, built from the registry's `surrealdb-server` crate for tests.

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
