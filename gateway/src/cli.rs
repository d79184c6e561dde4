//! The `ordo` command line: `serve`, `schema` and `token`, parsed with clap. The `ordo` binary is
//! [`main`]; the end-to-end tests build the same entry point as their own binary, to kill -9 it.

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
        /// Plain mutations per second allowed per caller with a token (burst: twice as many;
        /// placeOrder and authorizePayment count four, a read a fifth); 0 turns rate limits off.
        #[arg(long, env = "ORDO_RATE_LIMIT", default_value_t = 50)]
        rate_limit: u32,
        /// Plain mutations per second allowed per IP address for anonymous callers and guests
        /// (burst: three times as many; weighted the same way).
        #[arg(long, env = "ORDO_RATE_LIMIT_IP", default_value_t = 10)]
        rate_limit_ip: u32,
        /// Carrier webhook secrets, `carrier=secret` pairs separated by commas (`generic`, `ups`).
        #[arg(long, env = "ORDO_CARRIER_SECRETS", value_delimiter = ',')]
        carrier_secrets: Vec<String>,
        /// A reverse proxy (CIDR or address) whose X-Forwarded-For names the client; repeatable.
        #[arg(long = "trusted-proxy", env = "ORDO_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<String>,
        /// Open connections at most.
        #[arg(long, env = "ORDO_MAX_CONNECTIONS", default_value_t = 10_000)]
        max_connections: usize,
        /// Open connections at most from one client address.
        #[arg(long, env = "ORDO_MAX_CONNECTIONS_PER_IP", default_value_t = 256)]
        max_connections_per_ip: usize,
        /// Minutes a shopper's unpaid order holds its stock before it is cancelled (payment_timeout).
        #[arg(long, env = "ORDO_PAYMENT_HOLD_MINUTES", default_value_t = ordo_core::order::DEFAULT_PAYMENT_HOLD_MINUTES)]
        payment_hold_minutes: i64,
        /// Send messages to customers over SMTP: smtp://user:pass@host:port (add ?tls=required
        /// for STARTTLS) or smtps://… for TLS. Without it they are written to --mail-dir.
        #[arg(long, env = "ORDO_SMTP")]
        smtp: Option<String>,
        /// Where messages are written as .eml files when there is no --smtp.
        #[arg(long, env = "ORDO_MAIL_DIR", default_value = "data/mail")]
        mail_dir: PathBuf,
        /// The sender of messages to customers.
        #[arg(long, env = "ORDO_MAIL_FROM", default_value = "Ordo Demo Shop <shop@ordo.localhost>")]
        mail_from: String,
        /// The shop's name as customers know it.
        #[arg(long, env = "ORDO_SHOP_NAME", default_value = "Ordo Demo Shop")]
        shop_name: String,
        /// Where customers reach the shop, for links in messages (default: http://<listen>).
        #[arg(long, env = "ORDO_PUBLIC_URL")]
        public_url: Option<String>,
        /// The shop's return policy page, linked from order confirmations.
        #[arg(long, env = "ORDO_RETURNS_URL")]
        returns_url: Option<String>,
        /// Days after everything arrived that the customer is asked for feedback (0: never).
        #[arg(long, env = "ORDO_FEEDBACK_REQUEST_DAYS", default_value_t = ordo_core::messages::DEFAULT_FEEDBACK_REQUEST_DAYS)]
        feedback_request_days: u32,
        /// Hours after its expected day begins that a parcel not delivered counts as late (the
        /// customer is told; 48: by the end of the day after).
        #[arg(long, env = "ORDO_LATE_PARCEL_HOURS", default_value_t = ordo_core::order::DEFAULT_LATE_AFTER_HOURS)]
        late_parcel_hours: i64,
        /// Days a payment authorization holds at the provider (staff are told a day before one
        /// lapses with money still to capture).
        #[arg(long, env = "ORDO_AUTHORIZATION_DAYS", default_value_t = ordo_core::order::DEFAULT_AUTHORIZATION_DAYS)]
        authorization_days: i64,
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
        /// Who the token is for (`alice@shop`): recorded with every change made with it.
        #[arg(long, default_value = "ordo-cli")]
        subject: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 86_400)]
        ttl: i64,
    },
}

/// Stack of each runtime worker: GraphQL resolvers over deep async calls need more than tokio's
/// 2 MiB in a debug build (a return's refund overflowed it there).
const WORKER_STACK: usize = 8 * 1024 * 1024;

/// Runs the command line on a multi-threaded runtime.
pub fn main() -> std::process::ExitCode {
    match tokio::runtime::Builder::new_multi_thread().thread_stack_size(WORKER_STACK).enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("ordo: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ORDO_LOG").unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Cmd::Schema => {
            print!("{}", crate::graphql::sdl());
            std::process::ExitCode::SUCCESS
        }
        Cmd::Token { role, customer, channel, supplier, locations, subject, ttl } => {
            use crate::app::{Actor, Keys};
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
            let minted = crate::server::token_secret(false)
                .and_then(|secret| Keys::new(&secret))
                .and_then(|keys| keys.mint(&actor, &subject, chrono::Duration::seconds(ttl)));
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
            trusted_proxies,
            max_connections,
            max_connections_per_ip,
            payment_hold_minutes,
            smtp,
            mail_dir,
            mail_from,
            shop_name,
            public_url,
            returns_url,
            feedback_request_days,
            late_parcel_hours,
            authorization_days,
        } => {
            let mut secrets = Vec::new();
            for pair in &carrier_secrets {
                match pair.split_once('=') {
                    Some((carrier, secret)) if !carrier.trim().is_empty() && !secret.trim().is_empty() => {
                        secrets.push((carrier.trim().to_owned(), secret.trim().as_bytes().to_vec()));
                    }
                    _ => {
                        eprintln!(
                            "ordo: --carrier-secrets takes carrier=secret pairs with a non-empty secret"
                        );
                        return std::process::ExitCode::FAILURE;
                    }
                }
            }
            let trusted_proxies = match crate::edge::proxies::TrustedProxies::parse(&trusted_proxies) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("ordo: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            if !(2..=30).contains(&authorization_days) {
                eprintln!("ordo: --authorization-days must be from 2 to 30");
                return std::process::ExitCode::FAILURE;
            }
            if !(1..=24 * 60).contains(&late_parcel_hours) {
                eprintln!("ordo: --late-parcel-hours must be from 1 to 1440");
                return std::process::ExitCode::FAILURE;
            }
            if payment_hold_minutes < 1 {
                eprintln!("ordo: --payment-hold-minutes must be at least 1");
                return std::process::ExitCode::FAILURE;
            }
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("ordo: cannot listen on {listen}: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            use crate::edge::ratelimit::RateLimits;
            let rate_limits = (rate_limit > 0).then(|| RateLimits::per_second(rate_limit, rate_limit_ip));
            let config = crate::Config {
                db_url: db,
                seed_demo,
                production,
                web_root: web,
                jwt_secret: None,
                cors_origins,
                rate_limits,
                carrier_secrets: secrets,
                trusted_proxies,
                connections: crate::edge::connections::ConnectionLimits {
                    max_connections,
                    max_per_ip: max_connections_per_ip,
                    ..Default::default()
                },
                payment_hold: chrono::Duration::minutes(payment_hold_minutes),
                late_parcel_after: chrono::Duration::hours(late_parcel_hours),
                authorization_valid: chrono::Duration::days(authorization_days),
                feedback_request: (feedback_request_days > 0)
                    .then(|| std::time::Duration::from_secs(86_400 * u64::from(feedback_request_days))),
                mail: Some(crate::app::mail::MailSettings {
                    transport: match smtp {
                        Some(url) => crate::app::mail::MailTransport::Smtp(url),
                        None => crate::app::mail::MailTransport::Folder(mail_dir),
                    },
                    from: mail_from,
                    shop_name,
                    public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
                    returns_url,
                    locale: "en-US".into(),
                }),
                ..crate::Config::default()
            };
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            match crate::serve(listener, config, shutdown).await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ordo: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}
