//! The shop's own stock work, by hand: how much an adjustment or a purchase order may move, when
//! a purchase order may be expected, and a purchase order's lines and life (draft, sent, partly
//! or wholly received, cancelled).

use chrono::NaiveDate;

/// Why a stock request was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct StockRequestError {
    pub field: &'static str,
    pub message: &'static str,
}

/// The most units one adjustment, purchase order or receipt moves.
pub const MAX_UNITS: i64 = 1_000_000;

/// Units added (or removed, when negative) by a stock adjustment: not zero, at most
/// [`MAX_UNITS`] either way.
pub fn adjustment(delta: i64) -> Result<i64, StockRequestError> {
    if delta == 0 || delta.unsigned_abs() > MAX_UNITS.unsigned_abs() {
        return Err(StockRequestError {
            field: "delta",
            message: "must be a non-zero number of units up to 1,000,000",
        });
    }
    Ok(delta)
}

/// Units a purchase order orders or a receipt receives: 1 to [`MAX_UNITS`].
pub fn units(quantity: i64) -> Result<i64, StockRequestError> {
    if !(1..=MAX_UNITS).contains(&quantity) {
        return Err(StockRequestError { field: "quantity", message: "must be between 1 and 1,000,000" });
    }
    Ok(quantity)
}

/// The day a purchase order is expected: today or later.
pub fn expected_on(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, StockRequestError> {
    if date < today {
        return Err(StockRequestError { field: "expectedOn", message: "must not be in the past" });
    }
    Ok(date)
}

/// The most lines one purchase order holds.
pub const MAX_LINES: usize = 200;

/// The most one unit may cost, in minor units (1,000,000.00).
pub const MAX_UNIT_COST: i64 = 100_000_000;

/// What one unit of a purchase order line costs, in minor units: 0 to [`MAX_UNIT_COST`].
pub fn unit_cost(cost: i64) -> Result<i64, StockRequestError> {
    if !(0..=MAX_UNIT_COST).contains(&cost) {
        return Err(StockRequestError {
            field: "unitCost",
            message: "must be between 0 and 100,000,000 minor units",
        });
    }
    Ok(cost)
}

/// Where a purchase order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoStatus {
    /// Written, not yet sent: the supplier knows nothing and no promise counts on it.
    Draft,
    /// Sent to the supplier; nothing received yet.
    Sent,
    /// Some units received, more to come.
    PartiallyReceived,
    /// Closed with units received: every unit, or as many as will ever come.
    Received,
    /// Closed with nothing received.
    Cancelled,
}

impl PoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PoStatus::Draft => "draft",
            PoStatus::Sent => "sent",
            PoStatus::PartiallyReceived => "partially_received",
            PoStatus::Received => "received",
            PoStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<PoStatus> {
        [
            PoStatus::Draft,
            PoStatus::Sent,
            PoStatus::PartiallyReceived,
            PoStatus::Received,
            PoStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// Whether its units are on their way: sent, not closed. Only these are received, and only
    /// their units are promised to backorders.
    pub fn is_open(self) -> bool {
        matches!(self, PoStatus::Sent | PoStatus::PartiallyReceived)
    }

    /// Whether it is done with: received or cancelled.
    pub fn is_closed(self) -> bool {
        matches!(self, PoStatus::Received | PoStatus::Cancelled)
    }
}

/// One line of a purchase order: units of a SKU at a unit cost (minor units of the order's
/// currency), and how many came so far.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PoLine {
    pub sku: String,
    pub quantity: i64,
    pub received: i64,
    pub unit_cost: i64,
}

impl PoLine {
    /// Units still to come (while the order is open).
    pub fn outstanding(&self) -> i64 {
        (self.quantity - self.received).max(0)
    }

    /// Units still awaited on an order that is `status`: what is still to come while it is
    /// open, none once it is a draft or closed (what receipts and promises count on).
    pub fn awaited(&self, status: PoStatus) -> i64 {
        if status.is_open() { self.outstanding() } else { 0 }
    }
}

/// A purchase order line refused: which line (from 0) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {index}: {error}")]
pub struct LineError {
    pub index: usize,
    pub error: StockRequestError,
}

/// A purchase order's lines as asked for (SKU, units, unit cost): 1 to [`MAX_LINES`], each SKU
/// once, each 1 to [`MAX_UNITS`] units at 0 to [`MAX_UNIT_COST`]; none received yet.
pub fn order_lines(lines: &[(String, i64, i64)]) -> Result<Vec<PoLine>, LineError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(LineError {
            index: 0,
            error: StockRequestError { field: "lines", message: "must hold 1 to 200 lines" },
        });
    }
    let mut checked: Vec<PoLine> = Vec::with_capacity(lines.len());
    for (index, (sku, quantity, cost)) in lines.iter().enumerate() {
        let refused = |error| LineError { index, error };
        if checked.iter().any(|l| &l.sku == sku) {
            return Err(refused(StockRequestError {
                field: "sku",
                message: "is on an earlier line already",
            }));
        }
        checked.push(PoLine {
            sku: sku.clone(),
            quantity: units(*quantity).map_err(refused)?,
            received: 0,
            unit_cost: unit_cost(*cost).map_err(refused)?,
        });
    }
    Ok(checked)
}

/// What staff do to a purchase order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoStep {
    /// Send a draft to the supplier.
    Send,
    /// Move its day or change line quantities.
    Change,
    /// Take units in.
    Receive,
    /// Close it: what did not come will not.
    Close,
}

/// Whether `step` may be taken on a purchase order that is `status`.
pub fn allows(status: PoStatus, step: PoStep) -> Result<(), StockRequestError> {
    let allowed = match step {
        PoStep::Send => status == PoStatus::Draft,
        PoStep::Change | PoStep::Close => !status.is_closed(),
        PoStep::Receive => status.is_open(),
    };
    if allowed {
        return Ok(());
    }
    Err(StockRequestError {
        field: "id",
        message: match (step, status) {
            (PoStep::Send, _) => "only a draft purchase order is sent",
            (PoStep::Receive, PoStatus::Draft) => "a draft purchase order must be sent before it is received",
            _ => "the purchase order is closed",
        },
    })
}

/// `lines` with `apply` done to the line of each SKU `asked` names, with its units (1 to
/// [`MAX_UNITS`]): each a SKU of the order, named once.
fn per_line(
    lines: &[PoLine],
    asked: &[(String, i64)],
    apply: impl Fn(&mut PoLine, i64) -> Result<(), StockRequestError>,
) -> Result<Vec<PoLine>, LineError> {
    let mut after = lines.to_vec();
    for (index, (sku, quantity)) in asked.iter().enumerate() {
        let refused = |field, message| LineError { index, error: StockRequestError { field, message } };
        if asked[..index].iter().any(|(earlier, _)| earlier == sku) {
            return Err(refused("sku", "is on an earlier line already"));
        }
        let line = after
            .iter_mut()
            .find(|l| &l.sku == sku)
            .ok_or_else(|| refused("sku", "is not on this purchase order"))?;
        units(*quantity)
            .and_then(|quantity| apply(line, quantity))
            .map_err(|error| LineError { index, error })?;
    }
    Ok(after)
}

/// `lines` with quantities changed as `changes` (SKU, new units) asks: each a SKU of the order,
/// at most once, 1 to [`MAX_UNITS`] and not below what was received.
pub fn change_quantities(lines: &[PoLine], changes: &[(String, i64)]) -> Result<Vec<PoLine>, LineError> {
    per_line(lines, changes, |line, quantity| {
        if quantity < line.received {
            return Err(StockRequestError {
                field: "quantity",
                message: "must not be below what was already received",
            });
        }
        line.quantity = quantity;
        Ok(())
    })
}

/// `lines` after receiving `taken` (SKU, units): each a SKU of the order, at most once, 1 to
/// [`MAX_UNITS`] and never more than is still to come.
pub fn receive(lines: &[PoLine], taken: &[(String, i64)]) -> Result<Vec<PoLine>, LineError> {
    if taken.is_empty() {
        return Err(LineError {
            index: 0,
            error: StockRequestError { field: "lines", message: "name at least one line received" },
        });
    }
    per_line(lines, taken, |line, quantity| {
        if quantity > line.outstanding() {
            return Err(StockRequestError { field: "quantity", message: "is more than is still to come" });
        }
        line.received += quantity;
        Ok(())
    })
}

/// The status of a purchase order that was `status` once its lines are `lines`; `closing`: what
/// did not come will not (received if anything came, else cancelled). A draft stays a draft
/// until it is sent or closed.
pub fn settle(status: PoStatus, lines: &[PoLine], closing: bool) -> PoStatus {
    let any = lines.iter().any(|l| l.received > 0);
    let all = lines.iter().all(|l| l.received >= l.quantity);
    match () {
        _ if status.is_closed() => status,
        _ if closing && any => PoStatus::Received,
        _ if closing => PoStatus::Cancelled,
        _ if status == PoStatus::Draft => PoStatus::Draft,
        _ if all => PoStatus::Received,
        _ if any => PoStatus::PartiallyReceived,
        _ => PoStatus::Sent,
    }
}

/// What a purchase order costs: units times unit cost over its lines, in minor units (`None`
/// past `i64`).
pub fn total(lines: &[PoLine]) -> Option<i64> {
    lines.iter().try_fold(0i64, |sum, l| sum.checked_add(l.quantity.checked_mul(l.unit_cost)?))
}

/// A purchase order's number, from the shop's counter: `PO-5001`.
pub fn number(n: i64) -> String {
    format!("PO-{n}")
}

/// What the supplier is told of a purchase order, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PoNotice {
    /// Here is our order.
    Sent,
    /// Our order changed: its day or quantities.
    Changed,
    /// Send nothing more of it.
    Cancelled,
}

impl PoNotice {
    /// The supplier's webhook event.
    pub fn event_type(self) -> &'static str {
        match self {
            PoNotice::Sent => "purchase_order.sent",
            PoNotice::Changed => "purchase_order.changed",
            PoNotice::Cancelled => "purchase_order.cancelled",
        }
    }

    /// How the purchase order's PDF names its state for this notice.
    pub fn state_word(self) -> &'static str {
        match self {
            PoNotice::Sent => "sent",
            PoNotice::Changed => "changed",
            PoNotice::Cancelled => "cancelled",
        }
    }

    pub fn from_event_type(raw: &str) -> Option<PoNotice> {
        [PoNotice::Sent, PoNotice::Changed, PoNotice::Cancelled].into_iter().find(|n| n.event_type() == raw)
    }
}

/// What the supplier must be told after `step` took a purchase order from `before` to `after`:
/// a sent order when it is sent, a change while it is on its way, a cancellation when it closes
/// with units still to come. A draft was never seen by the supplier, and a receipt is news to
/// nobody.
pub fn notice(step: PoStep, before: PoStatus, after: PoStatus) -> Option<PoNotice> {
    match step {
        PoStep::Send if before == PoStatus::Draft && after.is_open() => Some(PoNotice::Sent),
        PoStep::Change if before.is_open() => Some(PoNotice::Changed),
        PoStep::Close if before.is_open() => Some(PoNotice::Cancelled),
        _ => None,
    }
}

/// A purchase order as the supplier is shown it (mail, PDF, webhook): what, how many, at what
/// cost, for when and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct PurchaseOrderData {
    pub id: String,
    pub number: String,
    pub supplier: String,
    /// The location the units are delivered to.
    pub deliver_to: String,
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
    pub expected_on: NaiveDate,
    /// An ISO 4217 code: every cost's currency.
    pub currency: String,
    pub lines: Vec<PurchaseOrderDataLine>,
    /// Units times unit cost over the lines, in minor units.
    pub total: i64,
}

/// One line as the supplier is shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct PurchaseOrderDataLine {
    pub sku: String,
    /// The supplier's own number for it, when the shop keeps one.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub supplier_sku: Option<String>,
    pub name: String,
    pub quantity: i64,
    pub received: i64,
    pub unit_cost: i64,
}

/// The webhook body telling a supplier of a purchase order, in the Standard Webhooks envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PoEvent {
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: &'static str,
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::datetime"))]
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub data: PurchaseOrderData,
}

/// The `webhook-id` telling `supplier` of version `version` of purchase order `po` (the same on
/// every retry; each change is a new version).
pub fn po_webhook_id(po: &str, version: i64, supplier: &str) -> String {
    format!("{po}#v{version:06}#supplier:{supplier}")
}

/// The key (and `Message-ID`) of the e-mail telling `supplier` of version `version` of `po`.
pub fn po_mail_id(po: &str, version: i64, supplier: &str) -> String {
    format!("{}#mail", po_webhook_id(po, version, supplier))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: i64, received: i64) -> PoLine {
        PoLine { sku: sku.into(), quantity, received, unit_cost: 250 }
    }

    #[test]
    fn a_purchase_order_holds_each_sku_once_with_some_units_at_a_cost() {
        let asked = vec![("MUG".to_owned(), 6, 250), ("BOOK".to_owned(), 10, 0)];
        let lines = order_lines(&asked).unwrap();
        assert_eq!(lines[0], PoLine { sku: "MUG".into(), quantity: 6, received: 0, unit_cost: 250 });
        assert_eq!(total(&lines), Some(1500));
        assert_eq!(order_lines(&[]).unwrap_err().error.field, "lines");
        let twice = vec![("MUG".to_owned(), 1, 1), ("MUG".to_owned(), 2, 1)];
        assert_eq!(
            order_lines(&twice).unwrap_err(),
            LineError {
                index: 1,
                error: StockRequestError { field: "sku", message: "is on an earlier line already" }
            }
        );
        let none = vec![("MUG".to_owned(), 0, 1)];
        assert_eq!(order_lines(&none).unwrap_err().error.field, "quantity");
        let negative = vec![("MUG".to_owned(), 1, -1)];
        assert_eq!(order_lines(&negative).unwrap_err().error.field, "unitCost");
        let many: Vec<_> = (0..=MAX_LINES).map(|i| (format!("S{i}"), 1, 1)).collect();
        assert!(order_lines(&many).is_err());
    }

    #[test]
    fn a_draft_is_sent_before_it_is_received_and_nothing_happens_to_a_closed_order() {
        assert_eq!(allows(PoStatus::Draft, PoStep::Send), Ok(()));
        assert!(allows(PoStatus::Sent, PoStep::Send).is_err());
        assert_eq!(
            allows(PoStatus::Draft, PoStep::Receive).unwrap_err().message,
            "a draft purchase order must be sent before it is received"
        );
        for step in [PoStep::Change, PoStep::Receive, PoStep::Close] {
            assert_eq!(allows(PoStatus::PartiallyReceived, step), Ok(()));
            assert!(allows(PoStatus::Received, step).is_err());
            assert!(allows(PoStatus::Cancelled, step).is_err());
        }
        assert_eq!(allows(PoStatus::Draft, PoStep::Close), Ok(()));
    }

    #[test]
    fn a_receipt_takes_what_is_still_to_come_and_the_status_follows_the_lines() {
        let lines = vec![line("MUG", 6, 0), line("BOOK", 4, 0)];
        let part = receive(&lines, &[("MUG".into(), 6)]).unwrap();
        assert_eq!(settle(PoStatus::Sent, &part, false), PoStatus::PartiallyReceived);
        let all = receive(&part, &[("BOOK".into(), 4)]).unwrap();
        assert_eq!(settle(PoStatus::PartiallyReceived, &all, false), PoStatus::Received);
        assert_eq!(
            receive(&part, &[("MUG".into(), 1)]).unwrap_err().error.message,
            "is more than is still to come"
        );
        assert_eq!(receive(&part, &[("HAT".into(), 1)]).unwrap_err().error.field, "sku");
        assert_eq!(receive(&part, &[("BOOK".into(), 1), ("BOOK".into(), 1)]).unwrap_err().index, 1);
        assert!(receive(&part, &[]).is_err());
        // Closing short: received if anything came, cancelled if nothing did.
        assert_eq!(settle(PoStatus::PartiallyReceived, &part, true), PoStatus::Received);
        assert_eq!(settle(PoStatus::Sent, &lines, true), PoStatus::Cancelled);
        assert_eq!(settle(PoStatus::Draft, &lines, true), PoStatus::Cancelled);
        assert_eq!(settle(PoStatus::Draft, &lines, false), PoStatus::Draft);
        assert_eq!(settle(PoStatus::Cancelled, &lines, false), PoStatus::Cancelled);
    }

    #[test]
    fn a_line_is_never_cut_below_what_came() {
        let lines = vec![line("MUG", 6, 4)];
        assert_eq!(change_quantities(&lines, &[("MUG".into(), 4)]).unwrap()[0].quantity, 4);
        assert_eq!(
            change_quantities(&lines, &[("MUG".into(), 3)]).unwrap_err().error.message,
            "must not be below what was already received"
        );
        assert_eq!(change_quantities(&lines, &[("HAT".into(), 3)]).unwrap_err().error.field, "sku");
    }

    #[test]
    fn only_an_open_order_is_awaited() {
        let l = line("MUG", 6, 4);
        assert_eq!(l.awaited(PoStatus::Sent), 2);
        assert_eq!(l.awaited(PoStatus::PartiallyReceived), 2);
        for closed_or_draft in [PoStatus::Draft, PoStatus::Received, PoStatus::Cancelled] {
            assert_eq!(l.awaited(closed_or_draft), 0);
        }
    }

    #[test]
    fn the_supplier_hears_of_a_sent_order_its_changes_and_its_cancellation_but_not_of_drafts() {
        use PoStatus::*;
        assert_eq!(notice(PoStep::Send, Draft, Sent), Some(PoNotice::Sent));
        assert_eq!(notice(PoStep::Change, Draft, Draft), None);
        assert_eq!(notice(PoStep::Change, PartiallyReceived, PartiallyReceived), Some(PoNotice::Changed));
        assert_eq!(notice(PoStep::Close, Draft, Cancelled), None);
        assert_eq!(notice(PoStep::Close, PartiallyReceived, Received), Some(PoNotice::Cancelled));
        assert_eq!(notice(PoStep::Receive, Sent, PartiallyReceived), None);
        for n in [PoNotice::Sent, PoNotice::Changed, PoNotice::Cancelled] {
            assert_eq!(PoNotice::from_event_type(n.event_type()), Some(n));
        }
        for s in [Draft, Sent, PartiallyReceived, Received, Cancelled] {
            assert_eq!(PoStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn an_adjustment_moves_some_units_but_not_millions() {
        assert_eq!(adjustment(-3), Ok(-3));
        assert_eq!(adjustment(1_000_000), Ok(1_000_000));
        assert_eq!(adjustment(0).unwrap_err().field, "delta");
        assert!(adjustment(-1_000_001).is_err());
        assert!(adjustment(i64::MIN).is_err());
    }

    #[test]
    fn a_purchase_order_orders_at_least_one_unit_for_today_or_later() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(units(1), Ok(1));
        assert_eq!(units(0).unwrap_err().message, "must be between 1 and 1,000,000");
        assert!(units(1_000_001).is_err());
        assert_eq!(expected_on(today, today), Ok(today));
        assert_eq!(expected_on(today.pred_opt().unwrap(), today).unwrap_err().field, "expectedOn");
    }

    fn mug_order() -> PurchaseOrderData {
        PurchaseOrderData {
            id: "po_1".into(),
            number: number(5001),
            supplier: "northwood".into(),
            deliver_to: "east".into(),
            expected_on: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            currency: "USD".into(),
            lines: vec![
                PurchaseOrderDataLine {
                    sku: "MUG".into(),
                    supplier_sku: Some("NW-77".into()),
                    name: "Stoneware <Mug>".into(),
                    quantity: 6,
                    received: 2,
                    unit_cost: 450,
                },
                PurchaseOrderDataLine {
                    sku: "BOOK".into(),
                    supplier_sku: None,
                    name: "Design book".into(),
                    quantity: 10,
                    received: 0,
                    unit_cost: 1200,
                },
            ],
            total: 6 * 450 + 10 * 1200,
        }
    }

    #[test]
    fn the_supplier_is_sent_the_lines_costs_total_day_and_place_and_told_of_changes_and_cancellation() {
        use crate::messages::render_purchase_order;
        let po = mug_order();
        let portal = "https://shop.example/#/supplier?token=t";
        let sent = render_purchase_order("Lumen & Co", "Northwood", &po, PoNotice::Sent, "en-US", portal);
        assert_eq!(sent.subject, "Lumen & Co: purchase order PO-5001");
        for part in [&sent.text, &sent.html] {
            assert!(
                part.contains("× Stoneware")
                    && part.contains("(MUG, your NW-77) at $4.50, 2 received so far"),
                "{part}"
            );
            assert!(part.contains("10 × Design book (BOOK) at $12.00"), "{part}");
            assert!(part.contains("$147.00") && part.contains("east") && part.contains(portal), "{part}");
            assert!(part.contains("December 20, 2026") || part.contains("20 Dec"), "{part}");
        }
        assert!(sent.html.contains("Stoneware &lt;Mug&gt;") && !sent.html.contains("<Mug>"), "escaped");
        let changed =
            render_purchase_order("Lumen & Co", "Northwood", &po, PoNotice::Changed, "en-US", portal);
        assert!(changed.subject.ends_with("PO-5001 changed") && changed.text.contains("replaces"));
        let cancelled =
            render_purchase_order("Lumen & Co", "Northwood", &po, PoNotice::Cancelled, "en-US", portal);
        assert!(cancelled.subject.ends_with("PO-5001 cancelled"));
        assert!(cancelled.text.contains("send nothing more") && cancelled.text.contains("2 received"));
        assert!(!cancelled.text.contains("Expected by"), "{}", cancelled.text);
    }

    proptest::proptest! {
        /// Whatever receipts are asked for, no line ever holds more than was ordered, and the
        /// order is received exactly when every unit came.
        #[test]
        fn no_receipt_takes_more_than_was_ordered(
            ordered in proptest::collection::vec(1i64..20, 1..4),
            receipts in proptest::collection::vec((0usize..4, 0i64..25), 0..12),
        ) {
            let mut lines: Vec<PoLine> =
                ordered.iter().enumerate().map(|(i, q)| line(&format!("S{i}"), *q, 0)).collect();
            let mut status = PoStatus::Sent;
            for (which, units) in receipts {
                let taken = vec![(format!("S{which}"), units)];
                if let Ok(after) = receive(&lines, &taken) {
                    lines = after;
                    status = settle(status, &lines, false);
                }
                proptest::prop_assert!(lines.iter().all(|l| (0..=l.quantity).contains(&l.received)));
                let all = lines.iter().all(|l| l.received == l.quantity);
                proptest::prop_assert_eq!(status == PoStatus::Received, all);
            }
        }
    }
}
