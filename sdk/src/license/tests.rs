use serde_json::json;

use super::*;
use crate::error::AppError;

const T0: i64 = 1_800_000_000_000;

fn payload(features: serde_json::Value) -> serde_json::Value {
    json!({
        "id": "abcdefghijklmnopqrstuvwxyz",
        "issued_at": T0,
        "starts_at": T0,
        "expires_at": T0 + 30 * DAY_MS,
        "customer": {"id": "c1", "name": "Ada", "email": "ada@example.com", "company": "Acme"},
        "features": features,
        "sku_name": "Townsquare Enterprise",
        "sku_short_name": "enterprise",
        "is_trial": false,
        "is_gov_sku": false
    })
}

fn parse(value: serde_json::Value) -> Result<License, serde_json::Error> {
    serde_json::from_value(value)
}

#[test]
fn absent_flags_are_off_and_defaults_apply() {
    let l = parse(payload(json!({"users": 50, "saml": true}))).unwrap();
    assert!(l.grants(Feature::Saml));
    assert!(!l.grants(Feature::Ldap));
    assert_eq!(l.features.explicit(Feature::Ldap), None);
    assert_eq!(l.grace_period_days, DEFAULT_GRACE_PERIOD_DAYS);
    assert_eq!(l.seat_limit(), 50);
    assert!(!l.is_seat_count_enforced);
}

#[test]
fn future_features_grants_all_but_explicit_false() {
    let l = parse(payload(
        json!({"users": 1, "future_features": true, "ldap": false, "mfa": null}),
    ))
    .unwrap();
    assert!(
        !l.grants(Feature::Ldap),
        "explicit false beats future_features"
    );
    assert!(l.grants(Feature::Mfa), "null is absent");
    assert!(Feature::ALL
        .into_iter()
        .filter(|f| *f != Feature::Ldap)
        .all(|f| l.grants(f)));
}

#[test]
fn unknown_fields_and_features_are_ignored() {
    let mut value = payload(
        json!({"users": 1, "hovercraft": true, "cloud": true, "auto_translation": {"x": 1}}),
    );
    value["signup_jwt"] = json!(null);
    value["limits"] = json!({"post_history": 5});
    let l = parse(value).unwrap();
    assert!(l.features.granted().is_empty());
    assert_eq!(l.to_client_map(false)["Cloud"], "false");
}

#[test]
fn refuses_what_a_signed_payload_must_not_be_ambiguous_about() {
    for features in [
        json!({"saml": true}),
        json!({"users": null}),
        json!({"users": -1}),
        json!({"users": 1, "saml": "yes"}),
    ] {
        assert!(parse(payload(features.clone())).is_err(), "{features}");
    }
    let dup = r#"{"users": 1, "saml": true, "saml": false}"#;
    assert!(serde_json::from_str::<Features>(dup).is_err());
    let dup_top = r#"{"id":"abcdefghijklmnopqrstuvwxyz","issued_at":1,"starts_at":1,
        "expires_at":2,"expires_at":3,"features":{"users":1}}"#;
    assert!(serde_json::from_str::<License>(dup_top).is_err());
    let mut no_expiry = payload(json!({"users": 1}));
    no_expiry.as_object_mut().unwrap().remove("expires_at");
    assert!(parse(no_expiry).is_err());
}

#[test]
fn validate_checks_id_and_date_order() {
    let mut l = parse(payload(json!({"users": 1}))).unwrap();
    assert_eq!(l.validate(), Ok(()));
    l.id = "short".into();
    assert!(matches!(
        l.validate(),
        Err(LicenseError::MalformedPayload { .. })
    ));
    l.id = "abcdefghijklmnopqrstuvwxyz".into();
    l.expires_at = l.starts_at - 1;
    assert!(l.validate().is_err());
}

#[test]
fn state_transitions_at_exact_boundaries() {
    let mut l = parse(payload(json!({"users": 1}))).unwrap();
    let end = T0 + 30 * DAY_MS;
    assert_eq!(l.state_at(T0 - 1), LicenseState::NotStarted);
    assert_eq!(l.state_at(T0), LicenseState::Active);
    assert_eq!(l.state_at(end), LicenseState::Active);
    assert_eq!(l.state_at(end + 1), LicenseState::Grace);
    assert_eq!(l.state_at(end + 10 * DAY_MS), LicenseState::Grace);
    assert_eq!(l.state_at(end + 10 * DAY_MS + 1), LicenseState::Expired);
    assert_eq!(l.next_state_change_after(T0 - 1), Some(T0));
    assert_eq!(
        l.next_state_change_after(end + 1),
        Some(end + 10 * DAY_MS + 1)
    );

    l.grace_period_days = 0;
    assert_eq!(l.state_at(end + 1), LicenseState::Expired);
    l.grace_period_days = u32::MAX;
    l.expires_at = i64::MAX - 1;
    assert_eq!(l.state_at(i64::MAX), LicenseState::Grace, "saturates");
}

#[test]
fn client_map_matches_mattermost() {
    let mut l = parse(payload(
        json!({"users": 25, "saml": true, "id_loaded": true, "theme_management": true}),
    ))
    .unwrap();
    l.extra_users = Some(5);
    let full = l.to_client_map(false);
    assert_eq!(full["IsLicensed"], "true");
    assert_eq!(full["Users"], "25");
    assert_eq!(full["SAML"], "true");
    assert_eq!(full["IDLoadedPushNotifications"], "true");
    assert_eq!(full["LDAP"], "false");
    assert_eq!(full["ExpiresAt"], (T0 + 30 * DAY_MS).to_string());
    assert_eq!(full["Company"], "Acme");
    assert!(!full.contains_key("ThemeManagement"));
    // 13 license keys + Cloud + 25 features with a client key.
    assert_eq!(full.len(), 14 + 25);

    let sanitized = l.to_client_map(true);
    for key in [
        "Id",
        "Name",
        "Email",
        "IssuedAt",
        "StartsAt",
        "ExpiresAt",
        "SkuName",
    ] {
        assert!(!sanitized.contains_key(key), "{key} leaked");
    }
    assert_eq!(sanitized["Company"], "Acme");
    assert_eq!(sanitized.len(), full.len() - 7);
}

#[test]
fn api_json_is_mattermost_shaped_and_round_trips() {
    let l = parse(payload(
        json!({"users": 5, "future_features": true, "compliance": false}),
    ))
    .unwrap();
    let api = l.to_api_json();
    assert_eq!(api["sku_short_name"], "enterprise");
    assert_eq!(api["customer"]["company"], "Acme");
    assert_eq!(api["features"]["users"], 5);
    assert_eq!(api["features"]["saml"], true);
    assert_eq!(api["features"]["compliance"], false);
    assert_eq!(api["features"]["cloud"], false);
    assert_eq!(api["extra_users"], json!(null));
    assert_eq!(api["grace_period_days"], 10);
    let back: License = serde_json::from_value(api).unwrap();
    assert_eq!(back.features.granted(), l.features.granted());
}

#[test]
fn errors_become_app_errors() {
    let err: AppError = LicenseError::TooManyUsers {
        active_users: 12,
        seat_limit: 10,
    }
    .into();
    assert_eq!(err.id, "api.license.add_license.unique_users.app_error");
    assert_eq!(err.status_code, 400);
    assert!(err.message.contains("12") && err.message.contains("10"));

    let team: AppError = LicenseError::TeamEditionBuild.into();
    assert_eq!(team.status_code, 501);
    assert!(team.message.contains("Enterprise Edition build"));

    let expired = LicenseError::Expired { expires_at: T0 };
    assert_eq!(expired.id(), "api.license.add_license.expired.app_error");
    assert!(expired.message().contains("2027-01-15"));

    let not_started = LicenseError::NotStarted { starts_at: T0 };
    assert!(not_started
        .message()
        .contains("starts on 2027-01-15 08:00 UTC"));

    let bad: AppError = LicenseError::NotALicense {
        reason: "not base64".into(),
    }
    .into();
    assert!(bad.message.contains("(not base64)"));
}
