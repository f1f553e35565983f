//! Parses Mattermost's post search syntax: words, "quoted phrases", `prefix*`, `-excluded`,
//! `#hashtags`, `from:`, `in:` (or `channel:`), `before:`, `after:` and `on:` (YYYY-MM-DD).

use chrono::{NaiveDate, NaiveTime};

/// One text term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(String),
    Prefix(String),
}

impl Term {
    pub fn text(&self) -> &str {
        match self {
            Term::Word(t) | Term::Phrase(t) | Term::Prefix(t) => t,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParsedSearch {
    pub terms: Vec<Term>,
    pub excluded: Vec<Term>,
    /// Lower-case, with the `#`.
    pub hashtags: Vec<String>,
    pub from_users: Vec<String>,
    pub excluded_users: Vec<String>,
    pub in_channels: Vec<String>,
    pub excluded_channels: Vec<String>,
    pub before: Option<Date>,
    pub after: Option<Date>,
    pub on: Option<Date>,
}

impl ParsedSearch {
    /// Whether anything narrows the search at all.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.excluded.is_empty()
            && self.hashtags.is_empty()
            && self.from_users.is_empty()
            && self.excluded_users.is_empty()
            && self.in_channels.is_empty()
            && self.excluded_channels.is_empty()
            && self.before.is_none()
            && self.after.is_none()
            && self.on.is_none()
    }
}

/// A calendar date from `before:`/`after:`/`on:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(NaiveDate);

impl Date {
    /// `YYYY-MM-DD` (a real calendar date), else `None`. The lengths are checked first:
    /// chrono alone would also take signs, one-digit months and padding.
    pub fn parse(raw: &str) -> Option<Date> {
        let bytes = raw.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().map(Date)
    }

    /// Midnight at the start of this date where the clock is `offset_seconds` ahead of UTC.
    pub fn start_ms(self, offset_seconds: i64) -> i64 {
        let midnight = self.0.and_time(NaiveTime::MIN).and_utc().timestamp_millis();
        midnight - offset_seconds * 1000
    }
}

/// Splits into raw words, keeping quoted phrases together; returns (text, quoted, negated).
fn split(input: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                Some(n) if !n.is_whitespace() => negated = true,
                _ => continue,
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut phrase = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                phrase.push(c);
            }
            out.push((phrase, true, negated));
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            word.push(c);
            chars.next();
        }
        out.push((word, false, negated));
    }
    out
}

pub fn parse(input: &str) -> ParsedSearch {
    let mut parsed = ParsedSearch::default();
    for (raw, quoted, negated) in split(input) {
        if raw.trim().is_empty() {
            continue;
        }
        if quoted {
            let term = Term::Phrase(raw);
            if negated {
                parsed.excluded.push(term);
            } else {
                parsed.terms.push(term);
            }
            continue;
        }
        let lower = raw.to_lowercase();
        if let Some((flag, value)) = lower.split_once(':') {
            let value = value.trim_start_matches('@').to_string();
            let known = matches!(flag, "from" | "in" | "channel" | "before" | "after" | "on");
            if known {
                if value.is_empty() {
                    continue;
                }
                match (flag, negated) {
                    ("from", false) => parsed.from_users.push(value),
                    ("from", true) => parsed.excluded_users.push(value),
                    ("in" | "channel", false) => parsed.in_channels.push(value),
                    ("in" | "channel", true) => parsed.excluded_channels.push(value),
                    ("before", _) => parsed.before = Date::parse(&value).or(parsed.before),
                    ("after", _) => parsed.after = Date::parse(&value).or(parsed.after),
                    _ => parsed.on = Date::parse(&value).or(parsed.on),
                }
                continue;
            }
        }
        if let Some(tag) = lower.strip_prefix('#') {
            if !tag.is_empty() && !negated {
                parsed.hashtags.push(lower.clone());
                continue;
            }
        }
        let term = match raw.strip_suffix('*') {
            Some(stem) => {
                let stem = stem.trim_end_matches('*');
                if stem.is_empty() {
                    continue;
                }
                Term::Prefix(stem.to_string())
            }
            None => Term::Word(raw),
        };
        if negated {
            parsed.excluded.push(term);
        } else {
            parsed.terms.push(term);
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_prefixes_and_exclusions() {
        let p = parse(r#"Hello "red fox" jum* -cat -"big dog" #Launch"#);
        assert_eq!(
            p.terms,
            [
                Term::Word("Hello".into()),
                Term::Phrase("red fox".into()),
                Term::Prefix("jum".into())
            ]
        );
        assert_eq!(
            p.excluded,
            [Term::Word("cat".into()), Term::Phrase("big dog".into())]
        );
        assert_eq!(p.hashtags, ["#launch"]);
    }

    #[test]
    fn flags() {
        let p = parse("from:@Bob in:town-square -from:eve channel:off-topic on:2024-02-29 before:2024-03-01 after:2023-12-31 from:");
        assert_eq!(p.from_users, ["bob"]);
        assert_eq!(p.excluded_users, ["eve"]);
        assert_eq!(p.in_channels, ["town-square", "off-topic"]);
        assert_eq!(
            p.on,
            Some(Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()))
        );
        assert!(p.before.is_some() && p.after.is_some());
        assert!(p.terms.is_empty());
        // An unknown flag is a plain word; lone dashes and stars are nothing.
        let p = parse("http:x - * \"\"");
        assert_eq!(p.terms, [Term::Word("http:x".into())]);
    }

    const DAY_MS: i64 = 86_400_000;

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2024-13-01"), None);
        assert_eq!(Date::parse("24-01-01"), None);
        assert_eq!(Date::parse("2024-1-01"), None);
        assert_eq!(Date::parse("+024-01-01"), None);
        assert_eq!(Date::parse(" 2024-01-1"), None);
        let d = Date::parse("1970-01-02").unwrap();
        assert_eq!(d.start_ms(0), DAY_MS);
        assert_eq!(d.start_ms(3600), DAY_MS - 3_600_000);
        assert_eq!(
            Date::parse("2024-03-01").unwrap().start_ms(0),
            1_709_251_200_000
        );
    }
}
