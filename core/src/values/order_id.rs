//! `OrderId`: the opaque id of an order.

use super::string_value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderIdError {
    #[error("order id is empty")]
    Empty,
    #[error("order id is longer than 64 characters")]
    TooLong,
    #[error("order id may contain only letters, digits, '-', '_' and ':'")]
    InvalidCharacter,
}

/// A order id: 1–64 ASCII letters, digits, `-`, `_` or `:` (e.g. `ord_01HX…`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct OrderId(String);

string_value!(OrderId, OrderIdError);

impl OrderId {
    pub fn parse(raw: &str) -> Result<OrderId, OrderIdError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(OrderIdError::Empty);
        }
        if s.len() > 64 {
            return Err(OrderIdError::TooLong);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':')) {
            return Err(OrderIdError::InvalidCharacter);
        }
        Ok(OrderId(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefixed_id_parses() {
        assert_eq!(OrderId::parse("ord_01HX:9").unwrap().as_str(), "ord_01HX:9");
    }

    #[test]
    fn empty_long_or_odd_ids_are_rejected() {
        assert_eq!(OrderId::parse(""), Err(OrderIdError::Empty));
        assert_eq!(OrderId::parse(&"c".repeat(65)), Err(OrderIdError::TooLong));
        assert_eq!(OrderId::parse("ord 1"), Err(OrderIdError::InvalidCharacter));
        assert_eq!(OrderId::parse("ord;DROP"), Err(OrderIdError::InvalidCharacter));
    }
}
