//! Sales channels and the webhooks that tell them of their orders: channel records (kept in memory on an embedded store), webhook rows written with the events, leased for delivery like messages.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::reference::{Begin, WRITTEN, guarded};
use super::{Store, StoreError, decode, rows};

/// A channel as stored (migration 0020). `secret` is the signing secret's written form.
#[derive(Debug, Clone, Deserialize)]
pub struct ChannelRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    pub active: bool,
    /// Whether it hears available-to-sell per SKU (migration 0021).
    #[serde(default)]
    pub inventory_sync: bool,
    /// Whether its events are kept for its pull feed (migration 0025).
    #[serde(default)]
    pub event_feed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ChannelRow {
    /// Whether webhooks go to it: active, with a URL and a secret.
    pub(crate) fn hears(&self) -> bool {
        self.active && self.webhook_url.is_some() && self.secret.is_some()
    }
}

/// A channel's settings to write (every value parsed by ordo-core first).
#[derive(Debug, Clone)]
pub(crate) struct ChannelWrite {
    pub name: String,
    pub kind: &'static str,
    pub webhook_url: Option<String>,
    pub secret: Option<String>,
    pub active: bool,
    pub inventory_sync: bool,
    pub event_feed: bool,
}

impl ChannelWrite {
    /// The bindings of channel `code`'s create or update statement.
    fn binds(&self, code: &str) -> serde_json::Value {
        serde_json::json!({
            "code": code,
            "name": self.name,
            "kind": self.kind,
            "url": self.webhook_url,
            "secret": self.secret,
            "active": self.active,
            "inventory": self.inventory_sync,
            "feed": self.event_feed,
        })
    }
}

/// How a partner is told of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// A signed HTTP POST (a `webhook` row).
    Http,
    /// An e-mail (a supplier's request with its purchase order; a `webhook` row, `via = 'mail'`).
    Mail,
    /// A row of the channel's pull feed (`channel_event`), read with `channelEvents`.
    Feed,
}

/// What an append writes to tell a partner of one event: a webhook, a supplier's mail, or a row
/// of a channel's pull feed.
#[derive(Debug, Clone)]
pub(crate) struct NewWebhook {
    /// `order#seq#channel`: its `webhook-id`.
    pub key: String,
    pub channel: String,
    pub seq: u64,
    pub event_type: &'static str,
    /// The signed body.
    pub payload_json: String,
    pub via: Via,
}

/// One delivery attempt, as the webhook's row stores it.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookTry {
    pub at: DateTime<Utc>,
    pub ok: bool,
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub error: Option<String>,
}

/// A webhook as stored: what staff see, and what a gateway claims for delivery.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookRow {
    pub key: String,
    pub channel: String,
    /// The order it tells of (none for an inventory push).
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub seq: Option<u64>,
    pub event_type: String,
    pub payload_json: String,
    /// `mail` for an e-mail; none for HTTP.
    #[serde(default)]
    pub via: Option<String>,
    pub state: String,
    pub due: DateTime<Utc>,
    /// Attempts since it was (re)queued; a claimed webhook counts the attempt it is for.
    pub attempts: i64,
    pub tries: Vec<WebhookTry>,
    #[serde(default)]
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl WebhookRow {
    /// Whether it is sent as an e-mail rather than over HTTP.
    pub(crate) fn by_mail(&self) -> bool {
        self.via.as_deref() == Some("mail")
    }
}

/// What became of one attempt of webhook `key`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WebhookAttempt<'a> {
    pub key: &'a str,
    pub outcome: WebhookOutcome<'a>,
}

/// An attempt's outcome.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WebhookOutcome<'a> {
    /// The channel answered 2xx with `status` (recorded whoever holds the lease now).
    Acknowledged { status: u16 },
    /// `owner`'s attempt failed (`status` when the channel answered): due again at `next`, or dead.
    Failed { owner: &'a str, status: Option<u16>, error: &'a str, next: Option<DateTime<Utc>> },
}

const FIELDS: &str = "record::id(id) AS key, channel, order_id, seq, event_type, payload_json, via, state, due, \
                      attempts, tries, last_error, created_at, acknowledged_at";

/// Every channel, by code.
pub(super) fn every_channel() -> String {
    format!("SELECT {CHANNEL_FIELDS} FROM channel ORDER BY code")
}

const CHANNEL_FIELDS: &str = "record::id(id) AS code, name, kind, webhook_url, secret, active, inventory_sync, event_feed, created_at, updated_at";

/// The statements that write `webhooks` for order `$id` inside an append's or an intake's
/// transaction, with their bindings.
pub(crate) fn webhook_statements(
    webhooks: &[NewWebhook],
    sql: &mut String,
    binds: &mut Vec<(String, serde_json::Value)>,
) {
    for (n, webhook) in webhooks.iter().enumerate().filter(|(_, w)| w.via != Via::Feed) {
        sql.push_str(&format!(
            "CREATE type::record('webhook', $wk{n}) SET channel = $wc{n}, order_id = $id, seq = {seq}, \
             event_type = $wt{n}, payload_json = $wp{n}, state = 'pending', due = time::now(), \
             attempts = 0, tries = [], created_at = time::now(){via};\n",
            seq = webhook.seq,
            via = if webhook.via == Via::Mail { ", via = 'mail'" } else { "" },
        ));
        binds.push((format!("wk{n}"), webhook.key.clone().into()));
        binds.push((format!("wc{n}"), webhook.channel.clone().into()));
        binds.push((format!("wt{n}"), webhook.event_type.into()));
        binds.push((format!("wp{n}"), webhook.payload_json.clone().into()));
    }
}

/// The statements that write the pull-feed rows among `webhooks` for order `$id`. They must be
/// the transaction's last statements: each row's `at` is the store's clock as it is written,
/// and readers trust that the transaction commits within their horizon of it.
pub(crate) fn feed_statements(
    webhooks: &[NewWebhook],
    sql: &mut String,
    binds: &mut Vec<(String, serde_json::Value)>,
) {
    for (n, row) in webhooks.iter().enumerate().filter(|(_, w)| w.via == Via::Feed) {
        sql.push_str(&format!(
            "CREATE type::record('channel_event', $fk{n}) SET channel = $fc{n}, order_id = $id, \
             seq = {seq}, event_type = $ft{n}, payload_json = $fp{n}, at = time::now();\n",
            seq = row.seq
        ));
        binds.push((format!("fk{n}"), row.key.clone().into()));
        binds.push((format!("fc{n}"), row.channel.clone().into()));
        binds.push((format!("ft{n}"), row.event_type.into()));
        binds.push((format!("fp{n}"), row.payload_json.clone().into()));
    }
}

/// One row of a channel's pull feed.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedRow {
    /// `order#seq#channel`, the same as the event's webhook id.
    pub key: String,
    pub order_id: String,
    pub seq: u64,
    pub event_type: String,
    pub payload_json: String,
    /// When it was written, by the store's clock: with `key`, its place in the feed.
    pub at: DateTime<Utc>,
}

/// The statement that records `attempt` on its row, with its bindings.
pub(crate) fn webhook_attempt_statement(
    attempt: &WebhookAttempt<'_>,
    sql: &mut String,
    binds: &mut Vec<(String, serde_json::Value)>,
) {
    binds.push(("webhook_key".into(), attempt.key.into()));
    match attempt.outcome {
        WebhookOutcome::Acknowledged { status } => sql.push_str(&format!(
            "UPDATE type::record('webhook', $webhook_key) SET state = 'acknowledged', \
             acknowledged_at = time::now(), last_error = NONE, lease_owner = NONE, lease_until = NONE, \
             tries += [{{ at: time::now(), ok: true, status: {status} }}] WHERE state != 'acknowledged';\n"
        )),
        WebhookOutcome::Failed { owner, status, error, next } => {
            let state = match next {
                Some(next) => {
                    binds.push(("webhook_next".into(), next.to_rfc3339().into()));
                    "state = 'pending', due = <datetime>$webhook_next"
                }
                None => "state = 'dead'",
            };
            let status = status.map_or("NONE".to_owned(), |s| s.to_string());
            sql.push_str(&format!(
                "UPDATE type::record('webhook', $webhook_key) SET {state}, last_error = $webhook_error, \
                 lease_owner = NONE, lease_until = NONE, \
                 tries += [{{ at: time::now(), ok: false, status: {status}, error: $webhook_error }}] \
                 WHERE state = 'pending' AND lease_owner = $webhook_owner;\n"
            ));
            binds.push(("webhook_owner".into(), owner.into()));
            binds.push(("webhook_error".into(), error.into()));
        }
    }
}

impl Store {
    /// Every channel, by code (kept in memory: see [`super::reference`]).
    pub(crate) async fn channels(&self) -> Result<Arc<Vec<ChannelRow>>, StoreError> {
        let ask = match self.channels.begin() {
            Begin::Kept(kept) => return Ok(kept),
            Begin::Ask(ask) => ask,
        };
        let mut results =
            self.db().query(guarded(&[(&every_channel(), "known")])).bind(("known", ask.known())).await?;
        let version: Option<i64> = results.take(2)?;
        self.channels.answer(ask, version.unwrap_or(0), || Ok(Arc::new(decode(rows(&mut results, 1)?)?)))
    }

    /// Channel `code`.
    pub(crate) async fn channel(&self, code: &str) -> Result<Option<ChannelRow>, StoreError> {
        Ok(self.channels().await?.iter().find(|c| c.code == code).cloned())
    }

    /// Creates channel `code`; `None` when one exists.
    pub(crate) async fn create_channel(
        &self,
        code: &str,
        write: &ChannelWrite,
    ) -> Result<Option<ChannelRow>, StoreError> {
        let written = self
            .write_reference(
                &format!(
                    "CREATE type::record('channel', $code) SET name = $name, kind = $kind, \
                     webhook_url = $url ?? NONE, secret = $secret ?? NONE, active = $active, \
                     inventory_sync = $inventory, event_feed = $feed, created_at = time::now(), updated_at = time::now() RETURN {CHANNEL_FIELDS};"
                ),
                write.binds(code),
                || self.channels.forget(),
            )
            .await?;
        match written {
            Some(mut results) => Ok(decode::<ChannelRow>(rows(&mut results, WRITTEN)?)?.into_iter().next()),
            None => Ok(None),
        }
    }

    /// Writes channel `code`'s settings; `None` when there is no such channel.
    pub(crate) async fn update_channel(
        &self,
        code: &str,
        write: &ChannelWrite,
    ) -> Result<Option<ChannelRow>, StoreError> {
        let written = self
            .write_reference(
                &format!(
                    "UPDATE type::record('channel', $code) SET name = $name, kind = $kind, \
                     webhook_url = $url ?? NONE, secret = $secret ?? NONE, active = $active, \
                     inventory_sync = $inventory, event_feed = $feed, updated_at = time::now() WHERE created_at != NONE RETURN {CHANNEL_FIELDS};"
                ),
                write.binds(code),
                || self.channels.forget(),
            )
            .await?;
        let mut results = written.ok_or_else(|| StoreError::Decode("channel update: duplicate".into()))?;
        Ok(decode::<ChannelRow>(rows(&mut results, WRITTEN)?)?.into_iter().next())
    }

    /// Up to `limit` rows of `channel`'s feed after `after` (a row's `at` and key; the start when
    /// none), in feed order, each written more than `horizon` ago by the store's clock.
    pub(crate) async fn channel_feed(
        &self,
        channel: &str,
        after: Option<(DateTime<Utc>, &str)>,
        limit: usize,
        horizon: std::time::Duration,
    ) -> Result<Vec<FeedRow>, StoreError> {
        let (at, key) = after.unwrap_or((DateTime::<Utc>::UNIX_EPOCH, ""));
        let mut results = self
            .db()
            .query(
                "SELECT record::id(id) AS key, order_id, seq, event_type, payload_json, at FROM channel_event \
                 WHERE channel = $channel AND at >= <datetime>$at AND at < time::now() - <duration>$horizon \
                 AND (at > <datetime>$at OR record::id(id) > $key) ORDER BY at, key LIMIT $limit",
            )
            .bind(("channel", channel.to_owned()))
            .bind(("at", at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)))
            .bind(("key", key.to_owned()))
            .bind(("horizon", format!("{}ms", horizon.as_millis())))
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// Keys of webhooks due for delivery and not leased (or whose lease expired), oldest first.
    pub(crate) async fn due_webhooks(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut results = self
            .db()
            .query(
                "SELECT VALUE record::id(id) FROM webhook WHERE state = 'pending' AND due <= time::now() \
                 AND (lease_until = NONE OR lease_until < time::now()) ORDER BY due LIMIT $limit",
            )
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        Ok(results.take::<Vec<String>>(0)?)
    }

    /// Claims webhook `key` for `owner` when it is still due and unleased.
    pub(crate) async fn claim_webhook(
        &self,
        key: &str,
        owner: &str,
    ) -> Result<Option<WebhookRow>, StoreError> {
        let row =
            self.lease_row("webhook", "state = 'pending' AND due <= time::now()", FIELDS, key, owner).await?;
        row.map(|row| decode(vec![row]).map(|mut rows| rows.remove(0))).transpose()
    }

    /// Records one attempt on its webhook row alone (when the order's timeline cannot take it).
    pub(crate) async fn record_webhook_attempt(
        &self,
        attempt: &WebhookAttempt<'_>,
    ) -> Result<(), StoreError> {
        let (mut sql, mut binds) = (String::new(), Vec::new());
        webhook_attempt_statement(attempt, &mut sql, &mut binds);
        let mut query = self.db().query(sql);
        for bind in binds {
            query = query.bind(bind);
        }
        query.await?.check()?;
        Ok(())
    }

    /// Webhooks, newest first: about `order_id`, to `channel`, in `state`, at most `limit`.
    pub(crate) async fn webhooks(
        &self,
        order_id: Option<&str>,
        channel: Option<&str>,
        state: Option<&str>,
        limit: usize,
    ) -> Result<Vec<WebhookRow>, StoreError> {
        let mut conditions = Vec::new();
        if order_id.is_some() {
            conditions.push("order_id = $order");
        }
        if channel.is_some() {
            conditions.push("channel = $channel");
        }
        if state.is_some() {
            conditions.push("state = $state");
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let mut results = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM webhook{filter} ORDER BY created_at DESC, seq DESC LIMIT $limit"
            ))
            .bind(("order", order_id.map(str::to_owned)))
            .bind(("channel", channel.map(str::to_owned)))
            .bind(("state", state.map(str::to_owned)))
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// Queues a dead or waiting webhook again, due now with a fresh count of attempts; `None`
    /// when there is no such webhook or it was acknowledged.
    pub(crate) async fn requeue_webhook(&self, key: &str) -> Result<Option<WebhookRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "UPDATE type::record('webhook', $key) SET state = 'pending', due = time::now(), attempts = 0 \
                 WHERE state IN ['dead', 'pending'] RETURN {FIELDS}"
            ))
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// Webhook `key`.
    pub(crate) async fn webhook(&self, key: &str) -> Result<Option<WebhookRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!("SELECT {FIELDS} FROM type::record('webhook', $key)"))
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }
}
