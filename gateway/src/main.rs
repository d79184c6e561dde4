//! The `ordo` binary: the command line of [`ordo_gateway::cli`].

fn main() -> std::process::ExitCode {
    ordo_gateway::cli::main()
}
