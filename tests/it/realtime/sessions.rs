//! A socket lives only as long as its session: logout, revocation, deactivation and
//! password changes close it at once.

use std::time::Duration;

use serde_json::json;

use super::{world, Ws};
use crate::support::TestServer;

const AT_ONCE: Duration = Duration::from_secs(2);

#[tokio::test]
async fn logout_closes_that_sessions_sockets_only() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let second = server.login_user("bob").await;
    let mut first_ws = Ws::connect(&server, &w.bob).await;
    let mut second_ws = Ws::connect(&server, &second).await;
    server
        .post_as(&w.bob.token, "/api/v4/users/logout", &json!({}))
        .await
        .assert_status(200);
    first_ws.closed_within(AT_ONCE).await;
    let pong = second_ws.action("ping", json!({})).await;
    assert_eq!(pong["status"], "OK");
}

#[tokio::test]
async fn revoking_a_session_closes_its_socket() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut ws = Ws::connect(&server, &w.bob).await;
    let sessions = server
        .get_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/sessions", w.bob.id),
        )
        .await
        .json();
    let session_id = sessions[0]["id"].as_str().unwrap().to_string();
    server
        .post_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/sessions/revoke", w.bob.id),
            &json!({"session_id": session_id}),
        )
        .await
        .assert_status(200);
    ws.closed_within(AT_ONCE).await;
}

#[tokio::test]
async fn deactivation_and_revoke_all_close_every_socket() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    server
        .put_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/active", w.bob.id),
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
    bob.closed_within(AT_ONCE).await;
    // Others learn of it; a deactivated user cannot reconnect.
    let updated = carol.event("user_updated").await;
    assert!(updated["data"]["user"]["delete_at"].as_i64().unwrap() > 0);
    let stream = super::open(&server, super::Upgrade::Bearer(&w.bob.token), "").await;
    let mut stream = stream;
    assert!(super::stream_closed_within(&mut stream, Duration::from_secs(8)).await);

    server
        .post_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/sessions/revoke/all", w.carol.id),
            &json!({}),
        )
        .await
        .assert_status(200);
    carol.closed_within(AT_ONCE).await;
}

#[tokio::test]
async fn revoked_access_token_closes_its_socket() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_user_access_tokens = true)
        .start()
        .await;
    let w = world(&server).await;
    let created = server
        .post_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/tokens", w.admin.id),
            &json!({"description": "bot"}),
        )
        .await;
    created.assert_status(200);
    let token = created.json();
    let as_token = crate::support::accounts::TestUser {
        token: token["token"].as_str().unwrap().to_string(),
        ..w.admin.clone()
    };
    let mut ws = Ws::connect(&server, &as_token).await;
    let mut session_ws = Ws::connect(&server, &w.admin).await;
    server
        .post_as(
            &w.admin.token,
            "/api/v4/users/tokens/revoke",
            &json!({"token_id": token["id"]}),
        )
        .await
        .assert_status(200);
    ws.closed_within(AT_ONCE).await;
    assert_eq!(session_ws.action("ping", json!({})).await["status"], "OK");
}

#[tokio::test]
async fn password_change_closes_every_socket_of_the_user() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/password", w.bob.id),
            &json!({"current_password": crate::support::accounts::PASSWORD, "new_password": "Another-Passw0rd"}),
        )
        .await
        .assert_status(200);
    bob.closed_within(AT_ONCE).await;
    assert_eq!(carol.action("ping", json!({})).await["status"], "OK");
}
