//! The dispatcher: claims due messages to customers and webhooks to channels under a lease,
//! sends each and records the attempt; a failure is retried on ordo-core's schedule (messages'
//! `retry_after`, channels' `retry_after`) and then goes to the dead letters, which staff can queue
//! again. A message the customer may refuse is withheld, not sent, when they did (or it no longer
//! makes sense).

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use ordo_core::channel::SigningSecret;
use ordo_core::messages::{Delivery, retry_after};

use crate::app::App;
use crate::app::channels::WebhookRow;
use crate::app::mail::{Mailer, SendError};
use crate::app::messages::{Fate, Sent, deliver, record_attempt};
use crate::app::webhooks::{Answer, Courier, record, send};
use crate::store::messages::Outcome;
use crate::store::{Store, StoreError};

/// How many rows one pass claims at most.
const BATCH: usize = 256;
/// How many are sent at once (as many messages as `app::smtp` keeps connections).
const CONCURRENT: usize = 16;

/// One kind of thing the dispatcher delivers.
pub(crate) trait Deliveries: Send + Sync + 'static {
    /// Woken when this process writes some.
    fn written(store: &Store) -> &tokio::sync::Notify;
    /// Keys of those due now, at most `limit`.
    fn due(&self, app: &App, limit: usize) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// Claims `key`, sends it and records the attempt.
    fn deliver(&self, app: &App, owner: &str, key: String) -> impl Future<Output = ()> + Send;
}

/// Delivers due rows until `stopped`: a full pass is followed by another at once; otherwise the
/// next pass starts when this process writes some, or after `every` (rows other gateways wrote,
/// retries falling due).
pub(crate) async fn run<D: Deliveries>(
    app: App,
    deliveries: D,
    owner: std::sync::Arc<String>,
    every: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *stopped.borrow() {
            break;
        }
        if run_due(&app, &deliveries, &owner).await >= BATCH {
            continue;
        }
        tokio::select! {
            _ = D::written(app.store()).notified() => {}
            _ = tokio::time::sleep(every) => {}
            _ = stopped.changed() => break,
        }
    }
}

/// Claims and delivers the rows due now, [`CONCURRENT`] at a time; answers how many were due.
async fn run_due<D: Deliveries>(app: &App, deliveries: &D, owner: &str) -> usize {
    let due = match deliveries.due(app, BATCH).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read due deliveries");
            return 0;
        }
    };
    let count = due.len();
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENT, |key| deliveries.deliver(app, owner, key))
        .await;
    count
}

/// Messages to customers, sent by `Mailer`.
pub(crate) struct Messages(pub Mailer);

impl Deliveries for Messages {
    fn written(store: &Store) -> &tokio::sync::Notify {
        store.messages_written()
    }

    fn due(&self, app: &App, limit: usize) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send {
        app.store().due_messages(limit)
    }

    fn deliver(&self, app: &App, owner: &str, key: String) -> impl Future<Output = ()> + Send {
        deliver_one(app, &self.0, owner, key)
    }
}

/// Webhooks to channels, sent by a `Courier`.
pub(crate) struct Webhooks(pub Courier);

impl Deliveries for Webhooks {
    fn written(store: &Store) -> &tokio::sync::Notify {
        store.webhooks_written()
    }

    fn due(&self, app: &App, limit: usize) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send {
        app.store().due_webhooks(limit)
    }

    fn deliver(&self, app: &App, owner: &str, key: String) -> impl Future<Output = ()> + Send {
        deliver_webhook(app, &self.0, owner, key)
    }
}

/// Claims webhook `key`, sends it to its channel (as the channel is set now) and records the
/// attempt. A channel that no longer takes webhooks fails it for good.
async fn deliver_webhook(app: &App, courier: &Courier, owner: &str, key: String) {
    let store = app.store();
    let row = match store.claim_webhook(&key, owner).await {
        Ok(Some(row)) => row,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, webhook = %key, "cannot claim a webhook");
            return;
        }
    };
    // A supplier's mail (a request or a purchase order) goes through the mailer; the rest are
    // POSTed.
    let answer = if row.by_mail() {
        crate::app::supplier_mail::send_supplier_mail(app, &row).await
    } else {
        let Some(answer) = post(app, courier, &row).await else { return };
        answer
    };
    match &answer {
        Answer::Acknowledged { status } => {
            tracing::info!(webhook = %key, event = %row.event_type, status, "webhook acknowledged");
        }
        Answer::Failed { error, .. } | Answer::Refused { error } => {
            tracing::warn!(webhook = %key, attempts = row.attempts, %error, "webhook failed");
        }
    }
    if let Err(e) = record(app, &row, owner, &answer).await {
        tracing::warn!(error = %e, webhook = %key, "cannot record a webhook attempt");
    }
}

/// POSTs webhook `row` to its channel (or supplier, `supplier:⟨code⟩`) as it is set now; `None`
/// when that cannot be read (the lease runs out and it is tried again).
async fn post(app: &App, courier: &Courier, row: &WebhookRow) -> Option<Answer> {
    let store = app.store();
    let partner = match row.channel.strip_prefix("supplier:") {
        Some(code) => {
            store.supplier(code).await.map(|s| s.filter(|s| s.active).map(|s| (s.webhook_url, s.secret)))
        }
        None => store
            .channel(&row.channel)
            .await
            .map(|c| c.filter(|c| c.active).map(|c| (c.webhook_url, c.secret))),
    };
    let partner = match partner {
        Ok(partner) => partner,
        Err(e) => {
            tracing::warn!(error = %e, webhook = %row.key, "cannot read the webhook's channel");
            return None;
        }
    };
    let target = partner.and_then(|(url, secret)| {
        let secret = secret.as_deref().and_then(|s| SigningSecret::parse(s).ok())?;
        Some((url?, secret))
    });
    Some(match target {
        Some((url, secret)) => send(courier, &url, &secret, row, Utc::now()).await,
        None => Answer::Refused { error: "the channel takes no webhooks now".into() },
    })
}

/// Claims message `key`, sends it and records the attempt.
async fn deliver_one(app: &App, mailer: &Mailer, owner: &str, key: String) {
    let store = app.store();
    let message = match store.claim_message(&key, owner).await {
        Ok(Some(message)) => message,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, message = %key, "cannot claim a message");
            return;
        }
    };
    let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
    let Sent { fate, order } = deliver(app, mailer, &message).await;
    let error = match &fate {
        Fate::Failed(failure) => failure.to_string(),
        _ => String::new(),
    };
    let (outcome, delivery) = match &fate {
        Fate::Sent => {
            tracing::info!(message = %key, kind = %message.kind, "message sent");
            (Outcome::Sent, Some(Delivery::Sent { attempt: attempts }))
        }
        Fate::Withheld(reason) => {
            tracing::info!(message = %key, kind = %message.kind, reason, "message withheld");
            (Outcome::Withheld { owner, reason }, None)
        }
        Fate::Failed(failure) => {
            let next = match failure {
                SendError::Permanent(_) => None,
                SendError::Transient(_) => retry_after(attempts, rand::random::<f64>())
                    .and_then(|wait| chrono::Duration::from_std(wait).ok())
                    .map(|wait| Utc::now() + wait),
            };
            match next {
                Some(next) => {
                    tracing::warn!(message = %key, attempts, error = %failure, %next, "message failed; retrying later")
                }
                None => {
                    tracing::warn!(message = %key, attempts, error = %failure, "message failed; given up")
                }
            }
            let failed = Delivery::Failed { attempts, given_up: next.is_none() };
            (Outcome::Failed { owner, error: &error, next }, Some(failed))
        }
    };
    // The row and the order's timeline (what staff and the order's live subscribers see) in one
    // transaction. If even the row cannot be written, the lease runs out by itself: a message not
    // recorded as sent may go out again, with the same Message-ID.
    if let Err(e) = record_attempt(app, &message, order, delivery, outcome).await {
        tracing::warn!(error = %e, message = %key, "cannot record a delivery on the order's timeline");
    }
}
