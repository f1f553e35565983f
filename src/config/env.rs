//! `MM_<SECTION>_<KEY>` environment variables, matched case-insensitively to the
//! configuration's PascalCase names and converted to the type of the built-in default.

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};
use serde_json::Value as Json;

use super::Config;

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

    fn build(&self) -> Result<Dict, String> {
        let defaults = serde_json::to_value(Config::default()).map_err(|e| e.to_string())?;
        let Json::Object(sections) = defaults else {
            return Err("configuration defaults are not an object".to_string());
        };
        let mut out = Dict::new();
        for (name, raw) in &self.vars {
            // Env-only settings (MM_SERVICEENVIRONMENT, MM_LICENSE, ...) have no section.
            let Some((section_part, key_part)) = name[3..].split_once('_') else {
                continue;
            };
            let Some((section, Json::Object(keys))) = sections
                .iter()
                .find(|(section, _)| section.eq_ignore_ascii_case(section_part))
            else {
                continue;
            };
            let Some((key, default)) = keys
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(key_part))
            else {
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

fn convert(name: &str, raw: &str, default: &Json) -> Result<Value, String> {
    let bad = |allowed: &str| {
        format!("environment variable {name}={raw:?} is invalid: expected {allowed}")
    };
    match default {
        Json::Bool(_) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::from(true)),
            "false" | "0" | "no" | "off" => Ok(Value::from(false)),
            _ => Err(bad("true or false")),
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
