//! Reviews and feedback in the store: one review per order line (a UNIQUE index), one feedback
//! per order (its record id), visible reviews per SKU newest first, rating counts, low scores.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Store, StoreError, TxOutcome, decode, outcome, rows};

const REVIEW_FIELDS: &str = "record::id(id) AS key, order_id, sku, customer, rating, title, body, created_at, \
                             hidden, hidden_reason, hidden_by";
const FEEDBACK_FIELDS: &str = "record::id(id) AS key, order_id, customer, score, comment, created_at";

/// A review as stored. `key` is its public id (`rev_…`, time-ordered).
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewRow {
    pub key: String,
    pub order_id: String,
    pub sku: String,
    pub customer: String,
    pub rating: i64,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub hidden_by: Option<String>,
}

/// A feedback answer as stored; `key` is the order id.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedbackRow {
    pub key: String,
    pub order_id: String,
    pub customer: Option<String>,
    pub score: i64,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where a page of feedback starts: after the answer given at `created_at` for `order_id`.
#[derive(Debug, Clone)]
pub struct FeedbackCursor {
    pub created_at: DateTime<Utc>,
    pub order_id: String,
}

impl ReviewRow {
    /// A new, visible review with a fresh time-ordered id.
    pub fn new(
        order_id: &str,
        sku: &str,
        customer: &str,
        rating: i64,
        (title, body): (&str, &str),
        created_at: DateTime<Utc>,
    ) -> ReviewRow {
        let ulid = ulid::Ulid::from_datetime(created_at.into());
        ReviewRow {
            key: format!("rev_{}", ulid.to_string().to_lowercase()),
            order_id: order_id.to_owned(),
            sku: sku.to_owned(),
            customer: customer.to_owned(),
            rating,
            title: title.to_owned(),
            body: body.to_owned(),
            created_at,
            hidden: false,
            hidden_reason: None,
            hidden_by: None,
        }
    }
}

impl Store {
    /// Stores a new review; `Ok(false)` when its order line already has one (a concurrent
    /// duplicate loses the same way, on the unique index).
    pub async fn insert_review(&self, review: &ReviewRow) -> Result<bool, StoreError> {
        let result = self
            .db()
            .query(
                "CREATE type::record('review', $key) SET order_id = $order_id, sku = $sku, customer = $customer,
                     rating = $rating, title = $title, body = $body, created_at = <datetime>$at, hidden = false
                 RETURN NONE",
            )
            .bind(("key", review.key.clone()))
            .bind(("order_id", review.order_id.clone()))
            .bind(("sku", review.sku.clone()))
            .bind(("customer", review.customer.clone()))
            .bind(("rating", review.rating))
            .bind(("title", review.title.clone()))
            .bind(("body", review.body.clone()))
            .bind(("at", review.created_at.to_rfc3339()))
            .await?;
        match outcome(result) {
            TxOutcome::Committed => Ok(true),
            TxOutcome::Duplicate(message) if message.contains("review_line") => Ok(false),
            other => Err(StoreError::Decode(format!("review insert failed: {}", other.describe()))),
        }
    }

    /// Every review of an order's lines (hidden ones too, flagged), oldest first, and its
    /// feedback answer if there is one: what `order(id)` shows.
    pub async fn reviews_and_feedback_of_order(
        &self,
        order_id: &str,
    ) -> Result<(Vec<ReviewRow>, Option<FeedbackRow>), StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "SELECT {REVIEW_FIELDS} FROM review WHERE order_id = $id ORDER BY key;
                 SELECT {FEEDBACK_FIELDS} FROM type::record('feedback', $id);"
            ))
            .bind(("id", order_id.to_owned()))
            .await?;
        let reviews = decode(rows(&mut results, 0)?)?;
        let feedback = decode(rows(&mut results, 1)?)?.into_iter().next();
        Ok((reviews, feedback))
    }

    /// Visible reviews of `sku`, newest first, after the review `after` (exclusive), at most `limit`.
    pub async fn reviews_of(
        &self,
        sku: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ReviewRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "SELECT {REVIEW_FIELDS} FROM review
                 WHERE sku = $sku AND hidden = false AND ($after = NONE OR record::id(id) < $after)
                 ORDER BY key DESC LIMIT $limit"
            ))
            .bind(("sku", sku.to_owned()))
            .bind(("after", after.map(str::to_owned)))
            .bind(("limit", i64::try_from(limit).unwrap_or(i64::MAX)))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// How many visible reviews of `sku` gave each rating, as `(stars, count)`, counted by the store.
    pub async fn rating_counts(&self, sku: &str) -> Result<Vec<(i64, u64)>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            rating: i64,
            count: u64,
        }
        let mut results = self
            .db()
            .query(
                "SELECT rating, count() AS count FROM review WHERE sku = $sku AND hidden = false GROUP BY rating",
            )
            .bind(("sku", sku.to_owned()))
            .await?;
        let rows: Vec<Row> = decode(rows(&mut results, 0)?)?;
        Ok(rows.into_iter().map(|r| (r.rating, r.count)).collect())
    }

    /// One review by id, hidden or not.
    pub async fn review(&self, key: &str) -> Result<Option<ReviewRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!("SELECT {REVIEW_FIELDS} FROM type::record('review', $key)"))
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// Hides a review with a reason; `None` when there is no such review. Hiding again replaces the reason.
    pub async fn hide_review(
        &self,
        key: &str,
        reason: &str,
        by: &str,
    ) -> Result<Option<ReviewRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "UPDATE type::record('review', $key) SET hidden = true, hidden_reason = $reason,
                     hidden_by = $by, hidden_at = time::now() RETURN NONE;
                 SELECT {REVIEW_FIELDS} FROM type::record('review', $key);"
            ))
            .bind(("key", key.to_owned()))
            .bind(("reason", reason.to_owned()))
            .bind(("by", by.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 1)?)?.into_iter().next())
    }

    /// Shows a hidden review again (its rating counts again); `None` when there is no such review.
    /// The hiding's reason, author and time are cleared with it.
    pub async fn unhide_review(&self, key: &str) -> Result<Option<ReviewRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "UPDATE type::record('review', $key) SET hidden = false, hidden_reason = NONE,
                     hidden_by = NONE, hidden_at = NONE RETURN NONE;
                 SELECT {REVIEW_FIELDS} FROM type::record('review', $key);"
            ))
            .bind(("key", key.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 1)?)?.into_iter().next())
    }

    /// Stores an order's feedback; `Ok(false)` when the order already has feedback.
    pub async fn insert_feedback(&self, feedback: &FeedbackRow) -> Result<bool, StoreError> {
        let result = self
            .db()
            .query(
                "CREATE type::record('feedback', $order_id) SET order_id = $order_id, customer = $customer,
                     score = $score, comment = $comment, created_at = <datetime>$at
                 RETURN NONE",
            )
            .bind(("order_id", feedback.order_id.clone()))
            .bind(("customer", feedback.customer.clone()))
            .bind(("score", feedback.score))
            .bind(("comment", feedback.comment.clone()))
            .bind(("at", feedback.created_at.to_rfc3339()))
            .await?;
        match outcome(result) {
            TxOutcome::Committed => Ok(true),
            TxOutcome::Duplicate(_) => Ok(false),
            other => Err(StoreError::Decode(format!("feedback insert failed: {}", other.describe()))),
        }
    }

    /// Feedback scoring at most `max_score`, newest first, after `after` (exclusive), at most `limit`.
    pub async fn low_feedback(
        &self,
        max_score: i64,
        after: Option<&FeedbackCursor>,
        limit: usize,
    ) -> Result<Vec<FeedbackRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!(
                "SELECT {FEEDBACK_FIELDS} FROM feedback
                 WHERE score <= $max
                   AND ($at = NONE OR created_at < <datetime>$at
                        OR (created_at = <datetime>$at AND record::id(id) < $after))
                 ORDER BY created_at DESC, key DESC LIMIT $limit"
            ))
            .bind(("max", max_score))
            .bind(("at", after.map(|a| a.created_at.to_rfc3339())))
            .bind(("after", after.map(|a| a.order_id.clone())))
            .bind(("limit", i64::try_from(limit).unwrap_or(i64::MAX)))
            .await?;
        decode(rows(&mut results, 0)?)
    }
}
