use serde::{Deserialize, Serialize};

/// Custom terms of service, as Mattermost serializes them. A new text is a new row; the
/// newest row is the one in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct TermsOfService {
    pub id: String,
    pub create_at: i64,
    /// Who wrote this text.
    pub user_id: String,
    pub text: String,
}

/// A user's acceptance of a terms of service text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct UserTermsOfService {
    pub user_id: String,
    pub terms_of_service_id: String,
    pub create_at: i64,
}
