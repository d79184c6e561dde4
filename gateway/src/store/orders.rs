//! Orders in the store: the intake transaction, timeline reads, and appending events atomically.

use chrono::{DateTime, Utc};
use ordo_core::allocation::{AllocationPlan, LinePart};
use ordo_core::order::{
    Order, OrderEvent, QueueChange, ShipmentSource, StockEffect, StockReason, TimelineEntry,
    held_reservations, queue_changes,
};
use ordo_core::status::status_view;
use serde::Deserialize;

use super::channels::{
    NewWebhook, WebhookAttempt, feed_statements, webhook_attempt_statement, webhook_statements,
};
use super::messages::{Attempt, NewMessage, attempt_statement, message_statements};
use super::stock_key;
use super::{Doer, SharedTimeline, Store, StoreError, TxOutcome, decode, outcome, rows};

/// What an idempotency key already stands for.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IdempotencyRecord {
    pub operation: String,
    pub fingerprint: String,
    pub order_id: String,
}

/// The intake transaction's result.
#[derive(Debug)]
pub(crate) enum Intake {
    Placed,
    /// The idempotency key was taken meanwhile (a concurrent identical request won).
    KeyTaken,
    /// The channel already has an order with this external id.
    ExternalIdTaken,
    /// Stock changed since the snapshot: re-read and re-plan.
    StockChanged,
    /// A write conflict: retry.
    Conflict,
}

/// What a channel's external id already stands for.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ExternalRecord {
    pub order_id: String,
    /// The scope of the caller who placed it (see `Actor::scope`).
    pub scope: String,
    /// SHA-256 of the request that placed it.
    pub fingerprint: String,
}

/// An idempotency key a write claims: its record id (the hashed, scoped key), the operation and
/// the request's fingerprint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyUse<'a> {
    pub record: &'a str,
    pub operation: &'a str,
    pub fingerprint: &'a str,
}

/// A new order ready to be written.
#[derive(Debug)]
pub(crate) struct NewOrderRecord<'a> {
    pub id: &'a str,
    /// `channel:external id`, only when the channel gave one.
    pub external_key: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub idempotency: Option<KeyUse<'a>>,
    /// The placing caller's scope, kept with the external id.
    pub scope: &'a str,
    /// SHA-256 of the request.
    pub fingerprint: &'a str,
    pub plan: &'a AllocationPlan,
    pub first: &'a TimelineEntry,
    pub order: &'a Order,
    pub actor: &'a Doer,
    /// When an unpaid order's payment hold runs out (a shopper's checkout), if it has one: a
    /// `payment_timeout` job is written with the order.
    pub payment_due: Option<DateTime<Utc>>,
    /// The customer's order confirmation.
    pub messages: &'a [NewMessage],
    /// The channels told the order was placed.
    pub webhooks: &'a [NewWebhook],
}

/// One append: the order after the new entries, and what else they write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Append<'a> {
    /// The order with `entries` applied.
    pub order: &'a Order,
    /// The sequence number the stored order must still have.
    pub expected_seq: u64,
    pub entries: &'a [TimelineEntry],
    pub actor: &'a Doer,
    /// (key, operation, fingerprint).
    pub idempotency: Option<KeyUse<'a>>,
    pub effects: &'a Effects,
    /// The messages to the customer the entries call for.
    pub messages: &'a [NewMessage],
    /// A delivery attempt the entries record (`message_sent`, `message_failed`), written on its
    /// message row in the same transaction.
    pub attempt: Option<Attempt<'a>>,
    /// The webhooks to channels the entries call for.
    pub webhooks: &'a [NewWebhook],
    /// A webhook attempt the entries record (`channel_acknowledged`, `channel_gave_up`), written
    /// on its row in the same transaction.
    pub webhook_attempt: Option<WebhookAttempt<'a>>,
}

/// What an append writes besides events.
#[derive(Debug, Clone, Default)]
pub(crate) struct Effects {
    /// Stock changes (ordo-core's `stock_effects` / `return_restock`).
    pub stock: Vec<StockEffect>,
    /// A package recorded for a shipment: (shipment id, package as JSON).
    pub package: Option<(String, serde_json::Value)>,
    /// The carrier service a shipment was booked with: (shipment id, service).
    pub service: Option<(String, String)>,
    /// Watches to (re)schedule, as (job kind, when): the order's `delivery_watch` (parcels running
    /// late) or `authorization_watch` (an authorization about to lapse) job is due then, or
    /// earlier if it already was.
    pub watches: Vec<(&'static str, chrono::DateTime<chrono::Utc>)>,
    /// The payment lease (its holder's token) the command ran under, given back in the same
    /// transaction: no round trip after, and no moment where the order is recorded but still
    /// leased.
    pub release_lease: Option<String>,
    /// The payment hold ended for good (`payment_hold_ends`): the order's `payment_timeout` job
    /// is removed now rather than left to find nothing to do when it falls due.
    pub end_payment_hold: bool,
}

/// A stored timeline entry.
#[derive(Debug, Deserialize)]
struct EventRow {
    /// The entry's JSON text (migration 0008 on).
    entry_json: Option<String>,
    /// The entry as an object, in rows written before migration 0008.
    entry: Option<serde_json::Value>,
    actor: String,
    /// Who the caller's token was issued to (migration 0012 on).
    #[serde(default)]
    subject: Option<String>,
    seq: i64,
}

fn unzip(rows: Vec<(TimelineEntry, Doer)>) -> SharedTimeline {
    let (timeline, actors): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    (timeline.into(), actors.into())
}

/// A JSON value a row stores as text, or as an object in rows written before migration 0008.
pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(
    text: Option<String>,
    object: Option<serde_json::Value>,
    what: &str,
) -> Result<T, StoreError> {
    let parsed = match (text, object) {
        (Some(text), _) => serde_json::from_str(&text),
        (None, Some(object)) => serde_json::from_value(object),
        (None, None) => return Err(StoreError::Decode(format!("{what}: no value stored"))),
    };
    parsed.map_err(|e| StoreError::Decode(format!("{what}: {e}")))
}

/// Units of an order reserved at a location.
#[derive(Debug, Clone, Deserialize)]
pub struct ReservationRow {
    pub sku: String,
    pub location: String,
    pub quantity: i64,
}

/// Which orders [`Store::order_ids`] lists: each filter that is set must hold.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OrderSelection<'a> {
    pub summary: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub customer: Option<&'a str>,
    /// Placed with this address (its key, `Email::key`).
    pub email_key: Option<&'a str>,
    /// Shipped to a name containing this (lower case, spaces collapsed).
    pub name: Option<&'a str>,
    /// Placed at or after, and before.
    pub placed: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// Placed before (the page's cursor).
    pub before: Option<DateTime<Utc>>,
}

impl Store {
    pub(crate) async fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT operation, fingerprint, order_id FROM type::record('idempotency', $key)")
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// Gives orders placed before names were searchable (migration 0019) their name key, read
    /// from their placed event: once, in one pass, then recorded as done (so a start on a large
    /// store does not scan its orders again). Two gateways starting at once both write the same
    /// keys.
    pub(crate) async fn backfill_order_names(&self) -> Result<(), StoreError> {
        const DONE: &str = "0019_order_names_backfilled";
        let mut done = self
            .db()
            .query("SELECT VALUE record::id(id) FROM type::record('migration', $done)")
            .bind(("done", DONE))
            .await?;
        let done: Vec<String> = done.take(0)?;
        if !done.is_empty() {
            return Ok(());
        }
        let mut results =
            self.db().query("SELECT VALUE record::id(id) FROM orders WHERE name_key = ''").await?;
        let ids: Vec<String> = results.take(0)?;
        for id in &ids {
            let timeline = self.timeline(id).await?;
            let Ok(order) = Order::from_timeline(timeline.iter()) else { continue };
            self.db()
                .query("UPDATE type::record('orders', $id) SET name_key = $name_key")
                .bind(("id", id.clone()))
                .bind(("name_key", name_key(&order)))
                .await?
                .check()?;
        }
        self.db()
            .query("UPSERT type::record('migration', $done) SET applied_at = time::now()")
            .bind(("done", DONE))
            .await?
            .check()?;
        Ok(())
    }

    /// The id of the order numbered `number`, if there is one.
    pub(crate) async fn order_id_by_number(&self, number: u32) -> Result<Option<String>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT VALUE record::id(id) FROM orders WHERE number = $number LIMIT 1")
            .bind(("number", i64::from(number)))
            .await?;
        let ids: Vec<String> = results.take(0)?;
        Ok(ids.into_iter().next())
    }

    /// Claims `block` order numbers from the counter (the first is 1001); answers the first.
    /// One statement, so one transaction: two gateways claiming at once conflict and the loser
    /// claims again.
    pub(crate) async fn claim_order_numbers(&self, block: u32) -> Result<u32, StoreError> {
        for _ in 0..20 {
            let result = self
                .db()
                .query(
                    "UPSERT type::record('counter', 'order_number')
                     SET next = (next ?? 1001) + $block RETURN VALUE next",
                )
                .bind(("block", i64::from(block)))
                .await;
            if let Some(mut results) = super::unless_conflicted(result, "claiming order numbers")? {
                let after: Vec<i64> = results.take(0)?;
                let first = after.first().map(|after| after - i64::from(block));
                let first = first.ok_or_else(|| StoreError::Decode("no order number".into()))?;
                return u32::try_from(first).map_err(|e| StoreError::Decode(e.to_string()));
            }
        }
        Err(StoreError::Contended(20))
    }

    /// Writes a new order in one transaction: idempotency record, stock reservations (each a
    /// conditional update, so two orders for the last unit conflict or one fails its condition),
    /// reservation and movement rows, the order and its first event.
    /// `retry`: an earlier attempt of this intake lost a race.
    pub(crate) async fn insert_order(
        &self,
        new: &NewOrderRecord<'_>,
        retry: bool,
    ) -> Result<Intake, StoreError> {
        // Intakes in this process take turns: always on an embedded store, once they collide on
        // a server (see `turn`).
        let (_turn, _rows) = if self.embedded {
            (Some(self.intake_turn.take().await), None)
        } else {
            let rows: Vec<String> = new
                .plan
                .lines()
                .iter()
                .flat_map(|line| {
                    line.parts().iter().filter_map(|part| match part {
                        LinePart::Allocate { location, .. } => {
                            Some(stock_key(line.sku().as_str(), location.as_str()))
                        }
                        _ => None,
                    })
                })
                .collect();
            (None, self.intake_turn.take_when_contended(&rows, retry).await)
        };
        let mut sql = String::from("BEGIN;\n");
        if new.idempotency.is_some() {
            sql.push_str(
                "CREATE type::record('idempotency', $idem) SET operation = 'placeOrder', \
                 fingerprint = $idem_fingerprint, order_id = $id, at = time::now();\n",
            );
        }
        if new.external_key.is_some() {
            sql.push_str(
                "CREATE type::record('external_order', $external_key) SET order_id = $id, \
                 scope = $scope, fingerprint = $fingerprint, at = time::now();\n",
            );
        }
        let mut binds: Vec<(String, serde_json::Value)> = Vec::new();
        let mut n = 0;
        for (line_index, line) in new.plan.lines().iter().enumerate() {
            for (part_index, part) in line.parts().iter().enumerate() {
                if let LinePart::Backorder { quantity, promised } = part {
                    sql.push_str(&format!(
                        "CREATE backorder SET order_id = $id, line = {line_index}, part = {part_index}, \
                         sku = $bs{n}, quantity = {quantity}, promised = '{promised}', \
                         placed_at = <datetime>$at, open = true;\n"
                    ));
                    binds.push((format!("bs{n}"), line.sku().as_str().into()));
                    n += 1;
                }
                if let LinePart::Allocate { location, quantity } = part {
                    let (k, q, s, l) = (format!("k{n}"), format!("q{n}"), format!("s{n}"), format!("l{n}"));
                    sql.push_str(&format!(
                        "LET $r{n} = UPDATE type::record('stock', ${k}) SET reserved += ${q} \
                         WHERE on_hand - reserved >= ${q} RETURN AFTER;\n\
                         IF array::len($r{n}) = 0 {{ THROW 'stock_changed' }};\n\
                         CREATE reservation SET order_id = $id, sku = ${s}, location = ${l}, quantity = ${q};\n\
                         CREATE stock_movement SET sku = ${s}, location = ${l}, on_hand_delta = 0, \
                         reserved_delta = ${q}, reason = 'reserved', order_id = $id, at = time::now();\n"
                    ));
                    binds.push((k, stock_key(line.sku().as_str(), location.as_str()).into()));
                    binds.push((q, i64::from(*quantity).into()));
                    binds.push((s, line.sku().as_str().into()));
                    binds.push((l, location.as_str().into()));
                    n += 1;
                }
            }
        }
        message_statements(new.messages, &mut sql, &mut binds);
        webhook_statements(new.webhooks, &mut sql, &mut binds);
        sql.push_str(
            "CREATE type::record('orders', $id) SET number = $number, name_key = $name_key, channel = $channel, external_id = $external_id, \
             customer = $customer, email = $email, email_key = $email_key, currency = $currency, \
             grand_total = $grand_total, summary = $summary, last_seq = 1, placed_at = <datetime>$at, \
             updated_at = <datetime>$at;\n\
             CREATE type::record('event', $event_key) SET order_id = $id, seq = 1, at = <datetime>$at, \
             type = $type, actor = $actor, subject = $subject ?? NONE, entry_json = $entry;\n\
             IF $payment_due != NONE {\n\
                 CREATE type::record('job', 'payment_timeout:' + $id) SET kind = 'payment_timeout', \
                 order_id = $id, due = <datetime>$payment_due, attempts = 0;\n\
             };\n",
        );
        // Last: a feed row's `at` is taken as it is written.
        feed_statements(new.webhooks, &mut sql, &mut binds);
        sql.push_str("COMMIT;");
        let order = new.order;
        let entry = serde_json::to_string(new.first).map_err(|e| StoreError::Decode(e.to_string()))?;
        let mut query = self
            .db()
            .query(sql)
            .bind(("id", new.id.to_owned()))
            .bind(("idem", new.idempotency.map(|i| i.record.to_owned())))
            .bind(("idem_fingerprint", new.idempotency.map(|i| i.fingerprint.to_owned())))
            .bind(("fingerprint", new.fingerprint.to_owned()))
            .bind(("scope", new.scope.to_owned()))
            .bind(("channel", order.channel().to_owned()))
            .bind(("number", order.number().map(i64::from)))
            .bind(("name_key", name_key(order)))
            .bind(("external_id", new.external_id.map(str::to_owned)))
            .bind(("external_key", new.external_key.map(str::to_owned)))
            .bind(("customer", order.customer().map(|c| c.as_str().to_owned())))
            .bind(("email", order.email().as_str().to_owned()))
            .bind(("email_key", order.email().key()))
            .bind(("currency", order.currency().code().to_owned()))
            .bind(("grand_total", order.totals().grand_total.amount()))
            .bind(("summary", summary(order, new.first.at)))
            .bind(("at", new.first.at.to_rfc3339()))
            .bind(("event_key", event_key(new.id, 1)))
            .bind(("type", new.first.event.name().to_owned()))
            .bind(("actor", new.actor.kind.clone()))
            .bind(("subject", new.actor.subject.clone()))
            .bind(("entry", entry))
            .bind(("payment_due", new.payment_due.map(|due| due.to_rfc3339())));
        for (name, value) in binds {
            query = query.bind((name, value));
        }
        Ok(match outcome(query.await?) {
            TxOutcome::Committed => {
                if !new.messages.is_empty() {
                    self.messages_written().notify_one();
                }
                if !new.webhooks.is_empty() {
                    self.webhooks_written().notify_one();
                }
                Intake::Placed
            }
            TxOutcome::Conflict => {
                self.count_conflict();
                Intake::Conflict
            }
            TxOutcome::Thrown(message) if message.contains("stock_changed") => {
                self.count_stock_changed();
                Intake::StockChanged
            }
            TxOutcome::Duplicate(message) if message.contains("idempotency") => Intake::KeyTaken,
            TxOutcome::Duplicate(message) if message.contains("external_order") => Intake::ExternalIdTaken,
            other => {
                return Err(StoreError::Decode(format!("intake transaction failed: {}", other.describe())));
            }
        })
    }

    /// An order's timeline, in sequence order; empty when there is no such order.
    pub(crate) async fn timeline(&self, order_id: &str) -> Result<Vec<TimelineEntry>, StoreError> {
        Ok(self.timeline_with_actors(order_id).await?.into_iter().map(|(entry, _)| entry).collect())
    }

    /// The timeline with who caused each event (`customer`, `staff`, `payment-provider`, …).
    pub(crate) async fn timeline_with_actors(
        &self,
        order_id: &str,
    ) -> Result<Vec<(TimelineEntry, Doer)>, StoreError> {
        // An order's events are the record ids `event:⟨order#seq⟩` (seq zero-padded), so one
        // range scan over the ids reads them, already in order, without the secondary index.
        use surrealdb::types::{RecordId, RecordIdKey, RecordIdKeyRange};
        let range = RecordIdKeyRange::from(format!("{order_id}#")..=format!("{order_id}#~"));
        let events = RecordId::new("event", RecordIdKey::Range(Box::new(range)));
        let mut results = self
            .db()
            .query("SELECT entry_json, entry, actor, subject, seq FROM $events")
            .bind(("events", events))
            .await?;
        let mut rows: Vec<EventRow> = decode(rows(&mut results, 0)?)?;
        rows.sort_by_key(|r| r.seq);
        rows.into_iter()
            .map(|r| {
                let doer = Doer { kind: r.actor, subject: r.subject };
                Ok((stored_json(r.entry_json, r.entry, "event")?, doer))
            })
            .collect()
    }

    /// The timeline with its actors, shared: from memory when this process keeps it (see
    /// [`super::timelines`]), otherwise read. Empty when there is no such order. For reads
    /// only; commands read [`Store::timeline`].
    pub(crate) async fn shared_timeline(&self, order_id: &str) -> Result<SharedTimeline, StoreError> {
        let Some(cache) = &self.timelines else {
            return Ok(unzip(self.timeline_with_actors(order_id).await?));
        };
        if let Some(kept) = cache.get(order_id) {
            return Ok(kept);
        }
        let start = cache.before_read();
        let read = unzip(self.timeline_with_actors(order_id).await?);
        cache.keep(start, order_id, &read);
        Ok(read)
    }

    /// After an append to `order_id` was tried: the next read goes to the store.
    pub(super) fn forget_timeline(&self, order_id: &str) {
        if let Some(cache) = &self.timelines {
            cache.forget(order_id);
        }
    }

    /// What an order holds reserved, per SKU and location.
    pub async fn reservations(&self, order_id: &str) -> Result<Vec<ReservationRow>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT sku, location, math::sum(quantity) AS quantity FROM reservation WHERE order_id = $id GROUP BY sku, location")
            .bind(("id", order_id.to_owned()))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// Appends `entries` to an order whose last sequence number is `expected_seq`, in one
    /// transaction with everything they cause: the list-view update, stock effects and the
    /// order's remaining reservations, closed backorders on cancellation, the shipment
    /// projection and idempotency record. `Ok(false)` when someone else appended first.
    pub(crate) async fn append(&self, append: &Append<'_>) -> Result<bool, StoreError> {
        let Append {
            order,
            expected_seq,
            entries,
            actor,
            idempotency,
            effects,
            messages,
            attempt,
            webhooks,
            webhook_attempt,
        } = *append;
        if entries.is_empty() {
            return Ok(true);
        }
        let (statements, mut binds) = append_statements(order, expected_seq, entries, actor)?;
        let mut sql = format!("BEGIN;\n{statements}");
        if idempotency.is_some() {
            sql.push_str(
                "CREATE type::record('idempotency', $idem) SET operation = $op, fingerprint = $fp, \
                 order_id = $id, at = time::now();\n",
            );
        }
        message_statements(messages, &mut sql, &mut binds);
        if let Some(attempt) = &attempt {
            attempt_statement(attempt, &mut sql, &mut binds);
        }
        webhook_statements(webhooks, &mut sql, &mut binds);
        if let Some(attempt) = &webhook_attempt {
            webhook_attempt_statement(attempt, &mut sql, &mut binds);
        }
        effect_statements(order, entries, effects, &mut sql, &mut binds)?;
        // Last: a feed row's `at` is taken as it is written.
        feed_statements(webhooks, &mut sql, &mut binds);
        sql.push_str("COMMIT;");
        let mut query = self
            .db()
            .query(sql)
            .bind(("idem", idempotency.map(|i| i.record.to_owned())))
            .bind(("op", idempotency.map(|i| i.operation.to_owned())))
            .bind(("fp", idempotency.map(|i| i.fingerprint.to_owned())));
        for bind in binds {
            query = query.bind(bind);
        }
        let done = query.await;
        self.forget_timeline(order.id().as_str());
        match outcome(done?) {
            TxOutcome::Committed => {
                if !messages.is_empty() {
                    self.messages_written().notify_one();
                }
                if !webhooks.is_empty() {
                    self.webhooks_written().notify_one();
                }
                Ok(true)
            }
            TxOutcome::Conflict => {
                self.count_conflict();
                Ok(false)
            }
            TxOutcome::Duplicate(_) => Ok(false),
            TxOutcome::Thrown(message) if message.contains("stale_order") => Ok(false),
            TxOutcome::Thrown(message) if message.contains("tracking_taken") => {
                Err(StoreError::TrackingTaken)
            }
            other => Err(StoreError::Decode(format!("append failed: {}", other.describe()))),
        }
    }

    /// Takes the order's payment lease (one money-moving command at a time), waiting briefly
    /// for a holder to finish; an expired lease (a crashed holder) is taken over.
    pub(crate) async fn lease_payment(&self, order_id: &str) -> Result<String, StoreError> {
        Ok(self.take_payment_lease(order_id, false).await?.0)
    }

    /// [`Store::lease_payment`], answering also the order's last sequence number read once the
    /// lease was taken (`None`: no such order), in the same round trip: an order read before
    /// with that sequence number is the order every earlier holder left.
    pub(crate) async fn lease_payment_seeing(
        &self,
        order_id: &str,
    ) -> Result<(String, Option<u64>), StoreError> {
        self.take_payment_lease(order_id, true).await
    }

    /// The lease's token, and the order's last sequence number when `seeing`.
    async fn take_payment_lease(
        &self,
        order_id: &str,
        seeing: bool,
    ) -> Result<(String, Option<u64>), StoreError> {
        let token = ulid::Ulid::new().to_string();
        let mut sql = String::from(
            "DELETE type::record('payment_lease', $id) WHERE until < time::now();
             CREATE type::record('payment_lease', $id) SET token = $holder, until = time::now() + 30s;",
        );
        if seeing {
            sql.push_str("\nRETURN type::record('orders', $id).last_seq;");
        }
        for attempt in 1..=40u32 {
            let mut result = self
                .db()
                .query(sql.as_str())
                .bind(("id", order_id.to_owned()))
                .bind(("holder", token.clone()))
                .await?;
            let errors = result.take_errors();
            if errors.is_empty() {
                let last_seq: Option<i64> = if seeing { result.take(2)? } else { None };
                return Ok((token, last_seq.and_then(|seq| u64::try_from(seq).ok())));
            }
            if !errors.values().any(|e| {
                e.is_already_exists()
                    || e.message().contains("already exists")
                    || e.query_details() == Some(&surrealdb::types::QueryError::TransactionConflict)
                    || e.message().contains("can be retried")
            }) {
                let detail: Vec<String> = errors.values().map(|e| e.message().to_owned()).collect();
                return Err(StoreError::Decode(format!("payment lease: {}", detail.join("; "))));
            }
            tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt.min(10)) * 5)).await;
        }
        Err(StoreError::Contended(40))
    }

    /// Gives the lease back (best effort: it expires by itself).
    pub(crate) async fn release_payment(&self, order_id: &str, token: &str) {
        let released = self
            .db()
            .query("DELETE type::record('payment_lease', $id) WHERE token = $holder")
            .bind(("id", order_id.to_owned()))
            .bind(("holder", token.to_owned()))
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, order = order_id, "could not release the payment lease");
        }
    }

    /// The sales channel of an order, if it exists.
    pub(crate) async fn order_channel(&self, order_id: &str) -> Result<Option<String>, StoreError> {
        let mut result = self
            .db()
            .query("SELECT VALUE channel FROM type::record('orders', $id)")
            .bind(("id", order_id.to_owned()))
            .await?;
        let channels: Vec<String> = result.take(0)?;
        Ok(channels.into_iter().next())
    }

    /// Order ids for a list view, newest first.
    pub(crate) async fn order_ids(
        &self,
        which: &OrderSelection<'_>,
        limit: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        let OrderSelection { summary, channel, customer, email_key, name, placed, before } = *which;
        #[derive(Deserialize)]
        struct Row {
            key: String,
            placed_at: DateTime<Utc>,
        }
        let mut results = self
            .db()
            .query(
                "SELECT record::id(id) AS key, placed_at FROM orders
                 WHERE ($summary = NONE OR summary = $summary) AND ($channel = NONE OR channel = $channel)
                   AND ($customer = NONE OR customer = $customer) AND ($email = NONE OR email_key = $email)
                   AND ($name = NONE OR string::contains(name_key, $name))
                   AND ($from = NONE OR placed_at >= <datetime>$from) AND ($to = NONE OR placed_at < <datetime>$to)
                   AND ($before = NONE OR placed_at < <datetime>$before)
                 ORDER BY placed_at DESC LIMIT $limit",
            )
            .bind(("summary", summary.map(str::to_owned)))
            .bind(("channel", channel.map(str::to_owned)))
            .bind(("customer", customer.map(str::to_owned)))
            .bind(("email", email_key.map(str::to_owned)))
            .bind(("name", name.map(str::to_owned)))
            .bind(("from", placed.0.map(|d| d.to_rfc3339())))
            .bind(("to", placed.1.map(|d| d.to_rfc3339())))
            .bind(("before", before.map(|b| b.to_rfc3339())))
            .bind(("limit", i64::try_from(limit).unwrap_or(i64::MAX)))
            .await?;
        let rows: Vec<Row> = decode(rows(&mut results, 0)?)?;
        Ok(rows.into_iter().map(|r| (r.key, r.placed_at)).collect())
    }

    /// Units reserved per (sku, location) by open reservations, for consistency checks.
    pub async fn reserved_total(&self, sku: &str) -> Result<(i64, i64), StoreError> {
        let mut results = self
            .db()
            .query(
                "RETURN math::sum((SELECT VALUE reserved FROM stock WHERE sku = $sku));
                 RETURN math::sum((SELECT VALUE quantity FROM reservation WHERE sku = $sku));",
            )
            .bind(("sku", sku.to_owned()))
            .await?;
        let stock: Option<i64> = results.take(0)?;
        let reservations: Option<i64> = results.take(1)?;
        Ok((stock.unwrap_or(0), reservations.unwrap_or(0)))
    }
}

/// The statements (and their bindings) that append `entries` to `order` inside a transaction:
/// the list-view update, guarded so that it fails with `stale_order` unless the stored order is
/// still at `expected_seq`, then one event row per entry. Binds `$id`; the caller adds the rest
/// of the transaction around it.
pub(crate) fn append_statements(
    order: &Order,
    expected_seq: u64,
    entries: &[TimelineEntry],
    actor: &Doer,
) -> Result<(String, Vec<(String, serde_json::Value)>), StoreError> {
    let mut sql = String::from(
        "LET $o = UPDATE type::record('orders', $id) SET last_seq = $last_seq, summary = $summary, \
         grand_total = $grand_total, updated_at = <datetime>$at WHERE last_seq = $expected RETURN AFTER;\n\
         IF array::len($o) = 0 { THROW 'stale_order' };\n",
    );
    let Some(last) = entries.last() else { return Ok((String::new(), Vec::new())) };
    let mut binds: Vec<(String, serde_json::Value)> = vec![
        ("id".into(), order.id().as_str().into()),
        ("last_seq".into(), serde_json::Value::from(last.seq)),
        ("expected".into(), serde_json::Value::from(expected_seq)),
        ("summary".into(), summary(order, last.at).into()),
        ("grand_total".into(), order.totals().grand_total.amount().into()),
        ("at".into(), last.at.to_rfc3339().into()),
        ("actor".into(), actor.kind.as_str().into()),
        ("subject".into(), actor.subject.as_deref().map_or(serde_json::Value::Null, Into::into)),
    ];
    for (i, entry) in entries.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE type::record('event', $k{i}) SET order_id = $id, seq = $s{i}, at = <datetime>$at, \
             type = $t{i}, actor = $actor, subject = $subject ?? NONE, entry_json = $e{i};\n"
        ));
        binds.push((format!("k{i}"), event_key(order.id().as_str(), entry.seq).into()));
        binds.push((format!("s{i}"), serde_json::Value::from(entry.seq)));
        binds.push((format!("t{i}"), entry.event.name().into()));
        binds.push((
            format!("e{i}"),
            serde_json::to_string(entry).map_err(|e| StoreError::Decode(e.to_string()))?.into(),
        ));
    }
    Ok((sql, binds))
}

/// The ship-to name as staff search it.
fn name_key(order: &Order) -> String {
    ordo_core::text::search_key(order.shipping_address().name())
}

fn event_key(order_id: &str, seq: u64) -> String {
    format!("{order_id}#{seq:010}")
}

fn summary(order: &Order, now: DateTime<Utc>) -> String {
    let view = status_view(order, now);
    serde_json::to_value(view.summary).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Statements for an append's effects (see [`Store::append`]).
fn effect_statements(
    order: &Order,
    entries: &[TimelineEntry],
    effects: &Effects,
    sql: &mut String,
    binds: &mut Vec<(String, serde_json::Value)>,
) -> Result<(), StoreError> {
    use serde_json::json;
    if effects.end_payment_hold {
        sql.push_str("DELETE type::record('job', 'payment_timeout:' + $id);\n");
    }
    if let Some(holder) = &effects.release_lease {
        sql.push_str("DELETE type::record('payment_lease', $id) WHERE token = $lease_holder;\n");
        binds.push(("lease_holder".into(), holder.as_str().into()));
    }
    for (i, effect) in effects.stock.iter().enumerate() {
        let (sku, location) = (effect.sku.as_str(), effect.location.as_str());
        if effect.reason == StockReason::Restocked {
            sql.push_str(&format!(
                "UPSERT type::record('stock', $stk{i}) SET sku = $ssku{i}, location = $sloc{i}, \
                 on_hand = (on_hand ?? 0) + $soh{i}, reserved = reserved ?? 0;\n"
            ));
        } else {
            sql.push_str(&format!(
                "LET $st{i} = UPDATE type::record('stock', $stk{i}) SET on_hand += $soh{i}, reserved += $srv{i} \
                 WHERE on_hand + $soh{i} >= 0 AND reserved + $srv{i} >= 0 RETURN AFTER;\n\
                 IF array::len($st{i}) = 0 {{ THROW 'stock_inconsistent' }};\n"
            ));
        }
        sql.push_str(&format!(
            "CREATE stock_movement SET sku = $ssku{i}, location = $sloc{i}, on_hand_delta = $soh{i}, \
             reserved_delta = $srv{i}, reason = $srsn{i}, order_id = $id, at = time::now();\n"
        ));
        binds.push((format!("stk{i}"), stock_key(sku, location).into()));
        binds.push((format!("ssku{i}"), sku.into()));
        binds.push((format!("sloc{i}"), location.into()));
        binds.push((format!("soh{i}"), effect.on_hand_delta.into()));
        binds.push((format!("srv{i}"), effect.reserved_delta.into()));
        binds.push((format!("srsn{i}"), effect.reason.as_str().into()));
    }
    // The order's reservations are rewritten as what it still holds.
    if effects.stock.iter().any(|e| e.reserved_delta != 0) {
        sql.push_str("DELETE reservation WHERE order_id = $id;\n");
        for (i, (sku, location, units)) in held_reservations(order).into_iter().enumerate() {
            sql.push_str(&format!("CREATE reservation CONTENT $res{i};\n"));
            binds.push((
                format!("res{i}"),
                json!({ "order_id": order.id().as_str(), "sku": sku.as_str(), "location": location.as_str(), "quantity": units }),
            ));
        }
    }
    // A tracking number belongs to one parcel per carrier: its claim record is written by the
    // shipping append, so two parcels shipped with one number conflict and the later one throws.
    for (i, entry) in entries.iter().enumerate() {
        let OrderEvent::ShipmentShipped { shipment, carrier, tracking_number, .. } = &entry.event else {
            continue;
        };
        sql.push_str(&format!(
            "IF array::len((SELECT VALUE shipment FROM type::record('tracking_claim', $tck{i}) \
             WHERE shipment != $tcs{i})) > 0 {{ THROW 'tracking_taken' }};\n\
             UPSERT type::record('tracking_claim', $tck{i}) SET shipment = $tcs{i}, order_id = $id;\n"
        ));
        binds.push((format!("tck{i}"), ordo_core::tracking::tracking_key(carrier, tracking_number).into()));
        binds.push((format!("tcs{i}"), shipment.as_str().into()));
    }
    // The watch over parcels on their way: due at the earlier of its time and the one it had.
    // Writing it frees it from a gateway running it now, whose finish (conditional on holding
    // the lease) then leaves it for the next look.
    for (i, (kind, due)) in effects.watches.iter().enumerate() {
        sql.push_str(&format!(
            "UPSERT type::record('job', $wkind{i} + ':' + $id) SET kind = $wkind{i}, order_id = $id, \
             due = IF due != NONE AND due < <datetime>$wdue{i} THEN due ELSE <datetime>$wdue{i} END, \
             attempts = 0, lease_owner = NONE, lease_until = NONE;\n"
        ));
        binds.push((format!("wkind{i}"), (*kind).into()));
        binds.push((format!("wdue{i}"), due.to_rfc3339().into()));
    }
    // The order's parts waiting for stock, as ordo-core says the events leave them.
    let queue = queue_changes(order, entries);
    if queue.iter().any(|c| matches!(c, QueueChange::Wait { .. })) {
        binds.push(("qat".into(), order.placed_at().to_rfc3339().into()));
    }
    for change in queue {
        match change {
            QueueChange::LeaveAll => {
                sql.push_str("UPDATE backorder SET open = false WHERE order_id = $id AND open = true;\n");
            }
            QueueChange::Shrink { line, part, quantity } => sql.push_str(&format!(
                "UPDATE backorder SET quantity = {}, open = {} WHERE order_id = $id AND line = {line} \
                 AND part = {part} AND open = true;\n",
                quantity.max(1),
                quantity > 0,
            )),
            // A part already waiting keeps its row (a receipt may be allocating it by that key)
            // with the new day; one that starts waiting joins at its order's place.
            QueueChange::Wait { line, part, quantity, promised } => {
                let sku = order.lines().get(line).map(|l| l.sku().as_str().to_owned()).unwrap_or_default();
                sql.push_str(&format!(
                    "LET $q{line}_{part} = UPDATE backorder SET quantity = {quantity}, promised = '{promised}' \
                     WHERE order_id = $id AND line = {line} AND part = {part} AND open = true RETURN AFTER;\n\
                     IF array::len($q{line}_{part}) = 0 {{ CREATE backorder SET order_id = $id, line = {line}, \
                     part = {part}, sku = $qs{line}_{part}, quantity = {quantity}, promised = '{promised}', \
                     placed_at = <datetime>$qat, open = true }};\n"
                ));
                binds.push((format!("qs{line}_{part}"), sku.into()));
            }
            QueueChange::Leave { line, part } => sql.push_str(&format!(
                "UPDATE backorder SET open = false WHERE order_id = $id AND line = {line} AND part = {part} \
                 AND open = true;\n"
            )),
        }
    }
    // The shipment projection: every shipment an entry changes (a split's new parcel, a merge's
    // emptied ones too).
    let touched: Vec<&str> = entries.iter().flat_map(|e| e.event.shipments()).collect();
    for (i, shipment) in order.shipments().iter().filter(|s| touched.contains(&s.id())).enumerate() {
        let (source, location, supplier) = match shipment.source() {
            ShipmentSource::Location { location } => ("location", Some(location.as_str()), None),
            ShipmentSource::Supplier { supplier } => ("supplier", None, Some(supplier.as_str())),
        };
        let lines: Vec<serde_json::Value> = shipment
            .lines()
            .iter()
            .map(|l| {
                let sku = order.lines().get(l.line).map(|ol| ol.sku().as_str()).unwrap_or_default();
                json!({ "line": l.line, "sku": sku, "quantity": l.quantity })
            })
            .collect();
        let mut content = json!({
            "order_id": order.id().as_str(), "source": source, "location": location, "supplier": supplier,
            "state": shipment.state().name(), "carrier": shipment.carrier(),
            "tracking_number": shipment.tracking_number(), "lines": lines,
        });
        if let Some((id, package)) = &effects.package
            && id == shipment.id()
        {
            content["package"] = package.clone();
        }
        if let Some((id, service)) = &effects.service
            && id == shipment.id()
        {
            content["service"] = service.as_str().into();
        }
        sql.push_str(&format!(
            "UPSERT type::record('shipment', $shk{i}) MERGE $shc{i};\n\
             UPDATE type::record('shipment', $shk{i}) SET updated_at = time::now();\n"
        ));
        binds.push((format!("shk{i}"), shipment.id().into()));
        binds.push((format!("shc{i}"), super::without_nulls(content)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Store;

    #[tokio::test]
    async fn order_numbers_start_at_1001_and_no_two_claimed_blocks_overlap() {
        let store = Store::open("mem://").await.unwrap();
        let blocks = futures::future::join_all((0..8).map(|_| store.claim_order_numbers(20))).await;
        let mut firsts: Vec<u32> = blocks.into_iter().map(Result::unwrap).collect();
        firsts.sort_unstable();
        assert_eq!(firsts, (0..8).map(|i| 1001 + 20 * i).collect::<Vec<u32>>());
        // Claiming numbers places no order: nothing is found by one yet.
        assert_eq!(store.order_id_by_number(1001).await.unwrap(), None);
    }
}
