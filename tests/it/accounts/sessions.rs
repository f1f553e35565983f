use serde_json::json;
use townsquare::store::Pools;

use crate::support::accounts::PASSWORD;
use crate::support::TestServer;

#[tokio::test]
async fn sessions_are_listed_without_tokens_and_revoked_at_once() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let phone = server
        .post_json(
            "/api/v4/users/login",
            &json!({"login_id": "admin", "password": PASSWORD, "device_id": "apple:probe"}),
        )
        .await
        .header("token")
        .unwrap()
        .to_string();
    let list = server
        .get_as(&admin.token, "/api/v4/users/me/sessions")
        .await;
    list.assert_status(200);
    let sessions = list.json();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions.iter().all(|s| s["token"] == ""), "tokens blanked");
    assert!(sessions.iter().all(|s| s["user_id"] == admin.id.as_str()));
    assert!(sessions
        .iter()
        .all(|s| s["expires_at"].as_i64() > s["create_at"].as_i64()));
    let phone_session = sessions
        .iter()
        .find(|s| s["device_id"] == "apple:probe")
        .unwrap();

    server
        .get_as(&phone, "/api/v4/users/me")
        .await
        .assert_status(200);
    server
        .post_as(
            &admin.token,
            "/api/v4/users/me/sessions/revoke",
            &json!({"session_id": phone_session["id"]}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&phone, "/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    server
        .get_as(&admin.token, "/api/v4/users/me")
        .await
        .assert_status(200);
}

#[tokio::test]
async fn revoke_all_and_permissions_on_other_users_sessions() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let bob2 = server.login_user("bob").await;
    // A plain user cannot see or revoke someone else's sessions.
    server
        .get_as(&bob.token, &format!("/api/v4/users/{}/sessions", admin.id))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/users/{}/sessions/revoke/all", admin.id),
            &json!({}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // A session id of another user is refused.
    let admin_sessions = server
        .get_as(&admin.token, "/api/v4/users/me/sessions")
        .await
        .json();
    let admin_session = admin_sessions[0]["id"].as_str().unwrap();
    server
        .post_as(
            &bob.token,
            "/api/v4/users/me/sessions/revoke",
            &json!({"session_id": admin_session}),
        )
        .await
        .assert_error(400, "api.user.revoke_session.no_user.app_error");
    server
        .post_as(
            &bob.token,
            "/api/v4/users/me/sessions/revoke",
            &json!({"session_id": "bad"}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    // The admin can list and revoke them all.
    let listed = server
        .get_as(&admin.token, &format!("/api/v4/users/{}/sessions", bob.id))
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 2);
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/users/{}/sessions/revoke/all", bob.id),
            &json!({}),
        )
        .await
        .assert_status(200);
    for token in [&bob.token, &bob2.token] {
        server
            .get_as(token, "/api/v4/users/me")
            .await
            .assert_status(401);
    }
}

#[tokio::test]
async fn expired_sessions_stop_working() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let sql = "UPDATE sessions SET expires_at = 1 WHERE user_id = $1";
    match server.store().pools() {
        Pools::Sqlite { write, .. } => sqlx::query(sql)
            .bind(&admin.id)
            .execute(write)
            .await
            .map(|_| ()),
        Pools::Postgres(pool) => sqlx::query(sql)
            .bind(&admin.id)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
    server
        .get_as(&admin.token, "/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn device_login_replaces_the_previous_session_on_that_device() {
    let server = TestServer::start().await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    let server = &server;
    let login = |device: &'static str| async move {
        let body = json!({"login_id": "alice", "password": PASSWORD, "device_id": device});
        server.post_json("/api/v4/users/login", &body).await
    };
    let first = login("android:abc")
        .await
        .header("token")
        .unwrap()
        .to_string();
    let second = login("android:abc")
        .await
        .header("token")
        .unwrap()
        .to_string();
    server
        .get_as(&first, "/api/v4/users/me")
        .await
        .assert_status(401);
    server
        .get_as(&second, "/api/v4/users/me")
        .await
        .assert_status(200);
    server
        .put_as(
            &second,
            "/api/v4/users/sessions/device",
            &json!({"device_id": "ios:xyz"}),
        )
        .await
        .assert_status(200);
    let sessions = server
        .get_as(&second, "/api/v4/users/me/sessions")
        .await
        .json();
    assert_eq!(sessions[0]["device_id"], "ios:xyz");
    server
        .put_as(&second, "/api/v4/users/sessions/device", &json!({}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn tokens_and_passwords_are_stored_only_hashed() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_user_access_tokens = true)
        .start()
        .await;
    let admin = server.admin().await;
    let pat = server
        .post_as(
            &admin.token,
            "/api/v4/users/me/tokens",
            &json!({"description": "ci"}),
        )
        .await
        .json();
    let secret = pat["token"].as_str().unwrap().to_string();
    let dump = townsquare::store::dump::dump(server.store()).await.unwrap();
    let text = serde_json::to_string(&dump).unwrap();
    assert!(
        !text.contains(&admin.token),
        "session token stored in clear"
    );
    assert!(!text.contains(&secret), "access token stored in clear");
    assert!(!text.contains(PASSWORD), "password stored in clear");
    let users = dump.iter().find(|t| t.table == "users").unwrap();
    let column = users.columns.iter().position(|c| c == "password").unwrap();
    let hash = users.rows[0][column].as_str().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let sessions = dump.iter().find(|t| t.table == "sessions").unwrap();
    let column = sessions
        .columns
        .iter()
        .position(|c| c == "token_hash")
        .unwrap();
    let expected = townsquare::app::auth::hash_token(&admin.token);
    assert!(sessions.rows.iter().any(|r| r[column] == expected.as_str()));
}

#[tokio::test]
async fn housekeeping_deletes_expired_sessions_only() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let other = server.login_user("admin").await;
    let sql = "UPDATE sessions SET expires_at = 1 WHERE token_hash = $1";
    let hash = townsquare::app::auth::hash_token(&other.token);
    match server.store().pools() {
        Pools::Sqlite { write, .. } => sqlx::query(sql)
            .bind(&hash)
            .execute(write)
            .await
            .map(|_| ()),
        Pools::Postgres(pool) => sqlx::query(sql).bind(&hash).execute(pool).await.map(|_| ()),
    }
    .unwrap();
    let state = townsquare::server::offline_state(server.config.clone(), server.runtime.clone())
        .await
        .unwrap();
    let (sessions, _) = townsquare::jobs::housekeeping(&state).await.unwrap();
    assert_eq!(sessions, 1);
    let left = server
        .get_as(&admin.token, "/api/v4/users/me/sessions")
        .await
        .json();
    assert_eq!(left.as_array().unwrap().len(), 1);
    state.store.close().await;
}
