// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! Properties of the verifier on hostile input: it never panics, and nothing but the exact
//! signed bytes (give or take whitespace) ever verifies.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::prelude::*;
use serde_json::json;
use townsquare_enterprise::license::{sign_license, verify_license, TrustEnv, VerifiedLicense};
use townsquare_sdk::LicenseError;

const DEV_KEY: &str = include_str!("../../licenses/dev/ts-dev-1.key");
const NOW: i64 = 1_800_000_000_000;
const BEGIN: &str = "-----BEGIN TOWNSQUARE LICENSE-----";
const END: &str = "-----END TOWNSQUARE LICENSE-----";

fn valid_license() -> String {
    let payload = json!({
        "id": "k1q3x9m7b5n2c8v4z6a0s1d2f3",
        "issued_at": NOW, "starts_at": NOW, "expires_at": NOW + 1_000_000,
        "features": {"users": 10, "saml": true},
        "sku_name": "Townsquare Enterprise (development)"
    });
    sign_license(&serde_json::to_vec(&payload).unwrap(), DEV_KEY, "ts-dev-1").unwrap()
}

fn armour(bytes: &[u8]) -> String {
    format!("{BEGIN}\n{}\n{END}\n", STANDARD.encode(bytes))
}

fn envelope_bytes(text: &str) -> Vec<u8> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

fn verify(text: &str) -> Result<VerifiedLicense, LicenseError> {
    verify_license(text, TrustEnv::Test, NOW)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_verifies(text in any::<String>()) {
        prop_assert!(verify(&text).is_err());
    }

    #[test]
    fn arbitrary_armoured_bytes_never_verify(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(verify(&armour(&bytes)).is_err());
        prop_assert!(verify(&STANDARD.encode(&bytes)).is_err());
    }

    #[test]
    fn well_formed_envelopes_with_random_signatures_never_verify(
        kid in prop_oneof![Just("ts-dev-1".to_owned()), Just("ts-prod-1".to_owned()), "[a-z0-9-]{1,20}"],
        payload in proptest::collection::vec(any::<u8>(), 0..512),
        sig in proptest::collection::vec(any::<u8>(), 64),
    ) {
        let envelope = json!({"v": 1, "alg": "ed25519", "kid": kid,
            "payload": STANDARD.encode(&payload), "sig": STANDARD.encode(&sig)});
        let text = armour(&serde_json::to_vec(&envelope).unwrap());
        prop_assert!(verify(&text).is_err());
    }

    #[test]
    fn any_changed_envelope_byte_is_refused(index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = envelope_bytes(&valid_license());
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        prop_assert!(verify(&armour(&bytes)).is_err());
    }

    #[test]
    fn any_changed_payload_byte_is_a_bad_signature(index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut envelope: serde_json::Value =
            serde_json::from_slice(&envelope_bytes(&valid_license())).unwrap();
        let mut payload = STANDARD.decode(envelope["payload"].as_str().unwrap()).unwrap();
        let i = index.index(payload.len());
        payload[i] ^= flip;
        envelope["payload"] = json!(STANDARD.encode(&payload));
        let text = armour(&serde_json::to_vec(&envelope).unwrap());
        prop_assert_eq!(verify(&text), Err(LicenseError::BadSignature));
    }

    #[test]
    fn a_changed_character_verifies_only_as_the_original(
        index in any::<prop::sample::Index>(),
        replacement in any::<char>(),
    ) {
        let text = valid_license();
        let original = verify(&text).unwrap();
        let mut chars: Vec<char> = text.chars().collect();
        let i = index.index(chars.len());
        chars[i] = replacement;
        let mutated: String = chars.into_iter().collect();
        if let Ok(verified) = verify(&mutated) {
            // Only whitespace or text outside the armour may change.
            prop_assert_eq!(verified, original);
        }
    }

    #[test]
    fn inserted_whitespace_is_ignored(
        positions in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![" ", "\n", "\r\n", "\t"])), 0..20),
    ) {
        let text = valid_license();
        let original = verify(&text).unwrap();
        let mut body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        for (index, ws) in positions {
            let at = index.index(body.len() + 1);
            body.insert_str(at, ws);
        }
        prop_assert_eq!(verify(&body).unwrap(), original.clone());
        prop_assert_eq!(verify(&format!("{BEGIN}\n{body}\n{END}")).unwrap(), original);
    }
}
