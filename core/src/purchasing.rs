//! The shop's own stock work, by hand: how much an adjustment or a purchase order may move, and
//! when a purchase order may be expected.

use chrono::NaiveDate;

/// Why a stock request was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct StockRequestError {
    pub field: &'static str,
    pub message: &'static str,
}

/// The most units one adjustment, purchase order or receipt moves.
pub const MAX_UNITS: i64 = 1_000_000;

/// Units added (or removed, when negative) by a stock adjustment: not zero, at most
/// [`MAX_UNITS`] either way.
pub fn adjustment(delta: i64) -> Result<i64, StockRequestError> {
    if delta == 0 || delta.unsigned_abs() > MAX_UNITS.unsigned_abs() {
        return Err(StockRequestError {
            field: "delta",
            message: "must be a non-zero number of units up to 1,000,000",
        });
    }
    Ok(delta)
}

/// Units a purchase order orders or a receipt receives: 1 to [`MAX_UNITS`].
pub fn units(quantity: i64) -> Result<i64, StockRequestError> {
    if !(1..=MAX_UNITS).contains(&quantity) {
        return Err(StockRequestError { field: "quantity", message: "must be between 1 and 1,000,000" });
    }
    Ok(quantity)
}

/// The day a purchase order is expected: today or later.
pub fn expected_on(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, StockRequestError> {
    if date < today {
        return Err(StockRequestError { field: "expectedOn", message: "must not be in the past" });
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustment_moves_some_units_but_not_millions() {
        assert_eq!(adjustment(-3), Ok(-3));
        assert_eq!(adjustment(1_000_000), Ok(1_000_000));
        assert_eq!(adjustment(0).unwrap_err().field, "delta");
        assert!(adjustment(-1_000_001).is_err());
        assert!(adjustment(i64::MIN).is_err());
    }

    #[test]
    fn a_purchase_order_orders_at_least_one_unit_for_today_or_later() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(units(1), Ok(1));
        assert_eq!(units(0).unwrap_err().message, "must be between 1 and 1,000,000");
        assert!(units(1_000_001).is_err());
        assert_eq!(expected_on(today, today), Ok(today));
        assert_eq!(expected_on(today.pred_opt().unwrap(), today).unwrap_err().field, "expectedOn");
    }
}
