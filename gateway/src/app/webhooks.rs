//! Sending one webhook to a channel, signed as Standard Webhooks sign (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), and recording what became of it on its row and, once settled, on the order's timeline.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use ordo_core::channel::{Notified, SigningSecret, WebhookUrl, notified_entry, retry_after};
use ordo_core::order::Order;
use sha2::Sha256;

use crate::app::error::ApiError;
use crate::app::{App, Doer};
use crate::store::channels::{WebhookAttempt, WebhookOutcome, WebhookRow};
use crate::store::orders::{Append, Effects};
use crate::store::{StoreError, backoff};

/// How long a channel has to answer one webhook.
const DEADLINE: Duration = Duration::from_secs(15);

/// The signature of `body` sent as webhook `id` at `timestamp` (seconds since the epoch):
/// `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body` with the secret's bytes.
pub fn signature(secret: &SigningSecret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", ordo_core::channel::setup::base64_encode(&mac.finalize().into_bytes()))
}

/// A fresh signing secret in its written form (`whsec_…`): 32 random bytes.
pub(crate) fn fresh_secret() -> String {
    let bytes: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
    SigningSecret::from_bytes(bytes).map(|s| s.written()).unwrap_or_default()
}

/// Where a partner's (a channel's or a supplier's) webhooks go and what signs them, once an
/// admin's ask is applied to what is stored.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub url: Option<String>,
    /// In its written form (`whsec_…`).
    pub secret: String,
    /// The secret, when this write set one (answered once).
    pub new_secret: Option<String>,
}

/// Applies `asked_url` and `asked_secret` (`None`: as stored; `Some(None)`: no URL / a fresh
/// secret) to the stored `url` and `secret`, each parsed by ordo-core; a partner without a
/// secret gets a fresh one.
pub(crate) fn settle_endpoint(
    asked_url: &Option<Option<String>>,
    asked_secret: &Option<Option<String>>,
    url: Option<&str>,
    secret: Option<&str>,
) -> Result<Endpoint, ApiError> {
    let refused = |e: ordo_core::channel::ChannelError| ApiError::bad_input(e.field, e.message);
    let url = match asked_url {
        Some(Some(url)) => Some(WebhookUrl::parse(url).map_err(refused)?.as_str().to_owned()),
        Some(None) => None,
        None => url.map(str::to_owned),
    };
    let (secret, new_secret) = match (asked_secret, secret) {
        (Some(Some(asked)), _) => {
            let written = SigningSecret::parse(asked).map_err(refused)?.written();
            (written.clone(), Some(written))
        }
        (None, Some(kept)) => (kept.to_owned(), None),
        (Some(None), _) | (None, None) => {
            let fresh = fresh_secret();
            (fresh.clone(), Some(fresh))
        }
    };
    Ok(Endpoint { url, secret, new_secret })
}

/// An HTTP client for webhooks: rustls with ring and the webpki roots, no redirects (a channel
/// answers where it was told to be), a deadline per request.
#[derive(Debug, Clone)]
pub struct Courier {
    client: reqwest::Client,
}

impl Courier {
    pub fn new() -> Result<Courier, String> {
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS for webhooks: {e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(DEADLINE)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Ordo-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the webhook client: {e}"))?;
        Ok(Courier { client })
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The channel answered 2xx.
    Acknowledged { status: u16 },
    /// It answered something else (`status`), or did not answer (no status): tried again later.
    Failed { status: Option<u16>, error: String },
    /// Not sent, and not to be tried again until staff say so: the channel takes no webhooks now
    /// (deactivated, or its URL removed).
    Refused { error: String },
}

/// Sends webhook `row` to `url`, signed with `secret`, at `now`.
pub(crate) async fn send(
    courier: &Courier,
    url: &str,
    secret: &SigningSecret,
    row: &WebhookRow,
    now: DateTime<Utc>,
) -> Answer {
    let timestamp = now.timestamp();
    let body = row.payload_json.as_bytes().to_vec();
    let signed = signature(secret, &row.key, timestamp, &body);
    let sent = courier
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &row.key)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => {
            Answer::Acknowledged { status: response.status().as_u16() }
        }
        Ok(response) => {
            let status = response.status();
            Answer::Failed {
                status: Some(status.as_u16()),
                error: format!("the channel answered HTTP {status}"),
            }
        }
        Err(e) => Answer::Failed { status: None, error: describe(e) },
    }
}

/// A failed request in a few words, without the URL (staff see it on the webhook).
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", DEADLINE.as_secs())
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        let mut text = e.without_url().to_string();
        text.truncate(200);
        text
    }
}

/// Records `answer` to `owner`'s attempt `attempts` of `row`: a failure to be retried on its row
/// only; an acknowledgement, or the last failure, on its row and on the order's timeline
/// (`channel_acknowledged`, `channel_gave_up`) in one transaction, or on the row alone when the
/// timeline cannot take it.
pub(crate) async fn record(app: &App, row: &WebhookRow, owner: &str, answer: &Answer) -> Result<(), String> {
    let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
    let (outcome, notified) = match answer {
        Answer::Acknowledged { status } => (
            WebhookOutcome::Acknowledged { status: *status },
            Some(Notified::Acknowledged { attempt: attempts }),
        ),
        Answer::Failed { status, error } => {
            let next = retry_after(attempts, rand::random::<f64>())
                .and_then(|wait| chrono::Duration::from_std(wait).ok())
                .map(|wait| Utc::now() + wait);
            let outcome = WebhookOutcome::Failed { owner, status: *status, error, next };
            (outcome, next.is_none().then_some(Notified::GaveUp { attempts }))
        }
        Answer::Refused { error } => {
            let outcome = WebhookOutcome::Failed { owner, status: None, error, next: None };
            (outcome, Some(Notified::GaveUp { attempts }))
        }
    };
    let attempt = WebhookAttempt { key: &row.key, outcome };
    // An inventory push is about no order: its row alone records it.
    let Some(notified) = notified.filter(|_| row.order_id.is_some()) else {
        return app.store().record_webhook_attempt(&attempt).await.map_err(|e| e.to_string());
    };
    let appended = append_notified(app, row, notified, attempt).await;
    if appended.is_err() {
        app.store().record_webhook_attempt(&attempt).await.map_err(|e| e.to_string())?;
    }
    appended
}

async fn append_notified(
    app: &App,
    row: &WebhookRow,
    notified: Notified,
    attempt: WebhookAttempt<'_>,
) -> Result<(), String> {
    let order_id = row.order_id.as_deref().ok_or("a webhook about no order")?;
    let store = app.store();
    let by = Doer::system(&format!("channel:{}", row.channel));
    for round in 1..=20u32 {
        let timeline = store.timeline(order_id).await.map_err(|e| e.to_string())?;
        let before = Order::from_timeline(&timeline).map_err(|e| e.to_string())?;
        let entry = notified_entry(&before, &row.channel, &row.key, &row.event_type, notified, Utc::now());
        let mut after = before.clone();
        after.apply(&entry).map_err(|e| e.to_string())?;
        let append = Append {
            order: &after,
            expected_seq: before.last_seq(),
            entries: std::slice::from_ref(&entry),
            actor: &by,
            idempotency: None,
            effects: &Effects::default(),
            messages: &[],
            attempt: None,
            webhooks: &[],
            webhook_attempt: Some(attempt),
        };
        if store.append(&append).await.map_err(|e: StoreError| e.to_string())? {
            return Ok(());
        }
        backoff(round).await;
    }
    Err("the order kept changing".into())
}
