//! `POST /users/ids` at its edges: duplicates, unknown and malformed ids, `since`, the bound
//! on the list, and what privacy settings hide.

use serde_json::{json, Value};

use crate::support::TestServer;

fn usernames(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn users_by_ids_collapse_skip_and_bound() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let carol = server.user(&admin, "carol").await;
    let bob = server.user(&admin, "bob").await;

    let found = server
        .post_as(
            &bob.token,
            "/api/v4/users/ids",
            &json!([carol.id, bob.id, carol.id, "z".repeat(26), "bad", ""]),
        )
        .await;
    found.assert_status(200);
    assert_eq!(
        usernames(&found.json()),
        ["bob", "carol"],
        "by username, once each; unknown and malformed ids left out"
    );
    let none = server
        .post_as(&bob.token, "/api/v4/users/ids", &json!(["bad"]))
        .await;
    none.assert_status(200);
    assert_eq!(none.json(), json!([]));

    for bad in [json!([]), json!(null), json!({"ids": [bob.id]}), json!([1])] {
        server
            .post_as(&bob.token, "/api/v4/users/ids", &bad)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    // At most 1000 distinct ids; repeats count once.
    let distinct: Vec<String> = (0..1000).map(|i| format!("{i:0>26}")).collect();
    server
        .post_as(&bob.token, "/api/v4/users/ids", &json!(distinct))
        .await
        .assert_status(200);
    let mut too_many = distinct.clone();
    too_many.push(bob.id.clone());
    server
        .post_as(&bob.token, "/api/v4/users/ids", &json!(too_many))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    let repeated = vec![bob.id.clone(); 1500];
    let once = server
        .post_as(&bob.token, "/api/v4/users/ids", &json!(repeated))
        .await;
    once.assert_status(200);
    assert_eq!(usernames(&once.json()), ["bob"]);
    server
        .post_json("/api/v4/users/ids", &json!([bob.id]))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn users_by_ids_since_returns_only_changed_users() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let both = json!([bob.id, carol.id]);
    let before = server
        .post_as(&bob.token, "/api/v4/users/ids", &both)
        .await
        .json();
    let since = before
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["update_at"].as_i64().unwrap())
        .max()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    server
        .put_as(
            &carol.token,
            "/api/v4/users/me/patch",
            &json!({"nickname": "cc"}),
        )
        .await
        .assert_status(200);

    let changed = server
        .post_as(
            &bob.token,
            &format!("/api/v4/users/ids?since={since}"),
            &both,
        )
        .await;
    changed.assert_status(200);
    let changed = changed.json();
    assert_eq!(usernames(&changed), ["carol"]);
    assert_eq!(changed[0]["nickname"], "cc");
    // 0 (or an empty value) means no filter.
    for query in ["?since=0", "?since=", ""] {
        let all = server
            .post_as(&bob.token, &format!("/api/v4/users/ids{query}"), &both)
            .await
            .json();
        assert_eq!(usernames(&all), ["bob", "carol"], "{query}");
    }
    let later = server
        .post_as(
            &bob.token,
            &format!("/api/v4/users/ids?since={}", since + 86_400_000),
            &both,
        )
        .await
        .json();
    assert_eq!(later, json!([]));
    // Mattermost names `since` as a body parameter.
    for bad in ["?since=yesterday", "?since=1.5", "?since=%201"] {
        server
            .post_as(&bob.token, &format!("/api/v4/users/ids{bad}"), &both)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
}

#[tokio::test]
async fn users_by_ids_follow_privacy_settings() {
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
    server
        .put_as(
            &carol.token,
            "/api/v4/users/me/patch",
            &json!({"first_name": "Carol", "last_name": "King", "nickname": "ck"}),
        )
        .await
        .assert_status(200);
    let both = json!([bob.id, carol.id]);

    let seen = server
        .post_as(&bob.token, "/api/v4/users/ids", &both)
        .await
        .json();
    let (bob_seen, carol_seen) = (&seen[0], &seen[1]);
    assert_eq!(carol_seen["email"], "");
    assert_eq!(carol_seen["first_name"], "");
    assert_eq!(carol_seen["last_name"], "");
    assert_eq!(carol_seen["nickname"], "ck", "nicknames are never hidden");
    assert!(carol_seen.get("password").is_none());
    assert!(carol_seen.get("notify_props").is_none());
    assert_eq!(
        bob_seen["email"], "bob@example.com",
        "the caller sees themselves"
    );
    let to_admin = server
        .post_as(&admin.token, "/api/v4/users/ids", &both)
        .await
        .json();
    assert_eq!(to_admin[1]["email"], "carol@example.com");
    assert_eq!(to_admin[1]["first_name"], "Carol");

    let open = TestServer::start().await;
    let admin = open.admin().await;
    let bob = open.user(&admin, "bob").await;
    let carol = open.user(&admin, "carol").await;
    let shown = open
        .post_as(&bob.token, "/api/v4/users/ids", &json!([carol.id]))
        .await
        .json();
    assert_eq!(shown[0]["email"], "carol@example.com");
}
