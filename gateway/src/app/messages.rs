//! Messages to customers: the ones an append writes (ordo-core decides which), delivering one
//! (rendered from the order as it was when it was called for), and the staff's view and retry.

use chrono::Utc;
use ordo_core::messages::{
    Delivery, Letterhead, Message, MessageKind, Notice, SIGN_IN_KIND, Unsubscribe, delivery_entry, notices,
    render, render_sign_in,
};
use ordo_core::order::{Order, TimelineEntry};
use ordo_core::values::Email;

use super::access::Actor;
use super::error::ApiError;
use super::mail::{Mailer, SendError};
use super::{App, Doer};
pub use crate::store::messages::MessageRow;
use crate::store::messages::{Attempt, NewMessage, Outcome};
use crate::store::orders::{Append, Effects};

/// The messages `entries` (just appended, turning the order `before` into `after`) call for; the
/// feedback request due `feedback_request` later, or left out when that is `None`.
pub(crate) fn for_append(
    before: Option<&Order>,
    after: &Order,
    entries: &[TimelineEntry],
    feedback_request: Option<std::time::Duration>,
) -> Vec<NewMessage> {
    let Some(last) = entries.last() else { return Vec::new() };
    notices(before, after, entries)
        .into_iter()
        .filter_map(|notice| {
            let wait = match notice {
                Notice::FeedbackRequest => feedback_request?,
                _ => std::time::Duration::ZERO,
            };
            Some((notice, wait))
        })
        .enumerate()
        .filter_map(|(n, (notice, wait))| {
            // A notice is plain data; it always serializes.
            let notice_json = serde_json::to_string(&notice).ok()?;
            Some(NewMessage {
                key: format!("{}#{:010}#{n}", after.id().as_str(), last.seq),
                seq: last.seq,
                kind: notice.kind().key(),
                notice_json,
                recipient: after.email().as_str().to_owned(),
                wait,
            })
        })
        .collect()
}

/// What became of a claimed message, and the order as it is now when it was read.
pub(crate) struct Sent {
    pub fate: Fate,
    pub order: Option<Order>,
}

/// What became of a claimed message.
#[derive(Debug)]
pub(crate) enum Fate {
    Sent,
    Failed(SendError),
    /// Not sent, for this reason: the address opted out, or the message no longer makes sense.
    Withheld(&'static str),
}

/// How often one address may be sent a "Find my orders" link.
const SIGN_IN_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// "Find my orders": when orders were placed with `email`, writes a message with a sign-in link
/// that lists them (at most one a minute per address). The answer is the same whether or not the
/// address has orders, and it comes before the lookup (which runs on its own), so neither its
/// words nor its timing tell who shops here; only a malformed address is refused
/// (`BAD_USER_INPUT`). Anyone may ask; the edge's per-address limits apply. The lookup is the
/// request's own work finishing, not scheduled work: a gateway stopping in that instant loses
/// it (asking again sends the link); the message, once written, is delivered like any other.
pub async fn request_sign_in(app: &App, email: &str) -> Result<(), ApiError> {
    let email = Email::parse(email).map_err(|e| ApiError::bad_input("email", e.to_string()))?;
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = write_sign_in(&app, &email.key()).await {
            tracing::warn!(error = %e, "cannot write a sign-in link");
        }
    });
    Ok(())
}

async fn write_sign_in(app: &App, key: &str) -> Result<(), crate::store::StoreError> {
    let Some(recipient) = app.store().sign_in_recipient(key).await? else { return Ok(()) };
    // Its Message-ID is made from the key: no address in it (one `@` only, and nothing to
    // read off the headers), unique by time and chance.
    let message = format!("signin#{}#{:08x}", Utc::now().timestamp_millis(), rand::random::<u32>());
    app.store().write_sign_in(key, &message, SIGN_IN_KIND, &recipient, SIGN_IN_EVERY).await?;
    Ok(())
}

/// Renders and sends a claimed message, unless it is one the customer may refuse and should
/// not get now (see [`withheld`]).
pub(crate) async fn deliver(app: &App, mailer: &Mailer, message: &MessageRow) -> Sent {
    let (rendered, order) = match compose(app, mailer, message).await {
        Ok(composed) => composed,
        Err(e) => return Sent { fate: Fate::Failed(e), order: None },
    };
    let fate = match withheld(app, message, order.as_ref()).await {
        Ok(Some(reason)) => Fate::Withheld(reason),
        Ok(None) => match mailer.send(&message.key, &message.recipient, &rendered).await {
            Ok(()) => Fate::Sent,
            Err(e) => Fate::Failed(e),
        },
        Err(e) => Fate::Failed(SendError::Transient(e.to_string())),
    };
    Sent { fate, order }
}

/// Why a message the customer may refuse is not sent now that it is due: its address opted out,
/// or ordo-core withdraws it given the order `now` (the survey was answered, items are coming
/// back). Transactional messages always go.
async fn withheld(
    app: &App,
    message: &MessageRow,
    now: Option<&Order>,
) -> Result<Option<&'static str>, crate::store::StoreError> {
    let transactional = MessageKind::from_key(&message.kind).is_none_or(MessageKind::transactional);
    if transactional {
        return Ok(None);
    }
    let email =
        Email::parse(&message.recipient).map_or_else(|_| message.recipient.to_lowercase(), |e| e.key());
    let holding = app.store().withholding(&email, message.order_id.as_deref()).await?;
    if holding.opted_out {
        return Ok(Some("the customer opted out of such messages"));
    }
    let notice: Option<Notice> = serde_json::from_str(&message.notice_json).ok();
    Ok(notice.zip(now).and_then(|(notice, now)| notice.withdrawn(now, holding.answered)))
}

/// The message as the customer gets it (staff's Messages page); `None` on a gateway that sends
/// no messages (it has no letterhead).
pub async fn preview(app: &App, actor: &Actor, row: &MessageRow) -> Result<Option<Message>, ApiError> {
    actor.require_staff()?;
    let Some(mailer) = app.mailer() else { return Ok(None) };
    match compose(app, mailer, row).await {
        Ok((message, _)) => Ok(Some(message)),
        Err(e) => Err(ApiError::internal("rendering a message", &e)),
    }
}

/// Message `row` as it goes out, and the order it is about as it is now (none for a sign-in link).
async fn compose(
    app: &App,
    mailer: &Mailer,
    row: &MessageRow,
) -> Result<(Message, Option<Order>), SendError> {
    match &row.order_id {
        Some(order_id) => compose_notice(app, mailer, order_id, row.seq, &row.notice_json)
            .await
            .map(|(message, order)| (message, Some(order))),
        None => sign_in(app, mailer, &row.recipient).map(|message| (message, None)),
    }
}

/// `public_url` with `fragment` (`#/orders/…`) after it.
fn page(public_url: &str, fragment: &str) -> String {
    format!("{}/#/{fragment}", public_url.trim_end_matches('/'))
}

/// The sign-in message to `recipient`, its link signed now (a retry carries a fresh one).
fn sign_in(app: &App, mailer: &Mailer, recipient: &str) -> Result<Message, SendError> {
    let email = Email::parse(recipient).map_err(|e| SendError::Permanent(format!("the address: {e}")))?;
    let token = app.keys().mint_shopper(&email.key()).map_err(SendError::Transient)?;
    let settings = mailer.settings();
    let link = page(&settings.public_url, &format!("my-orders?token={token}"));
    Ok(render_sign_in(&settings.shop_name, &link, super::tokens::SIGN_IN_HOURS))
}

/// The message `notice_json` calls for, written about the order as it was at event `seq`, and the
/// order as it is now.
async fn compose_notice(
    app: &App,
    mailer: &Mailer,
    order_id: &str,
    seq: u64,
    notice_json: &str,
) -> Result<(Message, Order), SendError> {
    let timeline = app.store().timeline(order_id).await.map_err(|e| SendError::Transient(e.to_string()))?;
    let (upto, later) = timeline.split_at(timeline.iter().take_while(|e| e.seq <= seq).count());
    let Some(at) = upto.last().map(|e| e.at) else {
        return Err(SendError::Permanent(format!("order {order_id} has no events")));
    };
    let replay =
        |e: ordo_core::order::TimelineError| SendError::Permanent(format!("replaying the order: {e}"));
    let order = Order::from_timeline(upto).map_err(replay)?;
    let notice: Notice = serde_json::from_str(notice_json)
        .map_err(|e| SendError::Permanent(format!("reading the notice: {e}")))?;
    let settings = mailer.settings();
    let unsubscribe = if notice.kind().transactional() {
        None
    } else {
        Some(unsubscribe_links(app, order.email(), &settings.public_url)?)
    };
    let letterhead = Letterhead {
        shop_name: settings.shop_name.clone(),
        order_link: order_link(app, &order, &settings.public_url)?,
        returns_link: settings.returns_url.clone(),
        locale: settings.locale.clone(),
        unsubscribe,
    };
    let message =
        render(&order, &notice, &letterhead, at).map_err(|e| SendError::Permanent(e.to_string()))?;
    let mut now = order;
    for entry in later {
        now.apply(entry).map_err(replay)?;
    }
    Ok((message, now))
}

/// The order's page; for a guest's order with a token for it in the fragment (never sent to a
/// server, so it stays out of logs), signed like the one checkout answered with.
fn order_link(app: &App, order: &Order, public_url: &str) -> Result<String, SendError> {
    let base = page(public_url, &format!("orders/{}", order.id().as_str()));
    if order.customer().is_some() {
        return Ok(base);
    }
    let token = app.keys().mint_guest(order.id().as_str()).map_err(SendError::Transient)?;
    Ok(format!("{base}?token={token}"))
}

/// The ways out of messages `email` may refuse, signed for it: the page its footer links to,
/// and the gateway's one-click address for the `List-Unsubscribe` header (the gateway serves
/// the pages, so both are under `public_url`).
fn unsubscribe_links(app: &App, email: &Email, public_url: &str) -> Result<Unsubscribe, SendError> {
    let token = app.keys().mint_unsubscribe(&email.key()).map_err(SendError::Transient)?;
    Ok(Unsubscribe {
        page: page(public_url, &format!("unsubscribe?token={token}")),
        one_click: format!("{}/unsubscribe?token={token}", public_url.trim_end_matches('/')),
    })
}

/// Records an attempt on its message row and on its order's timeline (`message_sent`,
/// `message_failed`) in one transaction, starting from `order` as [`deliver`] read it and
/// reading it again when it changed meanwhile. When the timeline cannot take the event, the row
/// is still recorded, and the error answered. Without a `delivery` (a withheld message: nothing
/// was tried) only the row is.
pub(crate) async fn record_attempt(
    app: &App,
    message: &MessageRow,
    mut order: Option<Order>,
    delivery: Option<Delivery>,
    outcome: Outcome<'_>,
) -> Result<(), String> {
    let attempt = Attempt { key: &message.key, outcome };
    let (Some(order_id), Some(delivery)) = (&message.order_id, delivery) else {
        // About an address, not an order, or nothing tried: there is no timeline to tell.
        return app.store().record_attempt(&attempt).await.map_err(|e| e.to_string());
    };
    let appended = append_attempt(app, order_id, message, &mut order, delivery, attempt).await;
    if appended.is_err() {
        app.store().record_attempt(&attempt).await.map_err(|e| e.to_string())?;
    }
    appended
}

async fn append_attempt(
    app: &App,
    order_id: &str,
    message: &MessageRow,
    order: &mut Option<Order>,
    delivery: Delivery,
    attempt: Attempt<'_>,
) -> Result<(), String> {
    let kind = MessageKind::from_key(&message.kind)
        .ok_or_else(|| format!("unknown message kind {:?}", message.kind))?;
    let store = app.store();
    let by = Doer::system("messages");
    for round in 1..=20u32 {
        let before = match order.take() {
            Some(order) => order,
            None => {
                let timeline = store.timeline(order_id).await.map_err(|e| e.to_string())?;
                Order::from_timeline(&timeline).map_err(|e| e.to_string())?
            }
        };
        let entry = delivery_entry(&before, &message.key, kind, delivery, Utc::now());
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
            attempt: Some(attempt),
            webhooks: &[],
            webhook_attempt: None,
        };
        if store.append(&append).await.map_err(|e| e.to_string())? {
            return Ok(());
        }
        crate::store::backoff(round).await;
    }
    Err("the order kept changing".into())
}

/// Messages for staff, newest first: in `state`, about `order_id`, at most `first`.
pub async fn list(
    app: &App,
    actor: &Actor,
    state: Option<&str>,
    order_id: Option<&str>,
    first: usize,
) -> Result<Vec<MessageRow>, ApiError> {
    actor.require_staff()?;
    Ok(app.store().messages(state, order_id, first.min(500)).await?)
}

/// Message `key` (staff).
pub async fn one(app: &App, actor: &Actor, key: &str) -> Result<Option<MessageRow>, ApiError> {
    actor.require_staff()?;
    Ok(app.store().message(key).await?)
}

/// Queues a dead, withheld or waiting message again, due now with a fresh set of attempts (a
/// withheld one is checked again before it goes: staff cannot send what the customer refused).
pub async fn retry(app: &App, actor: &Actor, key: &str) -> Result<MessageRow, ApiError> {
    actor.require_staff()?;
    if let Some(row) = app.store().requeue_message(key).await? {
        return Ok(row);
    }
    match app.store().message(key).await? {
        Some(_) => Err(ApiError::AlreadySent),
        None => Err(ApiError::NotFound("message")),
    }
}
