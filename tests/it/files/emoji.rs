//! Custom emoji: create, read, list, search, image, delete, and reactions that use them.

use reqwest::Method;
use serde_json::{json, Value};

use super::{id, png, send_multipart, Part};
use crate::chat::{join, post, team};
use crate::support::accounts::TestUser;
use crate::support::{TestResponse, TestServer};

async fn create(server: &TestServer, user: &TestUser, name: &str, image: &[u8]) -> TestResponse {
    let emoji = json!({"name": name, "creator_id": user.id}).to_string();
    send_multipart(
        server,
        &user.token,
        Method::POST,
        "/api/v4/emoji",
        &[
            Part::Text("emoji", &emoji),
            Part::File("image", "e.png", image),
        ],
    )
    .await
}

async fn created(server: &TestServer, user: &TestUser, name: &str) -> Value {
    let response = create(server, user, name, &png(32, 32)).await;
    response.assert_status(200);
    response.json()
}

#[tokio::test]
async fn create_read_list_search_and_delete() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let parrot = created(&server, &bob, "party_parrot").await;
    assert_eq!(parrot["name"], "party_parrot");
    assert_eq!(parrot["creator_id"], bob.id.as_str());
    assert_eq!(parrot["delete_at"], 0);
    let parrot_id = id(&parrot);
    created(&server, &eve, "parrot-2").await;
    created(&server, &eve, "another+one").await;

    let by_id = server
        .get_as(&eve.token, &format!("/api/v4/emoji/{parrot_id}"))
        .await;
    by_id.assert_status(200);
    assert_eq!(by_id.json(), parrot);
    let by_name = server
        .get_as(&eve.token, "/api/v4/emoji/name/party_parrot")
        .await;
    assert_eq!(by_name.json()["id"], parrot_id.as_str());

    let listed = server
        .get_as(&eve.token, "/api/v4/emoji?sort=name")
        .await
        .json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["another+one", "parrot-2", "party_parrot"]);
    let page = server
        .get_as(&eve.token, "/api/v4/emoji?page=1&per_page=2&sort=name")
        .await
        .json();
    assert_eq!(page.as_array().unwrap().len(), 1);

    let image = server
        .get_as(&eve.token, &format!("/api/v4/emoji/{parrot_id}/image"))
        .await;
    image.assert_status(200);
    assert_eq!(image.header("content-type"), Some("image/png"));
    assert_eq!(image::load_from_memory(&image.body).unwrap().width(), 32);

    let auto = server
        .get_as(&eve.token, "/api/v4/emoji/autocomplete?name=par")
        .await
        .json();
    assert_eq!(auto.as_array().unwrap().len(), 2);
    let found = server
        .post_as(
            &eve.token,
            "/api/v4/emoji/search",
            &json!({"term": "rot", "prefix_only": false}),
        )
        .await
        .json();
    assert_eq!(found.as_array().unwrap().len(), 2);
    let prefix = server
        .post_as(
            &eve.token,
            "/api/v4/emoji/search",
            &json!({"term": "rot", "prefix_only": true}),
        )
        .await
        .json();
    assert_eq!(prefix, json!([]));
    let named = server
        .post_as(
            &eve.token,
            "/api/v4/emoji/names",
            &json!(["party_parrot", "nope"]),
        )
        .await
        .json();
    assert_eq!(named.as_array().unwrap().len(), 1);

    // Only the creator (or an admin) deletes.
    server
        .delete_as(&eve.token, &format!("/api/v4/emoji/{parrot_id}"))
        .await
        .assert_error(403, "api.emoji.delete.permissions.app_error");
    server
        .delete_as(&bob.token, &format!("/api/v4/emoji/{parrot_id}"))
        .await
        .assert_status(200);
    server
        .get_as(&eve.token, &format!("/api/v4/emoji/{parrot_id}"))
        .await
        .assert_error(404, "app.emoji.get.no_result");
    server
        .get_as(&eve.token, "/api/v4/emoji/name/party_parrot")
        .await
        .assert_error(404, "app.emoji.get_by_name.no_result");
    server
        .get_as(&eve.token, &format!("/api/v4/emoji/{parrot_id}/image"))
        .await
        .assert_error(404, "app.emoji.get.no_result");
    // The name is free again.
    created(&server, &eve, "party_parrot").await;
    let other = id(&created(&server, &bob, "bobs").await);
    server
        .delete_as(&admin.token, &format!("/api/v4/emoji/{other}"))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn bad_names_images_and_callers_are_refused() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    created(&server, &bob, "taken").await;
    create(&server, &bob, "taken", &png(8, 8))
        .await
        .assert_error(400, "api.emoji.create.duplicate.app_error");
    for name in ["", "has space", "colon:", "smile", "+1", &"x".repeat(65)] {
        create(&server, &bob, name, &png(8, 8))
            .await
            .assert_error(400, "model.emoji.name.app_error");
    }
    create(&server, &bob, "garbage", b"not an image")
        .await
        .assert_error(400, "api.emoji.upload.image.app_error");
    create(&server, &bob, "huge", &png(2000, 10))
        .await
        .assert_error(400, "api.emoji.upload.large_image.too_large.app_error");
    let mut heavy = png(8, 8);
    heavy.resize(600 * 1024, 0);
    create(&server, &bob, "heavy", &heavy)
        .await
        .assert_error(413, "api.emoji.create.too_large.app_error");
    // Someone else's creator_id.
    let emoji = json!({"name": "spoof", "creator_id": admin.id}).to_string();
    let png = png(8, 8);
    send_multipart(
        &server,
        &bob.token,
        Method::POST,
        "/api/v4/emoji",
        &[
            Part::Text("emoji", &emoji),
            Part::File("image", "e.png", &png),
        ],
    )
    .await
    .assert_error(403, "api.emoji.create.other_user.app_error");
    // Missing parts.
    send_multipart(
        &server,
        &bob.token,
        Method::POST,
        "/api/v4/emoji",
        &[Part::File("image", "e.png", &png)],
    )
    .await
    .assert_error(400, "api.context.invalid_body_param.app_error");
    send_multipart(
        &server,
        &bob.token,
        Method::POST,
        "/api/v4/emoji",
        &[Part::Text("emoji", &emoji)],
    )
    .await
    .assert_error(400, "api.context.invalid_body_param.app_error");
    send_multipart(
        &server,
        &bob.token,
        Method::POST,
        "/api/v4/emoji",
        &[
            Part::Text("emoji", "{nope"),
            Part::File("image", "e.png", &png),
        ],
    )
    .await
    .assert_error(400, "api.context.invalid_body_param.app_error");
    // Lookups with bad input.
    server
        .get_as(&bob.token, "/api/v4/emoji/short")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(&bob.token, "/api/v4/emoji/autocomplete")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .post_as(&bob.token, "/api/v4/emoji/search", &json!({}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .get("/api/v4/emoji")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn custom_emoji_can_be_disabled() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_custom_emoji = false)
        .start()
        .await;
    let admin = server.admin().await;
    create(&server, &admin, "nope", &png(8, 8))
        .await
        .assert_error(501, "api.emoji.disabled.app_error");
    server
        .get_as(&admin.token, "/api/v4/emoji")
        .await
        .assert_error(501, "api.emoji.disabled.app_error");
    // System emoji still work as reactions; other names cannot be custom ones.
    let team_id = id(&team(&server, &admin, "eng").await);
    let town = id(&server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json());
    let message = post(&server, &admin, &town, "hello").await;
    for (emoji, status) in [("heart", 200), ("party_parrot", 501)] {
        let response = server
            .post_as(
                &admin.token,
                "/api/v4/reactions",
                &json!({"user_id": admin.id, "post_id": message["id"], "emoji_name": emoji}),
            )
            .await;
        response.assert_status(status);
    }
    let config = server
        .get_as(&admin.token, "/api/v4/config/client?format=old")
        .await
        .json();
    assert_eq!(config["EnableCustomEmoji"], "false");
}

#[tokio::test]
async fn reactions_use_system_and_custom_emoji() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    join(&server, &admin, &team_id, &bob).await;
    let town = id(&server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json());
    created(&server, &bob, "shipit").await;
    let message = post(&server, &bob, &town, "launch day").await;
    for emoji in ["shipit", "+1", "white_check_mark"] {
        server
            .post_as(
                &bob.token,
                "/api/v4/reactions",
                &json!({"user_id": bob.id, "post_id": message["id"], "emoji_name": emoji}),
            )
            .await
            .assert_status(200);
    }
    let reactions = server
        .get_as(
            &bob.token,
            &format!("/api/v4/posts/{}/reactions", id(&message)),
        )
        .await
        .json();
    assert_eq!(reactions.as_array().unwrap().len(), 3);
}
