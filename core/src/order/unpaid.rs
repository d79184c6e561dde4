//! Orders that are not paid: how many declines one takes, and when a shopper's unpaid order
//! gives its stock back.
//!
//! A shopper's checkout reserves stock before it is paid for. Without a limit a script could
//! place orders it never pays and empty the shop, or try stolen cards against one order without
//! end; these rules bound both.

use chrono::{DateTime, Duration, Utc};

use super::{Command, CommandError, Order, PaymentMethod, Role};
use crate::card::CardBrand;
use crate::lifecycle::{OrderState, PaymentStatus};
use crate::money::Money;

/// Declined authorizations an order takes; the next attempt is `PAYMENT_ATTEMPTS_EXHAUSTED`.
pub const MAX_DECLINED_PAYMENTS: u32 = 5;

/// How long a shopper's order holds its stock waiting for a payment, unless the shop sets another.
pub const DEFAULT_PAYMENT_HOLD_MINUTES: i64 = 30;

/// The cancellation reason of an order cancelled because its payment never came.
pub const PAYMENT_TIMEOUT_REASON: &str = "payment_timeout";

/// Whether an order placed by `role` holds its stock only until its payment hold runs out: a
/// shopper's checkout (a customer or a guest) does; a channel's import (paid on the channel) and
/// an order staff enter (paid however the shop agreed) do not.
pub fn holds_until_paid(role: &Role) -> bool {
    matches!(role, Role::Customer)
}

/// When `order`'s payment falls due, if it still waits for one: it is only placed (staff have not
/// confirmed it) and nothing is authorized (no payment yet, or only declines). `None` once it is
/// paid, confirmed, cancelled or completed.
pub fn payment_due(order: &Order, hold: Duration) -> Option<DateTime<Utc>> {
    let waiting = order.state() == OrderState::Placed
        && matches!(order.payment().status(), PaymentStatus::Pending | PaymentStatus::Failed);
    if waiting { order.placed_at().checked_add_signed(hold) } else { None }
}

/// Whether the change from `before` to `after` ends the payment hold for good: `after` left
/// `Placed` (confirmed, which an authorization does, or cancelled), and an order never returns
/// there, so no payment can fall due again and its `payment_timeout` job has nothing left to do.
pub fn payment_hold_ends(before: &Order, after: &Order) -> bool {
    before.state() == OrderState::Placed && after.state() != OrderState::Placed
}

/// Whether `order` has waited longer than `hold` for a payment that never came (see
/// [`payment_due`]). Such an order is cancelled with [`PAYMENT_TIMEOUT_REASON`] and its stock
/// released.
pub fn payment_overdue(order: &Order, hold: Duration, now: DateTime<Utc>) -> bool {
    payment_due(order, hold).is_some_and(|due| now >= due)
}

impl Order {
    /// The amount a payment provider should be asked to authorize for this order now by `role`
    /// (its grand total), or why the order takes no payment now (paid, cancelled, out of
    /// attempts, a role that may not pay). Ask before calling the provider, so a refused order
    /// never reaches it; the authorization itself is recorded with [`Command::AuthorizePayment`].
    pub fn payment_to_authorize(&self, role: &Role, now: DateTime<Utc>) -> Result<Money, CommandError> {
        let amount = self.totals().grand_total;
        let method = PaymentMethod { reference: "pending".into(), brand: CardBrand::Unknown, last4: None };
        self.decide(&Command::AuthorizePayment { amount, method }, role, now)?;
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::{approved, placed_order};
    use crate::order::{Command, Role};

    fn minutes(n: i64) -> Duration {
        Duration::minutes(n)
    }

    #[test]
    fn an_unpaid_order_is_overdue_only_once_its_hold_has_passed() {
        let order = placed_order();
        let placed = order.placed_at();
        assert!(!payment_overdue(&order, minutes(30), placed + minutes(29)));
        assert!(payment_overdue(&order, minutes(30), placed + minutes(30)));
        assert_eq!(payment_due(&order, minutes(30)), Some(placed + minutes(30)));
    }

    #[test]
    fn an_authorized_confirmed_or_cancelled_order_is_never_overdue() {
        let order = placed_order();
        let late = order.placed_at() + minutes(600);
        let paid = order.execute(&approved(&order), &Role::Customer, late).unwrap().1;
        assert!(!payment_overdue(&paid, minutes(30), late));
        assert_eq!(payment_due(&paid, minutes(30)), None);
        let confirmed = order.execute(&Command::Confirm, &Role::Staff, late).unwrap().1;
        assert!(!payment_overdue(&confirmed, minutes(30), late));
        let cancelled = order
            .execute(&Command::Cancel { reason: "changed my mind".into() }, &Role::Customer, late)
            .unwrap()
            .1;
        assert!(!payment_overdue(&cancelled, minutes(30), late));
    }

    #[test]
    fn an_authorization_or_a_cancellation_ends_the_hold_and_a_decline_does_not() {
        let order = placed_order();
        let at = order.placed_at() + minutes(1);
        let paid = order.execute(&approved(&order), &Role::Customer, at).unwrap().1;
        assert!(payment_hold_ends(&order, &paid));
        let cancelled = order
            .execute(&Command::Cancel { reason: "changed my mind".into() }, &Role::Customer, at)
            .unwrap()
            .1;
        assert!(payment_hold_ends(&order, &cancelled));
        let declined = order
            .execute(&Command::FailPayment { reason: "declined".into() }, &Role::Customer, at)
            .unwrap()
            .1;
        assert!(!payment_hold_ends(&order, &declined), "the customer may still pay in time");
        assert!(!payment_hold_ends(&paid, &paid), "ended once, not again on every later change");
    }

    #[test]
    fn a_declined_order_stays_overdue_and_takes_five_declines_at_most() {
        let mut order = placed_order();
        let at = order.placed_at() + minutes(1);
        for _ in 0..MAX_DECLINED_PAYMENTS {
            order = order
                .execute(&Command::FailPayment { reason: "declined".into() }, &Role::Customer, at)
                .unwrap()
                .1;
        }
        assert_eq!(order.declined_payments(), MAX_DECLINED_PAYMENTS);
        assert!(payment_overdue(&order, minutes(30), at + minutes(30)));
        let err = order.execute(&approved(&order), &Role::Customer, at).unwrap_err();
        assert_eq!(err.code(), "PAYMENT_ATTEMPTS_EXHAUSTED");
        let err = order
            .execute(&Command::FailPayment { reason: "declined".into() }, &Role::Customer, at)
            .unwrap_err();
        assert_eq!(err.code(), "PAYMENT_ATTEMPTS_EXHAUSTED", "the timeline stops growing");
    }

    #[test]
    fn an_order_asks_for_its_grand_total_until_paid_and_not_after() {
        let order = placed_order();
        let at = order.placed_at() + minutes(1);
        assert_eq!(order.payment_to_authorize(&Role::Customer, at), Ok(order.totals().grand_total));
        let paid = order.execute(&approved(&order), &Role::Customer, at).unwrap().1;
        assert!(paid.payment_to_authorize(&Role::Customer, at).is_err(), "already authorized");
        let cancelled =
            order.execute(&Command::Cancel { reason: "no".into() }, &Role::Customer, at).unwrap().1;
        assert!(cancelled.payment_to_authorize(&Role::Customer, at).is_err(), "cancelled");
        // Asking records nothing.
        assert_eq!(order.payment_to_authorize(&Role::Customer, at), Ok(order.totals().grand_total));
    }

    #[test]
    fn only_a_shoppers_checkout_holds_until_paid() {
        assert!(holds_until_paid(&Role::Customer));
        for role in [Role::Staff, Role::Admin, Role::Channel, Role::Supplier("northwood".into())] {
            assert!(!holds_until_paid(&role), "{role:?}");
        }
    }
}
