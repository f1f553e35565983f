//! Enterprise Edition wiring: the one place core names the enterprise crate.

use townsquare_sdk::Extensions;

pub fn install(extensions: &mut Extensions) {
    townsquare_enterprise::install(extensions);
}

/// The vendor tools of `townsquare license keygen|sign|inspect` (Enterprise build only).
pub mod vendor {
    pub use townsquare_enterprise::license::{generate_keypair, sign_license, Keypair};
    use townsquare_enterprise::license::{verify_license, TrustEnv};
    use townsquare_sdk::{License, LicenseError};

    /// A verified license as `license inspect` prints it.
    pub struct Inspected {
        pub license: License,
        pub kid: String,
        pub is_development: bool,
        pub payload: Vec<u8>,
    }

    /// Verifies a license file against every compiled-in key, development keys included: a
    /// vendor inspects licenses for every environment, and the output says which one a
    /// license is for.
    pub fn inspect(text: &str, now_ms: i64) -> Result<Inspected, LicenseError> {
        let verified = verify_license(text, TrustEnv::Dev, now_ms)?;
        Ok(Inspected {
            is_development: verified.is_development,
            kid: verified.kid,
            payload: verified.payload,
            license: verified.license,
        })
    }
}
