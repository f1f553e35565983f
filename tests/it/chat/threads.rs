use serde_json::json;

use super::{join, post, team};
use crate::support::TestServer;

#[tokio::test]
async fn replies_make_followed_threads_with_read_state() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(&server, &admin, &team_id, &bob).await;
    join(&server, &admin, &team_id, &carol).await;
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json();
    let channel_id = town["id"].as_str().unwrap();

    let root = post(&server, &bob, channel_id, "design review?").await;
    let root_id = root["id"].as_str().unwrap();
    let reply = |author: &crate::support::accounts::TestUser, message: &str| {
        let body = json!({"channel_id": channel_id, "message": message, "root_id": root_id});
        let token = author.token.clone();
        let server = &server;
        async move {
            server
                .post_as(&token, "/api/v4/posts", &body)
                .await
                .assert_status(201);
        }
    };
    reply(&admin, "yes").await;
    reply(&admin, "@carol please join").await;

    let path = |who: &str| format!("/api/v4/users/me/teams/{team_id}/threads{who}");
    // The root's author follows with two unread replies.
    let bobs = server.get_as(&bob.token, &path("")).await.json();
    assert_eq!(bobs["total"], 1);
    assert_eq!(bobs["total_unread_threads"], 1);
    let thread = &bobs["threads"][0];
    assert_eq!(thread["id"], root_id);
    assert_eq!(thread["reply_count"], 2);
    assert_eq!(thread["unread_replies"], 2);
    assert_eq!(thread["post"]["id"], root_id);
    let participants: Vec<&str> = thread["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(participants, ["admin"]);
    // The mentioned user follows too, with an unread mention.
    let carols = server.get_as(&carol.token, &path("")).await.json();
    assert_eq!(carols["total_unread_mentions"], 1);
    // The replier has read their own replies.
    let admins = server.get_as(&admin.token, &path("")).await.json();
    assert_eq!(admins["threads"][0]["unread_replies"], 0);

    let now = chrono_now();
    let read = server
        .put_as(
            &bob.token,
            &path(&format!("/{root_id}/read/{now}")),
            &json!({}),
        )
        .await;
    read.assert_status(200);
    assert_eq!(read.json()["unread_replies"], 0);
    assert_eq!(
        server
            .get_as(&bob.token, &path("?unread=true"))
            .await
            .json()["threads"],
        json!([])
    );

    server
        .delete_as(&bob.token, &path(&format!("/{root_id}/following")))
        .await
        .assert_status(200);
    assert_eq!(
        server.get_as(&bob.token, &path("")).await.json()["total"],
        0
    );
    server
        .put_as(
            &bob.token,
            &path(&format!("/{root_id}/following")),
            &json!({}),
        )
        .await
        .assert_status(200);
    assert_eq!(
        server.get_as(&bob.token, &path("")).await.json()["total"],
        1
    );
    server
        .put_as(&carol.token, &path("/read"), &json!({}))
        .await
        .assert_status(200);
    assert_eq!(
        server.get_as(&carol.token, &path("")).await.json()["total_unread_mentions"],
        0
    );

    // Someone else's threads are not yours to read.
    server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/{}/teams/{team_id}/threads", carol.id),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Leaving the channel drops its threads from the list.
    let off = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/off-topic"),
        )
        .await
        .json();
    let off_id = off["id"].as_str().unwrap();
    server
        .post_as(
            &carol.token,
            &format!("/api/v4/channels/{off_id}/members"),
            &json!({"user_id": carol.id}),
        )
        .await
        .assert_status(201);
    let side = post(&server, &carol, off_id, "side thread").await;
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/channels/{off_id}/members"),
            &json!({"user_id": admin.id}),
        )
        .await
        .assert_status(201);
    server
        .post_as(
            &admin.token,
            "/api/v4/posts",
            &json!({"channel_id": off_id, "message": "r", "root_id": side["id"]}),
        )
        .await
        .assert_status(201);
    assert_eq!(
        server.get_as(&carol.token, &path("")).await.json()["total"],
        2
    );
    server
        .delete_as(
            &carol.token,
            &format!("/api/v4/channels/{off_id}/members/me"),
        )
        .await
        .assert_status(200);
    assert_eq!(
        server.get_as(&carol.token, &path("")).await.json()["total"],
        1
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn posts_around_the_last_read_position() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let dm = server
        .post_as(
            &admin.token,
            "/api/v4/channels/direct",
            &json!([admin.id, bob.id]),
        )
        .await
        .json();
    let dm_id = dm["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            post(&server, &admin, dm_id, &format!("old {i}")).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    server
        .post_as(
            &bob.token,
            "/api/v4/channels/members/me/view",
            &json!({"channel_id": dm_id}),
        )
        .await
        .assert_status(200);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    for i in 0..3 {
        ids.push(
            post(&server, &admin, dm_id, &format!("new {i}")).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let around = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/channels/{dm_id}/posts/unread?limit_before=2&limit_after=2"),
        )
        .await
        .json();
    assert_eq!(around["order"], json!([ids[4], ids[3], ids[2], ids[1]]));
    assert_eq!(around["has_next"], true);
    assert_eq!(around["next_post_id"], ids[4]);
    assert_eq!(around["prev_post_id"], ids[1]);
    server
        .get_as(
            &admin.token,
            &format!("/api/v4/users/{}/channels/{dm_id}/posts/unread", bob.id),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
}
