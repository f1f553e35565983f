//! Layering of configuration sources.

use std::path::{Path, PathBuf};

use figment::providers::{Format, Json, Serialized, Toml};
use figment::Figment;

use super::{validate, Config, ConfigError, MattermostEnv};

/// The default config file, used when present and no `--config` is given.
pub const DEFAULT_CONFIG_PATH: &str = "config/townsquare.toml";

/// Where the configuration came from, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Defaults,
    File(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    #[error("config file {0} must end in .toml or .json")]
    UnknownFormat(PathBuf),
    #[error("invalid configuration: {}", describe_figment(.0))]
    Figment(Box<figment::Error>),
    // Not a `#[from]` source: the message is already in ours, and error chains (`{:#}`) would
    // print it twice.
    #[error("invalid configuration: {0}")]
    Invalid(ConfigError),
}

impl From<ConfigError> for LoadError {
    fn from(err: ConfigError) -> Self {
        LoadError::Invalid(err)
    }
}

/// One line per problem, each naming the key (`Section.Key`, without figment's profile prefix),
/// the value when there is one, what is allowed, and the file it came from.
fn describe_figment(error: &figment::Error) -> String {
    let mut lines: Vec<String> = Vec::new();
    for error in error.clone() {
        let key = error.path.join(".");
        let source = error
            .metadata
            .as_ref()
            .and_then(|md| md.source.as_ref())
            .map(|source| format!(" (in {source})"))
            .unwrap_or_default();
        let line = match &error.kind {
            // Our own messages (environment variables) already say everything.
            figment::error::Kind::Message(message) if key.is_empty() => message.clone(),
            figment::error::Kind::InvalidType(actual, expected)
            | figment::error::Kind::InvalidValue(actual, expected) => format!(
                "{key} = {actual} is not allowed: expected {}{source}",
                plain_expectation(expected)
            ),
            figment::error::Kind::UnknownField(field, known) => {
                let full = if key.is_empty() {
                    field.clone()
                } else if key.ends_with(field.as_str()) {
                    key.clone()
                } else {
                    format!("{key}.{field}")
                };
                format!(
                    "unknown key {full}{source}; the keys of this section are: {}",
                    known.join(", ")
                )
            }
            kind if key.is_empty() => format!("{kind}{source}"),
            kind => format!("{key}: {kind}{source}"),
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines.join("; ")
}

/// serde's type names in words an admin knows.
fn plain_expectation(expected: &str) -> String {
    let integer = [
        "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "usize", "isize",
    ];
    if integer.iter().any(|t| expected.contains(t)) {
        "a whole number".to_owned()
    } else if expected.contains("bool") {
        "true or false".to_owned()
    } else {
        expected.to_owned()
    }
}

/// Loads and validates the configuration.
///
/// `explicit` is the `--config` flag (which must exist); `env` the process environment;
/// `overrides` a partial configuration from command-line flags, applied last.
pub fn load(
    explicit: Option<&Path>,
    env: MattermostEnv,
    overrides: serde_json::Value,
) -> Result<(Config, ConfigSource), LoadError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    let mut source = ConfigSource::Defaults;
    let file = match explicit {
        Some(path) if !path.exists() => return Err(LoadError::Missing(path.to_path_buf())),
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from(DEFAULT_CONFIG_PATH)).filter(|p| p.exists()),
    };
    if let Some(path) = file {
        figment = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => figment.merge(Toml::file_exact(&path)),
            Some("json") => figment.merge(Json::file_exact(&path)),
            _ => return Err(LoadError::UnknownFormat(path)),
        };
        source = ConfigSource::File(path);
    }
    figment = figment.merge(env).merge(Serialized::defaults(overrides));
    let config: Config = figment
        .extract()
        .map_err(|e| LoadError::Figment(Box::new(e)))?;
    validate(&config)?;
    Ok((config, source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(vars: &[(&str, &str)]) -> MattermostEnv {
        MattermostEnv::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn env_maps_case_insensitively_to_pascal_case_keys() {
        let (config, _) = load(
            None,
            env(&[
                ("MM_SQLSETTINGS_DATASOURCE", "postgres://u@h/db"),
                ("mm_servicesettings_siteurl", "https://chat.example.com"),
                ("MM_SERVICESETTINGS_MAXIMUMPAYLOADSIZEBYTES", "1234"),
                ("MM_TEAMSETTINGS_ENABLEOPENSERVER", "true"),
                (
                    "MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER",
                    "X-Forwarded-For X-Real-IP",
                ),
                ("MM_SERVICEENVIRONMENT", "test"),
                ("MM_NOSUCHSECTION_KEY", "ignored"),
            ]),
            json!({}),
        )
        .unwrap();
        assert_eq!(config.sql.data_source, "postgres://u@h/db");
        assert_eq!(config.service.site_url, "https://chat.example.com");
        assert_eq!(config.service.maximum_payload_size_bytes, 1234);
        assert!(config.team.enable_open_server);
        assert_eq!(
            config.service.trusted_proxy_ip_header,
            vec!["X-Forwarded-For", "X-Real-IP"]
        );
    }

    #[test]
    fn env_value_of_wrong_type_names_the_variable() {
        let err = load(
            None,
            env(&[("MM_TEAMSETTINGS_ENABLEOPENSERVER", "maybe")]),
            json!({}),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("MM_TEAMSETTINGS_ENABLEOPENSERVER"), "{text}");
        assert!(text.contains("true or false"), "{text}");
    }

    #[test]
    fn flags_override_env_which_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[ServiceSettings]\nListenAddress = \":1000\"\nSiteURL = \"http://file\"\n[TeamSettings]\nSiteName = \"File\"\n",
        )
        .unwrap();
        let (config, source) = load(
            Some(&path),
            env(&[
                ("MM_SERVICESETTINGS_LISTENADDRESS", ":2000"),
                ("MM_TEAMSETTINGS_SITENAME", "Env"),
            ]),
            json!({"ServiceSettings": {"ListenAddress": ":3000"}}),
        )
        .unwrap();
        assert_eq!(source, ConfigSource::File(path));
        assert_eq!(config.service.listen_address, ":3000");
        assert_eq!(config.team.site_name, "Env");
        assert_eq!(config.service.site_url, "http://file");
    }

    #[test]
    fn json_files_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(&path, r#"{"SqlSettings": {"SqliteSynchronous": "normal"}}"#).unwrap();
        let (config, _) = load(Some(&path), env(&[]), json!({})).unwrap();
        assert_eq!(config.sql.sqlite_synchronous, "normal");
    }

    #[test]
    fn explicit_missing_file_is_an_error() {
        let err = load(
            Some(Path::new("/nonexistent/townsquare.toml")),
            env(&[]),
            json!({}),
        )
        .unwrap_err();
        assert!(matches!(err, LoadError::Missing(_)));
    }

    #[test]
    fn unknown_key_in_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[ServiceSettings]\nListenAdress = \":1\"\n").unwrap();
        let err = load(Some(&path), env(&[]), json!({}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("ListenAdress"), "{err}");
        assert!(
            err.contains("unknown key ServiceSettings.ListenAdress "),
            "{err}"
        );
        assert!(!err.contains("default."), "{err}");
    }

    #[test]
    fn env_error_is_printed_once_without_profile_prefix() {
        let err = load(
            None,
            env(&[("MM_SQLSETTINGS_MAXOPENCONNS", "ten")]),
            json!({}),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err.matches("MM_SQLSETTINGS_MAXOPENCONNS").count(),
            1,
            "{err}"
        );
        assert!(!err.contains("default."), "{err}");
        assert!(err.contains("\"ten\""), "{err}");
        assert!(err.contains("a whole number"), "{err}");
    }

    #[test]
    fn file_type_error_names_key_value_and_allowed_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[TeamSettings]\nEnableOpenServer = \"yes\"\n").unwrap();
        let err = load(Some(&path), env(&[]), json!({}))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err.matches("TeamSettings.EnableOpenServer").count(),
            1,
            "{err}"
        );
        assert!(!err.contains("default."), "{err}");
        assert!(err.contains("yes"), "{err}");
        assert!(err.contains("true or false"), "{err}");
    }

    #[test]
    fn bad_value_names_key_value_and_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[SqlSettings]\nSqliteSynchronous = \"sometimes\"\n").unwrap();
        let err = load(Some(&path), env(&[]), json!({}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SqlSettings.SqliteSynchronous"), "{err}");
        assert!(err.contains("sometimes"), "{err}");
        assert!(err.contains("full"), "{err}");
        // Shown as an error chain (as `main` does), the message appears once.
        let chained = format!(
            "{:#}",
            anyhow::Error::new(load(Some(&path), env(&[]), json!({})).unwrap_err())
        );
        assert_eq!(chained.matches("sometimes").count(), 1, "{chained}");
    }
}

#[cfg(test)]
mod example_file {
    use std::collections::BTreeMap;

    use super::*;

    type Sections = BTreeMap<String, BTreeMap<String, figment::value::Value>>;

    /// `config/townsquare.toml` documents every key, with the built-in default.
    #[test]
    fn example_config_lists_every_key_with_its_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CONFIG_PATH);
        let file: Sections = Figment::from(Toml::file_exact(&path)).extract().unwrap();
        let defaults = serde_json::to_value(Config::default()).unwrap();
        for (section, keys) in defaults.as_object().unwrap() {
            let table = file
                .get(section)
                .unwrap_or_else(|| panic!("[{section}] missing from {}", path.display()));
            for key in keys.as_object().unwrap().keys() {
                assert!(
                    table.contains_key(key),
                    "{section}.{key} missing from {}",
                    path.display()
                );
            }
        }
        let (config, _) = load(
            Some(&path),
            MattermostEnv::from_vars(Vec::new()),
            serde_json::json!({}),
        )
        .unwrap();
        assert_eq!(config, Config::default(), "example values are the defaults");
    }
}
