// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The Enterprise Edition of Townsquare.
//!
//! Depends on `townsquare-sdk` only. Core calls [`install`] once at start-up (from
//! `src/edition/enterprise.rs`, the only core file that names this crate) to replace the Team
//! Edition implementations in the extension registry.

use std::sync::Arc;

use townsquare_sdk::Extensions;

mod announcement;
mod edition_info;
pub mod license;
mod lifecycle;
mod terms;

pub use announcement::LicensedBanner;
pub use edition_info::EnterpriseEditionInfo;
pub use lifecycle::EnterpriseLicensing;
pub use terms::LicensedTerms;

/// Replaces Team Edition implementations with Enterprise ones. Licensed features wrap the
/// Team implementation and fall back to it whenever the license does not grant them, so an
/// unlicensed Enterprise build behaves exactly like Team Edition.
pub fn install(extensions: &mut Extensions) {
    extensions.edition = Arc::new(EnterpriseEditionInfo);
    extensions.licensing = Arc::new(EnterpriseLicensing);
    extensions.custom_terms = Arc::new(LicensedTerms {
        unlicensed: Arc::clone(&extensions.custom_terms),
    });
    extensions.announcement = Arc::new(LicensedBanner {
        unlicensed: Arc::clone(&extensions.announcement),
    });
}
