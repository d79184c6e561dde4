//! `Phone`: a phone number in E.164 form (`+` and up to 15 digits).

use super::string_value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number must start with '+' and the country code (E.164), e.g. +14155550123")]
    MissingPlus,
    #[error("phone number may contain only digits after '+' (spaces, dashes, dots and brackets are ignored)")]
    InvalidCharacter,
    #[error("phone number must have 8 to 15 digits including the country code")]
    BadLength,
}

/// A phone number normalised to E.164: `+` followed by 8–15 digits, the first not `0`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(try_from = "String"))]
pub struct Phone(String);

string_value!(Phone, PhoneError);

impl Phone {
    /// Parses a number written in international form; spaces, `-`, `.`, `(` and `)` are dropped.
    pub fn parse(raw: &str) -> Result<Phone, PhoneError> {
        let s = raw.trim();
        let Some(rest) = s.strip_prefix('+') else {
            return Err(PhoneError::MissingPlus);
        };
        let mut digits = String::with_capacity(15);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(PhoneError::BadLength);
        }
        Ok(Phone(format!("+{digits}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formatted_international_number_is_normalised() {
        assert_eq!(Phone::parse("+1 (415) 555-0123").unwrap().as_str(), "+14155550123");
        assert_eq!(Phone::parse("+49 30 1234567").unwrap().as_str(), "+49301234567");
    }

    #[test]
    fn numbers_not_in_international_form_are_rejected() {
        assert_eq!(Phone::parse("0415 555 0123"), Err(PhoneError::MissingPlus));
        assert_eq!(Phone::parse("+1 415 CALL"), Err(PhoneError::InvalidCharacter));
        assert_eq!(Phone::parse("+123"), Err(PhoneError::BadLength));
        assert_eq!(Phone::parse("+1234567890123456"), Err(PhoneError::BadLength));
        assert_eq!(Phone::parse("+0123456789"), Err(PhoneError::BadLength));
    }
}
