use serde_json::json;

use super::{join, team};
use crate::support::TestServer;

#[tokio::test]
async fn creating_a_team_makes_default_channels_and_an_admin() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let created = team(&server, &bob, "eng").await;
    assert_eq!(created["name"], "eng");
    assert_eq!(created["type"], "O");
    assert_eq!(created["allow_open_invite"], true);
    let team_id = created["id"].as_str().unwrap();
    assert_eq!(created["invite_id"].as_str().unwrap().len(), 26);

    let member = server
        .get_as(&bob.token, &format!("/api/v4/teams/{team_id}/members/me"))
        .await
        .json();
    assert_eq!(member["roles"], "team_user team_admin");
    let channels = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/teams/{team_id}/channels"),
        )
        .await
        .json();
    let mut names: Vec<&str> = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["off-topic", "town-square"]);
    let teams = server
        .get_as(&bob.token, "/api/v4/users/me/teams")
        .await
        .json();
    assert_eq!(teams.as_array().unwrap().len(), 1);

    let by_name = server.get_as(&bob.token, "/api/v4/teams/name/ENG").await;
    by_name.assert_status(200);
    let exists = server
        .get_as(&bob.token, "/api/v4/teams/name/eng/exists")
        .await
        .json();
    assert_eq!(exists, json!({"exists": true}));
}

#[tokio::test]
async fn team_validation_and_duplicates() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    team(&server, &admin, "eng").await;
    let cases = [
        (
            json!({"name": "eng", "display_name": "Eng", "type": "O"}),
            "app.team.save.existing.app_error",
        ),
        (
            json!({"name": "x", "display_name": "X", "type": "O"}),
            "model.team.is_valid.url.app_error",
        ),
        (
            json!({"name": "api-team", "display_name": "X", "type": "O"}),
            "model.team.is_valid.reserved.app_error",
        ),
        (
            json!({"name": "good", "display_name": "", "type": "O"}),
            "model.team.is_valid.name.app_error",
        ),
        (
            json!({"name": "good", "display_name": "G", "type": "Q"}),
            "model.team.is_valid.type.app_error",
        ),
    ];
    for (body, id) in cases {
        server
            .post_as(&admin.token, "/api/v4/teams", &body)
            .await
            .assert_error(400, id);
    }
}

#[tokio::test]
async fn joining_leaving_and_invite_links() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let open = team(&server, &admin, "open").await;
    let open_id = open["id"].as_str().unwrap();
    // Anyone may join an open team themselves, and lands in town-square.
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/teams/{open_id}/members"),
            &json!({"team_id": open_id, "user_id": bob.id}),
        )
        .await
        .assert_status(201);
    let channels = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/teams/{open_id}/channels"),
        )
        .await
        .json();
    let mut joined: Vec<&str> = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    joined.sort();
    assert_eq!(
        joined,
        ["off-topic", "town-square"],
        "new members join the default channels"
    );

    // Invite-only: not listed, not joinable, but the invite link works.
    let closed = server
        .post_as(
            &admin.token,
            "/api/v4/teams",
            &json!({"name": "closed", "display_name": "Closed", "type": "I"}),
        )
        .await
        .json();
    let closed_id = closed["id"].as_str().unwrap();
    let listed = server.get_as(&bob.token, "/api/v4/teams").await.json();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "bob sees only the open team"
    );
    assert!(
        listed[0]["invite_id"] == "",
        "invite ids are for team admins"
    );
    server
        .get_as(&bob.token, &format!("/api/v4/teams/{closed_id}"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/teams/{closed_id}/members"),
            &json!({"team_id": closed_id, "user_id": bob.id}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let invite = closed["invite_id"].as_str().unwrap();
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/teams/members/invite?invite_id={invite}"),
            &json!({}),
        )
        .await
        .assert_status(201);
    server
        .get_as(&bob.token, &format!("/api/v4/teams/{closed_id}"))
        .await
        .assert_status(200);
    let regenerated = server
        .post_as(
            &admin.token,
            &format!("/api/v4/teams/{closed_id}/regenerate_invite_id"),
            &json!({}),
        )
        .await
        .json();
    assert_ne!(regenerated["invite_id"], invite);
    server
        .post_as(
            &carol.token,
            &format!("/api/v4/teams/members/invite?invite_id={invite}"),
            &json!({}),
        )
        .await
        .assert_error(400, "app.team.invite_id.missing.app_error");

    // Members add others; only admins remove others; anyone leaves.
    join(&server, &bob, open_id, &carol).await;
    server
        .delete_as(
            &bob.token,
            &format!("/api/v4/teams/{open_id}/members/{}", carol.id),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(&carol.token, &format!("/api/v4/teams/{open_id}/members/me"))
        .await
        .assert_status(200);
    let carol_teams = server
        .get_as(&carol.token, "/api/v4/users/me/teams")
        .await
        .json();
    assert_eq!(carol_teams.as_array().unwrap().len(), 0);
    let carol_channels = server
        .get_as(
            &carol.token,
            &format!("/api/v4/users/me/teams/{open_id}/channels"),
        )
        .await
        .json();
    assert_eq!(
        carol_channels,
        json!([]),
        "removed from the team's channels too"
    );
    let members = server
        .get_as(&admin.token, &format!("/api/v4/teams/{open_id}/members"))
        .await
        .json();
    assert_eq!(members.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn patch_archive_roles_and_permissions() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let created = team(&server, &admin, "eng").await;
    let team_id = created["id"].as_str().unwrap();
    join(&server, &admin, team_id, &bob).await;
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/patch"),
            &json!({"display_name": "Hacked"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/members/{}/roles", bob.id),
            &json!({"roles": "team_user team_admin"}),
        )
        .await
        .assert_status(200);
    let patched = server
        .put_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/patch"),
            &json!({"display_name": "Engineering", "description": "builders"}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.json()["display_name"], "Engineering");
    server
        .delete_as(&bob.token, &format!("/api/v4/teams/{team_id}"))
        .await
        .assert_status(200);
    let teams = server
        .get_as(&bob.token, "/api/v4/users/me/teams")
        .await
        .json();
    assert_eq!(teams, json!([]), "archived teams are not listed");
    let restored = server
        .post_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/restore"),
            &json!({}),
        )
        .await;
    restored.assert_status(200);
    assert_eq!(restored.json()["delete_at"], 0);
    server
        .get_as(&bob.token, "/api/v4/teams/zzzzzzzzzzzzzzzzzzzzzzzzzz")
        .await
        .assert_error(404, "app.team.get.find.app_error");
    server
        .get_as(&bob.token, "/api/v4/teams/bad")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    let found = server
        .post_as(&bob.token, "/api/v4/teams/search", &json!({"term": "en"}))
        .await
        .json();
    assert_eq!(found.as_array().unwrap().len(), 1);
}

/// The `type` of each post in `town-square`, newest first, with its props.
async fn town_square_posts(
    server: &TestServer,
    token: &str,
    team_id: &str,
) -> Vec<(String, serde_json::Value)> {
    let town = server
        .get_as(
            token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json();
    let page = server
        .get_as(
            token,
            &format!("/api/v4/channels/{}/posts", town["id"].as_str().unwrap()),
        )
        .await
        .json();
    page["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let post = &page["posts"][id.as_str().unwrap()];
            (
                post["type"].as_str().unwrap().to_string(),
                post["props"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn membership_changes_post_mattermost_system_messages() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Admin creates (joins), adds Bob; Eve joins the open team herself.
    join(&server, &admin, &team_id, &bob).await;
    server
        .post_as(
            &eve.token,
            &format!("/api/v4/teams/{team_id}/members"),
            &json!({"team_id": team_id, "user_id": eve.id}),
        )
        .await
        .assert_status(201);
    // Adding someone who is already a member posts nothing.
    join(&server, &admin, &team_id, &bob).await;
    // Eve leaves; the admin removes Bob.
    for (token, user_id) in [(&eve.token, &eve.id), (&admin.token, &bob.id)] {
        server
            .delete_as(token, &format!("/api/v4/teams/{team_id}/members/{user_id}"))
            .await
            .assert_status(200);
    }
    let posts = town_square_posts(&server, &admin.token, &team_id).await;
    let kinds: Vec<&str> = posts.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "system_remove_from_team",
            "system_leave_team",
            "system_join_team",
            "system_add_to_team",
            "system_join_team",
        ]
    );
    assert_eq!(posts[0].1["removedUserId"], bob.id.as_str());
    assert_eq!(posts[1].1["username"], "eve");
    assert_eq!(posts[2].1["username"], "eve");
    assert_eq!(posts[3].1["addedUsername"], "bob");
    assert_eq!(posts[3].1["userId"], admin.id.as_str());
    assert_eq!(posts[4].1["username"], "admin");
}
