use serde_json::{json, Value};

use super::{join, post, team};
use crate::support::TestServer;

async fn setup(
    server: &TestServer,
) -> (
    crate::support::accounts::TestUser,
    crate::support::accounts::TestUser,
    String,
) {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let team_id = team(server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(server, &admin, &team_id, &bob).await;
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json();
    (admin, bob, town["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn posts_have_mattermost_shape_and_dedup_by_pending_id() {
    let server = TestServer::start().await;
    let (_admin, bob, channel_id) = setup(&server).await;
    let body = json!({"channel_id": channel_id, "message": "hi #release", "pending_post_id": "p-1", "props": {"x": 1}, "unknown": true});
    let first = server.post_as(&bob.token, "/api/v4/posts", &body).await;
    first.assert_status(201);
    let created = first.json();
    for key in [
        "id",
        "create_at",
        "update_at",
        "edit_at",
        "delete_at",
        "user_id",
        "channel_id",
        "root_id",
        "message",
        "type",
        "props",
        "file_ids",
        "hashtags",
        "reply_count",
    ] {
        assert!(created.get(key).is_some(), "{key} missing: {created}");
    }
    assert_eq!(created["root_id"], "");
    assert_eq!(created["file_ids"], json!([]));
    assert_eq!(created["props"], json!({"x": 1}));
    assert_eq!(created["hashtags"], "#release");
    let retry = server.post_as(&bob.token, "/api/v4/posts", &body).await;
    retry.assert_status(201);
    assert_eq!(
        retry.json()["id"],
        created["id"],
        "a retry returns the first post"
    );
    let page = server
        .get_as(&bob.token, &format!("/api/v4/channels/{channel_id}/posts"))
        .await
        .json();
    let bobs: Vec<&Value> = page["order"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|id| page["posts"][id.as_str().unwrap()]["user_id"] == bob.id.as_str())
        .collect();
    assert_eq!(bobs, vec![&created["id"]], "one post despite the retry");
}

#[tokio::test]
async fn invalid_posts_are_rejected() {
    let server = TestServer::start().await;
    let (admin, bob, channel_id) = setup(&server).await;
    let send = |body: serde_json::Value| {
        let (server, token) = (&server, bob.token.clone());
        async move { server.post_as(&token, "/api/v4/posts", &body).await }
    };
    send(json!({"channel_id": channel_id, "message": "x".repeat(16_384)}))
        .await
        .assert_error(400, "model.post.is_valid.message_length.app_error");
    send(
        json!({"channel_id": channel_id, "message": "x", "root_id": "zzzzzzzzzzzzzzzzzzzzzzzzzz"}),
    )
    .await
    .assert_error(400, "api.post.create_post.root_id.app_error");
    send(json!({"channel_id": "bad", "message": "x"}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    send(json!({"channel_id": channel_id, "message": "  "}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    let root = post(&server, &bob, &channel_id, "root").await;
    let reply = server
        .post_as(
            &bob.token,
            "/api/v4/posts",
            &json!({"channel_id": channel_id, "message": "r", "root_id": root["id"]}),
        )
        .await
        .json();
    send(json!({"channel_id": channel_id, "message": "x", "root_id": reply["id"]}))
        .await
        .assert_error(400, "api.post.create_post.root_id.app_error");
    let dm = server
        .post_as(
            &bob.token,
            "/api/v4/channels/direct",
            &json!([admin.id, bob.id]),
        )
        .await
        .json();
    send(json!({"channel_id": dm["id"], "message": "x", "root_id": root["id"]}))
        .await
        .assert_error(400, "api.post.create_post.channel_root_id.app_error");
    server
        .get_as(&bob.token, "/api/v4/posts/zzzzzzzzzzzzzzzzzzzzzzzzzz")
        .await
        .assert_error(404, "app.post.get.app_error");
}

#[tokio::test]
async fn paging_threads_edits_deletes_and_pins() {
    let server = TestServer::start().await;
    let (admin, bob, channel_id) = setup(&server).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            post(&server, &bob, &channel_id, &format!("m{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let page = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{channel_id}/posts?page=0&per_page=2"),
        )
        .await
        .json();
    assert_eq!(page["order"], json!([ids[4], ids[3]]), "newest first");
    // Mattermost's cursors name the neighbours just outside the page.
    assert_eq!(page["prev_post_id"], ids[2]);
    assert_eq!(page["next_post_id"], "");
    let second = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{channel_id}/posts?page=1&per_page=2"),
        )
        .await
        .json();
    assert_eq!(second["order"], json!([ids[2], ids[1]]));
    assert_eq!(second["prev_post_id"], ids[0]);
    assert_eq!(second["next_post_id"], ids[3]);
    let before = server
        .get_as(
            &bob.token,
            &format!(
                "/api/v4/channels/{channel_id}/posts?before={}&per_page=2",
                ids[2]
            ),
        )
        .await
        .json();
    assert_eq!(before["order"], json!([ids[1], ids[0]]));
    let after = server
        .get_as(
            &bob.token,
            &format!(
                "/api/v4/channels/{channel_id}/posts?after={}&per_page=2",
                ids[1]
            ),
        )
        .await
        .json();
    assert_eq!(after["order"], json!([ids[3], ids[2]]));

    // Thread: replies count on the root; the thread endpoint returns everything.
    let reply = server
        .post_as(
            &admin.token,
            "/api/v4/posts",
            &json!({"channel_id": channel_id, "message": "re", "root_id": ids[0]}),
        )
        .await
        .json();
    let root = server
        .get_as(&bob.token, &format!("/api/v4/posts/{}", ids[0]))
        .await
        .json();
    assert_eq!(root["reply_count"], 1);
    assert!(root["last_reply_at"].as_i64().unwrap() > 0);
    let thread = server
        .get_as(
            &bob.token,
            &format!("/api/v4/posts/{}/thread", reply["id"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(thread["order"].as_array().unwrap().len(), 2);
    let latest = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{channel_id}/posts?per_page=1"),
        )
        .await
        .json();
    assert_eq!(latest["order"], json!([reply["id"]]));
    assert!(
        latest["posts"].get(&ids[0]).is_some(),
        "the root of a listed reply is included"
    );

    // Edits keep history; others cannot edit or delete.
    let since = root["update_at"].as_i64().unwrap();
    let edited = server
        .put_as(
            &bob.token,
            &format!("/api/v4/posts/{}/patch", ids[1]),
            &json!({"message": "m1 (edited)"}),
        )
        .await;
    edited.assert_status(200);
    assert!(edited.json()["edit_at"].as_i64().unwrap() > 0);
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/posts/{}/patch", reply["id"].as_str().unwrap()),
            &json!({"message": "mine now"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(
            &bob.token,
            &format!("/api/v4/posts/{}", reply["id"].as_str().unwrap()),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Admins may delete others' posts; deleting a root takes its replies.
    server
        .delete_as(&admin.token, &format!("/api/v4/posts/{}", ids[0]))
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, &format!("/api/v4/posts/{}", ids[0]))
        .await
        .assert_status(404);
    server
        .get_as(
            &bob.token,
            &format!("/api/v4/posts/{}", reply["id"].as_str().unwrap()),
        )
        .await
        .assert_status(404);
    let synced = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{channel_id}/posts?since={since}"),
        )
        .await
        .json();
    let synced_posts = synced["posts"].as_object().unwrap();
    assert!(
        synced_posts[&ids[0]]["delete_at"].as_i64().unwrap() > 0,
        "since includes deletions"
    );
    assert!(synced_posts[&ids[1]]["message"] == "m1 (edited)");
    assert!(
        synced_posts.values().all(|p| p["original_id"] == ""),
        "edit history is not listed"
    );

    // Pins.
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/posts/{}/pin", ids[2]),
            &json!({}),
        )
        .await
        .assert_status(200);
    let pinned = server
        .get_as(&bob.token, &format!("/api/v4/channels/{channel_id}/pinned"))
        .await
        .json();
    assert_eq!(pinned["order"], json!([ids[2]]));
    let stats = server
        .get_as(&bob.token, &format!("/api/v4/channels/{channel_id}/stats"))
        .await
        .json();
    assert_eq!(stats["pinnedpost_count"], 1);
    assert_eq!(stats["member_count"], 2);
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/posts/{}/unpin", ids[2]),
            &json!({}),
        )
        .await
        .assert_status(200);
    let by_ids = server
        .post_as(&bob.token, "/api/v4/posts/ids", &json!([ids[2], ids[3]]))
        .await
        .json();
    assert_eq!(by_ids.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn here_mentions_only_online_members() {
    let server = TestServer::start().await;
    let (admin, bob, channel_id) = setup(&server).await;
    let team_id = server
        .get_as(&admin.token, &format!("/api/v4/channels/{channel_id}"))
        .await
        .json()["team_id"]
        .as_str()
        .unwrap()
        .to_string();
    let carol = server.user(&admin, "carol").await;
    join(&server, &admin, &team_id, &carol).await;
    // Bob is active (any authenticated request); Carol set herself offline.
    server
        .get_as(&bob.token, "/api/v4/users/me")
        .await
        .assert_status(200);
    server
        .put_as(
            &carol.token,
            "/api/v4/users/me/status",
            &json!({"user_id": carol.id, "status": "offline"}),
        )
        .await
        .assert_status(200);
    post(&server, &admin, &channel_id, "@here standup in 5").await;
    let unread = |token: String| {
        let server = &server;
        let path = format!("/api/v4/users/me/channels/{channel_id}/unread");
        async move { server.get_as(&token, &path).await.json()["mention_count"].clone() }
    };
    assert_eq!(unread(bob.token.clone()).await, 1);
    assert_eq!(unread(carol.token.clone()).await, 0);
}

#[tokio::test]
async fn edit_history_is_for_the_author_only() {
    let server = TestServer::start().await;
    let (admin, bob, channel_id) = setup(&server).await;
    let created = post(&server, &bob, &channel_id, "first draft").await;
    let id = created["id"].as_str().unwrap();
    let history_path = format!("/api/v4/posts/{id}/edit_history");
    server
        .get_as(&bob.token, &history_path)
        .await
        .assert_error(404, "app.post.get_edit_history_for_post.app_error");
    for message in ["second draft", "final"] {
        server
            .put_as(
                &bob.token,
                &format!("/api/v4/posts/{id}/patch"),
                &json!({"message": message}),
            )
            .await
            .assert_status(200);
    }
    let history = server.get_as(&bob.token, &history_path).await;
    history.assert_status(200);
    let versions = history.json();
    let messages: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["second draft", "first draft"], "newest first");
    assert!(versions
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["original_id"] == id));
    // Not even an admin reads someone else's drafts; unknown posts are 404.
    server
        .get_as(&admin.token, &history_path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &bob.token,
            "/api/v4/posts/zzzzzzzzzzzzzzzzzzzzzzzzzz/edit_history",
        )
        .await
        .assert_status(404);
    server
        .get_as(&bob.token, "/api/v4/posts/bad/edit_history")
        .await
        .assert_status(400);
}

#[tokio::test]
async fn set_unread_moves_the_read_marker_and_recounts_mentions() {
    let server = TestServer::start().await;
    let (admin, bob, channel_id) = setup(&server).await;
    let first = post(&server, &admin, &channel_id, "one").await;
    post(&server, &admin, &channel_id, "two @bob").await;
    post(&server, &admin, &channel_id, "three").await;
    server
        .post_as(
            &bob.token,
            "/api/v4/channels/members/me/view",
            &json!({"channel_id": channel_id}),
        )
        .await
        .assert_status(200);
    let unread_path = format!("/api/v4/users/me/channels/{channel_id}/unread");
    assert_eq!(
        server.get_as(&bob.token, &unread_path).await.json()["msg_count"],
        0
    );

    let marked = server
        .post_as(
            &bob.token,
            &format!(
                "/api/v4/users/{}/posts/{}/set_unread",
                bob.id,
                first["id"].as_str().unwrap()
            ),
            &json!({"collapsed_threads_supported": true}),
        )
        .await;
    marked.assert_status(200);
    let body = marked.json();
    assert_eq!(body["channel_id"], channel_id.as_str());
    assert_eq!(body["mention_count"], 1);
    assert_eq!(
        body["last_viewed_at"].as_i64().unwrap(),
        first["create_at"].as_i64().unwrap() - 1
    );
    let unread = server.get_as(&bob.token, &unread_path).await.json();
    assert_eq!(
        unread["msg_count"], 3,
        "the marked post and the two after it"
    );
    assert_eq!(unread["mention_count"], 1);
    assert_eq!(unread["msg_count_root"], 3);

    // Only for yourself, only where you can read.
    server
        .post_as(
            &admin.token,
            &format!(
                "/api/v4/users/{}/posts/{}/set_unread",
                bob.id,
                first["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let eve = server.user(&admin, "eve").await;
    server
        .post_as(
            &eve.token,
            &format!(
                "/api/v4/users/{}/posts/{}/set_unread",
                eve.id,
                first["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await
        .assert_status(403);
    server
        .post_as(
            &bob.token,
            &format!(
                "/api/v4/users/{}/posts/zzzzzzzzzzzzzzzzzzzzzzzzzz/set_unread",
                bob.id
            ),
            &json!({}),
        )
        .await
        .assert_status(404);
}

/// Mentions come from a per-channel index cached between posts; changes to members, names
/// and mention keys must reach the very next post.
#[tokio::test]
async fn mention_changes_reach_the_next_post() {
    let server = TestServer::start().await;
    let (admin, bob, channel_id) = setup(&server).await;
    let mentions_of = |token: String| {
        let server = &server;
        let path = format!("/api/v4/users/me/channels/{channel_id}/unread");
        async move { server.get_as(&token, &path).await.json()["mention_count"].clone() }
    };
    // Warm the cache.
    post(&server, &admin, &channel_id, "deploy tonight").await;
    assert_eq!(mentions_of(bob.token.clone()).await, 0);

    // Bob adds a mention key: the next "deploy" mentions him.
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/users/{}/patch", bob.id),
            &json!({"notify_props": {"mention_keys": "deploy", "channel": "true"}}),
        )
        .await
        .assert_status(200);
    post(&server, &admin, &channel_id, "deploy again").await;
    assert_eq!(mentions_of(bob.token.clone()).await, 1);

    // A new member is mentioned by the very next post that names her.
    let eve = server.user(&admin, "eve").await;
    let team_id = server
        .get_as(&admin.token, &format!("/api/v4/channels/{channel_id}"))
        .await
        .json()["team_id"]
        .as_str()
        .unwrap()
        .to_string();
    crate::chat::join(&server, &admin, &team_id, &eve).await;
    post(&server, &admin, &channel_id, "welcome @eve").await;
    assert_eq!(mentions_of(eve.token.clone()).await, 1);

    // Ignoring channel mentions applies at once too.
    server
        .put_as(
            &eve.token,
            &format!(
                "/api/v4/channels/{channel_id}/members/{}/notify_props",
                eve.id
            ),
            &json!({"ignore_channel_mentions": "on"}),
        )
        .await
        .assert_status(200);
    post(&server, &admin, &channel_id, "@channel standup").await;
    assert_eq!(
        mentions_of(eve.token.clone()).await,
        1,
        "eve ignores @channel"
    );
    assert_eq!(mentions_of(bob.token.clone()).await, 2);
}
