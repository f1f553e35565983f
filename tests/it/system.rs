use serde_json::Value;

use crate::support::TestServer;

#[tokio::test]
async fn ping_answers_ok_with_mattermost_shape() {
    let server = TestServer::start().await;
    let response = server.get("/api/v4/system/ping").await;
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body["status"], "OK");
    assert_eq!(body["ActiveSearchBackend"], "database");
    assert!(body.get("database_status").is_none());
}

#[tokio::test]
async fn ping_with_server_status_checks_database_and_files() {
    let server = TestServer::start().await;
    let response = server
        .get("/api/v4/system/ping?get_server_status=true&use_rest_semantics=true")
        .await;
    response.assert_status(200);
    let body = response.json();
    assert_eq!(body["database_status"], "OK");
    assert_eq!(body["filestore_status"], "OK");
    assert_eq!(response.header("database_status"), Some("OK"));
}

#[tokio::test]
async fn ping_reports_unwritable_filestore() {
    let server = TestServer::builder()
        .config(|c| c.file.directory = "/proc/townsquare-cannot-write-here".into())
        .start()
        .await;
    let unhealthy = server
        .get("/api/v4/system/ping?get_server_status=true")
        .await;
    unhealthy.assert_status(500);
    assert_eq!(unhealthy.json()["status"], "UNHEALTHY");
    assert_eq!(unhealthy.json()["filestore_status"], "UNHEALTHY");
    let rest = server
        .get("/api/v4/system/ping?get_server_status=true&use_rest_semantics=true")
        .await;
    rest.assert_status(200);
    assert_eq!(rest.json()["status"], "UNHEALTHY");
}

#[tokio::test]
async fn client_config_is_a_flat_string_map() {
    let server = TestServer::start().await;
    for path in [
        "/api/v4/config/client?format=old",
        "/api/v4/config/client",
        "/api/v4/config/client?format=new",
    ] {
        let response = server.get(path).await;
        response.assert_status(200);
        let body = response.json();
        let map = body.as_object().expect("object");
        assert!(
            map.values().all(Value::is_string),
            "every value is a string: {body}"
        );
        assert_eq!(
            body["Version"],
            townsquare::build_info::COMPATIBLE_MATTERMOST_VERSION
        );
        assert_eq!(body["BuildHash"], townsquare::build_info::GIT_HASH);
        assert_eq!(body["WebsocketPort"], "80");
        assert_eq!(body["EnableOpenServer"], "false");
        assert_eq!(body["PasswordMinimumLength"], "8");
    }
}

#[tokio::test]
async fn client_config_follows_configuration() {
    let server = TestServer::builder()
        .config(|c| {
            c.team.site_name = "Acme Chat".into();
            c.service.site_url = "https://chat.acme.test".into();
            c.team.enable_open_server = true;
        })
        .start()
        .await;
    let body = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(body["SiteName"], "Acme Chat");
    assert_eq!(body["SiteURL"], "https://chat.acme.test");
    assert_eq!(body["EnableOpenServer"], "true");
}

#[tokio::test]
async fn client_license_is_unlicensed() {
    let server = TestServer::start().await;
    let response = server.get("/api/v4/license/client?format=old").await;
    response.assert_status(200);
    assert_eq!(response.json(), serde_json::json!({"IsLicensed": "false"}));
}

#[tokio::test]
async fn graceful_shutdown_then_restart_serves_again() {
    let server = TestServer::start().await;
    server.get("/api/v4/system/ping").await.assert_status(200);
    let url = server.url.clone();
    let server = server.restart().await;
    assert_ne!(server.url, url, "a restart binds a new port");
    server.get("/api/v4/system/ping").await.assert_status(200);
    let url = server.url.clone();
    server.stop().await;
    let refused = reqwest::get(format!("{url}/api/v4/system/ping")).await;
    assert!(refused.is_err(), "a stopped server accepts no connections");
}

/// Runs a real call behind each feature flag of `/config/client`: whether it works.
async fn feature_probes(server: &TestServer) -> Vec<(&'static str, bool)> {
    use crate::files::{png, send_multipart, upload, Part};
    use reqwest::Method;
    use serde_json::json;

    let admin = server.login_user("admin").await;
    let bob = server.user(&admin, &format!("bob{}", rand_suffix())).await;
    let team = crate::chat::team(server, &admin, &format!("t{}", rand_suffix())).await;
    let team_id = team["id"].as_str().unwrap().to_string();
    let channel = crate::chat::channel(server, &admin, &team_id, "probe", "O").await;
    let channel_id = channel["id"].as_str().unwrap().to_string();
    let ok = |status: u16| (200..300).contains(&status);
    let call = |method: &str, path: String, body: Option<serde_json::Value>| {
        let token = admin.token.clone();
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        async move {
            let response = server
                .call(method, &format!("/api/v4{path}"), &token, body.as_ref())
                .await;
            assert_ne!(response.status.as_u16(), 500, "{path}: {}", response.text());
            response
        }
    };

    let mut probes = Vec::new();
    let uploaded = upload(server, &admin, &channel_id, "probe.png", &png(4, 4)).await;
    probes.push(("EnableFileAttachments", ok(uploaded.status.as_u16())));
    let emoji =
        json!({"name": format!("probe{}", rand_suffix()), "creator_id": admin.id}).to_string();
    let created = send_multipart(
        server,
        &admin.token,
        Method::POST,
        "/api/v4/emoji",
        &[
            Part::Text("emoji", &emoji),
            Part::File("image", "e.png", &png(16, 16)),
        ],
    )
    .await;
    probes.push(("EnableCustomEmoji", ok(created.status.as_u16())));
    if ok(uploaded.status.as_u16()) {
        // A public link needs the file attached to a post.
        let file_id = uploaded.json()["file_infos"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let attached = call(
            "POST",
            "/posts".into(),
            Some(json!({"channel_id": channel_id, "message": "file", "file_ids": [file_id]})),
        )
        .await;
        attached.assert_status(201);
        let link = call("GET", format!("/files/{file_id}/link"), None).await;
        probes.push(("EnablePublicLink", ok(link.status.as_u16())));
    }
    let urgent = call(
        "POST",
        "/posts".into(),
        Some(json!({"channel_id": channel_id, "message": "probe",
            "metadata": {"priority": {"priority": "urgent"}}})),
    )
    .await;
    probes.push((
        "PostPriority",
        ok(urgent.status.as_u16()) && urgent.json()["metadata"]["priority"]["priority"] == "urgent",
    ));
    let anonymous = server
        .create_user_as(None, &format!("anon{}", rand_suffix()))
        .await;
    probes.push(("EnableOpenServer", ok(anonymous.status.as_u16())));

    let calls: Vec<(&'static str, &str, String, Option<serde_json::Value>)> = vec![
        (
            "EnableUserAccessTokens",
            "POST",
            "/users/me/tokens".into(),
            Some(json!({"description": "probe"})),
        ),
        (
            "EnableBotAccountCreation",
            "POST",
            "/bots".into(),
            Some(json!({"username": format!("probebot{}", rand_suffix())})),
        ),
        (
            "EnableCommands",
            "POST",
            "/commands".into(),
            Some(json!({"team_id": team_id, "trigger": "probe",
            "url": "http://127.0.0.1:9/probe", "method": "P"})),
        ),
        (
            "EnableIncomingWebhooks",
            "POST",
            "/hooks/incoming".into(),
            Some(json!({"channel_id": channel_id})),
        ),
        (
            "EnableOutgoingWebhooks",
            "POST",
            "/hooks/outgoing".into(),
            Some(json!({"team_id": team_id,
            "channel_id": channel_id, "trigger_words": ["probe"], "callback_urls": ["http://127.0.0.1:9/probe"]})),
        ),
        (
            "EnableOAuthServiceProvider",
            "POST",
            "/oauth/apps".into(),
            Some(json!({"name": "probe",
            "description": "probe", "callback_urls": ["http://127.0.0.1:9/cb"], "homepage": "http://127.0.0.1:9"})),
        ),
        (
            "EnableMarketplace",
            "GET",
            "/plugins/marketplace".into(),
            None,
        ),
        ("PluginsEnabled", "GET", "/plugins/webapp".into(), None),
        (
            "EnableEmailInvitations",
            "POST",
            format!("/teams/{team_id}/invite/email"),
            Some(json!(["probe@example.com"])),
        ),
        (
            "EnableCustomGroups",
            "POST",
            "/groups".into(),
            Some(json!({"name": "probes", "display_name": "Probes",
            "source": "custom", "allow_reference": true, "user_ids": [bob.id]})),
        ),
        (
            "EnableCompliance",
            "GET",
            "/compliance/reports".into(),
            None,
        ),
        (
            "ExperimentalSharedChannels",
            "GET",
            format!("/sharedchannels/{team_id}"),
            None,
        ),
        (
            "AllowSyncedDrafts",
            "GET",
            format!("/users/me/teams/{team_id}/drafts"),
            None,
        ),
        (
            "ScheduledPosts",
            "GET",
            format!("/posts/scheduled/team/{team_id}"),
            None,
        ),
        (
            "EnableFileSearch",
            "POST",
            format!("/teams/{team_id}/files/search"),
            Some(json!({"terms": "probe"})),
        ),
        (
            "ExperimentalViewArchivedChannels",
            "GET",
            format!("/teams/{team_id}/channels/deleted"),
            None,
        ),
        (
            "EnableGuestAccounts",
            "POST",
            format!("/users/{}/demote", bob.id),
            None,
        ),
        (
            "EnableMultifactorAuthentication",
            "POST",
            "/users/me/mfa/generate".into(),
            None,
        ),
        ("EnableLdap", "POST", "/ldap/sync".into(), None),
        ("EnableSaml", "GET", "/saml/metadata".into(), None),
    ];
    for (key, method, path, body) in calls {
        let response = call(method, path, body).await;
        probes.push((key, ok(response.status.as_u16())));
    }
    probes
}

fn rand_suffix() -> String {
    townsquare::id::new_id()[..8].to_string()
}

/// Each feature `/config/client` advertises works, each it denies does not (issue 12), and
/// the settings that exist follow the live configuration.
#[tokio::test]
async fn client_config_advertises_only_what_exists() {
    for (tokens, emoji) in [(false, true), (true, false)] {
        let server = TestServer::builder()
            .config(move |c| {
                c.service.enable_user_access_tokens = tokens;
                c.service.enable_custom_emoji = emoji;
                c.service.allow_synced_drafts = emoji;
                c.service.scheduled_posts = tokens;
                c.service.enable_file_search = emoji;
                c.service.enable_link_previews = tokens;
                c.file.enable_public_link = tokens;
                c.service.site_url = "http://chat.example.test".into();
                // Asked for, but there are no bots: still not advertised.
                c.service.enable_bot_account_creation = true;
            })
            .start()
            .await;
        let admin = server.admin().await;
        let config = server
            .get_as(&admin.token, "/api/v4/config/client?format=old")
            .await
            .json();
        assert_eq!(config["EnableUserAccessTokens"], tokens.to_string());
        assert_eq!(config["EnableCustomEmoji"], emoji.to_string());
        assert_eq!(config["AllowSyncedDrafts"], emoji.to_string());
        assert_eq!(config["ScheduledPosts"], tokens.to_string());
        // Link previews follow their setting (what `/redirect_location` honours).
        assert_eq!(config["EnableLinkPreviews"], tokens.to_string());
        for (key, works) in feature_probes(&server).await {
            assert_eq!(
                config[key],
                works.to_string(),
                "{key} is advertised as {} but a real call {}",
                config[key],
                if works { "works" } else { "fails" }
            );
        }
        // Features with no route at all are denied too.
        for key in [
            "SendEmailNotifications",
            "SendPushNotifications",
            "EnablePostUsernameOverride",
            "EnablePostIconOverride",
            "EnablePermalinkPreviews",
            "AllowPersistentNotifications",
            "EnableSignUpWithGitLab",
            "EnableSignUpWithGoogle",
            "EnableSignUpWithOffice365",
            "EnableSignUpWithOpenId",
            "EnforceMultifactorAuthentication",
            "EnableComplianceExport",
        ] {
            assert_eq!(config[key], "false", "{key}");
        }
    }

    // Signed out: Mattermost's limited set, which has no integration flags.
    let server = TestServer::start().await;
    let anonymous = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(anonymous["EnableBotAccountCreation"], "false");
    assert_eq!(anonymous["EnableGuestAccounts"], "false");
    for key in ["EnableCommands", "ExperimentalViewArchivedChannels"] {
        assert!(
            anonymous.get(key).is_none(),
            "{key} only for signed-in clients"
        );
    }
}
