//! The scheduled posts job: due posts go out through post creation (events, unread counts,
//! threads), failures are recorded on the scheduled post instead of sending, claims are
//! atomic and a lost claim cannot post twice.

use serde_json::{json, Value};

use super::{now_ms, rows};
use crate::chat::{channel, post};
use crate::realtime::{id, json_string, world, World, Ws};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

/// A server whose job looks for due posts every second.
async fn fast_server() -> TestServer {
    TestServer::builder()
        .config(|c| c.service.scheduled_posts_check_interval_seconds = 1)
        .start()
        .await
}

/// A post due in about a second.
async fn schedule_soon(server: &TestServer, user: &TestUser, body: Value) -> Value {
    let mut body = body;
    body["scheduled_at"] = json!(now_ms() + 1_000);
    let created = server
        .post_as(&user.token, "/api/v4/posts/schedule", &body)
        .await;
    created.assert_status(201);
    created.json()
}

async fn channel_posts(server: &TestServer, user: &TestUser, channel_id: &str) -> Vec<Value> {
    let page = server
        .get_as(&user.token, &format!("/api/v4/channels/{channel_id}/posts"))
        .await;
    page.assert_status(200);
    let page = page.json();
    page["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| page["posts"][id.as_str().unwrap()].clone())
        .collect()
}

async fn scheduled(server: &TestServer, w: &World, user: &TestUser) -> Vec<Value> {
    let got = server
        .get_as(
            &user.token,
            &format!(
                "/api/v4/posts/scheduled/team/{}?includeDirectChannels=true",
                w.team_id
            ),
        )
        .await;
    got.assert_status(200);
    let got = got.json();
    let mut all = got[&w.team_id].as_array().unwrap().clone();
    all.extend(got["directChannels"].as_array().unwrap().iter().cloned());
    all
}

#[tokio::test]
async fn a_due_post_is_sent_like_any_post() {
    let server = fast_server().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let root = id(&post(&server, &w.carol, &w.town, "a thread").await);
    carol.event("posted").await;
    let top = schedule_soon(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "good morning @carol", "props": {"k": "v"}}),
    )
    .await;
    let reply = schedule_soon(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "root_id": root, "message": "and a reply"}),
    )
    .await;
    // bob is writing something else in town meanwhile: sending leaves his draft alone.
    server
        .post_as(
            &w.bob.token,
            "/api/v4/drafts",
            &json!({"channel_id": w.town, "message": "still typing"}),
        )
        .await
        .assert_status(201);

    // carol receives them as posts from bob, with the mention.
    let mut sent = Vec::new();
    for _ in 0..2 {
        let event = carol.event("posted").await;
        sent.push(json_string(&event["data"]["post"]));
        if sent.last().unwrap()["root_id"] == "" {
            assert!(event["data"]["mentions"]
                .as_str()
                .unwrap()
                .contains(&w.carol.id));
        }
    }
    sent.sort_by_key(|p| p["root_id"].as_str().unwrap().to_string());
    assert_eq!(sent[0]["message"], "good morning @carol");
    assert_eq!(sent[0]["user_id"], w.bob.id.as_str());
    assert_eq!(sent[0]["props"]["k"], "v");
    assert_eq!(sent[1]["message"], "and a reply");
    assert_eq!(sent[1]["root_id"], root.as_str());

    // bob's clients drop them from the scheduled list.
    let mut gone = vec![
        id(&json_string(
            &bob.event("scheduled_post_deleted").await["data"]["scheduledPost"],
        )),
        id(&json_string(
            &bob.event("scheduled_post_deleted").await["data"]["scheduledPost"],
        )),
    ];
    gone.sort();
    let mut expected = vec![id(&top), id(&reply)];
    expected.sort();
    assert_eq!(gone, expected);
    assert!(scheduled(&server, &w, &w.bob).await.is_empty());
    assert_eq!(rows(&server, "scheduled_posts").await, 0);

    // Counted like any post: unread and mentioned for carol, a reply in the thread.
    let unread = server
        .get_as(
            &w.carol.token,
            &format!("/api/v4/users/me/channels/{}/unread", w.town),
        )
        .await
        .json();
    assert!(unread["msg_count"].as_i64().unwrap() >= 1, "{unread}");
    assert_eq!(unread["mention_count"], 1, "{unread}");
    let thread = server
        .get_as(&w.carol.token, &format!("/api/v4/posts/{root}"))
        .await
        .json();
    assert_eq!(thread["reply_count"], 1);
    let posts = channel_posts(&server, &w.carol, &w.town).await;
    assert_eq!(
        posts
            .iter()
            .filter(|p| p["user_id"] == w.bob.id.as_str())
            .count(),
        2
    );
    let drafts = server
        .get_as(
            &w.bob.token,
            &format!("/api/v4/users/me/teams/{}/drafts", w.team_id),
        )
        .await
        .json();
    assert_eq!(drafts[0]["message"], "still typing");
}

#[tokio::test]
async fn failures_are_recorded_instead_of_sending() {
    let server = fast_server().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let archived = id(&channel(&server, &w.bob, &w.team_id, "closing", "O").await);
    let left = id(&channel(&server, &w.carol, &w.team_id, "leaving", "O").await);
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/channels/{left}/members"),
            &json!({"user_id": w.bob.id}),
        )
        .await
        .assert_status(201);
    let root = id(&post(&server, &w.bob, &w.town, "soon gone").await);

    let in_archived = schedule_soon(
        &server,
        &w.bob,
        json!({"channel_id": archived, "message": "to the void"}),
    )
    .await;
    let in_left = schedule_soon(
        &server,
        &w.bob,
        json!({"channel_id": left, "message": "not a member any more"}),
    )
    .await;
    let in_thread = schedule_soon(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "root_id": root, "message": "to a deleted thread"}),
    )
    .await;
    server
        .delete_as(&w.bob.token, &format!("/api/v4/channels/{archived}"))
        .await
        .assert_status(200);
    server
        .delete_as(
            &w.bob.token,
            &format!("/api/v4/channels/{left}/members/{}", w.bob.id),
        )
        .await
        .assert_status(200);
    server
        .delete_as(&w.bob.token, &format!("/api/v4/posts/{root}"))
        .await
        .assert_status(200);

    let mut codes = std::collections::BTreeMap::new();
    for _ in 0..3 {
        let event = bob.event("scheduled_post_updated").await;
        let failed = json_string(&event["data"]["scheduledPost"]);
        assert!(failed["processed_at"].as_i64().unwrap() > 0, "{failed}");
        codes.insert(
            id(&failed),
            failed["error_code"].as_str().unwrap().to_string(),
        );
    }
    assert_eq!(codes[&id(&in_archived)], "channel_archived");
    assert_eq!(codes[&id(&in_left)], "no_channel_permission");
    assert_eq!(codes[&id(&in_thread)], "thread_deleted");

    // Kept, with the error, for bob to see; nothing was posted.
    let listed = scheduled(&server, &w, &w.bob).await;
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|p| p["error_code"] != ""), "{listed:?}");
    let archived_posts = server
        .get_as(
            &w.admin.token,
            &format!("/api/v4/channels/{archived}/posts"),
        )
        .await
        .json();
    assert!(
        !archived_posts.to_string().contains("to the void"),
        "{archived_posts}"
    );
    assert!(!channel_posts(&server, &w.carol, &left)
        .await
        .iter()
        .any(|p| p["message"] == "not a member any more"));

    // Rescheduling puts it back in the queue (and it fails again: still archived).
    let again = server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/posts/schedule/{}", id(&in_archived)),
            &json!({"id": id(&in_archived), "message": "retry", "scheduled_at": now_ms() + 500}),
        )
        .await;
    again.assert_status(201);
    assert_eq!(again.json()["error_code"], "");
    assert_eq!(again.json()["processed_at"], 0);
    bob.event("scheduled_post_updated").await; // the edit itself
    let event = bob.event("scheduled_post_updated").await;
    assert_eq!(
        json_string(&event["data"]["scheduledPost"])["error_code"],
        "channel_archived"
    );
}

#[tokio::test]
async fn a_deactivated_author_is_recorded_as_user_deleted() {
    let server = fast_server().await;
    let w = world(&server).await;
    let sp = schedule_soon(
        &server,
        &w.bob,
        json!({"channel_id": w.town, "message": "from beyond"}),
    )
    .await;
    server
        .delete_as(&w.admin.token, &format!("/api/v4/users/{}", w.bob.id))
        .await
        .assert_status(200);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let row = server
            .store()
            .scheduled_post(&id(&sp))
            .await
            .unwrap()
            .unwrap();
        if !row.error_code.is_empty() {
            assert_eq!(row.error_code, "user_deleted");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never processed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(!channel_posts(&server, &w.carol, &w.town)
        .await
        .iter()
        .any(|p| p["message"] == "from beyond"));
}

#[tokio::test]
async fn claims_are_atomic_and_a_lost_claim_cannot_post_twice() {
    // The job stays out of the way (an hour between passes); the test drives the store.
    let server = TestServer::builder()
        .config(|c| c.service.scheduled_posts_check_interval_seconds = 3600)
        .start()
        .await;
    let w = world(&server).await;
    let store = server.store().clone();
    for i in 0..5 {
        server
            .post_as(
                &w.bob.token,
                "/api/v4/posts/schedule",
                &json!({"channel_id": w.town, "message": format!("m{i}"), "scheduled_at": now_ms() - 1_000}),
            )
            .await
            .assert_status(201);
    }
    let now = now_ms();
    let stale = now - 5 * 60 * 1000;
    // Eight concurrent claimers, then one for what they left: every row taken exactly once.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_due_scheduled_posts(now, stale, 2).await })
        })
        .collect();
    let mut taken = Vec::new();
    for task in tasks {
        taken.extend(task.await.unwrap().unwrap().into_iter().map(|p| p.id));
    }
    let rest = store
        .claim_due_scheduled_posts(now, stale, 100)
        .await
        .unwrap();
    taken.extend(rest.into_iter().map(|p| p.id));
    taken.sort();
    let before_dedup = taken.len();
    taken.dedup();
    assert_eq!(before_dedup, taken.len(), "a row was claimed twice");
    assert_eq!(taken.len(), 5);
    assert!(store
        .claim_due_scheduled_posts(now + 1, stale, 100)
        .await
        .unwrap()
        .is_empty());
    assert!(!store.scheduled_posts_due(now + 1, stale).await.unwrap());

    // A claim older than the lease is free again: its node died mid-way.
    let later = now + 6 * 60 * 1000;
    assert!(store
        .scheduled_posts_due(later, later - 5 * 60 * 1000)
        .await
        .unwrap());
    let retaken = store
        .claim_due_scheduled_posts(later, later - 5 * 60 * 1000, 100)
        .await
        .unwrap();
    assert_eq!(retaken.len(), 5);

    // A post already made under the scheduled post's id (the node died after sending) is
    // found again rather than posted twice: the job, with a short interval, finishes it.
    let first = &retaken[0];
    server
        .post_as(
            &w.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "message": first.draft.message, "pending_post_id": first.id}),
        )
        .await
        .assert_status(201);
    let mut config = server.config.clone();
    config.service.scheduled_posts_check_interval_seconds = 1;
    // Every claim is now stale for the restarted job: it was made "6 minutes from now".
    let past = now - 10 * 60 * 1000;
    for post in &retaken {
        store.fail_scheduled_post(&post.id, "", past).await.unwrap();
    }
    let server = server.restart_with(config).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while rows(&server, "scheduled_posts").await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "not all sent");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let posts = channel_posts(&server, &w.carol, &w.town).await;
    for i in 0..5 {
        let message = format!("m{i}");
        assert_eq!(
            posts
                .iter()
                .filter(|p| p["message"] == message.as_str())
                .count(),
            1,
            "{message}"
        );
    }
}
