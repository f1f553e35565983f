//! Preferences: save/read/delete, who may touch whose, validation, and flagged posts.

use serde_json::{json, Value};

use super::{channel, join, post, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

fn pref(user: &TestUser, category: &str, name: &str, value: &str) -> Value {
    json!({"user_id": user.id, "category": category, "name": name, "value": value})
}

fn prefs_path(user_id: &str) -> String {
    format!("/api/v4/users/{user_id}/preferences")
}

#[tokio::test]
async fn preferences_round_trip() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    let none = server.get_as(&bob.token, &prefs_path("me")).await;
    none.assert_status(200);
    assert_eq!(none.json(), json!([]));

    let saved = server
        .put_as(
            &bob.token,
            &prefs_path(&bob.id),
            &json!([
                pref(&bob, "display_settings", "use_military_time", "true"),
                pref(&bob, "display_settings", "name_format", "username"),
                {"user_id": bob.id, "category": "theme", "name": "", "value": "{\"sidebarBg\":\"#145dbf\"}", "extra": 1},
            ]),
        )
        .await;
    saved.assert_status(200);
    assert_eq!(saved.json(), json!({"status": "OK"}));

    let all = server.get_as(&bob.token, &prefs_path("me")).await.json();
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    for p in all.as_array().unwrap() {
        assert_eq!(p["user_id"], bob.id.as_str());
        for key in ["category", "name", "value"] {
            assert!(p[key].is_string(), "{p}");
        }
    }

    // Upsert: saving the same key again replaces the value; saving it twice is harmless.
    for _ in 0..2 {
        server
            .put_as(
                &bob.token,
                &prefs_path("me"),
                &json!([pref(&bob, "display_settings", "use_military_time", "false")]),
            )
            .await
            .assert_status(200);
    }
    let category = server
        .get_as(
            &bob.token,
            &format!("{}/display_settings", prefs_path("me")),
        )
        .await;
    category.assert_status(200);
    let category = category.json();
    assert_eq!(category.as_array().unwrap().len(), 2);
    let one = server
        .get_as(
            &bob.token,
            &format!(
                "{}/display_settings/name/use_military_time",
                prefs_path(&bob.id)
            ),
        )
        .await;
    one.assert_status(200);
    assert_eq!(
        one.json(),
        pref(&bob, "display_settings", "use_military_time", "false")
    );

    // Delete (absent entries are ignored).
    let deleted = server
        .post_as(
            &bob.token,
            &format!("{}/delete", prefs_path("me")),
            &json!([
                pref(&bob, "display_settings", "use_military_time", ""),
                pref(&bob, "nothing", "here", ""),
            ]),
        )
        .await;
    deleted.assert_status(200);
    assert_eq!(deleted.json(), json!({"status": "OK"}));
    server
        .get_as(
            &bob.token,
            &format!(
                "{}/display_settings/name/use_military_time",
                prefs_path("me")
            ),
        )
        .await
        .assert_error(404, "app.preference.get.app_error");
    server
        .get_as(&bob.token, &format!("{}/nothing", prefs_path("me")))
        .await
        .assert_error(404, "api.preference.preferences_category.get.app_error");
    assert_eq!(
        server
            .get_as(&bob.token, &prefs_path("me"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn preferences_of_others_are_private() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    server
        .put_as(
            &bob.token,
            &prefs_path("me"),
            &json!([pref(&bob, "display_settings", "name_format", "username")]),
        )
        .await
        .assert_status(200);

    let bob_prefs = prefs_path(&bob.id);
    server
        .get_as(&eve.token, &bob_prefs)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&eve.token, &format!("{bob_prefs}/display_settings"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &eve.token,
            &format!("{bob_prefs}/display_settings/name/name_format"),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &eve.token,
            &bob_prefs,
            &json!([pref(&bob, "display_settings", "name_format", "full_name")]),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &eve.token,
            &format!("{bob_prefs}/delete"),
            &json!([pref(&bob, "display_settings", "name_format", "")]),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Writing your own path with someone else's user_id is refused too.
    server
        .put_as(
            &eve.token,
            &prefs_path("me"),
            &json!([pref(&bob, "display_settings", "name_format", "full_name")]),
        )
        .await
        .assert_error(403, "api.preference.update_preferences.set.app_error");
    server
        .post_as(
            &eve.token,
            &format!("{}/delete", prefs_path("me")),
            &json!([pref(&bob, "display_settings", "name_format", "")]),
        )
        .await
        .assert_error(403, "api.preference.delete_preferences.delete.app_error");
    let unchanged = server
        .get_as(
            &bob.token,
            &format!("{bob_prefs}/display_settings/name/name_format"),
        )
        .await
        .json();
    assert_eq!(unchanged["value"], "username");

    // Admins (edit_other_users) may read and write anyone's.
    server
        .get_as(&admin.token, &bob_prefs)
        .await
        .assert_status(200);
    server
        .put_as(
            &admin.token,
            &bob_prefs,
            &json!([pref(
                &bob,
                "display_settings",
                "name_format",
                "nickname_full_name"
            )]),
        )
        .await
        .assert_status(200);
}

#[tokio::test]
async fn bad_preferences_are_rejected_whole() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let path = prefs_path("me");
    let put = |body: Value| {
        let (server, token, path) = (&server, bob.token.clone(), path.clone());
        async move { server.put_as(&token, &path, &body).await }
    };
    let ok = pref(&bob, "display_settings", "name_format", "username");
    for (bad, id) in [
        (
            pref(&bob, "", "x", "v"),
            "model.preference.is_valid.category.app_error",
        ),
        (
            pref(&bob, &"c".repeat(33), "x", "v"),
            "model.preference.is_valid.category.app_error",
        ),
        (
            pref(&bob, "c", &"n".repeat(33), "v"),
            "model.preference.is_valid.name.app_error",
        ),
        (
            pref(&bob, "c", "n", &"v".repeat(20_001)),
            "model.preference.is_valid.value.app_error",
        ),
        (
            pref(&bob, "theme", "", "not json"),
            "model.preference.is_valid.theme.app_error",
        ),
    ] {
        // A bad item fails the whole request; the good one next to it is not saved.
        put(json!([ok.clone(), bad])).await.assert_error(400, id);
    }
    assert_eq!(
        server.get_as(&bob.token, &path).await.json(),
        json!([]),
        "nothing was saved"
    );
    put(json!([pref(
        &bob,
        "c",
        &"n".repeat(32),
        &"v".repeat(2_001)
    )]))
    .await
    .assert_status(200);

    let too_many: Vec<Value> = (0..101)
        .map(|i| pref(&bob, "many", &format!("n{i}"), "v"))
        .collect();
    put(json!(too_many))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    put(json!(&too_many[..100])).await.assert_status(200);
    for body in [
        json!([]),
        json!({"user_id": bob.id}),
        json!("x"),
        json!([{"user_id": bob.id, "category": 5, "name": "n", "value": "v"}]),
    ] {
        put(body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .post_as(&bob.token, &format!("{path}/delete"), &json!([]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");

    // Malformed and unknown user ids.
    server
        .get_as(&bob.token, "/api/v4/users/nobody/preferences")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(
            &admin.token,
            "/api/v4/users/zzzzzzzzzzzzzzzzzzzzzzzzzz/preferences",
        )
        .await
        .assert_status(200);
}

#[tokio::test]
async fn flagged_posts_follow_readability() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(&server, &admin, &team_id, &bob).await;
    join(&server, &admin, &team_id, &eve).await;
    let open = channel(&server, &bob, &team_id, "open-talk", "O").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = channel(&server, &bob, &team_id, "secret", "P").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/channels/{open}/members"),
            &json!({"user_id": eve.id}),
        )
        .await
        .assert_status(201);
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/channels/{secret}/members"),
            &json!({"user_id": eve.id}),
        )
        .await
        .assert_status(201);
    let first = post(&server, &bob, &open, "first").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = post(&server, &bob, &secret, "second").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let third = post(&server, &bob, &open, "third").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let flag = |post_id: &str| pref(&eve, "flagged_post", post_id, "true");
    server
        .put_as(
            &eve.token,
            &prefs_path("me"),
            &json!([flag(&first), flag(&second), flag(&third)]),
        )
        .await
        .assert_status(200);

    let flagged_path = format!("/api/v4/users/{}/posts/flagged", eve.id);
    let list = server.get_as(&eve.token, &flagged_path).await;
    list.assert_status(200);
    let list = list.json();
    assert_eq!(list["order"], json!([third, second, first]), "newest first");
    assert!(list["posts"][&first].is_object());
    let page = server
        .get_as(&eve.token, &format!("{flagged_path}?page=1&per_page=2"))
        .await
        .json();
    assert_eq!(page["order"], json!([first]));
    let only_open = server
        .get_as(&eve.token, &format!("{flagged_path}?channel_id={open}"))
        .await
        .json();
    assert_eq!(only_open["order"], json!([third, first]));
    let by_team = server
        .get_as(&eve.token, &format!("{flagged_path}?team_id={team_id}"))
        .await
        .json();
    assert_eq!(by_team["order"].as_array().unwrap().len(), 3);

    // Leaving a channel hides its flagged posts; deleting a post hides it.
    server
        .delete_as(
            &eve.token,
            &format!("/api/v4/channels/{secret}/members/{}", eve.id),
        )
        .await
        .assert_status(200);
    server
        .delete_as(&bob.token, &format!("/api/v4/posts/{first}"))
        .await
        .assert_status(200);
    let after = server
        .get_as(&eve.token, "/api/v4/users/me/posts/flagged")
        .await
        .json();
    assert_eq!(after["order"], json!([third]));

    // Flagging needs a post you can read; unknown posts are a bad name.
    server
        .put_as(&eve.token, &prefs_path("me"), &json!([flag(&second)]))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &eve.token,
            &prefs_path("me"),
            &json!([flag("zzzzzzzzzzzzzzzzzzzzzzzzzz")]),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");

    // Only you (or an admin) list your flagged posts.
    server
        .get_as(&bob.token, &flagged_path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&admin.token, &flagged_path)
        .await
        .assert_status(200);
    server
        .get_as(&eve.token, &format!("{flagged_path}?channel_id=bad"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}
