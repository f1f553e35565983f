//! Reactions: saving (idempotent), removing, listing, bulk listing, `has_reactions`, and
//! `metadata.reactions`.

use serde_json::{json, Value};

use super::{channel, join, post, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

struct Setup {
    admin: TestUser,
    bob: TestUser,
    eve: TestUser,
    team_id: String,
    town: String,
}

async fn setup(server: &TestServer) -> Setup {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = team(server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &eve).await;
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    Setup {
        admin,
        bob,
        eve,
        team_id,
        town,
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

async fn react(server: &TestServer, user: &TestUser, post_id: &str, emoji: &str) -> Value {
    let saved = server
        .post_as(
            &user.token,
            "/api/v4/reactions",
            &json!({"user_id": user.id, "post_id": post_id, "emoji_name": emoji}),
        )
        .await;
    saved.assert_status(200);
    saved.json()
}

async fn get_post(server: &TestServer, user: &TestUser, post_id: &str) -> Value {
    let got = server
        .get_as(&user.token, &format!("/api/v4/posts/{post_id}"))
        .await;
    got.assert_status(200);
    got.json()
}

fn unreact_path(user_id: &str, post_id: &str, emoji: &str) -> String {
    format!("/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji}")
}

#[tokio::test]
async fn reactions_round_trip_and_keep_has_reactions_right() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let post_id = id(&post(&server, &s.bob, &s.town, "ship it").await);
    let before = get_post(&server, &s.bob, &post_id).await;
    assert!(before.get("has_reactions").is_none(), "{before}");

    let saved = react(&server, &s.eve, &post_id, "+1").await;
    for key in [
        "user_id",
        "post_id",
        "emoji_name",
        "create_at",
        "update_at",
        "delete_at",
        "remote_id",
        "channel_id",
    ] {
        assert!(saved.get(key).is_some(), "{key} missing: {saved}");
    }
    assert_eq!(saved["user_id"], s.eve.id.as_str());
    assert_eq!(saved["post_id"], post_id.as_str());
    assert_eq!(saved["emoji_name"], "+1");
    assert_eq!(saved["channel_id"], s.town.as_str());
    assert_eq!(saved["delete_at"], 0);
    let after = get_post(&server, &s.bob, &post_id).await;
    assert_eq!(after["has_reactions"], true);
    assert!(after["update_at"].as_i64() >= before["update_at"].as_i64());

    // Saving again is idempotent: same reaction, the post untouched.
    let again = react(&server, &s.eve, &post_id, "+1").await;
    assert_eq!(again, saved);
    assert_eq!(
        get_post(&server, &s.bob, &post_id).await["update_at"],
        after["update_at"]
    );

    react(&server, &s.bob, &post_id, "white_check_mark").await;
    let listed = server
        .get_as(&s.bob.token, &format!("/api/v4/posts/{post_id}/reactions"))
        .await;
    listed.assert_status(200);
    let listed = listed.json();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    assert_eq!(listed[0]["emoji_name"], "+1", "oldest first");

    // Bulk: every readable post is present, with [] when it has no reactions.
    let quiet = id(&post(&server, &s.bob, &s.town, "quiet").await);
    let bulk = server
        .post_as(
            &s.eve.token,
            "/api/v4/posts/ids/reactions",
            &json!([post_id, quiet, post_id]),
        )
        .await;
    bulk.assert_status(200);
    let bulk = bulk.json();
    assert_eq!(bulk[&post_id].as_array().unwrap().len(), 2, "{bulk}");
    assert_eq!(bulk[&quiet], json!([]));
    assert_eq!(bulk.as_object().unwrap().len(), 2);

    // Removing one keeps the flag while another remains; removing the last clears it.
    server
        .delete_as(&s.eve.token, &unreact_path("me", &post_id, "+1"))
        .await
        .assert_status(200);
    assert_eq!(
        server
            .delete_as(&s.eve.token, &unreact_path(&s.eve.id, &post_id, "+1"))
            .await
            .json(),
        json!({"status": "OK"}),
        "removing an absent reaction succeeds"
    );
    assert_eq!(
        get_post(&server, &s.bob, &post_id).await["has_reactions"],
        true
    );
    let cleared_before = get_post(&server, &s.bob, &post_id).await["update_at"]
        .as_i64()
        .unwrap();
    server
        .delete_as(
            &s.bob.token,
            &unreact_path(&s.bob.id, &post_id, "white_check_mark"),
        )
        .await
        .assert_status(200);
    let cleared = get_post(&server, &s.bob, &post_id).await;
    assert!(cleared.get("has_reactions").is_none(), "{cleared}");
    assert!(cleared["update_at"].as_i64().unwrap() >= cleared_before);
    let none = server
        .get_as(&s.bob.token, &format!("/api/v4/posts/{post_id}/reactions"))
        .await;
    none.assert_status(200);
    assert_eq!(none.json(), json!([]));

    // A removed reaction can be added again.
    let revived = react(&server, &s.eve, &post_id, "+1").await;
    assert_eq!(revived["delete_at"], 0);
    assert_eq!(
        get_post(&server, &s.bob, &post_id).await["has_reactions"],
        true
    );
}

#[tokio::test]
async fn reaction_permissions() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let private = id(&channel(&server, &s.bob, &s.team_id, "secret", "P").await);
    let secret = id(&post(&server, &s.bob, &private, "classified").await);
    react(&server, &s.bob, &secret, "smile").await;

    // Non-members of a private channel can neither react nor see reactions.
    server
        .post_as(
            &s.eve.token,
            "/api/v4/reactions",
            &json!({"user_id": s.eve.id, "post_id": secret, "emoji_name": "smile"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&s.eve.token, &format!("/api/v4/posts/{secret}/reactions"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(&s.eve.token, &unreact_path("me", &secret, "smile"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let bulk = server
        .post_as(
            &s.eve.token,
            "/api/v4/posts/ids/reactions",
            &json!([secret]),
        )
        .await;
    bulk.assert_status(200);
    assert_eq!(bulk.json(), json!({}), "unreadable posts are left out");

    // Public channel: team members who are not members read reactions but cannot react.
    let public = id(&channel(&server, &s.bob, &s.team_id, "open-talk", "O").await);
    let open = id(&post(&server, &s.bob, &public, "hello").await);
    server
        .get_as(&s.eve.token, &format!("/api/v4/posts/{open}/reactions"))
        .await
        .assert_status(200);
    server
        .post_as(
            &s.eve.token,
            "/api/v4/reactions",
            &json!({"user_id": s.eve.id, "post_id": open, "emoji_name": "wave"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");

    // Reacting for someone else is refused; removing someone else's needs an admin.
    let town_post = id(&post(&server, &s.bob, &s.town, "town").await);
    server
        .post_as(
            &s.eve.token,
            "/api/v4/reactions",
            &json!({"user_id": s.bob.id, "post_id": town_post, "emoji_name": "smile"}),
        )
        .await
        .assert_error(403, "api.reaction.save_reaction.user_id.app_error");
    react(&server, &s.bob, &town_post, "smile").await;
    server
        .delete_as(&s.eve.token, &unreact_path(&s.bob.id, &town_post, "smile"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(
            &s.admin.token,
            &unreact_path(&s.bob.id, &town_post, "smile"),
        )
        .await
        .assert_status(200);
    assert!(get_post(&server, &s.bob, &town_post)
        .await
        .get("has_reactions")
        .is_none());

    // Archived channels take no reaction changes.
    react(&server, &s.bob, &open, "tada").await;
    server
        .delete_as(&s.bob.token, &format!("/api/v4/channels/{public}"))
        .await
        .assert_status(200);
    server
        .post_as(
            &s.bob.token,
            "/api/v4/reactions",
            &json!({"user_id": s.bob.id, "post_id": open, "emoji_name": "smile"}),
        )
        .await
        .assert_error(403, "api.reaction.save.archived_channel.app_error");
    server
        .delete_as(&s.bob.token, &unreact_path("me", &open, "tada"))
        .await
        .assert_error(403, "api.reaction.delete.archived_channel.app_error");
}

#[tokio::test]
async fn bad_reaction_input_is_a_client_error() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let post_id = id(&post(&server, &s.bob, &s.town, "target").await);
    let save = |body: Value| {
        let (server, token) = (&server, s.bob.token.clone());
        async move { server.post_as(&token, "/api/v4/reactions", &body).await }
    };
    for emoji in [":smile:", "thumbs up", "é", "a/b"] {
        save(json!({"user_id": s.bob.id, "post_id": post_id, "emoji_name": emoji}))
            .await
            .assert_error(400, "model.reaction.is_valid.emoji_name.app_error");
    }
    for body in [
        json!({"user_id": s.bob.id, "post_id": post_id, "emoji_name": "x".repeat(65)}),
        json!({"user_id": s.bob.id, "post_id": post_id, "emoji_name": ""}),
        json!({"user_id": s.bob.id, "post_id": "nope", "emoji_name": "smile"}),
        json!({"user_id": "", "post_id": post_id, "emoji_name": "smile"}),
        json!({}),
    ] {
        save(body)
            .await
            .assert_error(400, "api.reaction.save_reaction.invalid.app_error");
    }
    for body in [
        json!([1, 2]),
        json!("smile"),
        json!({"user_id": 7, "post_id": post_id, "emoji_name": "smile"}),
    ] {
        save(body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    // A well-formed 64-character name passes the shape rule, and must then name a known
    // (system or custom) emoji.
    let longest = "x".repeat(64);
    save(json!({"user_id": s.bob.id, "post_id": post_id, "emoji_name": longest}))
        .await
        .assert_error(404, "app.emoji.get_by_name.no_result");

    // Unknown and deleted posts are 404 everywhere.
    let unknown = "zzzzzzzzzzzzzzzzzzzzzzzzzz";
    save(json!({"user_id": s.bob.id, "post_id": unknown, "emoji_name": "smile"}))
        .await
        .assert_error(404, "app.post.get.app_error");
    server
        .get_as(&s.bob.token, &format!("/api/v4/posts/{unknown}/reactions"))
        .await
        .assert_error(404, "app.post.get.app_error");
    server
        .delete_as(&s.bob.token, &unreact_path("me", unknown, "smile"))
        .await
        .assert_error(404, "app.post.get.app_error");
    let gone = id(&post(&server, &s.bob, &s.town, "gone").await);
    server
        .delete_as(&s.bob.token, &format!("/api/v4/posts/{gone}"))
        .await
        .assert_status(200);
    save(json!({"user_id": s.bob.id, "post_id": gone, "emoji_name": "smile"}))
        .await
        .assert_error(404, "app.post.get.app_error");
    let bulk = server
        .post_as(
            &s.bob.token,
            "/api/v4/posts/ids/reactions",
            &json!([gone, unknown]),
        )
        .await;
    bulk.assert_status(200);
    assert_eq!(bulk.json(), json!({}));

    // Malformed ids in the URL and the bulk body.
    server
        .get_as(&s.bob.token, "/api/v4/posts/short/reactions")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .delete_as(&s.bob.token, &unreact_path("me", "short", "smile"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .delete_as(&s.bob.token, &unreact_path("someone", &post_id, "smile"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .delete_as(&s.bob.token, &unreact_path("me", &post_id, "%3Asmile%3A"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .post_as(
            &s.bob.token,
            "/api/v4/posts/ids/reactions",
            &json!(["short"]),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(
            &s.bob.token,
            "/api/v4/posts/ids/reactions",
            &json!({"ids": []}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn distinct_emoji_per_post_are_limited() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let post_id = id(&post(&server, &s.bob, &s.town, "react to me").await);
    // Reactions must name real emoji: take the first 51 system ones.
    let names: Vec<&str> = townsquare::app::emoji::system_emoji_names()
        .take(51)
        .collect();
    for name in &names[..50] {
        react(&server, &s.bob, &post_id, name).await;
    }
    server
        .post_as(
            &s.bob.token,
            "/api/v4/reactions",
            &json!({"user_id": s.bob.id, "post_id": post_id, "emoji_name": names[50]}),
        )
        .await
        .assert_error(400, "app.reaction.save.save.too_many_reactions");
    // An emoji already on the post may still be added by someone else.
    react(&server, &s.eve, &post_id, names[7]).await;
}

#[tokio::test]
async fn reaction_metadata_is_attached_in_one_pass() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let with = id(&post(&server, &s.bob, &s.town, "with").await);
    let without = id(&post(&server, &s.bob, &s.town, "without").await);
    react(&server, &s.bob, &with, "+1").await;
    react(&server, &s.eve, &with, "smile").await;

    let state = townsquare::state::AppState::new(
        server.config.clone(),
        server.runtime.clone(),
        server.store().clone(),
        townsquare::edition::build_extensions(),
    );
    let mut posts = server
        .store()
        .posts_by_ids(&[with.clone(), without.clone()])
        .await
        .unwrap();
    posts.iter_mut().find(|p| p.id == with).unwrap().metadata = Some(json!({"embeds": []}));
    townsquare::app::reactions::attach_reaction_metadata(&state, &mut posts)
        .await
        .unwrap();
    let reacted = posts.iter().find(|p| p.id == with).unwrap();
    let metadata = reacted.metadata.as_ref().unwrap();
    assert_eq!(metadata["embeds"], json!([]), "other metadata is kept");
    let names: Vec<&str> = metadata["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["emoji_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["+1", "smile"]);
    let quiet = posts.iter().find(|p| p.id == without).unwrap();
    assert!(quiet.metadata.is_none());
}
