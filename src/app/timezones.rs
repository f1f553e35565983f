//! The time zone names clients may choose (`GET /api/v4/system/timezones`): the canonical
//! zones of the IANA database (`timezones.txt`, generated from tzdata's zone lines).

const NAMES: &str = include_str!("timezones.txt");

/// Supported zone names, sorted.
pub fn supported() -> Vec<&'static str> {
    NAMES.lines().filter(|l| !l.trim().is_empty()).collect()
}
