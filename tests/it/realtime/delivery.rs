//! Every event reaches the users who may see it, with Mattermost's data shapes, and no one
//! else.

use serde_json::{json, Value};

use super::{id, json_string, world, Ws};
use crate::chat::{channel, post};
use crate::support::TestServer;

#[tokio::test]
async fn posted_reaches_members_with_mattermost_fields_and_per_recipient_mentions() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let mut eve = Ws::connect(&server, &w.eve).await;
    let created = post(&server, &w.admin, &w.town, "hello @bob").await;

    let frame = bob.event("posted").await;
    let data = &frame["data"];
    let sent = json_string(&data["post"]);
    assert_eq!(sent["id"], created["id"]);
    assert_eq!(sent["message"], "hello @bob");
    assert_eq!(sent["root_id"], "");
    assert_eq!(sent["file_ids"], json!([]));
    assert_eq!(data["channel_type"], "O");
    assert_eq!(data["channel_name"], "town-square");
    assert_eq!(data["channel_display_name"], "Town Square");
    assert_eq!(data["sender_name"], "@admin");
    assert_eq!(data["team_id"], w.team_id);
    assert_eq!(data["set_online"], true);
    assert_eq!(frame["broadcast"]["channel_id"], w.town);
    assert_eq!(json_string(&data["mentions"]), json!([w.bob.id]));

    let frame = carol.event("posted").await;
    assert!(frame["data"].get("mentions").is_none(), "{frame}");
    // eve is not on the team.
    eve.no_event("posted").await;
}

#[tokio::test]
async fn private_channel_content_never_reaches_non_members() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let private = id(&channel(&server, &w.bob, &w.team_id, "secret", "P").await);
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let mut admin = Ws::connect(&server, &w.admin).await;

    let created = post(&server, &w.bob, &private, "psst").await;
    assert_eq!(
        json_string(&bob.event("posted").await["data"]["post"])["id"],
        created["id"]
    );
    // Not even a system admin receives events of a channel they are not in.
    carol.no_event("posted").await;
    admin.no_event("posted").await;

    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/posts/{}/patch", id(&created)),
            &json!({"message": "edited"}),
        )
        .await
        .assert_status(200);
    let edited = bob.event("post_edited").await;
    assert_eq!(json_string(&edited["data"]["post"])["message"], "edited");
    carol.no_event("post_edited").await;

    server
        .post_as(
            &w.bob.token,
            "/api/v4/reactions",
            &json!({"user_id": w.bob.id, "post_id": created["id"], "emoji_name": "smile"}),
        )
        .await
        .assert_status(200);
    let reaction = json_string(&bob.event("reaction_added").await["data"]["reaction"]);
    assert_eq!(reaction["emoji_name"], "smile");
    assert_eq!(reaction["user_id"], w.bob.id);
    carol.no_event("reaction_added").await;

    let typing = bob
        .action(
            "user_typing",
            json!({"channel_id": private, "parent_id": ""}),
        )
        .await;
    assert_eq!(typing["status"], "OK");
    // Carol is not a member: she may not announce typing there.
    let refused = carol
        .action(
            "user_typing",
            json!({"channel_id": private, "parent_id": ""}),
        )
        .await;
    assert_eq!(refused["status"], "FAIL");
    assert_eq!(refused["error"]["status_code"], 403);
    carol.no_event("typing").await;
}

#[tokio::test]
async fn edits_deletes_reactions_and_typing_reach_the_channel() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let created = post(&server, &w.carol, &w.town, "first").await;
    let post_id = id(&created);
    bob.event("posted").await;

    server
        .post_as(
            &w.carol.token,
            &format!("/api/v4/posts/{post_id}/pin"),
            &json!({}),
        )
        .await
        .assert_status(200);
    let pinned = json_string(&bob.event("post_edited").await["data"]["post"]);
    assert_eq!(pinned["is_pinned"], true);

    server
        .post_as(
            &w.bob.token,
            "/api/v4/reactions",
            &json!({"user_id": w.bob.id, "post_id": post_id, "emoji_name": "tada"}),
        )
        .await
        .assert_status(200);
    let added = carol.event("reaction_added").await;
    assert_eq!(added["broadcast"]["channel_id"], w.town);
    server
        .delete_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/posts/{post_id}/reactions/tada", w.bob.id),
        )
        .await
        .assert_status(200);
    let removed = json_string(&carol.event("reaction_removed").await["data"]["reaction"]);
    assert_eq!(removed["emoji_name"], "tada");
    assert_eq!(removed["post_id"], post_id);

    let typing = bob
        .action(
            "user_typing",
            json!({"channel_id": w.town, "parent_id": post_id}),
        )
        .await;
    assert_eq!(typing["status"], "OK");
    let seen = carol.event("typing").await;
    assert_eq!(seen["data"]["user_id"], w.bob.id);
    assert_eq!(seen["data"]["parent_id"], post_id);
    assert_eq!(seen["broadcast"]["omit_users"][&w.bob.id], true);
    // The typist is omitted.
    bob.no_event("typing").await;

    server
        .delete_as(&w.carol.token, &format!("/api/v4/posts/{post_id}"))
        .await
        .assert_status(200);
    let deleted = json_string(&bob.event("post_deleted").await["data"]["post"]);
    assert_eq!(deleted["id"], post_id);
    assert!(deleted["delete_at"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn membership_changes_route_at_once() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let public = id(&channel(&server, &w.bob, &w.team_id, "news", "O").await);
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;

    // Prime the audience cache with a first post, then change membership.
    post(&server, &w.bob, &public, "before").await;
    bob.event("posted").await;
    carol.no_event("posted").await;

    server
        .post_as(
            &w.carol.token,
            &format!("/api/v4/channels/{public}/members"),
            &json!({"user_id": w.carol.id}),
        )
        .await
        .assert_status(201);
    let added = bob.event("user_added").await;
    assert_eq!(added["data"]["user_id"], w.carol.id);
    assert_eq!(added["data"]["team_id"], w.team_id);
    carol.event("user_added").await;
    // Mattermost's join message reaches everyone in the channel, the newcomer included.
    for socket in [&mut carol, &mut bob] {
        let joined = json_string(&socket.event("posted").await["data"]["post"]);
        assert_eq!(joined["type"], "system_join_channel");
        assert_eq!(joined["props"]["username"], "carol");
    }
    post(&server, &w.bob, &public, "welcome").await;
    assert_eq!(
        json_string(&carol.event("posted").await["data"]["post"])["message"],
        "welcome"
    );
    bob.event("posted").await;

    server
        .delete_as(
            &w.bob.token,
            &format!("/api/v4/channels/{public}/members/{}", w.carol.id),
        )
        .await
        .assert_status(200);
    let notice = carol.event("user_removed").await;
    assert_eq!(notice["data"]["channel_id"], public);
    assert_eq!(notice["data"]["remover_id"], w.bob.id);
    assert_eq!(notice["broadcast"]["user_id"], w.carol.id);
    let seen = bob.event("user_removed").await;
    assert_eq!(seen["data"]["user_id"], w.carol.id);
    let removal = json_string(&bob.event("posted").await["data"]["post"]);
    assert_eq!(removal["type"], "system_remove_from_channel");
    // Removed: neither the removal notice nor the very next post reaches her.
    post(&server, &w.bob, &public, "after").await;
    bob.event("posted").await;
    carol.no_event("posted").await;
}

#[tokio::test]
async fn channel_lifecycle_events() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let created = channel(&server, &w.bob, &w.team_id, "plans", "O").await;
    let channel_id = id(&created);
    let frame = bob.event("channel_created").await;
    assert_eq!(frame["data"]["channel_id"], channel_id);
    assert_eq!(frame["data"]["team_id"], w.team_id);
    carol.no_event("channel_created").await;

    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/channels/{channel_id}/patch"),
            &json!({"header": "new header"}),
        )
        .await
        .assert_status(200);
    let updated = json_string(&bob.event("channel_updated").await["data"]["channel"]);
    assert_eq!(updated["header"], "new header");
    carol.no_event("channel_updated").await;

    server
        .delete_as(&w.bob.token, &format!("/api/v4/channels/{channel_id}"))
        .await
        .assert_status(200);
    // A public channel's archival is announced to the whole team.
    for ws in [&mut bob, &mut carol] {
        let deleted = ws.event("channel_deleted").await;
        assert_eq!(deleted["data"]["channel_id"], channel_id);
        assert!(deleted["data"]["delete_at"].as_i64().unwrap() > 0);
        assert_eq!(deleted["broadcast"]["team_id"], w.team_id);
    }
}

#[tokio::test]
async fn direct_and_group_channels() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let mut eve = Ws::connect(&server, &w.eve).await;
    let dm = server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/direct",
            &json!([w.bob.id, w.carol.id]),
        )
        .await;
    dm.assert_status(201);
    let dm_id = id(&dm.json());
    let added = carol.event("direct_added").await;
    assert_eq!(added["data"]["creator_id"], w.bob.id);
    assert_eq!(added["data"]["teammate_id"], w.carol.id);
    assert_eq!(added["broadcast"]["channel_id"], dm_id);
    bob.event("direct_added").await;

    post(&server, &w.bob, &dm_id, "hi carol").await;
    let posted = carol.event("posted").await;
    assert_eq!(posted["data"]["channel_type"], "D");
    assert_eq!(posted["data"]["channel_display_name"], "@bob");
    assert_eq!(posted["data"]["team_id"], "");
    assert_eq!(
        json_string(&posted["data"]["mentions"]),
        json!([w.carol.id])
    );
    eve.no_event("posted").await;

    let group = server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/group",
            &json!([w.bob.id, w.carol.id, w.admin.id]),
        )
        .await;
    group.assert_status(201);
    let frame = carol.event("group_added").await;
    let mut ids: Vec<String> =
        serde_json::from_value(json_string(&frame["data"]["teammate_ids"])).unwrap();
    ids.sort();
    let mut expected = vec![w.bob.id.clone(), w.carol.id.clone(), w.admin.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    eve.no_event("group_added").await;
}

#[tokio::test]
async fn team_events() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut eve = Ws::connect(&server, &w.eve).await;

    crate::chat::join(&server, &w.admin, &w.team_id, &w.eve).await;
    let added = eve.event("added_to_team").await;
    assert_eq!(added["data"]["team_id"], w.team_id);
    assert_eq!(added["data"]["user_id"], w.eve.id);
    // Town square announces her, to her as well: she is a member by then.
    for socket in [&mut eve, &mut bob] {
        let announced = json_string(&socket.event("posted").await["data"]["post"]);
        assert_eq!(announced["type"], "system_add_to_team");
        assert_eq!(announced["props"]["addedUserId"], w.eve.id);
    }
    // Now a member of town square: posts reach her.
    post(&server, &w.bob, &w.town, "hi eve").await;
    eve.event("posted").await;
    bob.event("posted").await;

    server
        .put_as(
            &w.admin.token,
            &format!("/api/v4/teams/{}/patch", w.team_id),
            &json!({"display_name": "Engineering"}),
        )
        .await
        .assert_status(200);
    let updated = json_string(&bob.event("update_team").await["data"]["team"]);
    assert_eq!(updated["display_name"], "Engineering");
    // Members without manage_team never learn the invite id (it lets anyone join).
    assert_eq!(updated["invite_id"], "");
    assert_eq!(updated["email"], "");
    eve.event("update_team").await;

    server
        .delete_as(
            &w.admin.token,
            &format!("/api/v4/teams/{}/members/{}", w.team_id, w.eve.id),
        )
        .await
        .assert_status(200);
    let left = bob.event("leave_team").await;
    assert_eq!(left["data"]["user_id"], w.eve.id);
    let notice = eve.event("leave_team").await;
    assert_eq!(notice["broadcast"]["user_id"], w.eve.id);
    let removal = json_string(&bob.event("posted").await["data"]["post"]);
    assert_eq!(removal["type"], "system_remove_from_team");
    // Gone from the team and its channels.
    post(&server, &w.bob, &w.town, "bye eve").await;
    bob.event("posted").await;
    eve.no_event("posted").await;
}

#[tokio::test]
async fn user_events() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;

    let created = server.create_user_as(Some(&w.admin.token), "dave").await;
    created.assert_status(201);
    let new_user = bob.event("new_user").await;
    assert_eq!(new_user["data"]["user_id"], created.json()["id"]);

    server
        .put_as(
            &w.carol.token,
            &format!("/api/v4/users/{}/patch", w.carol.id),
            &json!({"nickname": "cc"}),
        )
        .await
        .assert_status(200);
    let updated = bob.event("user_updated").await;
    // An object, not a string, and without secrets.
    assert_eq!(updated["data"]["user"]["nickname"], "cc");
    assert_eq!(updated["data"]["user"]["id"], w.carol.id);
    assert!(updated["data"]["user"].get("password").is_none());

    server
        .put_as(
            &w.admin.token,
            &format!("/api/v4/users/{}/roles", w.carol.id),
            &json!({"roles": "system_user system_admin"}),
        )
        .await
        .assert_status(200);
    let roles = carol.event("user_role_updated").await;
    assert_eq!(roles["data"]["roles"], "system_user system_admin");
    bob.no_event("user_role_updated").await;

    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/status", w.bob.id),
            &json!({"user_id": w.bob.id, "status": "dnd"}),
        )
        .await
        .assert_status(200);
    let status = bob.event("status_change").await;
    assert_eq!(status["data"]["status"], "dnd");
    assert_eq!(status["data"]["user_id"], w.bob.id);
    // Only the user themself gets their status changes.
    carol.no_event("status_change").await;

    let prefs = json!([{"user_id": w.bob.id, "category": "display_settings", "name": "use_military_time", "value": "true"}]);
    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/preferences", w.bob.id),
            &prefs,
        )
        .await
        .assert_status(200);
    let changed = bob.event("preferences_changed").await;
    assert_eq!(
        json_string(&changed["data"]["preferences"])[0]["value"],
        "true"
    );
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/preferences/delete", w.bob.id),
            &prefs,
        )
        .await
        .assert_status(200);
    let deleted = bob.event("preferences_deleted").await;
    assert_eq!(
        json_string(&deleted["data"]["preferences"])[0]["name"],
        "use_military_time"
    );
    carol.no_event("preferences_changed").await;

    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/channels/members/{}/view", w.bob.id),
            &json!({"channel_id": w.town}),
        )
        .await
        .assert_status(200);
    let viewed = bob.event("multiple_channels_viewed").await;
    assert!(viewed["data"]["channel_times"][&w.town].as_i64().unwrap() > 0);
    carol.no_event("multiple_channels_viewed").await;
}

#[tokio::test]
async fn ephemeral_posts_go_to_one_user_and_need_permission() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let body = json!({"user_id": w.bob.id, "post": {"channel_id": w.town, "message": "only you"}});
    let sent = server
        .post_as(&w.admin.token, "/api/v4/posts/ephemeral", &body)
        .await;
    sent.assert_status(201);
    let frame = bob.event("ephemeral_message").await;
    let shown = json_string(&frame["data"]["post"]);
    assert_eq!(shown["message"], "only you");
    assert_eq!(shown["type"], "system_ephemeral");
    assert_eq!(shown["id"], sent.json()["id"]);
    carol.no_event("ephemeral_message").await;
    // Never stored.
    server
        .get_as(
            &w.admin.token,
            &format!("/api/v4/posts/{}", id(&sent.json())),
        )
        .await
        .assert_status(404);

    server
        .post_as(&w.carol.token, "/api/v4/posts/ephemeral", &body)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &w.admin.token,
            "/api/v4/posts/ephemeral",
            &json!({"user_id": "bad", "post": {"channel_id": w.town, "message": "x"}}),
        )
        .await
        .assert_status(400);
    server
        .post_as(
            &w.admin.token,
            "/api/v4/posts/ephemeral",
            &json!({"user_id": w.bob.id, "post": {"channel_id": w.town, "message": ""}}),
        )
        .await
        .assert_status(400);
}

#[tokio::test]
async fn events_keep_publish_order_and_consecutive_seq() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    for i in 0..20 {
        post(&server, &w.carol, &w.town, &format!("m{i}")).await;
    }
    for i in 0..20 {
        // Ws checks every seq is the previous + 1.
        let frame = bob.event("posted").await;
        assert_eq!(
            json_string(&frame["data"]["post"])["message"],
            format!("m{i}")
        );
    }
    let _: Value = bob.action("ping", json!({})).await;
    assert_eq!(bob.next_seq(), 21);
}

#[tokio::test]
async fn replies_update_followers_threads() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let root = post(&server, &w.bob, &w.town, "root").await;
    server
        .post_as(
            &w.carol.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "message": "reply", "root_id": root["id"]}),
        )
        .await
        .assert_status(201);
    let frame = bob.event("thread_updated").await;
    let thread = json_string(&frame["data"]["thread"]);
    assert_eq!(thread["id"], root["id"]);
    assert_eq!(thread["reply_count"], 1);
    assert_eq!(frame["broadcast"]["user_id"], w.bob.id);
    assert_eq!(frame["broadcast"]["team_id"], w.team_id);
    // Carol (the replier) follows too; the admin, who never took part, does not get it.
    carol.event("thread_updated").await;
    let mut admin = Ws::connect(&server, &w.admin).await;
    server
        .post_as(
            &w.carol.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "message": "again", "root_id": root["id"]}),
        )
        .await
        .assert_status(201);
    admin.event("posted").await;
    admin.no_event("thread_updated").await;
}

#[tokio::test]
async fn emoji_and_privacy_changes_are_announced() {
    use crate::files::{png, send_multipart, Part};

    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;

    // A new custom emoji reaches everyone connected.
    let emoji = json!({"name": "party_parrot", "creator_id": w.carol.id}).to_string();
    send_multipart(
        &server,
        &w.carol.token,
        reqwest::Method::POST,
        "/api/v4/emoji",
        &[
            Part::Text("emoji", &emoji),
            Part::File("image", "e.png", &png(16, 16)),
        ],
    )
    .await
    .assert_status(200);
    let added = json_string(&bob.event("emoji_added").await["data"]["emoji"]);
    assert_eq!(added["name"], "party_parrot");
    carol.event("emoji_added").await;

    // Converting a channel tells the team, and its members see the system message.
    let plans = id(&channel(&server, &w.bob, &w.team_id, "plans", "O").await);
    server
        .put_as(
            &w.bob.token,
            &format!("/api/v4/channels/{plans}/privacy"),
            &json!({"privacy": "P"}),
        )
        .await
        .assert_status(200);
    assert_eq!(
        carol.event("channel_converted").await["data"]["channel_id"],
        plans
    );
    let announced = json_string(&bob.event("posted").await["data"]["post"]);
    assert_eq!(announced["type"], "system_change_chan_privacy");
    carol.no_event("posted").await;
}

#[tokio::test]
async fn marking_unread_tells_the_users_other_clients() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    let mut carol = Ws::connect(&server, &w.carol).await;
    let first = post(&server, &w.carol, &w.town, "first").await;
    post(&server, &w.carol, &w.town, "second").await;
    server
        .post_as(
            &w.bob.token,
            &format!("/api/v4/users/{}/posts/{}/set_unread", w.bob.id, id(&first)),
            &json!({"collapsed_threads_supported": true}),
        )
        .await
        .assert_status(200);
    let unread = bob.event("post_unread").await;
    assert_eq!(unread["data"]["channel_id"], w.town);
    assert_eq!(unread["data"]["post_id"], id(&first));
    assert_eq!(unread["broadcast"]["user_id"], w.bob.id);
    assert_eq!(
        unread["data"]["last_viewed_at"].as_i64().unwrap(),
        first["create_at"].as_i64().unwrap() - 1
    );
    carol.no_event("post_unread").await;
}
