//! The `ordo` binary: a thin entry point over the ordo-gateway library.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "ordo", version, about = "Ordo order management: GraphQL gateway over SurrealDB")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Serve the GraphQL API (and the web demo when --web is given).
    Serve {
        /// Store URL: surrealkv://PATH (embedded, persistent), mem:// (in memory) or ws://HOST:PORT.
        #[arg(long, env = "ORDO_DB", default_value = "surrealkv://data/ordo.db")]
        db: String,
        /// Address to listen on.
        #[arg(long, env = "ORDO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the demo shop into an empty store.
        #[arg(long)]
        seed_demo: bool,
        /// Production mode: no GraphiQL, introspection or field suggestions.
        #[arg(long)]
        production: bool,
        /// Folder of static files to serve at / (the built web demo).
        #[arg(long, env = "ORDO_WEB")]
        web: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ORDO_LOG").unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Cmd::Schema => {
            print!("{}", ordo_gateway::graphql::sdl());
            std::process::ExitCode::SUCCESS
        }
        Cmd::Serve { db, listen, seed_demo, production, web } => {
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("ordo: cannot listen on {listen}: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            let config = ordo_gateway::Config { db_url: db, seed_demo, production, web_root: web };
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            match ordo_gateway::serve(listener, config, shutdown).await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ordo: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}
