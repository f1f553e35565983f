//! Licensing (docs/licensing.md §4-§6): upload, preview, removal, the client map, the admin
//! view, every error, X-Version-Id, seats, sources and their precedence, and license changes
//! made by another node or the command line.

use serde_json::json;

use crate::support::license::*;
use crate::support::TestServer;

// ---------------------------------------------------------------- both editions

#[tokio::test]
async fn unlicensed_server_answers_like_mattermost() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let user = server.user(&admin, "alice").await;

    for token in [None, Some(admin.token.as_str()), Some(user.token.as_str())] {
        assert_eq!(
            server.client_license(token).await,
            json!({"IsLicensed": "false"})
        );
    }
    assert_eq!(server.version_licensed_flag().await, "false");

    // Permissions come first, in both builds.
    server
        .upload_license(&user.token, SAMPLE_LICENSE)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .preview_license(&user.token, SAMPLE_LICENSE)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .remove_license(&user.token)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&user.token, "/api/v4/license")
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get("/api/v4/license/load_metric")
        .await
        .assert_error(401, "api.context.session_expired.app_error");

    let view = server.get_as(&admin.token, "/api/v4/license").await;
    view.assert_status(200);
    let view = view.json();
    assert_eq!(view["is_licensed"], false);
    assert_eq!(view["source"], json!(null));
    assert_eq!(view["features_in_force"], json!([]));

    let metric = server
        .get_as(&user.token, "/api/v4/license/load_metric")
        .await;
    metric.assert_status(200);
    assert_eq!(metric.json(), json!({"load": 0}));

    let limits = server.get_as(&admin.token, "/api/v4/limits/server").await;
    limits.assert_status(200);
    assert_eq!(
        limits.json(),
        json!({"maxUsersLimit": 0, "maxUsersHardLimit": 0, "activeUserCount": 2})
    );
    let limits = server.get_as(&user.token, "/api/v4/limits/server").await;
    assert_eq!(
        limits.json(),
        json!({"maxUsersLimit": 0, "maxUsersHardLimit": 0, "activeUserCount": 0})
    );

    // No license, no licensed settings: the banner keys carry Mattermost's defaults and the
    // terms of service keys are absent.
    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(config["EnableBanner"], "false");
    assert_eq!(config["BannerText"], "");
    assert!(
        config.get("EnableCustomTermsOfService").is_none(),
        "{config}"
    );
}

#[tokio::test]
async fn upload_needs_a_license_field() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let (content_type, body) = multipart("file", b"whatever");
    let response = server
        .send(
            server
                .request(reqwest::Method::POST, "/api/v4/license")
                .bearer_auth(&admin.token)
                .header("content-type", content_type)
                .body(body),
        )
        .await;
    response.assert_error(400, "api.license.add_license.no_file.app_error");
}

// ---------------------------------------------------------------- Team Edition

#[cfg(not(feature = "enterprise"))]
mod team {
    use super::*;

    #[tokio::test]
    async fn team_build_refuses_licenses_with_501() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let (license, _) = valid_license();
        for response in [
            server.upload_license(&admin.token, &license).await,
            server.preview_license(&admin.token, &license).await,
            server.remove_license(&admin.token).await,
        ] {
            let body =
                response.assert_error(501, "api.license.add_license.not_enterprise.app_error");
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("Enterprise Edition build"),
                "{body}"
            );
        }
        assert!(!server.is_licensed().await);
        assert_eq!(server.version_licensed_flag().await, "false");
    }

    #[tokio::test]
    async fn team_build_ignores_mm_license_and_stored_licenses() {
        let (license, _) = valid_license();
        let server = TestServer::builder()
            .runtime(runtime_with_license(&license))
            .start()
            .await;
        // A license stored by an Enterprise build is left exactly as it is.
        server
            .store()
            .activate_license(SAMPLE_LICENSE_ID, SAMPLE_LICENSE, 1, "v1")
            .await
            .unwrap();
        let before = townsquare::store::dump::dump(server.store()).await.unwrap();
        let server = server.restart().await;
        let admin = server.admin().await;
        assert!(!server.is_licensed().await);
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["edition"], "team");
        assert_eq!(view["problems"][0]["origin"], "environment");
        assert_eq!(
            view["problems"][0]["id"],
            "api.license.add_license.not_enterprise.app_error"
        );
        let after = townsquare::store::dump::dump(server.store()).await.unwrap();
        let licenses = |dump: &[townsquare::store::dump::TableDump]| {
            dump.iter()
                .filter(|t| t.table == "licenses" || t.table == "systems")
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(licenses(&before), licenses(&after));
    }
}

// ---------------------------------------------------------------- Enterprise Edition

#[cfg(feature = "enterprise")]
mod enterprise {
    use std::process::Command;
    use std::time::Duration;

    use super::*;
    use crate::support::accounts::TestUser;

    async fn licensed_server() -> (TestServer, TestUser, String) {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let (license, id) = valid_license();
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        (server, admin, id)
    }

    #[tokio::test]
    async fn upload_unlocks_at_once_and_removal_locks_again() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let user = server.user(&admin, "bob").await;
        // Before: creating terms of service is refused.
        server
            .post_as(
                &admin.token,
                "/api/v4/terms_of_service",
                &json!({"text": "Be kind."}),
            )
            .await
            .assert_error(
                400,
                "api.create_terms_of_service.custom_terms_of_service_disabled.app_error",
            );

        let payload = payload_with(json!({
            "features": {"users": 50, "saml": true, "custom_terms_of_service": true,
                          "announcement": true},
        }));
        let id = payload["id"].as_str().unwrap().to_owned();
        let license = sign(&payload);
        let response = server.upload_license(&admin.token, &license).await;
        response.assert_status(200);
        let body = response.json();
        assert_eq!(body["id"], id);
        assert_eq!(body["features"]["users"], 50);
        assert_eq!(body["features"]["saml"], true);
        assert_eq!(body["features"]["ldap"], false);
        assert_eq!(body["features"]["cloud"], false);
        assert_eq!(body["sku_short_name"], "enterprise");

        // No restart: the next request sees it.
        assert_eq!(server.version_licensed_flag().await, "true");
        let full = server.client_license(Some(&admin.token)).await;
        assert_eq!(full["IsLicensed"], "true");
        assert_eq!(full["Id"], id);
        assert_eq!(full["Users"], "50");
        assert_eq!(full["SAML"], "true");
        assert_eq!(full["LDAP"], "false");
        assert_eq!(full["CustomTermsOfService"], "true");
        assert_eq!(full["Cloud"], "false");
        assert_eq!(full["Company"], "Test Company");
        assert!(full.as_object().unwrap().values().all(|v| v.is_string()));
        for key in [
            "IsLicensed",
            "Id",
            "SkuName",
            "SkuShortName",
            "Users",
            "IssuedAt",
            "StartsAt",
            "ExpiresAt",
            "Name",
            "Email",
            "Company",
            "IsTrial",
            "IsGovSku",
            "LDAP",
            "LDAPGroups",
            "MFA",
            "SAML",
            "Cluster",
            "Metrics",
            "GoogleOAuth",
            "Office365OAuth",
            "OpenId",
            "Compliance",
            "MHPNS",
            "Announcement",
            "Elasticsearch",
            "DataRetention",
            "IDLoadedPushNotifications",
            "EmailNotificationContents",
            "MessageExport",
            "CustomPermissionsSchemes",
            "GuestAccounts",
            "GuestAccountsPermissions",
            "CustomTermsOfService",
            "LockTeammateNameDisplay",
            "Cloud",
            "SharedChannels",
            "RemoteClusterService",
            "OutgoingOAuthConnections",
        ] {
            assert!(full.get(key).is_some(), "{key} missing from {full}");
        }
        // Sanitised for callers without read_license_information (anonymous or users).
        for token in [None, Some(user.token.as_str())] {
            let sanitized = server.client_license(token).await;
            for key in [
                "Id",
                "Name",
                "Email",
                "IssuedAt",
                "StartsAt",
                "ExpiresAt",
                "SkuName",
            ] {
                assert!(sanitized.get(key).is_none(), "{key} leaked: {sanitized}");
            }
            assert_eq!(sanitized["IsLicensed"], "true");
            assert_eq!(sanitized["SAML"], "true");
            assert_eq!(sanitized["Company"], "Test Company");
        }
        server
            .post_as(
                &admin.token,
                "/api/v4/terms_of_service",
                &json!({"text": "Be kind."}),
            )
            .await
            .assert_status(200);

        // The admin view: source, development flag.
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["is_licensed"], true);
        assert_eq!(view["source"], "database");
        assert_eq!(view["state"], "active");
        assert_eq!(view["is_development"], true);
        assert_eq!(view["license"]["id"], id);
        assert!(view["warnings"][0]
            .as_str()
            .unwrap()
            .contains("development key"));

        // Removal: features off at once, the stored row stays.
        let removed = server.remove_license(&admin.token).await;
        removed.assert_status(200);
        assert_eq!(removed.json(), json!({"status": "OK"}));
        assert_eq!(
            server.client_license(None).await,
            json!({"IsLicensed": "false"})
        );
        assert_eq!(server.version_licensed_flag().await, "false");
        let rows = server.store().license_rows().await.unwrap();
        assert_eq!(rows.stored, 1);
        assert_eq!(rows.active_license_id, "");

        // Uploading the stored license again re-activates it: no duplicate-key error.
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        assert!(server.is_licensed().await);
        let rows = server.store().license_rows().await.unwrap();
        assert_eq!(
            (rows.stored, rows.active_license_id.as_str()),
            (1, id.as_str())
        );
    }

    #[tokio::test]
    async fn preview_stores_nothing() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let (license, id) = valid_license();
        let response = server.preview_license(&admin.token, &license).await;
        response.assert_status(200);
        let body = response.json();
        assert_eq!(body["license"]["id"], id);
        assert_eq!(body["state"], "active");
        assert_eq!(body["is_development"], true);
        assert_eq!(body["kid"], "ts-dev-1");
        assert_eq!(body["can_upload"], true);
        assert_eq!(body["upload_error"], json!(null));
        assert_eq!(body["active_users"], 1);
        assert!(!server.is_licensed().await);
        assert_eq!(server.store().license_rows().await.unwrap().stored, 0);

        // A license that could not be uploaded now says why.
        let expired = sign(&payload_with(json!({
            "starts_at": now_ms() - 20 * DAY_MS, "expires_at": now_ms() - DAY_MS,
        })));
        let body = server.preview_license(&admin.token, &expired).await.json();
        assert_eq!(body["state"], "grace");
        assert_eq!(body["can_upload"], false);
        assert_eq!(
            body["upload_error"]["id"],
            "api.license.add_license.expired.app_error"
        );
        // A file that is not a license is an error, as for an upload.
        server
            .preview_license(&admin.token, "hello")
            .await
            .assert_error(400, "api.license.add_license.invalid.app_error");
    }

    /// Every refusal has its own id and a 400, stores nothing and keeps the license in force.
    #[tokio::test]
    async fn every_bad_license_has_its_own_error_and_changes_nothing() {
        let (server, admin, id) = licensed_server().await;
        let now = now_ms();
        let throwaway = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let good_bytes = serde_json::to_vec(&payload()).unwrap();
        let tampered = {
            let license = sign(&payload());
            let envelope = base64_envelope(&license);
            let mut value: serde_json::Value = serde_json::from_slice(&envelope).unwrap();
            let other = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                serde_json::to_vec(&payload_with(json!({"features": {"users": 1_000_000}})))
                    .unwrap(),
            );
            value["payload"] = json!(other);
            armour(&serde_json::to_vec(&value).unwrap())
        };
        let envelope_with = |changes: serde_json::Value| {
            let mut value: serde_json::Value =
                serde_json::from_slice(&base64_envelope(&sign(&payload()))).unwrap();
            for (k, v) in changes.as_object().unwrap() {
                value[k] = v.clone();
            }
            armour(&serde_json::to_vec(&value).unwrap())
        };
        let second_user = server.user(&admin, "carol").await;
        let _ = second_user;
        let cases: Vec<(&str, String)> = vec![
            ("api.license.add_license.invalid.app_error", "not a license at all".into()),
            (
                "api.license.add_license.invalid.app_error",
                "-----BEGIN TOWNSQUARE LICENSE-----\n!!!not base64!!!\n-----END TOWNSQUARE LICENSE-----\n".into(),
            ),
            ("api.license.add_license.too_large.app_error", "A".repeat(17 * 1024)),
            ("api.license.add_license.unsupported_version.app_error", envelope_with(json!({"v": 2}))),
            ("api.license.add_license.unsupported_algorithm.app_error", envelope_with(json!({"alg": "rsa"}))),
            (
                "api.license.add_license.unknown_key.app_error",
                sign_bytes_with(&good_bytes, &throwaway, "ts-other-9"),
            ),
            (
                "api.license.add_license.invalid_signature.app_error",
                sign_bytes_with(&good_bytes, &throwaway, DEV_KID),
            ),
            ("api.license.add_license.invalid_signature.app_error", tampered),
            (
                "api.license.add_license.malformed.app_error",
                sign(&payload_with(json!({"id": "short"}))),
            ),
            (
                "api.license.add_license.malformed.app_error",
                sign(&payload_with(json!({"sku_name": "Townsquare Enterprise"}))),
            ),
            (
                "api.license.add_license.not_started.app_error",
                sign(&payload_with(json!({"starts_at": now + 5 * DAY_MS, "expires_at": now + 50 * DAY_MS}))),
            ),
            (
                "api.license.add_license.expired.app_error",
                sign(&payload_with(json!({"starts_at": now - 50 * DAY_MS, "expires_at": now - 60_000}))),
            ),
            (
                "api.license.add_license.issued_in_future.app_error",
                sign(&payload_with(json!({"issued_at": now + 3 * DAY_MS}))),
            ),
            (
                "api.license.add_license.unique_users.app_error",
                sign(&payload_with(json!({"features": {"users": 1, "future_features": true}}))),
            ),
        ];
        for (expected, license) in cases {
            let response = server.upload_license(&admin.token, &license).await;
            let body = response.assert_error(400, expected);
            assert!(body["message"].as_str().unwrap().len() > 40, "{body}");
            let view = server.get_as(&admin.token, "/api/v4/license").await.json();
            assert_eq!(
                view["license"]["id"], id,
                "{expected}: previous license stays"
            );
        }
        assert_eq!(server.store().license_rows().await.unwrap().stored, 1);
    }

    fn base64_envelope(armoured: &str) -> Vec<u8> {
        let body: String = armoured
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap()
    }

    #[tokio::test]
    async fn production_server_refuses_a_development_license() {
        let server = TestServer::builder()
            .runtime(production_runtime())
            .start()
            .await;
        let admin = server.admin().await;
        let (license, _) = valid_license();
        let body = server
            .upload_license(&admin.token, &license)
            .await
            .assert_error(400, "api.license.add_license.wrong_environment.app_error");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("MM_SERVICEENVIRONMENT"));
    }

    #[tokio::test]
    async fn mm_license_takes_precedence_and_locks_the_api() {
        let (server, admin, db_id) = licensed_server().await;
        let env_payload = payload();
        let env_id = env_payload["id"].as_str().unwrap().to_owned();
        let server = server
            .restart_with_runtime(runtime_with_license(&sign(&env_payload)))
            .await;
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["source"], "environment");
        assert_eq!(view["license"]["id"], env_id);
        let (other, _) = valid_license();
        server
            .upload_license(&admin.token, &other)
            .await
            .assert_error(400, "api.license.set_by_environment.app_error");
        server
            .remove_license(&admin.token)
            .await
            .assert_error(400, "api.license.set_by_environment.app_error");
        let preview = server.preview_license(&admin.token, &other).await.json();
        assert_eq!(
            preview["upload_error"]["id"],
            "api.license.set_by_environment.app_error"
        );

        // An invalid MM_LICENSE is reported to admins and the database license is used.
        let server = server
            .restart_with_runtime(runtime_with_license("garbage"))
            .await;
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["source"], "database");
        assert_eq!(view["license"]["id"], db_id);
        assert_eq!(view["problems"][0]["origin"], "environment");
        assert_eq!(
            view["problems"][0]["id"],
            "api.license.add_license.invalid.app_error"
        );
        assert!(view["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("MM_LICENSE")));
        assert!(server.is_licensed().await);
    }

    #[tokio::test]
    async fn license_file_is_imported_at_start() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let (license, id) = valid_license();
        let path = server.db.dir().join("imported.townsquare-license");
        std::fs::write(&path, &license).unwrap();
        let mut config = server.config.clone();
        config.service.license_file_location = path.to_string_lossy().into_owned();
        let server = server.restart_with(config).await;
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["license"]["id"], id);
        assert_eq!(view["source"], "database");
        assert_eq!(
            server
                .store()
                .license_rows()
                .await
                .unwrap()
                .active_license_id,
            id
        );
        // A database license wins over the file from then on.
        let (other, other_id) = valid_license();
        server
            .upload_license(&admin.token, &other)
            .await
            .assert_status(200);
        let server = server.restart().await;
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["license"]["id"], other_id);
    }

    #[tokio::test]
    async fn seat_limit_blocks_new_and_reactivated_users_only() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let alice = server.user(&admin, "alice").await;
        let license = sign(&payload_with(json!({
            "features": {"users": 2, "future_features": true},
            "is_seat_count_enforced": true, "extra_users": 1,
        })));
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        let limits = server
            .get_as(&admin.token, "/api/v4/limits/server")
            .await
            .json();
        assert_eq!(
            limits,
            json!({"maxUsersLimit": 2, "maxUsersHardLimit": 3, "activeUserCount": 2})
        );
        server.user(&admin, "bob").await;
        server
            .create_user_as(Some(&admin.token), "carol")
            .await
            .assert_error(400, "api.user.create_user.license_user_limits.exceeded");
        // Existing users and sessions are untouched.
        server
            .get_as(&alice.token, "/api/v4/users/me")
            .await
            .assert_status(200);
        // Deactivating frees a seat; reactivating past the limit is refused.
        server
            .delete_as(&admin.token, &format!("/api/v4/users/{}", alice.id))
            .await
            .assert_status(200);
        server.user(&admin, "carol").await;
        server
            .put_as(
                &admin.token,
                &format!("/api/v4/users/{}/active", alice.id),
                &json!({"active": true}),
            )
            .await
            .assert_error(400, "api.user.create_user.license_user_limits.exceeded");
        // Without a license in force there is no limit.
        server.remove_license(&admin.token).await.assert_status(200);
        server.user(&admin, "dave").await;
    }

    #[tokio::test]
    async fn another_node_notices_upload_and_removal_within_five_seconds() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let node = server.second_node().await;
        assert!(!node.is_licensed().await);
        let (license, _) = valid_license();
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        let took = node.wait_licensed(true, Duration::from_secs(5)).await;
        eprintln!("other node saw the upload after {took:?}");
        server.remove_license(&admin.token).await.assert_status(200);
        node.wait_licensed(false, Duration::from_secs(5)).await;
        node.stop().await;
    }

    #[tokio::test]
    async fn cli_license_commands_reach_a_running_server_within_five_seconds() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let (license, id) = valid_license();
        let file = server.db.dir().join("cli.townsquare-license");
        std::fs::write(&file, &license).unwrap();
        let cli = |args: &[&str]| {
            let output = Command::new(env!("CARGO_BIN_EXE_townsquare"))
                .args(args)
                .env("MM_SQLSETTINGS_DATASOURCE", server.db.data_source())
                .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
                .env("MM_SERVICEENVIRONMENT", "test")
                .env_remove("MM_LICENSE")
                .output()
                .unwrap();
            (
                output.status.success(),
                String::from_utf8_lossy(&output.stdout).into_owned()
                    + &String::from_utf8_lossy(&output.stderr),
            )
        };
        let (ok, out) = cli(&["license", "upload", file.to_str().unwrap()]);
        assert!(ok, "{out}");
        assert!(out.contains(&id), "{out}");
        server.wait_licensed(true, Duration::from_secs(5)).await;
        let (ok, out) = cli(&["license", "show"]);
        assert!(
            ok && out.contains(&id) && out.contains("development"),
            "{out}"
        );
        let (ok, out) = cli(&["edition", "check"]);
        assert!(ok && out.contains("custom_terms_of_service"), "{out}");
        let (ok, out) = cli(&["license", "remove", "--yes", "--force"]);
        assert!(ok, "{out}");
        server.wait_licensed(false, Duration::from_secs(5)).await;
        // A bad file is refused with the same message as the API.
        let bad = server.db.dir().join("bad.townsquare-license");
        std::fs::write(&bad, "nonsense").unwrap();
        let (ok, out) = cli(&["license", "upload", bad.to_str().unwrap()]);
        assert!(
            !ok && out.contains("api.license.add_license.invalid.app_error"),
            "{out}"
        );
        let _ = admin;
    }

    #[tokio::test]
    async fn vendor_cli_signs_and_inspects() {
        let dir = tempfile::tempdir().unwrap();
        let payload_path = dir.path().join("payload.json");
        std::fs::write(
            &payload_path,
            serde_json::to_vec_pretty(&payload()).unwrap(),
        )
        .unwrap();
        let key =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("licenses/dev/ts-dev-1.key");
        let signed = Command::new(env!("CARGO_BIN_EXE_townsquare"))
            .args(["license", "sign", "--key"])
            .arg(&key)
            .arg(&payload_path)
            .output()
            .unwrap();
        assert!(
            signed.status.success(),
            "{}",
            String::from_utf8_lossy(&signed.stderr)
        );
        let license = String::from_utf8(signed.stdout).unwrap();
        assert!(license.starts_with("-----BEGIN TOWNSQUARE LICENSE-----"));
        let file = dir.path().join("x.townsquare-license");
        std::fs::write(&file, &license).unwrap();
        let inspected = Command::new(env!("CARGO_BIN_EXE_townsquare"))
            .args(["license", "inspect"])
            .arg(&file)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&inspected.stdout);
        assert!(inspected.status.success(), "{out}");
        assert!(
            out.contains("ts-dev-1") && out.contains("DEVELOPMENT") && out.contains("active"),
            "{out}"
        );
        let keygen = Command::new(env!("CARGO_BIN_EXE_townsquare"))
            .args(["license", "keygen", "--kid", "ts-test-9", "--out-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            keygen.status.success(),
            "{}",
            String::from_utf8_lossy(&keygen.stderr)
        );
        assert!(dir.path().join("ts-test-9.key").exists());
        assert!(dir.path().join("ts-test-9.pub").exists());
    }

    #[tokio::test]
    async fn expiry_turns_features_off_without_a_restart() {
        let server = TestServer::start().await;
        let admin = server.admin().await;
        let now = now_ms();
        let license = sign(&payload_with(json!({
            "expires_at": now + 3_000, "grace_period_days": 0,
        })));
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        assert_eq!(server.version_licensed_flag().await, "true");
        server.wait_licensed(false, Duration::from_secs(8)).await;
        assert_eq!(server.version_licensed_flag().await, "false");
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["state"], "expired");
        assert_eq!(view["is_licensed"], false);
        assert!(
            view["license"]["id"].is_string(),
            "an expired license stays visible"
        );
    }

    #[tokio::test]
    async fn grace_period_keeps_features_on_and_warns() {
        let now = now_ms();
        let license = sign(&payload_with(json!({
            "starts_at": now - 40 * DAY_MS, "issued_at": now - 40 * DAY_MS,
            "expires_at": now - DAY_MS,
        })));
        let server = TestServer::builder()
            .runtime(runtime_with_license(&license))
            .start()
            .await;
        let admin = server.admin().await;
        assert!(server.is_licensed().await);
        let view = server.get_as(&admin.token, "/api/v4/license").await.json();
        assert_eq!(view["state"], "grace");
        assert_eq!(view["in_grace_period"], true);
        assert!(view["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("grace period")));
    }
}
