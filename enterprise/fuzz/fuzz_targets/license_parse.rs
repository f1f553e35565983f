// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! Feeds arbitrary input to both parsers: the file verifier, and the payload parser that the
//! verifier only reaches behind a valid signature (so fuzzing the verifier alone never
//! exercises it).

#![no_main]

use libfuzzer_sys::fuzz_target;
use townsquare_enterprise::license::{verify_license, TrustEnv};
use townsquare_sdk::License;

const NOW: i64 = 1_800_000_000_000;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Random input cannot carry a valid signature.
        assert!(verify_license(text, TrustEnv::Test, NOW).is_err());
    }
    if let Ok(license) = serde_json::from_slice::<License>(data) {
        let _ = license.validate();
        let _ = license.state_at(NOW);
        let _ = license.to_client_map(false);
        let _ = license.to_api_json();
    }
});
