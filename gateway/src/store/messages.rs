//! Messages to customers in the store: written in the transaction of the events that call for
//! them, leased for delivery like jobs, and kept after delivery with every attempt.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Store, StoreError, decode, rows};

/// A message an append writes (see migration 0013).
#[derive(Debug, Clone)]
pub(crate) struct NewMessage {
    /// `order#seq#n`: the message's identity, here and downstream.
    pub key: String,
    /// The last event of the append that called for it: the message speaks of the order as it
    /// was right after it.
    pub seq: u64,
    pub kind: &'static str,
    /// ordo-core's `Notice` as JSON text.
    pub notice_json: String,
    pub recipient: String,
    /// How long after the append it falls due (the feedback request waits some days).
    pub wait: std::time::Duration,
}

/// One delivery attempt.
#[derive(Debug, Clone, Deserialize)]
pub struct Try {
    pub at: DateTime<Utc>,
    pub ok: bool,
    #[serde(default)]
    pub error: Option<String>,
}

/// What may stop a message that falls due (see [`Store::withholding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Withholding {
    /// The recipient's address opted out of messages it may refuse.
    pub opted_out: bool,
    /// The order's survey was answered.
    pub answered: bool,
}

/// How an address opted out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptOutVia {
    /// A mail client's one-click unsubscribe (RFC 8058), from the `List-Unsubscribe` header.
    OneClick,
    /// The page the message's unsubscribe link opens.
    Page,
}

impl OptOutVia {
    fn as_str(self) -> &'static str {
        match self {
            OptOutVia::OneClick => "one_click",
            OptOutVia::Page => "page",
        }
    }
}

/// A message as stored: what staff see, and what a gateway claims for delivery.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageRow {
    pub key: String,
    /// The order it is about; none for a "Find my orders" sign-in message.
    #[serde(default)]
    pub order_id: Option<String>,
    pub seq: u64,
    pub kind: String,
    pub notice_json: String,
    pub recipient: String,
    pub state: String,
    pub due: DateTime<Utc>,
    /// Attempts since it was (re)queued; a claimed message counts the attempt it is for.
    pub attempts: i64,
    pub tries: Vec<Try>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    /// Why a withheld message was not sent.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One delivery attempt of message `key`, as its row records it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    pub key: &'a str,
    pub outcome: Outcome<'a>,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// Handed to the transport. Recorded whoever holds the lease now: a message that went out
    /// is sent, even if this gateway's lease ran out meanwhile.
    Sent,
    /// `owner`'s attempt failed with `error`: due again at `next`, or dead.
    Failed { owner: &'a str, error: &'a str, next: Option<DateTime<Utc>> },
    /// `owner` did not send it, for `reason` (the address opted out, the survey was answered).
    Withheld { owner: &'a str, reason: &'a str },
}

/// The statement that records `attempt` on its row, with its bindings.
pub(crate) fn attempt_statement(
    attempt: &Attempt<'_>,
    sql: &mut String,
    binds: &mut Vec<(String, serde_json::Value)>,
) {
    binds.push(("attempt_key".into(), attempt.key.into()));
    match attempt.outcome {
        Outcome::Sent => sql.push_str(
            "UPDATE type::record('message', $attempt_key) SET state = 'sent', sent_at = time::now(), \
             lease_owner = NONE, lease_until = NONE, tries += [{ at: time::now(), ok: true }] \
             WHERE state != 'sent';\n",
        ),
        Outcome::Failed { owner, error, next } => {
            // Due again at `next`, or dead (a JSON null would bind NULL, not NONE: two statements).
            let state = match next {
                Some(next) => {
                    binds.push(("attempt_next".into(), next.to_rfc3339().into()));
                    "state = 'pending', due = <datetime>$attempt_next"
                }
                None => "state = 'dead'",
            };
            sql.push_str(&format!(
                "UPDATE type::record('message', $attempt_key) SET {state}, \
                 lease_owner = NONE, lease_until = NONE, \
                 tries += [{{ at: time::now(), ok: false, error: $attempt_error }}] \
                 WHERE state = 'pending' AND lease_owner = $attempt_owner;\n"
            ));
            binds.push(("attempt_owner".into(), owner.into()));
            binds.push(("attempt_error".into(), error.into()));
        }
        Outcome::Withheld { owner, reason } => {
            sql.push_str(
                "UPDATE type::record('message', $attempt_key) SET state = 'withheld', \
                 reason = $attempt_reason, lease_owner = NONE, lease_until = NONE \
                 WHERE state = 'pending' AND lease_owner = $attempt_owner;\n",
            );
            binds.push(("attempt_owner".into(), owner.into()));
            binds.push(("attempt_reason".into(), reason.into()));
        }
    }
}

const FIELDS: &str = "record::id(id) AS key, order_id, seq, kind, notice_json, recipient, state, due, \
                      attempts, tries, created_at, sent_at, reason";

/// The statements that write `messages` for order `$id` inside an append's or an intake's
/// transaction, with their bindings.
pub(crate) fn message_statements(
    messages: &[NewMessage],
    sql: &mut String,
    binds: &mut Vec<(String, serde_json::Value)>,
) {
    for (n, message) in messages.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE type::record('message', $mk{n}) SET order_id = $id, seq = {seq}, kind = $mkind{n}, \
             notice_json = $mn{n}, recipient = $mr{n}, state = 'pending', due = time::now() + {wait}s, \
             attempts = 0, tries = [], created_at = time::now();\n",
            seq = message.seq,
            wait = message.wait.as_secs()
        ));
        binds.push((format!("mk{n}"), message.key.clone().into()));
        binds.push((format!("mkind{n}"), message.kind.into()));
        binds.push((format!("mn{n}"), message.notice_json.clone().into()));
        binds.push((format!("mr{n}"), message.recipient.clone().into()));
    }
}

impl Store {
    /// Keys of messages due for delivery and not leased (or whose lease expired), oldest first.
    pub(crate) async fn due_messages(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut results = self
            .db()
            .query(
                "SELECT VALUE record::id(id) FROM message WHERE state = 'pending' AND due <= time::now() \
                 AND (lease_until = NONE OR lease_until < time::now()) ORDER BY due LIMIT $limit",
            )
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        Ok(results.take::<Vec<String>>(0)?)
    }

    /// Claims message `key` for `owner` when it is still due and unleased; `None` when another
    /// gateway has it (or delivered it) meanwhile.
    pub(crate) async fn claim_message(
        &self,
        key: &str,
        owner: &str,
    ) -> Result<Option<MessageRow>, StoreError> {
        let row =
            self.lease_row("message", "state = 'pending' AND due <= time::now()", FIELDS, key, owner).await?;
        row.map(|row| decode(vec![row]).map(|mut rows| rows.remove(0))).transpose()
    }

    /// Records one delivery attempt on its message row alone (when the order's timeline cannot
    /// take its event; otherwise the append writes both, see [`Attempt`]).
    pub(crate) async fn record_attempt(&self, attempt: &Attempt<'_>) -> Result<(), StoreError> {
        let (mut sql, mut binds) = (String::new(), Vec::new());
        attempt_statement(attempt, &mut sql, &mut binds);
        let mut query = self.db().query(sql);
        for bind in binds {
            query = query.bind(bind);
        }
        query.await?.check()?;
        Ok(())
    }

    /// Queues a dead, withheld (or waiting) message again, due now with a fresh count of
    /// attempts (a withheld one is checked again when it is sent); `None` when there is no such
    /// message or it was sent already.
    pub(crate) async fn requeue_message(&self, key: &str) -> Result<Option<MessageRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "UPDATE type::record('message', $key) SET state = 'pending', due = time::now(), \
                 attempts = 0, reason = NONE WHERE state IN ['dead', 'withheld', 'pending'] RETURN {FIELDS}"
            ))
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// The address to send a "Find my orders" link for address key `email_key` to: as written
    /// on the newest order placed with it; `None` when no order was.
    pub(crate) async fn sign_in_recipient(&self, email_key: &str) -> Result<Option<String>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT VALUE email FROM orders WHERE email_key = $email ORDER BY placed_at DESC LIMIT 1")
            .bind(("email", email_key.to_owned()))
            .await?;
        Ok(results.take::<Vec<String>>(0)?.into_iter().next())
    }

    /// Writes sign-in message `key` to `recipient` unless one went to address key `email_key`
    /// less than `every` ago (or another gateway is writing one now); answers whether it wrote.
    pub(crate) async fn write_sign_in(
        &self,
        email_key: &str,
        key: &str,
        kind: &str,
        recipient: &str,
        every: std::time::Duration,
    ) -> Result<bool, StoreError> {
        let result = self
            .db()
            .query(
                "BEGIN;
                 LET $now = time::now();
                 LET $taken = UPSERT type::record('sign_in', $email) SET sent_at = $now
                     WHERE sent_at = NONE OR sent_at <= $now - <duration>$every RETURN VALUE sent_at;
                 IF array::len($taken) > 0 {
                     CREATE type::record('message', $key) SET order_id = NONE, seq = 0, kind = $kind,
                     notice_json = '{}', recipient = $recipient, state = 'pending', due = $now,
                     attempts = 0, tries = [], created_at = $now;
                 };
                 RETURN array::len($taken) > 0;
                 COMMIT;",
            )
            .bind(("email", email_key.to_owned()))
            .bind(("every", format!("{}s", every.as_secs())))
            .bind(("key", key.to_owned()))
            .bind(("kind", kind.to_owned()))
            .bind(("recipient", recipient.to_owned()))
            .await;
        // Another request for the address committed first: it sends the link.
        let Some(mut result) = super::unless_conflicted(result, "sign-in link")? else { return Ok(false) };
        let last = result.num_statements().saturating_sub(1);
        let wrote: Option<bool> = result.take(last)?;
        if wrote == Some(true) {
            self.messages_written().notify_one();
        }
        Ok(wrote == Some(true))
    }

    /// What may stop a message due now: whether address key `email_key` opted out, and whether
    /// order `order_id`'s survey was answered.
    pub(crate) async fn withholding(
        &self,
        email_key: &str,
        order_id: Option<&str>,
    ) -> Result<Withholding, StoreError> {
        let mut results = self
            .db()
            .query(
                "RETURN record::exists(type::record('opt_out', $email));
                 RETURN $order != NONE AND record::exists(type::record('feedback', $order));",
            )
            .bind(("email", email_key.to_owned()))
            .bind(("order", order_id.map(str::to_owned)))
            .await?;
        let opted_out: Option<bool> = results.take(0)?;
        let answered: Option<bool> = results.take(1)?;
        Ok(Withholding { opted_out: opted_out == Some(true), answered: answered == Some(true) })
    }

    /// When address key `email_key` opted out of messages it may refuse; `None` when it did not.
    pub(crate) async fn opted_out_since(&self, email_key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT VALUE at FROM type::record('opt_out', $email)")
            .bind(("email", email_key.to_owned()))
            .await?;
        Ok(results.take::<Vec<DateTime<Utc>>>(0)?.into_iter().next())
    }

    /// Records that address key `email_key` opted out (`via` the one-click header or the page),
    /// keeping the first time it did; answers that time.
    pub(crate) async fn opt_out(&self, email_key: &str, via: OptOutVia) -> Result<DateTime<Utc>, StoreError> {
        let mut results = self
            .db()
            .query(
                "UPSERT type::record('opt_out', $email) SET at = at ?? time::now(), via = via ?? $via \
                 RETURN VALUE at",
            )
            .bind(("email", email_key.to_owned()))
            .bind(("via", via.as_str()))
            .await?;
        results
            .take::<Vec<DateTime<Utc>>>(0)?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Decode("an opt-out wrote no row".into()))
    }

    /// Removes address key `email_key`'s opt-out, if it had one.
    pub(crate) async fn opt_in(&self, email_key: &str) -> Result<(), StoreError> {
        self.db()
            .query("DELETE type::record('opt_out', $email)")
            .bind(("email", email_key.to_owned()))
            .await?
            .check()?;
        Ok(())
    }

    /// One message.
    pub async fn message(&self, key: &str) -> Result<Option<MessageRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!("SELECT {FIELDS} FROM type::record('message', $key)"))
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// Messages, newest first: in `state` if given, about `order_id` if given.
    pub async fn messages(
        &self,
        state: Option<&str>,
        order_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let mut filter = Vec::new();
        if state.is_some() {
            filter.push("state = $state");
        }
        if order_id.is_some() {
            filter.push("order_id = $order");
        }
        let filter =
            if filter.is_empty() { String::new() } else { format!("WHERE {}", filter.join(" AND ")) };
        let mut results = self
            .db()
            .query(format!("SELECT {FIELDS} FROM message {filter} ORDER BY created_at DESC LIMIT $limit"))
            .bind(("state", state.map(str::to_owned)))
            .bind(("order", order_id.map(str::to_owned)))
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        decode(rows(&mut results, 0)?)
    }
}
