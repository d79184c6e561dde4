//! Business-day arithmetic for promised and expected dates (carriers and warehouses work Monday to Friday).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The date `days` business days after `from` (Saturdays and Sundays skipped). Adding zero days
/// to a weekend date moves it to the next Monday, since nothing ships at the weekend.
pub fn add_business_days(from: NaiveDate, days: u16) -> NaiveDate {
    let mut date = next_business_day(from);
    let mut left = days;
    while left > 0 {
        date = date.checked_add_days(Days::new(1)).unwrap_or(date);
        if is_business_day(date) {
            left -= 1;
        }
    }
    date
}

fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while !is_business_day(d) {
        match d.checked_add_days(Days::new(1)) {
            Some(next) => d = next,
            None => break,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn business_days_skip_weekends() {
        // 2026-11-27 is a Friday.
        assert_eq!(add_business_days(day("2026-11-27"), 1), day("2026-11-30"));
        assert_eq!(add_business_days(day("2026-11-27"), 3), day("2026-12-02"));
        assert_eq!(add_business_days(day("2026-11-23"), 4), day("2026-11-27"));
        assert_eq!(add_business_days(day("2026-11-27"), 0), day("2026-11-27"));
    }

    #[test]
    fn a_weekend_start_counts_from_monday() {
        assert_eq!(add_business_days(day("2026-11-28"), 0), day("2026-11-30"));
        assert_eq!(add_business_days(day("2026-11-29"), 1), day("2026-12-01"));
    }
}
