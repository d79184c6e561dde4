//! The payment state machine: authorized, captured, released and refunded amounts, with a status that
//! follows from them.
//!
//! Legality depends on the amounts as well as the status: a payment can be captured or voided while
//! some of its authorization is left (several partial captures, also after a refund of an earlier
//! capture; a void releases whatever is left), refunded while some captured money has not gone back
//! yet, and authorized again after a decline.

use super::{Machine, TransitionError};
use crate::money::{Currency, Money};

/// Where a payment stands; apart from pending/failed it follows from the amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum PaymentStatus {
    /// Nothing authorized yet.
    Pending,
    /// Authorized, nothing captured or released.
    Authorized,
    /// Part of the authorization captured and some still capturable, nothing refunded.
    PartiallyCaptured,
    /// Something captured and nothing left to capture (all captured, or the rest released), nothing refunded.
    Captured,
    /// Some of the captured money refunded.
    PartiallyRefunded,
    /// All of the captured money refunded.
    Refunded,
    /// The authorization was released before anything was captured.
    Voided,
    /// The last authorization attempt was declined; another one may follow.
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

    /// The status of an authorization (`authorized > 0`) holding these amounts,
    /// given `0 ≤ refunded ≤ captured`, `0 ≤ released` and `captured + released ≤ authorized`.
    fn of_amounts(authorized: i64, captured: i64, refunded: i64, released: i64) -> PaymentStatus {
        if captured == 0 {
            if released == 0 { PaymentStatus::Authorized } else { PaymentStatus::Voided }
        } else if refunded == 0 {
            // Cannot overflow: both are at most `authorized`.
            if captured + released < authorized {
                PaymentStatus::PartiallyCaptured
            } else {
                PaymentStatus::Captured
            }
        } else if refunded < captured {
            PaymentStatus::PartiallyRefunded
        } else {
            PaymentStatus::Refunded
        }
    }
}

/// What can be asked of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum PaymentCommand {
    /// The provider authorized `amount` (more than zero), from pending or after a decline
    /// (a new attempt, e.g. with another card); clears the failure reason.
    Authorize { amount: Money },
    /// The provider declined (from pending, or failed again: the new reason replaces the old one).
    Fail { reason: String },
    /// Take `amount` of what is still capturable; may be repeated.
    Capture { amount: Money },
    /// Release whatever of the authorization is still capturable, also after a partial capture.
    Void,
    /// Give back `amount` of what was captured and not yet refunded; may be repeated.
    Refund { amount: Money },
}

/// The kind of a [`PaymentCommand`], without its data: what [`Payment::allowed`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// One payment: what was authorized, captured, released by a void and refunded, all in one currency.
///
/// Always `0 ≤ refunded ≤ captured`, `0 ≤ released` and `captured + released ≤ authorized`, and the
/// status agrees with the amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "PaymentRecord"))]
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
    /// What a void gave back of the authorization.
    released: Money,
    status: PaymentStatus,
    /// The provider's reason, only when failed.
    failure_reason: Option<String>,
}

/// A payment's fields as stored or sent; [`Payment::try_from`] checks the invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PaymentRecord {
    pub currency: Currency,
    pub authorized: Money,
    pub captured: Money,
    pub refunded: Money,
    /// What a void released; always written. Records from before it existed lack it: then a voided
    /// payment released its whole uncaptured authorization and any other released nothing.
    #[cfg_attr(feature = "serde", serde(default))]
    pub released: Option<Money>,
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
            released: Money::zero(currency),
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

    /// What a void gave back of the authorization: zero until voided, then what was still capturable.
    pub fn released(&self) -> Money {
        self.released
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

    /// What can still be captured: the authorization neither captured nor released (zero when
    /// pending or failed, as nothing is authorized then).
    pub fn capturable(&self) -> Money {
        // Cannot overflow: `captured + released ≤ authorized`, all of them at least zero.
        Money::new(self.authorized.amount() - self.captured.amount() - self.released.amount(), self.currency)
    }

    /// What can still be refunded: the captured money not yet refunded.
    pub fn refundable(&self) -> Money {
        Money::new(self.captured.amount() - self.refunded.amount(), self.currency)
    }

    /// Whether the order may be fulfilled on this payment: some money is still held, or captured and kept.
    pub fn is_secured(&self) -> bool {
        self.authorized.amount() > 0
            && match self.status {
                PaymentStatus::Pending | PaymentStatus::Failed | PaymentStatus::Voided => false,
                PaymentStatus::Refunded => self.capturable().amount() > 0,
                PaymentStatus::Authorized
                | PaymentStatus::PartiallyCaptured
                | PaymentStatus::Captured
                | PaymentStatus::PartiallyRefunded => true,
            }
    }

    /// The transition table: whether a command of this kind is accepted now, for some amount.
    ///
    /// Authorizing and failing take a payment with nothing authorized (pending, or failed: a retry);
    /// capturing and voiding need something capturable; refunding needs something refundable.
    pub fn can(&self, kind: PaymentCommandKind) -> bool {
        match kind {
            PaymentCommandKind::Authorize | PaymentCommandKind::Fail => {
                matches!(self.status, PaymentStatus::Pending | PaymentStatus::Failed)
            }
            PaymentCommandKind::Capture | PaymentCommandKind::Void => self.capturable().amount() > 0,
            PaymentCommandKind::Refund => self.refundable().amount() > 0,
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
                next.failure_reason = None;
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
                // Nothing was released before: a void leaves nothing capturable, so it comes only once.
                next.released = self.capturable();
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
            next.released.amount(),
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

    /// Whether no command is accepted any more: nothing left to capture or refund once something
    /// was authorized (voided, or refunded and/or released down to nothing); never when pending or failed.
    pub fn is_terminal(&self) -> bool {
        self.allowed().is_empty()
    }
}

impl TryFrom<PaymentRecord> for Payment {
    type Error = PaymentError;

    fn try_from(record: PaymentRecord) -> Result<Self, Self::Error> {
        let PaymentRecord { currency, authorized, captured, refunded, released, status, failure_reason } =
            record;
        if [Some(authorized), Some(captured), Some(refunded), released]
            .iter()
            .flatten()
            .any(|m| m.currency() != currency)
        {
            return Err(PaymentError::InconsistentRecord("amounts must be in the payment's currency"));
        }
        let (a, c, r) = (authorized.amount(), captured.amount(), refunded.amount());
        if !(0 <= r && r <= c && c <= a) {
            return Err(PaymentError::InconsistentRecord("expected 0 ≤ refunded ≤ captured ≤ authorized"));
        }
        // A record from before `released` existed: only a void released anything, and all of the rest.
        let released = released
            .unwrap_or_else(|| Money::new(if status == PaymentStatus::Voided { a - c } else { 0 }, currency));
        let v = released.amount();
        // Cannot overflow: `0 ≤ c ≤ a`.
        if !(0 <= v && v <= a - c) {
            return Err(PaymentError::InconsistentRecord("expected 0 ≤ released ≤ authorized − captured"));
        }
        let consistent = match status {
            PaymentStatus::Pending | PaymentStatus::Failed => a == 0,
            amounts => a > 0 && amounts == PaymentStatus::of_amounts(a, c, r, v),
        };
        if !consistent {
            return Err(PaymentError::InconsistentRecord("the status does not match the amounts"));
        }
        if failure_reason.is_some() != (status == PaymentStatus::Failed) {
            return Err(PaymentError::InconsistentRecord(
                "a failure reason is required for a failed payment and only for one",
            ));
        }
        Ok(Payment { currency, authorized, captured, refunded, released, status, failure_reason })
    }
}

impl From<Payment> for PaymentRecord {
    fn from(payment: Payment) -> Self {
        PaymentRecord {
            currency: payment.currency,
            authorized: payment.authorized,
            captured: payment.captured,
            refunded: payment.refunded,
            released: Some(payment.released),
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

    /// `p` after `command`, which must be accepted.
    fn then(p: Payment, command: PaymentCommand) -> Payment {
        p.apply(&command).unwrap()
    }

    fn failed(reason: &str) -> Payment {
        then(Payment::new(Currency::Usd), PaymentCommand::Fail { reason: reason.into() })
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
            then(payment(1000, 0, 0), PaymentCommand::Void),
            failed("card declined"),
        ]
    }

    /// Samples whose amounts make a difference beyond their status: partial captures with refunds,
    /// voids after a partial capture, retries after a decline.
    fn more_states() -> Vec<Payment> {
        vec![
            payment(1000, 400, 100),
            payment(1000, 400, 400),
            then(payment(1000, 400, 0), PaymentCommand::Void),
            then(payment(1000, 400, 100), PaymentCommand::Void),
            then(payment(1000, 400, 400), PaymentCommand::Void),
            then(failed("card declined"), PaymentCommand::Fail { reason: "expired".into() }),
            then(failed("card declined"), PaymentCommand::Authorize { amount: usd(1000) }),
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
        ("partially_captured", "void", Some("captured")),
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
        ("failed", "authorize", Some("authorized")),
        ("failed", "fail", Some("failed")),
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

    /// Where the amounts matter: (sample, command, status it leads to); `None` means refused.
    #[test]
    fn amount_dependent_transitions_go_where_the_amounts_say() {
        let after_void = |p: Payment| then(p, PaymentCommand::Void);
        let rows: [(Payment, PaymentCommand, Option<&str>); 9] = [
            (
                payment(1000, 400, 100),
                PaymentCommand::Capture { amount: usd(100) },
                Some("partially_refunded"),
            ),
            (payment(1000, 400, 100), PaymentCommand::Void, Some("partially_refunded")),
            (
                payment(1000, 400, 400),
                PaymentCommand::Capture { amount: usd(100) },
                Some("partially_refunded"),
            ),
            (payment(1000, 400, 400), PaymentCommand::Void, Some("refunded")),
            (after_void(payment(1000, 400, 0)), PaymentCommand::Capture { amount: usd(100) }, None),
            (after_void(payment(1000, 400, 0)), PaymentCommand::Void, None),
            (
                after_void(payment(1000, 400, 0)),
                PaymentCommand::Refund { amount: usd(100) },
                Some("partially_refunded"),
            ),
            (
                after_void(payment(1000, 400, 100)),
                PaymentCommand::Refund { amount: usd(300) },
                Some("refunded"),
            ),
            (after_void(payment(1000, 400, 400)), PaymentCommand::Refund { amount: usd(100) }, None),
        ];
        for (p, cmd, expected) in rows {
            let result = p.apply(&cmd);
            match expected {
                Some(to) => assert_eq!(result.map(|p| p.name()), Ok(to), "{p:?} × {cmd:?}"),
                None => assert_eq!(
                    result,
                    Err(TransitionError::new(Machine::Payment, p.name(), cmd.name()).into()),
                    "{p:?} × {cmd:?}"
                ),
            }
        }
    }

    #[test]
    fn allowed_lists_exactly_the_commands_apply_accepts() {
        for p in every_state().into_iter().chain(more_states()) {
            let accepted: Vec<_> =
                every_command().iter().filter(|c| p.apply(c).is_ok()).map(|c| c.kind()).collect();
            assert_eq!(p.allowed(), accepted, "{p:?}");
            assert_eq!(p.is_terminal(), accepted.is_empty());
        }
    }

    #[test]
    fn only_payments_with_nothing_left_to_capture_or_refund_are_terminal() {
        let terminal: Vec<_> =
            every_state().into_iter().chain(more_states()).filter(|p| p.is_terminal()).collect();
        let expected = [
            payment(1000, 1000, 1000),
            then(payment(1000, 0, 0), PaymentCommand::Void),
            then(payment(1000, 400, 400), PaymentCommand::Void),
        ];
        assert_eq!(terminal, expected);
    }

    #[test]
    fn is_secured_holds_while_money_is_held_or_kept() {
        let rows: [(Payment, bool); 15] = [
            (payment(0, 0, 0), false),
            (payment(1000, 0, 0), true),
            (payment(1000, 400, 0), true),
            (payment(1000, 1000, 0), true),
            (payment(1000, 1000, 300), true),
            (payment(1000, 1000, 1000), false),
            (then(payment(1000, 0, 0), PaymentCommand::Void), false),
            (failed("card declined"), false),
            (payment(1000, 400, 100), true),
            (payment(1000, 400, 400), true),
            (then(payment(1000, 400, 0), PaymentCommand::Void), true),
            (then(payment(1000, 400, 100), PaymentCommand::Void), true),
            (then(payment(1000, 400, 400), PaymentCommand::Void), false),
            (then(failed("card declined"), PaymentCommand::Fail { reason: "expired".into() }), false),
            (then(failed("card declined"), PaymentCommand::Authorize { amount: usd(1000) }), true),
        ];
        for (p, secured) in rows {
            assert_eq!(p.is_secured(), secured, "{p:?}");
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
    fn a_void_before_any_capture_releases_the_whole_authorization() {
        let p = then(payment(1000, 0, 0), PaymentCommand::Void);
        assert_eq!(p.status(), PaymentStatus::Voided);
        assert_eq!((p.released(), p.capturable(), p.refundable()), (usd(1000), usd(0), usd(0)));
        assert!(p.is_terminal());
    }

    #[test]
    fn a_void_after_a_partial_capture_releases_the_rest_and_refunds_follow() {
        let p = then(payment(45, 10, 0), PaymentCommand::Void);
        assert_eq!(p.status(), PaymentStatus::Captured);
        assert_eq!((p.captured(), p.released(), p.capturable()), (usd(10), usd(35), usd(0)));
        assert_eq!(p.allowed(), [PaymentCommandKind::Refund]);
        assert!(p.is_secured());
        let err = p.apply(&PaymentCommand::Capture { amount: usd(1) }).unwrap_err();
        assert_eq!(err.to_string(), "cannot capture a payment that is captured");
        let p = then(p, PaymentCommand::Refund { amount: usd(4) });
        assert_eq!(p.status(), PaymentStatus::PartiallyRefunded);
        let p = then(p, PaymentCommand::Refund { amount: usd(6) });
        assert_eq!(p.status(), PaymentStatus::Refunded);
        assert_eq!(p.released(), usd(35));
        assert!(p.is_terminal());
        assert!(!p.is_secured());
    }

    #[test]
    fn a_payment_with_nothing_left_to_capture_cannot_be_voided() {
        let err = payment(1000, 1000, 0).apply(&PaymentCommand::Void).unwrap_err();
        assert_eq!(err.to_string(), "cannot void a payment that is captured");
        let err = then(payment(1000, 0, 0), PaymentCommand::Void).apply(&PaymentCommand::Void).unwrap_err();
        assert_eq!(err.to_string(), "cannot void a payment that is voided");
    }

    #[test]
    fn the_rest_of_an_authorization_stays_capturable_after_a_refund() {
        let p = payment(1000, 400, 400);
        assert_eq!(p.status(), PaymentStatus::Refunded);
        assert!(!p.is_terminal());
        assert!(p.is_secured());
        assert_eq!(p.allowed(), [PaymentCommandKind::Capture, PaymentCommandKind::Void]);
        let p = p.apply(&PaymentCommand::Capture { amount: usd(600) }).unwrap();
        assert_eq!(p.status(), PaymentStatus::PartiallyRefunded);
        assert_eq!(p.refundable(), usd(600));
    }

    #[test]
    fn a_declined_payment_can_be_declined_again_and_retried() {
        let p = failed("card declined");
        assert_eq!(p.failure_reason(), Some("card declined"));
        assert_eq!(p.authorized(), usd(0));
        assert!(!p.is_terminal());
        assert!(!p.is_secured());
        assert_eq!(p.allowed(), [PaymentCommandKind::Authorize, PaymentCommandKind::Fail]);
        let p = then(p, PaymentCommand::Fail { reason: "card expired".into() });
        assert_eq!((p.status(), p.failure_reason()), (PaymentStatus::Failed, Some("card expired")));
        let err = p.apply(&PaymentCommand::Authorize { amount: usd(0) }).unwrap_err();
        assert_eq!(err, PaymentError::NotPositive { command: "authorize", amount: usd(0) });
        let p = then(p, PaymentCommand::Authorize { amount: usd(1000) });
        assert_eq!((p.status(), p.failure_reason()), (PaymentStatus::Authorized, None));
        assert_eq!((p.authorized(), p.capturable()), (usd(1000), usd(1000)));
        assert!(p.is_secured());
    }

    #[test]
    fn records_round_trip_and_inconsistent_records_are_refused() {
        for p in every_state().into_iter().chain(more_states()) {
            let record = PaymentRecord::from(p.clone());
            assert_eq!(record.released, Some(p.released()));
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

    #[test]
    fn released_amounts_are_checked_when_loaded() {
        let record = PaymentRecord::from(then(payment(1000, 400, 0), PaymentCommand::Void));
        assert_eq!(record.released, Some(usd(600)));
        for (released, status, problem) in [
            (usd(601), PaymentStatus::Captured, "expected 0 ≤ released ≤ authorized − captured"),
            (usd(-1), PaymentStatus::PartiallyCaptured, "expected 0 ≤ released ≤ authorized − captured"),
            (usd(500), PaymentStatus::Captured, "the status does not match the amounts"),
            (
                Money::new(600, Currency::Eur),
                PaymentStatus::Captured,
                "amounts must be in the payment's currency",
            ),
        ] {
            let broken = PaymentRecord { released: Some(released), status, ..record.clone() };
            assert_eq!(Payment::try_from(broken), Err(PaymentError::InconsistentRecord(problem)));
        }
        let mut voided = PaymentRecord::from(state("voided"));
        voided.released = Some(usd(0));
        assert!(Payment::try_from(voided).is_err());
    }

    #[test]
    fn records_without_a_released_amount_load_as_before_it_existed() {
        for p in every_state() {
            let legacy = PaymentRecord { released: None, ..PaymentRecord::from(p.clone()) };
            assert_eq!(Payment::try_from(legacy), Ok(p));
        }
        let legacy = PaymentRecord { released: None, ..PaymentRecord::from(state("voided")) };
        assert_eq!(Payment::try_from(legacy).unwrap().released(), usd(1000));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn payments_serialize_as_their_record_and_are_checked_when_read() {
        let p = payment(1000, 400, 0);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["status"], "partiallyCaptured");
        assert_eq!(json["released"], serde_json::to_value(usd(0)).unwrap());
        assert_eq!(serde_json::from_value::<Payment>(json.clone()).unwrap(), p);
        let mut broken = json.clone();
        broken["status"] = "refunded".into();
        assert!(serde_json::from_value::<Payment>(broken).is_err());
        let mut broken = json;
        broken["released"] = serde_json::to_value(usd(601)).unwrap();
        assert!(serde_json::from_value::<Payment>(broken).is_err());

        let voided = then(payment(1000, 0, 0), PaymentCommand::Void);
        let mut legacy = serde_json::to_value(&voided).unwrap();
        legacy.as_object_mut().unwrap().remove("released");
        assert_eq!(serde_json::from_value::<Payment>(legacy).unwrap(), voided);
    }

    #[test]
    fn names_are_stable_snake_case() {
        PaymentStatus::ALL.iter().for_each(|s| assert_snake_case(s.name()));
        PaymentCommandKind::ALL.iter().for_each(|k| assert_snake_case(k.name()));
    }

    /// The status a payment must have for its amounts, checked independently of `apply`.
    fn status_agrees_with_amounts(p: &Payment) -> bool {
        let (a, c, r, v) =
            (p.authorized().amount(), p.captured().amount(), p.refunded().amount(), p.released().amount());
        let failed = p.status() == PaymentStatus::Failed;
        p.failure_reason().is_some() == failed
            && match p.status() {
                PaymentStatus::Pending | PaymentStatus::Failed => a == 0 && c == 0 && v == 0,
                PaymentStatus::Authorized => a > 0 && c == 0 && v == 0,
                PaymentStatus::Voided => a > 0 && c == 0 && v == a,
                PaymentStatus::PartiallyCaptured => 0 < c && c + v < a && r == 0,
                PaymentStatus::Captured => 0 < c && c + v == a && r == 0,
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
                let before = current.clone();
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
                let (a, c, r, v) = (current.authorized(), current.captured(), current.refunded(), current.released());
                prop_assert!(0 <= r.amount() && r.amount() <= c.amount());
                prop_assert!(0 <= v.amount() && c.amount() + v.amount() <= a.amount());
                prop_assert_eq!(current.capturable().amount(), a.amount() - c.amount() - v.amount());
                prop_assert!(status_agrees_with_amounts(&current), "{:?}", current);
                // Only a void releases, and it releases exactly what was capturable.
                if v != before.released() {
                    prop_assert_eq!(cmd, &PaymentCommand::Void);
                    prop_assert_eq!(v, before.capturable());
                    prop_assert_eq!(c, before.captured());
                }
                // Once money has been captured the payment never reads as voided.
                prop_assert!(c.amount() == 0 || current.status() != PaymentStatus::Voided);
                let held_or_kept = current.capturable().amount() + current.refundable().amount() > 0;
                prop_assert_eq!(current.is_secured(), held_or_kept, "{:?}", current);
                prop_assert_eq!(current.is_terminal(), a.amount() > 0 && !held_or_kept, "{:?}", current);
                for m in [a, c, r, v, current.capturable(), current.refundable()] {
                    prop_assert_eq!(m.currency(), Currency::Usd);
                }
                prop_assert_eq!(current.currency(), Currency::Usd);
                prop_assert_eq!(Payment::try_from(PaymentRecord::from(current.clone())), Ok(current.clone()));
            }
        }
    }
}
