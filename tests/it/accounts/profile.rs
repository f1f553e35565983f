use serde_json::json;

use crate::support::accounts::PASSWORD;
use crate::support::TestServer;

#[tokio::test]
async fn users_are_readable_and_sanitized_for_others() {
    let server = TestServer::builder()
        .config(|c| {
            c.privacy.show_email_address = false;
            c.privacy.show_full_name = false;
        })
        .start()
        .await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    server
        .put_as(
            &bob.token,
            "/api/v4/users/me/patch",
            &json!({"first_name": "Bob", "last_name": "B"}),
        )
        .await
        .assert_status(200);

    let own = server.get_as(&bob.token, "/api/v4/users/me").await.json();
    assert_eq!(own["email"], "bob@example.com");
    assert_eq!(own["first_name"], "Bob");
    assert!(own["notify_props"].is_object());

    let seen = server
        .get_as(&bob.token, &format!("/api/v4/users/{}", admin.id))
        .await
        .json();
    assert_eq!(seen["email"], "", "email hidden by PrivacySettings");
    assert!(seen.get("notify_props").is_none());
    let by_admin = server
        .get_as(&admin.token, &format!("/api/v4/users/{}", bob.id))
        .await
        .json();
    assert_eq!(
        by_admin["email"], "bob@example.com",
        "admins see everything"
    );
    assert_eq!(by_admin["first_name"], "Bob");

    server
        .get_as(&bob.token, "/api/v4/users/username/ADMIN")
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, "/api/v4/users/email/admin@example.com")
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&admin.token, "/api/v4/users/email/bob@example.com")
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, "/api/v4/users/username/nobody")
        .await
        .assert_error(404, "app.user.missing_account.const");
    server
        .get_as(&bob.token, "/api/v4/users/aaaaaaaaaaaaaaaaaaaaaaaaaa")
        .await
        .assert_error(404, "app.user.missing_account.const");
    server
        .get_as(&bob.token, "/api/v4/users/not-an-id")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn list_lookup_and_search() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut ids = Vec::new();
    for name in ["carol", "dave", "erin", "frank"] {
        ids.push(server.user(&admin, name).await.id);
    }
    let page = server
        .get_as(&admin.token, "/api/v4/users?page=0&per_page=2")
        .await
        .json();
    let names: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "carol"]);
    let page = server
        .get_as(&admin.token, "/api/v4/users?page=2&per_page=2")
        .await
        .json();
    assert_eq!(page.as_array().unwrap().len(), 1);
    let admins = server
        .get_as(&admin.token, "/api/v4/users?role=system_admin")
        .await
        .json();
    assert_eq!(admins.as_array().unwrap().len(), 1);

    let by_ids = server
        .post_as(
            &admin.token,
            "/api/v4/users/ids",
            &json!([ids[0], ids[1], "zzzzzzzzzzzzzzzzzzzzzzzzzz"]),
        )
        .await
        .json();
    assert_eq!(by_ids.as_array().unwrap().len(), 2);
    // Malformed ids are left out, as in Mattermost.
    let malformed = server
        .post_as(&admin.token, "/api/v4/users/ids", &json!(["bad"]))
        .await;
    malformed.assert_status(200);
    assert_eq!(malformed.json(), json!([]));
    let by_names = server
        .post_as(
            &admin.token,
            "/api/v4/users/usernames",
            &json!(["ERIN", "frank", "ghost"]),
        )
        .await
        .json();
    assert_eq!(by_names.as_array().unwrap().len(), 2);

    let found = server
        .post_as(
            &admin.token,
            "/api/v4/users/search",
            &json!({"term": "@da"}),
        )
        .await
        .json();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["username"], "dave");
    let wildcard = server
        .post_as(&admin.token, "/api/v4/users/search", &json!({"term": "%"}))
        .await
        .json();
    assert_eq!(
        wildcard.as_array().unwrap().len(),
        0,
        "LIKE wildcards are escaped"
    );
    server
        .post_as(&admin.token, "/api/v4/users/search", &json!({"term": ""}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn patching_rules() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;

    let patched = server
        .put_as(
            &bob.token,
            "/api/v4/users/me/patch",
            &json!({"nickname": "bobby", "position": "dev", "notify_props": {"push": "all"}}),
        )
        .await;
    patched.assert_status(200);
    let body = patched.json();
    assert_eq!(body["nickname"], "bobby");
    assert_eq!(body["notify_props"]["push"], "all");
    assert_eq!(
        body["notify_props"]["email"], "true",
        "other notify props kept"
    );

    server
        .put_as(
            &bob.token,
            &format!("/api/v4/users/{}/patch", carol.id),
            &json!({"nickname": "x"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &bob.token,
            "/api/v4/users/me/patch",
            &json!({"username": "carol"}),
        )
        .await
        .assert_error(400, "app.user.save.username_exists.app_error");
    server
        .put_as(
            &bob.token,
            "/api/v4/users/me/patch",
            &json!({"email": "new@example.com"}),
        )
        .await
        .assert_error(400, "api.user.patch_user.email_requires_password.app_error");
    let moved = server
        .put_as(
            &bob.token,
            "/api/v4/users/me/patch",
            &json!({"email": "New@Example.com", "password": PASSWORD}),
        )
        .await;
    moved.assert_status(200);
    assert_eq!(moved.json()["email"], "new@example.com");
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/patch", carol.id),
            &json!({"email": "c2@example.com"}),
        )
        .await
        .assert_status(200);

    let full = server
        .put_as(
            &bob.token,
            &format!("/api/v4/users/{}", bob.id),
            &json!({"id": bob.id, "nickname": "b"}),
        )
        .await;
    full.assert_status(200);
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/users/{}", bob.id),
            &json!({"id": carol.id}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn roles_are_admin_only_and_the_last_admin_stays() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/users/{}/roles", bob.id),
            &json!({"roles": "system_user system_admin"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/roles", bob.id),
            &json!({"roles": "system_user wizard"}),
        )
        .await
        .assert_error(400, "api.user.update_user_roles.invalid_role.app_error");
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/roles", admin.id),
            &json!({"roles": "system_user"}),
        )
        .await
        .assert_error(400, "api.user.last_system_admin.app_error");
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/roles", bob.id),
            &json!({"roles": "system_user system_admin"}),
        )
        .await
        .assert_status(200);
    // Role changes apply to existing sessions at once.
    server
        .get_as(&bob.token, "/api/v4/users/tokens")
        .await
        .assert_status(200);
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/users/{}/roles", admin.id),
            &json!({"roles": "system_user"}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&admin.token, "/api/v4/users/tokens")
        .await
        .assert_status(403);
}

#[tokio::test]
async fn password_change_revokes_sessions_and_tokens() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_user_access_tokens = true)
        .start()
        .await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let pat = server
        .post_as(
            &admin.token,
            &format!("/api/v4/users/{}/tokens", bob.id),
            &json!({"description": "x"}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let path = "/api/v4/users/me/password";
    server
        .put_as(&bob.token, path, &json!({"new_password": "Another-456"}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .put_as(
            &bob.token,
            path,
            &json!({"current_password": "wrong", "new_password": "Another-456"}),
        )
        .await
        .assert_error(400, "api.user.check_user_password.invalid.app_error");
    server
        .put_as(
            &bob.token,
            path,
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await
        .assert_error(400, "model.user.is_valid.pwd_min_length.app_error");
    server
        .put_as(
            &bob.token,
            path,
            &json!({"current_password": PASSWORD, "new_password": "Another-456"}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, "/api/v4/users/me")
        .await
        .assert_status(401);
    server
        .get_as(&pat, "/api/v4/users/me")
        .await
        .assert_status(401);
    server.login("bob", PASSWORD).await.assert_status(401);
    server.login("bob", "Another-456").await.assert_status(200);

    // Admins reset others' passwords without the current one; users cannot.
    let carol = server.user(&admin, "carol").await;
    server
        .put_as(
            &carol.token,
            &format!("/api/v4/users/{}/password", bob.id),
            &json!({"new_password": "Hijack-789"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/password", bob.id),
            &json!({"new_password": "Reset-0000"}),
        )
        .await
        .assert_status(200);
    server.login("bob", "Reset-0000").await.assert_status(200);
}

#[tokio::test]
async fn deactivation_revokes_everything_and_reactivation_restores_login() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    server
        .delete_as(&carol.token, &format!("/api/v4/users/{}", bob.id))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(&admin.token, &format!("/api/v4/users/{}", bob.id))
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, "/api/v4/users/me")
        .await
        .assert_status(401);
    let seen = server
        .get_as(&admin.token, &format!("/api/v4/users/{}", bob.id))
        .await
        .json();
    assert!(seen["delete_at"].as_i64().unwrap() > 0);
    let inactive = server
        .get_as(&admin.token, "/api/v4/users?inactive=true")
        .await
        .json();
    assert_eq!(inactive.as_array().unwrap().len(), 1);
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/active", bob.id),
            &json!({"active": true}),
        )
        .await
        .assert_status(200);
    server.login("bob", PASSWORD).await.assert_status(200);
    // Users may deactivate themselves, but not reactivate.
    server
        .put_as(
            &carol.token,
            "/api/v4/users/me/active",
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
    server
        .delete_as(&admin.token, &format!("/api/v4/users/{}", admin.id))
        .await
        .assert_error(400, "api.user.last_system_admin.app_error");
}

#[tokio::test]
async fn default_avatar_is_a_png() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let image = server.get_as(&admin.token, "/api/v4/users/me/image").await;
    image.assert_status(200);
    assert_eq!(image.header("content-type"), Some("image/png"));
    assert_eq!(image.header("x-content-type-options"), Some("nosniff"));
    assert!(image.body.starts_with(b"\x89PNG"));
    server
        .get("/api/v4/users/me/image")
        .await
        .assert_status(401);
}
