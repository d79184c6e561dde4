//! An SMTP client: lettre's connections (EHLO, STARTTLS, AUTH, the exchange) over sockets with
//! `TCP_NODELAY`, a few kept open for the next message.
//!
//! lettre's own transport leaves Nagle's algorithm on, and it writes a message's body and its
//! closing dot separately: the dot then waits for the server's delayed ACK, about 40 ms a message
//! on every connection (`gateway/bench-messages` measured 52 ms a send, 0.3 ms of it ours).
//! Implicit TLS (`smtps://`) still connects through lettre (its TLS stream cannot be built on
//! our socket), so it keeps that wait.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

/// Why a message did not leave (over SMTP or otherwise).
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    /// Trying again cannot help (an address the server refuses, a message that cannot be built).
    #[error("{0}")]
    Permanent(String),
    #[error("{0}")]
    Transient(String),
}

/// How many messages are in flight at once, and how many idle connections are kept.
const CONNECTIONS: usize = 16;
/// An idle connection older than this is closed rather than reused (servers drop idle clients).
const IDLE: Duration = Duration::from_secs(30);

/// How a connection is secured.
#[derive(Clone)]
enum Security {
    Plain,
    /// STARTTLS when the server offers it.
    Opportunistic(TlsParameters),
    /// STARTTLS, or no message.
    Required(TlsParameters),
    /// TLS from the first byte (`smtps://`).
    Wrapper(TlsParameters),
}

/// An SMTP server to send to, with a few open connections.
pub(crate) struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    slots: tokio::sync::Semaphore,
}

impl Smtp {
    /// The server of `smtp://user:pass@host:port` (`?tls=required` or `?tls=opportunistic` for
    /// STARTTLS) or `smtps://…` (TLS), with lettre's default ports (25, 587, 465).
    pub(crate) fn from_url(raw: &str, timeout: Duration) -> Result<Smtp, String> {
        let url = url::Url::parse(raw).map_err(|e| e.to_string())?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("no host")?.to_owned();
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let params = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (port, security) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (25, Security::Plain),
            ("smtp", Some("required")) => (587, Security::Required(params()?)),
            ("smtp", Some("opportunistic")) => (587, Security::Opportunistic(params()?)),
            ("smtps", _) => (465, Security::Wrapper(params()?)),
            (scheme, tls) => return Err(format!("unknown scheme {scheme:?} or tls={tls:?}")),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "the user name or password is not UTF-8".to_owned())
        };
        // As lettre reads the URL: a login when there is a password, and `/name` the EHLO name.
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let name = url.path().trim_matches('/');
        let hello = if name.is_empty() { ClientId::default() } else { ClientId::Domain(name.to_owned()) };
        Ok(Smtp {
            port: url.port().unwrap_or(port),
            host,
            security,
            credentials,
            hello,
            timeout,
            idle: Mutex::new(Vec::new()),
            slots: tokio::sync::Semaphore::new(CONNECTIONS),
        })
    }

    /// Whether the server answers a fresh connection (and its login).
    pub(crate) async fn check(&self) -> Result<(), String> {
        let mut connection = self.connect().await.map_err(|e| e.to_string())?;
        connection.quit().await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Sends `message` (formatted) to the envelope's recipients: on an open connection when one is
    /// idle (and on a fresh one if that fails for a reason other than the message), else on a
    /// new one.
    pub(crate) async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        // Never closed: a slot always comes.
        let _slot = self.slots.acquire().await.map_err(|e| SendError::Transient(e.to_string()))?;
        if let Some(mut open) = self.take_idle() {
            match self.exchange(&mut open, envelope, message).await {
                Ok(()) => {
                    self.keep(open);
                    return Ok(());
                }
                Err(e @ SendError::Permanent(_)) => return Err(e),
                // The server may have closed it meanwhile: try once on a fresh connection.
                Err(SendError::Transient(_)) => {}
            }
        }
        let mut fresh = self.connect().await?;
        self.exchange(&mut fresh, envelope, message).await?;
        self.keep(fresh);
        Ok(())
    }

    async fn exchange(
        &self,
        connection: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendError> {
        match tokio::time::timeout(self.timeout, connection.send(envelope, message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(&e)),
            Err(_) => Err(SendError::Transient(format!("no answer within {} s", self.timeout.as_secs()))),
        }
    }

    /// A new connection: TCP with `TCP_NODELAY`, EHLO, STARTTLS as configured, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let address = (self.host.as_str(), self.port);
        let lettre = |e: lettre::transport::smtp::Error| classify(&e);
        let mut connection = match &self.security {
            Security::Wrapper(params) => AsyncSmtpConnection::connect_tokio1(
                address,
                Some(self.timeout),
                &self.hello,
                Some(params.clone()),
                None,
            )
            .await
            .map_err(lettre)?,
            _ => {
                let unreachable = |e: std::io::Error| {
                    SendError::Transient(format!("connecting to {}:{}: {e}", self.host, self.port))
                };
                let tcp = tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect(address))
                    .await
                    .map_err(|_| unreachable(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(unreachable)?;
                tcp.set_nodelay(true).map_err(unreachable)?;
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(lettre)?
            }
        };
        match &self.security {
            Security::Required(params) => {
                connection.starttls(params.clone(), &self.hello).await.map_err(lettre)?
            }
            Security::Opportunistic(params) if connection.can_starttls() => {
                connection.starttls(params.clone(), &self.hello).await.map_err(lettre)?;
            }
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(lettre)?;
        }
        Ok(connection)
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        idle.retain(|(_, since)| since.elapsed() < IDLE);
        idle.pop().map(|(connection, _)| connection)
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < CONNECTIONS {
            idle.push((connection, Instant::now()));
        }
    }
}

/// A refusal the server means for good (5xx) is permanent; anything else may pass on retry.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() { SendError::Permanent(e.to_string()) } else { SendError::Transient(e.to_string()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> Smtp {
        Smtp::from_url(url, Duration::from_secs(1)).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn a_url_is_read_as_lettre_reads_it_ports_security_login_and_ehlo_name() {
        let plain = read("smtp://mail.example");
        assert_eq!((plain.host.as_str(), plain.port), ("mail.example", 25));
        assert!(matches!(plain.security, Security::Plain) && plain.credentials.is_none());
        assert_eq!(plain.hello, ClientId::default());

        let submission = read("smtp://shop%2Bbot:p%40ss@mail.example:2525/ordo.example?tls=required");
        assert_eq!(submission.port, 2525);
        assert!(matches!(submission.security, Security::Required(_)));
        assert_eq!(submission.credentials, Some(Credentials::new("shop+bot".into(), "p@ss".into())));
        assert_eq!(submission.hello, ClientId::Domain("ordo.example".into()));

        let opportunistic = read("smtp://mail.example?tls=opportunistic");
        assert_eq!(opportunistic.port, 587);
        assert!(matches!(opportunistic.security, Security::Opportunistic(_)));

        let wrapped = read("smtps://mail.example");
        assert_eq!(wrapped.port, 465);
        assert!(matches!(wrapped.security, Security::Wrapper(_)));
    }

    #[test]
    fn a_url_without_a_host_or_with_an_unknown_scheme_or_tls_mode_is_refused() {
        for url in ["ftp://mail.example", "smtp://", "smtp://mail.example?tls=sometimes", "not a url"] {
            assert!(Smtp::from_url(url, Duration::from_secs(1)).is_err(), "{url}");
        }
    }
}
