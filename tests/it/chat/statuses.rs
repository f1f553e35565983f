//! Statuses: manual and automatic presence, do-not-disturb, bulk reads, custom statuses.

use serde_json::{json, Value};
use townsquare::state::AppState;
use townsquare::time::now_ms;

use crate::support::accounts::TestUser;
use crate::support::TestServer;

fn app_state(server: &TestServer) -> AppState {
    AppState::new(
        server.config.clone(),
        server.runtime.clone(),
        server.store().clone(),
        townsquare::edition::build_extensions(),
    )
}

async fn status_of(server: &TestServer, viewer: &TestUser, user_id: &str) -> Value {
    let got = server
        .get_as(&viewer.token, &format!("/api/v4/users/{user_id}/status"))
        .await;
    got.assert_status(200);
    got.json()
}

async fn set_status(server: &TestServer, user: &TestUser, body: Value) -> Value {
    let set = server
        .put_as(&user.token, "/api/v4/users/me/status", &body)
        .await;
    set.assert_status(200);
    set.json()
}

#[tokio::test]
async fn activity_makes_users_online_then_away() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let state = app_state(&server);
    let record = townsquare::app::statuses::record_activity;

    let fresh = status_of(&server, &admin, &bob.id).await;
    assert_eq!(
        fresh,
        json!({"user_id": bob.id, "status": "offline", "manual": false, "last_activity_at": 0, "dnd_end_time": 0})
    );

    let now = now_ms();
    record(&state, &bob.id, now).await.unwrap();
    let online = status_of(&server, &admin, &bob.id).await;
    assert_eq!(online["status"], "online");
    assert_eq!(online["manual"], false);
    assert_eq!(online["last_activity_at"], now);

    // At most one write a minute.
    record(&state, &bob.id, now + 30_000).await.unwrap();
    let stored = server.store().status(&bob.id).await.unwrap().unwrap();
    assert_eq!(stored.last_activity_at, now);
    // The write itself is guarded too (concurrent requests, other nodes).
    assert!(!server
        .store()
        .touch_status_online(&bob.id, now + 30_000, 60_000)
        .await
        .unwrap());
    record(&state, &bob.id, now + 61_000).await.unwrap();
    let stored = server.store().status(&bob.id).await.unwrap().unwrap();
    assert_eq!(stored.last_activity_at, now + 61_000);

    // Five idle minutes read as away; activity brings the user back.
    let long_ago = now - 10 * 60 * 1000;
    server
        .store()
        .upsert_status(&townsquare::store::statuses::StatusRow {
            last_activity_at: long_ago,
            ..stored
        })
        .await
        .unwrap();
    let away = status_of(&server, &admin, &bob.id).await;
    assert_eq!(away["status"], "away");
    assert_eq!(away["manual"], false);
    record(&state, &bob.id, now_ms()).await.unwrap();
    assert_eq!(
        status_of(&server, &admin, &bob.id).await["status"],
        "online"
    );

    // Bulk: in the order asked, unknown users offline.
    let unknown = "zzzzzzzzzzzzzzzzzzzzzzzzzz";
    let bulk = server
        .post_as(
            &admin.token,
            "/api/v4/users/status/ids",
            &json!([bob.id, unknown, admin.id, bob.id]),
        )
        .await;
    bulk.assert_status(200);
    let bulk = bulk.json();
    let list = bulk.as_array().unwrap();
    assert_eq!(list.len(), 3, "{bulk}");
    let ids: Vec<&str> = list
        .iter()
        .map(|s| s["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [bob.id.as_str(), unknown, admin.id.as_str()]);
    let statuses: Vec<&str> = list.iter().map(|s| s["status"].as_str().unwrap()).collect();
    // The admin's own requests count as activity.
    assert_eq!(statuses, ["online", "offline", "online"]);
}

#[tokio::test]
async fn manual_statuses_stick_until_changed() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let state = app_state(&server);
    let record = townsquare::app::statuses::record_activity;

    for status in ["away", "dnd", "offline"] {
        let set = set_status(&server, &bob, json!({"user_id": bob.id, "status": status})).await;
        assert_eq!(set["status"], status);
        assert_eq!(set["manual"], true);
        record(&state, &bob.id, now_ms() + 120_000).await.unwrap();
        let read = status_of(&server, &admin, &bob.id).await;
        assert_eq!(read["status"], status, "activity keeps a manual {status}");
        assert_eq!(read["manual"], true);
        assert!(!server
            .store()
            .touch_status_online(&bob.id, now_ms() + 600_000, 60_000)
            .await
            .unwrap());
    }
    let online = set_status(
        &server,
        &bob,
        json!({"user_id": bob.id, "status": "online"}),
    )
    .await;
    assert_eq!(online["status"], "online");
    assert_eq!(online["manual"], false, "online clears manual");
    assert!(online["last_activity_at"].as_i64().unwrap() > 0);
    // Setting the same status again is fine.
    set_status(
        &server,
        &bob,
        json!({"user_id": bob.id, "status": "online"}),
    )
    .await;

    // Timed do-not-disturb, in whole minutes; when it ends the previous status returns.
    let end = now_ms() / 1000 + 3_600 + 17;
    let dnd = set_status(
        &server,
        &bob,
        json!({"user_id": bob.id, "status": "dnd", "dnd_end_time": end}),
    )
    .await;
    assert_eq!(dnd["status"], "dnd");
    assert_eq!(dnd["dnd_end_time"], end - end % 60);
    let past = now_ms() / 1000 - 120;
    set_status(
        &server,
        &bob,
        json!({"user_id": bob.id, "status": "dnd", "dnd_end_time": past}),
    )
    .await;
    let ended = status_of(&server, &admin, &bob.id).await;
    assert_eq!(ended["status"], "online", "{ended}");
    assert_eq!(ended["manual"], false);
    record(&state, &bob.id, now_ms()).await.unwrap();
    let stored = server.store().status(&bob.id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.manual), ("online", false));

    // Admins may set anyone's status.
    let by_admin = server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/status", bob.id),
            &json!({"user_id": bob.id, "status": "away"}),
        )
        .await;
    by_admin.assert_status(200);
    assert_eq!(status_of(&server, &bob, "me").await["status"], "away");
}

#[tokio::test]
async fn status_denials_and_bad_input() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let bob_path = format!("/api/v4/users/{}/status", bob.id);

    server
        .put_as(
            &eve.token,
            &bob_path,
            &json!({"user_id": bob.id, "status": "dnd"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    assert_eq!(status_of(&server, &eve, &bob.id).await["status"], "offline");
    server
        .put_as(
            &eve.token,
            "/api/v4/users/me/status",
            &json!({"user_id": bob.id, "status": "dnd"}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    for body in [
        json!({"user_id": eve.id, "status": "busy"}),
        json!({"user_id": eve.id, "status": "ooo"}),
        json!({"user_id": eve.id}),
        json!({"user_id": eve.id, "status": "dnd", "dnd_end_time": -5}),
        json!({"user_id": eve.id, "status": "dnd", "dnd_end_time": "soon"}),
        json!(["online"]),
        json!("online"),
    ] {
        server
            .put_as(&eve.token, "/api/v4/users/me/status", &body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .get_as(
            &eve.token,
            "/api/v4/users/zzzzzzzzzzzzzzzzzzzzzzzzzz/status",
        )
        .await
        .assert_error(404, "api.status.user_not_found.app_error");
    server
        .get_as(&eve.token, "/api/v4/users/nobody/status")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .put_as(
            &admin.token,
            "/api/v4/users/zzzzzzzzzzzzzzzzzzzzzzzzzz/status",
            &json!({"user_id": "zzzzzzzzzzzzzzzzzzzzzzzzzz", "status": "online"}),
        )
        .await
        .assert_error(404, "app.user.missing_account.const");
    for body in [json!([]), json!(["nobody"]), json!({"ids": [eve.id]})] {
        server
            .post_as(&eve.token, "/api/v4/users/status/ids", &body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .get(&bob_path)
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn custom_statuses_live_in_props() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let custom = "/api/v4/users/me/status/custom";
    let custom_status = |user: Value| -> Value {
        let raw = user["props"]["customStatus"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&raw).unwrap()
        }
    };

    let set = server
        .put_as(
            &bob.token,
            custom,
            &json!({"emoji": "calendar", "text": "x".repeat(120), "duration": "one_hour", "expires_at": "2099-01-01T10:00:00.000Z"}),
        )
        .await;
    set.assert_status(200);
    assert_eq!(set.json(), json!({"status": "OK"}));
    let me = server.get_as(&bob.token, "/api/v4/users/me").await.json();
    let stored = custom_status(me);
    assert_eq!(stored["emoji"], "calendar");
    assert_eq!(stored["text"].as_str().unwrap().chars().count(), 100);
    assert_eq!(stored["duration"], "one_hour");
    assert_eq!(stored["expires_at"], "2099-01-01T10:00:00Z");
    let recent = server
        .get_as(
            &bob.token,
            "/api/v4/users/me/preferences/custom_status/name/recent_custom_statuses",
        )
        .await;
    recent.assert_status(200);
    let recent: Value = serde_json::from_str(recent.json()["value"].as_str().unwrap()).unwrap();
    assert_eq!(recent[0]["emoji"], "calendar");

    // Without a duration the status lasts until cleared; other users see it.
    server
        .put_as(
            &bob.token,
            custom,
            &json!({"emoji": "", "text": "in a meeting"}),
        )
        .await
        .assert_status(200);
    let seen = server
        .get_as(&eve.token, &format!("/api/v4/users/{}", bob.id))
        .await
        .json();
    let seen = custom_status(seen);
    assert_eq!(seen["text"], "in a meeting");
    assert_eq!(seen["expires_at"], "0001-01-01T00:00:00Z");

    for body in [
        json!({"emoji": "x", "duration": "forever", "expires_at": "2099-01-01T00:00:00Z"}),
        json!({"emoji": "x", "duration": "one_hour"}),
        json!({"emoji": "x", "expires_at": "2001-01-01T00:00:00Z"}),
        json!({"emoji": "x", "expires_at": "tomorrow"}),
        json!({"emoji": "x", "expires_at": 5}),
        json!([5]),
    ] {
        server
            .put_as(&bob.token, custom, &body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .put_as(&bob.token, custom, &json!({"emoji": "", "text": ""}))
        .await
        .assert_error(
            400,
            "api.custom_status.set_custom_statuses.update.app_error",
        );
    server
        .put_as(
            &eve.token,
            &format!("/api/v4/users/{}/status/custom", bob.id),
            &json!({"emoji": "smile"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(
            &eve.token,
            &format!("/api/v4/users/{}/status/custom", bob.id),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");

    let cleared = server.delete_as(&bob.token, custom).await;
    cleared.assert_status(200);
    assert_eq!(cleared.json(), json!({"status": "OK"}));
    let me = server.get_as(&bob.token, "/api/v4/users/me").await.json();
    assert_eq!(me["props"]["customStatus"], "");
    server
        .delete_as(&bob.token, custom)
        .await
        .assert_status(200);
}
