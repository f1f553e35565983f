//! Deleted posts never leak, route by route (issue 12): every route that returns posts,
//! reactions or files either refuses a deleted post (404), leaves it out, or (since-lists and
//! `include_deleted` for system admins) carries the deletion with nothing of its content.
//! Complements `deleted_posts.rs`, which deletes a whole thread; here a reply is also deleted
//! alone under a live root, and the posts carry files with previews and reactions.

use serde_json::{json, Value};

use super::{join, team};
use crate::files::{png, uploaded};
use crate::support::accounts::TestUser;
use crate::support::{TestResponse, TestServer};

/// Words that only deleted posts and their files' names contain.
const SECRETS: [&str; 3] = ["zetasecret", "etasecret", "thetasecret"];

fn assert_clean(what: &str, response: &TestResponse) {
    let body = response.text();
    for secret in SECRETS {
        assert!(!body.contains(secret), "{what} leaks {secret:?}: {body}");
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

/// A deletion as lists carry it: times and placement, nothing said, no files or reactions.
fn assert_blank(what: &str, post: &Value) {
    assert!(post["delete_at"].as_i64().unwrap() > 0, "{what}: {post}");
    assert_eq!(post["message"], "", "{what}");
    assert_eq!(post["file_ids"], json!([]), "{what}");
    assert_eq!(post["props"], json!({}), "{what}");
    assert_eq!(post["hashtags"], "", "{what}");
    assert_ne!(post["has_reactions"], true, "{what}");
    let metadata = &post["metadata"];
    assert!(
        metadata.is_null() || metadata == &json!({}),
        "{what} metadata: {post}"
    );
}

struct Scene {
    admin: TestUser,
    bob: TestUser,
    carol: TestUser,
    team_id: String,
    town: String,
    /// bob's live root; carol's reply to it (with a file) is deleted alone.
    live_root: String,
    reply: String,
    reply_file: String,
    /// bob's root with an image, pinned, flagged and reacted to, deleted with its reply.
    root: String,
    root_reply: String,
    root_file: String,
    /// The public link of the root's file, taken before the deletion.
    root_link: String,
}

async fn post(server: &TestServer, user: &TestUser, body: Value) -> String {
    let created = server.post_as(&user.token, "/api/v4/posts", &body).await;
    created.assert_status(201);
    id(&created.json())
}

async fn react(server: &TestServer, user: &TestUser, post_id: &str) {
    server
        .post_as(
            &user.token,
            "/api/v4/reactions",
            &json!({"user_id": user.id, "post_id": post_id, "emoji_name": "smile"}),
        )
        .await
        .assert_status(200);
}

async fn scene(server: &TestServer) -> Scene {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team_id = id(&team(server, &admin, "eng").await);
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &carol).await;
    let town = id(&server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json());

    let live_root = post(
        server,
        &bob,
        json!({"channel_id": town, "message": "a live root"}),
    )
    .await;
    let reply_file = id(&uploaded(server, &carol, &town, "etasecret.txt", b"etasecret").await);
    let reply = post(
        server,
        &carol,
        json!({"channel_id": town, "root_id": live_root, "message": "the etasecret #etasecret",
               "file_ids": [reply_file], "props": {"x": "etasecret"}}),
    )
    .await;
    react(server, &bob, &reply).await;

    let root_file = id(&uploaded(server, &bob, &town, "zetasecret.png", &png(64, 48)).await);
    let root = post(
        server,
        &bob,
        json!({"channel_id": town, "message": "the zetasecret plan", "file_ids": [root_file],
               "props": {"note": "zetasecret"}}),
    )
    .await;
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/posts/{root}/patch"),
            &json!({"message": "the zetasecret plan, thetasecret edition"}),
        )
        .await
        .assert_status(200);
    server
        .post_as(&bob.token, &format!("/api/v4/posts/{root}/pin"), &json!({}))
        .await
        .assert_status(200);
    react(server, &carol, &root).await;
    server
        .put_as(
            &carol.token,
            &format!("/api/v4/users/{}/preferences", carol.id),
            &json!([{"user_id": carol.id, "category": "flagged_post", "name": root, "value": "true"}]),
        )
        .await
        .assert_status(200);
    let root_reply = post(
        server,
        &carol,
        json!({"channel_id": town, "root_id": root, "message": "thetasecret reply"}),
    )
    .await;
    let link = server
        .get_as(&carol.token, &format!("/api/v4/files/{root_file}/link"))
        .await;
    link.assert_status(200);
    let root_link = link.json()["link"]
        .as_str()
        .unwrap()
        .strip_prefix(&server.url)
        .expect("link under the server's address")
        .to_string();
    server.get(&root_link).await.assert_status(200);

    server
        .delete_as(&carol.token, &format!("/api/v4/posts/{reply}"))
        .await
        .assert_status(200);
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
        live_root,
        reply,
        reply_file,
        root,
        root_reply,
        root_file,
        root_link,
    }
}

async fn start() -> (TestServer, Scene) {
    let server = TestServer::builder()
        .config(|c| c.file.enable_public_link = true)
        .start()
        .await;
    let s = scene(&server).await;
    (server, s)
}

impl Scene {
    fn deleted(&self) -> [&String; 3] {
        [&self.reply, &self.root, &self.root_reply]
    }

    fn users(&self) -> [&TestUser; 3] {
        [&self.admin, &self.bob, &self.carol]
    }
}

/// A PostList without any deleted post.
fn assert_left_out(what: &str, s: &Scene, response: &TestResponse) {
    response.assert_status(200);
    assert_clean(what, response);
    let list = response.json();
    for deleted in s.deleted() {
        assert!(
            !list["order"]
                .as_array()
                .is_some_and(|o| o.iter().any(|i| i == deleted.as_str())),
            "{what} orders {deleted}: {list}"
        );
        assert!(
            list["posts"].get(deleted.as_str()).is_none(),
            "{what} lists {deleted}: {list}"
        );
    }
}

#[tokio::test]
async fn get_post_is_404_and_include_deleted_is_a_blank_for_admins_only() {
    let (server, s) = start().await;
    for user in s.users() {
        for post in s.deleted() {
            for query in ["", "?include_deleted=false"] {
                let response = server
                    .get_as(&user.token, &format!("/api/v4/posts/{post}{query}"))
                    .await;
                assert_clean("get post", &response);
                response.assert_error(404, "app.post.get.app_error");
            }
        }
    }
    for user in [&s.bob, &s.carol] {
        server
            .get_as(
                &user.token,
                &format!("/api/v4/posts/{}?include_deleted=true", s.reply),
            )
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    for post in s.deleted() {
        let seen = server
            .get_as(
                &s.admin.token,
                &format!("/api/v4/posts/{post}?include_deleted=true"),
            )
            .await;
        seen.assert_status(200);
        assert_clean("include_deleted", &seen);
        assert_blank("include_deleted", &seen.json());
    }
}

#[tokio::test]
async fn since_lists_carry_blank_deletions() {
    let (server, s) = start().await;
    for user in s.users() {
        let since = server
            .get_as(
                &user.token,
                &format!("/api/v4/channels/{}/posts?since=1", s.town),
            )
            .await;
        since.assert_status(200);
        assert_clean("since", &since);
        let list = since.json();
        for post in s.deleted() {
            assert_blank("since", &list["posts"][post.as_str()]);
        }
        assert_eq!(list["posts"][s.reply.as_str()]["root_id"], s.live_root);
        assert_eq!(
            list["posts"][s.live_root.as_str()]["message"],
            "a live root"
        );
    }
}

#[tokio::test]
async fn channel_pages_threads_pins_flags_and_unreads_leave_them_out() {
    let (server, s) = start().await;
    let after = post(
        &server,
        &s.bob,
        json!({"channel_id": s.town, "message": "after"}),
    )
    .await;
    for path in [
        format!("/api/v4/channels/{}/posts", s.town),
        format!("/api/v4/channels/{}/posts?per_page=2&page=1", s.town),
        format!("/api/v4/channels/{}/posts?before={after}", s.town),
        format!("/api/v4/channels/{}/posts?after={}", s.town, s.live_root),
        format!("/api/v4/posts/{}/thread", s.live_root),
        format!("/api/v4/channels/{}/pinned", s.town),
        format!("/api/v4/users/{}/posts/flagged", s.carol.id),
        format!("/api/v4/users/me/channels/{}/posts/unread", s.town),
    ] {
        let response = server.get_as(&s.carol.token, &path).await;
        assert_left_out(&path, &s, &response);
    }
    let thread = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/posts/{}/thread", s.live_root),
        )
        .await
        .json();
    assert_eq!(thread["order"], json!([s.live_root]));
    for post in s.deleted() {
        let response = server
            .get_as(&s.carol.token, &format!("/api/v4/posts/{post}/thread"))
            .await;
        assert_clean("thread of a deleted post", &response);
        response.assert_error(404, "app.post.get.app_error");
    }
}

#[tokio::test]
async fn by_ids_reactions_and_edit_history_leave_them_out() {
    let (server, s) = start().await;
    let ids: Vec<&String> = s.deleted().into_iter().chain([&s.live_root]).collect();
    let by_ids = server
        .post_as(&s.admin.token, "/api/v4/posts/ids", &json!(ids))
        .await;
    by_ids.assert_status(200);
    assert_clean("posts/ids", &by_ids);
    let listed: Vec<String> = by_ids.json().as_array().unwrap().iter().map(id).collect();
    assert_eq!(listed, std::slice::from_ref(&s.live_root));

    let bulk = server
        .post_as(&s.carol.token, "/api/v4/posts/ids/reactions", &json!(ids))
        .await;
    bulk.assert_status(200);
    let bulk = bulk.json();
    for post in s.deleted() {
        assert!(bulk.get(post.as_str()).is_none(), "{bulk}");
    }
    for post in s.deleted() {
        for path in [
            format!("/api/v4/posts/{post}/reactions"),
            format!("/api/v4/posts/{post}/edit_history"),
            format!("/api/v4/posts/{post}/files/info"),
        ] {
            let response = server.get_as(&s.bob.token, &path).await;
            assert_clean(&path, &response);
            response.assert_error(404, "app.post.get.app_error");
        }
    }
}

#[tokio::test]
async fn writes_to_a_deleted_post_are_404() {
    let (server, s) = start().await;
    for post in s.deleted() {
        let owner = if post == &s.root { &s.bob } else { &s.carol };
        for (method, path, body) in [
            (
                reqwest::Method::PUT,
                format!("/api/v4/posts/{post}/patch"),
                json!({"message": "revived"}),
            ),
            (
                reqwest::Method::PUT,
                format!("/api/v4/posts/{post}"),
                json!({"id": post, "message": "revived"}),
            ),
            (
                reqwest::Method::POST,
                format!("/api/v4/posts/{post}/pin"),
                json!({}),
            ),
            (
                reqwest::Method::POST,
                format!("/api/v4/posts/{post}/unpin"),
                json!({}),
            ),
            (
                reqwest::Method::POST,
                format!("/api/v4/users/{}/posts/{post}/set_unread", owner.id),
                json!({}),
            ),
            (
                reqwest::Method::DELETE,
                format!("/api/v4/posts/{post}"),
                json!({}),
            ),
        ] {
            let response = server
                .call(method.clone(), &path, &owner.token, Some(&body))
                .await;
            assert_clean(&path, &response);
            response.assert_error(404, "app.post.get.app_error");
        }
        let reacted = server
            .post_as(
                &owner.token,
                "/api/v4/reactions",
                &json!({"user_id": owner.id, "post_id": post, "emoji_name": "tada"}),
            )
            .await;
        assert_clean("reaction", &reacted);
        reacted.assert_status(404);
    }
    // No reply to a deleted root.
    server
        .post_as(
            &s.carol.token,
            "/api/v4/posts",
            &json!({"channel_id": s.town, "root_id": s.root, "message": "late"}),
        )
        .await
        .assert_status(400);
    // Nothing was revived.
    server
        .get_as(&s.bob.token, &format!("/api/v4/posts/{}", s.root))
        .await
        .assert_error(404, "app.post.get.app_error");
}

#[tokio::test]
async fn files_of_deleted_posts_are_404_everywhere() {
    let (server, s) = start().await;
    for user in s.users() {
        for file in [&s.root_file, &s.reply_file] {
            for path in [
                format!("/api/v4/files/{file}"),
                format!("/api/v4/files/{file}?download=1"),
                format!("/api/v4/files/{file}/info"),
                format!("/api/v4/files/{file}/thumbnail"),
                format!("/api/v4/files/{file}/preview"),
                format!("/api/v4/files/{file}/link"),
            ] {
                let response = server.get_as(&user.token, &path).await;
                assert_clean(&path, &response);
                response.assert_error(404, "app.file_info.get.app_error");
            }
        }
    }
    let public = server.get(&s.root_link).await;
    assert_clean("public link", &public);
    public.assert_error(404, "app.file_info.get.app_error");
}

#[tokio::test]
async fn searches_and_threads_hold_nothing() {
    let (server, s) = start().await;
    for terms in [SECRETS.join(" "), "plan".into(), "reply".into()] {
        for body in [
            json!({"terms": terms}),
            json!({"terms": terms, "is_or_search": true}),
        ] {
            for path in [
                format!("/api/v4/teams/{}/posts/search", s.team_id),
                "/api/v4/posts/search".into(),
            ] {
                let found = server.post_as(&s.admin.token, &path, &body).await;
                found.assert_status(200);
                assert_clean(&path, &found);
                assert_eq!(found.json()["order"], json!([]), "{path} {body}");
            }
        }
    }
    let tag = server
        .post_as(
            &s.carol.token,
            "/api/v4/posts/search",
            &json!({"terms": "#etasecret"}),
        )
        .await;
    assert_clean("hashtag search", &tag);
    for terms in ["zetasecret", "etasecret", "ext:png", "ext:txt", "from:bob"] {
        for path in [
            format!("/api/v4/teams/{}/files/search", s.team_id),
            "/api/v4/files/search".into(),
        ] {
            let found = server
                .post_as(&s.carol.token, &path, &json!({"terms": terms}))
                .await;
            found.assert_status(200);
            assert_clean(&path, &found);
            assert_eq!(found.json()["order"], json!([]), "{path} {terms}");
        }
    }

    let threads = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/users/me/teams/{}/threads", s.team_id),
        )
        .await;
    threads.assert_status(200);
    assert_clean("threads", &threads);
    for thread in threads.json()["threads"].as_array().unwrap() {
        assert_ne!(thread["id"], s.root.as_str(), "{thread}");
    }
    for thread in [&s.root, &s.live_root] {
        let one = server
            .get_as(
                &s.carol.token,
                &format!("/api/v4/users/me/teams/{}/threads/{thread}", s.team_id),
            )
            .await;
        assert_clean("one thread", &one);
        if thread == &s.root && one.status.as_u16() == 200 {
            assert_blank("one deleted thread", &one.json()["post"]);
        }
    }
}

#[tokio::test]
async fn channel_stats_count_only_live_pins_and_files() {
    let (server, s) = start().await;
    let stats = server
        .get_as(
            &s.carol.token,
            &format!("/api/v4/channels/{}/stats", s.town),
        )
        .await;
    stats.assert_status(200);
    let stats = stats.json();
    assert_eq!(stats["pinnedpost_count"], 0, "{stats}");
    assert_eq!(stats["files_count"], 0, "{stats}");
}
