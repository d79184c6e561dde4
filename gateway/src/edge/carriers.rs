//! Carrier webhooks on the wire: the `Ordo-Signature` HMAC and its clock window, and the two
//! payload formats (Ordo's generic JSON and a UPS-style activity feed) read into reports.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use ordo_core::tracking::TrackingStatus;
use ordo_core::values::{lenient_text, limits};
use sha2::Sha256;

use crate::app::tracking::Report;

/// Oldest signature timestamp accepted, in seconds (replays older than this are refused).
pub const MAX_SIGNATURE_AGE_SECS: i64 = 300;

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("missing or malformed Ordo-Timestamp / Ordo-Signature headers")]
    MissingSignature,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the signature timestamp is more than 5 minutes away from now")]
    Stale,
    #[error("the body is not a {0} tracking payload: {1}")]
    BadPayload(&'static str, String),
}

/// Checks `Ordo-Signature: v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>` and that the
/// timestamp (unix seconds) is within five minutes of `now`.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let timestamp = timestamp.ok_or(WebhookError::MissingSignature)?;
    let seconds: i64 = timestamp.trim().parse().map_err(|_| WebhookError::MissingSignature)?;
    let signature =
        signature.and_then(|s| s.trim().strip_prefix("v1=")).ok_or(WebhookError::MissingSignature)?;
    let expected = hex::decode(signature).map_err(|_| WebhookError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::BadSignature)?;
    mac.update(timestamp.trim().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| WebhookError::BadSignature)?;
    if (now.timestamp() - seconds).abs() > MAX_SIGNATURE_AGE_SECS {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

/// The signature header value for `body` at `timestamp` (what a carrier sends; tests use it).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Parses a webhook body of `format` (`generic` or `ups`).
pub fn parse(format: &str, body: &[u8]) -> Result<Vec<Report>, WebhookError> {
    match format {
        "ups" => parse_ups(body),
        _ => parse_generic(body),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GenericEvent {
    tracking_number: String,
    status: String,
    occurred_at: DateTime<Utc>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// `{"events": [{"trackingNumber", "status": "in_transit", "occurredAt": RFC 3339,
/// "location"?, "description"?}]}`
fn parse_generic(body: &[u8]) -> Result<Vec<Report>, WebhookError> {
    #[derive(serde::Deserialize)]
    struct Body {
        events: Vec<GenericEvent>,
    }
    let bad = |m: String| WebhookError::BadPayload("generic", m);
    let body: Body = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    body.events
        .into_iter()
        .map(|e| {
            let status = TrackingStatus::parse(&e.status)
                .ok_or_else(|| bad(format!("unknown status {:?}", e.status)))?;
            Ok(Report {
                tracking_number: lenient_text(&e.tracking_number, limits::TRACKING_NUMBER)
                    .ok_or_else(|| bad("trackingNumber".into()))?,
                status,
                occurred_at: e.occurred_at,
                location: e.location.and_then(|l| lenient_text(&l, limits::LOCATION)),
                carrier_status: e
                    .description
                    .and_then(|d| lenient_text(&d, limits::CARRIER_STATUS))
                    .unwrap_or_else(|| e.status.clone()),
            })
        })
        .collect()
}

/// Modelled on UPS's tracking webhook: `{"trackingNumber", "localActivityDate": "YYYYMMDD",
/// "localActivityTime": "HHMMSS", "gmtOffset": "-05:00", "activityLocation": {"city",
/// "stateProvince", "country"}, "activityStatus": {"type": "M|P|I|O|D|X", "code",
/// "description"}}` — one event per callback.
fn parse_ups(body: &[u8]) -> Result<Vec<Report>, WebhookError> {
    let bad = |m: &str| WebhookError::BadPayload("ups", m.to_owned());
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload("ups", e.to_string()))?;
    let text = |p: &str| v.pointer(p).and_then(serde_json::Value::as_str);
    let tracking = text("/trackingNumber")
        .and_then(|t| lenient_text(t, limits::TRACKING_NUMBER))
        .ok_or_else(|| bad("trackingNumber"))?;
    let status = match text("/activityStatus/type") {
        Some("M") => TrackingStatus::LabelCreated,
        Some("P") => TrackingStatus::PickedUp,
        Some("I") => TrackingStatus::InTransit,
        Some("O") => TrackingStatus::OutForDelivery,
        Some("D") => TrackingStatus::Delivered,
        Some("X") => TrackingStatus::Exception,
        _ => return Err(bad("activityStatus.type must be one of M, P, I, O, D, X")),
    };
    let date = NaiveDate::parse_from_str(text("/localActivityDate").unwrap_or(""), "%Y%m%d")
        .map_err(|_| bad("localActivityDate"))?;
    let time = NaiveTime::parse_from_str(text("/localActivityTime").unwrap_or(""), "%H%M%S")
        .map_err(|_| bad("localActivityTime"))?;
    let offset = text("/gmtOffset").unwrap_or("+00:00");
    let offset = chrono::FixedOffset::from_str_offset(offset).ok_or_else(|| bad("gmtOffset"))?;
    let occurred_at = offset
        .from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(|| bad("local time"))?
        .with_timezone(&Utc);
    let location = ["/activityLocation/city", "/activityLocation/stateProvince", "/activityLocation/country"]
        .iter()
        .filter_map(|p| text(p))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let description = text("/activityStatus/description").unwrap_or("");
    let code = text("/activityStatus/code").unwrap_or("");
    Ok(vec![Report {
        tracking_number: tracking,
        status,
        occurred_at,
        location: lenient_text(&location, limits::LOCATION),
        carrier_status: lenient_text(&format!("{code} {description}"), limits::CARRIER_STATUS)
            .unwrap_or_default(),
    }])
}

trait FromStrOffset: Sized {
    fn from_str_offset(s: &str) -> Option<Self>;
}

impl FromStrOffset for chrono::FixedOffset {
    fn from_str_offset(s: &str) -> Option<Self> {
        let (sign, rest) = match s.as_bytes().first()? {
            b'+' => (1, &s[1..]),
            b'-' => (-1, &s[1..]),
            _ => return None,
        };
        let (h, m) = rest.split_once(':')?;
        let seconds = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
        chrono::FixedOffset::east_opt(sign * seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_checked_against_the_body_and_the_clock() {
        let now: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
        let body = br#"{"events":[]}"#;
        let ts = now.timestamp();
        let sig = sign(b"secret", ts, body);
        assert_eq!(verify(b"secret", Some(&ts.to_string()), Some(&sig), body, now), Ok(()));
        assert_eq!(
            verify(b"other", Some(&ts.to_string()), Some(&sig), body, now),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(b"secret", Some(&ts.to_string()), Some(&sig), b"{}", now),
            Err(WebhookError::BadSignature)
        );
        let old = ts - 301;
        let old_sig = sign(b"secret", old, body);
        assert_eq!(
            verify(b"secret", Some(&old.to_string()), Some(&old_sig), body, now),
            Err(WebhookError::Stale)
        );
        assert_eq!(verify(b"secret", None, Some(&sig), body, now), Err(WebhookError::MissingSignature));
    }

    #[test]
    fn both_payload_formats_normalise_to_the_same_report() {
        let generic = br#"{"events":[{"trackingNumber":"1Z999","status":"out_for_delivery","occurredAt":"2026-11-27T14:30:00Z","location":"Springfield, IL, US","description":"Out for delivery"}]}"#;
        let ups = br#"{"trackingNumber":"1Z999","localActivityDate":"20261127","localActivityTime":"083000","gmtOffset":"-06:00",
            "activityLocation":{"city":"Springfield","stateProvince":"IL","country":"US"},
            "activityStatus":{"type":"O","code":"OT","description":"Out for delivery"}}"#;
        let a = parse("generic", generic).unwrap();
        let b = parse("ups", ups).unwrap();
        assert_eq!(a[0].occurred_at, b[0].occurred_at);
        assert_eq!(
            (a[0].status, b[0].status),
            (TrackingStatus::OutForDelivery, TrackingStatus::OutForDelivery)
        );
        assert_eq!(a[0].location, b[0].location);
        assert!(matches!(
            parse("ups", br#"{"trackingNumber":"1Z"}"#),
            Err(WebhookError::BadPayload("ups", _))
        ));
        assert!(matches!(parse("generic", br#"{"events":[{"trackingNumber":"1Z","status":"teleported","occurredAt":"2026-11-27T14:30:00Z"}]}"#), Err(WebhookError::BadPayload(..))));
    }
}
