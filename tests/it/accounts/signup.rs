use serde_json::json;

use crate::support::accounts::PASSWORD;
use crate::support::TestServer;

#[tokio::test]
async fn first_user_is_admin_even_with_open_signup_off() {
    let server = TestServer::start().await;
    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(config["NoAccounts"], "true");
    assert_eq!(config["EnableOpenServer"], "false");

    let created = server.create_user_as(None, "First.Admin").await;
    created.assert_status(201);
    let body = created.json();
    assert_eq!(body["username"], "first.admin", "usernames are lower-cased");
    assert_eq!(body["roles"], "system_admin system_user");
    assert!(body.get("password").is_none(), "never returned: {body}");
    assert_eq!(body["notify_props"]["push"], "mention");
    assert_eq!(body["timezone"]["useAutomaticTimezone"], "true");
    assert_eq!(body["locale"], "en");
    assert_eq!(body["delete_at"], 0);

    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(config["NoAccounts"], "false");

    let second = server.create_user_as(None, "second").await;
    second.assert_error(403, "api.user.create_user.no_open_server");
}

#[tokio::test]
async fn open_server_allows_sign_up_as_plain_user() {
    let server = TestServer::builder()
        .config(|c| c.team.enable_open_server = true)
        .start()
        .await;
    server
        .create_user_as(None, "admin")
        .await
        .assert_status(201);
    let body = server.create_user_as(None, "bob").await;
    body.assert_status(201);
    assert_eq!(body.json()["roles"], "system_user");
}

#[tokio::test]
async fn admins_can_always_create_users_and_users_cannot() {
    let server = TestServer::builder()
        .config(|c| c.team.enable_user_creation = false)
        .start()
        .await;
    let admin = server.admin().await;
    let created = server.create_user_as(Some(&admin.token), "carol").await;
    created.assert_status(201);
    assert_eq!(created.json()["roles"], "system_user");
    let carol = server.login_user("carol").await;
    server
        .create_user_as(Some(&carol.token), "dave")
        .await
        .assert_error(403, "api.user.create_user.disabled.app_error");
    server
        .create_user_as(None, "eve")
        .await
        .assert_error(403, "api.user.create_user.disabled.app_error");
}

#[tokio::test]
async fn invalid_fields_are_rejected_with_mattermost_ids() {
    let server = TestServer::start().await;
    let cases = [
        (
            json!({"username": "1bad", "email": "a@b.co", "password": PASSWORD}),
            "model.user.is_valid.username.app_error",
        ),
        (
            json!({"username": "all", "email": "a@b.co", "password": PASSWORD}),
            "model.user.is_valid.username.app_error",
        ),
        (
            json!({"username": "ok", "email": "not-an-email", "password": PASSWORD}),
            "model.user.is_valid.email.app_error",
        ),
        (
            json!({"username": "ok", "email": "a@b.co", "password": "short"}),
            "model.user.is_valid.pwd_min_length.app_error",
        ),
        (
            json!({"username": "ok", "email": "a@b.co", "password": "x".repeat(73)}),
            "model.user.is_valid.pwd_max_length.app_error",
        ),
        (
            json!({"username": "ok", "email": "a@b.co", "password": PASSWORD, "nickname": "n".repeat(65)}),
            "model.user.is_valid.nickname.app_error",
        ),
    ];
    for (body, id) in cases {
        server
            .post_json("/api/v4/users", &body)
            .await
            .assert_error(400, id);
    }
    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(config["NoAccounts"], "true", "nothing was written");
}

#[tokio::test]
async fn password_rules_follow_configuration() {
    let server = TestServer::builder()
        .config(|c| {
            c.password.uppercase = true;
            c.password.number = true;
        })
        .start()
        .await;
    let weak = json!({"username": "u", "email": "u@x.io", "password": "alllowercase"});
    server
        .post_json("/api/v4/users", &weak)
        .await
        .assert_error(400, "model.user.is_valid.pwd_uppercase_number.app_error");
    let strong = json!({"username": "u", "email": "u@x.io", "password": "Upper1case"});
    server
        .post_json("/api/v4/users", &strong)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn duplicate_username_or_email_is_400() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let body = json!({"username": "ADMIN", "email": "new@example.com", "password": PASSWORD});
    server
        .post_as(&admin.token, "/api/v4/users", &body)
        .await
        .assert_error(400, "app.user.save.username_exists.app_error");
    let body = json!({"username": "other", "email": "Admin@Example.com", "password": PASSWORD});
    server
        .post_as(&admin.token, "/api/v4/users", &body)
        .await
        .assert_error(400, "app.user.save.email_exists.app_error");
}

#[tokio::test]
async fn unknown_fields_and_nulls_are_accepted() {
    let server = TestServer::start().await;
    let body = json!({
        "username": "nully", "email": "nully@example.com", "password": PASSWORD,
        "nickname": null, "first_name": null, "props": null, "some_future_field": {"x": 1},
    });
    let created = server.post_json("/api/v4/users", &body).await;
    created.assert_status(201);
    assert_eq!(created.json()["nickname"], "");
}

#[tokio::test]
async fn malformed_bodies_are_4xx_never_500() {
    let server = TestServer::start().await;
    let bad_json = server
        .post_raw("/api/v4/users", "application/json", "{\"username\": ")
        .await;
    bad_json.assert_error(400, "api.context.invalid_body_param.app_error");
    let wrong_type = server
        .post_json(
            "/api/v4/users",
            &json!({"username": 5, "email": "x@y.z", "password": PASSWORD}),
        )
        .await;
    wrong_type.assert_error(400, "api.context.invalid_body_param.app_error");
    let not_object = server
        .post_raw("/api/v4/users", "application/json", "[1,2]")
        .await;
    not_object.assert_error(400, "api.context.invalid_body_param.app_error");
    let form = server
        .post_raw("/api/v4/users", "application/x-www-form-urlencoded", "a=b")
        .await;
    // The body is decoded as JSON whatever Content-Type says, as Mattermost does.
    form.assert_error(400, "api.context.invalid_body_param.app_error");
    let huge = format!("{{\"username\": \"{}\"}}", "a".repeat(400_000));
    let too_large = server
        .post_raw("/api/v4/users", "application/json", huge)
        .await;
    too_large.assert_error(413, "api.context.request_body_too_large.app_error");
    let login_garbage = server
        .post_raw("/api/v4/users/login", "application/json", "\u{0}\u{1}")
        .await;
    login_garbage.assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn concurrent_first_sign_ups_make_exactly_one_admin() {
    let server = TestServer::start().await;
    let attempts = (0..6).map(|i| {
        let server = &server;
        async move { server.create_user_as(None, &format!("racer{i}")).await }
    });
    let results = futures::future::join_all(attempts).await;
    let created: Vec<_> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(
        created.len(),
        1,
        "only the first account may sign up while closed"
    );
    assert_eq!(created[0].json()["roles"], "system_admin system_user");
    assert!(results
        .iter()
        .filter(|r| r.status != 201)
        .all(|r| r.status == 403));
}

#[test]
fn cli_creates_and_lists_users() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("cli.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_townsquare"))
            .args(args)
            .env("MM_SQLSETTINGS_DATASOURCE", &source)
            .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
            .env("MM_SERVICEENVIRONMENT", "test")
            .output()
            .unwrap()
    };
    let created = run(&[
        "user",
        "create",
        "--email",
        "root@example.com",
        "--username",
        "root",
        "--password",
        PASSWORD,
        "--system-admin",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(String::from_utf8_lossy(&created.stdout).contains("system_admin"));
    let plain = run(&[
        "user",
        "create",
        "--email",
        "joe@example.com",
        "--username",
        "joe",
        "--password",
        PASSWORD,
    ]);
    assert!(String::from_utf8_lossy(&plain.stdout).contains("\"system_user\""));
    let bad = run(&[
        "user",
        "create",
        "--email",
        "x@example.com",
        "--username",
        "x y",
        "--password",
        PASSWORD,
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Username"));
    let list = String::from_utf8(run(&["user", "list"]).stdout).unwrap();
    assert!(
        list.contains("root") && list.contains("joe@example.com"),
        "{list}"
    );
}
