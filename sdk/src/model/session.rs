use serde::{Deserialize, Serialize};

use super::StringMap;

/// A login session as Mattermost serializes it. `token` is only ever filled in the login
/// response path; lists blank it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct Session {
    pub id: String,
    pub token: String,
    pub create_at: i64,
    pub expires_at: i64,
    pub last_activity_at: i64,
    pub user_id: String,
    pub device_id: String,
    pub roles: String,
    pub is_oauth: bool,
    pub expired_notify: bool,
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub props: StringMap,
    pub team_members: Vec<serde_json::Value>,
    pub local: bool,
}

/// A personal access token. `token` is only present in the creation response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct UserAccessToken {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    pub user_id: String,
    pub description: String,
    pub is_active: bool,
}
