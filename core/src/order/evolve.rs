//! Folding timeline events into an [`Order`]; a timeline that does not fold is reported, not trusted.

use super::{
    LinePartState, Order, OrderEvent, OrderLine, ReturnCase, Shipment, ShipmentSource, TimelineEntry,
};
use crate::lifecycle::{
    AvailabilityCommand, OrderCommand, OrderState, Payment, PaymentCommand, ReturnCommand, ReturnState,
    ShipmentCommand, ShipmentState,
};
use crate::money::Money;

/// Why a timeline cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("a timeline must start with the placed event")]
    MissingPlaced,
    #[error("event {seq} follows event {last}; sequence numbers must increase by one")]
    OutOfSequence { last: u64, seq: u64 },
    #[error("event {seq} ({event}) does not fit the order: {reason}")]
    Inconsistent { seq: u64, event: &'static str, reason: String },
}

impl Order {
    /// Rebuilds an order from its whole timeline, checking every step.
    pub fn from_timeline<'a>(
        entries: impl IntoIterator<Item = &'a TimelineEntry>,
    ) -> Result<Order, TimelineError> {
        let mut entries = entries.into_iter();
        let first = entries.next().ok_or(TimelineError::MissingPlaced)?;
        let mut order = Order::start(first)?;
        for entry in entries {
            order.apply(entry)?;
        }
        Ok(order)
    }

    fn start(entry: &TimelineEntry) -> Result<Order, TimelineError> {
        let OrderEvent::Placed(placed) = &entry.event else {
            return Err(TimelineError::MissingPlaced);
        };
        if entry.seq != 1 {
            return Err(TimelineError::OutOfSequence { last: 0, seq: entry.seq });
        }
        let lines = placed
            .lines
            .iter()
            .enumerate()
            .map(|(index, l)| OrderLine {
                index,
                sku: l.sku.clone(),
                name: l.name.clone(),
                quantity: l.quantity,
                cancelled: 0,
                unit_price: l.unit_price,
                total: l.total,
                parts: l
                    .parts
                    .iter()
                    .map(|p| LinePartState { quantity: p.quantity, availability: p.availability.clone() })
                    .collect(),
            })
            .collect();
        Ok(Order {
            placed: (**placed).clone(),
            placed_at: entry.at,
            updated_at: entry.at,
            last_seq: 1,
            state: OrderState::Placed,
            cancel_reason: None,
            declined_payments: 0,
            totals: placed.totals,
            lines,
            payment: Payment::new(placed.currency),
            payment_method: None,
            authorized_at: None,
            authorization_flagged: None,
            reauthorizations: 0,
            capture_failure: None,
            shipments: Vec::new(),
            returns: Vec::new(),
            listed_on: Vec::new(),
        })
    }

    /// Applies the next event of the timeline.
    pub fn apply(&mut self, entry: &TimelineEntry) -> Result<(), TimelineError> {
        if entry.seq != self.last_seq + 1 {
            return Err(TimelineError::OutOfSequence { last: self.last_seq, seq: entry.seq });
        }
        let inconsistent = |reason: String| TimelineError::Inconsistent {
            seq: entry.seq,
            event: entry.event.name(),
            reason,
        };
        self.evolve(entry).map_err(inconsistent)?;
        self.last_seq = entry.seq;
        self.updated_at = entry.at;
        Ok(())
    }

    fn evolve(&mut self, entry: &TimelineEntry) -> Result<(), String> {
        let at = entry.at;
        match &entry.event {
            OrderEvent::Placed(_) => return Err("an order is placed only once".into()),
            OrderEvent::Confirmed => self.order_command(&OrderCommand::Confirm)?,
            OrderEvent::Completed => self.order_command(&OrderCommand::Complete)?,
            OrderEvent::Cancelled { reason } => {
                self.order_command(&OrderCommand::Cancel)?;
                self.cancel_reason = Some(reason.clone());
            }
            OrderEvent::PaymentAuthorized { amount, method } => {
                self.payment_command(&PaymentCommand::Authorize { amount: *amount })?;
                self.payment_method = Some(method.clone());
                self.authorized_at = Some(at);
            }
            OrderEvent::PaymentFailed { reason } => {
                self.payment_command(&PaymentCommand::Fail { reason: reason.clone() })?;
                self.declined_payments = self.declined_payments.saturating_add(1);
            }
            OrderEvent::PaymentCaptured { amount } => {
                self.payment_command(&PaymentCommand::Capture { amount: *amount })?;
                self.capture_failure = None;
            }
            OrderEvent::PaymentCaptureFailed { reason, .. } => {
                if self.payment.capturable().amount() <= 0 {
                    return Err("nothing to capture".into());
                }
                self.capture_failure = Some(reason.clone());
            }
            OrderEvent::PaymentVoided => self.payment_command(&PaymentCommand::Void)?,
            OrderEvent::PaymentAuthorizationExpiring { .. } => {
                if self.payment.capturable().amount() <= 0 || self.authorized_at.is_none() {
                    return Err("no authorization with money to capture".into());
                }
                self.authorization_flagged = self.authorized_at;
            }
            OrderEvent::PaymentReauthorized { amount, reference } => {
                if self.payment.capturable().amount() <= 0 || self.authorized_at.is_none() {
                    return Err("no authorization with money to capture".into());
                }
                if *amount != self.payment.capturable() {
                    return Err("a re-authorization holds what is still to capture".into());
                }
                let method = self.payment_method.as_mut().ok_or("no payment method to charge again")?;
                method.reference = reference.clone();
                self.authorized_at = Some(at);
                self.reauthorizations = self.reauthorizations.saturating_add(1);
            }
            OrderEvent::PaymentRefunded { amount, .. } => {
                self.payment_command(&PaymentCommand::Refund { amount: *amount })?;
            }
            OrderEvent::ShipmentCreated { shipment, source, lines } => {
                if self.shipment(shipment).is_some() {
                    return Err(format!("shipment {shipment} already exists"));
                }
                for l in lines {
                    let line = self.lines.get(l.line).ok_or_else(|| format!("no line {}", l.line))?;
                    if self.units_in_shipments(l.line) + l.quantity > line.remaining() {
                        return Err(format!("line {} would ship more units than ordered", l.line));
                    }
                }
                self.shipments.push(Shipment::pending(shipment.clone(), source.clone(), lines.clone()));
            }
            OrderEvent::ShipmentPickingStarted { shipment } => {
                self.shipment_command(shipment, &ShipmentCommand::StartPicking)?;
            }
            OrderEvent::ShipmentPacked { shipment } => {
                self.shipment_command(shipment, &ShipmentCommand::Pack)?;
            }
            OrderEvent::ShipmentShipped {
                shipment,
                carrier,
                tracking_number,
                tracking_url,
                expected_delivery,
            } => {
                let s = self.shipment_command(shipment, &ShipmentCommand::Ship)?;
                s.carrier = Some(carrier.clone());
                s.tracking_number = Some(tracking_number.clone());
                s.tracking_url = tracking_url.clone();
                s.shipped_at = Some(at);
                s.expected_delivery = *expected_delivery;
            }
            OrderEvent::ShipmentInTransit { shipment } => {
                self.shipment_command(shipment, &ShipmentCommand::MarkInTransit)?;
            }
            OrderEvent::ShipmentOutForDelivery { shipment } => {
                let s = self.shipment_command(shipment, &ShipmentCommand::MarkOutForDelivery)?;
                s.expected_delivery = Some(at.date_naive());
            }
            OrderEvent::ShipmentDelivered { shipment } => {
                let s = self.shipment_command(shipment, &ShipmentCommand::MarkDelivered)?;
                s.delivered_at = Some(at);
            }
            OrderEvent::ShipmentException { shipment, kind, note } => {
                let s = self.shipment_command(shipment, &ShipmentCommand::ReportException { kind: *kind })?;
                s.exception_note = Some(note.clone());
            }
            OrderEvent::ShipmentExceptionResolved { shipment } => {
                let s = self.shipment_command(shipment, &ShipmentCommand::ResolveException)?;
                s.exception_note = None;
            }
            OrderEvent::ShipmentReturnedToSender { shipment } => {
                self.shipment_command(shipment, &ShipmentCommand::ReturnToSender)?;
            }
            OrderEvent::ShipmentLate { shipment, expected } => {
                let s = self
                    .shipments
                    .iter_mut()
                    .find(|s| s.id == *shipment)
                    .ok_or_else(|| format!("no shipment {shipment}"))?;
                if !s.on_the_way() || s.expected_delivery != Some(*expected) {
                    return Err(format!("shipment {shipment} is not on its way, expected on {expected}"));
                }
                s.late_for = Some(*expected);
            }
            OrderEvent::ParcelReceivedBack { shipment, .. } => {
                let s = self
                    .shipments
                    .iter_mut()
                    .find(|s| s.id == *shipment)
                    .ok_or_else(|| format!("no shipment {shipment}"))?;
                if s.state != ShipmentState::ReturnedToSender || s.received_back {
                    return Err(format!("shipment {shipment} cannot be received back now"));
                }
                s.received_back = true;
            }
            OrderEvent::ShipmentCancelled { shipment } | OrderEvent::ShipmentRejected { shipment, .. } => {
                self.shipment_command(shipment, &ShipmentCommand::Cancel)?;
            }
            OrderEvent::ShipmentAccepted { shipment, ship_by } => {
                self.open_parcel_mut(shipment)?.ship_by = Some(*ship_by);
            }
            OrderEvent::ShipmentUnitsRemoved { shipment, lines } => {
                let s = self.open_parcel_mut(shipment)?;
                let left = super::parcels::remove_lines(&s.lines, lines)
                    .filter(|left| !left.is_empty())
                    .ok_or_else(|| format!("shipment {shipment} does not hold those units"))?;
                s.lines = left;
            }
            OrderEvent::ShipmentSplit { shipment, into, lines } => {
                if self.shipment(into).is_some() {
                    return Err(format!("shipment {into} already exists"));
                }
                let s = self.open_parcel_mut(shipment)?;
                let left = super::parcels::remove_lines(&s.lines, lines)
                    .filter(|left| !left.is_empty() && !lines.is_empty())
                    .ok_or_else(|| format!("shipment {shipment} cannot give up those units"))?;
                s.lines = left;
                let source = s.source.clone();
                self.shipments.push(Shipment::pending(
                    into.clone(),
                    source,
                    super::parcels::add_lines(&[], lines),
                ));
            }
            OrderEvent::ShipmentsMerged { into, from } => {
                let source = self.open_parcel_mut(into)?.source.clone();
                let mut moved = Vec::new();
                for id in from {
                    if id == into {
                        return Err(format!("shipment {id} cannot merge into itself"));
                    }
                    let s = self.open_parcel_mut(id)?;
                    if s.source != source {
                        return Err(format!("shipment {id} leaves from elsewhere than {into}"));
                    }
                    moved.extend(s.lines.iter().copied());
                    s.state = s.state.apply(&ShipmentCommand::Cancel).map_err(|e| e.to_string())?;
                }
                let target = self.open_parcel_mut(into)?;
                target.lines = super::parcels::add_lines(&target.lines, &moved);
            }
            OrderEvent::LinesCancelled { units, amount, .. } => {
                let currency = self.placed.currency;
                let mut given_up = Money::zero(currency);
                for u in units {
                    let line = self.lines.get_mut(u.line).ok_or_else(|| format!("no line {}", u.line))?;
                    let before = line.cancelled;
                    let part = line
                        .parts
                        .get_mut(u.part)
                        .ok_or_else(|| format!("no part {} on line {}", u.part, u.line))?;
                    part.quantity = part
                        .quantity
                        .checked_sub(u.quantity)
                        .ok_or_else(|| format!("line {} part {} has fewer units", u.line, u.part))?;
                    line.cancelled += u.quantity;
                    let share = super::line_share(line.total, line.quantity, before, line.cancelled);
                    given_up = given_up.checked_add(share).map_err(|e| e.to_string())?;
                }
                if given_up != *amount {
                    return Err(format!(
                        "the cancelled units are worth {}, not {}",
                        given_up.display(),
                        amount.display()
                    ));
                }
                self.check_parcels_fit()?;
                let cancelled: Vec<u32> = self.lines.iter().map(|l| l.cancelled).collect();
                self.totals = super::remaining_totals(&self.placed, &cancelled);
            }
            OrderEvent::LineAllocated { line, part, location } => {
                self.part_command(
                    *line,
                    *part,
                    &AvailabilityCommand::Allocate { location: location.to_string() },
                )?;
            }
            OrderEvent::LineBackordered { line, part, promised } => {
                self.part_command(*line, *part, &AvailabilityCommand::Backorder { promised: *promised })?;
            }
            OrderEvent::LineDropshipped { line, part, supplier } => {
                self.part_command(
                    *line,
                    *part,
                    &AvailabilityCommand::Dropship { supplier: supplier.clone() },
                )?;
            }
            OrderEvent::ReturnRequested { rma, lines } => {
                if self.return_case(rma).is_some() {
                    return Err(format!("return {rma} already exists"));
                }
                self.returns.push(ReturnCase {
                    id: rma.clone(),
                    lines: lines.clone(),
                    state: ReturnState::Requested,
                    requested_at: at,
                    refunded: None,
                });
            }
            OrderEvent::ReturnApproved { rma } => self.return_command(rma, &ReturnCommand::Approve)?,
            OrderEvent::ReturnRejected { rma, reason } => {
                self.return_command(rma, &ReturnCommand::Reject { reason: reason.clone() })?;
            }
            OrderEvent::ReturnReceived { rma } => self.return_command(rma, &ReturnCommand::Receive)?,
            OrderEvent::ReturnRefunded { rma, amount } => {
                self.return_command(rma, &ReturnCommand::Refund)?;
                if let Some(r) = self.returns.iter_mut().find(|r| &r.id == rma) {
                    r.refunded = Some(*amount);
                }
            }
            OrderEvent::ReturnCancelled { rma } => self.return_command(rma, &ReturnCommand::Cancel)?,
            // What was told to the customer changes nothing about the order itself.
            OrderEvent::MessageSent { .. } | OrderEvent::MessageFailed { .. } => {}
            OrderEvent::ListedOnChannel { channel } => self.listed_on.push(channel.clone()),
            // Nor what was told to a channel.
            OrderEvent::ChannelAcknowledged { .. } | OrderEvent::ChannelGaveUp { .. } => {}
        }
        Ok(())
    }

    /// A parcel whose contents may change (pending or picking).
    fn open_parcel_mut(&mut self, id: &str) -> Result<&mut Shipment, String> {
        let s = self.shipments.iter_mut().find(|s| s.id == id).ok_or_else(|| format!("no shipment {id}"))?;
        match s.state {
            ShipmentState::Pending | ShipmentState::Picking => Ok(s),
            _ => Err(format!("shipment {id} is {}", s.state.name())),
        }
    }

    /// Every line's live parcels from a source hold no more units than the line has there.
    fn check_parcels_fit(&self) -> Result<(), String> {
        for line in &self.lines {
            let mut held: std::collections::BTreeMap<ShipmentSource, i64> = Default::default();
            for part in &line.parts {
                if let Some(source) = part.source() {
                    *held.entry(source).or_default() += i64::from(part.quantity);
                }
            }
            for s in self.shipments.iter().filter(|s| s.state != ShipmentState::Cancelled) {
                let units: u32 = s.lines.iter().filter(|l| l.line == line.index).map(|l| l.quantity).sum();
                *held.entry(s.source.clone()).or_default() -= i64::from(units);
            }
            if held.values().any(|v| *v < 0) {
                return Err(format!("line {}'s parcels hold more units than it has", line.index));
            }
        }
        Ok(())
    }

    fn order_command(&mut self, command: &OrderCommand) -> Result<(), String> {
        self.state = self.state.apply(command).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn payment_command(&mut self, command: &PaymentCommand) -> Result<(), String> {
        self.payment = self.payment.apply(command).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn shipment_command(&mut self, id: &str, command: &ShipmentCommand) -> Result<&mut Shipment, String> {
        let s = self.shipments.iter_mut().find(|s| s.id == id).ok_or_else(|| format!("no shipment {id}"))?;
        s.state = if s.ships_straight(command) {
            ShipmentState::Shipped
        } else {
            s.state.apply(command).map_err(|e| e.to_string())?
        };
        Ok(s)
    }

    fn part_command(
        &mut self,
        line: usize,
        part: usize,
        command: &AvailabilityCommand,
    ) -> Result<(), String> {
        let p = self
            .lines
            .get_mut(line)
            .and_then(|l| l.parts.get_mut(part))
            .ok_or_else(|| format!("no part {part} on line {line}"))?;
        p.availability = p.availability.apply(command).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn return_command(&mut self, id: &str, command: &ReturnCommand) -> Result<(), String> {
        let r = self.returns.iter_mut().find(|r| r.id == id).ok_or_else(|| format!("no return {id}"))?;
        r.state = r.state.apply(command).map_err(|e| e.to_string())?;
        Ok(())
    }
}
