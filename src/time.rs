//! Wall-clock helpers and Go's `time.Time` text. Mattermost timestamps are milliseconds since
//! the Unix epoch; a few JSON fields (a custom status's `expires_at`) carry Go's RFC 3339 text.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};

/// Milliseconds since the Unix epoch, as every `*_at` column stores them.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Go's zero `time.Time`, `0001-01-01T00:00:00Z`: what Mattermost writes for "no time".
pub const GO_ZERO_TIME: DateTime<Utc> = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(date) => date.and_time(NaiveTime::MIN).and_utc(),
    None => panic!("0001-01-01 is a date"),
};

/// Parses RFC 3339 text the way Go's `time.Time` JSON does: `T` between date and time, an
/// optional fraction of 1 to 9 digits, then `Z` or `±hh:mm` (up to 23:59).
pub fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    // chrono also takes a space for `T`, a leap second, longer fractions and a Unicode minus
    // sign; Go refuses them, so do we.
    if !text.is_ascii() || text.as_bytes().get(10) == Some(&b' ') {
        return None;
    }
    if text.as_bytes().get(19) == Some(&b'.') {
        let digits = text[20..].bytes().take_while(u8::is_ascii_digit).count();
        if digits > 9 {
            return None;
        }
    }
    let parsed = DateTime::parse_from_rfc3339(text).ok()?;
    if parsed.nanosecond() >= 1_000_000_000 {
        return None;
    }
    Some(parsed.to_utc())
}

/// `t` as Go's `RFC3339Nano` in UTC: trailing zeros of the fraction trimmed, no fraction for
/// whole seconds.
pub fn format_rfc3339_nano(t: DateTime<Utc>) -> String {
    // chrono signs years past 9999; Go's layout prints the plain number.
    let mut out = format!("{:04}-{}", t.year(), t.format("%m-%dT%H:%M:%S"));
    let nanos = t.nanosecond();
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<i64> {
        parse_rfc3339(text).map(|t| t.timestamp())
    }

    #[test]
    fn go_zero_time() {
        assert_eq!(GO_ZERO_TIME.timestamp(), -62_135_596_800);
        assert_eq!(format_rfc3339_nano(GO_ZERO_TIME), "0001-01-01T00:00:00Z");
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), Some(GO_ZERO_TIME));
    }

    #[test]
    fn offsets_and_zulu() {
        assert_eq!(secs("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(secs("2023-11-14t22:13:20z"), Some(1_700_000_000));
        assert_eq!(secs("2023-11-15T00:13:20+02:00"), Some(1_700_000_000));
        assert_eq!(secs("2023-11-14T20:43:20-01:30"), Some(1_700_000_000));
        assert_eq!(secs("2023-11-14T22:13:20-00:00"), Some(1_700_000_000));
        assert_eq!(secs("2023-11-15T22:12:20+23:59"), Some(1_700_000_000));
        // A negative offset can carry the instant into the next year, and past 9999.
        let late = parse_rfc3339("9999-12-31T23:59:59-01:00").unwrap();
        assert_eq!(format_rfc3339_nano(late), "10000-01-01T00:59:59Z");
    }

    #[test]
    fn fractions() {
        let half = parse_rfc3339("2023-11-14T22:13:20.500Z").unwrap();
        assert_eq!(half.timestamp_millis(), 1_700_000_000_500);
        assert_eq!(format_rfc3339_nano(half), "2023-11-14T22:13:20.5Z");
        let nano = parse_rfc3339("2023-11-14T22:13:20.000000001+00:00").unwrap();
        assert_eq!(nano.timestamp_subsec_nanos(), 1);
        assert_eq!(format_rfc3339_nano(nano), "2023-11-14T22:13:20.000000001Z");
        let zeros = parse_rfc3339("2023-11-14T22:13:20.000Z").unwrap();
        assert_eq!(format_rfc3339_nano(zeros), "2023-11-14T22:13:20Z");
        // What browsers send (`Date.prototype.toISOString`).
        let js = parse_rfc3339("2021-05-03T05:59:59.999Z").unwrap();
        assert_eq!(format_rfc3339_nano(js), "2021-05-03T05:59:59.999Z");
    }

    #[test]
    fn leap_days() {
        assert!(parse_rfc3339("2024-02-29T00:00:00Z").is_some());
        assert!(parse_rfc3339("2000-02-29T00:00:00Z").is_some());
        assert!(parse_rfc3339("1900-02-29T00:00:00Z").is_none());
        assert!(parse_rfc3339("2023-02-29T00:00:00Z").is_none());
    }

    #[test]
    fn invalid_text() {
        for bad in [
            "",
            "tomorrow",
            "2023-11-14",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T23:60:00Z",
            "2023-11-14T23:59:60Z",
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20.1234567890Z",
            "2023-11-14T22:13:20+0200",
            "2023-11-14T22:13:20+02",
            "2023-11-14T22:13:20+24:00",
            "2023-11-14T22:13:20+02:60",
            "2023-11-14T22:13:20\u{2212}02:00",
            "2023-11-14T22:13:20Z ",
            " 2023-11-14T22:13:20Z",
            "+2023-11-14T22:13:20Z",
            "20231-11-14T22:13:20Z",
            "2023-11-14T22:13:20 UTC",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
