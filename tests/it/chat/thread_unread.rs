//! `POST .../threads/{thread_id}/set_unread/{post_id}` and `GET .../threads/mention_counts`.

use serde_json::{json, Value};

use super::{channel, post};
use crate::realtime::{id, world, Ws};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

async fn reply(
    server: &TestServer,
    user: &TestUser,
    channel_id: &str,
    root: &str,
    message: &str,
) -> Value {
    let created = server
        .post_as(
            &user.token,
            "/api/v4/posts",
            &json!({"channel_id": channel_id, "message": message, "root_id": root}),
        )
        .await;
    created.assert_status(201);
    created.json()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn a_thread_is_marked_unread_from_a_post_and_counts_its_mentions() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let team = &w.team_id;
    let root = post(&server, &w.bob, &w.town, "release plan").await;
    let root_id = id(&root);
    reply(&server, &w.admin, &w.town, &root_id, "one").await;
    let second = reply(&server, &w.admin, &w.town, &root_id, "@bob two").await;
    reply(&server, &w.admin, &w.town, &root_id, "three").await;
    let threads = |who: &str| format!("/api/v4/users/{who}/teams/{team}/threads");
    server
        .put_as(
            &w.bob.token,
            &format!("{}/{root_id}/read/{}", threads("me"), now_ms()),
            &json!({}),
        )
        .await
        .assert_status(200);
    let counts = server
        .get_as(&w.bob.token, &format!("{}/mention_counts", threads("me")))
        .await;
    counts.assert_status(200);
    assert_eq!(counts.json(), json!({ w.town.clone(): 0 }));

    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let unread = server
        .post_as(
            &w.bob.token,
            &format!("{}/{root_id}/set_unread/{}", threads("me"), id(&second)),
            &json!({}),
        )
        .await;
    unread.assert_status(200);
    let thread = unread.json();
    let second_at = second["create_at"].as_i64().unwrap();
    assert_eq!(thread["id"], root_id);
    assert_eq!(thread["unread_replies"], 2);
    assert_eq!(thread["unread_mentions"], 1);
    assert_eq!(thread["last_viewed_at"], second_at - 1);
    assert_eq!(thread["reply_count"], 3);
    assert_eq!(thread["post"]["id"], root_id);

    let frame = bob.event("thread_read_changed").await;
    assert_eq!(frame["broadcast"]["user_id"], w.bob.id);
    assert_eq!(frame["broadcast"]["team_id"], w.team_id);
    assert_eq!(
        frame["data"],
        json!({
            "thread_id": root_id,
            "channel_id": w.town,
            "timestamp": second_at - 1,
            "unread_mentions": 1,
            "unread_replies": 2,
            "previous_unread_mentions": 0,
            "previous_unread_replies": 0,
        })
    );
    carol.no_event("thread_read_changed").await;
    assert_eq!(
        server
            .get_as(&w.bob.token, &format!("{}/mention_counts", threads("me")))
            .await
            .json(),
        json!({ w.town.clone(): 1 })
    );
    let listed = server.get_as(&w.bob.token, &threads("me")).await.json();
    assert_eq!(listed["total_unread_threads"], 1);
    assert_eq!(listed["total_unread_mentions"], 1);

    // From the root on: every reply is unread; the previous state is reported.
    let from_root = server
        .post_as(
            &w.bob.token,
            &format!("{}/{root_id}/set_unread/{root_id}", threads(&w.bob.id)),
            &json!({}),
        )
        .await;
    from_root.assert_status(200);
    assert_eq!(from_root.json()["unread_replies"], 3);
    let data = bob.event("thread_read_changed").await["data"].clone();
    assert_eq!(data["unread_replies"], 3);
    assert_eq!(data["previous_unread_replies"], 2);
    assert_eq!(data["previous_unread_mentions"], 1);

    // A member who never followed the thread follows it now.
    let carol_unread = server
        .post_as(
            &w.carol.token,
            &format!("{}/{root_id}/set_unread/{root_id}", threads("me")),
            &json!({}),
        )
        .await;
    carol_unread.assert_status(200);
    assert_eq!(carol_unread.json()["unread_mentions"], 0);
    assert_eq!(
        carol.event("thread_read_changed").await["data"]["unread_replies"],
        3
    );
    assert_eq!(
        server.get_as(&w.carol.token, &threads("me")).await.json()["total"],
        1
    );
    // Reading it again clears the counts.
    server
        .put_as(&w.bob.token, &format!("{}/read", threads("me")), &json!({}))
        .await
        .assert_status(200);
    assert_eq!(
        server
            .get_as(&w.bob.token, &format!("{}/mention_counts", threads("me")))
            .await
            .json(),
        json!({ w.town.clone(): 0 })
    );
}

#[tokio::test]
async fn set_unread_and_mention_counts_refuse_what_mattermost_refuses() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let team = &w.team_id;
    let threads = |who: &str| format!("/api/v4/users/{who}/teams/{team}/threads");
    let root_id = id(&post(&server, &w.bob, &w.town, "root").await);
    let answer = id(&reply(&server, &w.carol, &w.town, &root_id, "answer").await);
    let lonely = id(&post(&server, &w.bob, &w.town, "no replies").await);
    let private = id(&channel(&server, &w.carol, &w.team_id, "secret", "P").await);
    let hidden = id(&post(&server, &w.carol, &private, "hidden").await);
    reply(&server, &w.carol, &private, &hidden, "deeper").await;
    let set_unread = |who: &str, thread: &str, post: &str| {
        format!("{}/{thread}/set_unread/{post}", threads(who))
    };

    // Another user's threads need edit_other_users.
    server
        .post_as(
            &w.carol.token,
            &set_unread(&w.bob.id, &root_id, &answer),
            &json!({}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &w.carol.token,
            &format!("{}/mention_counts", threads(&w.bob.id)),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &w.admin.token,
            &format!("{}/mention_counts", threads(&w.bob.id)),
        )
        .await
        .assert_status(200);
    // A thread the caller cannot read.
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &hidden, &hidden),
            &json!({}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // A post of another thread, a reply as thread, unknown posts, a thread without replies.
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &root_id, &lonely),
            &json!({}),
        )
        .await
        .assert_error(
            400,
            "app.user.update_thread_read_for_user_by_post.app_error",
        );
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &answer, &answer),
            &json!({}),
        )
        .await
        .assert_error(404, "app.thread.get.app_error");
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &root_id, &"a".repeat(26)),
            &json!({}),
        )
        .await
        .assert_error(404, "app.post.get.app_error");
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &"a".repeat(26), &root_id),
            &json!({}),
        )
        .await
        .assert_error(404, "app.post.get.app_error");
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &lonely, &lonely),
            &json!({}),
        )
        .await
        .assert_error(404, "app.thread.get.app_error");
    server
        .post_as(
            &w.bob.token,
            &set_unread("me", &root_id, "nope"),
            &json!({}),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(
            &w.bob.token,
            "/api/v4/users/me/teams/nope/threads/mention_counts",
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // Nothing changed for bob: one unread thread (carol's answer), as before.
    assert_eq!(
        server.get_as(&w.bob.token, &threads("me")).await.json()["total_unread_threads"],
        1
    );
    // Threads of channels the user left are not counted.
    let counts = server
        .get_as(&w.carol.token, &format!("{}/mention_counts", threads("me")))
        .await
        .json();
    assert!(counts.get(&private).is_some(), "{counts}");
    server
        .delete_as(
            &w.carol.token,
            &format!("/api/v4/channels/{private}/members/{}", w.carol.id),
        )
        .await
        .assert_status(200);
    let counts = server
        .get_as(&w.carol.token, &format!("{}/mention_counts", threads("me")))
        .await
        .json();
    assert!(counts.get(&private).is_none(), "{counts}");
}

#[tokio::test]
async fn marking_a_thread_read_tells_the_users_other_clients() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let team = &w.team_id;
    let root = post(&server, &w.bob, &w.town, "agenda").await;
    let root_id = id(&root);
    reply(&server, &w.admin, &w.town, &root_id, "@bob first").await;
    reply(&server, &w.admin, &w.town, &root_id, "second").await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let read_at = now_ms();
    let read = server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/users/me/teams/{team}/threads/{root_id}/read/{read_at}"),
            &json!({}),
        )
        .await;
    read.assert_status(200);
    assert_eq!(read.json()["unread_replies"], 0);
    let frame = bob.event("thread_read_changed").await;
    assert_eq!(frame["broadcast"]["user_id"], w.bob.id);
    assert_eq!(frame["broadcast"]["team_id"], w.team_id);
    let data = &frame["data"];
    assert_eq!(data["thread_id"], root_id);
    assert_eq!(data["channel_id"], w.town);
    assert_eq!(data["unread_replies"], 0);
    assert_eq!(data["unread_mentions"], 0);
    assert_eq!(data["previous_unread_replies"], 2);
    assert_eq!(data["previous_unread_mentions"], 1);
    assert!(data["timestamp"].as_i64().unwrap() <= read_at);
    carol.no_event("thread_read_changed").await;
}
