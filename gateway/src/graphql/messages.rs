//! Messages to customers, for staff: listed by state or order with every delivery attempt, the
//! message as the customer gets it, and queuing a dead letter again (`retryMessage`); for
//! customers, "Find my orders" and the choice of messages they may refuse (by their link's token).

use async_graphql::{ComplexObject, Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{actor, app, page_size};
use crate::app::messages::{self, MessageRow};
use crate::app::opt_out;
use crate::graphql::error::GqlResult;

/// Where a message is in its delivery.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MessageState {
    /// Waiting for its (next) attempt.
    Pending,
    Sent,
    /// Given up after its last attempt failed (or the address was refused); `retryMessage`
    /// queues it again.
    Dead,
    /// Not sent, and not to be (see `reason`): the customer opted out of such messages, or it no
    /// longer made sense when it fell due (a survey already answered). Only messages a customer
    /// may refuse are ever withheld.
    Withheld,
}

impl MessageState {
    fn key(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::Sent => "sent",
            MessageState::Dead => "dead",
            MessageState::Withheld => "withheld",
        }
    }

    fn from_key(key: &str) -> MessageState {
        match key {
            "sent" => MessageState::Sent,
            "dead" => MessageState::Dead,
            "withheld" => MessageState::Withheld,
            _ => MessageState::Pending,
        }
    }
}

/// One attempt to deliver a message.
#[derive(SimpleObject, Debug, Clone)]
pub struct DeliveryAttempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// Why it failed, as the mail server or transport said.
    pub error: Option<String>,
}

/// A message's words: the subject and the two parts of the e-mail.
#[derive(SimpleObject, Debug, Clone)]
pub struct MessageContent {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe address of the `List-Unsubscribe` header, for messages the
    /// customer may refuse.
    pub list_unsubscribe: Option<String>,
}

/// A message to a customer: about an order, or a "Find my orders" sign-in link.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct CustomerMessage {
    /// Stable across attempts; the e-mail's `Message-ID` is made from it.
    pub id: ID,
    /// The order it is about; null for a sign-in link (`account.sign_in`).
    pub order_id: Option<ID>,
    /// `order.confirmation`, `shipment.shipped`, `account.sign_in`, …
    pub kind: String,
    pub recipient: String,
    pub state: MessageState,
    /// When the next attempt is due (pending messages).
    pub due: DateTime<Utc>,
    /// Attempts since it was (re)queued.
    pub attempts: i32,
    /// Every attempt, oldest first.
    pub tries: Vec<DeliveryAttempt>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why a withheld message was not sent.
    pub reason: Option<String>,
    #[graphql(skip)]
    row: MessageRow,
}

impl From<MessageRow> for CustomerMessage {
    fn from(row: MessageRow) -> CustomerMessage {
        CustomerMessage {
            id: ID(row.key.clone()),
            order_id: row.order_id.clone().map(ID),
            kind: row.kind.clone(),
            recipient: row.recipient.clone(),
            state: MessageState::from_key(&row.state),
            due: row.due,
            attempts: i32::try_from(row.attempts).unwrap_or(i32::MAX),
            tries: row
                .tries
                .iter()
                .map(|t| DeliveryAttempt { at: t.at, ok: t.ok, error: t.error.clone() })
                .collect(),
            created_at: row.created_at,
            sent_at: row.sent_at,
            reason: row.reason.clone(),
            row,
        }
    }
}

#[ComplexObject]
impl CustomerMessage {
    /// The message as the customer gets it, written about the order as it was when the message
    /// was called for; null on a gateway that sends no messages.
    async fn content(&self, ctx: &Context<'_>) -> Result<Option<MessageContent>> {
        let message = messages::preview(app(ctx)?, actor(ctx), &self.row).await.gql()?;
        Ok(message.map(|m| MessageContent {
            subject: m.subject,
            text: m.text,
            html: m.html,
            list_unsubscribe: m.list_unsubscribe,
        }))
    }
}

#[derive(Default, Debug)]
pub struct MessageQuery;

#[Object]
impl MessageQuery {
    /// Messages to customers, newest first (staff): in `state` and about `orderId` when given.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn customer_messages(
        &self,
        ctx: &Context<'_>,
        state: Option<MessageState>,
        order_id: Option<ID>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<CustomerMessage>> {
        let limit = page_size(first)?;
        let rows = messages::list(
            app(ctx)?,
            actor(ctx),
            state.map(MessageState::key),
            order_id.as_ref().map(|id| id.trim()),
            limit,
        )
        .await
        .gql()?;
        Ok(rows.into_iter().map(CustomerMessage::from).collect())
    }

    /// One message to a customer (staff); null when there is none with this id.
    async fn customer_message(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CustomerMessage>> {
        let row = messages::one(app(ctx)?, actor(ctx), id.trim()).await.gql()?;
        Ok(row.map(CustomerMessage::from))
    }

    /// Whether the address an unsubscribe link was sent to gets the messages it may refuse (the
    /// feedback request). `token` is the link's; a bad or expired one is `UNAUTHENTICATED`.
    async fn email_preferences(&self, ctx: &Context<'_>, token: String) -> Result<EmailPreferences> {
        Ok(opt_out::preferences(app(ctx)?, &token).await.gql()?.into())
    }
}

/// What an address receives beyond the messages about its orders, which always go.
#[derive(SimpleObject, Debug, Clone)]
pub struct EmailPreferences {
    /// The address (lower-cased).
    pub email: String,
    /// Whether it is asked for feedback after its orders arrive.
    pub feedback_requests: bool,
    /// When it opted out.
    pub opted_out_at: Option<DateTime<Utc>>,
}

impl From<opt_out::Preferences> for EmailPreferences {
    fn from(p: opt_out::Preferences) -> EmailPreferences {
        EmailPreferences {
            email: p.email,
            feedback_requests: p.opted_out_at.is_none(),
            opted_out_at: p.opted_out_at,
        }
    }
}

#[derive(Default, Debug)]
pub struct MessageMutation;

#[Object]
impl MessageMutation {
    /// Queues a dead, withheld (or waiting) message again, due now with a fresh set of attempts
    /// (staff); a withheld one is checked again before it goes. A sent message is `CONFLICT`.
    async fn retry_message(&self, ctx: &Context<'_>, id: ID) -> Result<CustomerMessage> {
        let row = messages::retry(app(ctx)?, actor(ctx), id.trim()).await.gql()?;
        Ok(CustomerMessage::from(row))
    }

    /// "Find my orders": when orders were placed with `email`, sends it a link (valid 24 hours)
    /// that lists them. Anyone may ask; the answer is `true` whether or not the address has
    /// orders (a malformed address is `BAD_USER_INPUT`), and one address gets at most one link a
    /// minute.
    async fn request_orders_link(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        messages::request_sign_in(app(ctx)?, &email).await.gql()?;
        Ok(true)
    }

    /// Stops (`feedbackRequests: false`) or restarts the messages an address may refuse, from
    /// the page its unsubscribe link opens (`token` is the link's; a bad or expired one is
    /// `UNAUTHENTICATED`). Messages about its orders always go.
    async fn set_email_preferences(
        &self,
        ctx: &Context<'_>,
        token: String,
        feedback_requests: bool,
    ) -> Result<EmailPreferences> {
        Ok(opt_out::choose(app(ctx)?, &token, feedback_requests).await.gql()?.into())
    }
}
