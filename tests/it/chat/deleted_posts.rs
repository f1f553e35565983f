//! A deleted post never leaks what it said: every route that returns posts, files or events
//! either leaves it out or carries the deletion without the message, files and props.

use serde_json::{json, Value};

use super::{join, team};
use crate::files::uploaded;
use crate::realtime::{json_string, Ws};
use crate::support::accounts::TestUser;
use crate::support::{TestResponse, TestServer};

/// Words only the deleted posts (and their edit history) contain.
const SECRETS: [&str; 3] = ["alphasecret", "betasecret", "gammasecret"];

fn assert_no_secret(what: &str, response: &TestResponse) {
    let body = response.text();
    for secret in SECRETS {
        assert!(!body.contains(secret), "{what} leaks {secret:?}: {body}");
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

fn assert_blank(what: &str, post: &Value) {
    assert!(post["delete_at"].as_i64().unwrap() > 0, "{what}: {post}");
    assert_eq!(post["message"], "", "{what}");
    assert_eq!(post["file_ids"], json!([]), "{what}");
    assert_eq!(post["props"], json!({}), "{what}");
}

struct Scene {
    admin: TestUser,
    bob: TestUser,
    carol: TestUser,
    team_id: String,
    town: String,
    root: String,
    reply: String,
    file: String,
    carol_ws: Ws,
}

/// bob posts a root with a file (edited once, pinned, flagged by carol), carol replies, then
/// bob deletes the root (taking the reply with it) while carol is connected.
async fn scene(server: &TestServer) -> Scene {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team_id = id(&team(server, &admin, "eng").await);
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &carol).await;
    let town = id(&server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json());
    let file = id(&uploaded(server, &bob, &town, "alphasecret.txt", b"alphasecret").await);
    let created = server
        .post_as(
            &bob.token,
            "/api/v4/posts",
            &json!({"channel_id": town, "message": "the alphasecret plan", "file_ids": [file],
                    "props": {"note": "alphasecret"}}),
        )
        .await;
    created.assert_status(201);
    let root = id(&created.json());
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/posts/{root}/patch"),
            &json!({"message": "the alphasecret plan, gammasecret edition"}),
        )
        .await
        .assert_status(200);
    server
        .post_as(&bob.token, &format!("/api/v4/posts/{root}/pin"), &json!({}))
        .await
        .assert_status(200);
    let reply = server
        .post_as(
            &carol.token,
            "/api/v4/posts",
            &json!({"channel_id": town, "message": "betasecret reply", "root_id": root}),
        )
        .await;
    reply.assert_status(201);
    let reply = id(&reply.json());
    server
        .put_as(
            &carol.token,
            &format!("/api/v4/users/{}/preferences", carol.id),
            &json!([{"user_id": carol.id, "category": "flagged_post", "name": root, "value": "true"}]),
        )
        .await
        .assert_status(200);
    let carol_ws = Ws::connect(server, &carol).await;
    server
        .delete_as(&bob.token, &format!("/api/v4/posts/{root}"))
        .await
        .assert_status(200);
    Scene {
        admin,
        bob,
        carol,
        team_id,
        town,
        root,
        reply,
        file,
        carol_ws,
    }
}

#[tokio::test]
async fn one_post_is_gone_unless_an_admin_asks_for_the_deletion() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    for user in [&s.admin, &s.bob, &s.carol] {
        for post in [&s.root, &s.reply] {
            server
                .get_as(&user.token, &format!("/api/v4/posts/{post}"))
                .await
                .assert_error(404, "app.post.get.app_error");
        }
    }
    // include_deleted is for system admins, and even they get the deletion, not the content.
    server
        .get_as(
            &s.bob.token,
            &format!("/api/v4/posts/{}?include_deleted=true", s.root),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let seen = server
        .get_as(
            &s.admin.token,
            &format!("/api/v4/posts/{}?include_deleted=true", s.root),
        )
        .await;
    seen.assert_status(200);
    assert_no_secret("include_deleted", &seen);
    assert_blank("include_deleted", &seen.json());
    assert_eq!(seen.json()["id"], s.root);
    assert_eq!(seen.json()["metadata"], json!({}));
}

#[tokio::test]
async fn channel_lists_carry_deletions_without_content() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let since = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/channels/{}/posts?since=0", s.town),
        )
        .await;
    since.assert_status(200);
    assert_no_secret("since", &since);
    let posts = &since.json()["posts"];
    assert_blank("since root", &posts[&s.root]);
    assert_blank("since reply", &posts[&s.reply]);
    assert_eq!(posts[&s.reply]["root_id"], s.root);

    let page = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/channels/{}/posts", s.town),
        )
        .await;
    page.assert_status(200);
    assert_no_secret("page", &page);
    // Cursors: a live post on each side of where the deleted ones were.
    let newer = super::post(&server, &s.bob, &s.town, "after").await;
    let paths = [
        format!("/api/v4/channels/{}/posts?before={}", s.town, id(&newer)),
        format!(
            "/api/v4/channels/{}/posts?after={}&per_page=5",
            s.town,
            page.json()["order"][0].as_str().unwrap()
        ),
        format!("/api/v4/users/me/channels/{}/posts/unread", s.town),
        format!("/api/v4/channels/{}/pinned", s.town),
        format!("/api/v4/users/{}/posts/flagged", s.carol.id),
        format!("/api/v4/posts/{}/thread", s.root),
        format!("/api/v4/posts/{}/thread", s.reply),
    ];
    for path in &paths {
        let response = server.get_as(&s.carol.token, path).await;
        assert_no_secret(path, &response);
        if response.status.as_u16() == 200 {
            let list = response.json();
            assert!(
                !list["posts"]
                    .as_object()
                    .is_some_and(|p| p.contains_key(&s.root) || p.contains_key(&s.reply)),
                "{path} lists a deleted post: {list}"
            );
        }
    }
    for path in &paths[5..] {
        server
            .get_as(&s.carol.token, path)
            .await
            .assert_error(404, "app.post.get.app_error");
    }
    let pinned = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/channels/{}/pinned", s.town),
        )
        .await
        .json();
    assert_eq!(pinned["order"], json!([]));
    let flagged = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/users/{}/posts/flagged", s.carol.id),
        )
        .await
        .json();
    assert_eq!(flagged["order"], json!([]));

    let by_ids = server
        .post_as(
            &s.admin.token,
            "/api/v4/posts/ids",
            &json!([s.root, s.reply]),
        )
        .await;
    by_ids.assert_status(200);
    assert_no_secret("posts/ids", &by_ids);
    assert_eq!(by_ids.json(), json!([]));
}

#[tokio::test]
async fn threads_search_history_and_files_hold_nothing() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    let threads = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/users/me/teams/{}/threads", s.team_id),
        )
        .await;
    threads.assert_status(200);
    assert_no_secret("threads", &threads);
    assert_eq!(threads.json()["threads"], json!([]));
    let one = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/users/me/teams/{}/threads/{}", s.team_id, s.root),
        )
        .await;
    assert_no_secret("one thread", &one);
    if one.status.as_u16() == 200 {
        assert_blank("one thread", &one.json()["post"]);
    }

    for terms in ["alphasecret", "betasecret", "gammasecret", "plan"] {
        let found = server
            .post_as(
                &s.admin.token,
                &format!("/api/v4/teams/{}/posts/search", s.team_id),
                &json!({"terms": terms}),
            )
            .await;
        found.assert_status(200);
        assert_no_secret("search", &found);
        assert_eq!(found.json()["order"], json!([]), "{terms}");
    }

    server
        .get_as(
            &s.bob.token,
            &format!("/api/v4/posts/{}/edit_history", s.root),
        )
        .await
        .assert_error(404, "app.post.get.app_error");

    for user in [&s.admin, &s.bob] {
        for path in [
            format!("/api/v4/files/{}", s.file),
            format!("/api/v4/files/{}/info", s.file),
            format!("/api/v4/files/{}/preview", s.file),
        ] {
            let response = server.get_as(&user.token, &path).await;
            assert_no_secret(&path, &response);
            response.assert_status(404);
        }
        server
            .get_as(&user.token, &format!("/api/v4/posts/{}/files/info", s.root))
            .await
            .assert_error(404, "app.post.get.app_error");
    }
}

#[tokio::test]
async fn the_deletion_event_says_nothing_of_the_content() {
    let server = TestServer::start().await;
    let mut s = scene(&server).await;
    let event = s.carol_ws.event("post_deleted").await;
    let frame = event.to_string();
    for secret in SECRETS {
        assert!(
            !frame.contains(secret),
            "post_deleted leaks {secret}: {frame}"
        );
    }
    let post = json_string(&event["data"]["post"]);
    assert_eq!(post["id"], s.root);
    assert_blank("post_deleted", &post);
}
