//! The message dispatcher: claims due messages under a lease, renders and sends each, and records
//! the attempt; a failure is retried on ordo-core's schedule (`retry_after`) and then goes to the
//! dead letters, which staff can queue again. A message the customer may refuse is withheld, not
//! sent, when they did (or it no longer makes sense).

use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use ordo_core::messages::retry_after;

use crate::app::App;
use crate::app::mail::{Mailer, SendError};
use crate::app::messages::{Fate, Sent, deliver, record_attempt};
use crate::store::messages::Outcome;
use ordo_core::messages::Delivery;

/// How many messages one pass claims at most.
const BATCH: usize = 256;
/// How many messages are rendered and sent at once (as many as `app::smtp` keeps connections).
const CONCURRENT: usize = 16;

/// Delivers due messages until `stopped`: a full pass is followed by another at once; otherwise
/// the next pass starts when this process writes messages, or after `every` (messages other
/// gateways wrote, retries falling due).
pub(crate) async fn run(
    app: App,
    mailer: Mailer,
    owner: std::sync::Arc<String>,
    every: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *stopped.borrow() {
            break;
        }
        if run_due(&app, &mailer, &owner).await >= BATCH {
            continue;
        }
        tokio::select! {
            _ = app.store().messages_written().notified() => {}
            _ = tokio::time::sleep(every) => {}
            _ = stopped.changed() => break,
        }
    }
}

/// Claims and delivers the messages due now, [`CONCURRENT`] at a time; answers how many were due.
async fn run_due(app: &App, mailer: &Mailer, owner: &str) -> usize {
    let due = match app.store().due_messages(BATCH).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read due messages");
            return 0;
        }
    };
    let count = due.len();
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENT, |key| deliver_one(app, mailer, owner, key))
        .await;
    count
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
