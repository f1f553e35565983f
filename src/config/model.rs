//! The configuration model. Field names serialize to Mattermost's PascalCase keys.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "ServiceSettings")]
    pub service: ServiceSettings,
    #[serde(rename = "TeamSettings")]
    pub team: TeamSettings,
    #[serde(rename = "SqlSettings")]
    pub sql: SqlSettings,
    #[serde(rename = "FileSettings")]
    pub file: FileSettings,
    #[serde(rename = "LogSettings")]
    pub log: LogSettings,
    #[serde(rename = "PasswordSettings")]
    pub password: PasswordSettings,
    #[serde(rename = "PrivacySettings")]
    pub privacy: PrivacySettings,
    #[serde(rename = "EmailSettings")]
    pub email: EmailSettings,
    #[serde(rename = "SupportSettings")]
    pub support: SupportSettings,
    #[serde(rename = "AnnouncementSettings")]
    pub announcement: AnnouncementSettings,
    #[serde(rename = "WebSocketSettings")]
    pub websocket: WebSocketSettings,
    #[serde(rename = "MetricsSettings")]
    pub metrics: MetricsSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSettings {
    #[serde(rename = "SiteURL")]
    pub site_url: String,
    #[serde(rename = "ListenAddress")]
    pub listen_address: String,
    #[serde(rename = "MaximumPayloadSizeBytes")]
    pub maximum_payload_size_bytes: u64,
    #[serde(rename = "EnableDeveloper")]
    pub enable_developer: bool,
    #[serde(rename = "ReadTimeout")]
    pub read_timeout: u64,
    #[serde(rename = "IdleTimeout")]
    pub idle_timeout: u64,
    #[serde(rename = "GracefulShutdownTimeoutSeconds")]
    pub graceful_shutdown_timeout_seconds: u64,
    #[serde(rename = "TrustedProxyIPHeader")]
    pub trusted_proxy_ip_header: Vec<String>,
    #[serde(rename = "EnableUserAccessTokens")]
    pub enable_user_access_tokens: bool,
    #[serde(rename = "EnableBotAccountCreation")]
    pub enable_bot_account_creation: bool,
    #[serde(rename = "EnableCustomEmoji")]
    pub enable_custom_emoji: bool,
    #[serde(rename = "SessionLengthWebInHours")]
    pub session_length_web_in_hours: u64,
    #[serde(rename = "SessionLengthMobileInHours")]
    pub session_length_mobile_in_hours: u64,
    #[serde(rename = "SessionLengthSSOInHours")]
    pub session_length_sso_in_hours: u64,
    #[serde(rename = "ExtendSessionLengthWithActivity")]
    pub extend_session_length_with_activity: bool,
    #[serde(rename = "SessionCacheInMinutes")]
    pub session_cache_in_minutes: u64,
    /// Seconds between checks for due post reminders (Townsquare-specific; Mattermost checks
    /// every 5 minutes).
    #[serde(rename = "PostReminderIntervalSeconds")]
    pub post_reminder_interval_seconds: u64,
    #[serde(rename = "MaximumLoginAttempts")]
    pub maximum_login_attempts: u64,
    #[serde(rename = "ExperimentalStrictCSRFEnforcement")]
    pub experimental_strict_csrf_enforcement: bool,
    #[serde(rename = "LicenseFileLocation")]
    pub license_file_location: String,
    #[serde(rename = "AllowSyncedDrafts")]
    pub allow_synced_drafts: bool,
    #[serde(rename = "ScheduledPosts")]
    pub scheduled_posts: bool,
    /// Seconds between two looks for due scheduled posts (Townsquare's own key).
    #[serde(rename = "ScheduledPostsCheckIntervalSeconds")]
    pub scheduled_posts_check_interval_seconds: u64,
    /// `GET /redirect_location` answers (it makes an outbound request); off, it answers "".
    #[serde(rename = "EnableLinkPreviews")]
    pub enable_link_previews: bool,
    /// Hosts, IPs and CIDRs (space or comma separated) outbound requests may reach although
    /// they are internal (loopback, private, link-local).
    #[serde(rename = "AllowedUntrustedInternalConnections")]
    pub allowed_untrusted_internal_connections: String,
    #[serde(rename = "EnableFileSearch")]
    pub enable_file_search: bool,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            site_url: String::new(),
            listen_address: ":8065".into(),
            maximum_payload_size_bytes: 300_000,
            enable_developer: false,
            read_timeout: 300,
            idle_timeout: 60,
            graceful_shutdown_timeout_seconds: 10,
            trusted_proxy_ip_header: Vec::new(),
            enable_user_access_tokens: false,
            enable_bot_account_creation: false,
            enable_custom_emoji: true,
            session_length_web_in_hours: 720,
            session_length_mobile_in_hours: 720,
            session_length_sso_in_hours: 720,
            extend_session_length_with_activity: true,
            session_cache_in_minutes: 10,
            post_reminder_interval_seconds: 60,
            maximum_login_attempts: 10,
            experimental_strict_csrf_enforcement: false,
            license_file_location: String::new(),
            allow_synced_drafts: true,
            scheduled_posts: true,
            scheduled_posts_check_interval_seconds: 5,
            enable_link_previews: true,
            allowed_untrusted_internal_connections: String::new(),
            enable_file_search: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamSettings {
    #[serde(rename = "SiteName")]
    pub site_name: String,
    #[serde(rename = "EnableUserCreation")]
    pub enable_user_creation: bool,
    #[serde(rename = "EnableOpenServer")]
    pub enable_open_server: bool,
    #[serde(rename = "MaxUsersPerTeam")]
    pub max_users_per_team: u64,
}

impl Default for TeamSettings {
    fn default() -> Self {
        Self {
            site_name: "Townsquare".into(),
            enable_user_creation: true,
            enable_open_server: false,
            max_users_per_team: 50,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqlDriver {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SqlSettings {
    /// `sqlite` or `postgres`. A `postgres://` data source selects PostgreSQL regardless.
    #[serde(rename = "DriverName")]
    pub driver_name: String,
    /// A file path (or `sqlite://` URL) for SQLite, a `postgres://` URL for PostgreSQL.
    #[serde(rename = "DataSource")]
    pub data_source: String,
    #[serde(rename = "MaxOpenConns")]
    pub max_open_conns: u32,
    #[serde(rename = "QueryTimeout")]
    pub query_timeout: u64,
    /// Seconds to wait for a database connection before answering 503.
    #[serde(rename = "ConnectTimeoutSeconds")]
    pub connect_timeout_seconds: u64,
    /// SQLite `synchronous` pragma: `full` (default, durable) or `normal`.
    #[serde(rename = "SqliteSynchronous")]
    pub sqlite_synchronous: String,
}

impl Default for SqlSettings {
    fn default() -> Self {
        Self {
            driver_name: "sqlite".into(),
            data_source: "./data/townsquare.db".into(),
            max_open_conns: 20,
            query_timeout: 30,
            connect_timeout_seconds: 5,
            sqlite_synchronous: "full".into(),
        }
    }
}

impl SqlSettings {
    /// The driver actually used: the data source's scheme wins over `DriverName`.
    pub fn driver(&self) -> Option<SqlDriver> {
        let source = self.data_source.trim();
        if source.starts_with("postgres://") || source.starts_with("postgresql://") {
            return Some(SqlDriver::Postgres);
        }
        match self.driver_name.trim().to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Some(SqlDriver::Sqlite),
            "postgres" | "postgresql" => Some(SqlDriver::Postgres),
            _ => None,
        }
    }

    /// The data source with any password replaced, safe to log.
    pub fn redacted_data_source(&self) -> String {
        match url::Url::parse(&self.data_source) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("xxxxx"));
                url.to_string()
            }
            _ => self.data_source.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileSettings {
    #[serde(rename = "DriverName")]
    pub driver_name: String,
    #[serde(rename = "Directory")]
    pub directory: String,
    #[serde(rename = "MaxFileSize")]
    pub max_file_size: u64,
    #[serde(rename = "EnableFileAttachments")]
    pub enable_file_attachments: bool,
    #[serde(rename = "EnablePublicLink")]
    pub enable_public_link: bool,
    /// Key of the public link hashes; empty: generated at first start and kept in the
    /// database (`systems`), so links survive restarts.
    #[serde(rename = "PublicLinkSalt")]
    pub public_link_salt: String,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            driver_name: "local".into(),
            directory: "./data/".into(),
            max_file_size: 104_857_600,
            enable_file_attachments: true,
            enable_public_link: false,
            public_link_salt: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    #[serde(rename = "EnableConsole")]
    pub enable_console: bool,
    #[serde(rename = "ConsoleLevel")]
    pub console_level: String,
    #[serde(rename = "ConsoleJson")]
    pub console_json: bool,
    #[serde(rename = "EnableFile")]
    pub enable_file: bool,
    #[serde(rename = "FileLevel")]
    pub file_level: String,
    #[serde(rename = "FileJson")]
    pub file_json: bool,
    /// Directory for `townsquare.log`; empty means `./logs`.
    #[serde(rename = "FileLocation")]
    pub file_location: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            enable_console: true,
            console_level: "INFO".into(),
            console_json: false,
            enable_file: false,
            file_level: "INFO".into(),
            file_json: true,
            file_location: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordSettings {
    #[serde(rename = "MinimumLength")]
    pub minimum_length: u64,
    #[serde(rename = "Lowercase")]
    pub lowercase: bool,
    #[serde(rename = "Number")]
    pub number: bool,
    #[serde(rename = "Uppercase")]
    pub uppercase: bool,
    #[serde(rename = "Symbol")]
    pub symbol: bool,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            lowercase: false,
            number: false,
            uppercase: false,
            symbol: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacySettings {
    #[serde(rename = "ShowEmailAddress")]
    pub show_email_address: bool,
    #[serde(rename = "ShowFullName")]
    pub show_full_name: bool,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            show_email_address: true,
            show_full_name: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    #[serde(rename = "EnableSignUpWithEmail")]
    pub enable_sign_up_with_email: bool,
    #[serde(rename = "EnableSignInWithEmail")]
    pub enable_sign_in_with_email: bool,
    #[serde(rename = "EnableSignInWithUsername")]
    pub enable_sign_in_with_username: bool,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            enable_sign_up_with_email: true,
            enable_sign_in_with_email: true,
            enable_sign_in_with_username: true,
        }
    }
}

/// Support links and custom terms of service. The terms settings take effect only with a
/// license that grants `custom_terms_of_service`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupportSettings {
    #[serde(rename = "CustomTermsOfServiceEnabled")]
    pub custom_terms_of_service_enabled: bool,
    /// Days after which users must accept the terms again.
    #[serde(rename = "CustomTermsOfServiceReAcceptancePeriod")]
    pub custom_terms_of_service_re_acceptance_period: u64,
}

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            custom_terms_of_service_enabled: false,
            custom_terms_of_service_re_acceptance_period: 365,
        }
    }
}

/// The site-wide announcement banner. Takes effect only with a license that grants
/// `announcement`; otherwise the settings are kept and clients see no banner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnouncementSettings {
    #[serde(rename = "EnableBanner")]
    pub enable_banner: bool,
    #[serde(rename = "BannerText")]
    pub banner_text: String,
    #[serde(rename = "BannerColor")]
    pub banner_color: String,
    #[serde(rename = "BannerTextColor")]
    pub banner_text_color: String,
    #[serde(rename = "AllowBannerDismissal")]
    pub allow_banner_dismissal: bool,
}

impl Default for AnnouncementSettings {
    fn default() -> Self {
        Self {
            enable_banner: false,
            banner_text: String::new(),
            banner_color: "#f2a93b".into(),
            banner_text_color: "#333333".into(),
            allow_banner_dismissal: true,
        }
    }
}

/// Real-time delivery over `/api/v4/websocket` (Townsquare-specific; Mattermost hard-codes
/// most of these). Defaults follow Mattermost's behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSocketSettings {
    /// Seconds a dropped connection's missed events are kept for a resume; 0 disables resume.
    #[serde(rename = "ResumeWindowSeconds")]
    pub resume_window_seconds: u64,
    /// Events buffered per connection; a reader that falls this far behind is disconnected.
    #[serde(rename = "SendQueueSize")]
    pub send_queue_size: u64,
    /// Upgrades being authenticated at once; more get 503 with `Retry-After`.
    #[serde(rename = "MaxConcurrentUpgrades")]
    pub max_concurrent_upgrades: u64,
    /// Seconds between server ping frames.
    #[serde(rename = "PingIntervalSeconds")]
    pub ping_interval_seconds: u64,
    /// Seconds without any inbound frame (pongs count) before a peer is considered dead.
    #[serde(rename = "ReadTimeoutSeconds")]
    pub read_timeout_seconds: u64,
    /// Seconds one frame write may take before the peer is disconnected.
    #[serde(rename = "WriteTimeoutSeconds")]
    pub write_timeout_seconds: u64,
    /// Seconds an unauthenticated socket may stay open.
    #[serde(rename = "AuthTimeoutSeconds")]
    pub auth_timeout_seconds: u64,
    /// Largest inbound message in KiB.
    #[serde(rename = "MaxMessageSizeKb")]
    pub max_message_size_kb: u64,
}

impl Default for WebSocketSettings {
    fn default() -> Self {
        Self {
            resume_window_seconds: 60,
            send_queue_size: 256,
            max_concurrent_upgrades: 512,
            ping_interval_seconds: 60,
            read_timeout_seconds: 100,
            write_timeout_seconds: 30,
            auth_timeout_seconds: 5,
            max_message_size_kb: 8,
        }
    }
}

/// Metrics (Mattermost's `MetricsSettings`; only the client performance switch so far).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Accept client performance reports (`POST /api/v4/client_perf`); off, they are dropped.
    #[serde(rename = "EnableClientMetrics")]
    pub enable_client_metrics: bool,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enable_client_metrics: true,
        }
    }
}
