//! Sidebar categories: lazy defaults, custom categories, order, favorites kept in sync with
//! the `favorite_channel` preferences, muting, permissions and events.

use serde_json::{json, Value};

use super::channel;
use crate::realtime::{id, json_string, world, Ws};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

fn path(user_id: &str, team_id: &str) -> String {
    format!("/api/v4/users/{user_id}/teams/{team_id}/channels/categories")
}

async fn categories(server: &TestServer, user: &TestUser, team_id: &str) -> Value {
    let got = server.get_as(&user.token, &path("me", team_id)).await;
    got.assert_status(200);
    got.json()
}

/// The category of `kind` (or with that id) from a `GET .../categories` answer.
fn of<'a>(all: &'a Value, kind_or_id: &str) -> &'a Value {
    all["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == kind_or_id || c["id"] == kind_or_id)
        .unwrap_or_else(|| panic!("no {kind_or_id} in {all}"))
}

fn holds(category: &Value, channel_id: &str) -> bool {
    category["channel_ids"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == channel_id)
}

/// Where `channel_id` is, checking it is in exactly one category.
fn home(all: &Value, channel_id: &str) -> String {
    let homes: Vec<&Value> = all["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| holds(c, channel_id))
        .collect();
    assert!(
        homes.len() <= 1,
        "{channel_id} in several categories: {all}"
    );
    homes
        .first()
        .map(|c| c["type"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn create(server: &TestServer, user: &TestUser, team_id: &str, body: Value) -> Value {
    let created = server
        .post_as(&user.token, &path(&user.id, team_id), &body)
        .await;
    created.assert_status(200);
    created.json()
}

#[tokio::test]
async fn defaults_are_created_on_first_read_and_follow_membership() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let all = categories(&server, &w.bob, &w.team_id).await;
    let cats = all["categories"].as_array().unwrap();
    assert_eq!(cats.len(), 3, "{all}");
    let kinds: Vec<&str> = cats.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["favorites", "channels", "direct_messages"]);
    let names: Vec<&str> = cats
        .iter()
        .map(|c| c["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Favorites", "Channels", "Direct Messages"]);
    for (c, kind) in cats.iter().zip(&kinds) {
        assert_eq!(c["id"], format!("{kind}_{}_{}", w.bob.id, w.team_id));
        assert_eq!(c["user_id"], w.bob.id.as_str());
        assert_eq!(c["team_id"], w.team_id.as_str());
        assert_eq!(c["muted"], false);
        assert_eq!(c["collapsed"], false);
        assert!(c["sort_order"].is_i64(), "{c}");
    }
    assert_eq!(of(&all, "direct_messages")["sorting"], "recent");
    assert_eq!(of(&all, "channels")["sorting"], "");
    let order: Vec<&Value> = cats.iter().map(|c| &c["id"]).collect();
    assert_eq!(
        all["order"].as_array().unwrap().iter().collect::<Vec<_>>(),
        order
    );
    assert_eq!(home(&all, &w.town), "channels");

    // Reading again creates nothing new; the order endpoint agrees.
    let again = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(again, all);
    let order = server
        .get_as(
            &w.bob.token,
            &format!("{}/order", path(&w.bob.id, &w.team_id)),
        )
        .await;
    order.assert_status(200);
    assert_eq!(order.json(), all["order"]);
    let one = server
        .get_as(
            &w.bob.token,
            &format!(
                "{}/{}",
                path("me", &w.team_id),
                all["order"][1].as_str().unwrap()
            ),
        )
        .await;
    one.assert_status(200);
    assert_eq!(&one.json(), of(&all, "channels"));

    // A channel bob creates, and a direct message, land in their default categories.
    let mine = id(&channel(&server, &w.bob, &w.team_id, "bobs", "O").await);
    let dm = server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/direct",
            &json!([w.bob.id, w.carol.id]),
        )
        .await;
    dm.assert_status(201);
    let dm = id(&dm.json());
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &mine), "channels");
    assert_eq!(home(&all, &dm), "direct_messages");

    // Moved into a custom category, then left: it is gone from the sidebar.
    create(
        &server,
        &w.bob,
        &w.team_id,
        json!({"user_id": w.bob.id, "team_id": w.team_id, "display_name": "Work", "channel_ids": [mine]}),
    )
    .await;
    assert_eq!(
        home(&categories(&server, &w.bob, &w.team_id).await, &mine),
        "custom"
    );
    server
        .delete_as(
            &w.bob.token,
            &format!("/api/v4/channels/{mine}/members/{}", w.bob.id),
        )
        .await
        .assert_status(200);
    assert_eq!(
        home(&categories(&server, &w.bob, &w.team_id).await, &mine),
        ""
    );
}

#[tokio::test]
async fn custom_categories_create_update_reorder_delete() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let dev = id(&channel(&server, &w.bob, &w.team_id, "dev", "O").await);
    let ops = id(&channel(&server, &w.bob, &w.team_id, "ops", "P").await);
    let foreign = id(&channel(&server, &w.carol, &w.team_id, "carols", "P").await);

    // Not a member of `foreign`: silently dropped, as Mattermost does; duplicates too.
    let work = create(
        &server,
        &w.bob,
        &w.team_id,
        json!({"user_id": w.bob.id, "team_id": w.team_id, "display_name": "Work",
               "sorting": "alpha", "channel_ids": [dev, foreign, dev], "unknown": 1}),
    )
    .await;
    assert_eq!(work["type"], "custom");
    assert_eq!(work["display_name"], "Work");
    assert_eq!(work["sorting"], "alpha");
    assert_eq!(work["channel_ids"], json!([dev]));
    assert_eq!(work["sort_order"], 10);
    let work_id = work["id"].as_str().unwrap().to_string();

    // Placed right after Favorites.
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(all["order"][1], work_id.as_str());
    assert_eq!(home(&all, &dev), "custom");
    assert_eq!(home(&all, &ops), "channels");

    // Update one: rename, re-sort, collapse, take `ops` from Channels.
    let updated = server
        .put_as(
            &w.bob.token,
            &format!("{}/{work_id}", path("me", &w.team_id)),
            &json!({"id": "ignored", "user_id": w.bob.id, "team_id": w.team_id, "display_name": "Projects",
                    "sorting": "manual", "collapsed": true, "channel_ids": [ops, dev]}),
        )
        .await;
    updated.assert_status(200);
    let updated = updated.json();
    assert_eq!(updated["id"], work_id.as_str());
    assert_eq!(updated["display_name"], "Projects");
    assert_eq!(updated["collapsed"], true);
    assert_eq!(updated["channel_ids"], json!([ops, dev]));
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &ops), "custom");
    assert!(!holds(of(&all, "channels"), &ops));

    // Update many: a default category keeps its name; moving `dev` back to Channels.
    let channels_id = of(&all, "channels")["id"].as_str().unwrap().to_string();
    let mut channels_ids: Vec<Value> = of(&all, "channels")["channel_ids"]
        .as_array()
        .unwrap()
        .clone();
    channels_ids.push(json!(dev));
    let many = server
        .put_as(
            &w.bob.token,
            &path("me", &w.team_id),
            &json!([{"id": channels_id, "user_id": w.bob.id, "team_id": w.team_id,
                     "display_name": "Renamed", "sorting": "alpha", "channel_ids": channels_ids}]),
        )
        .await;
    many.assert_status(200);
    let many = many.json();
    assert_eq!(many[0]["display_name"], "Channels");
    assert_eq!(many[0]["sorting"], "alpha");
    assert!(holds(&many[0], &dev));
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &dev), "channels");
    assert_eq!(of(&all, &work_id)["channel_ids"], json!([ops]));

    // Reorder: reversed; an incomplete or foreign list is refused.
    let mut order: Vec<Value> = all["order"].as_array().unwrap().clone();
    order.reverse();
    let order_path = format!("{}/order", path("me", &w.team_id));
    let put = server
        .put_as(&w.bob.token, &order_path, &json!(order))
        .await;
    put.assert_status(200);
    assert_eq!(put.json(), json!(order));
    assert_eq!(
        categories(&server, &w.bob, &w.team_id).await["order"],
        json!(order)
    );
    server
        .put_as(&w.bob.token, &order_path, &json!(order[..2]))
        .await
        .assert_error(400, "app.channel.sidebar_categories.app_error");
    let carols = categories(&server, &w.carol, &w.team_id).await;
    let mut with_foreign = order.clone();
    with_foreign[0] = carols["order"][0].clone();
    server
        .put_as(&w.bob.token, &order_path, &json!(with_foreign))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");

    // Default categories cannot be deleted; deleting a custom one returns its channels.
    server
        .delete_as(
            &w.bob.token,
            &format!("{}/{channels_id}", path("me", &w.team_id)),
        )
        .await
        .assert_error(400, "app.channel.sidebar_categories.app_error");
    let deleted = server
        .delete_as(
            &w.bob.token,
            &format!("{}/{work_id}", path("me", &w.team_id)),
        )
        .await;
    deleted.assert_status(200);
    assert_eq!(deleted.json(), json!({"status": "OK"}));
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(all["categories"].as_array().unwrap().len(), 3);
    assert_eq!(home(&all, &ops), "channels");
    server
        .get_as(
            &w.bob.token,
            &format!("{}/{work_id}", path("me", &w.team_id)),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
}

#[tokio::test]
async fn favorites_follow_the_favorite_channel_preferences_both_ways() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let dev = id(&channel(&server, &w.bob, &w.team_id, "dev", "O").await);
    let prefs = format!("/api/v4/users/{}/preferences", w.bob.id);
    // A favorite saved before the categories exist starts in Favorites.
    server
        .put_as(
            &w.bob.token,
            &prefs,
            &json!([{"user_id": w.bob.id, "category": "favorite_channel", "name": w.town, "value": "true"}]),
        )
        .await
        .assert_status(200);
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &w.town), "favorites");
    assert_eq!(home(&all, &dev), "channels");

    // Preference -> category.
    server
        .put_as(
            &w.bob.token,
            &prefs,
            &json!([{"user_id": w.bob.id, "category": "favorite_channel", "name": dev, "value": "true"}]),
        )
        .await
        .assert_status(200);
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &dev), "favorites");
    assert_eq!(
        of(&all, "favorites")["channel_ids"][0],
        dev.as_str(),
        "newest favorite first"
    );
    server
        .put_as(
            &w.bob.token,
            &prefs,
            &json!([{"user_id": w.bob.id, "category": "favorite_channel", "name": dev, "value": "false"}]),
        )
        .await
        .assert_status(200);
    assert_eq!(
        home(&categories(&server, &w.bob, &w.team_id).await, &dev),
        "channels"
    );
    server
        .post_as(
            &w.bob.token,
            &format!("{prefs}/delete"),
            &json!([{"user_id": w.bob.id, "category": "favorite_channel", "name": w.town, "value": ""}]),
        )
        .await
        .assert_status(200);
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &w.town), "channels");

    // Category -> preference.
    let favorites = of(&all, "favorites").clone();
    let put = |channel_ids: Value| {
        let mut body = favorites.clone();
        body["channel_ids"] = channel_ids;
        json!([body])
    };
    server
        .put_as(&w.bob.token, &path("me", &w.team_id), &put(json!([dev])))
        .await
        .assert_status(200);
    let pref = server
        .get_as(
            &w.bob.token,
            &format!("{prefs}/favorite_channel/name/{dev}"),
        )
        .await;
    pref.assert_status(200);
    assert_eq!(pref.json()["value"], "true");
    assert_eq!(
        home(&categories(&server, &w.bob, &w.team_id).await, &dev),
        "favorites"
    );
    server
        .put_as(&w.bob.token, &path("me", &w.team_id), &put(json!([])))
        .await
        .assert_status(200);
    server
        .get_as(
            &w.bob.token,
            &format!("{prefs}/favorite_channel/name/{dev}"),
        )
        .await
        .assert_error(404, "app.preference.get.app_error");
    assert_eq!(
        home(&categories(&server, &w.bob, &w.team_id).await, &dev),
        "channels"
    );

    // A new custom category that takes a favorite: no longer a favorite, in the same step.
    server
        .put_as(
            &w.bob.token,
            &prefs,
            &json!([{"user_id": w.bob.id, "category": "favorite_channel", "name": dev, "value": "true"}]),
        )
        .await
        .assert_status(200);
    let created = create(
        &server,
        &w.bob,
        &w.team_id,
        json!({"user_id": w.bob.id, "team_id": w.team_id, "display_name": "Work", "channel_ids": [dev]}),
    )
    .await;
    let all = categories(&server, &w.bob, &w.team_id).await;
    assert_eq!(home(&all, &dev), "custom");
    assert!(holds(of(&all, created["id"].as_str().unwrap()), &dev));
    server
        .get_as(
            &w.bob.token,
            &format!("{prefs}/favorite_channel/name/{dev}"),
        )
        .await
        .assert_error(404, "app.preference.get.app_error");
}

#[tokio::test]
async fn muting_a_category_mutes_its_channels() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let dev = id(&channel(&server, &w.bob, &w.team_id, "dev", "O").await);
    let work = create(
        &server,
        &w.bob,
        &w.team_id,
        json!({"user_id": w.bob.id, "team_id": w.team_id, "display_name": "Work", "channel_ids": [dev]}),
    )
    .await;
    let mark_unread = || async {
        let member = server
            .get_as(
                &w.bob.token,
                &format!("/api/v4/channels/{dev}/members/{}", w.bob.id),
            )
            .await;
        member.assert_status(200);
        member.json()["notify_props"]["mark_unread"].clone()
    };
    let mut body = work.clone();
    body["muted"] = json!(true);
    let muted = server
        .put_as(
            &w.bob.token,
            &format!(
                "{}/{}",
                path("me", &w.team_id),
                work["id"].as_str().unwrap()
            ),
            &body,
        )
        .await;
    muted.assert_status(200);
    assert_eq!(muted.json()["muted"], true);
    assert_eq!(mark_unread().await, "mention");
    body["muted"] = json!(false);
    server
        .put_as(
            &w.bob.token,
            &format!(
                "{}/{}",
                path("me", &w.team_id),
                work["id"].as_str().unwrap()
            ),
            &body,
        )
        .await
        .assert_status(200);
    assert_eq!(mark_unread().await, "all");
}

#[tokio::test]
async fn only_the_user_or_an_admin_and_only_on_the_team() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let bobs = categories(&server, &w.bob, &w.team_id).await;
    let bobs_channels = of(&bobs, "channels")["id"].as_str().unwrap().to_string();

    server
        .get_as(&w.carol.token, &path(&w.bob.id, &w.team_id))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &w.carol.token,
            &format!("{}/{bobs_channels}", path(&w.bob.id, &w.team_id)),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // carol naming bob's category under her own path.
    server
        .get_as(
            &w.carol.token,
            &format!("{}/{bobs_channels}", path("me", &w.team_id)),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(
            &w.carol.token,
            &path("me", &w.team_id),
            &json!([of(&bobs, "channels")]),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    // eve is not on the team.
    server
        .get_as(&w.eve.token, &path("me", &w.team_id))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Bad ids.
    server
        .get_as(&w.bob.token, &path("me", "nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(
            &w.bob.token,
            &format!("{}/custom_x", path("me", &w.team_id)),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // The body must name the path's user and team.
    server
        .post_as(
            &w.bob.token,
            &path("me", &w.team_id),
            &json!({"user_id": w.carol.id, "team_id": w.team_id, "display_name": "X"}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    // An admin (edit_other_users) may read and change anyone's; unknown ids are then 404.
    let read = server
        .get_as(&w.admin.token, &path(&w.bob.id, &w.team_id))
        .await;
    read.assert_status(200);
    assert_eq!(read.json(), bobs);
    server
        .get_as(
            &w.admin.token,
            &format!("{}/{}", path(&w.bob.id, &w.team_id), "a".repeat(26)),
        )
        .await
        .assert_error(404, "app.channel.sidebar_categories.app_error");
    create(
        &server,
        &w.admin,
        &w.team_id,
        json!({"user_id": w.admin.id, "team_id": w.team_id, "display_name": "Mine"}),
    )
    .await;
    let for_bob = server
        .post_as(
            &w.admin.token,
            &path(&w.bob.id, &w.team_id),
            &json!({"user_id": w.bob.id, "team_id": w.team_id, "display_name": "From admin"}),
        )
        .await;
    for_bob.assert_status(200);
    assert_eq!(for_bob.json()["user_id"], w.bob.id.as_str());
}

#[tokio::test]
async fn events_reach_only_the_user() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let dev = id(&channel(&server, &w.bob, &w.team_id, "dev", "O").await);
    categories(&server, &w.bob, &w.team_id).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;

    let work = create(
        &server,
        &w.bob,
        &w.team_id,
        json!({"user_id": w.bob.id, "team_id": w.team_id, "display_name": "Work"}),
    )
    .await;
    let work_id = work["id"].as_str().unwrap().to_string();
    let frame = bob.event("sidebar_category_created").await;
    assert_eq!(frame["data"]["category_id"], work_id.as_str());
    assert_eq!(frame["broadcast"]["user_id"], w.bob.id.as_str());
    assert_eq!(frame["broadcast"]["team_id"], w.team_id.as_str());

    let mut body = work.clone();
    body["channel_ids"] = json!([dev]);
    server
        .put_as(
            &w.bob.token,
            &format!("{}/{work_id}", path("me", &w.team_id)),
            &body,
        )
        .await
        .assert_status(200);
    let frame = bob.event("sidebar_category_updated").await;
    let updated = json_string(&frame["data"]["updatedCategories"]);
    assert_eq!(updated[0]["id"], work_id.as_str());
    assert_eq!(updated[0]["channel_ids"], json!([dev]));

    let mut order: Vec<Value> = categories(&server, &w.bob, &w.team_id).await["order"]
        .as_array()
        .unwrap()
        .clone();
    order.reverse();
    server
        .put_as(
            &w.bob.token,
            &format!("{}/order", path("me", &w.team_id)),
            &json!(order),
        )
        .await
        .assert_status(200);
    let frame = bob.event("sidebar_category_order_updated").await;
    assert_eq!(frame["data"]["order"], json!(order));

    server
        .delete_as(
            &w.bob.token,
            &format!("{}/{work_id}", path("me", &w.team_id)),
        )
        .await
        .assert_status(200);
    let frame = bob.event("sidebar_category_deleted").await;
    assert_eq!(frame["data"]["category_id"], work_id.as_str());

    // Setting a favorite preference announces a category change (without data).
    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/preferences", w.bob.id),
            &json!([{"user_id": w.bob.id, "category": "favorite_channel", "name": dev, "value": "true"}]),
        )
        .await
        .assert_status(200);
    bob.event("sidebar_category_updated").await;

    carol.no_event("sidebar_category_created").await;
    carol.no_event("sidebar_category_updated").await;
}
