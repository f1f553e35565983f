use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{is_false, is_zero};

/// Mattermost's `StringMap`.
pub type StringMap = BTreeMap<String, String>;

/// A user as Mattermost serializes it. Fields Mattermost omits when empty are skipped too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct User {
    pub id: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub create_at: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    /// Never serialized back to clients (the password hash is not even loaded into this type).
    #[serde(skip_serializing)]
    pub password: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_data: Option<String>,
    pub auth_service: String,
    pub email: String,
    #[serde(skip_serializing_if = "is_false")]
    pub email_verified: bool,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub roles: String,
    #[serde(skip_serializing_if = "is_false")]
    pub allow_marketing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub props: Option<StringMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub notify_props: Option<StringMap>,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_password_update: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_picture_update: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub failed_attempts: i64,
    pub locale: String,
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub timezone: StringMap,
    #[serde(skip_serializing_if = "is_false")]
    pub mfa_active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_activity_at: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub is_bot: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub bot_description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub terms_of_service_id: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub terms_of_service_create_at: i64,
    pub disable_welcome_email: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_login: i64,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.delete_at == 0
    }

    /// Roles as a list (the wire form is space-separated).
    pub fn role_list(&self) -> impl Iterator<Item = &str> {
        self.roles.split_whitespace()
    }

    pub fn is_system_admin(&self) -> bool {
        self.role_list().any(|r| r == "system_admin")
    }
}

/// Notification settings of a new user, as Mattermost sets them.
pub fn default_notify_props() -> StringMap {
    [
        ("email", "true"),
        ("push", "mention"),
        ("desktop", "mention"),
        ("desktop_sound", "true"),
        ("mention_keys", ""),
        ("channel", "true"),
        ("push_status", "online"),
        ("comments", "never"),
        ("first_name", "false"),
        ("desktop_threads", "all"),
        ("email_threads", "all"),
        ("push_threads", "all"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Time zone settings of a new user.
pub fn default_timezone() -> StringMap {
    [
        ("useAutomaticTimezone", "true"),
        ("automaticTimezone", ""),
        ("manualTimezone", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
