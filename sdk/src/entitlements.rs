//! What this server may do right now: the edition, the license in force and its state.
//!
//! Core keeps one `Arc<Entitlements>` in an `ArcSwap` and replaces it on upload, removal,
//! cluster messages and the expiry timer. Every request reads it without locking.

use std::sync::Arc;

use serde::Serialize;

use crate::edition::Edition;
use crate::feature::{Feature, FeatureSet};
use crate::license::{unlicensed_client_map, ClientLicense, License, LicenseState};

/// Where the license in force came from (shown in the admin view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseSource {
    /// The `MM_LICENSE` environment variable; uploads and removals are refused.
    Environment,
    /// The active row of the `licenses` table (including one imported from
    /// `ServiceSettings.LicenseFileLocation`).
    Database,
}

/// A verified license and what is known about it at the evaluation instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledLicense {
    pub license: Arc<License>,
    pub source: LicenseSource,
    /// Signed with a development key: core warns at start and the admin view flags it.
    pub is_development: bool,
    pub state: LicenseState,
    /// The instant `state` was computed for, ms since the epoch.
    pub evaluated_at_ms: i64,
}

/// A snapshot of what the server may do.
///
/// `allows` is one bit test against a set computed at construction, so the state is that of
/// `evaluated_at_ms`: re-evaluate (see [`Entitlements::re_evaluated`]) on a timer, at the
/// latest at [`Entitlements::next_change_at_ms`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlements {
    edition: Edition,
    license: Option<InstalledLicense>,
    allowed: FeatureSet,
}

impl Entitlements {
    /// The Team Edition build: nothing is licensed, ever.
    pub fn team() -> Self {
        Self::unlicensed(Edition::Team)
    }

    /// A build of `edition` without a license in force ("team mode" for Enterprise).
    pub fn unlicensed(edition: Edition) -> Self {
        Entitlements {
            edition,
            license: None,
            allowed: FeatureSet::EMPTY,
        }
    }

    /// A verified license, evaluated at `now_ms`.
    ///
    /// Verification is the caller's job (the enterprise crate); this only applies the rules.
    pub fn licensed(
        edition: Edition,
        license: Arc<License>,
        source: LicenseSource,
        is_development: bool,
        now_ms: i64,
    ) -> Self {
        let state = license.state_at(now_ms);
        let allowed = if edition == Edition::Enterprise && state.features_on() {
            license.features.granted()
        } else {
            FeatureSet::EMPTY
        };
        Entitlements {
            edition,
            license: Some(InstalledLicense {
                license,
                source,
                is_development,
                state,
                evaluated_at_ms: now_ms,
            }),
            allowed,
        }
    }

    /// The same license evaluated at `now_ms`: what the expiry timer swaps in.
    #[must_use]
    pub fn re_evaluated(&self, now_ms: i64) -> Self {
        match &self.license {
            Some(installed) => Self::licensed(
                self.edition,
                Arc::clone(&installed.license),
                installed.source,
                installed.is_development,
                now_ms,
            ),
            None => self.clone(),
        }
    }

    /// Whether `feature` may be used: Enterprise build, a license that grants it, and that
    /// license active or in its grace period. One AND; no allocation, no lock.
    #[inline]
    pub fn allows(&self, feature: Feature) -> bool {
        self.allowed.contains(feature)
    }

    /// Every feature [`Entitlements::allows`].
    pub fn allowed(&self) -> FeatureSet {
        self.allowed
    }

    pub fn edition(&self) -> Edition {
        self.edition
    }

    /// Whether a license is in force: Enterprise build and license active or in grace.
    pub fn is_licensed(&self) -> bool {
        self.edition == Edition::Enterprise
            && self
                .license
                .as_ref()
                .is_some_and(|installed| installed.state.features_on())
    }

    /// The installed license, in force or not (an expired one stays visible to admins).
    pub fn installed(&self) -> Option<&InstalledLicense> {
        self.license.as_ref()
    }

    pub fn license(&self) -> Option<&Arc<License>> {
        self.license.as_ref().map(|installed| &installed.license)
    }

    pub fn source(&self) -> Option<LicenseSource> {
        self.license.as_ref().map(|installed| installed.source)
    }

    pub fn state(&self) -> Option<LicenseState> {
        self.license.as_ref().map(|installed| installed.state)
    }

    /// In the grace period: features on, admins to be warned.
    pub fn in_grace(&self) -> bool {
        self.state() == Some(LicenseState::Grace)
    }

    pub fn is_development(&self) -> bool {
        self.license
            .as_ref()
            .is_some_and(|installed| installed.is_development)
    }

    /// When the license state next changes after the evaluation instant, if ever.
    pub fn next_change_at_ms(&self) -> Option<i64> {
        let installed = self.license.as_ref()?;
        installed
            .license
            .next_state_change_after(installed.evaluated_at_ms)
    }

    /// The map for `GET /api/v4/license/client`: `{"IsLicensed":"false"}` unless a license
    /// is in force (see [`Entitlements::is_licensed`]).
    pub fn client_map(&self, sanitized: bool) -> ClientLicense {
        match self.license() {
            Some(license) if self.is_licensed() => license.to_client_map(sanitized),
            _ => unlicensed_client_map(),
        }
    }
}

impl Default for Entitlements {
    fn default() -> Self {
        Self::team()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::{Customer, Features, DAY_MS};

    const T0: i64 = 1_800_000_000_000;

    fn license(features: Features) -> Arc<License> {
        Arc::new(License {
            id: "abcdefghijklmnopqrstuvwxyz".to_owned(),
            issued_at: T0,
            starts_at: T0,
            expires_at: T0 + 30 * DAY_MS,
            customer: Customer::default(),
            features,
            sku_name: "Townsquare Enterprise".to_owned(),
            sku_short_name: "enterprise".to_owned(),
            is_trial: false,
            is_gov_sku: false,
            is_seat_count_enforced: false,
            extra_users: None,
            grace_period_days: 10,
        })
    }

    fn saml_only() -> Arc<License> {
        license(Features::new(10).with(Feature::Saml, true))
    }

    #[test]
    fn team_allows_nothing() {
        let team = Entitlements::team();
        assert!(Feature::ALL.into_iter().all(|f| !team.allows(f)));
        assert_eq!(team.client_map(false), unlicensed_client_map());
        assert!(!team.is_licensed());
    }

    #[test]
    fn team_build_ignores_a_license() {
        let e = Entitlements::licensed(
            Edition::Team,
            saml_only(),
            LicenseSource::Database,
            false,
            T0,
        );
        assert!(!e.allows(Feature::Saml));
        assert!(!e.is_licensed());
        assert_eq!(e.client_map(false)["IsLicensed"], "false");
    }

    #[test]
    fn enterprise_allows_granted_features_while_active_or_in_grace() {
        let at = |now| {
            Entitlements::licensed(
                Edition::Enterprise,
                saml_only(),
                LicenseSource::Database,
                false,
                now,
            )
        };
        assert!(!at(T0 - 1).allows(Feature::Saml));
        assert!(at(T0).allows(Feature::Saml));
        assert!(!at(T0).allows(Feature::Ldap));
        let grace = at(T0 + 35 * DAY_MS);
        assert!(grace.in_grace() && grace.allows(Feature::Saml));
        assert_eq!(grace.client_map(true)["SAML"], "true");
        let expired = at(T0 + 41 * DAY_MS);
        assert_eq!(expired.state(), Some(LicenseState::Expired));
        assert!(!expired.allows(Feature::Saml));
        assert_eq!(expired.client_map(false), unlicensed_client_map());
        assert!(
            expired.license().is_some(),
            "an expired license stays visible"
        );
    }

    #[test]
    fn re_evaluation_follows_the_clock() {
        let e = Entitlements::licensed(
            Edition::Enterprise,
            saml_only(),
            LicenseSource::Environment,
            true,
            T0 - 5,
        );
        assert_eq!(e.next_change_at_ms(), Some(T0));
        let later = e.re_evaluated(T0);
        assert!(later.allows(Feature::Saml));
        assert_eq!(later.source(), Some(LicenseSource::Environment));
        assert!(later.is_development());
        assert_eq!(later.next_change_at_ms(), Some(T0 + 30 * DAY_MS + 1));
        let end = later.re_evaluated(T0 + 40 * DAY_MS + 1);
        assert_eq!(end.state(), Some(LicenseState::Expired));
        assert_eq!(end.next_change_at_ms(), None);
    }
}
