//! Reviews and feedback: reviewing delivered order lines, product reviews and ratings, hiding
//! reviews, the post-delivery survey and its low scores.
//!
//! Who may: a review only by the order's customer account (guests, staff and channels are
//! `FORBIDDEN`: reviews are public and belong to an account); feedback by the order's customer
//! or the holder of the order's guest token; hiding reviews and reading low scores by staff.
//! An order the caller may not see answers `NOT_FOUND`, exactly like a missing one. The rules
//! themselves (delivery, ratings, text limits) are ordo-core's `review` module.

use chrono::Utc;
use ordo_core::order::Order;
use ordo_core::review::{self, FeedbackScore, Rating, RatingSummary, Respondent, ReviewError, ReviewText};
use ordo_core::values::{CustomerId, OrderId, Sku};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
pub use crate::store::reviews::{FeedbackCursor, FeedbackRow, ReviewRow};

/// Reviews `sku` on `order_id` with `rating` stars and a title and body: only the order's
/// customer, once some units of the line were delivered, once per line.
pub async fn submit_review(
    app: &App,
    caller: &Actor,
    order_id: &str,
    sku: &str,
    rating: i32,
    (title, body): (&str, &str),
) -> Result<ReviewRow, ApiError> {
    let customer = match caller {
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Customer { id } => id,
        _ => return Err(ApiError::Forbidden),
    };
    let rating = Rating::parse(rating)?;
    let text = ReviewText::parse(title, body)?;
    let sku = Sku::parse(sku).map_err(|e| ApiError::bad_input("sku", e.to_string()))?;
    let order = visible(app, caller, order_id).await?;
    // A customer id that does not parse cannot be on any order: the order is not theirs.
    let customer = CustomerId::parse(customer).map_err(|_| ApiError::NotFound("order"))?;
    let now = Utc::now();
    review::may_review(&order, &customer, &sku, now)?;
    let row = ReviewRow::new(
        order.id().as_str(),
        sku.as_str(),
        customer.as_str(),
        i64::from(rating.get()),
        (text.title(), text.body()),
        now,
    );
    if !app.store().insert_review(&row).await? {
        return Err(ReviewError::AlreadyReviewed.into());
    }
    Ok(row)
}

/// Hides review `id` from its product's reviews and rating, with a reason (staff).
pub async fn hide_review(app: &App, caller: &Actor, id: &str, reason: &str) -> Result<ReviewRow, ApiError> {
    caller.require_staff()?;
    let reason = review::parse_hide_reason(reason)?;
    app.store().hide_review(id, &reason, caller.name()).await?.ok_or(ApiError::NotFound("review"))
}

/// Shows hidden review `id` again (staff); a visible review stays as it is.
pub async fn unhide_review(app: &App, caller: &Actor, id: &str) -> Result<ReviewRow, ApiError> {
    caller.require_staff()?;
    app.store().unhide_review(id).await?.ok_or(ApiError::NotFound("review"))
}

/// Answers the post-delivery survey for `order_id`: by the order's customer or its guest token,
/// once something was delivered, once per order.
pub async fn submit_feedback(
    app: &App,
    caller: &Actor,
    order_id: &str,
    score: i32,
    comment: Option<&str>,
) -> Result<FeedbackRow, ApiError> {
    match caller {
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Customer { .. } | Actor::Guest { .. } | Actor::Shopper { .. } => {}
        _ => return Err(ApiError::Forbidden),
    }
    let score = FeedbackScore::parse(score)?;
    let comment = review::parse_comment(comment)?;
    let order = visible(app, caller, order_id).await?;
    let not_found = || ApiError::NotFound("order");
    let (customer, guest_order);
    let respondent = match caller {
        Actor::Customer { id } => {
            customer = CustomerId::parse(id).map_err(|_| not_found())?;
            Respondent::Customer(&customer)
        }
        Actor::Guest { order_id } => {
            guest_order = OrderId::parse(order_id).map_err(|_| not_found())?;
            Respondent::Guest(&guest_order)
        }
        // The holder of the address's link answers for the order as its guest would (`visible`
        // above checked the order was placed with that address).
        Actor::Shopper { .. } => Respondent::Guest(order.id()),
        _ => return Err(ApiError::Forbidden),
    };
    let now = Utc::now();
    review::may_give_feedback(&order, respondent, now)?;
    let row = FeedbackRow {
        key: order.id().as_str().to_owned(),
        order_id: order.id().as_str().to_owned(),
        customer: order.customer().map(|c| c.as_str().to_owned()),
        score: i64::from(score.get()),
        comment,
        created_at: now,
    };
    if !app.store().insert_feedback(&row).await? {
        return Err(ReviewError::AlreadySubmitted.into());
    }
    Ok(row)
}

/// Survey answers scoring at most `max_score`, newest first, after `cursor` (staff); `limit` at
/// most.
pub async fn low_feedback(
    app: &App,
    caller: &Actor,
    max_score: i32,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Vec<FeedbackRow>, ApiError> {
    caller.require_staff()?;
    let max = FeedbackScore::parse(max_score)?;
    let cursor = cursor.map(feedback_cursor).transpose()?;
    let cursor = cursor.as_ref();
    Ok(app.store().low_feedback(i64::from(max.get()), cursor, limit).await?)
}

/// Visible reviews of `sku`, newest first, after the review `after`; `limit` at most.
pub async fn reviews_of(
    app: &App,
    sku: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ReviewRow>, ApiError> {
    Ok(app.store().reviews_of(sku, after, limit).await?)
}

/// The rating of `sku` over its visible reviews.
pub async fn rating_of(app: &App, sku: &str) -> Result<RatingSummary, ApiError> {
    Ok(RatingSummary::from_counts(app.store().rating_counts(sku).await?))
}

/// The reviews and the survey answer of `order` (whoever may see the order may see these).
pub async fn of_order(app: &App, order: &Order) -> Result<(Vec<ReviewRow>, Option<FeedbackRow>), ApiError> {
    Ok(app.store().reviews_and_feedback_of_order(order.id().as_str()).await?)
}

/// The order, when it exists and the caller may see it; `UNAUTHENTICATED` without a token and
/// the same `NOT_FOUND` for a missing order and someone else's.
async fn visible(app: &App, caller: &Actor, order_id: &str) -> Result<Order, ApiError> {
    if *caller == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let order = crate::app::commands::load(app, order_id.trim()).await?;
    if caller.can_see(&order) { Ok(order) } else { Err(ApiError::NotFound("order")) }
}

/// The position after the answer `raw` names (`<created at>|<order id>`).
fn feedback_cursor(raw: &str) -> Result<FeedbackCursor, ApiError> {
    let bad = || ApiError::bad_input("after", "is not a cursor from this list");
    let (at, order_id) = raw.split_once('|').ok_or_else(bad)?;
    let created_at = chrono::DateTime::parse_from_rfc3339(at).map_err(|_| bad())?.with_timezone(&Utc);
    Ok(FeedbackCursor { created_at, order_id: order_id.to_owned() })
}

/// Rating values from 1 to 5, for a rating's distribution.
pub fn ratings() -> impl Iterator<Item = Rating> {
    (Rating::MIN..=Rating::MAX).filter_map(|stars| Rating::parse(stars).ok())
}
