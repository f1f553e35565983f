//! Custom terms of service (`custom_terms_of_service`): the capability and its port.
//!
//! Enforcement is the client's: the server stores texts and acceptances and tells clients
//! (client config, the user object) what is in force. API users and bots are never blocked.
//! Without the feature, Mattermost's answers apply: creating terms is refused, no terms are in
//! force, and stored texts and acceptances are left exactly as they are.

use async_trait::async_trait;

use crate::entitlements::Entitlements;
use crate::error::AppError;
use crate::model::{TermsOfService, UserTermsOfService};

/// `SupportSettings` keys of the feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermsSettings {
    /// `SupportSettings.CustomTermsOfServiceEnabled`.
    pub enabled: bool,
    /// `SupportSettings.CustomTermsOfServiceReAcceptancePeriod`, in days.
    pub re_acceptance_period_days: u64,
}

/// The tables of the feature, one transaction per call.
#[async_trait]
pub trait TermsStore: Send + Sync {
    fn now_ms(&self) -> i64;
    /// A new 26-character id.
    fn new_id(&self) -> String;
    async fn insert_terms(&self, terms: &TermsOfService) -> Result<(), AppError>;
    /// The newest text, if any.
    async fn latest_terms(&self) -> Result<Option<TermsOfService>, AppError>;
    async fn terms(&self, id: &str) -> Result<Option<TermsOfService>, AppError>;
    /// Records (or replaces) the user's acceptance.
    async fn save_acceptance(&self, acceptance: &UserTermsOfService) -> Result<(), AppError>;
    /// Forgets the user's acceptance of `terms_id` (a decline).
    async fn delete_acceptance(&self, user_id: &str, terms_id: &str) -> Result<(), AppError>;
    async fn acceptance(&self, user_id: &str) -> Result<Option<UserTermsOfService>, AppError>;
}

/// The custom terms of service capability.
#[async_trait]
pub trait CustomTerms: Send + Sync + 'static {
    /// `POST /api/v4/terms_of_service` (the caller holds `manage_system`). A text equal to the
    /// one in force returns that one instead of a new row, as Mattermost does.
    async fn create(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        user_id: &str,
        text: &str,
    ) -> Result<TermsOfService, AppError>;

    /// `GET /api/v4/terms_of_service`: the text in force.
    async fn latest(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
    ) -> Result<TermsOfService, AppError>;

    /// `POST /api/v4/users/{user_id}/terms_of_service`: accept or decline a text.
    async fn record(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        user_id: &str,
        terms_id: &str,
        accepted: bool,
    ) -> Result<(), AppError>;

    /// The acceptance shown as `terms_of_service_id` / `terms_of_service_create_at` on the
    /// user at login and `users/me`; `None` when the feature is off.
    async fn acceptance(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        user_id: &str,
    ) -> Result<Option<UserTermsOfService>, AppError>;

    /// Client configuration entries (`EnableCustomTermsOfService`, ...); none when off,
    /// as Mattermost leaves them out without a license.
    async fn client_config(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        settings: TermsSettings,
    ) -> Result<Vec<(&'static str, String)>, AppError>;
}

/// Mattermost's errors of the feature.
pub mod errors {
    use crate::error::AppError;

    /// 400: creating terms without a license that grants them.
    pub fn disabled() -> AppError {
        AppError::bad_request(
            "api.create_terms_of_service.custom_terms_of_service_disabled.app_error",
            "Custom terms of service are not available: they need an Enterprise Edition \
             license that grants custom_terms_of_service.",
        )
    }

    /// 400: empty text.
    pub fn empty_text() -> AppError {
        AppError::bad_request(
            "api.create_terms_of_service.empty_text.app_error",
            "Please enter text for your custom terms of service.",
        )
    }

    /// 404: no terms of service (or none in force).
    pub fn not_found() -> AppError {
        AppError::not_found(
            "app.terms_of_service.get.no_rows.app_error",
            "No terms of service found.",
        )
    }
}
