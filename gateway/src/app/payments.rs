//! Payment providers: the trait the gateway calls, and the built-in test provider with documented tokens.
//!
//! Ordo never sees a card number: the browser gives the card to the provider and sends Ordo a
//! token. Ordo stores the provider's reference, the card brand and the last four digits only.

use ordo_core::card::CardBrand;
use ordo_core::money::Money;

/// What a provider says about an authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The provider's reference for later capture, void or refund.
    pub reference: String,
    pub brand: CardBrand,
    pub last4: Option<String>,
}

/// Why a provider refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentFailure {
    /// The card or wallet was declined; `reason` is safe to show the customer.
    #[error("payment declined: {reason}")]
    Declined { reason: String },
    /// The provider could not be reached or failed; the payment may be retried.
    #[error("the payment provider failed: {0}")]
    Provider(String),
    #[error("unknown payment token")]
    UnknownToken,
}

/// A payment service provider (card acquirer, wallet).
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    /// Authorizes `amount` on `token`. `idempotency_key` is the same for a retry of one attempt
    /// (after a crash or a timeout), so the provider answers it with the first authorization
    /// instead of holding the money twice.
    fn authorize(
        &self,
        token: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Authorization, PaymentFailure>;
    fn capture(&self, reference: &str, amount: Money) -> Result<(), PaymentFailure>;
    fn void(&self, reference: &str) -> Result<(), PaymentFailure>;
    fn refund(&self, reference: &str, amount: Money) -> Result<(), PaymentFailure>;
    /// Authorizes `amount` again on the card (kept on file by the provider) that authorization
    /// `reference` was made with, before it lapses; answers the new authorization's reference.
    /// `idempotency_key` is the same for a retry, as for [`PaymentProvider::authorize`].
    fn reauthorize(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, PaymentFailure>;
}

/// The built-in provider for development, demos and tests. Its tokens:
///
/// | token | result |
/// |---|---|
/// | `tok_visa` | approved, Visa ending 4242 |
/// | `tok_mastercard` | approved, Mastercard ending 4444 |
/// | `tok_amex` | approved, American Express ending 0005 |
/// | `tok_wallet_applepay` | approved, Visa (Apple Pay) ending 1111 |
/// | `tok_declined` | declined: card declined |
/// | `tok_insufficient_funds` | declined: insufficient funds |
/// | `tok_expired_card` | declined: card expired |
/// | `tok_processing_error` | provider error (retry later) |
/// | `tok_capture_declined` | approved, Visa ending 0341; every capture and re-authorization declined (an expired or cancelled card) |
#[derive(Debug, Default)]
pub struct TestProvider;

impl PaymentProvider for TestProvider {
    fn authorize(
        &self,
        token: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Authorization, PaymentFailure> {
        // Like a real provider, one idempotency key is one authorization: the reference is
        // derived from the key, so a retried attempt gets the same one back.
        let approved = |brand, last4: &str| {
            Ok(Authorization {
                reference: format!(
                    "test_auth_{}_{}",
                    &crate::app::idempotency::fingerprint(idempotency_key.as_bytes())[..26],
                    amount.amount()
                ),
                brand,
                last4: Some(last4.to_owned()),
            })
        };
        let declined = |reason: &str| Err(PaymentFailure::Declined { reason: reason.to_owned() });
        match token {
            "tok_visa" => approved(CardBrand::Visa, "4242"),
            "tok_mastercard" => approved(CardBrand::Mastercard, "4444"),
            "tok_amex" => approved(CardBrand::Amex, "0005"),
            "tok_wallet_applepay" => approved(CardBrand::Visa, "1111"),
            "tok_capture_declined" => approved(CardBrand::Visa, "0341").map(|auth| Authorization {
                reference: auth.reference.replacen("test_auth_", NO_CAPTURE, 1),
                ..auth
            }),
            "tok_declined" => declined("card declined"),
            "tok_insufficient_funds" => declined("insufficient funds"),
            "tok_expired_card" => declined("card expired"),
            "tok_processing_error" => Err(PaymentFailure::Provider("processing error".into())),
            _ => Err(PaymentFailure::UnknownToken),
        }
    }

    fn capture(&self, reference: &str, _amount: Money) -> Result<(), PaymentFailure> {
        if reference.starts_with(NO_CAPTURE) {
            return Err(PaymentFailure::Declined {
                reason: "the authorization can no longer be captured".into(),
            });
        }
        known(reference)
    }

    fn void(&self, reference: &str) -> Result<(), PaymentFailure> {
        known(reference)
    }

    fn refund(&self, reference: &str, _amount: Money) -> Result<(), PaymentFailure> {
        known(reference)
    }

    fn reauthorize(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, PaymentFailure> {
        if reference.starts_with(NO_CAPTURE) {
            return Err(PaymentFailure::Declined { reason: "the card can no longer be charged".into() });
        }
        known(reference)?;
        Ok(format!(
            "test_auth_{}_{}",
            &crate::app::idempotency::fingerprint(idempotency_key.as_bytes())[..26],
            amount.amount()
        ))
    }
}

/// The reference prefix of `tok_capture_declined`'s authorizations.
const NO_CAPTURE: &str = "test_auth_nocapture_";

fn known(reference: &str) -> Result<(), PaymentFailure> {
    if reference.starts_with("test_auth_") { Ok(()) } else { Err(PaymentFailure::UnknownToken) }
}

#[cfg(test)]
mod tests {
    use ordo_core::money::Currency;

    use super::*;

    #[test]
    fn test_tokens_behave_as_documented() {
        let p = TestProvider;
        let usd = Money::new(1000, Currency::Usd);
        let auth = p.authorize("tok_visa", usd, "ord_1:authorize:1").unwrap();
        assert_eq!((auth.brand, auth.last4.as_deref()), (CardBrand::Visa, Some("4242")));
        assert!(p.capture(&auth.reference, usd).is_ok());
        let held = p.authorize("tok_capture_declined", usd, "ord_1:authorize:9").unwrap();
        assert_eq!(held.last4.as_deref(), Some("0341"));
        assert!(matches!(p.capture(&held.reference, usd), Err(PaymentFailure::Declined { .. })));
        assert!(p.void(&held.reference).is_ok() && p.refund(&held.reference, usd).is_ok());
        assert_eq!(
            p.authorize("tok_declined", usd, "ord_1:authorize:2"),
            Err(PaymentFailure::Declined { reason: "card declined".into() })
        );
        assert!(matches!(p.authorize("tok_processing_error", usd, "k"), Err(PaymentFailure::Provider(_))));
        assert_eq!(p.authorize("4242424242424242", usd, "k"), Err(PaymentFailure::UnknownToken));
    }

    #[test]
    fn one_idempotency_key_is_one_authorization() {
        let p = TestProvider;
        let usd = Money::new(1000, Currency::Usd);
        let first = p.authorize("tok_visa", usd, "ord_1:authorize:1").unwrap();
        assert_eq!(p.authorize("tok_visa", usd, "ord_1:authorize:1").unwrap(), first);
        assert_ne!(p.authorize("tok_visa", usd, "ord_2:authorize:1").unwrap().reference, first.reference);
    }
}
