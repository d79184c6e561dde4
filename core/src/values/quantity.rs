//! `Quantity`: how many units of a line, 1 to 10 000.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("quantity must be at least {min}", min = Quantity::MIN)]
    TooSmall,
    #[error("quantity must be at most {max}", max = Quantity::MAX)]
    TooLarge,
}

/// A line quantity in `1..=10_000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "i64", into = "u32")
)]
pub struct Quantity(u32);

impl Quantity {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 10_000;

    pub fn parse(raw: i64) -> Result<Quantity, QuantityError> {
        if raw < i64::from(Self::MIN) {
            Err(QuantityError::TooSmall)
        } else if raw > i64::from(Self::MAX) {
            Err(QuantityError::TooLarge)
        } else {
            Ok(Quantity(raw as u32))
        }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Quantity::parse(value)
    }
}

impl From<Quantity> for u32 {
    fn from(value: Quantity) -> u32 {
        value.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantity_of_zero_is_rejected() {
        assert_eq!(Quantity::parse(0), Err(QuantityError::TooSmall));
    }

    #[test]
    fn a_negative_quantity_is_rejected() {
        assert_eq!(Quantity::parse(-3), Err(QuantityError::TooSmall));
    }

    #[test]
    fn quantities_from_one_to_ten_thousand_are_accepted() {
        assert_eq!(Quantity::parse(1).unwrap().get(), 1);
        assert_eq!(Quantity::parse(10_000).unwrap().get(), 10_000);
        assert_eq!(Quantity::parse(10_001), Err(QuantityError::TooLarge));
        assert_eq!(Quantity::parse(i64::MAX), Err(QuantityError::TooLarge));
    }
}
