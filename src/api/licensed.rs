//! `Licensed<G>`: a feature gate in a handler's signature.
//!
//! A gate names a license [`Feature`] and the error Mattermost answers when that feature is
//! off (mostly 501 with a per-feature id). The check is one lock-free load of the
//! entitlements snapshot and one bit test.
//!
//! ```ignore
//! async fn handler(_: Licensed<gates::TermsInForce>, ...) -> Result<...>
//! ```

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use townsquare_sdk::{AppError, Feature};

use crate::error::Error;
use crate::state::AppState;

/// A license feature and the error that answers requests while it is off.
pub trait LicenseGate: Send + Sync + 'static {
    const FEATURE: Feature;
    fn unavailable() -> AppError;
}

/// Proof that `G::FEATURE` was allowed when the request started.
pub struct Licensed<G>(PhantomData<G>);

impl<G: LicenseGate> Licensed<G> {
    /// The same check for handlers that must check something else first (Mattermost checks
    /// some permissions before the license).
    pub fn check(state: &AppState) -> Result<Self, Error> {
        if state.entitlements().allows(G::FEATURE) {
            Ok(Licensed(PhantomData))
        } else {
            Err(G::unavailable().into())
        }
    }
}

impl<G: LicenseGate> FromRequestParts<AppState> for Licensed<G> {
    type Rejection = Error;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::check(state)
    }
}

/// The gates used by handlers.
pub mod gates {
    use townsquare_sdk::terms::errors;
    use townsquare_sdk::{AppError, Feature};

    use super::LicenseGate;

    /// Reading or accepting terms of service: without the feature none are in force
    /// (Mattermost's 404 for "no terms of service").
    pub struct TermsInForce;

    impl LicenseGate for TermsInForce {
        const FEATURE: Feature = Feature::CustomTermsOfService;
        fn unavailable() -> AppError {
            errors::not_found()
        }
    }

    /// Writing terms of service: Mattermost's 400 `custom_terms_of_service_disabled`.
    pub struct CreateTerms;

    impl LicenseGate for CreateTerms {
        const FEATURE: Feature = Feature::CustomTermsOfService;
        fn unavailable() -> AppError {
            errors::disabled()
        }
    }
}
