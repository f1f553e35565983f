//! `POST /users/{user_id}/typing`: the same `typing` event as the WebSocket action, with
//! Mattermost's permission rule.

use serde_json::{json, Value};

use crate::chat::channel;
use crate::realtime::{id, world, Ws};
use crate::support::TestServer;

/// `typing` without its `seq` (which differs per socket and per event).
fn shape(event: &Value) -> Value {
    let mut event = event.clone();
    event.as_object_mut().unwrap().remove("seq");
    event
}

#[tokio::test]
async fn typing_over_http_is_the_websocket_event() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;

    let ok = server
        .post_as(
            &w.bob.token,
            "/api/v4/users/me/typing",
            &json!({"channel_id": w.town, "parent_id": "", "unknown": 1}),
        )
        .await;
    ok.assert_status(200);
    assert_eq!(ok.json(), json!({"status": "OK"}));
    let over_http = carol.event("typing").await;
    assert_eq!(over_http["data"]["user_id"], w.bob.id);
    assert_eq!(over_http["data"]["parent_id"], "");
    assert_eq!(over_http["broadcast"]["channel_id"], w.town);
    assert_eq!(over_http["broadcast"]["omit_users"][&w.bob.id], true);
    bob.no_event("typing").await;

    // The WebSocket action sends exactly the same event.
    let reply = bob
        .action(
            "user_typing",
            json!({"channel_id": w.town, "parent_id": ""}),
        )
        .await;
    assert_eq!(reply["status"], "OK");
    assert_eq!(shape(&carol.event("typing").await), shape(&over_http));

    // With a thread root, and the body fields in any order.
    let root = crate::chat::post(&server, &w.carol, &w.town, "root").await;
    let root_id = id(&root);
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/typing", w.bob.id),
            &json!({"parent_id": root_id, "channel_id": w.town}),
        )
        .await
        .assert_status(200);
    assert_eq!(carol.event("typing").await["data"]["parent_id"], root_id);
}

#[tokio::test]
async fn who_may_announce_typing() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let town = json!({"channel_id": w.town, "parent_id": ""});
    // For someone else: only with manage_system.
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/typing", w.carol.id),
            &town,
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/typing", w.bob.id),
            &town,
        )
        .await
        .assert_status(200);
    assert_eq!(carol.event("typing").await["data"]["user_id"], w.bob.id);
    // The typing user must be able to post there: eve is not on the team.
    server
        .post_as(&w.eve.token, "/api/v4/users/me/typing", &town)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/typing", w.eve.id),
            &town,
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // A private channel bob is not in.
    let private = id(&channel(&server, &w.carol, &w.team_id, "secret", "P").await);
    server
        .post_as(
            &w.bob.token,
            "/api/v4/users/me/typing",
            &json!({"channel_id": private}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Unknown channels look the same (Mattermost).
    server
        .post_as(
            &w.bob.token,
            "/api/v4/users/me/typing",
            &json!({"channel_id": "abcdefghijklmnopqrstuvwxyz"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    carol.no_event("typing").await;
}

#[tokio::test]
async fn bad_typing_requests() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    server
        .post_as(
            &w.bob.token,
            "/api/v4/users/me/typing",
            &json!({"channel_id": w.town, "parent_id": "x".repeat(5000)}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(
            &w.bob.token,
            "/api/v4/users/me/typing",
            &json!({"channel_id": w.town, "parent_id": "a\u{0}b"}),
        )
        .await
        .assert_status(400);
    server
        .send(
            server
                .request(reqwest::Method::POST, "/api/v4/users/me/typing")
                .bearer_auth(&w.bob.token)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await
        .assert_status(400);
    server
        .post_as(
            &w.bob.token,
            "/api/v4/users/nope/typing",
            &json!({"channel_id": w.town}),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .post_json("/api/v4/users/me/typing", &json!({"channel_id": w.town}))
        .await
        .assert_status(401);
    carol.no_event("typing").await;
}
