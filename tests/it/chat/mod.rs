//! Chat core (issue 5): teams, channels, posts.

mod categories;
mod channels;
mod channels_more;
mod deleted_leaks;
mod deleted_posts;
mod fixed_segments;
mod post_info;
mod posts;
mod preferences;
mod reactions;
mod reminders;
mod statuses;
mod teams;
mod thread_unread;
mod threads;
mod users_more;

use serde_json::{json, Value};

use crate::support::accounts::TestUser;
use crate::support::TestServer;

/// Creates an open team as `owner` and returns it.
pub async fn team(server: &TestServer, owner: &TestUser, name: &str) -> Value {
    let created = server
        .post_as(
            &owner.token,
            "/api/v4/teams",
            &json!({"name": name, "display_name": name.to_uppercase(), "type": "O"}),
        )
        .await;
    created.assert_status(201);
    created.json()
}

pub async fn join(server: &TestServer, admin: &TestUser, team_id: &str, user: &TestUser) {
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/members"),
            &json!({"team_id": team_id, "user_id": user.id}),
        )
        .await
        .assert_status(201);
}

pub async fn channel(
    server: &TestServer,
    owner: &TestUser,
    team_id: &str,
    name: &str,
    kind: &str,
) -> Value {
    let created = server
        .post_as(
            &owner.token,
            "/api/v4/channels",
            &json!({"team_id": team_id, "name": name, "display_name": name, "type": kind}),
        )
        .await;
    created.assert_status(201);
    created.json()
}

pub async fn post(
    server: &TestServer,
    author: &TestUser,
    channel_id: &str,
    message: &str,
) -> Value {
    let created = server
        .post_as(
            &author.token,
            "/api/v4/posts",
            &json!({"channel_id": channel_id, "message": message}),
        )
        .await;
    created.assert_status(201);
    created.json()
}
