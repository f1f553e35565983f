use serde_json::json;

use crate::support::TestServer;

#[tokio::test]
async fn access_tokens_are_off_by_default() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server
        .post_as(
            &admin.token,
            "/api/v4/users/me/tokens",
            &json!({"description": "x"}),
        )
        .await
        .assert_error(501, "app.user_access_token.disabled");
}

#[tokio::test]
async fn access_token_lifecycle() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_user_access_tokens = true)
        .start()
        .await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    // Plain users lack create_user_access_token by default.
    server
        .post_as(
            &bob.token,
            "/api/v4/users/me/tokens",
            &json!({"description": "mine"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &admin.token,
            "/api/v4/users/me/tokens",
            &json!({"description": ""}),
        )
        .await
        .assert_error(
            400,
            "model.user_access_token.is_valid.description.app_error",
        );

    let created = server
        .post_as(
            &admin.token,
            &format!("/api/v4/users/{}/tokens", bob.id),
            &json!({"description": "bot"}),
        )
        .await;
    created.assert_status(200);
    let token = created.json();
    let secret = token["token"].as_str().unwrap().to_string();
    let token_id = token["id"].as_str().unwrap().to_string();
    assert_eq!(token["user_id"], bob.id.as_str());
    assert_eq!(token["is_active"], true);

    let me = server.get_as(&secret, "/api/v4/users/me").await;
    me.assert_status(200);
    assert_eq!(me.json()["username"], "bob");

    let listed = server
        .get_as(&admin.token, &format!("/api/v4/users/{}/tokens", bob.id))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        listed[0].get("token").is_none(),
        "the secret is shown once only"
    );
    let one = server
        .get_as(&admin.token, &format!("/api/v4/users/tokens/{token_id}"))
        .await
        .json();
    assert!(one.get("token").is_none());
    let all = server
        .get_as(&admin.token, "/api/v4/users/tokens")
        .await
        .json();
    assert_eq!(all.as_array().unwrap().len(), 1);
    server
        .get_as(&bob.token, "/api/v4/users/tokens")
        .await
        .assert_status(403);
    let found = server
        .post_as(
            &admin.token,
            "/api/v4/users/tokens/search",
            &json!({"term": "bob"}),
        )
        .await
        .json();
    assert_eq!(found.as_array().unwrap().len(), 1);

    server
        .post_as(
            &admin.token,
            "/api/v4/users/tokens/disable",
            &json!({"token_id": token_id}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&secret, "/api/v4/users/me")
        .await
        .assert_status(401);
    server
        .post_as(
            &admin.token,
            "/api/v4/users/tokens/enable",
            &json!({"token_id": token_id}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&secret, "/api/v4/users/me")
        .await
        .assert_status(200);
    server
        .post_as(
            &admin.token,
            "/api/v4/users/tokens/revoke",
            &json!({"token_id": token_id}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&secret, "/api/v4/users/me")
        .await
        .assert_status(401);
    server
        .get_as(&admin.token, &format!("/api/v4/users/tokens/{token_id}"))
        .await
        .assert_error(404, "app.user_access_token.get_by_id.app_error");
}

#[tokio::test]
async fn users_granted_the_token_role_manage_only_their_own_tokens() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_user_access_tokens = true)
        .start()
        .await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/roles", bob.id),
            &json!({"roles": "system_user system_user_access_token"}),
        )
        .await
        .assert_status(200);
    let token = server
        .post_as(
            &bob.token,
            "/api/v4/users/me/tokens",
            &json!({"description": "mine"}),
        )
        .await;
    token.assert_status(200);
    let token_id = token.json()["id"].as_str().unwrap().to_string();
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/users/{}/tokens", carol.id),
            &json!({"description": "hers"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &carol.token,
            "/api/v4/users/tokens/revoke",
            &json!({"token_id": token_id}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
}

#[tokio::test]
async fn disabling_tokens_server_wide_stops_existing_ones() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_user_access_tokens = true)
        .start()
        .await;
    let admin = server.admin().await;
    let secret = server
        .post_as(
            &admin.token,
            "/api/v4/users/me/tokens",
            &json!({"description": "x"}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut config = server.config.clone();
    config.service.enable_user_access_tokens = false;
    let server = crate::support::TestServer::restart_with(server, config).await;
    server
        .get_as(&secret, "/api/v4/users/me")
        .await
        .assert_status(401);
}
