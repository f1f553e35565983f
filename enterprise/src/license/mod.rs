// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! License files: reading, verifying and signing them (docs/licensing.md §1-§3).
//!
//! A file is an armoured (or bare) base64 envelope `{v, alg, kid, payload, sig}`. The ed25519
//! signature covers `b"townsquare-license-v1\n"` followed by the exact payload bytes and is
//! checked before the payload is parsed. The license model itself lives in
//! `townsquare_sdk::license`, so core can use a license without depending on this crate.
//!
//! - [`verify_license`] (or [`verify_license_bytes`]): a file to a [`VerifiedLicense`], for
//!   upload, start-up and `MM_LICENSE`.
//! - [`check_upload`]: the extra date and seat checks of an upload.
//! - [`generate_keypair`], [`sign_license`]: the vendor tools.

mod armour;
mod envelope;
mod keys;
mod sign;
mod upload;
mod verify;

pub use keys::{KeyEnvironment, TrustEnv};
pub use sign::{generate_keypair, sign_license, Keypair, SignError};
pub use upload::check_upload;
pub use verify::{verify_license, verify_license_bytes, VerifiedLicense};

#[cfg(test)]
mod tests;
