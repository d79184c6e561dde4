//! Opting out of the messages a customer may refuse (the feedback request): from the one-click
//! button of their mail client or the page their message's unsubscribe link opens. Either way
//! the signed token the message carried says which address; no caller's role is involved.

use chrono::{DateTime, Utc};

use super::App;
use super::error::ApiError;
use crate::store::messages::OptOutVia;

/// An address's choice about the messages it may refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The address, as its key (all lower-case).
    pub email: String,
    /// When it opted out; `None` while it gets them.
    pub opted_out_at: Option<DateTime<Utc>>,
}

/// The choice of the address unsubscribe token `token` was minted for; a bad or expired token is
/// `UNAUTHENTICATED`.
pub async fn preferences(app: &App, token: &str) -> Result<Preferences, ApiError> {
    let email = app.keys().verify_unsubscribe(token.trim())?;
    let opted_out_at = app.store().opted_out_since(&email).await?;
    Ok(Preferences { email, opted_out_at })
}

/// Stops (or, with `wanted`, restarts) the messages `token`'s address may refuse, from the page
/// its link opens. Doing it twice changes nothing more.
pub async fn choose(app: &App, token: &str, wanted: bool) -> Result<Preferences, ApiError> {
    let email = app.keys().verify_unsubscribe(token.trim())?;
    if wanted {
        app.store().opt_in(&email).await?;
        return Ok(Preferences { email, opted_out_at: None });
    }
    let at = app.store().opt_out(&email, OptOutVia::Page).await?;
    Ok(Preferences { email, opted_out_at: Some(at) })
}

/// A mail client's one-click unsubscribe (RFC 8058): `token`'s address gets no more messages it
/// may refuse.
pub async fn one_click(app: &App, token: &str) -> Result<(), ApiError> {
    let email = app.keys().verify_unsubscribe(token.trim())?;
    app.store().opt_out(&email, OptOutVia::OneClick).await?;
    Ok(())
}
