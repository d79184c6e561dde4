//! `Sku`: a stock-keeping unit code.

use std::sync::Arc;

use super::string_value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkuError {
    #[error("SKU is empty")]
    Empty,
    #[error("SKU is longer than {max} characters", max = Sku::MAX_LEN)]
    TooLong,
    #[error("SKU may contain only letters, digits, '-', '_' and '.'")]
    InvalidCharacter,
}

/// A SKU code: 1–64 ASCII letters, digits, `-`, `_` or `.`; case is kept (SKUs are case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(try_from = "String"))]
pub struct Sku(Arc<str>);

string_value!(Sku, SkuError);

impl Sku {
    pub const MAX_LEN: usize = 64;

    /// Parses a SKU; surrounding whitespace is ignored.
    pub fn parse(raw: &str) -> Result<Sku, SkuError> {
        Sku::check(raw).map(|s| Sku(Arc::from(s)))
    }

    /// What [`Sku::parse`] would hold, without copying it: `raw` trimmed, if it is a valid SKU.
    pub fn check(raw: &str) -> Result<&str, SkuError> {
        // Trimming looks at whole characters; a SKU that starts and ends with a visible ASCII
        // character (nearly all) has nothing to trim.
        let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
        let s =
            if visible(raw.as_bytes().first()) && visible(raw.as_bytes().last()) { raw } else { raw.trim() };
        if s.is_empty() {
            return Err(SkuError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(SkuError::TooLong);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(SkuError::InvalidCharacter);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_sku_parses_and_keeps_its_case() {
        assert_eq!(Sku::parse(" Tee-Blk.M_1 ").unwrap().as_str(), "Tee-Blk.M_1");
    }

    #[test]
    fn an_empty_sku_is_rejected() {
        assert_eq!(Sku::parse("   "), Err(SkuError::Empty));
    }

    #[test]
    fn a_sku_with_spaces_or_symbols_is_rejected() {
        assert_eq!(Sku::parse("TEE BLK"), Err(SkuError::InvalidCharacter));
        assert_eq!(Sku::parse("TEE/BLK"), Err(SkuError::InvalidCharacter));
        assert_eq!(Sku::parse("TÉE"), Err(SkuError::InvalidCharacter));
    }

    #[test]
    fn a_sku_longer_than_64_characters_is_rejected() {
        assert!(Sku::parse(&"A".repeat(64)).is_ok());
        assert_eq!(Sku::parse(&"A".repeat(65)), Err(SkuError::TooLong));
    }

    proptest::proptest! {
        #[test]
        fn checking_a_sku_ignores_surrounding_whitespace_of_any_kind(
            core in "[A-Za-z0-9._-]{0,6}|\\PC{0,6}",
            before in "[ \t\u{a0}\u{2003}]{0,2}",
            after in "[ \n\u{3000}]{0,2}",
        ) {
            let raw = format!("{before}{core}{after}");
            proptest::prop_assert_eq!(Sku::check(&raw), Sku::check(raw.trim()));
            if let Ok(sku) = Sku::check(&raw) {
                proptest::prop_assert_eq!(sku, raw.trim());
            }
        }
    }
}
