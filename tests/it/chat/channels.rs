use serde_json::json;

use super::{channel, join, post, team};
use crate::support::TestServer;

#[tokio::test]
async fn public_and_private_channels_and_their_readers() {
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

    let public = channel(&server, &bob, &team_id, "general-talk", "O").await;
    assert_eq!(public["type"], "O");
    assert_eq!(public["creator_id"], bob.id.as_str());
    let private = channel(&server, &bob, &team_id, "secret", "P").await;
    let private_id = private["id"].as_str().unwrap();
    let public_id = public["id"].as_str().unwrap();
    let creator = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{private_id}/members/me"),
        )
        .await
        .json();
    assert_eq!(creator["roles"], "channel_user channel_admin");

    // Team members read public channels; non-members never read private ones.
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{public_id}"))
        .await
        .assert_status(200);
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{private_id}"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    post(&server, &bob, private_id, "classified").await;
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{private_id}/posts"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(
            &eve.token,
            &format!("/api/v4/channels/{private_id}/members"),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &eve.token,
            &format!("/api/v4/channels/{private_id}/members"),
            &json!({"user_id": eve.id}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &eve.token,
            "/api/v4/posts",
            &json!({"channel_id": private_id, "message": "let me in"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let listed = server
        .get_as(&eve.token, &format!("/api/v4/teams/{team_id}/channels"))
        .await
        .json();
    assert!(listed.as_array().unwrap().iter().all(|c| c["type"] == "O"));
    let searched = server
        .post_as(
            &eve.token,
            &format!("/api/v4/teams/{team_id}/channels/search"),
            &json!({"term": "sec"}),
        )
        .await
        .json();
    assert_eq!(
        searched,
        json!([]),
        "private channels do not show up for non-members"
    );

    // Eve joins the public channel herself; Bob adds her to the private one.
    server
        .post_as(
            &eve.token,
            &format!("/api/v4/channels/{public_id}/members"),
            &json!({"user_id": eve.id}),
        )
        .await
        .assert_status(201);
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/channels/{private_id}/members"),
            &json!({"user_id": eve.id}),
        )
        .await
        .assert_status(201);
    let page = server
        .get_as(&eve.token, &format!("/api/v4/channels/{private_id}/posts"))
        .await
        .json();
    // Newest first: Mattermost's "added to the channel by" message, then Bob's post.
    let order = page["order"].as_array().unwrap();
    assert_eq!(order.len(), 2);
    let added = &page["posts"][order[0].as_str().unwrap()];
    assert_eq!(added["type"], "system_add_to_channel");
    assert_eq!(added["user_id"], bob.id.as_str());
    assert_eq!(added["props"]["addedUserId"], eve.id.as_str());
    assert_eq!(added["props"]["addedUsername"], "eve");
    assert_eq!(added["props"]["username"], "bob");
    assert_eq!(
        page["posts"][order[1].as_str().unwrap()]["message"],
        "classified"
    );
    let public_page = server
        .get_as(&eve.token, &format!("/api/v4/channels/{public_id}/posts"))
        .await
        .json();
    let joined = &public_page["posts"][public_page["order"][0].as_str().unwrap()];
    assert_eq!(joined["type"], "system_join_channel");
    assert_eq!(joined["user_id"], eve.id.as_str());
    assert_eq!(joined["props"]["username"], "eve");

    // Removed again: access ends at once.
    server
        .delete_as(
            &bob.token,
            &format!("/api/v4/channels/{private_id}/members/{}", eve.id),
        )
        .await
        .assert_status(200);
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{private_id}/posts"))
        .await
        .assert_status(403);
    let page = server
        .get_as(&bob.token, &format!("/api/v4/channels/{private_id}/posts"))
        .await
        .json();
    let removed = &page["posts"][page["order"][0].as_str().unwrap()];
    assert_eq!(removed["type"], "system_remove_from_channel");
    assert_eq!(removed["props"]["removedUserId"], eve.id.as_str());
    assert_eq!(removed["message"], "@eve was removed from the channel.");
    // Eve leaves the public channel herself; a repeated leave changes nothing.
    for expected in [200, 404] {
        server
            .delete_as(
                &eve.token,
                &format!("/api/v4/channels/{public_id}/members/{}", eve.id),
            )
            .await
            .assert_status(expected);
    }
    let page = server
        .get_as(&bob.token, &format!("/api/v4/channels/{public_id}/posts"))
        .await
        .json();
    let kinds: Vec<&str> = page["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            page["posts"][id.as_str().unwrap()]["type"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(kinds, ["system_leave_channel", "system_join_channel"]);

    let by_name = server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/channels/name/secret"),
        )
        .await;
    by_name.assert_status(200);
    server
        .get_as(&eve.token, "/api/v4/teams/name/eng/channels/name/secret")
        .await
        .assert_status(403);
}

#[tokio::test]
async fn channel_rules() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    channel(&server, &admin, &team_id, "dup", "O").await;
    let create = |body: serde_json::Value| {
        let (server, token) = (&server, admin.token.clone());
        async move { server.post_as(&token, "/api/v4/channels", &body).await }
    };
    create(json!({"team_id": team_id, "name": "dup", "display_name": "Dup", "type": "O"}))
        .await
        .assert_error(400, "store.sql_channel.save_channel.exists.app_error");
    create(json!({"team_id": team_id, "name": "Bad Name", "display_name": "x", "type": "O"}))
        .await
        .assert_error(400, "model.channel.is_valid.2_or_more.app_error");
    create(json!({"team_id": team_id, "name": "ok", "display_name": "x", "type": "D"}))
        .await
        .assert_error(400, "model.channel.is_valid.type.app_error");
    create(json!({"team_id": "zzzzzzzzzzzzzzzzzzzzzzzzzz", "name": "ok", "display_name": "x", "type": "O"}))
        .await
        .assert_error(404, "app.team.get.find.app_error");
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json();
    let town_id = town["id"].as_str().unwrap();
    server
        .delete_as(&admin.token, &format!("/api/v4/channels/{town_id}"))
        .await
        .assert_error(400, "api.channel.delete_channel.cannot.app_error");
    server
        .delete_as(
            &admin.token,
            &format!("/api/v4/channels/{town_id}/members/me"),
        )
        .await
        .assert_error(400, "api.channel.remove.default.app_error");

    let dup = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/dup"),
        )
        .await
        .json();
    let dup_id = dup["id"].as_str().unwrap();
    let patched = server
        .put_as(
            &admin.token,
            &format!("/api/v4/channels/{dup_id}/patch"),
            &json!({"header": "h", "purpose": "p", "display_name": "Duplicate"}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.json()["header"], "h");
    server
        .delete_as(&admin.token, &format!("/api/v4/channels/{dup_id}"))
        .await
        .assert_status(200);
    server
        .post_as(
            &admin.token,
            "/api/v4/posts",
            &json!({"channel_id": dup_id, "message": "x"}),
        )
        .await
        .assert_error(400, "api.post.create_post.can_not_post_to_deleted.error");
    let restored = server
        .post_as(
            &admin.token,
            &format!("/api/v4/channels/{dup_id}/restore"),
            &json!({}),
        )
        .await;
    assert_eq!(restored.json()["delete_at"], 0);
}

#[tokio::test]
async fn direct_and_group_channels() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let eve = server.user(&admin, "eve").await;
    let dm = server
        .post_as(
            &bob.token,
            "/api/v4/channels/direct",
            &json!([bob.id, carol.id]),
        )
        .await;
    dm.assert_status(201);
    let dm = dm.json();
    let mut ids = [bob.id.clone(), carol.id.clone()];
    ids.sort();
    assert_eq!(dm["name"], format!("{}__{}", ids[0], ids[1]));
    assert_eq!(dm["type"], "D");
    assert_eq!(dm["team_id"], "");
    let again = server
        .post_as(
            &carol.token,
            "/api/v4/channels/direct",
            &json!([carol.id, bob.id]),
        )
        .await
        .json();
    assert_eq!(again["id"], dm["id"], "the same channel both ways");
    server
        .post_as(
            &eve.token,
            "/api/v4/channels/direct",
            &json!([bob.id, carol.id]),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let dm_id = dm["id"].as_str().unwrap();
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{dm_id}/posts"))
        .await
        .assert_status(403);

    let gm = server
        .post_as(
            &bob.token,
            "/api/v4/channels/group",
            &json!([carol.id, eve.id]),
        )
        .await;
    gm.assert_status(201);
    let gm = gm.json();
    assert_eq!(gm["type"], "G");
    assert_eq!(gm["display_name"], "bob, carol, eve");
    assert_eq!(gm["name"].as_str().unwrap().len(), 40, "sha1 hex");
    server
        .post_as(&bob.token, "/api/v4/channels/group", &json!([carol.id]))
        .await
        .assert_error(400, "api.channel.create_group.bad_size.app_error");
    server
        .post_as(
            &bob.token,
            "/api/v4/channels/direct",
            &json!([bob.id, "zzzzzzzzzzzzzzzzzzzzzzzzzz"]),
        )
        .await
        .assert_error(
            400,
            "api.channel.create_direct_channel.invalid_user.app_error",
        );
}

#[tokio::test]
async fn unread_and_mention_counts_until_viewed() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(&server, &admin, &team_id, &bob).await;
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json();
    let town_id = town["id"].as_str().unwrap();
    // The team's system messages came first: the creator's join (read by its author) and
    // "bob added to the team by admin" (unread for Bob, as in Mattermost).
    let base = town["total_msg_count"].as_i64().unwrap();
    assert_eq!(base, 2);
    assert_eq!(town["total_msg_count_root"], 2);
    let before = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/channels/{town_id}/unread"),
        )
        .await
        .json();
    assert_eq!(before["msg_count"], 1);
    assert_eq!(before["mention_count"], 0);

    post(&server, &admin, town_id, "hello all").await;
    post(&server, &admin, town_id, "hey @bob look").await;
    let root = post(&server, &admin, town_id, "@channel standup").await;
    server
        .post_as(
            &admin.token,
            "/api/v4/posts",
            &json!({"channel_id": town_id, "message": "reply", "root_id": root["id"]}),
        )
        .await
        .assert_status(201);

    let channel = server
        .get_as(&bob.token, &format!("/api/v4/channels/{town_id}"))
        .await
        .json();
    assert_eq!(channel["total_msg_count"], base + 4);
    assert_eq!(channel["total_msg_count_root"], base + 3);
    let unread = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/channels/{town_id}/unread"),
        )
        .await
        .json();
    assert_eq!(unread["msg_count"], 1 + 4);
    assert_eq!(unread["mention_count"], 2, "@bob and @channel");
    assert_eq!(unread["msg_count_root"], 1 + 3);
    let team_unread = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/teams/{team_id}/unread"),
        )
        .await
        .json();
    assert_eq!(team_unread["msg_count"], 1 + 4);
    assert_eq!(team_unread["mention_count"], 2);
    // The author has read everything they wrote.
    let own = server
        .get_as(
            &admin.token,
            &format!("/api/v4/users/me/channels/{town_id}/unread"),
        )
        .await
        .json();
    assert_eq!(own["msg_count"], 0);

    let viewed = server
        .post_as(
            &bob.token,
            "/api/v4/channels/members/me/view",
            &json!({"channel_id": town_id, "prev_channel_id": ""}),
        )
        .await;
    viewed.assert_status(200);
    let body = viewed.json();
    assert_eq!(body["status"], "OK");
    assert!(body["last_viewed_at_times"][town_id].as_i64().unwrap() > 0);
    let unread = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/channels/{town_id}/unread"),
        )
        .await
        .json();
    assert_eq!(unread["msg_count"], 0);
    assert_eq!(unread["mention_count"], 0);
    let member = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{town_id}/members/me"),
        )
        .await
        .json();
    assert_eq!(member["msg_count"], base + 4);

    // Direct messages count as mentions for the other person.
    let dm = server
        .post_as(
            &admin.token,
            "/api/v4/channels/direct",
            &json!([admin.id, bob.id]),
        )
        .await
        .json();
    let dm_id = dm["id"].as_str().unwrap();
    post(&server, &admin, dm_id, "psst").await;
    let unread = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/channels/{dm_id}/unread"),
        )
        .await
        .json();
    assert_eq!(unread["mention_count"], 1);
    let mine = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/teams/{team_id}/channels"),
        )
        .await
        .json();
    assert!(
        mine.as_array().unwrap().iter().any(|c| c["id"] == dm["id"]),
        "DMs are listed with team channels"
    );
}

#[tokio::test]
async fn users_filtered_by_team_and_channel_membership() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    server.user(&admin, "loner").await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(&server, &admin, &team_id, &bob).await;
    join(&server, &admin, &team_id, &eve).await;
    let private = channel(&server, &bob, &team_id, "secret", "P").await;
    let private_id = private["id"].as_str().unwrap();
    let names = |body: serde_json::Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_string())
            .collect()
    };
    let in_team = server
        .get_as(&bob.token, &format!("/api/v4/users?in_team={team_id}"))
        .await
        .json();
    assert_eq!(names(in_team), ["admin", "bob", "eve"]);
    let not_in_team = server
        .get_as(&bob.token, &format!("/api/v4/users?not_in_team={team_id}"))
        .await
        .json();
    assert_eq!(names(not_in_team), ["loner"]);
    let without = server
        .get_as(&bob.token, "/api/v4/users?without_team=true")
        .await
        .json();
    assert_eq!(names(without), ["loner"]);
    let in_channel = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users?in_channel={private_id}"),
        )
        .await
        .json();
    assert_eq!(names(in_channel), ["bob"]);
    let not_in_channel = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users?in_team={team_id}&not_in_channel={private_id}"),
        )
        .await
        .json();
    assert_eq!(names(not_in_channel), ["admin", "eve"]);
    server
        .get_as(
            &eve.token,
            &format!("/api/v4/users?in_channel={private_id}"),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&eve.token, "/api/v4/users?in_team=bad")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn channels_convert_between_public_and_private() {
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
    let created = channel(&server, &bob, &team_id, "plans", "O").await;
    let id = created["id"].as_str().unwrap();
    let privacy = format!("/api/v4/channels/{id}/privacy");
    // Eve is only a team member: she may not convert it.
    server
        .put_as(&eve.token, &privacy, &json!({"privacy": "P"}))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .put_as(&bob.token, &privacy, &json!({"privacy": "X"}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    let converted = server
        .put_as(&bob.token, &privacy, &json!({"privacy": "P"}))
        .await;
    converted.assert_status(200);
    assert_eq!(converted.json()["type"], "P");
    // Now private: Eve, not a member, loses sight of it at once.
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{id}"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let page = server
        .get_as(&bob.token, &format!("/api/v4/channels/{id}/posts"))
        .await
        .json();
    let latest = &page["posts"][page["order"][0].as_str().unwrap()];
    assert_eq!(latest["type"], "system_change_chan_privacy");
    assert_eq!(latest["props"]["username"], "bob");
    server
        .put_as(&bob.token, &privacy, &json!({"privacy": "O"}))
        .await
        .assert_status(200);
    server
        .get_as(&eve.token, &format!("/api/v4/channels/{id}"))
        .await
        .assert_status(200);

    // Neither the default channel nor direct messages change privacy.
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json();
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/channels/{}/privacy", town["id"].as_str().unwrap()),
            &json!({"privacy": "P"}),
        )
        .await
        .assert_error(
            400,
            "api.channel.update_channel_privacy.default_channel_error",
        );
    let dm = server
        .post_as(
            &bob.token,
            "/api/v4/channels/direct",
            &json!([bob.id, eve.id]),
        )
        .await
        .json();
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/channels/{}/privacy", dm["id"].as_str().unwrap()),
            &json!({"privacy": "P"}),
        )
        .await
        .assert_status(400);
    server
        .put_as(
            &bob.token,
            "/api/v4/channels/zzzzzzzzzzzzzzzzzzzzzzzzzz/privacy",
            &json!({"privacy": "P"}),
        )
        .await
        .assert_status(404);
}

#[tokio::test]
async fn property_changes_and_archiving_are_announced() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(&server, &admin, &team_id, &bob).await;
    let created = channel(&server, &bob, &team_id, "plans", "O").await;
    let id = created["id"].as_str().unwrap();
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/channels/{id}/patch"),
            &json!({"header": "Roadmap", "purpose": "planning", "display_name": "Plans"}),
        )
        .await
        .assert_status(200);
    // Only what changed is announced: the display name stayed "plans" -> "Plans" changed,
    // header and purpose were empty before.
    server
        .delete_as(&bob.token, &format!("/api/v4/channels/{id}"))
        .await
        .assert_status(200);
    server
        .post_as(
            &bob.token,
            &format!("/api/v4/channels/{id}/restore"),
            &json!({}),
        )
        .await
        .assert_status(200);
    let page = server
        .get_as(&bob.token, &format!("/api/v4/channels/{id}/posts"))
        .await
        .json();
    let posts: Vec<&serde_json::Value> = page["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| &page["posts"][id.as_str().unwrap()])
        .collect();
    let kinds: Vec<&str> = posts.iter().map(|p| p["type"].as_str().unwrap()).collect();
    // Newest first. Requests a millisecond apart may share a timestamp, so only the order
    // within one change is fixed: the patch's three messages, and archive before restore.
    let position = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert!(position("system_channel_restored") < position("system_channel_deleted"));
    assert!(position("system_displayname_change") < position("system_purpose_change"));
    assert!(position("system_purpose_change") < position("system_header_change"));
    let header = posts[position("system_header_change")];
    assert_eq!(header["props"]["new_header"], "Roadmap");
    assert_eq!(header["props"]["old_header"], "");
    assert_eq!(
        header["message"],
        "bob updated the channel header to: Roadmap"
    );
    assert_eq!(
        posts[position("system_displayname_change")]["props"]["old_displayname"],
        "plans"
    );
    assert!(posts.iter().all(|p| p["user_id"] == bob.id.as_str()));
    // The counters moved with the announcements.
    let counted = server
        .get_as(&bob.token, &format!("/api/v4/channels/{id}"))
        .await
        .json();
    assert_eq!(counted["total_msg_count"], 5);
}

#[tokio::test]
async fn channel_timezones_and_member_counts_by_group() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let outsider = server.user(&admin, "outsider").await;
    let team_id = team(&server, &admin, "tz").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for user in [&bob, &carol, &outsider] {
        join(&server, &admin, &team_id, user).await;
    }
    let private = channel(&server, &admin, &team_id, "tz-private", "P").await;
    let channel_id = private["id"].as_str().unwrap();
    for user in [&bob, &carol] {
        server
            .post_as(
                &admin.token,
                &format!("/api/v4/channels/{channel_id}/members"),
                &json!({"user_id": user.id}),
            )
            .await
            .assert_status(201);
    }
    let set_timezone = |user: &crate::support::accounts::TestUser, tz: serde_json::Value| {
        let (server, token, path) = (
            &server,
            user.token.clone(),
            format!("/api/v4/users/{}/patch", user.id),
        );
        async move {
            server
                .put_as(&token, &path, &json!({"timezone": tz}))
                .await
                .assert_status(200);
        }
    };
    // Automatic zone used, manual one ignored; manual zone used; a second user in the same
    // zone is listed once; the admin (default settings, empty zones) adds nothing.
    set_timezone(
        &bob,
        json!({"useAutomaticTimezone": "true", "automaticTimezone": "Europe/Berlin", "manualTimezone": "Asia/Tokyo"}),
    )
    .await;
    set_timezone(
        &carol,
        json!({"useAutomaticTimezone": "false", "automaticTimezone": "Europe/Paris", "manualTimezone": "America/Chicago"}),
    )
    .await;
    set_timezone(
        &outsider,
        json!({"useAutomaticTimezone": "false", "automaticTimezone": "", "manualTimezone": "Pacific/Auckland"}),
    )
    .await;
    let zones = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{channel_id}/timezones"),
        )
        .await;
    zones.assert_status(200);
    assert_eq!(zones.json(), json!(["America/Chicago", "Europe/Berlin"]));

    let counts = server
        .get_as(
            &bob.token,
            &format!("/api/v4/channels/{channel_id}/member_counts_by_group?include_timezones=true"),
        )
        .await;
    counts.assert_status(200);
    assert_eq!(counts.json(), json!([]));

    // A private channel is not readable by a non-member.
    for path in ["timezones", "member_counts_by_group"] {
        server
            .get_as(
                &outsider.token,
                &format!("/api/v4/channels/{channel_id}/{path}"),
            )
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    server
        .get_as(&bob.token, "/api/v4/channels/not-an-id/timezones")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}
