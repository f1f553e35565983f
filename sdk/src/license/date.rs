//! License dates in messages.

use chrono::{DateTime, Datelike};

/// `ms` since the Unix epoch as `YYYY-MM-DD HH:MM UTC`.
///
/// An instant past the calendar's range (about 262,000 years either way; a saturated grace
/// period end can get there) is printed as the plain millisecond count.
pub fn format_utc(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        // chrono signs years outside 0..=9999; print the plain number.
        Some(t) => format!("{:04}-{} UTC", t.year(), t.format("%m-%d %H:%M")),
        None => format!("{ms} ms after 1970-01-01 00:00 UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::format_utc;

    #[test]
    fn known_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_767_225_599_999), "2025-12-31 23:59 UTC");
        assert_eq!(format_utc(-60_000), "1969-12-31 23:59 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59 UTC");
        // The sample licenses' end (licenses/dev/*.json).
        assert_eq!(format_utc(4_102_444_799_999), "2099-12-31 23:59 UTC");
    }

    #[test]
    fn years_outside_four_digits() {
        assert_eq!(format_utc(253_402_300_800_000), "10000-01-01 00:00 UTC");
        assert_eq!(format_utc(-62_135_596_800_000), "0001-01-01 00:00 UTC");
        assert_eq!(format_utc(-62_167_219_200_001), "-001-12-31 23:59 UTC");
    }

    #[test]
    fn extremes_do_not_panic() {
        assert_eq!(
            format_utc(i64::MAX),
            "9223372036854775807 ms after 1970-01-01 00:00 UTC"
        );
        assert_eq!(
            format_utc(i64::MIN),
            "-9223372036854775808 ms after 1970-01-01 00:00 UTC"
        );
    }
}
