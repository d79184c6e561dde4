//! Free text people type beside a command (reasons, notes, carrier names, tracking numbers,
//! packing material): trimmed, bounded in characters, never holding a payment card number.

use crate::card::contains_card_number;

/// Why a piece of free text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain a payment card number")]
    CardNumber,
    #[error("must be 1-{max} characters")]
    Required { max: usize },
}

/// The longest text, in characters, of each kind.
pub mod limits {
    /// Why an order, its lines or a return were cancelled or rejected, why a refund was given.
    pub const REASON: usize = 500;
    /// A note on a parcel's exception.
    pub const NOTE: usize = 500;
    /// Why stock was adjusted by hand (the ledger's reason; required).
    pub const STOCK_REASON: usize = 200;
    pub const CARRIER: usize = 60;
    pub const SERVICE: usize = 60;
    pub const TRACKING_NUMBER: usize = 60;
    /// Where a carrier saw a parcel.
    pub const LOCATION: usize = 120;
    /// A carrier's own wording of a status.
    pub const CARRIER_STATUS: usize = 200;
    /// What a parcel is packed in ("box", "mailer").
    pub const MATERIAL: usize = 40;
    /// A supplier's own number for a SKU it supplies.
    pub const SUPPLIER_SKU: usize = 60;
}

/// `text` trimmed, when it is at most `max` characters and holds no card number (it may be
/// empty).
pub fn free_text(text: &str, max: usize) -> Result<String, TextError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if contains_card_number(text) {
        return Err(TextError::CardNumber);
    }
    Ok(text.to_owned())
}

/// [`free_text`] that must not be empty.
pub fn required_text(text: &str, max: usize) -> Result<String, TextError> {
    let text = free_text(text, max).map_err(|e| match e {
        TextError::TooLong { max } => TextError::Required { max },
        other => other,
    })?;
    if text.is_empty() { Err(TextError::Required { max }) } else { Ok(text) }
}

/// Text from a machine (a carrier's webhook), kept leniently: trimmed and cut to `max`
/// characters; `None` when empty or holding a card number (dropped, not refused).
pub fn lenient_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || contains_card_number(text) {
        return None;
    }
    Some(text.chars().take(max).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_trimmed_bounded_and_never_a_card_number() {
        assert_eq!(free_text("  fragile  ", 10), Ok("fragile".into()));
        assert_eq!(free_text("", 10), Ok(String::new()));
        assert_eq!(free_text(&"é".repeat(11), 10), Err(TextError::TooLong { max: 10 }));
        assert_eq!(free_text(&"é".repeat(10), 10).map(|t| t.chars().count()), Ok(10));
        assert_eq!(free_text("card 4242 4242 4242 4242", 100), Err(TextError::CardNumber));
        assert_eq!(TextError::TooLong { max: 60 }.to_string(), "must be at most 60 characters");
    }

    #[test]
    fn required_text_must_not_be_blank() {
        assert_eq!(required_text("  ", 200), Err(TextError::Required { max: 200 }));
        assert_eq!(required_text(&"x".repeat(201), 200), Err(TextError::Required { max: 200 }));
        assert_eq!(required_text(" recount ", 200), Ok("recount".into()));
        assert_eq!(TextError::Required { max: 200 }.to_string(), "must be 1-200 characters");
    }

    #[test]
    fn a_machine_s_text_is_cut_or_dropped_never_refused() {
        assert_eq!(lenient_text("  Columbus OH  ", 8), Some("Columbus".into()));
        assert_eq!(lenient_text("   ", 8), None);
        assert_eq!(lenient_text("4242424242424242", 40), None);
    }
}
