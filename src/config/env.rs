//! `MM_<SECTION>_<KEY>` environment variables, matched case-insensitively to the
//! configuration's PascalCase names and converted to the type of the built-in default.

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};
use serde_json::Value as Json;

use super::Config;

/// Variables the server reads directly from the environment, never from the config file.
pub const ENVIRONMENT_ONLY: [&str; 2] = ["MM_SERVICEENVIRONMENT", "MM_LICENSE"];

/// An `MM_` variable that names no setting: it has no effect, which is worth a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariable {
    pub name: String,
    /// The closest setting's variable, when one is close enough to be a likely typo.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for UnknownVariable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "environment variable {} matches no setting and is ignored",
            self.name
        )?;
        match &self.suggestion {
            Some(suggestion) => write!(f, "; did you mean {suggestion}?"),
            None => write!(
                f,
                " (settings are MM_<SECTION>_<KEY>, e.g. MM_SQLSETTINGS_DATASOURCE)"
            ),
        }
    }
}

/// A figment provider for Mattermost-style environment variables.
pub struct MattermostEnv {
    vars: Vec<(String, String)>,
}

impl MattermostEnv {
    pub fn from_process() -> Self {
        Self::from_vars(std::env::vars())
    }

    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let vars = vars
            .into_iter()
            .filter(|(name, _)| name.to_ascii_uppercase().starts_with("MM_"))
            .collect();
        Self { vars }
    }

    /// Every `MM_` variable that is neither a setting nor environment-only, in name order.
    pub fn unknown(&self) -> Vec<UnknownVariable> {
        let sections = defaults();
        let known: Vec<String> = sections
            .iter()
            .flat_map(|(section, keys)| match keys {
                Json::Object(keys) => keys
                    .keys()
                    .map(|key| format!("MM_{section}_{key}").to_ascii_uppercase())
                    .collect(),
                _ => Vec::new(),
            })
            .chain(ENVIRONMENT_ONLY.iter().map(|v| v.to_string()))
            .collect();
        let mut unknown: Vec<UnknownVariable> = self
            .vars
            .iter()
            .filter(|(name, _)| {
                !ENVIRONMENT_ONLY
                    .iter()
                    .any(|only| only.eq_ignore_ascii_case(name))
                    && lookup(&sections, name).is_none()
            })
            .map(|(name, _)| UnknownVariable {
                name: name.clone(),
                suggestion: closest(&name.to_ascii_uppercase(), &known),
            })
            .collect();
        unknown.sort_by(|a, b| a.name.cmp(&b.name));
        unknown
    }

    fn build(&self) -> Result<Dict, String> {
        let sections = defaults();
        let mut out = Dict::new();
        for (name, raw) in &self.vars {
            // Environment-only and unknown variables are not settings; `unknown` reports the
            // latter.
            let Some((section, key, default)) = lookup(&sections, name) else {
                continue;
            };
            let value = convert(name, raw, default)?;
            let entry = out
                .entry(section.clone())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, dict) = entry {
                dict.insert(key.clone(), value);
            }
        }
        Ok(out)
    }
}

fn defaults() -> serde_json::Map<String, Json> {
    match serde_json::to_value(Config::default()) {
        Ok(Json::Object(sections)) => sections,
        _ => serde_json::Map::new(),
    }
}

/// The section, key and default a variable `MM_<SECTION>_<KEY>` sets, case-insensitively.
fn lookup<'a>(
    sections: &'a serde_json::Map<String, Json>,
    name: &str,
) -> Option<(&'a String, &'a String, &'a Json)> {
    let (section_part, key_part) = name.get(3..)?.split_once('_')?;
    let (section, keys) = sections
        .iter()
        .find(|(section, _)| section.eq_ignore_ascii_case(section_part))?;
    let (key, default) = keys
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(key_part))?;
    Some((section, key, default))
}

/// The known name nearest to `name`, if it is a plausible typo (a few edits away).
fn closest(name: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 8))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn convert(name: &str, raw: &str, default: &Json) -> Result<Value, String> {
    let bad = |allowed: &str| {
        format!("environment variable {name}={raw:?} is invalid: expected {allowed}")
    };
    match default {
        Json::Bool(_) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::from(true)),
            "false" | "0" => Ok(Value::from(false)),
            _ => Err(bad("true or false (1 and 0 are accepted too)")),
        },
        Json::Number(_) => raw
            .trim()
            .parse::<u64>()
            .map(Value::from)
            .or_else(|_| raw.trim().parse::<i64>().map(Value::from))
            .map_err(|_| bad("a whole number")),
        Json::Array(_) => {
            let trimmed = raw.trim();
            let items: Vec<String> = if trimmed.starts_with('[') {
                serde_json::from_str(trimmed).map_err(|_| bad("a JSON array of strings"))?
            } else {
                // Mattermost splits list settings from the environment on spaces.
                trimmed.split_whitespace().map(str::to_string).collect()
            };
            Ok(Value::from(items))
        }
        Json::Object(_) => Err(bad("a scalar setting")),
        _ => Ok(Value::from(raw.to_string())),
    }
}

impl Provider for MattermostEnv {
    fn metadata(&self) -> Metadata {
        Metadata::named("MM_ environment variable")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        Ok(Profile::Default.collect(self.build().map_err(Error::from)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> MattermostEnv {
        MattermostEnv::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn unknown_variables_are_listed_with_a_suggestion() {
        let unknown = env(&[
            ("MM_SQLSETTINGS_DATASOURCE", "x.db"),
            ("mm_servicesettings_siteurl", "http://x"),
            ("MM_SERVICEENVIRONMENT", "dev"),
            ("MM_LICENSE", "..."),
            ("MM_SQLSETTINGS_DATASORCE", "typo.db"),
            ("MM_NOSUCHSECTION_KEY", "x"),
            ("PATH", "/bin"),
        ])
        .unknown();
        let names: Vec<&str> = unknown.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["MM_NOSUCHSECTION_KEY", "MM_SQLSETTINGS_DATASORCE"]);
        assert_eq!(unknown[0].suggestion, None);
        assert_eq!(
            unknown[1].suggestion.as_deref(),
            Some("MM_SQLSETTINGS_DATASOURCE")
        );
        let text = unknown[1].to_string();
        assert!(
            text.contains("did you mean MM_SQLSETTINGS_DATASOURCE"),
            "{text}"
        );
    }

    #[test]
    fn booleans_accept_true_false_one_zero_only() {
        for (raw, expected) in [
            ("true", true),
            ("FALSE", false),
            ("1", true),
            (" 0 ", false),
        ] {
            assert_eq!(
                convert("MM_X_Y", raw, &Json::Bool(false)).unwrap(),
                Value::from(expected),
                "{raw}"
            );
        }
        for raw in ["yes", "no", "on", "off", ""] {
            let err = convert("MM_X_Y", raw, &Json::Bool(false)).unwrap_err();
            assert!(
                err.contains("true or false (1 and 0 are accepted too)"),
                "{err}"
            );
        }
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("abc", "abd"), 1);
        assert_eq!(edit_distance("abc", "ab"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
