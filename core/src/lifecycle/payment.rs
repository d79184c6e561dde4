//! The payment state machine: authorized, captured and refunded amounts, with a status that follows from them.
//!
//! Legality depends on the amounts as well as the status: a payment can be captured while some of its
//! authorization is left (several partial captures, also after a refund of an earlier capture), and
//! refunded while some captured money has not gone back yet.

use super::{Machine, TransitionError};
use crate::money::{Currency, Money};

/// Where a payment stands; apart from pending/failed/voided it follows from the amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum PaymentStatus {
    /// Nothing authorized yet.
    Pending,
    /// Authorized, nothing captured.
    Authorized,
    /// Part of the authorization captured, nothing refunded.
    PartiallyCaptured,
    /// The whole authorization captured, nothing refunded.
    Captured,
    /// Some of the captured money refunded.
    PartiallyRefunded,
    /// All of the captured money refunded.
    Refunded,
    /// The authorization was released before anything was captured.
    Voided,
    /// The authorization was declined.
    Failed,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 8] = [
        PaymentStatus::Pending,
        PaymentStatus::Authorized,
        PaymentStatus::PartiallyCaptured,
        PaymentStatus::Captured,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Voided,
        PaymentStatus::Failed,
    ];

    /// Stable snake_case name, e.g. `partially_captured`.
    pub fn name(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::PartiallyCaptured => "partially_captured",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Voided => "voided",
            PaymentStatus::Failed => "failed",
        }
    }

    /// The status of a live authorization (`authorized > 0`, not voided) holding these amounts,
    /// given `0 ≤ refunded ≤ captured ≤ authorized`.
    fn of_amounts(authorized: i64, captured: i64, refunded: i64) -> PaymentStatus {
        if captured == 0 {
            PaymentStatus::Authorized
        } else if refunded == 0 {
            if captured < authorized { PaymentStatus::PartiallyCaptured } else { PaymentStatus::Captured }
        } else if refunded < captured {
            PaymentStatus::PartiallyRefunded
        } else {
            PaymentStatus::Refunded
        }
    }
}

/// What can be asked of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "command", rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum PaymentCommand {
    /// The provider authorized `amount` (from pending; more than zero).
    Authorize { amount: Money },
    /// The provider declined (from pending).
    Fail { reason: String },
    /// Take `amount` of what is still authorized; may be repeated.
    Capture { amount: Money },
    /// Release an authorization nothing was captured from.
    Void,
    /// Give back `amount` of what was captured and not yet refunded; may be repeated.
    Refund { amount: Money },
}

/// The kind of a [`PaymentCommand`], without its data: what [`Payment::allowed`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum PaymentCommandKind {
    Authorize,
    Fail,
    Capture,
    Void,
    Refund,
}

impl PaymentCommandKind {
    pub const ALL: [PaymentCommandKind; 5] = [
        PaymentCommandKind::Authorize,
        PaymentCommandKind::Fail,
        PaymentCommandKind::Capture,
        PaymentCommandKind::Void,
        PaymentCommandKind::Refund,
    ];

    /// Stable snake_case name: `authorize`, `fail`, `capture`, `void`, `refund`.
    pub fn name(self) -> &'static str {
        match self {
            PaymentCommandKind::Authorize => "authorize",
            PaymentCommandKind::Fail => "fail",
            PaymentCommandKind::Capture => "capture",
            PaymentCommandKind::Void => "void",
            PaymentCommandKind::Refund => "refund",
        }
    }
}

impl PaymentCommand {
    pub fn kind(&self) -> PaymentCommandKind {
        match self {
            PaymentCommand::Authorize { .. } => PaymentCommandKind::Authorize,
            PaymentCommand::Fail { .. } => PaymentCommandKind::Fail,
            PaymentCommand::Capture { .. } => PaymentCommandKind::Capture,
            PaymentCommand::Void => PaymentCommandKind::Void,
            PaymentCommand::Refund { .. } => PaymentCommandKind::Refund,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// Why a payment command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The command is not accepted in the payment's status at all.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("cannot {command} {}: the payment is in {expected}", amount.display())]
    WrongCurrency { command: &'static str, expected: Currency, amount: Money },
    #[error("cannot {command} {}: the amount must be more than zero", amount.display())]
    NotPositive { command: &'static str, amount: Money },
    #[error(
        "cannot capture {}: at most {} can be captured",
        requested.display(),
        limit.display()
    )]
    OverCapture { requested: Money, limit: Money },
    #[error(
        "cannot refund {}: at most {} can be refunded",
        requested.display(),
        limit.display()
    )]
    OverRefund { requested: Money, limit: Money },
    /// A stored [`PaymentRecord`] breaks the payment invariants.
    #[error("inconsistent payment record: {0}")]
    InconsistentRecord(&'static str),
}

/// One payment: what was authorized, captured and refunded, all in one currency.
///
/// Always `0 ≤ refunded ≤ captured ≤ authorized`, and the status agrees with the amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "PaymentRecord", into = "PaymentRecord")
)]
pub struct Payment {
    currency: Currency,
    authorized: Money,
    captured: Money,
    refunded: Money,
    status: PaymentStatus,
    /// The provider's reason, only when failed.
    failure_reason: Option<String>,
}

/// A payment's fields as stored or sent; [`Payment::try_from`] checks the invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PaymentRecord {
    pub currency: Currency,
    pub authorized: Money,
    pub captured: Money,
    pub refunded: Money,
    pub status: PaymentStatus,
    #[cfg_attr(feature = "serde", serde(default))]
    pub failure_reason: Option<String>,
}

impl Payment {
    /// A pending payment in `currency`: nothing authorized yet.
    pub fn new(currency: Currency) -> Payment {
        Payment {
            currency,
            authorized: Money::zero(currency),
            captured: Money::zero(currency),
            refunded: Money::zero(currency),
            status: PaymentStatus::Pending,
            failure_reason: None,
        }
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn authorized(&self) -> Money {
        self.authorized
    }

    pub fn captured(&self) -> Money {
        self.captured
    }

    pub fn refunded(&self) -> Money {
        self.refunded
    }

    pub fn status(&self) -> PaymentStatus {
        self.status
    }

    /// Stable snake_case name of the status, like the other machines' `name()`.
    pub fn name(&self) -> &'static str {
        self.status.name()
    }

    /// Why the provider declined, when failed.
    pub fn failure_reason(&self) -> Option<&str> {
        self.failure_reason.as_deref()
    }

    /// What can still be captured: the authorization not yet captured, zero once voided or failed.
    pub fn capturable(&self) -> Money {
        if self.is_live() {
            Money::new(self.authorized.amount() - self.captured.amount(), self.currency)
        } else {
            Money::zero(self.currency)
        }
    }

    /// What can still be refunded: the captured money not yet refunded.
    pub fn refundable(&self) -> Money {
        Money::new(self.captured.amount() - self.refunded.amount(), self.currency)
    }

    /// Whether an authorization is held (not pending, failed or voided).
    fn is_live(&self) -> bool {
        !matches!(self.status, PaymentStatus::Pending | PaymentStatus::Voided | PaymentStatus::Failed)
    }

    /// The transition table: whether a command of this kind is accepted now, for some amount.
    pub fn can(&self, kind: PaymentCommandKind) -> bool {
        use PaymentCommandKind as K;
        let room_to_capture = self.captured.amount() < self.authorized.amount();
        match self.status {
            PaymentStatus::Pending => matches!(kind, K::Authorize | K::Fail),
            PaymentStatus::Authorized => matches!(kind, K::Capture | K::Void),
            PaymentStatus::PartiallyCaptured => matches!(kind, K::Capture | K::Refund),
            PaymentStatus::Captured => matches!(kind, K::Refund),
            PaymentStatus::PartiallyRefunded => kind == K::Refund || (kind == K::Capture && room_to_capture),
            PaymentStatus::Refunded => kind == K::Capture && room_to_capture,
            PaymentStatus::Voided | PaymentStatus::Failed => false,
        }
    }

    /// The payment after `command`, or why it is refused: the status refuses the command,
    /// or the amount is in another currency, not positive, or beyond what is left.
    pub fn apply(&self, command: &PaymentCommand) -> Result<Payment, PaymentError> {
        let kind = command.kind();
        if !self.can(kind) {
            return Err(TransitionError::new(Machine::Payment, self.name(), kind.name()).into());
        }
        let mut next = self.clone();
        match command {
            PaymentCommand::Authorize { amount } => {
                next.authorized = self.positive(kind, *amount)?;
            }
            PaymentCommand::Fail { reason } => {
                next.status = PaymentStatus::Failed;
                next.failure_reason = Some(reason.clone());
                return Ok(next);
            }
            PaymentCommand::Capture { amount } => {
                let requested = self.positive(kind, *amount)?;
                let limit = self.capturable();
                if requested.amount() > limit.amount() {
                    return Err(PaymentError::OverCapture { requested, limit });
                }
                // Cannot overflow: the sum is at most `authorized`.
                next.captured = Money::new(self.captured.amount() + requested.amount(), self.currency);
            }
            PaymentCommand::Void => {
                next.status = PaymentStatus::Voided;
                return Ok(next);
            }
            PaymentCommand::Refund { amount } => {
                let requested = self.positive(kind, *amount)?;
                let limit = self.refundable();
                if requested.amount() > limit.amount() {
                    return Err(PaymentError::OverRefund { requested, limit });
                }
                // Cannot overflow: the sum is at most `captured`.
                next.refunded = Money::new(self.refunded.amount() + requested.amount(), self.currency);
            }
        }
        next.status = PaymentStatus::of_amounts(
            next.authorized.amount(),
            next.captured.amount(),
            next.refunded.amount(),
        );
        Ok(next)
    }

    /// `amount` if it is in this payment's currency and more than zero.
    fn positive(&self, kind: PaymentCommandKind, amount: Money) -> Result<Money, PaymentError> {
        if amount.currency() != self.currency {
            Err(PaymentError::WrongCurrency { command: kind.name(), expected: self.currency, amount })
        } else if amount.amount() <= 0 {
            Err(PaymentError::NotPositive { command: kind.name(), amount })
        } else {
            Ok(amount)
        }
    }

    /// The command kinds accepted now, in [`PaymentCommandKind::ALL`] order.
    pub fn allowed(&self) -> Vec<PaymentCommandKind> {
        PaymentCommandKind::ALL.into_iter().filter(|k| self.can(*k)).collect()
    }

    /// Whether no command is accepted any more: failed, voided, or refunded with nothing left to capture.
    pub fn is_terminal(&self) -> bool {
        self.allowed().is_empty()
    }
}

impl TryFrom<PaymentRecord> for Payment {
    type Error = PaymentError;

    fn try_from(record: PaymentRecord) -> Result<Self, Self::Error> {
        let PaymentRecord { currency, authorized, captured, refunded, status, failure_reason } = record;
        if [authorized, captured, refunded].iter().any(|m| m.currency() != currency) {
            return Err(PaymentError::InconsistentRecord("amounts must be in the payment's currency"));
        }
        let (a, c, r) = (authorized.amount(), captured.amount(), refunded.amount());
        if !(0 <= r && r <= c && c <= a) {
            return Err(PaymentError::InconsistentRecord("expected 0 ≤ refunded ≤ captured ≤ authorized"));
        }
        let consistent = match status {
            PaymentStatus::Pending | PaymentStatus::Failed => a == 0,
            PaymentStatus::Voided => a > 0 && c == 0,
            live => a > 0 && live == PaymentStatus::of_amounts(a, c, r),
        };
        if !consistent {
            return Err(PaymentError::InconsistentRecord("the status does not match the amounts"));
        }
        if failure_reason.is_some() != (status == PaymentStatus::Failed) {
            return Err(PaymentError::InconsistentRecord(
                "a failure reason is required for a failed payment and only for one",
            ));
        }
        Ok(Payment { currency, authorized, captured, refunded, status, failure_reason })
    }
}

impl From<Payment> for PaymentRecord {
    fn from(payment: Payment) -> Self {
        PaymentRecord {
            currency: payment.currency,
            authorized: payment.authorized,
            captured: payment.captured,
            refunded: payment.refunded,
            status: payment.status,
            failure_reason: payment.failure_reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testing::{assert_covers_every_pair, assert_snake_case};
    use proptest::prelude::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::Usd)
    }

    /// A USD payment authorized for `a`, captured `c` in one go and refunded `r` in one go.
    fn payment(a: i64, c: i64, r: i64) -> Payment {
        let mut p = Payment::new(Currency::Usd);
        if a > 0 {
            p = p.apply(&PaymentCommand::Authorize { amount: usd(a) }).unwrap();
        }
        if c > 0 {
            p = p.apply(&PaymentCommand::Capture { amount: usd(c) }).unwrap();
        }
        if r > 0 {
            p = p.apply(&PaymentCommand::Refund { amount: usd(r) }).unwrap();
        }
        p
    }

    /// One sample of every status.
    fn every_state() -> Vec<Payment> {
        vec![
            payment(0, 0, 0),
            payment(1000, 0, 0),
            payment(1000, 400, 0),
            payment(1000, 1000, 0),
            payment(1000, 1000, 300),
            payment(1000, 1000, 1000),
            payment(1000, 0, 0).apply(&PaymentCommand::Void).unwrap(),
            Payment::new(Currency::Usd)
                .apply(&PaymentCommand::Fail { reason: "card declined".into() })
                .unwrap(),
        ]
    }

    /// One sample of every command; every amount is small enough to fit any sample that accepts it.
    fn every_command() -> Vec<PaymentCommand> {
        vec![
            PaymentCommand::Authorize { amount: usd(100) },
            PaymentCommand::Fail { reason: "card declined".into() },
            PaymentCommand::Capture { amount: usd(100) },
            PaymentCommand::Void,
            PaymentCommand::Refund { amount: usd(100) },
        ]
    }

    /// Every (status, command) pair over the samples above and the status it leads to; `None` means refused.
    const TABLE: [(&str, &str, Option<&str>); 40] = [
        ("pending", "authorize", Some("authorized")),
        ("pending", "fail", Some("failed")),
        ("pending", "capture", None),
        ("pending", "void", None),
        ("pending", "refund", None),
        ("authorized", "authorize", None),
        ("authorized", "fail", None),
        ("authorized", "capture", Some("partially_captured")),
        ("authorized", "void", Some("voided")),
        ("authorized", "refund", None),
        ("partially_captured", "authorize", None),
        ("partially_captured", "fail", None),
        ("partially_captured", "capture", Some("partially_captured")),
        ("partially_captured", "void", None),
        ("partially_captured", "refund", Some("partially_refunded")),
        ("captured", "authorize", None),
        ("captured", "fail", None),
        ("captured", "capture", None),
        ("captured", "void", None),
        ("captured", "refund", Some("partially_refunded")),
        ("partially_refunded", "authorize", None),
        ("partially_refunded", "fail", None),
        ("partially_refunded", "capture", None),
        ("partially_refunded", "void", None),
        ("partially_refunded", "refund", Some("partially_refunded")),
        ("refunded", "authorize", None),
        ("refunded", "fail", None),
        ("refunded", "capture", None),
        ("refunded", "void", None),
        ("refunded", "refund", None),
        ("voided", "authorize", None),
        ("voided", "fail", None),
        ("voided", "capture", None),
        ("voided", "void", None),
        ("voided", "refund", None),
        ("failed", "authorize", None),
        ("failed", "fail", None),
        ("failed", "capture", None),
        ("failed", "void", None),
        ("failed", "refund", None),
    ];

    fn state(name: &str) -> Payment {
        every_state().into_iter().find(|s| s.name() == name).unwrap()
    }

    fn command(name: &str) -> PaymentCommand {
        every_command().into_iter().find(|c| c.name() == name).unwrap()
    }

    #[test]
    fn every_status_and_command_is_sampled_once() {
        let statuses: Vec<_> = every_state().iter().map(|p| p.status()).collect();
        assert_eq!(statuses, PaymentStatus::ALL);
        let kinds: Vec<_> = every_command().iter().map(|c| c.kind()).collect();
        assert_eq!(kinds, PaymentCommandKind::ALL);
    }

    #[test]
    fn the_table_decides_every_status_and_command_pair() {
        let pairs: Vec<_> = TABLE.iter().map(|(s, c, _)| (*s, *c)).collect();
        let states: Vec<_> = PaymentStatus::ALL.iter().map(|s| s.name()).collect();
        let commands: Vec<_> = PaymentCommandKind::ALL.iter().map(|k| k.name()).collect();
        assert_covers_every_pair(&pairs, &states, &commands);
    }

    #[test]
    fn every_transition_goes_where_the_table_says() {
        for (from, cmd, expected) in TABLE {
            let result = state(from).apply(&command(cmd));
            match expected {
                Some(to) => assert_eq!(result.map(|p| p.name()), Ok(to), "{from} × {cmd}"),
                None => assert_eq!(
                    result,
                    Err(TransitionError::new(Machine::Payment, from, cmd).into()),
                    "{from} × {cmd}"
                ),
            }
        }
    }

    #[test]
    fn allowed_lists_exactly_the_commands_apply_accepts() {
        let mut samples = every_state();
        // Refunds of a partial capture leave the rest of the authorization capturable.
        samples.push(payment(1000, 400, 100));
        samples.push(payment(1000, 400, 400));
        for p in samples {
            let accepted: Vec<_> =
                every_command().iter().filter(|c| p.apply(c).is_ok()).map(|c| c.kind()).collect();
            assert_eq!(p.allowed(), accepted, "{p:?}");
            assert_eq!(p.is_terminal(), accepted.is_empty());
        }
    }

    #[test]
    fn captures_can_be_partial_and_repeated_up_to_the_authorization() {
        let p = payment(1000, 400, 0);
        let p = p.apply(&PaymentCommand::Capture { amount: usd(600) }).unwrap();
        assert_eq!(p.status(), PaymentStatus::Captured);
        assert_eq!(p.captured(), usd(1000));
        assert_eq!(p.capturable(), usd(0));
    }

    #[test]
    fn capturing_more_than_authorized_is_refused() {
        let err = payment(1000, 400, 0).apply(&PaymentCommand::Capture { amount: usd(601) }).unwrap_err();
        assert_eq!(err, PaymentError::OverCapture { requested: usd(601), limit: usd(600) });
        assert_eq!(err.to_string(), "cannot capture $6.01: at most $6.00 can be captured");
    }

    #[test]
    fn refunding_more_than_captured_is_refused() {
        let err = payment(2000, 1500, 300).apply(&PaymentCommand::Refund { amount: usd(1500) }).unwrap_err();
        assert_eq!(err, PaymentError::OverRefund { requested: usd(1500), limit: usd(1200) });
        assert_eq!(err.to_string(), "cannot refund $15.00: at most $12.00 can be refunded");
    }

    #[test]
    fn zero_and_negative_amounts_are_refused() {
        for amount in [0, -100] {
            let err =
                payment(1000, 0, 0).apply(&PaymentCommand::Capture { amount: usd(amount) }).unwrap_err();
            assert_eq!(err, PaymentError::NotPositive { command: "capture", amount: usd(amount) });
        }
        let err =
            Payment::new(Currency::Usd).apply(&PaymentCommand::Authorize { amount: usd(0) }).unwrap_err();
        assert_eq!(err.to_string(), "cannot authorize $0.00: the amount must be more than zero");
        assert!(payment(1000, 1000, 0).apply(&PaymentCommand::Refund { amount: usd(0) }).is_err());
    }

    #[test]
    fn amounts_in_another_currency_are_refused() {
        let err = payment(1000, 0, 0)
            .apply(&PaymentCommand::Capture { amount: Money::new(500, Currency::Eur) })
            .unwrap_err();
        assert_eq!(err.to_string(), "cannot capture €5.00: the payment is in USD");
        assert!(matches!(err, PaymentError::WrongCurrency { .. }));
    }

    #[test]
    fn a_payment_with_a_capture_cannot_be_voided() {
        let err = payment(1000, 1, 0).apply(&PaymentCommand::Void).unwrap_err();
        assert_eq!(err.to_string(), "cannot void a payment that is partially captured");
    }

    #[test]
    fn the_rest_of_an_authorization_stays_capturable_after_a_refund() {
        let p = payment(1000, 400, 400);
        assert_eq!(p.status(), PaymentStatus::Refunded);
        assert!(!p.is_terminal());
        assert_eq!(p.allowed(), [PaymentCommandKind::Capture]);
        let p = p.apply(&PaymentCommand::Capture { amount: usd(600) }).unwrap();
        assert_eq!(p.status(), PaymentStatus::PartiallyRefunded);
        assert_eq!(p.refundable(), usd(600));
    }

    #[test]
    fn a_failed_payment_keeps_its_reason_and_accepts_nothing() {
        let p = state("failed");
        assert_eq!(p.failure_reason(), Some("card declined"));
        assert!(p.is_terminal());
        assert_eq!(p.authorized(), usd(0));
    }

    #[test]
    fn records_round_trip_and_inconsistent_records_are_refused() {
        for p in every_state() {
            let record = PaymentRecord::from(p.clone());
            assert_eq!(Payment::try_from(record), Ok(p));
        }
        let mut record = PaymentRecord::from(payment(1000, 400, 0));
        record.status = PaymentStatus::Captured;
        assert_eq!(
            Payment::try_from(record.clone()),
            Err(PaymentError::InconsistentRecord("the status does not match the amounts"))
        );
        record.status = PaymentStatus::PartiallyCaptured;
        record.refunded = usd(500);
        assert!(Payment::try_from(record.clone()).is_err());
        record.refunded = Money::new(0, Currency::Eur);
        assert!(Payment::try_from(record).is_err());
        let mut failed = PaymentRecord::from(state("failed"));
        failed.failure_reason = None;
        assert!(Payment::try_from(failed).is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn payments_serialize_as_their_record_and_are_checked_when_read() {
        let p = payment(1000, 400, 0);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["status"], "partiallyCaptured");
        assert_eq!(serde_json::from_value::<Payment>(json.clone()).unwrap(), p);
        let mut broken = json;
        broken["status"] = "refunded".into();
        assert!(serde_json::from_value::<Payment>(broken).is_err());
    }

    #[test]
    fn names_are_stable_snake_case() {
        PaymentStatus::ALL.iter().for_each(|s| assert_snake_case(s.name()));
        PaymentCommandKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
    }

    /// The status a payment must have for its amounts, checked independently of `apply`.
    fn status_agrees_with_amounts(p: &Payment) -> bool {
        let (a, c, r) = (p.authorized().amount(), p.captured().amount(), p.refunded().amount());
        match p.status() {
            PaymentStatus::Pending => a == 0 && p.failure_reason().is_none(),
            PaymentStatus::Failed => a == 0 && p.failure_reason().is_some(),
            PaymentStatus::Authorized | PaymentStatus::Voided => a > 0 && c == 0,
            PaymentStatus::PartiallyCaptured => 0 < c && c < a && r == 0,
            PaymentStatus::Captured => 0 < c && c == a && r == 0,
            PaymentStatus::PartiallyRefunded => 0 < r && r < c,
            PaymentStatus::Refunded => 0 < r && r == c,
        }
    }

    fn any_amount() -> impl Strategy<Value = Money> {
        prop_oneof![
            8 => (-50i64..1500).prop_map(usd),
            1 => (1i64..1500).prop_map(|a| Money::new(a, Currency::Eur)),
        ]
    }

    fn any_command() -> impl Strategy<Value = PaymentCommand> {
        prop_oneof![
            2 => any_amount().prop_map(|amount| PaymentCommand::Authorize { amount }),
            1 => Just(PaymentCommand::Fail { reason: "declined".into() }),
            3 => any_amount().prop_map(|amount| PaymentCommand::Capture { amount }),
            1 => Just(PaymentCommand::Void),
            3 => any_amount().prop_map(|amount| PaymentCommand::Refund { amount }),
        ]
    }

    proptest! {
        #[test]
        fn random_command_sequences_keep_the_amounts_ordered_and_the_status_true(
            commands in proptest::collection::vec(any_command(), 0..40),
        ) {
            let mut current = Payment::new(Currency::Usd);
            for cmd in &commands {
                match current.apply(cmd) {
                    Ok(next) => {
                        prop_assert!(current.can(cmd.kind()));
                        current = next;
                    }
                    Err(PaymentError::Transition(err)) => {
                        prop_assert!(!current.can(cmd.kind()));
                        prop_assert_eq!(err, TransitionError::new(Machine::Payment, current.name(), cmd.name()));
                    }
                    Err(_) => prop_assert!(current.can(cmd.kind())),
                }
                let (a, c, r) = (current.authorized(), current.captured(), current.refunded());
                prop_assert!(0 <= r.amount() && r.amount() <= c.amount() && c.amount() <= a.amount());
                prop_assert!(status_agrees_with_amounts(&current), "{:?}", current);
                for m in [a, c, r, current.capturable(), current.refundable()] {
                    prop_assert_eq!(m.currency(), Currency::Usd);
                }
                prop_assert_eq!(current.currency(), Currency::Usd);
                prop_assert_eq!(Payment::try_from(PaymentRecord::from(current.clone())), Ok(current.clone()));
            }
        }
    }
}
