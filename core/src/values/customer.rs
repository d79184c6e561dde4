//! `CustomerId`: the opaque id of a customer account.

use super::string_value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerIdError {
    #[error("customer id is empty")]
    Empty,
    #[error("customer id is longer than 64 characters")]
    TooLong,
    #[error("customer id may contain only letters, digits, '-', '_' and ':'")]
    InvalidCharacter,
}

/// A customer id: 1–64 ASCII letters, digits, `-`, `_` or `:` (e.g. `cus_01HX…`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct CustomerId(String);

string_value!(CustomerId, CustomerIdError);

impl CustomerId {
    pub fn parse(raw: &str) -> Result<CustomerId, CustomerIdError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(CustomerIdError::Empty);
        }
        if s.len() > 64 {
            return Err(CustomerIdError::TooLong);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':')) {
            return Err(CustomerIdError::InvalidCharacter);
        }
        Ok(CustomerId(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefixed_id_parses() {
        assert_eq!(CustomerId::parse("cus_01HX:9").unwrap().as_str(), "cus_01HX:9");
    }

    #[test]
    fn empty_long_or_odd_ids_are_rejected() {
        assert_eq!(CustomerId::parse(""), Err(CustomerIdError::Empty));
        assert_eq!(CustomerId::parse(&"c".repeat(65)), Err(CustomerIdError::TooLong));
        assert_eq!(CustomerId::parse("cus 1"), Err(CustomerIdError::InvalidCharacter));
        assert_eq!(CustomerId::parse("cus;DROP"), Err(CustomerIdError::InvalidCharacter));
    }
}
