//! Scheduled posts: create, list, update, delete, their events, permissions, bad input and the
//! setting.

use reqwest::Method;
use serde_json::{json, Value};

use super::{call_from, now_ms, rows};
use crate::chat::channel;
use crate::realtime::{id, json_string, world, Ws};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

const HOUR: i64 = 60 * 60 * 1000;

fn team_path(team_id: &str, direct: bool) -> String {
    format!("/api/v4/posts/scheduled/team/{team_id}?includeDirectChannels={direct}")
}

async fn schedule(server: &TestServer, user: &TestUser, body: Value) -> Value {
    let created = server
        .post_as(&user.token, "/api/v4/posts/schedule", &body)
        .await;
    created.assert_status(201);
    created.json()
}

async fn listed(server: &TestServer, user: &TestUser, team_id: &str, direct: bool) -> Value {
    let got = server
        .get_as(&user.token, &team_path(team_id, direct))
        .await;
    got.assert_status(200);
    got.json()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn scheduled_posts_are_created_listed_updated_and_deleted_with_events() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut sender = Ws::connect(&server, &w.bob).await;
    let mut other_device = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let at = now_ms() + HOUR;

    let created = call_from(
        &server,
        &w.bob,
        Method::POST,
        "/api/v4/posts/schedule",
        Some(
            &json!({"id": "ignored", "channel_id": w.town, "message": "later", "scheduled_at": at,
                     "user_id": w.carol.id, "processed_at": 5, "error_code": "unknown",
                     "props": null, "root_id": null, "unknown": 1}),
        ),
        &sender.connection_id,
    )
    .await;
    created.assert_status(201);
    let created = created.json();
    let sp_id = id(&created);
    assert_eq!(sp_id.len(), 26);
    assert_ne!(sp_id, "ignored");
    assert_eq!(created["user_id"], w.bob.id.as_str());
    assert_eq!(created["channel_id"], w.town.as_str());
    assert_eq!(created["root_id"], "");
    assert_eq!(created["message"], "later");
    assert_eq!(created["props"], json!({}));
    assert_eq!(created["scheduled_at"], at);
    assert_eq!(created["processed_at"], 0);
    assert_eq!(created["error_code"], "");
    assert_eq!(created["delete_at"], 0);
    assert!(created["create_at"].as_i64().unwrap() > 0);
    assert_eq!(created["update_at"], created["create_at"]);

    let event = other_device.event("scheduled_post_created").await;
    assert_eq!(json_string(&event["data"]["scheduledPost"]), created);
    assert_eq!(event["broadcast"]["user_id"], w.bob.id.as_str());
    sender.no_event("scheduled_post_created").await;
    carol.no_event("scheduled_post_created").await;

    // One in a direct channel: listed under `directChannels` only when asked.
    let dm = server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/direct",
            &json!([w.bob.id, w.carol.id]),
        )
        .await;
    dm.assert_status(201);
    let dm = id(&dm.json());
    let direct = schedule(
        &server,
        &w.bob,
        json!({"channel_id": dm, "message": "psst", "scheduled_at": at - 1000}),
    )
    .await;
    let plain = listed(&server, &w.bob, &w.team_id, false).await;
    assert_eq!(plain.as_object().unwrap().len(), 1, "{plain}");
    assert_eq!(ids(&plain[&w.team_id]), vec![sp_id.clone()]);
    assert_eq!(plain[&w.team_id][0]["metadata"], json!({}));
    let both = listed(&server, &w.bob, &w.team_id, true).await;
    assert_eq!(ids(&both["directChannels"]), [id(&direct)]);
    assert_eq!(
        listed(&server, &w.carol, &w.team_id, true).await,
        json!({w.team_id.clone(): [], "directChannels": []})
    );

    // Update: text and time change; channel, thread and author stay.
    let other_channel = id(&channel(&server, &w.bob, &w.team_id, "elsewhere", "O").await);
    let updated = call_from(
        &server,
        &w.bob,
        Method::PUT,
        &format!("/api/v4/posts/schedule/{sp_id}"),
        Some(
            &json!({"id": sp_id, "channel_id": other_channel, "user_id": w.carol.id,
                     "message": "much later", "scheduled_at": at + HOUR, "props": {"k": "v"}}),
        ),
        &sender.connection_id,
    )
    .await;
    updated.assert_status(201);
    let updated = updated.json();
    assert_eq!(updated["id"], sp_id.as_str());
    assert_eq!(updated["channel_id"], w.town.as_str());
    assert_eq!(updated["user_id"], w.bob.id.as_str());
    assert_eq!(updated["message"], "much later");
    assert_eq!(updated["props"], json!({"k": "v"}));
    assert_eq!(updated["scheduled_at"], at + HOUR);
    assert_eq!(updated["create_at"], created["create_at"]);
    let event = other_device.event("scheduled_post_updated").await;
    assert_eq!(json_string(&event["data"]["scheduledPost"]), updated);
    sender.no_event("scheduled_post_updated").await;

    // Delete: 201 with the post as it was, an event, then 404.
    let deleted = call_from(
        &server,
        &w.bob,
        Method::DELETE,
        &format!("/api/v4/posts/schedule/{sp_id}"),
        None,
        &sender.connection_id,
    )
    .await;
    deleted.assert_status(201);
    assert_eq!(deleted.json(), updated);
    let event = other_device.event("scheduled_post_deleted").await;
    assert_eq!(
        json_string(&event["data"]["scheduledPost"])["id"],
        sp_id.as_str()
    );
    assert!(ids(&listed(&server, &w.bob, &w.team_id, false).await[&w.team_id]).is_empty());
    server
        .delete_as(&w.bob.token, &format!("/api/v4/posts/schedule/{sp_id}"))
        .await
        .assert_error(
            404,
            "app.delete_scheduled_post.existing_scheduled_post.not_exist",
        );
    assert_eq!(rows(&server, "scheduled_posts").await, 1);
}

#[tokio::test]
async fn only_the_author_and_channels_they_may_post_in() {
    // Developer mode shows which permission was missing.
    let server = TestServer::builder()
        .config(|c| c.service.enable_developer = true)
        .start()
        .await;
    let w = world(&server).await;
    let secret = id(&channel(&server, &w.bob, &w.team_id, "secret", "P").await);
    let at = now_ms() + HOUR;
    let mine = schedule(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "mine", "scheduled_at": at}),
    )
    .await;
    let path = format!("/api/v4/posts/schedule/{}", id(&mine));
    let before = rows(&server, "scheduled_posts").await;

    // Not in the channel (or it does not exist): create_post; with files, upload_file first.
    for channel_id in [secret.clone(), "a".repeat(26)] {
        let refused = server
            .post_as(
                &w.carol.token,
                "/api/v4/posts/schedule",
                &json!({"channel_id": channel_id, "message": "x", "scheduled_at": at}),
            )
            .await
            .assert_error(403, "api.context.permissions.app_error");
        assert_eq!(refused["detailed_error"], "permission=create_post");
    }
    let refused = server
        .post_as(
            &w.carol.token,
            "/api/v4/posts/schedule",
            &json!({"channel_id": secret, "message": "x", "scheduled_at": at,
                    "file_ids": ["b".repeat(26)]}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    assert_eq!(refused["detailed_error"], "permission=upload_file");

    // Someone else's scheduled post: neither changed nor deleted, not even by an admin.
    for token in [&w.carol.token, &w.admin.token] {
        server
            .put_as(
                token,
                &path,
                &json!({"id": id(&mine), "message": "hijack", "scheduled_at": at}),
            )
            .await
            .assert_error(403, "app.update_scheduled_post.update_permission.error");
        server
            .delete_as(token, &path)
            .await
            .assert_error(403, "app.delete_scheduled_post.delete_permission.error");
    }
    // Not on the team: no list.
    server
        .get_as(&w.eve.token, &team_path(&w.team_id, true))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    assert_eq!(rows(&server, "scheduled_posts").await, before);
    let still = listed(&server, &w.bob, &w.team_id, false).await;
    assert_eq!(still[&w.team_id][0]["message"], "mine");
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let archived = id(&channel(&server, &w.bob, &w.team_id, "old", "O").await);
    server
        .delete_as(&w.bob.token, &format!("/api/v4/channels/{archived}"))
        .await
        .assert_status(200);
    let at = now_ms() + HOUR;
    let cases = [
        (
            json!({"channel_id": w.town, "message": "late", "scheduled_at": now_ms() - 60_000}),
            "model.scheduled_post.is_valid.scheduled_at.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "no time"}),
            "model.scheduled_post.is_valid.scheduled_at.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "", "scheduled_at": at}),
            "model.scheduled_post.is_valid.empty_post.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "x".repeat(16_384), "scheduled_at": at}),
            "model.draft.is_valid.message_length.app_error",
        ),
        (
            json!({"channel_id": "nope", "message": "x", "scheduled_at": at}),
            "model.draft.is_valid.channel_id.app_error",
        ),
        (
            json!({"channel_id": w.town, "root_id": "nope", "message": "x", "scheduled_at": at}),
            "model.draft.is_valid.root_id.app_error",
        ),
        (
            json!({"channel_id": archived, "message": "x", "scheduled_at": at}),
            "app.save_scheduled_post.channel_deleted.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "x", "scheduled_at": "soon"}),
            "api.context.invalid_body_param.app_error",
        ),
    ];
    for (body, error) in cases {
        server
            .post_as(&w.bob.token, "/api/v4/posts/schedule", &body)
            .await
            .assert_error(400, error);
    }
    assert_eq!(rows(&server, "scheduled_posts").await, 0);

    // Up to 5 s in the past is still accepted (clocks and networks are not exact).
    let recent = schedule(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "just now", "scheduled_at": now_ms() + HOUR}),
    )
    .await;
    let path = format!("/api/v4/posts/schedule/{}", id(&recent));
    // Update: the body's id must be the path's; the same checks on the content.
    server
        .put_as(
            &w.bob.token,
            &path,
            &json!({"id": "b".repeat(26), "message": "x", "scheduled_at": at}),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .put_as(
            &w.bob.token,
            &path,
            &json!({"id": id(&recent), "message": "x", "scheduled_at": now_ms() - 60_000}),
        )
        .await
        .assert_error(400, "model.scheduled_post.is_valid.scheduled_at.app_error");
    server
        .put_as(
            &w.bob.token,
            &path,
            &json!({"id": id(&recent), "message": "", "scheduled_at": at}),
        )
        .await
        .assert_error(400, "model.scheduled_post.is_valid.empty_post.app_error");
    let unknown = "c".repeat(26);
    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/posts/schedule/{unknown}"),
            &json!({"id": unknown, "message": "x", "scheduled_at": at}),
        )
        .await
        .assert_error(
            404,
            "app.update_scheduled_post.existing_scheduled_post.not_exist",
        );
    for (method, path) in [
        (Method::PUT, "/api/v4/posts/schedule/nope"),
        (Method::DELETE, "/api/v4/posts/schedule/nope"),
        (Method::GET, "/api/v4/posts/scheduled/team/nope"),
    ] {
        server
            .call(method, path, &w.bob.token, Some(&json!({"id": "nope"})))
            .await
            .assert_error(400, "api.context.invalid_url_param.app_error");
    }
    let unchanged = listed(&server, &w.bob, &w.team_id, false).await;
    assert_eq!(unchanged[&w.team_id][0]["message"], "just now");
    let edge = schedule(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "edge", "scheduled_at": now_ms() - 2_000}),
    )
    .await;
    assert_eq!(edge["message"], "edge");
}

#[tokio::test]
async fn turned_off_every_route_answers_400_and_nothing_is_sent() {
    let server = TestServer::builder()
        .config(|c| {
            c.service.scheduled_posts = false;
            c.service.scheduled_posts_check_interval_seconds = 1;
        })
        .start()
        .await;
    let w = world(&server).await;
    let id = "a".repeat(26);
    let error = "api.scheduled_posts.feature_disabled";
    server
        .post_as(
            &w.bob.token,
            "/api/v4/posts/schedule",
            &json!({"channel_id": w.town, "message": "x", "scheduled_at": now_ms() + HOUR}),
        )
        .await
        .assert_error(400, error);
    server
        .get_as(&w.bob.token, &team_path(&w.team_id, true))
        .await
        .assert_error(400, error);
    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/posts/schedule/{id}"),
            &json!({"id": id, "message": "x", "scheduled_at": now_ms() + HOUR}),
        )
        .await
        .assert_error(400, error);
    server
        .delete_as(&w.bob.token, &format!("/api/v4/posts/schedule/{id}"))
        .await
        .assert_error(400, error);
    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(config["ScheduledPosts"], "false");
}
