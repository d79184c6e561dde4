//! RFC 3339 date-times and ISO 8601 dates as text: the wire format, without chrono's general-purpose parser and formatter.
//!
//! The output is exactly chrono's serde output (`2026-11-27T12:00:00Z`, fractions of a second
//! only when present, as 3, 6 or 9 digits; `2026-11-27`), and the input is what chrono's serde
//! accepts in practice (`T`, `t` or a space between date and time, `Z` or a `±HH:MM` offset, any
//! fraction). Leaving chrono's format machinery out saves about 20 KB of the browser package.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};

/// Why a text is not a date or date-time (chrono's wording, which API clients already see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateParseError {
    #[error("premature end of input")]
    TooShort,
    #[error("input contains invalid characters")]
    Invalid,
    #[error("input is out of range")]
    OutOfRange,
    #[error("trailing input")]
    TooLong,
}

/// A cursor over the ASCII text being parsed.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn byte(&mut self) -> Result<u8, DateParseError> {
        let b = *self.bytes.get(self.at).ok_or(DateParseError::TooShort)?;
        self.at += 1;
        Ok(b)
    }

    fn expect(&mut self, wanted: &[u8]) -> Result<u8, DateParseError> {
        let b = self.byte()?;
        if wanted.contains(&b) { Ok(b) } else { Err(DateParseError::Invalid) }
    }

    fn digits(&mut self, count: usize) -> Result<u32, DateParseError> {
        let mut n = 0;
        for _ in 0..count {
            let b = self.byte()?;
            if !b.is_ascii_digit() {
                return Err(DateParseError::Invalid);
            }
            n = n * 10 + u32::from(b - b'0');
        }
        Ok(n)
    }

    fn date(&mut self) -> Result<NaiveDate, DateParseError> {
        let year = self.digits(4)?;
        self.expect(b"-")?;
        let month = self.digits(2)?;
        self.expect(b"-")?;
        let day = self.digits(2)?;
        NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(DateParseError::OutOfRange)
    }

    fn end(&self) -> Result<(), DateParseError> {
        if self.at == self.bytes.len() { Ok(()) } else { Err(DateParseError::TooLong) }
    }
}

/// `2026-11-27`.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateParseError> {
    let mut scan = Scan { bytes: text.as_bytes(), at: 0 };
    let date = scan.date()?;
    scan.end()?;
    Ok(date)
}

/// `2026-11-27T12:00:00Z`, `2026-11-27T13:00:00.250+01:00`; the instant in UTC.
pub fn parse_datetime(text: &str) -> Result<DateTime<Utc>, DateParseError> {
    let mut scan = Scan { bytes: text.as_bytes(), at: 0 };
    let date = scan.date()?;
    scan.expect(b"Tt ")?;
    let hour = scan.digits(2)?;
    scan.expect(b":")?;
    let minute = scan.digits(2)?;
    scan.expect(b":")?;
    let second = scan.digits(2)?;
    let mut nanos = 0;
    let mut sign = scan.byte()?;
    if sign == b'.' {
        let mut scale = 100_000_000;
        let start = scan.at;
        while let Some(b) = scan.bytes.get(scan.at).filter(|b| b.is_ascii_digit()) {
            nanos += u32::from(b - b'0') * scale;
            scale /= 10;
            scan.at += 1;
        }
        if scan.at == start {
            return Err(if scan.at == scan.bytes.len() {
                DateParseError::TooShort
            } else {
                DateParseError::Invalid
            });
        }
        sign = scan.byte()?;
    }
    let offset_minutes = match sign {
        b'Z' | b'z' => 0,
        b'+' | b'-' => {
            let hours = scan.digits(2)?;
            if scan.bytes.get(scan.at) == Some(&b':') {
                scan.at += 1;
            }
            let minutes = scan.digits(2)?;
            if hours >= 24 || minutes >= 60 {
                return Err(DateParseError::OutOfRange);
            }
            let total = i64::from(hours * 60 + minutes);
            if sign == b'-' { -total } else { total }
        }
        _ => return Err(DateParseError::Invalid),
    };
    scan.end()?;
    // A leap second (`:60`) is chrono's nanosecond overflow of second 59.
    let (second, nanos) = if second == 60 { (59, nanos + 1_000_000_000) } else { (second, nanos) };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or(DateParseError::OutOfRange)?;
    let local = NaiveDateTime::new(date, time);
    let utc = TimeDelta::try_minutes(offset_minutes)
        .and_then(|offset| local.checked_sub_signed(offset))
        .ok_or(DateParseError::OutOfRange)?;
    Ok(utc.and_utc())
}

/// `2026-11-27` (years beyond 9999 with a sign, as chrono writes them).
pub fn format_date(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    write_date(&mut out, date);
    out
}

fn write_date(out: &mut String, date: NaiveDate) {
    use std::fmt::Write as _;
    let year = date.year();
    let _ = if (0..=9999).contains(&year) {
        write!(out, "{year:04}-{:02}-{:02}", date.month(), date.day())
    } else {
        write!(out, "{year:+05}-{:02}-{:02}", date.month(), date.day())
    };
}

/// `2026-11-27T12:00:00Z`, with `.250`, `.250100` or `.250100001` when there is a fraction.
pub fn format_datetime(instant: DateTime<Utc>) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(30);
    let naive = instant.naive_utc();
    write_date(&mut out, naive.date());
    let (second, nanos) = match naive.nanosecond() {
        n if n >= 1_000_000_000 => (naive.second() + 1, n - 1_000_000_000),
        n => (naive.second(), n),
    };
    let _ = write!(out, "T{:02}:{:02}:{second:02}", naive.hour(), naive.minute());
    let _ = if nanos == 0 {
        Ok(())
    } else if nanos % 1_000_000 == 0 {
        write!(out, ".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        write!(out, ".{:06}", nanos / 1_000)
    } else {
        write!(out, ".{nanos:09}")
    };
    out.push('Z');
    out
}

/// Serde helpers for `#[serde(with = "…")]` on date and date-time fields.
#[cfg(feature = "serde")]
pub(crate) mod serde_with {
    macro_rules! text_format {
        ($name:ident, $option:ident, $ty:ty, $parse:path, $format:path, $what:literal) => {
            pub(crate) mod $name {
                use serde::{Deserializer, Serializer};

                pub(crate) fn serialize<S: Serializer>(
                    value: &$ty,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(&$format(*value))
                }

                pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<$ty, D::Error> {
                    struct Text;
                    impl serde::de::Visitor<'_> for Text {
                        type Value = $ty;
                        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                            f.write_str($what)
                        }
                        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$ty, E> {
                            $parse(text).map_err(E::custom)
                        }
                    }
                    deserializer.deserialize_str(Text)
                }
            }

            pub(crate) mod $option {
                use serde::{Deserialize, Deserializer, Serializer};

                pub(crate) fn serialize<S: Serializer>(
                    value: &Option<$ty>,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    match value {
                        Some(value) => serializer.serialize_some(&$format(*value)),
                        None => serializer.serialize_none(),
                    }
                }

                pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Option<$ty>, D::Error> {
                    /// The value inside `Some`, read with the plain helper.
                    struct Inner($ty);
                    impl<'de> Deserialize<'de> for Inner {
                        fn deserialize<D2: Deserializer<'de>>(d: D2) -> Result<Self, D2::Error> {
                            super::$name::deserialize(d).map(Inner)
                        }
                    }
                    Ok(Option::<Inner>::deserialize(deserializer)?.map(|Inner(value)| value))
                }
            }
        };
    }

    text_format!(
        datetime,
        option_datetime,
        chrono::DateTime<chrono::Utc>,
        crate::rfc3339::parse_datetime,
        crate::rfc3339::format_datetime,
        "an RFC 3339 date-time"
    );
    text_format!(
        date,
        option_date,
        chrono::NaiveDate,
        crate::rfc3339::parse_date,
        crate::rfc3339::format_date,
        "an ISO 8601 date"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_dt(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn date_times_parse_to_the_same_instant_as_with_chrono() {
        for text in [
            "2026-11-27T12:00:00Z",
            "2026-11-27t12:00:00z",
            "2026-11-27 12:00:00Z",
            "2026-11-27T13:30:00+01:30",
            "2026-11-27T01:00:00-05:00",
            "2026-02-28T23:59:59.5Z",
            "2026-02-28T23:59:59.123456789Z",
            "2026-12-31T23:59:60Z",
        ] {
            let ours = parse_datetime(text).unwrap();
            assert_eq!(ours, chrono_dt(&text.replace(' ', "T")), "{text}");
        }
        assert_eq!(parse_datetime("2026-11-27T13:00:00+0100").unwrap(), chrono_dt("2026-11-27T12:00:00Z"));
    }

    #[test]
    fn date_times_are_written_as_chrono_serde_writes_them() {
        for text in [
            "2026-11-27T12:00:00Z",
            "2026-11-27T12:00:00.250Z",
            "2026-11-27T12:00:00.250100Z",
            "2026-11-27T12:00:00.250100001Z",
            "0001-01-01T00:00:00Z",
        ] {
            let instant = chrono_dt(text);
            assert_eq!(format_datetime(instant), text);
            assert_eq!(
                format_datetime(instant),
                instant.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            );
        }
        let leap = parse_datetime("2026-12-31T23:59:60.5Z").unwrap();
        assert_eq!(format_datetime(leap), "2026-12-31T23:59:60.500Z");
    }

    #[test]
    fn dates_round_trip_and_match_chrono() {
        let d = parse_date("2026-02-28").unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(format_date(d), "2026-02-28");
        assert_eq!(format_date(NaiveDate::from_ymd_opt(12026, 1, 2).unwrap()), "+12026-01-02");
    }

    #[test]
    fn bad_text_gets_chronos_error_wording() {
        assert_eq!(parse_datetime("2026-11-27"), Err(DateParseError::TooShort));
        assert_eq!(parse_datetime("yesterday"), Err(DateParseError::Invalid));
        assert_eq!(parse_datetime("2026-13-01T00:00:00Z"), Err(DateParseError::OutOfRange));
        assert_eq!(parse_datetime("2026-11-27T25:00:00Z"), Err(DateParseError::OutOfRange));
        assert_eq!(parse_datetime("2026-11-27T12:00:00Zjunk"), Err(DateParseError::TooLong));
        assert_eq!(parse_datetime("2026-11-27T12:00:00"), Err(DateParseError::TooShort));
        assert_eq!(parse_date("2026-02-30"), Err(DateParseError::OutOfRange));
        assert_eq!(parse_date("2026-02-3"), Err(DateParseError::TooShort));
        assert_eq!(DateParseError::Invalid.to_string(), "input contains invalid characters");
    }
}
