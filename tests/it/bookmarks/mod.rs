//! Channel bookmarks (issue 12): `/channels/{channel_id}/bookmarks`, in both editions.

mod files;
mod limits;

use serde_json::{json, Value};

use crate::chat::channel;
use crate::realtime::{id, json_string, world, Ws};
use crate::support::accounts::TestUser;
use crate::support::{TestResponse, TestServer};

const INVALID_BODY: &str = "api.context.invalid_body_param.app_error";
const INVALID_URL: &str = "api.context.invalid_url_param.app_error";
const PERMISSIONS: &str = "api.context.permissions.app_error";

pub fn bookmarks_path(channel_id: &str) -> String {
    format!("/api/v4/channels/{channel_id}/bookmarks")
}

pub async fn create(
    server: &TestServer,
    user: &TestUser,
    channel_id: &str,
    body: &Value,
) -> TestResponse {
    server
        .post_as(&user.token, &bookmarks_path(channel_id), body)
        .await
}

/// A link bookmark created by `user` (201).
pub async fn link(server: &TestServer, user: &TestUser, channel_id: &str, name: &str) -> Value {
    let response = create(
        server,
        user,
        channel_id,
        &json!({"display_name": name, "type": "link", "link_url": format!("https://example.com/{name}")}),
    )
    .await;
    response.assert_status(201);
    response.json()
}

pub async fn list(server: &TestServer, user: &TestUser, channel_id: &str) -> Vec<Value> {
    let response = server
        .get_as(&user.token, &bookmarks_path(channel_id))
        .await;
    response.assert_status(200);
    response.json().as_array().unwrap().clone()
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter().map(id).collect()
}

#[tokio::test]
async fn links_are_created_listed_edited_sorted_and_deleted_with_events() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let mut eve = Ws::connect(&server, &w.eve).await;

    let created = create(
        &server,
        &w.bob,
        &w.town,
        &json!({"display_name": "Handbook", "type": "link", "link_url": "https://example.com/handbook",
                "emoji": ":book:", "image_url": "https://example.com/h.png",
                "sort_order": 7, "owner_id": w.carol.id, "id": "x", "unknown": true}),
    )
    .await;
    created.assert_status(201);
    let first = created.json();
    assert_eq!(first["id"].as_str().unwrap().len(), 26);
    assert_eq!(first["owner_id"], w.bob.id);
    assert_eq!(first["channel_id"], w.town);
    assert_eq!(first["type"], "link");
    assert_eq!(first["display_name"], "Handbook");
    assert_eq!(first["link_url"], "https://example.com/handbook");
    assert_eq!(first["image_url"], "https://example.com/h.png");
    assert_eq!(first["emoji"], ":book:");
    assert_eq!(first["sort_order"], 0);
    assert_eq!(first["file_id"], "");
    assert_eq!(first["delete_at"], 0);
    assert!(first["create_at"].as_i64().unwrap() > 0);
    assert_eq!(first["create_at"], first["update_at"]);
    for absent in ["file", "original_id", "parent_id"] {
        assert!(first.get(absent).is_none(), "{absent} in {first}");
    }
    let frame = carol.event("channel_bookmark_created").await;
    assert_eq!(frame["broadcast"]["channel_id"], w.town);
    assert_eq!(json_string(&frame["data"]["bookmark"]), first);
    eve.no_event("channel_bookmark_created").await;

    let second = link(&server, &w.bob, &w.town, "wiki").await;
    let third = link(&server, &w.carol, &w.town, "board").await;
    assert_eq!(second["sort_order"], 1);
    assert_eq!(third["sort_order"], 2);
    let listed = list(&server, &w.carol, &w.town).await;
    assert_eq!(ids(&listed), [id(&first), id(&second), id(&third)]);
    assert_eq!(listed[0], first);

    // The owner edits in place.
    let edited = server
        .call(
            reqwest::Method::PATCH,
            &format!("{}/{}", bookmarks_path(&w.town), id(&second)),
            &w.bob.token,
            Some(&json!({"display_name": "Wiki", "emoji": null, "extra": 1})),
        )
        .await;
    edited.assert_status(200);
    let edited = edited.json();
    assert!(edited.get("deleted").is_none(), "{edited}");
    let updated = &edited["updated"];
    assert_eq!(updated["id"], second["id"]);
    assert_eq!(updated["display_name"], "Wiki");
    assert_eq!(updated["link_url"], second["link_url"]);
    assert!(updated["update_at"].as_i64() >= second["update_at"].as_i64());
    let frame = carol.event("channel_bookmark_updated").await;
    assert_eq!(json_string(&frame["data"]["bookmarks"]), edited);

    // Someone else's edit replaces the bookmark with a copy they own, in the same place.
    let before_edit = now_ms() - 1;
    let replaced = server
        .call(
            reqwest::Method::PATCH,
            &format!("{}/{}", bookmarks_path(&w.town), id(&first)),
            &w.carol.token,
            Some(&json!({"link_url": "https://example.com/handbook-v2"})),
        )
        .await;
    replaced.assert_status(200);
    let replaced = replaced.json();
    let copy = &replaced["updated"];
    let gone = &replaced["deleted"];
    assert_eq!(gone["id"], first["id"]);
    assert!(gone["delete_at"].as_i64().unwrap() > 0);
    assert_ne!(copy["id"], first["id"]);
    assert_eq!(copy["original_id"], first["id"]);
    assert_eq!(copy["owner_id"], w.carol.id);
    assert_eq!(copy["link_url"], "https://example.com/handbook-v2");
    assert_eq!(copy["display_name"], "Handbook");
    assert_eq!(copy["sort_order"], 0);
    assert_eq!(
        json_string(&carol.event("channel_bookmark_updated").await["data"]["bookmarks"]),
        replaced
    );
    let listed = list(&server, &w.bob, &w.town).await;
    assert_eq!(ids(&listed), [id(copy), id(&second), id(&third)]);
    // Changes since a time include what was deleted.
    let since = server
        .get_as(
            &w.bob.token,
            &format!("{}?bookmarks_since={before_edit}", bookmarks_path(&w.town)),
        )
        .await
        .json();
    let since_ids: Vec<String> = ids(since.as_array().unwrap());
    assert!(since_ids.contains(&id(&first)), "{since}");
    assert!(since_ids.contains(&id(copy)), "{since}");

    // Sorting moves one and renumbers all.
    let sorted = server
        .post_as(
            &w.bob.token,
            &format!("{}/{}/sort_order", bookmarks_path(&w.town), id(&third)),
            &json!(0),
        )
        .await;
    sorted.assert_status(200);
    let sorted = sorted.json();
    let sorted = sorted.as_array().unwrap();
    assert_eq!(ids(sorted), [id(&third), id(copy), id(&second)]);
    let orders: Vec<i64> = sorted
        .iter()
        .map(|b| b["sort_order"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, [0, 1, 2]);
    let frame = carol.event("channel_bookmark_sorted").await;
    assert_eq!(
        ids(json_string(&frame["data"]["bookmarks"]).as_array().unwrap()),
        ids(sorted)
    );
    assert_eq!(ids(&list(&server, &w.carol, &w.town).await), ids(sorted));

    // Deleting answers the bookmark as deleted.
    let deleted = server
        .delete_as(
            &w.bob.token,
            &format!("{}/{}", bookmarks_path(&w.town), id(&second)),
        )
        .await;
    deleted.assert_status(200);
    let deleted = deleted.json();
    assert_eq!(deleted["id"], second["id"]);
    assert!(deleted["delete_at"].as_i64().unwrap() > 0);
    let frame = carol.event("channel_bookmark_deleted").await;
    assert_eq!(json_string(&frame["data"]["bookmark"]), deleted);
    assert_eq!(
        ids(&list(&server, &w.carol, &w.town).await),
        [id(&third), id(copy)]
    );
    // Gone is gone.
    server
        .delete_as(
            &w.bob.token,
            &format!("{}/{}", bookmarks_path(&w.town), id(&second)),
        )
        .await
        .assert_error(404, "app.channel.bookmark.get.app_error");
    eve.no_event("channel_bookmark_deleted").await;
}

#[tokio::test]
async fn who_may_read_and_change_bookmarks() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let public = id(&channel(&server, &w.carol, &w.team_id, "carols", "O").await);
    let private = id(&channel(&server, &w.carol, &w.team_id, "secret", "P").await);
    let pub_mark = link(&server, &w.carol, &public, "pub").await;
    let priv_mark = link(&server, &w.carol, &private, "priv").await;
    let body = json!({"display_name": "x", "type": "link", "link_url": "https://example.com"});

    // A team member outside a public channel reads its bookmarks but cannot change them.
    assert_eq!(list(&server, &w.bob, &public).await.len(), 1);
    create(&server, &w.bob, &public, &body)
        .await
        .assert_error(403, PERMISSIONS);
    for (method, path, body) in [
        (
            reqwest::Method::PATCH,
            format!("{}/{}", bookmarks_path(&public), id(&pub_mark)),
            Some(json!({"display_name": "y"})),
        ),
        (
            reqwest::Method::POST,
            format!("{}/{}/sort_order", bookmarks_path(&public), id(&pub_mark)),
            Some(json!(0)),
        ),
        (
            reqwest::Method::DELETE,
            format!("{}/{}", bookmarks_path(&public), id(&pub_mark)),
            None,
        ),
    ] {
        let body = server
            .call(method.clone(), &path, &w.bob.token, body.as_ref())
            .await
            .assert_error(403, PERMISSIONS);
        let detail = body["detailed_error"].as_str().unwrap_or_default();
        assert!(
            detail.is_empty() || detail.contains("bookmark_public_channel"),
            "{method} {body}"
        );
    }
    // Private channels: nothing for non-members, not even the list.
    server
        .get_as(&w.bob.token, &bookmarks_path(&private))
        .await
        .assert_error(403, PERMISSIONS);
    create(&server, &w.bob, &private, &body)
        .await
        .assert_error(403, PERMISSIONS);
    server
        .delete_as(
            &w.bob.token,
            &format!("{}/{}", bookmarks_path(&private), id(&priv_mark)),
        )
        .await
        .assert_error(403, PERMISSIONS);
    bob.no_event("channel_bookmark_created").await;
    // Outside the team: not even a public channel's list.
    server
        .get_as(&w.eve.token, &bookmarks_path(&public))
        .await
        .assert_error(403, PERMISSIONS);
    // A system admin may, member or not.
    link(&server, &w.admin, &private, "by-admin").await;
    // Unknown channel.
    let nowhere = "a".repeat(26);
    server
        .get_as(&w.bob.token, &bookmarks_path(&nowhere))
        .await
        .assert_error(404, "app.channel.get.existing.app_error");
    create(&server, &w.bob, &nowhere, &body)
        .await
        .assert_error(404, "app.channel.get.existing.app_error");

    // Direct messages: their members, nobody else (a system admin neither).
    let dm = server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/direct",
            &json!([w.bob.id, w.carol.id]),
        )
        .await
        .json();
    let dm = id(&dm);
    let dm_mark = link(&server, &w.bob, &dm, "ours").await;
    link(&server, &w.carol, &dm, "also-ours").await;
    create(&server, &w.admin, &dm, &body).await.assert_error(
        403,
        "api.channel.bookmark.create_channel_bookmark.direct_or_group_channels.forbidden.app_error",
    );
    server
        .delete_as(
            &w.admin.token,
            &format!("{}/{}", bookmarks_path(&dm), id(&dm_mark)),
        )
        .await
        .assert_error(
            403,
            "api.channel.bookmark.delete_channel_bookmark.direct_or_group_channels.forbidden.app_error",
        );

    // Archived channels keep their bookmarks, read-only.
    server
        .delete_as(&w.carol.token, &format!("/api/v4/channels/{public}"))
        .await
        .assert_status(200);
    create(&server, &w.carol, &public, &body)
        .await
        .assert_error(
            403,
            "api.channel.bookmark.create_channel_bookmark.deleted_channel.forbidden.app_error",
        );
    server
        .post_as(
            &w.carol.token,
            &format!("{}/{}/sort_order", bookmarks_path(&public), id(&pub_mark)),
            &json!(0),
        )
        .await
        .assert_error(
            403,
            "api.channel.bookmark.update_channel_bookmark_sort_order.deleted_channel.forbidden.app_error",
        );
    server
        .delete_as(
            &w.carol.token,
            &format!("{}/{}", bookmarks_path(&public), id(&pub_mark)),
        )
        .await
        .assert_error(
            403,
            "api.channel.bookmark.delete_channel_bookmark.deleted_channel.forbidden.app_error",
        );
    assert_eq!(list(&server, &w.carol, &public).await.len(), 1);

    // Anyone unauthenticated: 401.
    server
        .get(&bookmarks_path(&w.town))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let other = id(&channel(&server, &w.bob, &w.team_id, "other", "O").await);
    let mark = link(&server, &w.bob, &w.town, "keep").await;
    let elsewhere = link(&server, &w.bob, &other, "elsewhere").await;
    let long = "x".repeat(257);
    let long_url = format!("https://example.com/{}", "a".repeat(2100));
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"type": "link", "link_url": "https://example.com"}),
            "model.channel_bookmark.is_valid.display_name.app_error",
        ),
        (
            json!({"display_name": "", "type": "link", "link_url": "https://example.com"}),
            "model.channel_bookmark.is_valid.display_name.app_error",
        ),
        (
            json!({"display_name": long, "type": "link", "link_url": "https://example.com"}),
            "model.channel_bookmark.is_valid.display_name.app_error",
        ),
        (
            json!({"display_name": "x", "link_url": "https://example.com"}),
            "model.channel_bookmark.is_valid.type.app_error",
        ),
        (
            json!({"display_name": "x", "type": "board", "link_url": "https://example.com"}),
            "model.channel_bookmark.is_valid.type.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link"}),
            "model.channel_bookmark.is_valid.link_url.missing_or_invalid.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link", "link_url": "javascript:alert(1)"}),
            "model.channel_bookmark.is_valid.link_url.missing_or_invalid.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link", "link_url": "ftp://example.com"}),
            "model.channel_bookmark.is_valid.link_url.missing_or_invalid.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link", "link_url": long_url}),
            "model.channel_bookmark.is_valid.link_url.missing_or_invalid.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link", "link_url": "https://example.com", "image_url": "data:x"}),
            "model.channel_bookmark.is_valid.image_url.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link", "link_url": "https://example.com", "emoji": "e".repeat(65)}),
            "model.channel_bookmark.is_valid.emoji.app_error",
        ),
        (
            json!({"display_name": "x", "type": "file"}),
            "model.channel_bookmark.is_valid.file_id.missing_or_invalid.app_error",
        ),
        (
            json!({"display_name": "x", "type": "file", "file_id": "nope"}),
            "model.channel_bookmark.is_valid.file_id.missing_or_invalid.app_error",
        ),
        (
            json!({"display_name": "x", "type": "link", "link_url": "https://example.com", "file_id": "a".repeat(26)}),
            "model.channel_bookmark.is_valid.link_file.app_error",
        ),
        (
            json!({"display_name": 5, "type": "link", "link_url": "https://example.com"}),
            INVALID_BODY,
        ),
        (json!("not an object"), INVALID_BODY),
    ];
    for (body, error) in cases {
        create(&server, &w.bob, &w.town, &body)
            .await
            .assert_error(400, error);
    }
    let raw = server
        .send(
            server
                .request(reqwest::Method::POST, &bookmarks_path(&w.town))
                .bearer_auth(&w.bob.token)
                .body("{not json"),
        )
        .await;
    raw.assert_error(400, INVALID_BODY);

    let one = format!("{}/{}", bookmarks_path(&w.town), id(&mark));
    let patch = |body: Value| {
        let path = one.clone();
        let token = w.bob.token.clone();
        let server = &server;
        async move {
            server
                .call(reqwest::Method::PATCH, &path, &token, Some(&body))
                .await
        }
    };
    patch(json!({"link_url": "nope"})).await.assert_error(
        400,
        "model.channel_bookmark.is_valid.link_url.missing_or_invalid.app_error",
    );
    patch(json!({"display_name": ""})).await.assert_error(
        400,
        "model.channel_bookmark.is_valid.display_name.app_error",
    );
    patch(json!({"sort_order": "first"}))
        .await
        .assert_error(400, INVALID_BODY);
    // A bookmark of another channel, through this channel's path.
    let crossed = format!("{}/{}", bookmarks_path(&w.town), id(&elsewhere));
    server
        .call(
            reqwest::Method::PATCH,
            &crossed,
            &w.bob.token,
            Some(&json!({"display_name": "y"})),
        )
        .await
        .assert_error(400, INVALID_BODY);
    server
        .delete_as(&w.bob.token, &crossed)
        .await
        .assert_error(400, INVALID_BODY);
    server
        .post_as(&w.bob.token, &format!("{crossed}/sort_order"), &json!(0))
        .await
        .assert_error(
            404,
            "app.channel.bookmark.update_sort.missing_bookmark.app_error",
        );
    let unknown = format!("{}/{}", bookmarks_path(&w.town), "b".repeat(26));
    server
        .call(
            reqwest::Method::PATCH,
            &unknown,
            &w.bob.token,
            Some(&json!({"display_name": "y"})),
        )
        .await
        .assert_error(404, "app.channel.bookmark.get.app_error");
    server
        .delete_as(
            &w.bob.token,
            &format!("{}/{}", bookmarks_path(&w.town), "bad-id"),
        )
        .await
        .assert_error(400, INVALID_URL);
    // Sort positions.
    let sort = format!("{one}/sort_order");
    for (body, status, error) in [
        (json!(-1), 400, INVALID_BODY),
        (
            json!(1),
            400,
            "app.channel.bookmark.update_sort.invalid_input.app_error",
        ),
        (json!("first"), 400, INVALID_BODY),
        (json!(1.5), 400, INVALID_BODY),
    ] {
        server
            .post_as(&w.bob.token, &sort, &body)
            .await
            .assert_error(status, error);
    }
    server
        .post_as(&w.bob.token, &format!("{unknown}/sort_order"), &json!(0))
        .await
        .assert_error(
            404,
            "app.channel.bookmark.update_sort.missing_bookmark.app_error",
        );
    server
        .get_as(
            &w.bob.token,
            &format!("{}?bookmarks_since=yesterday", bookmarks_path(&w.town)),
        )
        .await
        .assert_error(400, INVALID_URL);
    server
        .get_as(&w.bob.token, "/api/v4/channels/nope/bookmarks")
        .await
        .assert_error(400, INVALID_URL);

    // Nothing changed.
    let listed = list(&server, &w.bob, &w.town).await;
    assert_eq!(listed, [mark]);
}
