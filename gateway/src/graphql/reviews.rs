//! Reviews and feedback: reviewing delivered order lines, product reviews and ratings, hiding reviews, the post-delivery survey and its low scores.
//!
//! Who may: a review only by the order's customer account (guests, staff and channels are
//! `FORBIDDEN`: reviews are public and belong to an account); feedback by the order's customer
//! or the holder of the order's guest token; hiding reviews and reading low scores by staff.
//! An order the caller may not see answers `NOT_FOUND`, exactly like a missing one. The rules
//! themselves (delivery, ratings, text limits) are ordo-core's `review` module.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, SecondsFormat, Utc};

use super::page_size;
use super::{actor, app};
use crate::app::reviews::{self, FeedbackRow, ReviewRow};
use crate::graphql::error::GqlResult;

/// A customer's review of a product they received.
#[derive(SimpleObject, Debug, Clone)]
pub struct Review {
    pub id: String,
    pub sku: String,
    /// Stars, 1 to 5.
    pub rating: i32,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Hidden by staff: no longer listed or counted in the product's rating.
    pub hidden: bool,
    pub hidden_reason: Option<String>,
}

impl From<&ReviewRow> for Review {
    fn from(row: &ReviewRow) -> Review {
        Review {
            id: row.key.clone(),
            sku: row.sku.clone(),
            rating: i32::try_from(row.rating).unwrap_or(0),
            title: row.title.clone(),
            body: row.body.clone(),
            created_at: row.created_at,
            hidden: row.hidden,
            hidden_reason: row.hidden_reason.clone(),
        }
    }
}

/// A product's rating over its visible reviews.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProductRating {
    /// Mean stars rounded to hundredths (e.g. 4.67); null without reviews.
    pub average: Option<f64>,
    /// How many visible reviews there are.
    pub count: i64,
    /// How many reviews gave each number of stars, from 1 to 5.
    pub distribution: Vec<RatingCount>,
}

/// How many reviews gave a number of stars.
#[derive(SimpleObject, Debug, Clone)]
pub struct RatingCount {
    pub stars: i32,
    pub count: i64,
}

/// An answer to the post-delivery survey.
#[derive(SimpleObject, Debug, Clone)]
pub struct Feedback {
    pub order_id: String,
    pub customer_id: Option<String>,
    /// How likely the customer is to recommend the shop, 0 to 10.
    pub score: i32,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&FeedbackRow> for Feedback {
    fn from(row: &FeedbackRow) -> Feedback {
        Feedback {
            order_id: row.order_id.clone(),
            customer_id: row.customer.clone(),
            score: i32::try_from(row.score).unwrap_or(0),
            comment: row.comment.clone(),
            created_at: row.created_at,
        }
    }
}

/// Visible reviews of `sku`, newest first (the `reviews` field of `Product`).
pub(super) async fn product_reviews(
    ctx: &Context<'_>,
    sku: &str,
    first: i32,
    after: Option<String>,
) -> Result<Connection<String, Review>> {
    let limit = page_size(first)?;
    let rows = reviews::reviews_of(app(ctx)?, sku, after.as_deref(), limit + 1).await.gql()?;
    let mut connection = Connection::new(after.is_some(), rows.len() > limit);
    connection.edges.extend(rows.iter().take(limit).map(|r| Edge::new(r.key.clone(), Review::from(r))));
    Ok(connection)
}

/// The rating of `sku` over its visible reviews (the `rating` field of `Product`).
pub(super) async fn product_rating(ctx: &Context<'_>, sku: &str) -> Result<ProductRating> {
    let summary = reviews::rating_of(app(ctx)?, sku).await.gql()?;
    let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(ProductRating {
        average: summary
            .average_hundredths()
            .map(|h| f64::from(u32::try_from(h).unwrap_or(u32::MAX)) / 100.0),
        count: to_i64(summary.count()),
        distribution: reviews::ratings()
            .map(|rating| RatingCount {
                stars: i32::from(rating.get()),
                count: to_i64(summary.count_of(rating)),
            })
            .collect(),
    })
}

#[derive(Default, Debug)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// Survey answers scoring at most `maxScore` (default 6), newest first, to follow up (staff).
    /// `after` is the cursor of the last answer seen.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn low_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 6)] max_score: i32,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Feedback>> {
        let limit = page_size(first)?;
        let rows = reviews::low_feedback(app(ctx)?, actor(ctx), max_score, after.as_deref(), limit + 1)
            .await
            .gql()?;
        let mut connection = Connection::new(after.is_some(), rows.len() > limit);
        connection.edges.extend(rows.iter().take(limit).map(|r| {
            let cursor = format!("{}|{}", r.created_at.to_rfc3339_opts(SecondsFormat::Nanos, true), r.key);
            Edge::new(cursor, Feedback::from(r))
        }));
        Ok(connection)
    }
}

#[derive(Default, Debug)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Reviews the line of an order for `sku`, 1 to 5 stars with a title (up to 120 characters)
    /// and an optional body (up to 5 000). Only the order's customer, only once some units of the
    /// line were delivered, once per line.
    async fn submit_review(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        sku: String,
        rating: i32,
        title: String,
        #[graphql(default)] body: String,
    ) -> Result<Review> {
        let row = reviews::submit_review(app(ctx)?, actor(ctx), &order_id, &sku, rating, (&title, &body))
            .await
            .gql()?;
        Ok(Review::from(&row))
    }

    /// Hides a review from the product's reviews and rating, with a reason (staff).
    async fn hide_review(&self, ctx: &Context<'_>, id: String, reason: String) -> Result<Review> {
        let hidden = reviews::hide_review(app(ctx)?, actor(ctx), id.trim(), &reason).await.gql()?;
        Ok(Review::from(&hidden))
    }

    /// Shows a hidden review again, in the product's reviews and rating (staff); a visible review
    /// stays as it is.
    async fn unhide_review(&self, ctx: &Context<'_>, id: String) -> Result<Review> {
        let shown = reviews::unhide_review(app(ctx)?, actor(ctx), id.trim()).await.gql()?;
        Ok(Review::from(&shown))
    }

    /// Answers the post-delivery survey for an order: how likely you are to recommend the shop
    /// (0 to 10) and an optional comment (up to 2 000 characters). By the order's customer or
    /// its guest token, once something was delivered, once per order.
    async fn submit_feedback(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        score: i32,
        comment: Option<String>,
    ) -> Result<Feedback> {
        let row = reviews::submit_feedback(app(ctx)?, actor(ctx), &order_id, score, comment.as_deref())
            .await
            .gql()?;
        Ok(Feedback::from(&row))
    }
}
