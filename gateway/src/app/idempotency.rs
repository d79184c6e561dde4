//! Idempotency keys as the store keeps them: scoped to the caller who sent them, with a SHA-256
//! fingerprint of the request, so a replay answers only its own caller and only the same request.
//!
//! A key is never a record id a stranger can name: the record id is the SHA-256 of the caller's
//! scope and the key, so two callers who pick the same key hold two different records, and the
//! stored fingerprint (also a digest) reveals nothing of the request.

use sha2::{Digest, Sha256};

use crate::app::error::ApiError;

/// A validated idempotency key for one operation of one caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// The store's record key: SHA-256 of the scope and the key, hex.
    record: String,
    /// The mutation it was used for (`placeOrder`, `refundPayment`, …).
    operation: &'static str,
    /// SHA-256 of what the request asked for, hex.
    fingerprint: String,
}

impl Idempotency {
    /// `key` as sent by a caller whose scope is `scope` (see [`crate::app::access::Actor::scope`]), for
    /// `operation` on a request whose content is `request`. A key that is not 8–128 letters,
    /// digits, `-`, `_`, `:` or `.` is `BAD_USER_INPUT`.
    pub fn new(scope: &str, key: &str, operation: &'static str, request: &[u8]) -> Result<Self, ApiError> {
        check_key(key)?;
        Ok(Idempotency { record: scoped_key(scope, key), operation, fingerprint: fingerprint(request) })
    }

    /// The record key the store keeps this key under.
    /// The key as the store claims it.
    pub(crate) fn key_use(&self) -> crate::store::orders::KeyUse<'_> {
        crate::store::orders::KeyUse {
            record: self.record(),
            operation: self.operation(),
            fingerprint: self.fingerprint(),
        }
    }

    pub fn record(&self) -> &str {
        &self.record
    }

    pub fn operation(&self) -> &'static str {
        self.operation
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether a stored record for this key stands for this same request.
    pub fn matches(&self, operation: &str, fingerprint: &str) -> bool {
        operation == self.operation && fingerprint == self.fingerprint
    }
}

fn check_key(key: &str) -> Result<(), ApiError> {
    let ok = (8..=128).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_input("idempotencyKey", "must be 8-128 letters, digits, '-', '_', ':' or '.'"))
    }
}

/// SHA-256 of `request`, as 64 lower-case hex digits.
pub fn fingerprint(request: &[u8]) -> String {
    hex::encode(Sha256::digest(request))
}

/// The record key of `key` within `scope`: no caller can name another caller's record.
fn scoped_key(scope: &str, key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(scope.as_bytes());
    hasher.update([0u8]);
    hasher.update(key.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_in_two_scopes_is_two_records() {
        let a = Idempotency::new("customer:cus_1", "checkout-0001", "placeOrder", b"{}").unwrap();
        let b = Idempotency::new("customer:cus_2", "checkout-0001", "placeOrder", b"{}").unwrap();
        assert_ne!(a.record(), b.record());
        assert_eq!(a.record().len(), 64);
        assert!(!a.record().contains("checkout"), "the key itself is not in the record id");
    }

    #[test]
    fn the_fingerprint_is_sha256_of_the_request() {
        // SHA-256("abc"), from FIPS 180-2's test vectors.
        assert_eq!(fingerprint(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let i = Idempotency::new("anonymous", "key-12345", "placeOrder", b"abc").unwrap();
        assert!(i.matches("placeOrder", &fingerprint(b"abc")));
        assert!(!i.matches("placeOrder", &fingerprint(b"abd")));
        assert!(!i.matches("authorizePayment", &fingerprint(b"abc")));
    }

    #[test]
    fn malformed_keys_are_bad_input() {
        for key in ["short", "has space in it", &"x".repeat(129), "emoji-🙂-key"] {
            assert!(matches!(
                Idempotency::new("anonymous", key, "placeOrder", b""),
                Err(ApiError::BadInput { .. })
            ));
        }
    }
}
