//! Reviews and feedback: who may review which order line or answer the survey, and what a rating, a review, a score and a comment may hold.
//!
//! - A review is one per order line (per order and SKU), by the order's customer account only,
//!   once some units of that line were delivered. Guests (one-order tokens) cannot review:
//!   reviews are public and belong to an account.
//! - Feedback is the post-delivery survey: one per order, a score 0..=10 and an optional
//!   comment, by the order's customer or the holder of the order's guest token, once at least
//!   one parcel was delivered.
//! - Free text is trimmed, bounded, and refused when it holds a payment card number.

use chrono::{DateTime, Utc};

use crate::card::contains_card_number;
use crate::lifecycle::ShipmentState;
use crate::order::Order;
use crate::values::{CustomerId, OrderId, Sku};

/// Longest review title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest review body, in characters.
pub const MAX_BODY_CHARS: usize = 5_000;
/// Longest feedback comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Longest reason staff give for hiding a review, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a review or a survey answer was refused. Every variant has a stable [`ReviewError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("a rating must be a whole number of stars from 1 to 5, not {0}")]
    InvalidRating(i64),
    #[error("a score must be a whole number from 0 to 10, not {0}")]
    InvalidScore(i64),
    #[error("{field}: is required")]
    TextRequired { field: &'static str },
    #[error("{field}: is longer than {max} characters")]
    TextTooLong { field: &'static str, max: usize },
    #[error("{field}: looks like it holds a payment card number; please remove it")]
    CardNumberInText { field: &'static str },
    #[error("only the customer who placed this order may do this")]
    NotYourOrder,
    #[error("this order has no line for {0}")]
    NotOnOrder(String),
    #[error("nothing of this order has been delivered yet; you can review it once it arrives")]
    NotDelivered,
    #[error("this order line has already been reviewed")]
    AlreadyReviewed,
    #[error("feedback for this order has already been submitted")]
    AlreadySubmitted,
}

impl ReviewError {
    /// Stable machine code for API errors (`INVALID_RATING`, `NOT_DELIVERED`, …).
    pub fn code(&self) -> &'static str {
        match self {
            ReviewError::InvalidRating(_) => "INVALID_RATING",
            ReviewError::InvalidScore(_) => "INVALID_SCORE",
            ReviewError::TextRequired { .. } => "TEXT_REQUIRED",
            ReviewError::TextTooLong { .. } => "TEXT_TOO_LONG",
            ReviewError::CardNumberInText { .. } => "CARD_NUMBER_IN_TEXT",
            ReviewError::NotYourOrder => "NOT_YOUR_ORDER",
            ReviewError::NotOnOrder(_) => "NOT_ON_ORDER",
            ReviewError::NotDelivered => "NOT_DELIVERED",
            ReviewError::AlreadyReviewed => "ALREADY_REVIEWED",
            ReviewError::AlreadySubmitted => "ALREADY_SUBMITTED",
        }
    }

    /// The input field the error is about, when it is about one (`rating`, `title`, …).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ReviewError::InvalidRating(_) => Some("rating"),
            ReviewError::InvalidScore(_) => Some("score"),
            ReviewError::TextRequired { field }
            | ReviewError::TextTooLong { field, .. }
            | ReviewError::CardNumberInText { field } => Some(field),
            ReviewError::NotOnOrder(_) => Some("sku"),
            _ => None,
        }
    }
}

/// A star rating, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    /// A rating from a whole number; anything outside 1..=5 is `INVALID_RATING`.
    pub fn parse(raw: impl Into<i64>) -> Result<Rating, ReviewError> {
        let raw = raw.into();
        u8::try_from(raw)
            .ok()
            .filter(|r| (Self::MIN..=Self::MAX).contains(r))
            .map(Rating)
            .ok_or(ReviewError::InvalidRating(raw))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A survey score, 0 to 10 (how likely the customer is to recommend the shop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedbackScore(u8);

impl FeedbackScore {
    pub const MIN: u8 = 0;
    pub const MAX: u8 = 10;

    /// A score from a whole number; anything outside 0..=10 is `INVALID_SCORE`.
    pub fn parse(raw: impl Into<i64>) -> Result<FeedbackScore, ReviewError> {
        let raw = raw.into();
        u8::try_from(raw)
            .ok()
            .filter(|s| *s <= Self::MAX)
            .map(FeedbackScore)
            .ok_or(ReviewError::InvalidScore(raw))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A review's title and body, trimmed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewText {
    title: String,
    body: String,
}

impl ReviewText {
    /// Title required (1..=120 characters), body optional (up to 5 000); neither may hold a card number.
    pub fn parse(title: &str, body: &str) -> Result<ReviewText, ReviewError> {
        let title =
            bounded("title", title, MAX_TITLE_CHARS)?.ok_or(ReviewError::TextRequired { field: "title" })?;
        let body = bounded("body", body, MAX_BODY_CHARS)?.unwrap_or_default();
        Ok(ReviewText { title, body })
    }

    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn body(&self) -> &str {
        &self.body
    }
}

/// A feedback comment: trimmed, up to 2 000 characters, no card number; empty means none.
pub fn parse_comment(comment: Option<&str>) -> Result<Option<String>, ReviewError> {
    match comment {
        None => Ok(None),
        Some(text) => bounded("comment", text, MAX_COMMENT_CHARS),
    }
}

/// The reason staff give for hiding a review: required, up to 500 characters, no card number.
pub fn parse_hide_reason(reason: &str) -> Result<String, ReviewError> {
    bounded("reason", reason, MAX_REASON_CHARS)?.ok_or(ReviewError::TextRequired { field: "reason" })
}

/// `text` trimmed; `None` when empty; refused when longer than `max` characters or holding a card number.
fn bounded(field: &'static str, text: &str, max: usize) -> Result<Option<String>, ReviewError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(ReviewError::TextTooLong { field, max });
    }
    if contains_card_number(text) {
        return Err(ReviewError::CardNumberInText { field });
    }
    Ok(Some(text.to_owned()))
}

/// Who answers the post-delivery survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent<'a> {
    /// A signed-in customer.
    Customer(&'a CustomerId),
    /// Whoever holds the guest token of this order.
    Guest(&'a OrderId),
}

/// Whether `customer` may review the line of `order` for `sku` at `now`: it must be their order
/// (`NOT_YOUR_ORDER`), the SKU must be on it (`NOT_ON_ORDER`), and some of its units must have
/// been delivered by `now` (`NOT_DELIVERED`). Returned units still count: the customer had them.
/// That the line was not reviewed already is the store's to enforce (`ALREADY_REVIEWED`).
pub fn may_review(
    order: &Order,
    customer: &CustomerId,
    sku: &Sku,
    now: DateTime<Utc>,
) -> Result<(), ReviewError> {
    if order.customer() != Some(customer) {
        return Err(ReviewError::NotYourOrder);
    }
    let lines: Vec<usize> = order.lines().iter().filter(|l| l.sku() == sku).map(|l| l.index()).collect();
    if lines.is_empty() {
        return Err(ReviewError::NotOnOrder(sku.as_str().to_owned()));
    }
    let delivered = order
        .shipments()
        .iter()
        .filter(|s| delivered_by(s, now))
        .flat_map(|s| s.lines())
        .any(|l| l.quantity > 0 && lines.contains(&l.line));
    if delivered { Ok(()) } else { Err(ReviewError::NotDelivered) }
}

/// Whether `respondent` may give feedback on `order` at `now`: it must be their order (the
/// customer's, or the one their guest token is for: `NOT_YOUR_ORDER`) and at least one parcel
/// must have been delivered by `now` (`NOT_DELIVERED`). One answer per order is the store's to
/// enforce (`ALREADY_SUBMITTED`).
pub fn may_give_feedback(
    order: &Order,
    respondent: Respondent<'_>,
    now: DateTime<Utc>,
) -> Result<(), ReviewError> {
    let theirs = match respondent {
        Respondent::Customer(customer) => order.customer() == Some(customer),
        Respondent::Guest(order_id) => order.id() == order_id,
    };
    if !theirs {
        return Err(ReviewError::NotYourOrder);
    }
    if order.shipments().iter().any(|s| delivered_by(s, now)) {
        Ok(())
    } else {
        Err(ReviewError::NotDelivered)
    }
}

fn delivered_by(shipment: &crate::order::Shipment, now: DateTime<Utc>) -> bool {
    *shipment.state() == ShipmentState::Delivered && shipment.delivered_at().is_some_and(|at| at <= now)
}

/// The star ratings of a product's visible reviews, counted per star (index 0 = 1 star).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingSummary {
    counts: [u64; 5],
}

impl RatingSummary {
    /// A summary from `(stars, count)` pairs, as a store groups them; stars outside 1..=5 are ignored.
    pub fn from_counts(counts: impl IntoIterator<Item = (i64, u64)>) -> RatingSummary {
        let mut summary = RatingSummary::default();
        for (stars, count) in counts {
            if let Ok(rating) = Rating::parse(stars) {
                let slot = &mut summary.counts[usize::from(rating.get() - 1)];
                *slot = slot.saturating_add(count);
            }
        }
        summary
    }

    /// How many reviews gave `rating`.
    pub fn count_of(&self, rating: Rating) -> u64 {
        self.counts[usize::from(rating.get() - 1)]
    }

    /// How many visible reviews there are.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The mean rating in hundredths of a star, rounded half up (`437` = 4.37 stars); `None`
    /// without reviews. Integers, so every side rounds the same way.
    pub fn average_hundredths(&self) -> Option<u64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let stars: u64 = self.counts.iter().zip(1u64..).map(|(n, stars)| n.saturating_mul(stars)).sum();
        Some((stars.saturating_mul(200) + count) / (2 * count))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use proptest::prelude::*;

    use super::*;
    use crate::allocation::{LineRequest, LocationId, LocationStock, allocate};
    use crate::card::CardBrand;
    use crate::cart::{
        Cart, CartLine, CartStage, Rules, ShippingOption, ShippingRate, ShippingZone, validate,
    };
    use crate::catalog::{Catalog, CatalogItem, OutOfStockPolicy, TaxClass};
    use crate::money::{Currency, Money};
    use crate::order::{Command, NewOrder, PaymentMethod, Role, ShipmentAction, TimelineEntry, place};
    use crate::values::{AddressInput, CountryCode};

    fn t0() -> DateTime<Utc> {
        "2026-11-27T10:00:00Z".parse().unwrap()
    }

    fn sku(s: &str) -> Sku {
        Sku::parse(s).unwrap()
    }

    fn ada() -> CustomerId {
        CustomerId::parse("cus_ada").unwrap()
    }

    fn item(code: &str) -> CatalogItem {
        CatalogItem {
            sku: sku(code),
            name: code.into(),
            unit_price: Money::new(1000, Currency::Usd),
            active: true,
            min_per_order: None,
            max_per_order: None,
            available: 10,
            policy: OutOfStockPolicy::Deny,
            next_restock: None,
            restocks: None,
            weight_grams: 100,
            tax_class: TaxClass::Standard,
        }
    }

    /// A paid order of Ada's: TEE ships from east (shipment S1), MUG from west (S2).
    struct Life {
        order: Order,
        now: DateTime<Utc>,
    }

    impl Life {
        fn new(customer: Option<CustomerId>) -> Life {
            let catalog = Catalog::new([item("TEE"), item("MUG")]);
            let location = |l: &str| LocationId::parse(l).unwrap();
            let stock = [
                LocationStock { location: location("east"), sku: sku("TEE"), on_hand: 10, reserved: 0 },
                LocationStock { location: location("west"), sku: sku("MUG"), on_hand: 10, reserved: 0 },
            ];
            let cart = Cart {
                currency: "USD".into(),
                lines: vec![
                    CartLine { sku: "TEE".into(), quantity: 1 },
                    CartLine { sku: "MUG".into(), quantity: 2 },
                ],
                shipping_address: Some(AddressInput {
                    name: "Ada Lovelace".into(),
                    line1: "1 Main St".into(),
                    city: "Springfield".into(),
                    postal_code: "62701".into(),
                    country: "US".into(),
                    ..AddressInput::default()
                }),
                email: Some("ada@example.com".into()),
                stage: CartStage::Checkout,
                ..Cart::default()
            };
            let rules = Rules {
                shipping: vec![ShippingZone {
                    name: "US".into(),
                    countries: vec![CountryCode::parse("US").unwrap()],
                    options: vec![ShippingOption {
                        code: "ground".into(),
                        name: "Ground".into(),
                        rate: ShippingRate::Flat { amount: Money::new(500, Currency::Usd) },
                        free_above: None,
                        transit_days: 3,
                    }],
                }],
                ..Rules::default()
            };
            let check = validate(&cart, &catalog, &rules, t0());
            assert!(check.ok, "{:?}", check.issues);
            let requests: Vec<_> = check
                .totals
                .as_ref()
                .unwrap()
                .lines
                .iter()
                .map(|l| LineRequest { sku: l.sku.clone(), quantity: l.quantity })
                .collect();
            let plan = allocate(
                &requests,
                &catalog,
                &stock,
                &[location("east"), location("west")],
                t0().date_naive(),
            )
            .unwrap();
            let event = place(NewOrder {
                id: OrderId::parse("ord_1").unwrap(),
                number: None,
                channel: "web",
                customer,
                cart: &cart,
                check: &check,
                plan: &plan,
                rules: &rules,
            })
            .unwrap();
            let order = Order::from_timeline(&[TimelineEntry { seq: 1, at: t0(), event }]).unwrap();
            let mut life = Life { order, now: t0() };
            let amount = life.order.totals().grand_total;
            let method = PaymentMethod {
                reference: "auth_1".into(),
                brand: CardBrand::Visa,
                last4: Some("4242".into()),
            };
            life.run(Command::AuthorizePayment { amount, method });
            life.run(Command::CreateShipments);
            life
        }

        fn run(&mut self, command: Command) {
            self.now += Duration::hours(1);
            let (_, order) = self.order.execute(&command, &Role::Staff, self.now).unwrap();
            self.order = order;
        }

        fn ship(&mut self, shipment: &str) {
            let ship = ShipmentAction::Ship {
                carrier: "UPS".into(),
                tracking_number: crate::carrier::example_for(crate::carrier::Carrier::Ups, shipment),
                tracking_url: None,
            };
            for action in [ShipmentAction::StartPicking, ShipmentAction::Pack, ship] {
                self.run(Command::Shipment { shipment: shipment.into(), action });
            }
        }

        fn deliver(&mut self, shipment: &str) {
            self.ship(shipment);
            self.run(Command::Shipment { shipment: shipment.into(), action: ShipmentAction::MarkDelivered });
        }

        fn shipment_of(&self, code: &str) -> String {
            let line = self.order.lines().iter().find(|l| l.sku().as_str() == code).unwrap().index();
            self.order
                .shipments()
                .iter()
                .find(|s| s.lines().iter().any(|l| l.line == line))
                .unwrap()
                .id()
                .to_owned()
        }
    }

    #[test]
    fn ratings_from_one_to_five_stars_parse_and_others_are_invalid() {
        assert_eq!(Rating::parse(1).unwrap().get(), 1);
        assert_eq!(Rating::parse(5u8).unwrap().get(), 5);
        assert_eq!(Rating::parse(0), Err(ReviewError::InvalidRating(0)));
        assert_eq!(Rating::parse(6), Err(ReviewError::InvalidRating(6)));
        assert_eq!(Rating::parse(-1).unwrap_err().code(), "INVALID_RATING");
    }

    #[test]
    fn scores_from_zero_to_ten_parse_and_others_are_invalid() {
        assert_eq!(FeedbackScore::parse(0).unwrap().get(), 0);
        assert_eq!(FeedbackScore::parse(10).unwrap().get(), 10);
        assert_eq!(FeedbackScore::parse(11), Err(ReviewError::InvalidScore(11)));
        assert_eq!(FeedbackScore::parse(-3).unwrap_err().code(), "INVALID_SCORE");
    }

    #[test]
    fn review_text_is_trimmed_and_needs_a_title() {
        let text = ReviewText::parse("  Lovely mug ", "\n Holds heat well.  ").unwrap();
        assert_eq!((text.title(), text.body()), ("Lovely mug", "Holds heat well."));
        assert_eq!(ReviewText::parse("Fine", "   ").unwrap().body(), "");
        assert_eq!(ReviewText::parse("   ", "body"), Err(ReviewError::TextRequired { field: "title" }));
    }

    #[test]
    fn titles_bodies_and_comments_are_limited_in_characters_not_bytes() {
        assert!(ReviewText::parse(&"é".repeat(MAX_TITLE_CHARS), "").is_ok());
        let long_title = ReviewText::parse(&"é".repeat(MAX_TITLE_CHARS + 1), "").unwrap_err();
        assert_eq!(long_title, ReviewError::TextTooLong { field: "title", max: 120 });
        assert_eq!(long_title.code(), "TEXT_TOO_LONG");
        assert_eq!(long_title.field(), Some("title"));
        assert!(ReviewText::parse("t", &"b".repeat(MAX_BODY_CHARS)).is_ok());
        assert_eq!(
            ReviewText::parse("t", &"b".repeat(MAX_BODY_CHARS + 1)),
            Err(ReviewError::TextTooLong { field: "body", max: 5_000 })
        );
        assert_eq!(
            parse_comment(Some(&"c".repeat(MAX_COMMENT_CHARS + 1))),
            Err(ReviewError::TextTooLong { field: "comment", max: 2_000 })
        );
        assert_eq!(parse_comment(Some("  ")), Ok(None));
        assert_eq!(parse_comment(None), Ok(None));
    }

    #[test]
    fn text_holding_a_card_number_is_refused_wherever_it_is_typed() {
        let card = "my card 4242 4242 4242 4242 was charged";
        assert_eq!(ReviewText::parse(card, ""), Err(ReviewError::CardNumberInText { field: "title" }));
        assert_eq!(ReviewText::parse("t", card), Err(ReviewError::CardNumberInText { field: "body" }));
        assert_eq!(parse_comment(Some(card)).unwrap_err().code(), "CARD_NUMBER_IN_TEXT");
        assert_eq!(parse_hide_reason(card), Err(ReviewError::CardNumberInText { field: "reason" }));
        assert!(ReviewText::parse("Order 12345, 3 mugs", "Call 555-0100").is_ok(), "short numbers are fine");
    }

    #[test]
    fn hiding_a_review_needs_a_reason() {
        assert_eq!(parse_hide_reason(" spam "), Ok("spam".into()));
        assert_eq!(parse_hide_reason(""), Err(ReviewError::TextRequired { field: "reason" }));
    }

    #[test]
    fn a_line_can_be_reviewed_only_once_its_units_were_delivered() {
        let mut life = Life::new(Some(ada()));
        assert_eq!(may_review(&life.order, &ada(), &sku("TEE"), life.now), Err(ReviewError::NotDelivered));
        let tee = life.shipment_of("TEE");
        life.ship(&tee);
        assert_eq!(
            may_review(&life.order, &ada(), &sku("TEE"), life.now),
            Err(ReviewError::NotDelivered),
            "shipped is not delivered"
        );
        life.run(Command::Shipment { shipment: tee, action: ShipmentAction::MarkDelivered });
        assert_eq!(may_review(&life.order, &ada(), &sku("TEE"), life.now), Ok(()));
        assert_eq!(
            may_review(&life.order, &ada(), &sku("MUG"), life.now),
            Err(ReviewError::NotDelivered),
            "the mugs travel in another parcel"
        );
    }

    #[test]
    fn a_delivery_recorded_after_now_does_not_count_yet() {
        let mut life = Life::new(Some(ada()));
        let tee = life.shipment_of("TEE");
        life.deliver(&tee);
        let before = life.now - Duration::minutes(30);
        assert_eq!(may_review(&life.order, &ada(), &sku("TEE"), before), Err(ReviewError::NotDelivered));
        assert_eq!(
            may_give_feedback(&life.order, Respondent::Customer(&ada()), before),
            Err(ReviewError::NotDelivered)
        );
    }

    #[test]
    fn only_the_orders_customer_may_review_it() {
        let mut life = Life::new(Some(ada()));
        let tee = life.shipment_of("TEE");
        life.deliver(&tee);
        let bob = CustomerId::parse("cus_bob").unwrap();
        assert_eq!(may_review(&life.order, &bob, &sku("TEE"), life.now), Err(ReviewError::NotYourOrder));
        let guest_order = Life::new(None);
        assert_eq!(
            may_review(&guest_order.order, &ada(), &sku("TEE"), guest_order.now).unwrap_err().code(),
            "NOT_YOUR_ORDER",
            "a guest order has no customer to review it"
        );
    }

    #[test]
    fn a_sku_that_is_not_on_the_order_cannot_be_reviewed() {
        let mut life = Life::new(Some(ada()));
        let tee = life.shipment_of("TEE");
        life.deliver(&tee);
        let err = may_review(&life.order, &ada(), &sku("LAMP"), life.now).unwrap_err();
        assert_eq!((err.code(), err.field()), ("NOT_ON_ORDER", Some("sku")));
    }

    #[test]
    fn feedback_opens_with_the_first_delivery_for_the_customer_or_the_guest_token() {
        let mut life = Life::new(Some(ada()));
        let me = Respondent::Customer(&ada());
        assert_eq!(may_give_feedback(&life.order, me, life.now), Err(ReviewError::NotDelivered));
        let mug = life.shipment_of("MUG");
        life.deliver(&mug);
        assert_eq!(may_give_feedback(&life.order, me, life.now), Ok(()), "one parcel of two is enough");
        let bob = CustomerId::parse("cus_bob").unwrap();
        assert_eq!(
            may_give_feedback(&life.order, Respondent::Customer(&bob), life.now),
            Err(ReviewError::NotYourOrder)
        );

        let mut guest = Life::new(None);
        let tee = guest.shipment_of("TEE");
        guest.deliver(&tee);
        let own = OrderId::parse("ord_1").unwrap();
        let other = OrderId::parse("ord_2").unwrap();
        assert_eq!(may_give_feedback(&guest.order, Respondent::Guest(&own), guest.now), Ok(()));
        assert_eq!(
            may_give_feedback(&guest.order, Respondent::Guest(&other), guest.now),
            Err(ReviewError::NotYourOrder)
        );
        assert_eq!(
            may_give_feedback(&guest.order, Respondent::Customer(&ada()), guest.now),
            Err(ReviewError::NotYourOrder)
        );
    }

    #[test]
    fn the_rating_summary_counts_stars_and_rounds_the_average_to_hundredths() {
        assert_eq!(RatingSummary::default().average_hundredths(), None);
        assert_eq!(RatingSummary::default().count(), 0);
        let summary = RatingSummary::from_counts([(5, 2), (4, 1), (9, 7)]);
        assert_eq!(summary.count(), 3, "stars outside 1..=5 are ignored");
        assert_eq!(summary.average_hundredths(), Some(467), "14 / 3 = 4.666…");
        assert_eq!(summary.count_of(Rating::parse(5).unwrap()), 2);
        assert_eq!(RatingSummary::from_counts([(1, 1), (2, 1)]).average_hundredths(), Some(150));
        assert_eq!(RatingSummary::from_counts([(1, 2), (2, 1)]).average_hundredths(), Some(133));
    }

    proptest! {
        #[test]
        fn rating_parse_accepts_exactly_one_to_five(raw in any::<i64>()) {
            let parsed = Rating::parse(raw);
            prop_assert_eq!(parsed.is_ok(), (1..=5).contains(&raw));
            if let Ok(rating) = parsed {
                prop_assert_eq!(i64::from(rating.get()), raw);
            } else {
                prop_assert_eq!(parsed, Err(ReviewError::InvalidRating(raw)));
            }
        }

        #[test]
        fn score_parse_accepts_exactly_zero_to_ten(raw in -20i64..30) {
            prop_assert_eq!(FeedbackScore::parse(raw).is_ok(), (0..=10).contains(&raw));
        }

        #[test]
        fn the_average_lies_between_the_lowest_and_highest_rating(counts in proptest::collection::vec(0u64..1_000, 5)) {
            let summary = RatingSummary::from_counts(counts.iter().zip(1i64..).map(|(n, s)| (s, *n)));
            match summary.average_hundredths() {
                None => prop_assert_eq!(summary.count(), 0),
                Some(avg) => {
                    let stars = |i: usize| u64::try_from(i).unwrap() + 1;
                    let low = counts.iter().position(|n| *n > 0).map(stars).unwrap();
                    let high = counts.iter().rposition(|n| *n > 0).map(stars).unwrap();
                    prop_assert!(low * 100 <= avg && avg <= high * 100);
                }
            }
        }
    }
}
