//! Authorizations run out: a card authorization holds the money for some days only (seven by
//! default). A day before one with money still to capture lapses, it is renewed on the card it
//! was made with (`PaymentReauthorized`, up to [`MAX_REAUTHORIZATIONS`] times); when it cannot
//! be (the provider refuses, or it was renewed enough) it is flagged for staff
//! (`PaymentAuthorizationExpiring`), once per authorization: capture what is due, or ask the
//! customer to pay again, before the money is gone.

use chrono::{DateTime, Duration, Utc};

use super::{Order, OrderEvent, TimelineEntry};

/// How long a card authorization holds, unless the shop (its provider) says otherwise.
pub const DEFAULT_AUTHORIZATION_DAYS: i64 = 7;

/// How long before it lapses an authorization with money still to capture is renewed or flagged.
pub const AUTHORIZATION_WARNING_HOURS: i64 = 24;

/// How often one order's authorization is renewed before staff are asked instead (three weeks
/// more with seven-day authorizations: an order that waits longer wants a person).
pub const MAX_REAUTHORIZATIONS: u32 = 3;

/// What is due on an order's authorization now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationStep {
    /// Nothing yet (or nothing to do).
    Wait,
    /// Renew the authorization for `amount`, what is still to capture.
    Renew { amount: crate::money::Money },
    /// Tell staff: it lapses at `expires_at` and will not be renewed.
    Flag { expires_at: DateTime<Utc> },
}

/// What to do about `order`'s authorization, `valid` that long, at `now`: renew it a day before
/// it lapses while it may be renewed (an authorization that holds a day or less cannot be: the
/// renewal would be due at once), else flag it then.
pub fn authorization_step(order: &Order, now: DateTime<Utc>, valid: Duration) -> AuthorizationStep {
    let (Some(due), Some(expires_at)) =
        (next_authorization_check(order, valid), order.authorization_expires_at(valid))
    else {
        return AuthorizationStep::Wait;
    };
    if now < due {
        return AuthorizationStep::Wait;
    }
    let renewable = order.reauthorizations < MAX_REAUTHORIZATIONS
        && valid > Duration::hours(AUTHORIZATION_WARNING_HOURS)
        && order.payment_method().is_some();
    if renewable {
        AuthorizationStep::Renew { amount: order.payment().capturable() }
    } else {
        AuthorizationStep::Flag { expires_at }
    }
}

/// The entry that records `order`'s authorization renewed at `now` for `amount` under the
/// provider's new `reference`.
pub fn reauthorized_entry(
    order: &Order,
    now: DateTime<Utc>,
    amount: crate::money::Money,
    reference: &str,
) -> TimelineEntry {
    TimelineEntry {
        seq: order.last_seq() + 1,
        at: now,
        event: OrderEvent::PaymentReauthorized { amount, reference: reference.to_owned() },
    }
}

impl Order {
    /// When the authorization lapses if it is `valid` that long, while something of it is still
    /// to be captured; `None` otherwise.
    pub fn authorization_expires_at(&self, valid: Duration) -> Option<DateTime<Utc>> {
        if self.payment().capturable().amount() <= 0 {
            return None;
        }
        self.authorized_at?.checked_add_signed(valid)
    }

    /// Whether staff were told the current authorization is about to lapse, with money still to
    /// capture.
    pub fn authorization_expiring(&self) -> bool {
        self.payment().capturable().amount() > 0 && self.authorization_flagged()
    }

    /// Whether the current authorization was flagged already.
    fn authorization_flagged(&self) -> bool {
        self.authorization_flagged.is_some() && self.authorization_flagged == self.authorized_at
    }
}

/// When `order`'s authorization, `valid` that long, is to be flagged: a day before it lapses;
/// `None` when nothing is left to capture or it was flagged already.
pub fn next_authorization_check(order: &Order, valid: Duration) -> Option<DateTime<Utc>> {
    if order.authorization_flagged() {
        return None;
    }
    order.authorization_expires_at(valid)?.checked_sub_signed(Duration::hours(AUTHORIZATION_WARNING_HOURS))
}

/// The entry that flags `order`'s authorization at `now`, when it is due (see
/// [`next_authorization_check`]): the next entry of its timeline.
pub fn authorization_entries(order: &Order, now: DateTime<Utc>, valid: Duration) -> Vec<TimelineEntry> {
    match (next_authorization_check(order, valid), order.authorization_expires_at(valid)) {
        (Some(due), Some(expires_at)) if now >= due => vec![TimelineEntry {
            seq: order.last_seq() + 1,
            at: now,
            event: OrderEvent::PaymentAuthorizationExpiring { expires_at },
        }],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::Life;
    use crate::order::{CapturePolicy, Command, Role};

    fn week() -> Duration {
        Duration::days(DEFAULT_AUTHORIZATION_DAYS)
    }

    #[test]
    fn an_authorization_is_renewed_a_day_before_it_lapses_three_times_then_flagged() {
        let mut life = Life::with_policy(&[("TEE", 1)], CapturePolicy::Manual);
        life.pay();
        for round in 0..MAX_REAUTHORIZATIONS {
            let authorized = life.order.authorized_at.unwrap();
            let due = authorized + week() - Duration::hours(24);
            assert_eq!(
                authorization_step(&life.order, due - Duration::seconds(1), week()),
                AuthorizationStep::Wait
            );
            let amount = life.order.payment().capturable();
            assert_eq!(authorization_step(&life.order, due, week()), AuthorizationStep::Renew { amount });
            let entry = reauthorized_entry(&life.order, due, amount, &format!("auth_{round}"));
            life.order.apply(&entry).unwrap();
            life.timeline.push(entry);
            assert_eq!(life.order.authorized_at, Some(due), "the new authorization counts from now");
            assert_eq!(life.order.payment_method().unwrap().reference, format!("auth_{round}"));
            assert_eq!(life.order.authorization_expires_at(week()), Some(due + week()));
        }
        let due = life.order.authorized_at.unwrap() + week() - Duration::hours(24);
        let expires_at = due + Duration::hours(24);
        assert_eq!(authorization_step(&life.order, due, week()), AuthorizationStep::Flag { expires_at });
        // The same order replays to the same state.
        assert_eq!(crate::order::Order::from_timeline(&life.timeline).unwrap(), life.order);
    }

    #[test]
    fn an_authorization_that_holds_a_day_or_less_is_flagged_not_renewed_and_a_renewal_holds_what_is_left() {
        let mut life = Life::with_policy(&[("TEE", 1)], CapturePolicy::Manual);
        life.pay();
        let now = life.order.authorized_at.unwrap();
        assert!(matches!(
            authorization_step(&life.order, now, Duration::hours(1)),
            AuthorizationStep::Flag { .. }
        ));
        let half =
            crate::money::Money::new(life.order.payment().capturable().amount() / 2, life.order.currency());
        let wrong = reauthorized_entry(&life.order, now, half, "auth_x");
        assert!(life.order.clone().apply(&wrong).is_err(), "a renewal holds all that is still to capture");
    }

    #[test]
    fn an_authorization_with_money_to_capture_is_flagged_once_a_day_before_it_lapses() {
        let mut life = Life::with_policy(&[("TEE", 1)], CapturePolicy::Manual);
        assert_eq!(next_authorization_check(&life.order, week()), None, "nothing authorized yet");
        life.pay();
        let authorized = life.timeline.last().unwrap().at;
        let due = authorized + week() - Duration::hours(24);
        assert_eq!(next_authorization_check(&life.order, week()), Some(due));
        assert_eq!(authorization_entries(&life.order, due - Duration::seconds(1), week()), vec![]);
        let entries = authorization_entries(&life.order, due, week());
        assert_eq!(
            entries.iter().map(|e| &e.event).collect::<Vec<_>>(),
            vec![&OrderEvent::PaymentAuthorizationExpiring { expires_at: authorized + week() }]
        );
        for entry in &entries {
            life.order.apply(entry).unwrap();
            life.timeline.push(entry.clone());
        }
        assert!(life.order.authorization_expiring());
        assert_eq!(authorization_entries(&life.order, due + Duration::hours(5), week()), vec![], "once");
        assert_eq!(next_authorization_check(&life.order, week()), None);
        assert_eq!(Order::from_timeline(&life.timeline).unwrap(), life.order, "it replays");
        life.ok(&Role::Staff, Command::CapturePayment { amount: None });
        assert!(!life.order.authorization_expiring(), "captured: nothing is at risk");
    }

    #[test]
    fn a_captured_or_voided_payment_is_never_flagged() {
        let mut sale = Life::with_policy(&[("TEE", 1)], CapturePolicy::OnAuthorization);
        sale.pay_any();
        assert_eq!(next_authorization_check(&sale.order, week()), None, "captured at checkout");
        let mut cancelled = Life::new(&[("TEE", 1)]);
        cancelled.pay();
        cancelled.ok(&Role::Staff, Command::Cancel { reason: "fraud".into() });
        let later = cancelled.now + Duration::days(30);
        assert_eq!(authorization_entries(&cancelled.order, later, week()), vec![], "voided");
    }
}
