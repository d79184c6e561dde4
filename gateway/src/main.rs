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
        /// A browser origin allowed to call the API (CORS), e.g. https://shop.example; repeatable.
        #[arg(long = "cors-origin", env = "ORDO_CORS_ORIGINS", value_delimiter = ',')]
        cors_origins: Vec<String>,
        /// Mutations per second allowed per bearer token (burst: twice as many); 0 turns rate limits off.
        #[arg(long, env = "ORDO_RATE_LIMIT", default_value_t = 50)]
        rate_limit: u32,
        /// Mutations per second allowed per IP address for callers without a token (burst: three times).
        #[arg(long, env = "ORDO_RATE_LIMIT_IP", default_value_t = 10)]
        rate_limit_ip: u32,
        /// Carrier webhook secrets, `carrier=secret` pairs separated by commas (`generic`, `ups`).
        #[arg(long, env = "ORDO_CARRIER_SECRETS", value_delimiter = ',')]
        carrier_secrets: Vec<String>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Mint a bearer token for development and the demo (uses ORDO_JWT_SECRET or data/jwt-secret).
    Token {
        /// customer, staff, admin, channel or supplier.
        #[arg(long)]
        role: String,
        /// The customer id, for --role customer.
        #[arg(long)]
        customer: Option<String>,
        /// The sales channel, for --role channel.
        #[arg(long)]
        channel: Option<String>,
        /// The supplier id, for --role supplier.
        #[arg(long)]
        supplier: Option<String>,
        /// For --role staff: bind the token to stock locations (repeatable); warehouse work
        /// is then allowed only there.
        #[arg(long = "location")]
        locations: Vec<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 86_400)]
        ttl: i64,
    },
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
        Cmd::Token { role, customer, channel, supplier, locations, ttl } => {
            use ordo_gateway::auth::{Actor, Keys};
            let actor = match (role.as_str(), customer, channel, supplier) {
                ("customer", Some(id), _, _) => Actor::Customer { id },
                ("staff", ..) if locations.is_empty() => Actor::Staff,
                ("staff", ..) => Actor::WarehouseStaff { locations },
                ("admin", ..) => Actor::Admin,
                ("channel", _, Some(channel), _) => Actor::Channel { channel },
                ("supplier", _, _, Some(supplier)) => Actor::Supplier { supplier },
                _ => {
                    eprintln!(
                        "ordo token: --role customer needs --customer, channel needs --channel, supplier needs --supplier"
                    );
                    return std::process::ExitCode::FAILURE;
                }
            };
            let minted = ordo_gateway::server::token_secret(false)
                .and_then(|secret| Keys::new(&secret))
                .and_then(|keys| keys.mint(&actor, "ordo-cli", chrono::Duration::seconds(ttl)));
            match minted {
                Ok(token) => {
                    println!("{token}");
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("ordo token: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Cmd::Serve {
            db,
            listen,
            seed_demo,
            production,
            web,
            cors_origins,
            rate_limit,
            rate_limit_ip,
            carrier_secrets,
        } => {
            let carrier_secrets = carrier_secrets
                .iter()
                .filter_map(|pair| pair.split_once('='))
                .map(|(carrier, secret)| (carrier.trim().to_owned(), secret.trim().as_bytes().to_vec()))
                .collect();
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("ordo: cannot listen on {listen}: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            use ordo_gateway::ratelimit::{Rate, RateLimits};
            let rate_limits = (rate_limit > 0).then(|| RateLimits {
                per_token: Rate { per_second: f64::from(rate_limit), burst: rate_limit.saturating_mul(2) },
                per_ip: Rate {
                    per_second: f64::from(rate_limit_ip.max(1)),
                    burst: rate_limit_ip.max(1).saturating_mul(3),
                },
            });
            let config = ordo_gateway::Config {
                db_url: db,
                seed_demo,
                production,
                web_root: web,
                jwt_secret: None,
                cors_origins,
                rate_limits,
                carrier_secrets,
            };
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
