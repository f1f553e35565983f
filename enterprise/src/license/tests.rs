// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! Every verifier outcome, with real signatures made here: the public development key, and
//! throwaway keys for forgeries.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::{json, Value};
use townsquare_sdk::license::DAY_MS;
use townsquare_sdk::{AppError, Feature, LicenseError, LicenseSource, LicenseState};

use super::verify::signed_message;
use super::*;

const DEV_KEY: &str = include_str!("../../../licenses/dev/ts-dev-1.key");
const NOW: i64 = 1_800_000_000_000;
const DEV: &str = "ts-dev-1";

fn payload_value() -> Value {
    json!({
        "id": "k1q3x9m7b5n2c8v4z6a0s1d2f3",
        "issued_at": NOW - DAY_MS,
        "starts_at": NOW - DAY_MS,
        "expires_at": NOW + 365 * DAY_MS,
        "customer": {"id": "cust1", "name": "Ada Lovelace", "email": "ada@example.com",
                     "company": "Acme"},
        "features": {"users": 100, "saml": true, "ldap": true},
        "sku_name": "Townsquare Enterprise (development)",
        "sku_short_name": "enterprise",
        "is_trial": false,
        "is_gov_sku": false,
        "is_seat_count_enforced": true,
        "extra_users": 5,
        "grace_period_days": 10
    })
}

fn with(mut value: Value, pointer: &str, new: Value) -> Value {
    match value.pointer_mut(pointer) {
        Some(slot) => *slot = new,
        None => panic!("no {pointer} in payload"),
    }
    value
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

fn sign_dev(value: &Value) -> String {
    sign_license(&bytes(value), DEV_KEY, DEV).unwrap()
}

fn dev_key() -> SigningKey {
    let seed: [u8; 32] = STANDARD.decode(DEV_KEY.trim()).unwrap().try_into().unwrap();
    SigningKey::from_bytes(&seed)
}

fn throwaway_key() -> SigningKey {
    let keypair = generate_keypair().unwrap();
    let seed: [u8; 32] = STANDARD
        .decode(keypair.signing_key.as_str())
        .unwrap()
        .try_into()
        .unwrap();
    SigningKey::from_bytes(&seed)
}

/// A license signed by any key under any kid, skipping the signer's safety checks.
fn forge(kid: &str, payload: &[u8], key: &SigningKey) -> String {
    let sig = key.sign(&signed_message(payload)).to_bytes();
    armour::encode(&envelope::encode(kid, payload, &sig))
}

fn armour_json(envelope: Value) -> String {
    armour::encode(&bytes(&envelope))
}

fn envelope_of(text: &str) -> Value {
    serde_json::from_slice(&armour::decode(text).unwrap()).unwrap()
}

fn verify_dev(text: &str) -> Result<VerifiedLicense, LicenseError> {
    verify_license(text, TrustEnv::Dev, NOW)
}

#[test]
fn dev_signed_license_verifies_in_dev_and_test() {
    let text = sign_dev(&payload_value());
    assert!(text.starts_with("-----BEGIN TOWNSQUARE LICENSE-----\n"));
    assert!(text
        .lines()
        .all(|line| line.len() <= 76 || line.starts_with("-----")));
    for trust in [TrustEnv::Dev, TrustEnv::Test] {
        let verified = verify_license(&text, trust, NOW).unwrap();
        assert_eq!(verified.kid, DEV);
        assert!(verified.is_development);
        assert_eq!(verified.payload, bytes(&payload_value()));
        assert_eq!(verified.armoured, text);
        assert_eq!(verified.license.customer.company, "Acme");
        assert_eq!(verified.license.seat_limit(), 105);
        assert_eq!(verified.state_at(NOW), LicenseState::Active);
    }
}

#[test]
fn bare_base64_and_whitespace_are_accepted() {
    let text = sign_dev(&payload_value());
    let bare: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let expected = verify_dev(&text).unwrap();
    assert_eq!(verify_dev(&bare).unwrap(), expected);
    let mangled: String = bare
        .chars()
        .enumerate()
        .flat_map(|(i, c)| match i % 7 {
            0 => vec![c, '\r', '\n'],
            3 => vec![' ', c, '\t'],
            _ => vec![c],
        })
        .collect();
    let verified = verify_dev(&format!("  {mangled}\n\n")).unwrap();
    assert_eq!(verified, expected, "same bytes, canonical armour");
    assert_eq!(verify_dev(&text.replace('\n', "\r\n")).unwrap(), expected);
}

#[test]
fn payload_bytes_are_verified_as_given_never_reserialized() {
    let odd = br#"{ "features" : {"users":3, "brand_new_feature": true},
        "id":"k1q3x9m7b5n2c8v4z6a0s1d2f3", "issued_at":1, "starts_at":1,
        "expires_at":1900000000000, "sku_name":"Development", "x-vendor": [1, 2]  }"#;
    let verified = verify_dev(&forge(DEV, odd, &dev_key())).unwrap();
    assert_eq!(verified.payload, odd);
    assert_eq!(verified.license.features.users, 3);
}

#[test]
fn not_a_license() {
    let non_json = STANDARD.encode(b"hello, world");
    for text in [
        "",
        "garbage !!",
        non_json.as_str(),
        "-----BEGIN TOWNSQUARE LICENSE-----\nAAAA",
    ] {
        let err = verify_dev(text).unwrap_err();
        assert!(
            matches!(err, LicenseError::NotALicense { .. }),
            "{text:?}: {err:?}"
        );
        assert_eq!(err.id(), "api.license.add_license.invalid.app_error");
    }
}

#[test]
fn raw_bytes_are_checked_for_size_and_text() {
    let text = sign_dev(&payload_value());
    let verified = verify_license_bytes(text.as_bytes(), TrustEnv::Dev, NOW).unwrap();
    assert_eq!(verified, verify_dev(&text).unwrap());
    let err = verify_license_bytes(&[0xff, 0xfe, b'A'], TrustEnv::Dev, NOW).unwrap_err();
    assert!(matches!(err, LicenseError::NotALicense { .. }));
    let big = vec![0xff; 16 * 1024 + 1];
    assert!(matches!(
        verify_license_bytes(&big, TrustEnv::Dev, NOW),
        Err(LicenseError::TooLarge { .. })
    ));
}

#[test]
fn too_large() {
    let text = " ".repeat(16 * 1024 + 1);
    assert_eq!(
        verify_dev(&text),
        Err(LicenseError::TooLarge {
            size: 16 * 1024 + 1
        })
    );
}

#[test]
fn unsupported_version_and_algorithm() {
    let mut envelope = envelope_of(&sign_dev(&payload_value()));
    envelope["v"] = json!(2);
    assert_eq!(
        verify_dev(&armour_json(envelope.clone())),
        Err(LicenseError::UnsupportedVersion {
            version: "2".into()
        })
    );
    envelope["v"] = json!(1);
    envelope["alg"] = json!("rsa-sha256");
    assert_eq!(
        verify_dev(&armour_json(envelope)),
        Err(LicenseError::UnsupportedAlgorithm {
            alg: "rsa-sha256".into()
        })
    );
}

#[test]
fn unknown_key() {
    let key = throwaway_key();
    let text = sign_license(
        &bytes(&payload_value()),
        &STANDARD.encode(key.to_bytes()),
        "ts-elsewhere-1",
    )
    .unwrap();
    assert_eq!(
        verify_dev(&text),
        Err(LicenseError::UnknownKey {
            kid: "ts-elsewhere-1".into()
        })
    );
}

#[test]
fn tampered_payload_or_signature_is_a_bad_signature() {
    let text = sign_dev(&payload_value());
    let envelope = envelope_of(&text);

    let more_seats = bytes(&with(payload_value(), "/features/users", json!(100000)));
    let mut tampered = envelope.clone();
    tampered["payload"] = json!(STANDARD.encode(&more_seats));
    assert_eq!(
        verify_dev(&armour_json(tampered)),
        Err(LicenseError::BadSignature)
    );

    let mut sig = STANDARD.decode(envelope["sig"].as_str().unwrap()).unwrap();
    sig[10] ^= 0x01;
    let mut tampered = envelope.clone();
    tampered["sig"] = json!(STANDARD.encode(&sig));
    assert_eq!(
        verify_dev(&armour_json(tampered)),
        Err(LicenseError::BadSignature)
    );

    // A signature over the payload alone, without the context prefix, is not a license.
    let payload = bytes(&payload_value());
    let mut bare_sig = envelope;
    bare_sig["sig"] = json!(STANDARD.encode(dev_key().sign(&payload).to_bytes()));
    assert_eq!(
        verify_dev(&armour_json(bare_sig)),
        Err(LicenseError::BadSignature)
    );

    // Someone else's key claiming to be the development key.
    let forged = forge(DEV, &payload, &throwaway_key());
    assert_eq!(verify_dev(&forged), Err(LicenseError::BadSignature));
    assert_eq!(
        verify_license(&forged, TrustEnv::Production, NOW),
        Err(LicenseError::BadSignature),
        "only a genuine signature hears 'wrong environment'"
    );
}

#[test]
fn dev_license_on_a_production_server_is_the_wrong_environment() {
    let err = verify_license(&sign_dev(&payload_value()), TrustEnv::Production, NOW).unwrap_err();
    assert_eq!(err, LicenseError::WrongEnvironment { kid: DEV.into() });
    assert_eq!(
        err.id(),
        "api.license.add_license.wrong_environment.app_error"
    );
    assert!(err.message().contains("MM_SERVICEENVIRONMENT"));
}

#[test]
fn malformed_payloads_are_refused_after_the_signature() {
    let key = dev_key();
    let cases = [
        b"not json".to_vec(),
        bytes(&with(payload_value(), "/id", json!("short"))),
        bytes(&with(payload_value(), "/features", json!({"saml": true}))),
        bytes(&with(
            payload_value(),
            "/expires_at",
            json!(NOW - 2 * DAY_MS),
        )),
        bytes(&with(
            payload_value(),
            "/sku_name",
            json!("Townsquare Enterprise"),
        )),
    ];
    for payload in cases {
        let err = verify_dev(&forge(DEV, &payload, &key)).unwrap_err();
        assert!(
            matches!(err, LicenseError::MalformedPayload { .. }),
            "{}: {err:?}",
            String::from_utf8_lossy(&payload)
        );
        assert!(matches!(
            sign_license(&payload, DEV_KEY, DEV),
            Err(SignError::InvalidPayload(
                LicenseError::MalformedPayload { .. }
            ))
        ));
    }
}

#[test]
fn issued_more_than_a_day_ahead_is_refused() {
    let at = |issued_at: i64| {
        let value = with(payload_value(), "/issued_at", json!(issued_at));
        verify_dev(&sign_dev(&value))
    };
    assert!(at(NOW + DAY_MS).is_ok());
    assert_eq!(
        at(NOW + DAY_MS + 1),
        Err(LicenseError::IssuedInFuture {
            issued_at: NOW + DAY_MS + 1
        })
    );
}

#[test]
fn stored_licenses_load_whatever_their_dates() {
    let expired = with(payload_value(), "/expires_at", json!(NOW - 100 * DAY_MS));
    let expired = with(expired, "/starts_at", json!(NOW - 200 * DAY_MS));
    let verified = verify_dev(&sign_dev(&expired)).unwrap();
    assert_eq!(verified.state_at(NOW), LicenseState::Expired);
}

#[test]
fn upload_checks_dates_and_seats() {
    let license = verify_dev(&sign_dev(&payload_value())).unwrap().license;
    assert_eq!(check_upload(&license, NOW, 105), Ok(()));
    assert_eq!(
        check_upload(&license, NOW, 106),
        Err(LicenseError::TooManyUsers {
            active_users: 106,
            seat_limit: 105
        })
    );
    assert_eq!(
        check_upload(&license, license.starts_at - 1, 1),
        Err(LicenseError::NotStarted {
            starts_at: license.starts_at
        })
    );
    let expired = Err(LicenseError::Expired {
        expires_at: license.expires_at,
    });
    let in_grace = license.expires_at + DAY_MS;
    assert_eq!(license.state_at(in_grace), LicenseState::Grace);
    assert_eq!(
        check_upload(&license, in_grace, 1),
        expired,
        "grace does not help"
    );
    assert_eq!(
        check_upload(&license, license.expires_at + 90 * DAY_MS, 1),
        expired
    );
    assert_eq!(check_upload(&license, license.expires_at, 1), Ok(()));
}

#[test]
fn explicit_false_beats_future_features_and_absent_is_off() {
    let value = with(
        payload_value(),
        "/features",
        json!({"users": 10, "future_features": true, "compliance": false, "saml": null}),
    );
    let license = verify_dev(&sign_dev(&value)).unwrap().license;
    assert!(!license.grants(Feature::Compliance));
    assert!(license.grants(Feature::Saml) && license.grants(Feature::OutgoingOAuthConnections));

    let value = with(
        payload_value(),
        "/features",
        json!({"users": 10, "guest_accounts": true}),
    );
    let license = verify_dev(&sign_dev(&value)).unwrap().license;
    let granted: Vec<_> = license.features.granted().iter().collect();
    assert_eq!(granted, [Feature::GuestAccounts]);
}

#[test]
fn entitlements_follow_the_state_through_grace_to_expiry() {
    let value = with(payload_value(), "/grace_period_days", json!(3));
    let verified = verify_dev(&sign_dev(&value)).unwrap();
    let expires_at = verified.license.expires_at;
    let at = |now: i64| {
        verified
            .clone()
            .into_entitlements(LicenseSource::Database, now)
    };

    let active = at(NOW);
    assert!(active.allows(Feature::Saml) && !active.allows(Feature::Mfa));
    assert!(active.is_development());
    let grace = at(expires_at + 3 * DAY_MS);
    assert_eq!(grace.state(), Some(LicenseState::Grace));
    assert!(grace.allows(Feature::Saml));
    let expired = at(expires_at + 3 * DAY_MS + 1);
    assert_eq!(expired.state(), Some(LicenseState::Expired));
    assert!(!expired.allows(Feature::Saml));
    assert_eq!(expired.client_map(false)["IsLicensed"], "false");
    assert!(!at(verified.license.starts_at - 1).allows(Feature::Saml));
}

#[test]
fn signer_refuses_what_would_not_verify() {
    let payload = bytes(&payload_value());
    let other = STANDARD.encode(throwaway_key().to_bytes());
    assert!(matches!(
        sign_license(&payload, &other, DEV),
        Err(SignError::KeyMismatch { kid }) if kid == DEV
    ));
    assert!(matches!(
        sign_license(&payload, &other, "ts-prod-1"),
        Err(SignError::KeyMismatch { .. })
    ));
    assert!(matches!(
        sign_license(&payload, "c2hvcnQ=", DEV),
        Err(SignError::InvalidSigningKey)
    ));
    assert!(matches!(
        sign_license(&payload, DEV_KEY, "bad kid"),
        Err(SignError::InvalidKeyId)
    ));
    let huge = with(
        payload_value(),
        "/customer/name",
        json!("x".repeat(16 * 1024)),
    );
    assert!(matches!(
        sign_license(&bytes(&huge), DEV_KEY, DEV),
        Err(SignError::TooLarge { .. })
    ));
}

#[test]
fn keypairs_are_fresh_and_their_secret_is_not_printed() {
    let a = generate_keypair().unwrap();
    let b = generate_keypair().unwrap();
    assert_ne!(a.public_key, b.public_key);
    assert_eq!(STANDARD.decode(&a.public_key).unwrap().len(), 32);
    assert!(!format!("{a:?}").contains(a.signing_key.as_str()));
}

#[test]
fn every_error_has_its_own_id_and_status() {
    let errors = [
        LicenseError::NotALicense { reason: "r".into() },
        LicenseError::TooLarge { size: 1 },
        LicenseError::UnsupportedVersion {
            version: "2".into(),
        },
        LicenseError::UnsupportedAlgorithm { alg: "rsa".into() },
        LicenseError::UnknownKey { kid: "k".into() },
        LicenseError::BadSignature,
        LicenseError::WrongEnvironment { kid: DEV.into() },
        LicenseError::MalformedPayload { reason: "r".into() },
        LicenseError::NotStarted { starts_at: NOW },
        LicenseError::Expired { expires_at: NOW },
        LicenseError::IssuedInFuture { issued_at: NOW },
        LicenseError::TooManyUsers {
            active_users: 2,
            seat_limit: 1,
        },
        LicenseError::SetByEnvironment,
        LicenseError::TeamEditionBuild,
    ];
    let ids: std::collections::HashSet<_> = errors.iter().map(LicenseError::id).collect();
    assert_eq!(ids.len(), errors.len());
    for err in errors {
        let app = AppError::from(err.clone());
        let expected = if err == LicenseError::TeamEditionBuild {
            501
        } else {
            400
        };
        assert_eq!(app.status_code, expected, "{err:?}");
        assert!(app.id.starts_with("api.license."));
        assert!(app.message.ends_with('.'), "{}", app.message);
    }
}

#[test]
fn the_sample_development_license_verifies() {
    let text = include_str!("../../../licenses/dev/sample-enterprise.townsquare-license");
    let verified = verify_license(text, TrustEnv::Test, NOW).unwrap();
    assert!(verified.is_development);
    assert_eq!(verified.state_at(NOW), LicenseState::Active);
    assert!(Feature::ALL.into_iter().all(|f| verified.license.grants(f)));
}
