//! The extension registry: Team Edition implementations, replaced in the Enterprise build.
//!
//! `enterprise.rs` is the only file in core that names the enterprise crate.

#[cfg(feature = "enterprise")]
mod enterprise;
mod team;

use townsquare_sdk::Extensions;

pub use team::TeamEditionInfo;

/// The vendor license tools (key generation, signing, inspection): Enterprise build only.
#[cfg(feature = "enterprise")]
pub use enterprise::vendor;

/// Builds the extensions for this binary: Team implementations, then (Enterprise build only)
/// the enterprise crate's replacements.
pub fn build_extensions() -> Extensions {
    #[allow(unused_mut)]
    let mut extensions = team::extensions();
    #[cfg(feature = "enterprise")]
    enterprise::install(&mut extensions);
    extensions
}
