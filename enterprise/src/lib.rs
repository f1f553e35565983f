// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The Enterprise Edition of Townsquare.
//!
//! Depends on `townsquare-sdk` only. Core calls [`install`] once at start-up (from
//! `src/edition/enterprise.rs`, the only core file that names this crate) to replace the Team
//! Edition implementations in the extension registry.

use std::sync::Arc;

use townsquare_sdk::Extensions;

mod edition_info;
pub mod license;

pub use edition_info::EnterpriseEditionInfo;

/// Replaces Team Edition implementations with Enterprise ones.
pub fn install(extensions: &mut Extensions) {
    extensions.edition = Arc::new(EnterpriseEditionInfo);
}
