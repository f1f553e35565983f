//! Post reminders: `POST /users/{user_id}/posts/{post_id}/reminder` confirms with an
//! ephemeral message; the job sends due reminders once, as a direct message from the system
//! bot, and removes them.

use std::time::Duration;

use futures::future::join_all;
use serde_json::json;

use super::{channel, post};
use crate::realtime::{id, json_string, world, Ws};
use crate::support::TestServer;

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn reminder_path(user: &str, post_id: &str) -> String {
    format!("/api/v4/users/{user}/posts/{post_id}/reminder")
}

async fn fast_server() -> TestServer {
    TestServer::builder()
        .config(|c| c.service.post_reminder_interval_seconds = 1)
        .start()
        .await
}

#[tokio::test]
async fn a_due_reminder_arrives_once_as_a_direct_message_from_the_system_bot() {
    let server = fast_server().await;
    let w = world(&server).await;
    let target = post(&server, &w.bob, &w.town, "the quarterly numbers").await;
    let post_id = id(&target);
    let mut carol = Ws::connect(&server, &w.carol).await;

    // Set in the future: confirmed at once, not sent yet.
    let later = now_secs() + 3600;
    let set = server
        .post_as(
            &w.carol.token,
            &reminder_path("me", &post_id),
            &json!({"target_time": later, "extra": "ignored"}),
        )
        .await;
    set.assert_status(200);
    assert_eq!(set.json(), json!({"status": "OK"}));
    let frame = carol.event("ephemeral_message").await;
    let confirmation = json_string(&frame["data"]["post"]);
    assert_eq!(confirmation["type"], "system_ephemeral");
    assert_eq!(confirmation["channel_id"], w.town);
    assert_eq!(confirmation["root_id"], post_id);
    assert_eq!(confirmation["user_id"], w.carol.id);
    assert_eq!(confirmation["props"]["type"], "reminder");
    assert_eq!(confirmation["props"]["target_time"], later);
    assert_eq!(confirmation["props"]["post_id"], post_id);
    assert_eq!(confirmation["props"]["username"], "bob");
    assert_eq!(confirmation["props"]["team_name"], "eng");
    let message = confirmation["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "You will be reminded about /eng/pl/{post_id} by @bob at "
        )),
        "{message}"
    );
    assert!(message.ends_with(" UTC"), "{message}");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    carol.no_event("posted").await;
    assert_eq!(
        server
            .store()
            .post_reminder(&post_id, &w.carol.id)
            .await
            .unwrap(),
        Some(later)
    );

    // Moved to the past: the next round sends it.
    server
        .post_as(
            &w.carol.token,
            &reminder_path(&w.carol.id, &post_id),
            &json!({"target_time": now_secs() - 5}),
        )
        .await
        .assert_status(200);
    let frame = loop {
        let frame = carol.event("posted").await;
        if frame["data"]["channel_type"] == "D" {
            break frame;
        }
    };
    let dm = json_string(&frame["data"]["post"]);
    assert_eq!(dm["type"], "reminder");
    assert_eq!(
        dm["message"],
        format!("Hi there, here's your reminder about this message from @bob: /eng/pl/{post_id}")
    );
    assert_eq!(
        dm["props"],
        json!({"team_name": "eng", "post_id": post_id, "username": "bob"})
    );
    assert_eq!(frame["data"]["sender_name"], "@system-bot");
    assert_eq!(json_string(&frame["data"]["mentions"]), json!([w.carol.id]));
    let bot_id = dm["user_id"].as_str().unwrap().to_string();
    let bot = server
        .get_as(&w.carol.token, &format!("/api/v4/users/{bot_id}"))
        .await;
    bot.assert_status(200);
    let bot = bot.json();
    assert_eq!(bot["username"], "system-bot");
    assert_eq!(bot["is_bot"], true);
    // The direct channel between the user and the bot, where the reminder stays.
    let channel_id = dm["channel_id"].as_str().unwrap();
    let mut pair = [w.carol.id.clone(), bot_id.clone()];
    pair.sort();
    let dm_channel = server
        .get_as(&w.carol.token, &format!("/api/v4/channels/{channel_id}"))
        .await
        .json();
    assert_eq!(dm_channel["type"], "D");
    assert_eq!(dm_channel["name"], format!("{}__{}", pair[0], pair[1]));
    let posts = server
        .get_as(
            &w.carol.token,
            &format!("/api/v4/channels/{channel_id}/posts"),
        )
        .await
        .json();
    assert_eq!(posts["order"], json!([dm["id"]]));
    // Unread, with a mention, like any direct message.
    let member = server
        .get_as(
            &w.carol.token,
            &format!("/api/v4/channels/{channel_id}/members/me"),
        )
        .await
        .json();
    assert_eq!(member["mention_count"], 1);

    // Sent once, then removed (right after the event went out).
    let mut left = Some(0);
    for _ in 0..40 {
        left = server
            .store()
            .post_reminder(&post_id, &w.carol.id)
            .await
            .unwrap();
        if left.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, None);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    carol.no_event("posted").await;
    let posts = server
        .get_as(
            &w.carol.token,
            &format!("/api/v4/channels/{channel_id}/posts"),
        )
        .await
        .json();
    assert_eq!(posts["order"].as_array().unwrap().len(), 1);

    // A second reminder reuses the bot and its channel.
    let other = post(&server, &w.admin, &w.town, "another").await;
    server
        .post_as(
            &w.carol.token,
            &reminder_path("me", &id(&other)),
            &json!({"target_time": now_secs() - 1}),
        )
        .await
        .assert_status(200);
    let frame = loop {
        let frame = carol.event("posted").await;
        if frame["data"]["channel_type"] == "D" {
            break frame;
        }
    };
    let second = json_string(&frame["data"]["post"]);
    assert_eq!(second["channel_id"], channel_id);
    assert_eq!(second["user_id"], bot_id);
    assert_eq!(second["props"]["username"], "admin");
}

#[tokio::test]
async fn reminders_need_a_readable_post_and_a_valid_time() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let private = id(&channel(&server, &w.bob, &w.team_id, "secret", "P").await);
    let public = id(&post(&server, &w.bob, &w.town, "public").await);
    let secret = id(&post(&server, &w.bob, &private, "secret").await);
    let at = json!({"target_time": now_secs() + 600});

    // Someone else's reminders need edit_other_users.
    server
        .post_as(&w.bob.token, &reminder_path(&w.carol.id, &public), &at)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(&w.admin.token, &reminder_path(&w.carol.id, &public), &at)
        .await
        .assert_status(200);
    // Posts the caller cannot read.
    server
        .post_as(&w.carol.token, &reminder_path("me", &secret), &at)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(&w.eve.token, &reminder_path("me", &public), &at)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(&w.carol.token, &reminder_path("me", &"a".repeat(26)), &at)
        .await
        .assert_error(404, "app.post.get.app_error");
    server
        .delete_as(&w.bob.token, &format!("/api/v4/posts/{secret}"))
        .await
        .assert_status(200);
    server
        .post_as(&w.bob.token, &reminder_path("me", &secret), &at)
        .await
        .assert_error(404, "app.post.get.app_error");
    // Bad input.
    for body in [
        json!({}),
        json!({"target_time": 0}),
        json!({"target_time": -5}),
        json!({"target_time": null}),
        json!({"target_time": 1_700_000_000_000_000i64}),
    ] {
        server
            .post_as(&w.carol.token, &reminder_path("me", &public), &body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    for body in [
        json!({"target_time": "tomorrow"}),
        json!({"target_time": 1.5}),
        json!([]),
    ] {
        server
            .post_as(&w.carol.token, &reminder_path("me", &public), &body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .post_as(&w.carol.token, &reminder_path("me", "not-an-id"), &at)
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .post_as(&w.carol.token, &reminder_path("nobody", &public), &at)
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // Only the admin's reminder for carol was stored.
    assert!(server
        .store()
        .post_reminder(&public, &w.carol.id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        server
            .store()
            .post_reminder(&public, &w.bob.id)
            .await
            .unwrap(),
        None
    );
}

/// The claim is what keeps two nodes from sending one reminder twice: concurrent claims on
/// the same store never share a reminder, and a claim left behind by a stopped node is taken
/// over once it is stale.
#[tokio::test]
async fn each_due_reminder_is_claimed_by_one_sender_only() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let store = server.store();
    let mut due = Vec::new();
    for i in 0..30 {
        let p = id(&post(&server, &w.bob, &w.town, &format!("p{i}")).await);
        store
            .set_post_reminder(&p, &w.carol.id, 1_000 + i)
            .await
            .unwrap();
        due.push(p);
    }
    let future = id(&post(&server, &w.bob, &w.town, "later").await);
    store
        .set_post_reminder(&future, &w.carol.id, 9_999_999_999)
        .await
        .unwrap();

    let now = now_secs() * 1000;
    let claims = join_all((0..4).map(|node| async move {
        store
            .claim_due_reminders(now / 1000, now + node, now - 600_000, 10)
            .await
            .unwrap()
    }))
    .await;
    // A node that lost every row to the others stops early; whatever is left is claimed later.
    let rest = store
        .claim_due_reminders(now / 1000, now + 10, now - 600_000, 100)
        .await
        .unwrap();
    let mut claimed: Vec<String> = claims
        .iter()
        .flatten()
        .chain(&rest)
        .map(|c| c.post_id.clone())
        .collect();
    let total = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!(claimed.len(), total, "no reminder claimed twice");
    assert_eq!(total, 30, "every due reminder claimed once");
    assert!(!claimed.contains(&future));
    // Nothing left to claim while the claims are fresh...
    assert!(store
        .claim_due_reminders(now / 1000, now + 20, now - 600_000, 100)
        .await
        .unwrap()
        .is_empty());
    // ...but a stale claim is taken over, and finishing removes the reminder.
    let retaken = store
        .claim_due_reminders(now / 1000, now + 700_000, now + 100, 100)
        .await
        .unwrap();
    assert_eq!(retaken.len(), 30);
    for reminder in &retaken {
        store.finish_reminder(reminder).await.unwrap();
    }
    for p in &due {
        assert_eq!(store.post_reminder(p, &w.carol.id).await.unwrap(), None);
    }
    // A reminder set again after its claim is not removed by the old claim's finish.
    let stale = claims.iter().flatten().next().unwrap().clone();
    store
        .set_post_reminder(&stale.post_id, &w.carol.id, 5_000)
        .await
        .unwrap();
    store.finish_reminder(&stale).await.unwrap();
    assert_eq!(
        store
            .post_reminder(&stale.post_id, &w.carol.id)
            .await
            .unwrap(),
        Some(5_000)
    );
}
