//! Returns and refunds: the return window, returnable quantities and exact refund amounts.
//!
//! # Refund rounding
//! A line paid `P` for `n` units refunds, when units `b+1 ..= b+q` come back (`b` already
//! refunded), `⌊P·(b+q)/n⌋ − ⌊P·b/n⌋`. The pieces telescope, so however a line is returned in
//! parts, returning all its units refunds exactly `P` (3 units paid 10.00: 3.33 + 3.33 + 3.34).
//!
//! # Over-refunding
//! [`refund`] refuses, with [`RefundError::ExceedsRefundable`], a refund larger than what was
//! captured minus what was already refunded; it never silently clamps. The error carries the
//! amount still refundable so the caller can decide what to give back (e.g. drop shipping).

use chrono::{Days, NaiveDate};

use crate::money::{Currency, Money, MoneyError};

/// The last day a return may be requested: `window_days` after delivery (inclusive).
pub fn return_deadline(delivered_at: NaiveDate, window_days: u16) -> NaiveDate {
    delivered_at.checked_add_days(Days::new(u64::from(window_days))).unwrap_or(NaiveDate::MAX)
}

/// Why a return cannot be requested. `line` is the index of the order line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    #[error("the order has not been delivered yet")]
    NotDelivered,
    #[error("the return window closed on {}", crate::text::date(*deadline))]
    WindowClosed { deadline: NaiveDate },
    #[error("a return needs at least one line")]
    NothingRequested,
    #[error("line {line} is not part of this order")]
    UnknownLine { line: usize },
    #[error("line {line} is listed more than once")]
    DuplicateLine { line: usize },
    #[error("line {line}: the quantity to return must be at least 1")]
    ZeroQuantity { line: usize },
    #[error("line {line}: {requested} requested but only {returnable} can be returned")]
    QuantityExceedsReturnable { line: usize, requested: u32, returnable: u32 },
}

/// Whether a return requested on `now` is inside the window; the deadline when it is.
pub fn check_return_window(
    delivered_at: Option<NaiveDate>,
    window_days: u16,
    now: NaiveDate,
) -> Result<NaiveDate, ReturnError> {
    let delivered_at = delivered_at.ok_or(ReturnError::NotDelivered)?;
    let deadline = return_deadline(delivered_at, window_days);
    if now <= deadline { Ok(deadline) } else { Err(ReturnError::WindowClosed { deadline }) }
}

/// How many units of an order line have shipped and come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ShippedLine {
    pub shipped: u32,
    /// Units in completed returns.
    pub returned: u32,
    /// Units in returns that are still open.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pending: u32,
}

impl ShippedLine {
    /// Shipped minus returned minus pending, never below zero.
    pub fn returnable(&self) -> u32 {
        self.shipped.saturating_sub(self.returned).saturating_sub(self.pending)
    }
}

/// Some units of one order line, by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ReturnLine {
    pub line: usize,
    pub quantity: u32,
}

/// Checks the quantities of a return request against `lines`; every problem is reported.
pub fn check_return_quantities(
    lines: &[ShippedLine],
    requested: &[ReturnLine],
) -> Result<(), Vec<ReturnError>> {
    let mut errors = Vec::new();
    if requested.is_empty() {
        errors.push(ReturnError::NothingRequested);
    }
    for (i, r) in requested.iter().enumerate() {
        if requested[..i].iter().any(|earlier| earlier.line == r.line) {
            errors.push(ReturnError::DuplicateLine { line: r.line });
            continue;
        }
        let Some(shipped) = lines.get(r.line) else {
            errors.push(ReturnError::UnknownLine { line: r.line });
            continue;
        };
        if r.quantity == 0 {
            errors.push(ReturnError::ZeroQuantity { line: r.line });
        } else if r.quantity > shipped.returnable() {
            errors.push(ReturnError::QuantityExceedsReturnable {
                line: r.line,
                requested: r.quantity,
                returnable: shipped.returnable(),
            });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// [`check_return_window`] and [`check_return_quantities`] together, every problem reported.
/// Returns the deadline when the return may be opened.
pub fn check_return(
    delivered_at: Option<NaiveDate>,
    window_days: u16,
    now: NaiveDate,
    lines: &[ShippedLine],
    requested: &[ReturnLine],
) -> Result<NaiveDate, Vec<ReturnError>> {
    let window = check_return_window(delivered_at, window_days, now);
    let quantities = check_return_quantities(lines, requested);
    match (window, quantities) {
        (Ok(deadline), Ok(())) => Ok(deadline),
        (window, quantities) => {
            let mut errors: Vec<ReturnError> = window.err().into_iter().collect();
            errors.extend(quantities.err().unwrap_or_default());
            Err(errors)
        }
    }
}

/// What the customer paid for one order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PaidLine {
    /// Units on the line.
    pub quantity: u32,
    /// The whole line as paid: after its share of order discounts, including its tax.
    pub paid: Money,
    /// Units of the line refunded by earlier refunds.
    #[cfg_attr(feature = "serde", serde(default))]
    pub refunded_units: u32,
}

/// One refund to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct RefundRequest {
    /// The order's lines; [`ReturnLine::line`] indexes them.
    pub lines: Vec<PaidLine>,
    /// The units being refunded now.
    pub returned: Vec<ReturnLine>,
    /// Shipping to give back, e.g. all of it when the whole order comes back.
    #[cfg_attr(feature = "serde", serde(default))]
    pub shipping: Option<Money>,
    /// Restocking fee in basis points of the goods refunded (0 for none); capped at the goods.
    #[cfg_attr(feature = "serde", serde(default))]
    pub restocking_fee_bp: u32,
    /// What the payment captured; the currency everything must be in.
    pub captured: Money,
    /// What earlier refunds already gave back.
    pub already_refunded: Money,
}

/// The refund of some units of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct LineRefund {
    pub line: usize,
    pub quantity: u32,
    pub amount: Money,
}

/// How a refund adds up: `total = goods − restocking_fee + shipping`, never negative.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct RefundBreakdown {
    lines: Vec<LineRefund>,
    goods: Money,
    shipping: Money,
    restocking_fee: Money,
    total: Money,
}

impl RefundBreakdown {
    /// Per returned line, in request order.
    pub fn lines(&self) -> &[LineRefund] {
        &self.lines
    }
    /// The sum of the line amounts.
    pub fn goods(&self) -> Money {
        self.goods
    }
    pub fn shipping(&self) -> Money {
        self.shipping
    }
    pub fn restocking_fee(&self) -> Money {
        self.restocking_fee
    }
    pub fn total(&self) -> Money {
        self.total
    }
}

/// Why a refund cannot be computed. `line` is the index of the order line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("an amount in {found} cannot be refunded on a payment in {expected}")]
    CurrencyMismatch { expected: Currency, found: Currency },
    #[error("line {line} is not part of this order")]
    UnknownLine { line: usize },
    #[error("line {line} is listed more than once")]
    DuplicateLine { line: usize },
    #[error("line {line}: the quantity to refund must be at least 1")]
    ZeroQuantity { line: usize },
    #[error("line {line}: {requested} units requested but only {refundable} not yet refunded")]
    QuantityExceedsRefundable { line: usize, requested: u32, refundable: u32 },
    #[error("line {line}: the paid amount must not be negative")]
    NegativePaid { line: usize },
    #[error("the shipping refund must not be negative")]
    NegativeShipping,
    #[error("captured and already refunded amounts must not be negative")]
    NegativePayment,
    #[error("a refund of {requested} exceeds the {refundable} still refundable")]
    ExceedsRefundable { requested: Money, refundable: Money },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Computes a refund; see the module docs for rounding and over-refunding.
/// Problems are checked in order (currencies, then lines in request order, then the cap) and the
/// first is returned; run [`check_return_quantities`] first to collect every line problem.
pub fn refund(request: &RefundRequest) -> Result<RefundBreakdown, RefundError> {
    let currency = request.captured.currency();
    let same = |m: Money| {
        if m.currency() == currency {
            Ok(m)
        } else {
            Err(RefundError::CurrencyMismatch { expected: currency, found: m.currency() })
        }
    };
    same(request.already_refunded)?;
    if request.captured.is_negative() || request.already_refunded.is_negative() {
        return Err(RefundError::NegativePayment);
    }
    for line in &request.lines {
        same(line.paid)?;
    }
    let shipping = match request.shipping {
        Some(s) if s.is_negative() => return Err(RefundError::NegativeShipping),
        Some(s) => same(s)?,
        None => Money::zero(currency),
    };

    let mut lines = Vec::with_capacity(request.returned.len());
    for (i, r) in request.returned.iter().enumerate() {
        if request.returned[..i].iter().any(|e| e.line == r.line) {
            return Err(RefundError::DuplicateLine { line: r.line });
        }
        let paid = request.lines.get(r.line).ok_or(RefundError::UnknownLine { line: r.line })?;
        lines.push(LineRefund {
            line: r.line,
            quantity: r.quantity,
            amount: line_refund(r.line, paid, r.quantity)?,
        });
    }

    let goods = Money::sum(currency, lines.iter().map(|l| l.amount))?;
    let restocking_fee = goods.percent_bp(request.restocking_fee_bp)?.min(goods)?;
    let total = goods.checked_sub(restocking_fee)?.checked_add(shipping)?;
    let left = request.captured.checked_sub(request.already_refunded)?;
    let refundable = if left.is_negative() { Money::zero(currency) } else { left };
    if total.amount() > refundable.amount() {
        return Err(RefundError::ExceedsRefundable { requested: total, refundable });
    }
    Ok(RefundBreakdown { lines, goods, shipping, restocking_fee, total })
}

/// `⌊paid·(before+q)/n⌋ − ⌊paid·before/n⌋` for the next `quantity` units of a line.
fn line_refund(line: usize, paid: &PaidLine, quantity: u32) -> Result<Money, RefundError> {
    if quantity == 0 {
        return Err(RefundError::ZeroQuantity { line });
    }
    if paid.paid.is_negative() {
        return Err(RefundError::NegativePaid { line });
    }
    let refundable = paid.quantity.saturating_sub(paid.refunded_units);
    if quantity > refundable {
        return Err(RefundError::QuantityExceedsRefundable { line, requested: quantity, refundable });
    }
    // Here 1 ≤ quantity ≤ refundable ≤ paid.quantity, so the divisor is positive.
    let n = i128::from(paid.quantity);
    let before = i128::from(paid.refunded_units);
    let amount = i128::from(paid.paid.amount());
    let upto = |units: i128| amount * units / n;
    let share = upto(before + i128::from(quantity)) - upto(before);
    let share = i64::try_from(share).map_err(|_| MoneyError::Overflow)?;
    Ok(Money::new(share, paid.paid.currency()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::Usd)
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    fn shipped(shipped: u32, returned: u32, pending: u32) -> ShippedLine {
        ShippedLine { shipped, returned, pending }
    }

    fn ret(line: usize, quantity: u32) -> ReturnLine {
        ReturnLine { line, quantity }
    }

    fn paid(quantity: u32, amount: i64, refunded_units: u32) -> PaidLine {
        PaidLine { quantity, paid: usd(amount), refunded_units }
    }

    fn request(lines: Vec<PaidLine>, returned: Vec<ReturnLine>) -> RefundRequest {
        let captured = Money::sum(Currency::Usd, lines.iter().map(|l| l.paid)).unwrap();
        RefundRequest {
            lines,
            returned,
            shipping: None,
            restocking_fee_bp: 0,
            captured,
            already_refunded: usd(0),
        }
    }

    #[test]
    fn the_deadline_is_the_window_counted_from_delivery() {
        assert_eq!(return_deadline(day("2026-11-01"), 30), day("2026-12-01"));
        assert_eq!(return_deadline(day("2026-02-27"), 2), day("2026-03-01"));
        assert_eq!(return_deadline(day("2026-11-01"), 0), day("2026-11-01"));
    }

    #[test]
    fn a_return_on_the_last_day_is_in_time_and_the_day_after_is_not() {
        let delivered = Some(day("2026-11-01"));
        assert_eq!(check_return_window(delivered, 30, day("2026-12-01")), Ok(day("2026-12-01")));
        assert_eq!(check_return_window(delivered, 30, day("2026-11-01")), Ok(day("2026-12-01")));
        assert_eq!(
            check_return_window(delivered, 30, day("2026-12-02")),
            Err(ReturnError::WindowClosed { deadline: day("2026-12-01") })
        );
    }

    #[test]
    fn an_undelivered_order_cannot_be_returned() {
        assert_eq!(check_return_window(None, 30, day("2026-12-01")), Err(ReturnError::NotDelivered));
    }

    #[test]
    fn returnable_units_exclude_returned_and_pending_ones() {
        assert_eq!(shipped(5, 1, 2).returnable(), 2);
        assert_eq!(shipped(2, 2, 1).returnable(), 0);
        assert_eq!(check_return_quantities(&[shipped(5, 1, 2)], &[ret(0, 2)]), Ok(()));
    }

    #[test]
    fn every_bad_return_line_is_reported() {
        let lines = [shipped(5, 1, 2), shipped(1, 0, 0)];
        let errors =
            check_return_quantities(&lines, &[ret(0, 3), ret(1, 0), ret(7, 1), ret(0, 1)]).unwrap_err();
        assert_eq!(
            errors,
            vec![
                ReturnError::QuantityExceedsReturnable { line: 0, requested: 3, returnable: 2 },
                ReturnError::ZeroQuantity { line: 1 },
                ReturnError::UnknownLine { line: 7 },
                ReturnError::DuplicateLine { line: 0 },
            ]
        );
        assert_eq!(check_return_quantities(&lines, &[]), Err(vec![ReturnError::NothingRequested]));
    }

    #[test]
    fn a_late_return_reports_the_window_and_the_lines_together() {
        let errors =
            check_return(Some(day("2026-11-01")), 14, day("2026-12-01"), &[shipped(1, 0, 0)], &[ret(0, 2)])
                .unwrap_err();
        assert_eq!(
            errors,
            vec![
                ReturnError::WindowClosed { deadline: day("2026-11-15") },
                ReturnError::QuantityExceedsReturnable { line: 0, requested: 2, returnable: 1 },
            ]
        );
        assert_eq!(
            check_return(Some(day("2026-11-01")), 30, day("2026-12-01"), &[shipped(1, 0, 0)], &[ret(0, 1)]),
            Ok(day("2026-12-01"))
        );
    }

    #[test]
    fn returning_three_units_one_at_a_time_refunds_exactly_what_was_paid() {
        let mut refunds = Vec::new();
        let mut already = usd(0);
        for before in 0..3 {
            let mut r = request(vec![paid(3, 1000, before)], vec![ret(0, 1)]);
            r.already_refunded = already;
            let total = refund(&r).unwrap().total();
            already = already.checked_add(total).unwrap();
            refunds.push(total.amount());
        }
        assert_eq!(refunds, vec![333, 333, 334]);
        assert_eq!(already, usd(1000));
    }

    #[test]
    fn a_partial_return_refunds_its_share_and_the_rest_makes_up_the_line() {
        let first = refund(&request(vec![paid(3, 1000, 0)], vec![ret(0, 2)])).unwrap();
        assert_eq!(first.total(), usd(666));
        let second = refund(&request(vec![paid(3, 1000, 2)], vec![ret(0, 1)])).unwrap();
        assert_eq!(second.total(), usd(334));
    }

    #[test]
    fn the_breakdown_lists_lines_goods_fee_shipping_and_total() {
        let mut r = request(vec![paid(2, 5000, 0), paid(1, 1999, 0)], vec![ret(1, 1), ret(0, 1)]);
        r.shipping = Some(usd(495));
        r.restocking_fee_bp = 1000;
        r.captured = usd(7494);
        let b = refund(&r).unwrap();
        assert_eq!(
            b.lines(),
            &[
                LineRefund { line: 1, quantity: 1, amount: usd(1999) },
                LineRefund { line: 0, quantity: 1, amount: usd(2500) },
            ]
        );
        assert_eq!(b.goods(), usd(4499));
        assert_eq!(b.restocking_fee(), usd(450)); // 449.9 rounds half away from zero
        assert_eq!(b.shipping(), usd(495));
        assert_eq!(b.total(), usd(4499 - 450 + 495));
    }

    #[test]
    fn a_restocking_fee_never_exceeds_the_goods() {
        let mut r = request(vec![paid(1, 1000, 0)], vec![ret(0, 1)]);
        r.restocking_fee_bp = 25_000;
        let b = refund(&r).unwrap();
        assert_eq!(b.restocking_fee(), usd(1000));
        assert_eq!(b.total(), usd(0));
    }

    #[test]
    fn refunding_more_than_was_captured_and_not_yet_refunded_is_refused() {
        let mut r = request(vec![paid(2, 1000, 0)], vec![ret(0, 2)]);
        r.already_refunded = usd(300);
        assert_eq!(
            refund(&r),
            Err(RefundError::ExceedsRefundable { requested: usd(1000), refundable: usd(700) })
        );
        r.already_refunded = usd(1500);
        assert_eq!(
            refund(&r),
            Err(RefundError::ExceedsRefundable { requested: usd(1000), refundable: usd(0) })
        );
    }

    #[test]
    fn amounts_in_another_currency_are_refused() {
        let mut r = request(vec![paid(1, 1000, 0)], vec![ret(0, 1)]);
        r.shipping = Some(Money::new(100, Currency::Eur));
        assert_eq!(
            refund(&r),
            Err(RefundError::CurrencyMismatch { expected: Currency::Usd, found: Currency::Eur })
        );
    }

    #[test]
    fn bad_refund_lines_are_refused() {
        let lines = vec![paid(2, 1000, 1)];
        assert_eq!(
            refund(&request(lines.clone(), vec![ret(0, 2)])),
            Err(RefundError::QuantityExceedsRefundable { line: 0, requested: 2, refundable: 1 })
        );
        assert_eq!(
            refund(&request(lines.clone(), vec![ret(0, 0)])),
            Err(RefundError::ZeroQuantity { line: 0 })
        );
        assert_eq!(
            refund(&request(lines.clone(), vec![ret(3, 1)])),
            Err(RefundError::UnknownLine { line: 3 })
        );
        assert_eq!(
            refund(&request(lines, vec![ret(0, 1), ret(0, 1)])),
            Err(RefundError::DuplicateLine { line: 0 })
        );
        let mut r = request(vec![paid(1, 1000, 0)], vec![ret(0, 1)]);
        r.shipping = Some(usd(-1));
        assert_eq!(refund(&r), Err(RefundError::NegativeShipping));
    }

    proptest! {
        #[test]
        fn partial_refunds_never_exceed_what_was_paid_or_captured(
            lines in proptest::collection::vec((1u32..8, 0i64..1_000_000), 1..6),
            steps in proptest::collection::vec((0usize..6, 1u32..8), 0..20),
            captured_percent in 0i64..=120,
        ) {
            let mut order: Vec<PaidLine> =
                lines.iter().map(|(q, p)| paid(*q, *p, 0)).collect();
            let total_paid: i64 = lines.iter().map(|(_, p)| p).sum();
            let captured = usd(total_paid * captured_percent / 100);
            let mut refunded = usd(0);
            let mut attempt = |order: &mut Vec<PaidLine>, returned: Vec<ReturnLine>| -> Result<(), TestCaseError> {
                let r = RefundRequest {
                    lines: order.clone(),
                    returned: returned.clone(),
                    shipping: None,
                    restocking_fee_bp: 0,
                    captured,
                    already_refunded: refunded,
                };
                match refund(&r) {
                    Ok(b) => {
                        for l in b.lines() {
                            let line = order[l.line];
                            let exact = i128::from(line.paid.amount()) * i128::from(l.quantity);
                            let n = i128::from(line.quantity);
                            let got = i128::from(l.amount.amount());
                            prop_assert!(got * n >= exact - n && got * n <= exact + n);
                            order[l.line].refunded_units += l.quantity;
                        }
                        refunded = refunded.checked_add(b.total()).unwrap();
                    }
                    Err(RefundError::ExceedsRefundable { .. }) => prop_assert!(captured_percent < 100),
                    Err(e) => return Err(TestCaseError::fail(format!("unexpected {e}"))),
                }
                prop_assert!(refunded.amount() <= captured.amount());
                prop_assert!(refunded.amount() <= total_paid);
                Ok(())
            };
            for (line, quantity) in steps {
                let line = line % order.len();
                let left = order[line].quantity - order[line].refunded_units;
                if left > 0 {
                    attempt(&mut order, vec![ret(line, quantity.min(left))])?;
                }
            }
            let rest: Vec<ReturnLine> = order
                .iter()
                .enumerate()
                .filter(|(_, l)| l.refunded_units < l.quantity)
                .map(|(i, l)| ret(i, l.quantity - l.refunded_units))
                .collect();
            if !rest.is_empty() {
                attempt(&mut order, rest)?;
            }
            if captured_percent >= 100 {
                prop_assert_eq!(refunded.amount(), total_paid);
            }
        }
    }

    #[test]
    fn negative_payment_amounts_are_refused_rather_than_widening_the_cap() {
        let request = RefundRequest {
            lines: vec![PaidLine { quantity: 1, paid: Money::new(1000, Currency::Usd), refunded_units: 0 }],
            returned: vec![ReturnLine { line: 0, quantity: 1 }],
            shipping: None,
            restocking_fee_bp: 0,
            captured: Money::new(500, Currency::Usd),
            already_refunded: Money::new(-500, Currency::Usd),
        };
        assert_eq!(refund(&request), Err(RefundError::NegativePayment));
    }
}
