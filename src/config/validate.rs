//! Semantic checks that serde cannot express. Each error names the key, the value and what
//! is allowed, so an admin can fix the file without reading code.

use super::{Config, SqlDriver};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key} = {value:?} is not allowed: expected {allowed}")]
pub struct ConfigError {
    pub key: String,
    pub value: String,
    pub allowed: String,
}

fn check(ok: bool, key: &str, value: impl ToString, allowed: &str) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            key: key.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        })
    }
}

const LEVELS: [&str; 5] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

pub fn validate(config: &Config) -> Result<(), ConfigError> {
    let service = &config.service;
    check(
        parse_listen_address(&service.listen_address).is_some(),
        "ServiceSettings.ListenAddress",
        &service.listen_address,
        "HOST:PORT or :PORT, e.g. \":8065\"",
    )?;
    check(
        service.site_url.is_empty()
            || url::Url::parse(&service.site_url)
                .map(|u| matches!(u.scheme(), "http" | "https"))
                .unwrap_or(false),
        "ServiceSettings.SiteURL",
        &service.site_url,
        "empty or an http(s) URL",
    )?;
    check(
        service.maximum_payload_size_bytes >= 1024,
        "ServiceSettings.MaximumPayloadSizeBytes",
        service.maximum_payload_size_bytes,
        "at least 1024",
    )?;
    check(
        service.session_length_web_in_hours > 0,
        "ServiceSettings.SessionLengthWebInHours",
        service.session_length_web_in_hours,
        "at least 1",
    )?;
    check(
        service.maximum_login_attempts > 0,
        "ServiceSettings.MaximumLoginAttempts",
        service.maximum_login_attempts,
        "at least 1",
    )?;
    check(
        service.scheduled_posts_check_interval_seconds > 0,
        "ServiceSettings.ScheduledPostsCheckIntervalSeconds",
        service.scheduled_posts_check_interval_seconds,
        "at least 1",
    )?;
    check(
        (1..=86_400).contains(&service.post_reminder_interval_seconds),
        "ServiceSettings.PostReminderIntervalSeconds",
        service.post_reminder_interval_seconds,
        "1 to 86400",
    )?;

    let sql = &config.sql;
    check(
        sql.driver().is_some(),
        "SqlSettings.DriverName",
        &sql.driver_name,
        "sqlite or postgres",
    )?;
    if sql.driver() == Some(SqlDriver::Postgres) {
        check(
            sql.data_source.starts_with("postgres://")
                || sql.data_source.starts_with("postgresql://"),
            "SqlSettings.DataSource",
            sql.redacted_data_source(),
            "a postgres:// URL when DriverName is postgres",
        )?;
    } else {
        check(
            !sql.data_source.trim().is_empty(),
            "SqlSettings.DataSource",
            &sql.data_source,
            "a file path for the SQLite database",
        )?;
    }
    check(
        ["full", "normal", "extra"].contains(&sql.sqlite_synchronous.to_ascii_lowercase().as_str()),
        "SqlSettings.SqliteSynchronous",
        &sql.sqlite_synchronous,
        "full, extra or normal",
    )?;
    check(
        (1..=1000).contains(&sql.max_open_conns),
        "SqlSettings.MaxOpenConns",
        sql.max_open_conns,
        "1 to 1000",
    )?;
    check(
        sql.connect_timeout_seconds >= 1,
        "SqlSettings.ConnectTimeoutSeconds",
        sql.connect_timeout_seconds,
        "at least 1",
    )?;

    check(
        config.file.driver_name == "local",
        "FileSettings.DriverName",
        &config.file.driver_name,
        "local",
    )?;
    // As Mattermost: a set salt has at least 32 characters. The value itself is not shown.
    let salt = config.file.public_link_salt.chars().count();
    check(
        salt == 0 || salt >= 32,
        "FileSettings.PublicLinkSalt",
        format!("({salt} characters)"),
        "empty (generated) or at least 32 characters",
    )?;

    let log = &config.log;
    check(
        LEVELS.contains(&log.console_level.to_ascii_uppercase().as_str()),
        "LogSettings.ConsoleLevel",
        &log.console_level,
        "TRACE, DEBUG, INFO, WARN or ERROR",
    )?;
    check(
        LEVELS.contains(&log.file_level.to_ascii_uppercase().as_str()),
        "LogSettings.FileLevel",
        &log.file_level,
        "TRACE, DEBUG, INFO, WARN or ERROR",
    )?;

    let password = &config.password;
    check(
        (5..=72).contains(&password.minimum_length),
        "PasswordSettings.MinimumLength",
        password.minimum_length,
        "5 to 72",
    )?;

    let ws = &config.websocket;
    for (key, value, range) in [
        ("SendQueueSize", ws.send_queue_size, 1..=1_000_000),
        (
            "MaxConcurrentUpgrades",
            ws.max_concurrent_upgrades,
            1..=1_000_000,
        ),
        ("PingIntervalSeconds", ws.ping_interval_seconds, 1..=3_600),
        ("ReadTimeoutSeconds", ws.read_timeout_seconds, 1..=3_600),
        ("WriteTimeoutSeconds", ws.write_timeout_seconds, 1..=3_600),
        ("AuthTimeoutSeconds", ws.auth_timeout_seconds, 1..=3_600),
        ("MaxMessageSizeKb", ws.max_message_size_kb, 1..=1_024),
        ("ResumeWindowSeconds", ws.resume_window_seconds, 0..=86_400),
    ] {
        check(
            range.contains(&value),
            &format!("WebSocketSettings.{key}"),
            value,
            &format!("{} to {}", range.start(), range.end()),
        )?;
    }
    Ok(())
}

/// Parses Mattermost's listen address form: `:PORT` means every interface.
pub fn parse_listen_address(address: &str) -> Option<std::net::SocketAddr> {
    let address = address.trim();
    let full = if address.starts_with(':') {
        format!("0.0.0.0{address}")
    } else if address.starts_with("localhost:") {
        address.replacen("localhost", "127.0.0.1", 1)
    } else {
        address.to_string()
    };
    full.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_address_forms() {
        assert_eq!(parse_listen_address(":8065").unwrap().port(), 8065);
        assert!(parse_listen_address("127.0.0.1:0").is_some());
        assert!(parse_listen_address("localhost:9").is_some());
        assert!(parse_listen_address("[::1]:80").is_some());
        assert!(parse_listen_address("8065").is_none());
    }

    #[test]
    fn defaults_are_valid() {
        validate(&Config::default()).unwrap();
    }

    #[test]
    fn driver_from_data_source() {
        let mut config = Config::default();
        config.sql.data_source = "postgres://x@y/z".into();
        assert_eq!(config.sql.driver(), Some(SqlDriver::Postgres));
        config.sql.driver_name = "mysql".into();
        config.sql.data_source = "./x.db".into();
        let err = validate(&config).unwrap_err();
        assert_eq!(err.key, "SqlSettings.DriverName");
    }

    #[test]
    fn redacts_password() {
        let mut config = Config::default();
        config.sql.data_source = "postgres://user:secret@db/townsquare".into();
        let shown = config.sql.redacted_data_source();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
