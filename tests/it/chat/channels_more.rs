//! The channel and team reads clients make every day (issue 12): group channel profiles and
//! search, the search box's channel suggestions, public channels by id, archived channels,
//! channel and team members by id, team stats.

use serde_json::{json, Value};

use super::{channel, join, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(id)
        .collect()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

async fn group(server: &TestServer, creator: &TestUser, others: &[&TestUser]) -> Value {
    let members: Vec<&str> = others.iter().map(|u| u.id.as_str()).collect();
    let created = server
        .post_as(&creator.token, "/api/v4/channels/group", &json!(members))
        .await;
    created.assert_status(201);
    created.json()
}

async fn direct(server: &TestServer, a: &TestUser, b: &TestUser) -> Value {
    let created = server
        .post_as(&a.token, "/api/v4/channels/direct", &json!([a.id, b.id]))
        .await;
    created.assert_status(201);
    created.json()
}

async fn archive(server: &TestServer, user: &TestUser, channel_id: &str) {
    server
        .delete_as(&user.token, &format!("/api/v4/channels/{channel_id}"))
        .await
        .assert_status(200);
}

async fn add(server: &TestServer, by: &TestUser, channel_id: &str, user: &TestUser) {
    server
        .post_as(
            &by.token,
            &format!("/api/v4/channels/{channel_id}/members"),
            &json!({"user_id": user.id}),
        )
        .await
        .assert_status(201);
}

#[tokio::test]
async fn group_channel_profiles_only_for_the_callers_group_channels() {
    let server = TestServer::builder()
        .config(|c| {
            c.privacy.show_email_address = false;
            c.privacy.show_full_name = false;
        })
        .start()
        .await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let eve = server.user(&admin, "eve").await;
    server
        .put_as(
            &carol.token,
            "/api/v4/users/me/patch",
            &json!({"first_name": "Carol", "last_name": "King"}),
        )
        .await
        .assert_status(200);
    let first = id(&group(&server, &admin, &[&bob, &carol]).await);
    let second = id(&group(&server, &bob, &[&carol, &dave]).await);
    let dm = id(&direct(&server, &bob, &carol).await);

    let found = server
        .post_as(
            &bob.token,
            "/api/v4/users/group_channels",
            &json!([first, second, dm, "a".repeat(26), "bad", first]),
        )
        .await;
    found.assert_status(200);
    let found = found.json();
    let map = found.as_object().expect("an object");
    assert_eq!(map.len(), 2, "only group channels: {found}");
    assert_eq!(
        names(&found[&first], "username"),
        ["admin", "bob", "carol"],
        "every member, the caller included, by username"
    );
    assert_eq!(names(&found[&second], "username"), ["bob", "carol", "dave"]);
    // Profiles as the caller may see them: hidden email and names, but their own in full.
    let carol_seen = found[&second]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "carol")
        .unwrap();
    assert_eq!(carol_seen["email"], "");
    assert_eq!(carol_seen["first_name"], "");
    assert!(carol_seen.get("password").is_none());
    let bob_seen = found[&second]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "bob")
        .unwrap();
    assert_eq!(bob_seen["email"], "bob@example.com");
    let as_admin = server
        .post_as(
            &admin.token,
            "/api/v4/users/group_channels",
            &json!([first]),
        )
        .await
        .json();
    let carol_to_admin = as_admin[&first]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "carol")
        .unwrap()
        .clone();
    assert_eq!(carol_to_admin["first_name"], "Carol");

    // Not a member: nothing, and no error.
    let outsider = server
        .post_as(
            &eve.token,
            "/api/v4/users/group_channels",
            &json!([first, second]),
        )
        .await;
    outsider.assert_status(200);
    assert_eq!(outsider.json(), json!({}));
    // Only the first 50 ids are looked at.
    let mut many: Vec<String> = (0..50).map(|i| format!("{i:0>26}")).collect();
    many.push(first.clone());
    let capped = server
        .post_as(&bob.token, "/api/v4/users/group_channels", &json!(many))
        .await
        .json();
    assert_eq!(capped, json!({}));

    for bad in [json!([]), json!({}), json!([1, 2]), json!(null)] {
        server
            .post_as(&bob.token, "/api/v4/users/group_channels", &bad)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    let anonymous = server
        .post_json("/api/v4/users/group_channels", &json!([first]))
        .await;
    anonymous.assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn group_channels_are_searched_by_their_members_usernames() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let eve = server.user(&admin, "eve").await;
    let with_admin = id(&group(&server, &admin, &[&bob, &carol]).await);
    let with_dave = id(&group(&server, &bob, &[&carol, &dave]).await);
    let elsewhere = id(&group(&server, &admin, &[&dave, &eve]).await);

    let search = |token: String, term: Value| {
        let server = &server;
        async move {
            let response = server
                .post_as(
                    &token,
                    "/api/v4/channels/group/search",
                    &json!({"term": term}),
                )
                .await;
            response.assert_status(200);
            let mut found = ids(&response.json());
            found.sort();
            found
        }
    };
    let mut both = vec![with_admin.clone(), with_dave.clone()];
    both.sort();
    assert_eq!(
        search(bob.token.clone(), json!("dav")).await,
        [with_dave.as_str()]
    );
    assert_eq!(search(bob.token.clone(), json!("car")).await, both);
    assert_eq!(
        search(bob.token.clone(), json!("  CAR   Adm ")).await,
        [with_admin.as_str()],
        "every word, any case"
    );
    assert_eq!(
        search(bob.token.clone(), json!("ar")).await,
        both,
        "anywhere in a username"
    );
    assert!(
        search(bob.token.clone(), json!("eve")).await.is_empty(),
        "not bob's"
    );
    assert!(!search(admin.token.clone(), json!("eve")).await.is_empty());
    assert_eq!(search(admin.token.clone(), json!("eve")).await, [elsewhere]);
    for blank in [json!(""), json!("   "), json!(null)] {
        assert!(search(bob.token.clone(), blank).await.is_empty());
    }
    // LIKE wildcards are plain characters.
    assert!(search(bob.token.clone(), json!("%")).await.is_empty());
    assert!(search(bob.token.clone(), json!("_")).await.is_empty());
    let shape = server
        .post_as(
            &bob.token,
            "/api/v4/channels/group/search",
            &json!({"term": "dav", "extra": 1}),
        )
        .await
        .json();
    assert_eq!(shape[0]["type"], "G");
    assert_eq!(shape[0]["team_id"], "");
    assert_eq!(shape[0]["display_name"], "bob, carol, dave");

    for bad in [json!([]), json!({"term": 5}), json!(null), json!("dav")] {
        server
            .post_as(&bob.token, "/api/v4/channels/group/search", &bad)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .post_as(
            &bob.token,
            "/api/v4/channels/group/search",
            &json!({"term": "a\u{0}"}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn search_box_suggests_the_callers_channels() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    join(&server, &admin, &team_id, &bob).await;
    join(&server, &admin, &team_id, &carol).await;
    let frontend = channel(&server, &bob, &team_id, "frontend", "O").await;
    server
        .put_as(
            &bob.token,
            &format!("/api/v4/channels/{}/patch", id(&frontend)),
            &json!({"display_name": "Frontend Team", "purpose": "ui work"}),
        )
        .await
        .assert_status(200);
    let secret = id(&channel(&server, &bob, &team_id, "secret-plans", "P").await);
    let backend = id(&channel(&server, &carol, &team_id, "backend", "O").await);
    let old = id(&channel(&server, &bob, &team_id, "old-stuff", "O").await);
    archive(&server, &bob, &old).await;
    let dm = id(&direct(&server, &bob, &carol).await);
    let gm = id(&group(&server, &bob, &[&carol, &dave]).await);

    let suggest = |token: String, name: &str| {
        let server = &server;
        let path = format!("/api/v4/teams/{team_id}/channels/search_autocomplete?name={name}");
        async move {
            let response = server.get_as(&token, &path).await;
            response.assert_status(200);
            response.json()
        }
    };
    assert_eq!(
        ids(&suggest(bob.token.clone(), "front").await),
        [id(&frontend).as_str()]
    );
    assert_eq!(
        ids(&suggest(bob.token.clone(), "FRONT").await),
        [id(&frontend).as_str()]
    );
    assert_eq!(
        ids(&suggest(bob.token.clone(), "team").await),
        [id(&frontend).as_str()],
        "a word of the display name"
    );
    assert_eq!(
        ids(&suggest(bob.token.clone(), "ui").await),
        [id(&frontend).as_str()],
        "the purpose"
    );
    assert_eq!(
        ids(&suggest(bob.token.clone(), "plans").await),
        [secret.as_str()]
    );
    assert!(
        ids(&suggest(bob.token.clone(), "back").await).is_empty(),
        "public but not bob's: {backend}"
    );
    assert_eq!(
        ids(&suggest(bob.token.clone(), "old").await),
        [old.as_str()],
        "archived too"
    );
    // The direct channel by the other member's username (shown as its display name), the
    // group channel by a word of its display name "bob, carol, dave".
    let carol_match = suggest(bob.token.clone(), "car").await;
    assert_eq!(ids(&carol_match), [gm.clone(), dm.clone()]);
    assert_eq!(carol_match[1]["display_name"], "carol");
    assert_eq!(ids(&suggest(bob.token.clone(), "bob").await), [gm.as_str()]);
    assert_eq!(ids(&suggest(bob.token.clone(), "dav").await), [gm.as_str()]);

    // Everything bob belongs to, by display name (case-insensitive).
    let all = suggest(bob.token.clone(), "").await;
    let shown = names(&all, "display_name");
    let mut sorted = shown.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(shown, sorted);
    let mut all_ids = ids(&all);
    for expected in [&id(&frontend), &secret, &old, &dm, &gm] {
        assert!(all_ids.contains(expected), "{expected} in {all}");
    }
    assert!(!all_ids.contains(&backend));
    let mut bobs = ids(&server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/teams/{team_id}/channels?include_deleted=true"),
        )
        .await
        .json());
    bobs.sort();
    let in_order = all_ids.clone();
    all_ids.sort();
    assert_eq!(
        all_ids, bobs,
        "exactly bob's channels, archived ones included"
    );
    let all_ids = in_order;
    let no_query = server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/channels/search_autocomplete"),
        )
        .await;
    assert_eq!(ids(&no_query.json()), all_ids);

    // Someone outside the team has no channels there.
    assert_eq!(suggest(eve.token.clone(), "").await, json!([]));
    // At most 50 team channels.
    for i in 0..52 {
        channel(&server, &bob, &team_id, &format!("bulk-{i:02}"), "O").await;
    }
    assert_eq!(
        suggest(bob.token.clone(), "bulk")
            .await
            .as_array()
            .unwrap()
            .len(),
        50
    );

    server
        .get_as(
            &bob.token,
            "/api/v4/teams/nope/channels/search_autocomplete?name=a",
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/channels/search_autocomplete?name=a%00"),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // LIKE wildcards are plain characters.
    assert_eq!(suggest(bob.token.clone(), "%25").await, json!([]));
}

#[tokio::test]
async fn public_channels_by_id_for_team_members() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    let other_team = id(&team(&server, &admin, "ops").await);
    join(&server, &admin, &team_id, &bob).await;
    let zeta = id(&channel(&server, &admin, &team_id, "zeta", "O").await);
    let alpha = id(&channel(&server, &admin, &team_id, "alpha", "O").await);
    let private = id(&channel(&server, &bob, &team_id, "hidden", "P").await);
    let gone = id(&channel(&server, &admin, &team_id, "gone", "O").await);
    archive(&server, &admin, &gone).await;
    let elsewhere = id(&channel(&server, &admin, &other_team, "elsewhere", "O").await);
    let path = format!("/api/v4/teams/{team_id}/channels/ids");

    let found = server
        .post_as(
            &bob.token,
            &path,
            &json!([zeta, private, gone, elsewhere, alpha, zeta, "z".repeat(26)]),
        )
        .await;
    found.assert_status(200);
    let found = found.json();
    assert_eq!(
        ids(&found),
        [alpha.clone(), zeta.clone()],
        "live public ones, by display name"
    );
    assert_eq!(found[0]["type"], "O");
    assert_eq!(found[0]["team_id"], team_id.as_str());

    server
        .post_as(&bob.token, &path, &json!([private, gone]))
        .await
        .assert_error(404, "app.channel.get_channels_by_ids.not_found.app_error");
    server
        .post_as(&bob.token, &path, &json!([]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(&bob.token, &path, &json!([alpha, "not-an-id"]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(&bob.token, &path, &json!({"ids": [alpha]}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    // An open team is not enough: view_team needs membership.
    server
        .post_as(&eve.token, &path, &json!([alpha]))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_as(
            &bob.token,
            "/api/v4/teams/bad/channels/ids",
            &json!([alpha]),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn archived_channels_of_a_team() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    join(&server, &admin, &team_id, &bob).await;
    join(&server, &admin, &team_id, &carol).await;
    let public = id(&channel(&server, &carol, &team_id, "b-public", "O").await);
    let mine = id(&channel(&server, &carol, &team_id, "a-mine", "P").await);
    add(&server, &carol, &mine, &bob).await;
    let theirs = id(&channel(&server, &carol, &team_id, "c-theirs", "P").await);
    channel(&server, &carol, &team_id, "d-alive", "O").await;
    for channel_id in [&public, &mine, &theirs] {
        archive(&server, &carol, channel_id).await;
    }
    let path = format!("/api/v4/teams/{team_id}/channels/deleted");

    let seen = server.get_as(&bob.token, &path).await;
    seen.assert_status(200);
    let seen = seen.json();
    assert_eq!(
        ids(&seen),
        [mine.clone(), public.clone()],
        "by display name"
    );
    assert!(seen[0]["delete_at"].as_i64().unwrap() > 0);
    // A system admin sees every private one.
    assert_eq!(
        ids(&server.get_as(&admin.token, &path).await.json()),
        [mine.clone(), public.clone(), theirs.clone()]
    );
    // Paging.
    let second = server
        .get_as(&admin.token, &format!("{path}?page=1&per_page=1"))
        .await
        .json();
    assert_eq!(ids(&second), [public.as_str()]);
    assert_eq!(
        server
            .get_as(&admin.token, &format!("{path}?page=5&per_page=1"))
            .await
            .json(),
        json!([])
    );
    // Leaving a private channel's members hides it again.
    server
        .delete_as(
            &bob.token,
            &format!("/api/v4/channels/{mine}/members/{}", bob.id),
        )
        .await
        .assert_status(200);
    assert_eq!(
        ids(&server.get_as(&bob.token, &path).await.json()),
        [public.as_str()]
    );

    server
        .get_as(&eve.token, &path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&bob.token, "/api/v4/teams/nope/channels/deleted")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn channel_members_by_user_id() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    for user in [&bob, &carol, &eve] {
        join(&server, &admin, &team_id, user).await;
    }
    let private = id(&channel(&server, &bob, &team_id, "hidden", "P").await);
    add(&server, &bob, &private, &carol).await;
    let public = id(&channel(&server, &bob, &team_id, "open", "O").await);
    let path = format!("/api/v4/channels/{private}/members/ids");

    let found = server
        .post_as(
            &carol.token,
            &path,
            &json!([carol.id, bob.id, eve.id, "x".repeat(26), bob.id, "junk"]),
        )
        .await;
    found.assert_status(200);
    let found = found.json();
    let mut users = names(&found, "user_id");
    users.sort();
    let mut expected = vec![bob.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(users, expected);
    let bob_member = found
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == bob.id.as_str())
        .unwrap();
    assert_eq!(bob_member["channel_id"], private.as_str());
    assert_eq!(bob_member["roles"], "channel_user channel_admin");
    assert!(bob_member["notify_props"].is_object());

    server
        .post_as(&eve.token, &path, &json!([bob.id]))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // A public channel is readable by team members who are not in it.
    let open = server
        .post_as(
            &eve.token,
            &format!("/api/v4/channels/{public}/members/ids"),
            &json!([bob.id, eve.id]),
        )
        .await;
    open.assert_status(200);
    assert_eq!(names(&open.json(), "user_id"), [bob.id.as_str()]);
    server
        .post_as(&carol.token, &path, &json!([]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(
            &carol.token,
            &format!("/api/v4/channels/{}/members/ids", "q".repeat(26)),
            &json!([bob.id]),
        )
        .await
        .assert_error(404, "app.channel.get.existing.app_error");
    server
        .post_as(
            &carol.token,
            "/api/v4/channels/short/members/ids",
            &json!([bob.id]),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn team_members_by_user_id_and_team_stats() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(&server, &admin, "eng").await);
    for user in [&bob, &carol, &dave] {
        join(&server, &admin, &team_id, user).await;
    }
    server
        .delete_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/members/{}", dave.id),
        )
        .await
        .assert_status(200);
    server
        .delete_as(&admin.token, &format!("/api/v4/users/{}", carol.id))
        .await
        .assert_status(200);

    let path = format!("/api/v4/teams/{team_id}/members/ids");
    let found = server
        .post_as(
            &bob.token,
            &path,
            &json!([bob.id, carol.id, dave.id, eve.id, bob.id]),
        )
        .await;
    found.assert_status(200);
    let found = found.json();
    let mut users = names(&found, "user_id");
    users.sort();
    let mut expected = vec![bob.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(users, expected, "active memberships only: {found}");
    assert_eq!(found[0]["team_id"], team_id.as_str());
    assert_eq!(found[0]["delete_at"], 0);
    server
        .post_as(&bob.token, &path, &json!([]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(&eve.token, &path, &json!([bob.id]))
        .await
        .assert_error(403, "api.context.permissions.app_error");

    let stats = server
        .get_as(&bob.token, &format!("/api/v4/teams/{team_id}/stats"))
        .await;
    stats.assert_status(200);
    assert_eq!(
        stats.json(),
        json!({"team_id": team_id, "total_member_count": 3, "active_member_count": 2}),
        "admin, bob and the deactivated carol; dave left"
    );
    server
        .get_as(&eve.token, &format!("/api/v4/teams/{team_id}/stats"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&bob.token, "/api/v4/teams/bad/stats")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // A system admin outside the team may look.
    let outside = id(&team(&server, &bob, "bobs").await);
    assert_eq!(
        server
            .get_as(&admin.token, &format!("/api/v4/teams/{outside}/stats"))
            .await
            .json()["total_member_count"],
        1
    );
}
