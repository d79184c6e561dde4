//! The `ordo` command line, built by the tests crate so end-to-end tests can run it as a process
//! of its own (and kill -9 it): `env!("CARGO_BIN_EXE_ordo-e2e")`.

fn main() -> std::process::ExitCode {
    ordo_gateway::cli::main()
}
