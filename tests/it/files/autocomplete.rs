//! `@` and `~` autocomplete: users by team and channel, channels by team.

use serde_json::Value;

use super::id;
use crate::chat::{channel, join, team};
use crate::support::TestServer;

fn usernames(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn users_by_team_and_channel() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let bobby = server.user(&admin, "bobby").await;
    let eve = server.user(&admin, "eve").await;
    let outsider = server.user(&admin, "bobcat").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    for user in [&bob, &bobby, &eve] {
        join(&server, &admin, &team_id, user).await;
    }
    let private = id(&channel(&server, &bob, &team_id, "plans", "P").await);
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/channels/{private}/members"),
            &serde_json::json!({"user_id": eve.id}),
        )
        .await
        .assert_status(201);

    let in_team = server
        .get_as(
            &eve.token,
            &format!("/api/v4/users/autocomplete?in_team={team_id}&name=bo"),
        )
        .await;
    in_team.assert_status(200);
    let body = in_team.json();
    assert_eq!(usernames(&body["users"]), ["bob", "bobby"]);
    assert!(body.get("out_of_channel").is_none());
    assert!(body["users"][0].get("password").is_none());

    let in_channel = server
        .get_as(
            &eve.token,
            &format!("/api/v4/users/autocomplete?in_team={team_id}&in_channel={private}&name=@BO"),
        )
        .await
        .json();
    assert_eq!(usernames(&in_channel["users"]), ["bob"]);
    assert_eq!(usernames(&in_channel["out_of_channel"]), ["bobby"]);

    let everyone = server
        .get_as(&eve.token, "/api/v4/users/autocomplete?name=bob&limit=2")
        .await
        .json();
    assert_eq!(usernames(&everyone["users"]), ["bob", "bobby"]);
    // bobcat is not in the team or the channel.
    server
        .get_as(
            &outsider.token,
            &format!("/api/v4/users/autocomplete?in_team={team_id}&name=b"),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &outsider.token,
            &format!("/api/v4/users/autocomplete?in_channel={private}"),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&eve.token, "/api/v4/users/autocomplete?in_team=bad")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn channels_by_team() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    join(&server, &admin, &team_id, &bob).await;
    join(&server, &admin, &team_id, &eve).await;
    channel(&server, &bob, &team_id, "design", "O").await;
    channel(&server, &bob, &team_id, "deploys", "P").await;
    let names = |list: Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let path = format!("/api/v4/teams/{team_id}/channels/autocomplete?name=de");
    assert_eq!(
        names(server.get_as(&bob.token, &path).await.json()),
        ["deploys", "design"]
    );
    // eve does not see bob's private channel.
    assert_eq!(
        names(server.get_as(&eve.token, &path).await.json()),
        ["design"]
    );
    let outsider = server.user(&admin, "out").await;
    server
        .get_as(&outsider.token, &path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &bob.token,
            "/api/v4/teams/abcdefghijklmnopqrstuvwxyz/channels/autocomplete?name=x",
        )
        .await
        .assert_error(404, "app.team.get.find.app_error");
}
