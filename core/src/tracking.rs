//! Carrier tracking: the normalised statuses carriers report, and which shipment transition
//! (if any) a report implies — only the newest report moves a parcel, so late or repeated
//! callbacks never send it backwards.

use chrono::{DateTime, Utc};

use crate::lifecycle::{ExceptionKind, ShipmentState};
use crate::order::ShipmentAction;

/// What a carrier says happened to a parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackingStatus {
    LabelCreated,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
}

impl TrackingStatus {
    pub const ALL: [TrackingStatus; 6] = [
        TrackingStatus::LabelCreated,
        TrackingStatus::PickedUp,
        TrackingStatus::InTransit,
        TrackingStatus::OutForDelivery,
        TrackingStatus::Delivered,
        TrackingStatus::Exception,
    ];

    /// Stable snake_case name: `label_created`, `picked_up`, `in_transit`, `out_for_delivery`,
    /// `delivered`, `exception`.
    pub fn name(self) -> &'static str {
        match self {
            TrackingStatus::LabelCreated => "label_created",
            TrackingStatus::PickedUp => "picked_up",
            TrackingStatus::InTransit => "in_transit",
            TrackingStatus::OutForDelivery => "out_for_delivery",
            TrackingStatus::Delivered => "delivered",
            TrackingStatus::Exception => "exception",
        }
    }

    pub fn parse(name: &str) -> Option<TrackingStatus> {
        TrackingStatus::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// What makes two tracking numbers the same parcel: one carrier (by code or name, case aside)
/// and one number (case and spaces aside). A tracking number is unique per carrier, so this key
/// is too.
pub fn tracking_key(carrier: &str, tracking_number: &str) -> String {
    let number: String =
        tracking_number.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
    format!("{}|{number}", crate::carrier::carrier_key(carrier))
}

/// The transition a tracking report implies for a parcel in `state`, when the report is newer
/// than every report already applied (`latest_applied`). `None`: record it, change nothing.
pub fn implied_action(
    state: &ShipmentState,
    status: TrackingStatus,
    occurred_at: DateTime<Utc>,
    latest_applied: Option<DateTime<Utc>>,
    carrier_status: &str,
) -> Option<ShipmentAction> {
    if latest_applied.is_some_and(|latest| occurred_at <= latest) {
        return None;
    }
    let action = match (status, state) {
        (TrackingStatus::LabelCreated | TrackingStatus::PickedUp, _) => return None,
        (TrackingStatus::InTransit, ShipmentState::Exception { .. }) => ShipmentAction::ResolveException,
        (TrackingStatus::InTransit, ShipmentState::Shipped) => ShipmentAction::MarkInTransit,
        (TrackingStatus::InTransit, _) => return None,
        (TrackingStatus::OutForDelivery, _) => ShipmentAction::MarkOutForDelivery,
        (TrackingStatus::Delivered, _) => ShipmentAction::MarkDelivered,
        (TrackingStatus::Exception, _) => ShipmentAction::ReportException {
            kind: ExceptionKind::Other,
            note: carrier_status.chars().take(200).collect(),
        },
    };
    Some(action)
}

#[cfg(test)]
mod key_tests {
    use super::tracking_key;

    #[test]
    fn one_number_with_one_carrier_is_one_key_whatever_its_case_and_spaces() {
        assert_eq!(tracking_key("UPS", "1z 999 aa1"), tracking_key(" ups", "1Z999AA1"));
        assert_ne!(tracking_key("ups", "1Z999AA1"), tracking_key("dhl", "1Z999AA1"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_newer_report_moves_the_parcel_and_an_older_one_does_not() {
        let t1 = at("2026-11-27T10:00:00Z");
        let t2 = at("2026-11-27T12:00:00Z");
        assert_eq!(
            implied_action(&ShipmentState::Shipped, TrackingStatus::InTransit, t1, None, "Departed"),
            Some(ShipmentAction::MarkInTransit)
        );
        assert_eq!(
            implied_action(&ShipmentState::InTransit, TrackingStatus::Delivered, t2, Some(t1), "Delivered"),
            Some(ShipmentAction::MarkDelivered)
        );
        assert_eq!(
            implied_action(&ShipmentState::Delivered, TrackingStatus::InTransit, t1, Some(t2), "late"),
            None,
            "a late in-transit report after delivery changes nothing"
        );
        assert_eq!(
            implied_action(&ShipmentState::Delivered, TrackingStatus::Delivered, t2, Some(t2), "again"),
            None
        );
    }

    #[test]
    fn informational_reports_record_only_and_exceptions_carry_the_carrier_text() {
        let t = at("2026-11-27T10:00:00Z");
        assert_eq!(implied_action(&ShipmentState::Shipped, TrackingStatus::LabelCreated, t, None, ""), None);
        assert_eq!(
            implied_action(&ShipmentState::InTransit, TrackingStatus::Exception, t, None, "Damaged in sort"),
            Some(ShipmentAction::ReportException {
                kind: ExceptionKind::Other,
                note: "Damaged in sort".into()
            })
        );
        assert_eq!(
            implied_action(
                &ShipmentState::Exception { kind: ExceptionKind::Other },
                TrackingStatus::InTransit,
                t,
                None,
                ""
            ),
            Some(ShipmentAction::ResolveException)
        );
        for s in TrackingStatus::ALL {
            assert_eq!(TrackingStatus::parse(s.name()), Some(s));
        }
    }
}
