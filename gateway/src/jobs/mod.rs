//! Background work: jobs stored in SurrealDB with a due time, claimed under a lease that expires,
//! run by whichever gateway claims them first. A restart loses nothing (the job is a row), a
//! crashed gateway's claims are taken over when their lease runs out, and two gateways on one
//! store never run one job at once.
//!
//! - [`payment_timeout`]: cancels a shopper's order whose payment never came, releasing its stock.
//! - [`watches`]: `delivery_watch` flags an order's parcels that run late (the customer is told),
//!   `authorization_watch` an authorization about to lapse with money still to capture (staff).
//! - `inventory_push` (through `app::inventory`): a SKU's available-to-sell told to the channels
//!   that ask, left by the store whenever a stock row changes, at most once a second per SKU.
//! - [`dispatcher`]: delivers messages to customers and webhooks to channels, retrying on a
//!   schedule, then dead letters.

pub(crate) mod dispatcher;
pub(crate) mod payment_timeout;
pub(crate) mod watches;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::app::App;
use crate::app::watches::Watch;
use crate::store::jobs::Job;

/// How the job runner behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSettings {
    /// How often the runner looks for due jobs.
    pub every: Duration,
    /// How long a shopper's unpaid order holds its stock.
    pub payment_hold: chrono::Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            every: Duration::from_secs(1),
            payment_hold: chrono::Duration::minutes(ordo_core::order::DEFAULT_PAYMENT_HOLD_MINUTES),
        }
    }
}

/// What running a job came to.
#[derive(Debug)]
pub(crate) enum Ran {
    /// Done (or nothing left to do): the job is removed.
    Done,
    /// Not due after all (its hold was extended): run again then.
    Later(chrono::DateTime<Utc>),
}

/// A running job runner; stops when [`Runner::stop`] is called or it is dropped.
#[derive(Debug)]
pub struct Runner {
    stop: tokio::sync::watch::Sender<bool>,
}

impl Runner {
    /// Starts claiming and running due jobs on `store` every `settings.every`, and delivering
    /// due messages when `app` has a mailer (a gateway without one leaves them to the others).
    pub fn start(app: App, settings: JobSettings) -> Runner {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        // Each runner is its own lease owner: a restarted gateway is a new one.
        let owner = Arc::new(format!("gateway-{}", ulid::Ulid::new()));
        if let Some(mailer) = app.mailer().cloned() {
            let messages = dispatcher::Messages(mailer);
            tokio::spawn(dispatcher::run(
                app.clone(),
                messages,
                owner.clone(),
                settings.every,
                stopped.clone(),
            ));
        }
        match crate::app::webhooks::Courier::new() {
            Ok(courier) => {
                let webhooks = dispatcher::Webhooks(courier);
                tokio::spawn(dispatcher::run(
                    app.clone(),
                    webhooks,
                    owner.clone(),
                    settings.every,
                    stopped.clone(),
                ));
            }
            Err(e) => tracing::error!(error = %e, "no webhooks to channels from this gateway"),
        }
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(settings.every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = stopped.changed() => break,
                }
                if *stopped.borrow() {
                    break;
                }
                run_due(&app, &owner, &settings).await;
            }
        });
        Runner { stop }
    }

    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Claims and runs the jobs due now, one at a time.
async fn run_due(app: &App, owner: &str, settings: &JobSettings) {
    let store = app.store();
    let due = match store.due_jobs(64).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read due jobs");
            return;
        }
    };
    for key in due {
        let job = match store.claim_job(&key, owner).await {
            Ok(Some(job)) => job,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(error = %e, job = %key, "cannot claim a job");
                continue;
            }
        };
        let outcome = run(app, &job, settings).await;
        let settled = match outcome {
            Ok(Ran::Done) => store.finish_job(&job.key, owner).await,
            Ok(Ran::Later(due)) => store.reschedule_job(&job.key, owner, due, None).await,
            Err(error) => {
                let delay = retry_delay(job.attempts);
                tracing::warn!(job = %job.key, attempts = job.attempts, %error, "job failed; retrying later");
                store.reschedule_job(&job.key, owner, Utc::now() + delay, Some(&error)).await
            }
        };
        if let Err(e) = settled {
            // The lease runs out by itself and another run picks the job up again.
            tracing::warn!(error = %e, job = %job.key, "cannot record a job's outcome");
        }
    }
}

async fn run(app: &App, job: &Job, settings: &JobSettings) -> Result<Ran, String> {
    let order = || job.order_id.as_deref().ok_or_else(|| format!("job {} names no order", job.key));
    match job.kind.as_str() {
        "payment_timeout" => payment_timeout::run(app, order()?, settings.payment_hold).await,
        "delivery_watch" => watches::run(app, order()?, Watch::Late).await,
        "authorization_watch" => watches::run(app, order()?, Watch::Authorization).await,
        "inventory_push" => {
            let sku = job.subject.as_deref().ok_or_else(|| format!("job {} names no SKU", job.key))?;
            match crate::app::inventory::push(app, sku).await.map_err(|e| e.to_string())? {
                Some(wait) => Ok(Ran::Later(wait)),
                None => Ok(Ran::Done),
            }
        }
        other => Err(format!("unknown job kind {other:?}")),
    }
}

/// Exponential backoff with jitter for a failed job: 2 s, 4 s, … up to about an hour.
fn retry_delay(attempts: i64) -> chrono::Duration {
    let exponent = u32::try_from(attempts.clamp(1, 11)).unwrap_or(11);
    let base = 1i64 << exponent;
    chrono::Duration::seconds(base + rand::random_range(0..=base / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_and_stop_growing_at_about_an_hour() {
        let first = retry_delay(1).num_seconds();
        assert!((2..=3).contains(&first), "{first}");
        let later = retry_delay(5).num_seconds();
        assert!((32..=48).contains(&later), "{later}");
        let most = retry_delay(1_000).num_seconds();
        assert!((2048..=3072).contains(&most), "{most}");
    }
}
