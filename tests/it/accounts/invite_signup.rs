//! Signing up through a team's invite link (`POST /users?iid=`) on a closed server.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::accounts::{TestUser, PASSWORD};
use crate::support::{TestResponse, TestServer};

async fn sign_up(server: &TestServer, query: &str, username: &str, email: &str) -> TestResponse {
    let body = json!({"username": username, "email": email, "password": PASSWORD});
    server
        .send(
            server
                .request(Method::POST, &format!("/api/v4/users{query}"))
                .json(&body),
        )
        .await
}

/// A team created by the admin, with its invite id.
async fn team(server: &TestServer, admin: &TestUser, name: &str, kind: &str) -> (String, String) {
    let created = server
        .post_as(
            &admin.token,
            "/api/v4/teams",
            &json!({"name": name, "display_name": name, "type": kind}),
        )
        .await;
    created.assert_status(201);
    let team = created.json();
    (
        team["id"].as_str().unwrap().to_string(),
        team["invite_id"].as_str().unwrap().to_string(),
    )
}

async fn channel_names(server: &TestServer, user: &TestUser, team_id: &str) -> Vec<String> {
    let channels = server
        .get_as(
            &user.token,
            &format!("/api/v4/users/me/teams/{team_id}/channels"),
        )
        .await;
    channels.assert_status(200);
    let mut names: Vec<String> = channels
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

async fn user_count(server: &TestServer, admin: &TestUser) -> usize {
    let users: Value = server
        .get_as(&admin.token, "/api/v4/users?per_page=200")
        .await
        .json();
    users.as_array().unwrap().len()
}

#[tokio::test]
async fn an_invite_link_signs_up_on_a_closed_server_and_joins_the_team() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let (team_id, invite) = team(&server, &admin, "eng", "O").await;
    // Closed server: a plain sign-up is refused.
    sign_up(&server, "", "bob", "bob@example.com")
        .await
        .assert_error(403, "api.user.create_user.no_open_server");

    let created = sign_up(&server, &format!("?iid={invite}"), "bob", "bob@example.com").await;
    created.assert_status(201);
    assert_eq!(created.json()["roles"], "system_user");
    let bob = server.login_user("bob").await;
    let teams = server
        .get_as(&bob.token, "/api/v4/users/me/teams")
        .await
        .json();
    assert_eq!(teams.as_array().unwrap().len(), 1, "{teams}");
    assert_eq!(teams[0]["id"], team_id.as_str());
    assert_eq!(
        channel_names(&server, &bob, &team_id).await,
        vec!["off-topic", "town-square"]
    );
    let member = server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/members/{}", bob.id),
        )
        .await;
    member.assert_status(200);
    assert_eq!(member.json()["roles"], "team_user");
}

#[tokio::test]
async fn a_private_team_link_works_as_in_mattermost() {
    // `allow_open_invite` is about joining without the link; the link itself admits.
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let (team_id, invite) = team(&server, &admin, "secret", "I").await;
    let info = server
        .get_as(&admin.token, &format!("/api/v4/teams/{team_id}"))
        .await
        .json();
    assert_eq!(info["allow_open_invite"], false);
    sign_up(
        &server,
        &format!("?iid={invite}"),
        "carol",
        "carol@example.com",
    )
    .await
    .assert_status(201);
    let carol = server.login_user("carol").await;
    assert_eq!(
        channel_names(&server, &carol, &team_id).await,
        vec!["off-topic", "town-square"]
    );
}

#[tokio::test]
async fn wrong_regenerated_or_archived_links_are_refused_and_create_nothing() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let (team_id, invite) = team(&server, &admin, "eng", "O").await;
    let before = user_count(&server, &admin).await;
    const NOT_FOUND: &str = "app.team.get_by_invite_id.finding.app_error";
    for iid in ["zzzzzzzzzzzzzzzzzzzzzzzzzz", "short", &team_id] {
        sign_up(&server, &format!("?iid={iid}"), "eve", "eve@example.com")
            .await
            .assert_error(404, NOT_FOUND);
    }
    let regenerated = server
        .post_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/regenerate_invite_id"),
            &json!({}),
        )
        .await;
    regenerated.assert_status(200);
    let fresh = regenerated.json()["invite_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(fresh, invite);
    sign_up(&server, &format!("?iid={invite}"), "eve", "eve@example.com")
        .await
        .assert_error(404, NOT_FOUND);
    // An email invitation token: Townsquare sends none, so none is valid.
    sign_up(
        &server,
        &format!("?t=abc&iid={fresh}"),
        "eve",
        "eve@example.com",
    )
    .await
    .assert_error(400, "api.user.create_user.signup_link_invalid.app_error");
    assert_eq!(user_count(&server, &admin).await, before);

    server
        .delete_as(&admin.token, &format!("/api/v4/teams/{team_id}"))
        .await
        .assert_status(200);
    sign_up(&server, &format!("?iid={fresh}"), "eve", "eve@example.com")
        .await
        .assert_error(404, NOT_FOUND);
    assert_eq!(user_count(&server, &admin).await, before);
}

#[tokio::test]
async fn allowed_domains_and_sign_up_settings_apply() {
    let server = TestServer::builder()
        .config(|c| c.team.enable_user_creation = true)
        .start()
        .await;
    let admin = server.admin().await;
    let (team_id, invite) = team(&server, &admin, "eng", "O").await;
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/patch"),
            &json!({"allowed_domains": "corp.example, @Other.example"}),
        )
        .await
        .assert_status(200);
    let before = user_count(&server, &admin).await;
    sign_up(&server, &format!("?iid={invite}"), "eve", "eve@example.com")
        .await
        .assert_error(403, "api.team.invite_members.invalid_email.app_error");
    assert_eq!(user_count(&server, &admin).await, before);
    sign_up(
        &server,
        &format!("?iid={invite}"),
        "dan",
        "dan@other.example",
    )
    .await
    .assert_status(201);
    // Field rules still apply, and a refused account joins nothing.
    sign_up(
        &server,
        &format!("?iid={invite}"),
        "dan",
        "dan2@corp.example",
    )
    .await
    .assert_error(400, "app.user.save.username_exists.app_error");
    assert_eq!(user_count(&server, &admin).await, before + 1);

    let server = TestServer::builder()
        .config(|c| c.team.enable_user_creation = false)
        .start()
        .await;
    let admin = server.admin().await;
    let (_, invite) = team(&server, &admin, "eng", "O").await;
    sign_up(&server, &format!("?iid={invite}"), "eve", "eve@example.com")
        .await
        .assert_error(403, "api.user.create_user.disabled.app_error");
}
