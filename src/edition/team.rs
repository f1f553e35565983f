//! Team Edition implementations of every extension point.

use std::sync::Arc;

use async_trait::async_trait;
use townsquare_sdk::announcement::{unlicensed_banner_config, AnnouncementBanner, BannerSettings};
use townsquare_sdk::licensing::LoadMode;
use townsquare_sdk::model::{TermsOfService, UserTermsOfService};
use townsquare_sdk::terms::{errors, CustomTerms, TermsSettings, TermsStore};
use townsquare_sdk::{
    AppError, Edition, EditionInfo, Entitlements, Extensions, LicenseError, LicenseHost,
    LicenseOrigin, LicensePreview, LicenseProblem, LicenseSnapshot, Licensing,
};

pub struct TeamEditionInfo;

impl EditionInfo for TeamEditionInfo {
    fn edition(&self) -> Edition {
        Edition::Team
    }
}

/// Team Edition holds no license: it never grants anything, refuses uploads and removals
/// with 501, and leaves stored license rows exactly as they are.
pub struct TeamLicensing;

#[async_trait]
impl Licensing for TeamLicensing {
    async fn load(&self, host: &dyn LicenseHost, _mode: LoadMode) -> LicenseSnapshot {
        let mut snapshot = LicenseSnapshot::new(Entitlements::team());
        if host.environment_license().is_some() {
            snapshot.problems.push(LicenseProblem::new(
                LicenseOrigin::Environment,
                &LicenseError::TeamEditionBuild.into(),
            ));
        }
        snapshot
    }

    async fn upload(
        &self,
        _host: &dyn LicenseHost,
        _bytes: &[u8],
    ) -> Result<LicenseSnapshot, AppError> {
        Err(LicenseError::TeamEditionBuild.into())
    }

    async fn preview(
        &self,
        _host: &dyn LicenseHost,
        _bytes: &[u8],
    ) -> Result<LicensePreview, AppError> {
        Err(LicenseError::TeamEditionBuild.into())
    }

    async fn remove(&self, _host: &dyn LicenseHost) -> Result<LicenseSnapshot, AppError> {
        Err(LicenseError::TeamEditionBuild.into())
    }

    async fn check_seat_available(
        &self,
        _host: &dyn LicenseHost,
        _entitlements: &Entitlements,
    ) -> Result<(), AppError> {
        Ok(())
    }
}

/// Without the feature no terms are in force: creating them is refused as Mattermost does,
/// nothing is enforced, and stored texts and acceptances are never read or written.
pub struct TeamTerms;

#[async_trait]
impl CustomTerms for TeamTerms {
    async fn create(
        &self,
        _store: &dyn TermsStore,
        _entitlements: &Entitlements,
        _user_id: &str,
        _text: &str,
    ) -> Result<TermsOfService, AppError> {
        Err(errors::disabled())
    }

    async fn latest(
        &self,
        _store: &dyn TermsStore,
        _entitlements: &Entitlements,
    ) -> Result<TermsOfService, AppError> {
        Err(errors::not_found())
    }

    async fn record(
        &self,
        _store: &dyn TermsStore,
        _entitlements: &Entitlements,
        _user_id: &str,
        _terms_id: &str,
        _accepted: bool,
    ) -> Result<(), AppError> {
        Err(errors::not_found())
    }

    async fn acceptance(
        &self,
        _store: &dyn TermsStore,
        _entitlements: &Entitlements,
        _user_id: &str,
    ) -> Result<Option<UserTermsOfService>, AppError> {
        Ok(None)
    }

    async fn client_config(
        &self,
        _store: &dyn TermsStore,
        _entitlements: &Entitlements,
        _settings: TermsSettings,
    ) -> Result<Vec<(&'static str, String)>, AppError> {
        Ok(Vec::new())
    }
}

/// Without the feature the banner keys carry Mattermost's unlicensed defaults.
pub struct TeamBanner;

impl AnnouncementBanner for TeamBanner {
    fn client_config(
        &self,
        _entitlements: &Entitlements,
        _settings: &BannerSettings,
    ) -> Vec<(&'static str, String)> {
        unlicensed_banner_config()
    }
}

pub fn extensions() -> Extensions {
    Extensions {
        edition: Arc::new(TeamEditionInfo),
        licensing: Arc::new(TeamLicensing),
        custom_terms: Arc::new(TeamTerms),
        announcement: Arc::new(TeamBanner),
    }
}
