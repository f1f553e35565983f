//! Synced drafts: upsert, list, delete, their events, permissions, bad input, the setting,
//! and drafts going away with the post they became or the thread they replied to.

use reqwest::Method;
use serde_json::{json, Value};

use super::{call_from, rows};
use crate::chat::{channel, post};
use crate::files::uploaded;
use crate::realtime::{id, json_string, world, Ws};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

fn list_path(user: &str, team_id: &str) -> String {
    format!("/api/v4/users/{user}/teams/{team_id}/drafts")
}

fn delete_path(channel_id: &str, root_id: &str) -> String {
    if root_id.is_empty() {
        format!("/api/v4/users/me/channels/{channel_id}/drafts")
    } else {
        format!("/api/v4/users/me/channels/{channel_id}/drafts/{root_id}")
    }
}

async fn save(server: &TestServer, user: &TestUser, body: Value) -> Value {
    let saved = server.post_as(&user.token, "/api/v4/drafts", &body).await;
    saved.assert_status(201);
    saved.json()
}

async fn list(server: &TestServer, user: &TestUser, team_id: &str) -> Vec<Value> {
    let got = server.get_as(&user.token, &list_path("me", team_id)).await;
    got.assert_status(200);
    got.json().as_array().unwrap().clone()
}

/// Lets the clock move on, so the next change has a later `update_at`.
async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

fn keys(drafts: &[Value]) -> Vec<(String, String)> {
    drafts
        .iter()
        .map(|d| {
            (
                d["channel_id"].as_str().unwrap().to_string(),
                d["root_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn drafts_are_saved_listed_and_deleted_with_events_to_the_user_only() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut sender = Ws::connect(&server, &w.bob).await;
    let mut other_device = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;

    // New: the client's creation time is kept, unknown fields are ignored, nulls are empty.
    let first = call_from(
        &server,
        &w.bob,
        Method::POST,
        "/api/v4/drafts",
        Some(
            &json!({"create_at": 1000, "update_at": 5, "delete_at": 7, "user_id": w.carol.id,
                     "channel_id": w.town, "root_id": null, "message": "half", "props": null,
                     "file_ids": null, "priority": null, "metadata": {"x": 1}, "unknown": true}),
        ),
        &sender.connection_id,
    )
    .await;
    first.assert_status(201);
    let first = first.json();
    assert_eq!(first["create_at"], 1000);
    assert!(first["update_at"].as_i64().unwrap() > 1000, "{first}");
    assert_eq!(first["delete_at"], 0);
    assert_eq!(first["user_id"], w.bob.id.as_str());
    assert_eq!(first["channel_id"], w.town.as_str());
    assert_eq!(first["root_id"], "");
    assert_eq!(first["message"], "half");
    assert_eq!(first["props"], json!({}));
    assert_eq!(first["metadata"], json!({}));
    assert!(first.get("file_ids").is_none(), "{first}");
    assert!(first.get("priority").is_none(), "{first}");

    // The other device hears of it; the sending connection and other users do not.
    let event = other_device.event("draft_created").await;
    assert_eq!(json_string(&event["data"]["draft"]), first);
    assert_eq!(event["broadcast"]["user_id"], w.bob.id.as_str());
    assert_eq!(event["broadcast"]["channel_id"], w.town.as_str());
    sender.no_event("draft_created").await;
    carol.no_event("draft_created").await;

    // Replaced: same key, creation time kept, still `draft_created` (as Mattermost 11).
    let second = save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "whole", "create_at": 99, "props": {"a": 1},
               "priority": {"priority": "urgent", "requested_ack": false}}),
    )
    .await;
    assert_eq!(second["create_at"], 1000);
    assert_eq!(second["message"], "whole");
    assert_eq!(second["props"], json!({"a": 1}));
    assert_eq!(second["priority"]["priority"], "urgent");
    assert!(second["update_at"].as_i64() >= first["update_at"].as_i64());
    let event = sender.event("draft_created").await;
    assert_eq!(json_string(&event["data"]["draft"])["message"], "whole");
    other_device.event("draft_created").await;

    // A thread draft and a direct-message draft; listed newest first.
    // (carol starts the thread: a post of bob's in town would end his town draft.)
    let root = id(&post(&server, &w.carol, &w.town, "a thread").await);
    tick().await;
    save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "root_id": root, "message": "a reply"}),
    )
    .await;
    let dm = server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/direct",
            &json!([w.bob.id, w.carol.id]),
        )
        .await;
    dm.assert_status(201);
    let dm = id(&dm.json());
    tick().await;
    save(
        &server,
        &w.bob,
        json!({"channel_id": dm, "message": "psst"}),
    )
    .await;
    let drafts = list(&server, &w.bob, &w.team_id).await;
    assert_eq!(
        keys(&drafts),
        [
            (dm.clone(), String::new()),
            (w.town.clone(), root.clone()),
            (w.town.clone(), String::new())
        ]
    );
    assert_eq!(drafts[2]["message"], "whole");
    assert_eq!(drafts[2]["metadata"], json!({}));
    // By id works as `me` does; carol sees none of bob's.
    let by_id = server
        .get_as(&w.bob.token, &list_path(&w.bob.id, &w.team_id))
        .await;
    by_id.assert_status(200);
    assert_eq!(by_id.json().as_array().unwrap().len(), 3);
    assert!(list(&server, &w.carol, &w.team_id).await.is_empty());

    // Deleting the thread draft: OK, an event with the draft, the rest stays.
    let deleted = call_from(
        &server,
        &w.bob,
        Method::DELETE,
        &delete_path(&w.town, &root),
        None,
        &sender.connection_id,
    )
    .await;
    deleted.assert_status(200);
    assert_eq!(deleted.json(), json!({"status": "OK"}));
    let event = other_device.event("draft_deleted").await;
    let gone = json_string(&event["data"]["draft"]);
    assert_eq!(gone["root_id"], root.as_str());
    assert_eq!(gone["message"], "a reply");
    sender.no_event("draft_deleted").await;
    assert_eq!(list(&server, &w.bob, &w.team_id).await.len(), 2);

    // Deleting what is not there is fine, and says nothing.
    server
        .delete_as(&w.bob.token, &delete_path(&w.town, &root))
        .await
        .assert_status(200);
    other_device.no_event("draft_deleted").await;

    // Emptying a draft deletes it: 201 with null, and the other devices are told.
    let emptied = server
        .post_as(
            &w.bob.token,
            "/api/v4/drafts",
            &json!({"channel_id": dm, "message": ""}),
        )
        .await;
    emptied.assert_status(201);
    assert_eq!(emptied.json(), Value::Null);
    let event = other_device.event("draft_deleted").await;
    assert_eq!(
        json_string(&event["data"]["draft"])["channel_id"],
        dm.as_str()
    );
    assert_eq!(
        keys(&list(&server, &w.bob, &w.team_id).await),
        [(w.town.clone(), String::new())]
    );
    server
        .delete_as(&w.bob.token, &delete_path(&w.town, ""))
        .await
        .assert_status(200);
    assert!(list(&server, &w.bob, &w.team_id).await.is_empty());
    assert_eq!(rows(&server, "drafts").await, 0);
}

#[tokio::test]
async fn files_are_kept_once_and_described_in_metadata() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let file = uploaded(&server, &w.bob, &w.town, "notes.txt", b"some notes").await;
    let file_id = file["id"].as_str().unwrap().to_string();

    // Files alone make a draft; a repeated id is kept once.
    let saved = save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "", "file_ids": [file_id, file_id]}),
    )
    .await;
    assert_eq!(saved["file_ids"], json!([file_id]));
    let files = saved["metadata"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["id"], file_id.as_str());
    assert_eq!(files[0]["name"], "notes.txt");
    let listed = list(&server, &w.bob, &w.team_id).await;
    assert_eq!(listed[0]["metadata"]["files"][0]["id"], file_id.as_str());

    // Once the file belongs to a post it is no longer the draft's.
    server
        .post_as(
            &w.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "message": "here", "file_ids": [file_id]}),
        )
        .await
        .assert_status(201);
    save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "again", "file_ids": [file_id]}),
    )
    .await;
    let listed = list(&server, &w.bob, &w.team_id).await;
    assert_eq!(listed[0]["metadata"], json!({}), "{listed:?}");
}

#[tokio::test]
async fn only_the_user_and_channels_they_may_post_in() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let secret = id(&channel(&server, &w.bob, &w.team_id, "secret", "P").await);
    let before = rows(&server, "drafts").await;

    // carol is not in bob's private channel; an unknown channel looks the same.
    for channel_id in [secret.clone(), "a".repeat(26)] {
        server
            .post_as(
                &w.carol.token,
                "/api/v4/drafts",
                &json!({"channel_id": channel_id, "message": "x"}),
            )
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    // eve is not on the team: no team drafts for her.
    server
        .get_as(&w.eve.token, &list_path("me", &w.team_id))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Nobody lists or deletes another user's drafts, not even an admin.
    for token in [&w.carol.token, &w.admin.token] {
        server
            .get_as(token, &list_path(&w.bob.id, &w.team_id))
            .await
            .assert_error(403, "api.context.permissions.app_error");
        server
            .delete_as(
                token,
                &format!("/api/v4/users/{}/channels/{}/drafts", w.bob.id, w.town),
            )
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    assert_eq!(rows(&server, "drafts").await, before);

    // A draft in a channel bob leaves is no longer listed; back in, it is again.
    save(
        &server,
        &w.bob,
        json!({"channel_id": secret, "message": "mine"}),
    )
    .await;
    let dev = id(&channel(&server, &w.carol, &w.team_id, "dev", "O").await);
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/channels/{dev}/members"),
            &json!({"user_id": w.bob.id}),
        )
        .await
        .assert_status(201);
    save(
        &server,
        &w.bob,
        json!({"channel_id": dev, "message": "dev"}),
    )
    .await;
    assert_eq!(list(&server, &w.bob, &w.team_id).await.len(), 2);
    server
        .delete_as(
            &w.bob.token,
            &format!("/api/v4/channels/{dev}/members/{}", w.bob.id),
        )
        .await
        .assert_status(200);
    assert_eq!(
        keys(&list(&server, &w.bob, &w.team_id).await),
        [(secret.clone(), String::new())]
    );
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/channels/{dev}/members"),
            &json!({"user_id": w.bob.id}),
        )
        .await
        .assert_status(201);
    assert_eq!(list(&server, &w.bob, &w.team_id).await.len(), 2);
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    // The props case needs a body above the default 300 kB limit to reach the check.
    let server = TestServer::builder()
        .config(|c| c.service.maximum_payload_size_bytes = 2_000_000)
        .start()
        .await;
    let w = world(&server).await;
    let archived = id(&channel(&server, &w.bob, &w.team_id, "old", "O").await);
    server
        .delete_as(&w.bob.token, &format!("/api/v4/channels/{archived}"))
        .await
        .assert_status(200);

    let cases = [
        (
            json!({"channel_id": "nope", "message": "x"}),
            "model.draft.is_valid.channel_id.app_error",
        ),
        (
            json!({"channel_id": w.town, "root_id": "nope", "message": "x"}),
            "model.draft.is_valid.root_id.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "x".repeat(16_384)}),
            "model.draft.is_valid.message_length.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "x",
                   "file_ids": (0..12).map(|i| format!("{i:026}")).collect::<Vec<_>>()}),
            "model.draft.is_valid.file_ids.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "x", "props": {"big": "y".repeat(800_001)}}),
            "model.draft.is_valid.props.app_error",
        ),
        (
            json!({"channel_id": archived, "message": "x"}),
            "api.draft.create_draft.can_not_draft_to_deleted.error",
        ),
        (
            json!({"channel_id": w.town, "message": 5}),
            "api.context.invalid_body_param.app_error",
        ),
        (
            json!({"channel_id": w.town, "message": "x", "priority": "high"}),
            "api.context.invalid_body_param.app_error",
        ),
        (json!([1, 2]), "api.context.invalid_body_param.app_error"),
    ];
    for (body, error) in cases {
        server
            .post_as(&w.bob.token, "/api/v4/drafts", &body)
            .await
            .assert_error(400, error);
    }
    let raw = server
        .send(
            server
                .request(Method::POST, "/api/v4/drafts")
                .bearer_auth(&w.bob.token)
                .body("{not json"),
        )
        .await;
    raw.assert_error(400, "api.context.invalid_body_param.app_error");
    // Malformed ids in the path.
    server
        .delete_as(&w.bob.token, "/api/v4/users/me/channels/nope/drafts")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .delete_as(&w.bob.token, &delete_path(&w.town, "nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(&w.bob.token, &list_path("me", "nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    assert_eq!(rows(&server, "drafts").await, 0);

    // The longest message a post may have is fine.
    let longest = save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "é".repeat(16_383)}),
    )
    .await;
    assert_eq!(longest["message"].as_str().unwrap().chars().count(), 16_383);
}

#[tokio::test]
async fn turned_off_every_route_answers_501_and_posting_still_works() {
    let server = TestServer::builder()
        .config(|c| c.service.allow_synced_drafts = false)
        .start()
        .await;
    let w = world(&server).await;
    server
        .post_as(
            &w.bob.token,
            "/api/v4/drafts",
            &json!({"channel_id": w.town, "message": "x"}),
        )
        .await
        .assert_error(501, "api.drafts.disabled.app_error");
    server
        .get_as(&w.bob.token, &list_path("me", &w.team_id))
        .await
        .assert_error(501, "api.drafts.disabled.app_error");
    server
        .delete_as(&w.bob.token, &delete_path(&w.town, ""))
        .await
        .assert_error(501, "api.drafts.disabled.app_error");
    post(&server, &w.bob, &w.town, "still posting").await;
    let config = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(config["AllowSyncedDrafts"], "false");
    assert_eq!(rows(&server, "drafts").await, 0);
}

#[tokio::test]
async fn a_new_post_ends_its_draft_and_a_deleted_root_ends_replies() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let root = id(&post(&server, &w.bob, &w.town, "a thread").await);
    save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "top"}),
    )
    .await;
    save(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "root_id": root, "message": "reply"}),
    )
    .await;
    save(
        &server,
        &w.carol,
        json!({"channel_id": w.town, "message": "carol's"}),
    )
    .await;
    save(
        &server,
        &w.carol,
        json!({"channel_id": w.town, "root_id": root, "message": "carol's reply"}),
    )
    .await;
    bob.event("draft_created").await;
    bob.event("draft_created").await;

    // bob posts in the channel: his channel draft goes (his devices are told), not the
    // thread's, not carol's.
    post(&server, &w.bob, &w.town, "sent").await;
    let event = bob.event("draft_deleted").await;
    let gone = json_string(&event["data"]["draft"]);
    assert_eq!(
        (gone["channel_id"].as_str(), gone["root_id"].as_str()),
        (Some(w.town.as_str()), Some(""))
    );
    assert_eq!(
        keys(&list(&server, &w.bob, &w.team_id).await),
        [(w.town.clone(), root.clone())]
    );
    assert_eq!(list(&server, &w.carol, &w.team_id).await.len(), 2);

    // A reply ends the thread draft.
    server
        .post_as(
            &w.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "root_id": root, "message": "replied"}),
        )
        .await
        .assert_status(201);
    bob.event("draft_deleted").await;
    assert!(list(&server, &w.bob, &w.team_id).await.is_empty());

    // Deleting the root ends every reply draft to it (carol's), and tells her.
    server
        .delete_as(&w.bob.token, &format!("/api/v4/posts/{root}"))
        .await
        .assert_status(200);
    let event = carol.event("draft_deleted").await;
    assert_eq!(
        json_string(&event["data"]["draft"])["root_id"],
        root.as_str()
    );
    assert_eq!(
        keys(&list(&server, &w.carol, &w.team_id).await),
        [(w.town.clone(), String::new())]
    );
}
