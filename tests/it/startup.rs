//! The calls the official apps make at start-up: roles, a user's channels and memberships in
//! all teams, user counts, known users, time zones, notices, client reports, 405s.

use reqwest::Method;
use serde_json::{json, Value};

use crate::chat::{channel, join, team};
use crate::support::TestServer;

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn roles_by_names_ids_and_name_have_mattermost_shape() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    let wanted = json!([
        "system_user",
        "channel_user",
        "team_user",
        "",
        "no_such_role",
        "channel_user"
    ]);
    let response = server
        .post_as(&bob.token, "/api/v4/roles/names", &wanted)
        .await;
    response.assert_status(200);
    let roles = response.json();
    assert_eq!(names(&roles), ["system_user", "channel_user", "team_user"]);
    let channel_user = &roles[1];
    for key in [
        "id",
        "name",
        "display_name",
        "description",
        "create_at",
        "update_at",
        "delete_at",
        "permissions",
        "scheme_managed",
        "built_in",
    ] {
        assert!(
            channel_user.get(key).is_some(),
            "{key} missing: {channel_user}"
        );
    }
    assert_eq!(
        channel_user["display_name"],
        "authentication.roles.channel_user.name"
    );
    assert_eq!(channel_user["scheme_managed"], true);
    assert_eq!(channel_user["built_in"], true);
    let perms: Vec<&str> = channel_user["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for p in [
        "create_post",
        "add_reaction",
        "upload_file",
        "use_channel_mentions",
        "read_channel",
    ] {
        assert!(perms.contains(&p), "channel_user lacks {p}: {perms:?}");
    }

    // Ids are 26 characters, stable, and lead back to the same role.
    let id = channel_user["id"].as_str().unwrap();
    assert_eq!(id.len(), 26);
    let by_id = server
        .get_as(&bob.token, &format!("/api/v4/roles/{id}"))
        .await;
    by_id.assert_status(200);
    assert_eq!(by_id.json()["name"], "channel_user");
    let by_name = server
        .get_as(&bob.token, "/api/v4/roles/name/channel_user")
        .await;
    assert_eq!(by_name.json()["id"], id);
    let again = server
        .post_as(
            &admin.token,
            "/api/v4/roles/names",
            &json!(["channel_user"]),
        )
        .await;
    assert_eq!(again.json()[0]["id"], id);

    // system_admin holds every permission.
    let admin_role = server
        .get_as(&bob.token, "/api/v4/roles/name/system_admin")
        .await
        .json();
    let admin_perms = admin_role["permissions"].as_array().unwrap();
    assert!(admin_perms.contains(&json!("manage_system")));
    assert!(admin_perms.contains(&json!("create_post")));
    // Users do not hold admin permissions.
    let user_role = server
        .get_as(&bob.token, "/api/v4/roles/name/system_user")
        .await
        .json();
    assert!(!user_role["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("manage_system")));

    // Errors.
    server
        .get_as(&bob.token, "/api/v4/roles/name/no_such_role")
        .await
        .assert_error(404, "app.role.get_by_name.app_error");
    server
        .get_as(&bob.token, &format!("/api/v4/roles/{}", "a".repeat(26)))
        .await
        .assert_error(404, "app.role.get.app_error");
    server
        .get_as(&bob.token, "/api/v4/roles/notanid")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .post_as(&bob.token, "/api/v4/roles/names", &json!([]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(&bob.token, "/api/v4/roles/names", &json!(["Bad-Name"]))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .send(
            server
                .request(Method::POST, "/api/v4/roles/names")
                .json(&json!(["system_user"])),
        )
        .await
        .assert_status(401);
    // Listing every role is for admins.
    server
        .get_as(&bob.token, "/api/v4/roles")
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let all = server.get_as(&admin.token, "/api/v4/roles").await;
    all.assert_status(200);
    for role in [
        "system_admin",
        "system_user",
        "system_guest",
        "system_user_access_token",
        "team_admin",
        "team_user",
        "team_guest",
        "channel_admin",
        "channel_user",
        "channel_guest",
    ] {
        assert!(names(&all.json()).contains(&role), "{role} missing");
    }
}

#[tokio::test]
async fn a_users_channels_and_memberships_across_teams() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let one = team(&server, &admin, "one").await;
    let two = team(&server, &admin, "two").await;
    let one_id = one["id"].as_str().unwrap();
    let two_id = two["id"].as_str().unwrap();
    join(&server, &admin, one_id, &bob).await;
    join(&server, &admin, two_id, &bob).await;
    let in_one = channel(&server, &bob, one_id, "alpha", "O").await;
    let in_two = channel(&server, &bob, two_id, "beta", "P").await;
    let archived = channel(&server, &bob, two_id, "gamma", "O").await;
    let archived_id = archived["id"].as_str().unwrap();
    server
        .delete_as(&bob.token, &format!("/api/v4/channels/{archived_id}"))
        .await
        .assert_status(200);

    let mine = server.get_as(&bob.token, "/api/v4/users/me/channels").await;
    mine.assert_status(200);
    let mine = mine.json();
    let ids: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&in_one["id"].as_str().unwrap()));
    assert!(ids.contains(&in_two["id"].as_str().unwrap()));
    assert!(
        !ids.contains(&archived_id),
        "archived only with include_deleted"
    );
    let with_deleted = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/{}/channels?include_deleted=true", bob.id),
        )
        .await
        .json();
    assert!(with_deleted
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == archived_id));
    let delete_at = with_deleted
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == archived_id)
        .unwrap()["delete_at"]
        .as_i64()
        .unwrap();
    let after = server
        .get_as(
            &bob.token,
            &format!("/api/v4/users/me/channels?include_deleted=true&last_delete_at={delete_at}"),
        )
        .await
        .json();
    assert!(!after
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == archived_id));
    server
        .get_as(&bob.token, "/api/v4/users/me/channels?last_delete_at=-1")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // Someone else's channels: edit_other_users.
    server
        .get_as(&eve.token, &format!("/api/v4/users/{}/channels", bob.id))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&admin.token, &format!("/api/v4/users/{}/channels", bob.id))
        .await
        .assert_status(200);

    // Memberships, paged, each with its team.
    let all = server
        .get_as(&bob.token, "/api/v4/users/me/channel_members?page=-1")
        .await;
    all.assert_status(200);
    let all = all.json();
    let members = all.as_array().unwrap();
    assert!(
        members.len() >= 5,
        "town squares, off-topics and the created channels: {all}"
    );
    let alpha = members
        .iter()
        .find(|m| m["channel_id"] == in_one["id"])
        .unwrap();
    assert_eq!(alpha["user_id"], bob.id.as_str());
    assert_eq!(alpha["team_name"], "one");
    assert_eq!(alpha["team_display_name"], "ONE");
    assert!(alpha["team_update_at"].as_i64().unwrap() > 0);
    assert!(alpha["roles"].as_str().unwrap().contains("channel_user"));
    let first = server
        .get_as(
            &bob.token,
            "/api/v4/users/me/channel_members?page=0&per_page=2",
        )
        .await
        .json();
    let second = server
        .get_as(
            &bob.token,
            "/api/v4/users/me/channel_members?page=1&per_page=2",
        )
        .await
        .json();
    assert_eq!(first.as_array().unwrap().len(), 2);
    assert_eq!(first[0]["channel_id"], members[0]["channel_id"]);
    assert_eq!(second[0]["channel_id"], members[2]["channel_id"]);
    server
        .get_as(
            &eve.token,
            &format!("/api/v4/users/{}/channel_members", bob.id),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
}

#[tokio::test]
async fn user_stats_known_users_and_fixed_segments() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let carl = server.user(&admin, "carl").await;
    let eng = team(&server, &admin, "eng").await;
    let eng_id = eng["id"].as_str().unwrap();
    join(&server, &admin, eng_id, &bob).await;
    join(&server, &admin, eng_id, &eve).await;
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/active", carl.id),
            &json!({"active": false}),
        )
        .await
        .assert_status(200);

    // `stats` and `known` are routes, never user ids.
    let stats = server.get_as(&bob.token, "/api/v4/users/stats").await;
    stats.assert_status(200);
    assert_eq!(stats.json(), json!({"total_users_count": 3}));

    let filtered = |query: &str| format!("/api/v4/users/stats/filtered?{query}");
    server
        .get_as(&bob.token, &filtered(""))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    let count = |v: Value| v["total_users_count"].as_i64().unwrap();
    assert_eq!(
        count(server.get_as(&admin.token, &filtered("")).await.json()),
        3
    );
    assert_eq!(
        count(
            server
                .get_as(&admin.token, &filtered("include_deleted=true"))
                .await
                .json()
        ),
        4
    );
    assert_eq!(
        count(
            server
                .get_as(&admin.token, &filtered("roles=system_admin"))
                .await
                .json()
        ),
        1
    );
    assert_eq!(
        count(
            server
                .get_as(&bob.token, &filtered(&format!("in_team={eng_id}")))
                .await
                .json()
        ),
        3
    );
    assert_eq!(
        count(
            server
                .get_as(
                    &bob.token,
                    &filtered(&format!("in_team={eng_id}&team_roles=team_admin"))
                )
                .await
                .json()
        ),
        1
    );
    server
        .get_as(&carl.token, &filtered(&format!("in_team={eng_id}")))
        .await
        .assert_status(401);
    let outsider = server.user(&admin, "dave").await;
    server
        .get_as(&outsider.token, &filtered(&format!("in_team={eng_id}")))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&admin.token, &filtered("roles=Bad-Role"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get_as(&admin.token, &filtered("in_team=nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    let town = server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{eng_id}/channels/name/town-square"),
        )
        .await
        .json();
    let town_id = town["id"].as_str().unwrap();
    assert_eq!(
        count(
            server
                .get_as(&bob.token, &filtered(&format!("in_channel={town_id}")))
                .await
                .json()
        ),
        3
    );

    let known = server.get_as(&bob.token, "/api/v4/users/known").await;
    known.assert_status(200);
    let mut expected = vec![admin.id.clone(), eve.id.clone()];
    expected.sort();
    assert_eq!(known.json(), json!(expected));
    assert_eq!(
        server
            .get_as(&outsider.token, "/api/v4/users/known")
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn system_timezones_notices_and_trial_license() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let zones = server
        .get_as(&admin.token, "/api/v4/system/timezones")
        .await;
    zones.assert_status(200);
    let zones = zones.json();
    let zones = zones.as_array().unwrap();
    assert!(zones.len() > 300);
    assert!(zones.contains(&json!("Europe/Berlin")));
    assert!(zones.contains(&json!("America/New_York")));
    server
        .get("/api/v4/system/timezones")
        .await
        .assert_status(401);

    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let notices = server
        .get_as(&admin.token, &format!("/api/v4/system/notices/{team_id}"))
        .await;
    notices.assert_status(200);
    assert_eq!(notices.json(), json!([]));
    let viewed = server
        .put_as(&admin.token, "/api/v4/system/notices/view", &json!(["n1"]))
        .await;
    viewed.assert_status(200);
    assert_eq!(viewed.json(), json!({"status": "OK"}));

    let prev = server
        .get_as(&admin.token, "/api/v4/trial-license/prev")
        .await;
    #[cfg(feature = "enterprise")]
    {
        prev.assert_status(200);
        assert_eq!(prev.json(), json!({"IsLicensed": "false"}));
    }
    #[cfg(not(feature = "enterprise"))]
    prev.assert_error(403, "api.license.upgrade_needed.app_error");
}

fn perf_report(end: i64) -> Value {
    json!({
        "version": "0.1.0",
        "client_id": "abc",
        "labels": {"platform": "linux", "agent": "desktop"},
        "start": end - 1000,
        "end": end,
        "counters": [{"metric": "long_tasks", "value": 3.0}],
        "histograms": [{"metric": "channel_switch", "value": 120.5, "timestamp": end}],
        "unknown_field": true
    })
}

#[tokio::test]
async fn client_performance_reports_are_validated_and_counted() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let now = chrono_now_ms();
    let before = townsquare::app::client_reports::perf_reports_accepted();
    let ok = server
        .post_as(&admin.token, "/api/v4/client_perf", &perf_report(now))
        .await;
    ok.assert_status(200);
    assert_eq!(ok.json(), json!({"status": "OK"}));
    assert!(townsquare::app::client_reports::perf_reports_accepted() > before);

    server
        .post_as(
            &admin.token,
            "/api/v4/client_perf",
            &json!({"version": "x"}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    let mut outdated = perf_report(now - 3_600_000);
    outdated["version"] = json!("0.1.0");
    server
        .post_as(&admin.token, "/api/v4/client_perf", &outdated)
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    let raw = server
        .send(
            server
                .request(Method::POST, "/api/v4/client_perf")
                .bearer_auth(&admin.token)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    raw.assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .send(
            server
                .request(Method::POST, "/api/v4/client_perf")
                .json(&perf_report(now)),
        )
        .await
        .assert_status(401);

    // Off: dropped unread, even when malformed.
    let off = TestServer::builder()
        .config(|c| c.metrics.enable_client_metrics = false)
        .start()
        .await;
    let admin = off.admin().await;
    let dropped = off
        .post_as(
            &admin.token,
            "/api/v4/client_perf",
            &json!({"version": "x"}),
        )
        .await;
    dropped.assert_status(200);
    assert!(dropped.text().is_empty());
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn client_logs_are_accepted_limited_and_redacted() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let logged = server
        .post_as(
            &bob.token,
            "/api/v4/logs",
            &json!({"level": "ERROR", "message": "boom token=s3cret"}),
        )
        .await;
    logged.assert_status(200);
    let body = logged.json();
    assert_eq!(body["level"], "ERROR");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("Client Logs API Endpoint Message: boom"));
    assert!(!message.contains("s3cret"), "{message}");
    let long = "x".repeat(5000);
    let cut = server
        .post_as(
            &bob.token,
            "/api/v4/logs",
            &json!({"level": "INFO", "message": long}),
        )
        .await;
    assert!(cut.json()["message"].as_str().unwrap().len() < 500);
    // Signed out without developer mode: refused.
    server
        .post_json("/api/v4/logs", &json!({"level": "ERROR", "message": "hi"}))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Rate limited per user.
    let mut limited = false;
    for _ in 0..70 {
        let r = server
            .post_as(
                &bob.token,
                "/api/v4/logs",
                &json!({"level": "DEBUG", "message": "m"}),
            )
            .await;
        if r.status.as_u16() == 429 {
            r.assert_error(429, "api.logs.rate_limited.app_error");
            limited = true;
            break;
        }
    }
    assert!(limited, "60 lines a minute at most");
    // Another user has their own budget.
    server
        .post_as(
            &admin.token,
            "/api/v4/logs",
            &json!({"level": "DEBUG", "message": "m"}),
        )
        .await
        .assert_status(200);
}

#[tokio::test]
async fn wrong_method_answers_405_with_allow() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let response = server
        .call(Method::PATCH, "/api/v4/users/stats", &admin.token, None)
        .await;
    let body = response.assert_error(405, "api.context.405.app_error");
    assert_eq!(body["status_code"], 405);
    let allow = response.header("allow").expect("Allow header");
    assert!(allow.contains("GET"), "{allow}");
    let put = server
        .call(Method::DELETE, "/api/v4/system/ping", &admin.token, None)
        .await;
    put.assert_error(405, "api.context.405.app_error");
    // Unknown paths stay 404.
    server
        .get_as(&admin.token, "/api/v4/no/such/route")
        .await
        .assert_error(404, "api.context.404.app_error");
}
