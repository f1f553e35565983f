//! The two licensed features end to end: custom terms of service and the announcement banner,
//! licensed and unlicensed.

use serde_json::json;

use crate::support::TestServer;

/// Without a license (Team Edition, or Enterprise in team mode): Mattermost's answers, nothing
/// enforced.
#[tokio::test]
async fn unlicensed_terms_of_service_answer_like_mattermost() {
    let server = TestServer::builder()
        .config(|c| {
            c.support.custom_terms_of_service_enabled = true;
            c.announcement.enable_banner = true;
            c.announcement.banner_text = "Maintenance tonight".into();
        })
        .start()
        .await;
    let admin = server.admin().await;
    let user = server.user(&admin, "erin").await;
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
    // The permission is checked before the license, as in Mattermost.
    server
        .post_as(
            &user.token,
            "/api/v4/terms_of_service",
            &json!({"text": "Be kind."}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&user.token, "/api/v4/terms_of_service")
        .await
        .assert_error(404, "app.terms_of_service.get.no_rows.app_error");
    server
        .post_as(
            &user.token,
            "/api/v4/users/me/terms_of_service",
            &json!({"termsOfServiceId": "abcdefghijklmnopqrstuvwxyz", "accepted": true}),
        )
        .await
        .assert_error(404, "app.terms_of_service.get.no_rows.app_error");
    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert!(
        config.get("EnableCustomTermsOfService").is_none(),
        "{config}"
    );
    assert!(config.get("CustomTermsOfServiceId").is_none(), "{config}");
    // The banner settings are kept but not shown.
    assert_eq!(config["EnableBanner"], "false");
    assert_eq!(config["BannerText"], "");
    assert_eq!(config["AllowBannerDismissal"], "false");
    let me = server.get_as(&user.token, "/api/v4/users/me").await.json();
    assert!(me.get("terms_of_service_id").is_none(), "{me}");
}

#[cfg(feature = "enterprise")]
mod licensed {
    use serde_json::json;

    use crate::support::license::*;
    use crate::support::TestServer;

    #[tokio::test]
    async fn terms_of_service_and_banner_with_a_license() {
        let server = TestServer::builder()
            .config(|c| {
                c.support.custom_terms_of_service_enabled = true;
                c.support.custom_terms_of_service_re_acceptance_period = 30;
                c.announcement.enable_banner = true;
                c.announcement.banner_text = "Maintenance tonight".into();
                c.announcement.banner_color = "#112233".into();
                c.announcement.allow_banner_dismissal = false;
            })
            .start()
            .await;
        let admin = server.admin().await;
        let user = server.user(&admin, "frank").await;
        let license = sign(&payload());
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);

        // Banner: the settings, now that the license grants `announcement`.
        let config = server.get("/api/v4/config/client?format=old").await.json();
        assert_eq!(config["EnableBanner"], "true");
        assert_eq!(config["BannerText"], "Maintenance tonight");
        assert_eq!(config["BannerColor"], "#112233");
        assert_eq!(config["BannerTextColor"], "#333333");
        assert_eq!(config["AllowBannerDismissal"], "false");
        assert_eq!(config["EnableCustomTermsOfService"], "true");
        assert_eq!(config["CustomTermsOfServiceReAcceptancePeriod"], "30");
        assert!(
            config.get("CustomTermsOfServiceId").is_none(),
            "no text yet: {config}"
        );

        server
            .get_as(&user.token, "/api/v4/terms_of_service")
            .await
            .assert_error(404, "app.terms_of_service.get.no_rows.app_error");
        server
            .post_as(
                &admin.token,
                "/api/v4/terms_of_service",
                &json!({"text": ""}),
            )
            .await
            .assert_error(400, "api.create_terms_of_service.empty_text.app_error");
        server
            .post_as(
                &user.token,
                "/api/v4/terms_of_service",
                &json!({"text": "x"}),
            )
            .await
            .assert_error(403, "api.context.permissions.app_error");

        let created = server
            .post_as(
                &admin.token,
                "/api/v4/terms_of_service",
                &json!({"text": "Be kind."}),
            )
            .await;
        created.assert_status(200);
        let terms = created.json();
        let terms_id = terms["id"].as_str().unwrap().to_owned();
        assert_eq!(terms["text"], "Be kind.");
        assert_eq!(terms["user_id"], admin.id);
        assert!(terms["create_at"].as_i64().unwrap() > 0);
        // The same text again is the same terms.
        let again = server
            .post_as(
                &admin.token,
                "/api/v4/terms_of_service",
                &json!({"text": "Be kind."}),
            )
            .await
            .json();
        assert_eq!(again["id"], terms_id);
        let latest = server.get_as(&user.token, "/api/v4/terms_of_service").await;
        latest.assert_status(200);
        assert_eq!(latest.json(), terms);
        let config = server.get("/api/v4/config/client?format=old").await.json();
        assert_eq!(config["CustomTermsOfServiceId"], terms_id);

        // Accepting: bad bodies first.
        server
            .post_as(
                &user.token,
                "/api/v4/users/me/terms_of_service",
                &json!({"accepted": true}),
            )
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
        server
            .post_as(
                &user.token,
                "/api/v4/users/me/terms_of_service",
                &json!({"termsOfServiceId": terms_id}),
            )
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
        server
            .post_as(
                &user.token,
                "/api/v4/users/me/terms_of_service",
                &json!({"termsOfServiceId": "abcdefghijklmnopqrstuvwxyz", "accepted": true}),
            )
            .await
            .assert_error(404, "app.terms_of_service.get.no_rows.app_error");
        let accepted = server
            .post_as(
                &user.token,
                &format!("/api/v4/users/{}/terms_of_service", user.id),
                &json!({"serviceTermsId": terms_id, "accepted": true}),
            )
            .await;
        accepted.assert_status(200);
        assert_eq!(accepted.json(), json!({"status": "OK"}));

        // On the user at users/me and at login; admins see it too, others do not.
        let me = server.get_as(&user.token, "/api/v4/users/me").await.json();
        assert_eq!(me["terms_of_service_id"], terms_id);
        assert!(me["terms_of_service_create_at"].as_i64().unwrap() > 0);
        let login = server
            .login("frank", crate::support::accounts::PASSWORD)
            .await
            .json();
        assert_eq!(login["terms_of_service_id"], terms_id);
        let by_admin = server
            .get_as(&admin.token, &format!("/api/v4/users/{}", user.id))
            .await
            .json();
        assert_eq!(by_admin["terms_of_service_id"], terms_id);
        let mine = server
            .get_as(&user.token, "/api/v4/users/me/terms_of_service")
            .await
            .json();
        assert_eq!(mine["terms_of_service_id"], terms_id);
        assert_eq!(mine["user_id"], user.id);

        // Unlicensed again: nothing enforced, nothing shown, rows untouched.
        let rows_before = server.store().terms_rows().await.unwrap();
        server.remove_license(&admin.token).await.assert_status(200);
        server
            .get_as(&user.token, "/api/v4/terms_of_service")
            .await
            .assert_error(404, "app.terms_of_service.get.no_rows.app_error");
        let me = server.get_as(&user.token, "/api/v4/users/me").await.json();
        assert!(me.get("terms_of_service_id").is_none(), "{me}");
        let config = server.get("/api/v4/config/client?format=old").await.json();
        assert_eq!(config["EnableBanner"], "false");
        assert!(config.get("EnableCustomTermsOfService").is_none());
        assert_eq!(server.store().terms_rows().await.unwrap(), rows_before);

        // Licensed again: everything is back, with no admin action on the terms.
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        let me = server.get_as(&user.token, "/api/v4/users/me").await.json();
        assert_eq!(me["terms_of_service_id"], terms_id);

        // Declining forgets the acceptance.
        server
            .post_as(
                &user.token,
                "/api/v4/users/me/terms_of_service",
                &json!({"termsOfServiceId": terms_id, "accepted": false}),
            )
            .await
            .assert_status(200);
        let me = server.get_as(&user.token, "/api/v4/users/me").await.json();
        assert!(me.get("terms_of_service_id").is_none(), "{me}");
        server
            .get_as(&user.token, "/api/v4/users/me/terms_of_service")
            .await
            .assert_error(
                404,
                "app.user_terms_of_service.get_by_user.no_rows.app_error",
            );
    }

    #[tokio::test]
    async fn a_license_without_the_features_keeps_them_off() {
        let server = TestServer::builder()
            .config(|c| c.announcement.enable_banner = true)
            .start()
            .await;
        let admin = server.admin().await;
        let license = sign(&payload_with(json!({
            "features": {"users": 100, "future_features": true,
                          "announcement": false, "custom_terms_of_service": false},
        })));
        server
            .upload_license(&admin.token, &license)
            .await
            .assert_status(200);
        assert!(server.is_licensed().await);
        let config = server.get("/api/v4/config/client?format=old").await.json();
        assert_eq!(config["EnableBanner"], "false");
        server
            .post_as(
                &admin.token,
                "/api/v4/terms_of_service",
                &json!({"text": "x"}),
            )
            .await
            .assert_error(
                400,
                "api.create_terms_of_service.custom_terms_of_service_disabled.app_error",
            );
    }
}
