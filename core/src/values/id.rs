//! Opaque ids (`CustomerId`, `OrderId`): 1–64 ASCII letters, digits, `-`, `_` or `:`.

use super::string_value;

/// Why an id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("id is empty")]
    Empty,
    #[error("id is longer than 64 characters")]
    TooLong,
    #[error("id may contain only letters, digits, '-', '_' and ':'")]
    InvalidCharacter,
}

fn check(raw: &str) -> Result<&str, IdError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > 64 {
        return Err(IdError::TooLong);
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':')) {
        return Err(IdError::InvalidCharacter);
    }
    Ok(s)
}

macro_rules! opaque_id {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        #[cfg_attr(
            feature = "serde",
            derive(serde::Deserialize),
            serde(try_from = "String")
        )]
        pub struct $ty(String);

        string_value!($ty, IdError);

        impl $ty {
            pub fn parse(raw: &str) -> Result<$ty, IdError> {
                check(raw).map(|s| $ty(s.to_owned()))
            }
        }
    };
}

opaque_id!(
    /// The opaque id of a customer account (e.g. `cus_01HX…`).
    CustomerId
);
opaque_id!(
    /// The opaque id of an order (e.g. `ord_01HX…`).
    OrderId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefixed_id_parses_trimmed() {
        assert_eq!(CustomerId::parse(" cus_01HX:9 ").unwrap().as_str(), "cus_01HX:9");
        assert_eq!(OrderId::parse("ord_01hx-2").unwrap().as_str(), "ord_01hx-2");
    }

    #[test]
    fn empty_long_or_odd_ids_are_rejected() {
        assert_eq!(CustomerId::parse(""), Err(IdError::Empty));
        assert_eq!(OrderId::parse(&"o".repeat(65)), Err(IdError::TooLong));
        assert_eq!(CustomerId::parse("cus 1"), Err(IdError::InvalidCharacter));
        assert_eq!(OrderId::parse("ord;DROP"), Err(IdError::InvalidCharacter));
    }
}
