use std::time::Instant;

use reqwest::Method;
use serde_json::json;

use crate::support::accounts::PASSWORD;
use crate::support::TestServer;

#[tokio::test]
async fn login_by_username_or_email_returns_user_and_token() {
    let server = TestServer::start().await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    for login_id in ["alice", "ALICE", "alice@example.com", "Alice@Example.com"] {
        let response = server.login(login_id, PASSWORD).await;
        response.assert_status(200);
        let token = response.header("token").expect("Token header");
        assert_eq!(token.len(), 26);
        assert!(
            response.header("set-cookie").is_none(),
            "no cookies without X-Requested-With"
        );
        let user = response.json();
        assert_eq!(user["username"], "alice");
        assert!(user.get("password").is_none());
        assert!(user["last_login"].as_i64().unwrap() > 0);
        let me = server.get_as(token, "/api/v4/users/me").await;
        me.assert_status(200);
        assert_eq!(me.json()["id"], user["id"]);
        // The login time returned is the one stored with the session.
        assert_eq!(me.json()["last_login"], user["last_login"]);
    }
    // `curl -d '{...}'` sends a form Content-Type; the body is still JSON to Mattermost.
    let curl_style = server
        .post_raw(
            "/api/v4/users/login",
            "application/x-www-form-urlencoded",
            json!({"login_id": "alice", "password": PASSWORD}).to_string(),
        )
        .await;
    curl_style.assert_status(200);
    assert!(curl_style.header("token").is_some());
}

#[tokio::test]
async fn browser_login_sets_cookies_and_cookie_auth_works() {
    let server = TestServer::start().await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    let response = server
        .send(
            server
                .request(Method::POST, "/api/v4/users/login")
                .header("X-Requested-With", "XMLHttpRequest")
                .json(&json!({"login_id": "alice", "password": PASSWORD})),
        )
        .await;
    response.assert_status(200);
    let cookies: Vec<String> = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let find = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .cloned()
            .unwrap()
    };
    let auth = find("MMAUTHTOKEN");
    assert!(
        auth.contains("HttpOnly") && auth.contains("Path=/") && auth.contains("Max-Age="),
        "{auth}"
    );
    assert!(!find("MMCSRF").contains("HttpOnly"));
    assert!(find("MMUSERID").contains(response.json()["id"].as_str().unwrap()));
    let value = |c: &str| {
        c.split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string()
    };
    assert_eq!(value(&auth), response.header("token").unwrap());

    let cookie_header = format!(
        "MMAUTHTOKEN={}; MMCSRF={}",
        value(&auth),
        value(&find("MMCSRF"))
    );
    let me = server
        .send(
            server
                .request(Method::GET, "/api/v4/users/me")
                .header("cookie", &cookie_header),
        )
        .await;
    me.assert_status(200);
}

#[tokio::test]
async fn csrf_is_enforced_only_for_cookie_sessions() {
    let server = TestServer::start().await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    let login = server
        .send(
            server
                .request(Method::POST, "/api/v4/users/login")
                .header("X-Requested-With", "XMLHttpRequest")
                .json(&json!({"login_id": "alice", "password": PASSWORD})),
        )
        .await;
    let token = login.header("token").unwrap().to_string();
    let csrf = login
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("MMCSRF="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("MMCSRF=")
        .to_string();
    let cookie = format!("MMAUTHTOKEN={token}");
    let patch = json!({"nickname": "ally"});
    let put = |extra: Vec<(&'static str, String)>| {
        let mut request = server
            .request(Method::PUT, "/api/v4/users/me/patch")
            .header("cookie", &cookie)
            .json(&patch);
        for (k, v) in extra {
            request = request.header(k, v);
        }
        server.send(request)
    };
    let refused = put(vec![]).await;
    refused.assert_error(401, "api.context.session_expired.app_error");
    assert!(
        refused
            .header("set-cookie")
            .unwrap()
            .contains("MMAUTHTOKEN=;"),
        "cookie cleared"
    );
    put(vec![("X-CSRF-Token", "wrong".into())])
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    put(vec![("X-CSRF-Token", csrf.clone())])
        .await
        .assert_status(200);
    put(vec![("X-Requested-With", "XMLHttpRequest".into())])
        .await
        .assert_status(200);
    // Header tokens are never CSRF-checked.
    server
        .put_as(&token, "/api/v4/users/me/patch", &patch)
        .await
        .assert_status(200);
    // The session survived the failed CSRF attempts (only the cookie was cleared).
    server
        .get_as(&token, "/api/v4/users/me")
        .await
        .assert_status(200);
}

#[tokio::test]
async fn strict_csrf_requires_the_token_even_for_xhr() {
    let server = TestServer::builder()
        .config(|c| c.service.experimental_strict_csrf_enforcement = true)
        .start()
        .await;
    let admin = server.admin().await;
    let response = server
        .send(
            server
                .request(Method::PUT, "/api/v4/users/me/patch")
                .header("cookie", format!("MMAUTHTOKEN={}", admin.token))
                .header("X-Requested-With", "XMLHttpRequest")
                .json(&json!({"nickname": "x"})),
        )
        .await;
    response.assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn token_schemes_and_bad_tokens() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    for scheme in ["Bearer", "BEARER", "bearer", "Token", "token"] {
        let response = server
            .send(
                server
                    .request(Method::GET, "/api/v4/users/me")
                    .header("authorization", format!("{scheme} {}", admin.token)),
            )
            .await;
        response.assert_status(200);
    }
    server
        .get("/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    server
        .get_as("nonexistenttokennonexisten", "/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    server
        .get(&format!("/api/v4/users/me?access_token={}", admin.token))
        .await
        .assert_error(401, "api.context.token_provided.app_error");
    // Routes that need no session ignore a bad token.
    server
        .get_as("garbage", "/api/v4/system/ping")
        .await
        .assert_status(200);
    server
        .get_as("garbage", "/api/v4/config/client")
        .await
        .assert_status(200);
}

#[tokio::test]
async fn failures_are_indistinguishable() {
    let server = TestServer::start().await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    let unknown = server.login("nobody", PASSWORD).await;
    let wrong = server.login("alice", "wrong-password").await;
    let unknown_body =
        unknown.assert_error(401, "api.user.login.invalid_credentials_email_username");
    let wrong_body = wrong.assert_error(401, "api.user.login.invalid_credentials_email_username");
    assert_eq!(unknown_body["message"], wrong_body["message"]);
    server
        .login("alice", "")
        .await
        .assert_error(400, "api.user.login.blank_pwd.app_error");
    // Clients send null for unset fields; a null password is blank.
    server
        .post_json(
            "/api/v4/users/login",
            &json!({"login_id": "alice", "password": null, "token": null}),
        )
        .await
        .assert_error(400, "api.user.login.blank_pwd.app_error");
}

#[tokio::test]
async fn unknown_accounts_cost_a_hash_like_wrong_passwords() {
    let server = TestServer::start().await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    // Warm up, then compare medians: both paths run one argon2 verify.
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for i in 0..7 {
        let started = Instant::now();
        server.login(&format!("ghost{i}"), "wrong-password").await;
        unknown.push(started.elapsed());
        let started = Instant::now();
        server.login("alice", &format!("wrong-password{i}")).await;
        wrong.push(started.elapsed());
    }
    unknown.sort();
    wrong.sort();
    let (u, w) = (unknown[3].as_secs_f64(), wrong[3].as_secs_f64());
    assert!(
        u > w / 4.0 && u < w * 4.0,
        "unknown {u:.4}s vs wrong password {w:.4}s"
    );
}

#[tokio::test]
async fn deactivated_users_are_told_only_after_a_correct_password() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/active", bob.id),
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
    server
        .login("bob", "wrong-password")
        .await
        .assert_error(401, "api.user.login.invalid_credentials_email_username");
    server
        .login("bob", PASSWORD)
        .await
        .assert_error(401, "api.user.login.inactive.app_error");
}

#[tokio::test]
async fn throttling_backs_off_per_account_and_ip_and_admins_can_reset() {
    let server = TestServer::builder()
        .config(|c| {
            c.service.maximum_login_attempts = 3;
            c.service.trusted_proxy_ip_header = vec!["X-Forwarded-For".into()];
        })
        .start()
        .await;
    let admin = server.admin().await;
    server.user(&admin, "victim").await;
    let login_from = |ip: &'static str, password: &'static str| {
        server.send(
            server
                .request(Method::POST, "/api/v4/users/login")
                .header("X-Forwarded-For", ip)
                .json(&json!({"login_id": "victim", "password": password})),
        )
    };
    for _ in 0..3 {
        login_from("203.0.113.9", "guess").await.assert_status(401);
    }
    // Blocked now: even the right password from the attacker's address gets the same 401.
    let blocked = login_from("203.0.113.9", PASSWORD).await;
    blocked.assert_error(401, "api.user.login.invalid_credentials_email_username");
    // The victim, elsewhere, is not locked out.
    login_from("198.51.100.7", PASSWORD)
        .await
        .assert_status(200);

    // Only admins may reset; afterwards the attacker's address works again.
    let victim = server.login_user("victim").await;
    server
        .post_as(
            &victim.token,
            &format!("/api/v4/users/{}/reset_failed_attempts", victim.id),
            &json!({}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/users/{}/reset_failed_attempts", victim.id),
            &json!({}),
        )
        .await
        .assert_status(200);
    login_from("203.0.113.9", PASSWORD).await.assert_status(200);
}

#[tokio::test]
async fn throttle_blocks_expire_by_themselves() {
    let server = TestServer::builder()
        .config(|c| c.service.maximum_login_attempts = 1)
        .start()
        .await;
    server
        .create_user_as(None, "alice")
        .await
        .assert_status(201);
    server.login("alice", "nope").await.assert_status(401);
    // One failure at an allowance of one blocks for one second.
    server.login("alice", PASSWORD).await.assert_status(401);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    server.login("alice", PASSWORD).await.assert_status(200);
}

#[tokio::test]
async fn logout_revokes_the_session_at_once() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server
        .get_as(&admin.token, "/api/v4/users/me")
        .await
        .assert_status(200);
    let out = server
        .post_as(&admin.token, "/api/v4/users/logout", &json!({}))
        .await;
    out.assert_status(200);
    assert_eq!(out.json(), json!({"status": "OK"}));
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    server
        .get_as(&admin.token, "/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    // Logging out without a session is fine.
    server
        .post_json("/api/v4/users/logout", &json!({}))
        .await
        .assert_status(200);
}
