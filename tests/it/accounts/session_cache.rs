//! The session cache never outlives a change: revocations, deactivation and role changes take
//! effect on the very next request of a warm cache, on this node and (PostgreSQL) on others.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{StoreKind, TestServer};

async fn me_roles(server: &TestServer, token: &str) -> String {
    let me = server.get_as(token, "/api/v4/users/me").await;
    me.assert_status(200);
    me.json()["roles"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn changes_reach_a_warm_cache_on_the_next_request() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    // Warm: the second request is answered from the cache.
    assert_eq!(me_roles(&server, &bob.token).await, "system_user");
    assert_eq!(me_roles(&server, &bob.token).await, "system_user");

    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/roles", bob.id),
            &json!({"roles": "system_user system_admin"}),
        )
        .await
        .assert_status(200);
    assert_eq!(
        me_roles(&server, &bob.token).await,
        "system_user system_admin",
        "a promotion is seen at once"
    );
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/roles", bob.id),
            &json!({"roles": "system_user"}),
        )
        .await
        .assert_status(200);
    // The demotion is enforced at once too, not only displayed.
    server
        .get_as(&bob.token, "/api/v4/users/me/sessions")
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, &format!("/api/v4/users/{}/sessions", admin.id))
        .await
        .assert_error(403, "api.context.permissions.app_error");

    // An admin revokes Bob's session: his warm token stops working on the next request.
    let session_id = server
        .get_as(&bob.token, "/api/v4/users/me/sessions")
        .await
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/users/{}/sessions/revoke", bob.id),
            &json!({"session_id": session_id}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, "/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");

    // Deactivation with a warm cache.
    let bob = server.login_user("bob").await;
    me_roles(&server, &bob.token).await;
    me_roles(&server, &bob.token).await;
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/active", bob.id),
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&bob.token, "/api/v4/users/me")
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

/// Two servers on one PostgreSQL database: a revocation on one reaches the other's cache
/// through `NOTIFY` (SQLite is single-server by design).
#[tokio::test]
async fn revocation_on_one_node_reaches_the_cache_of_another() {
    if StoreKind::from_env() != StoreKind::Postgres {
        return;
    }
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let node = server.second_node().await;
    let me_on_node = || {
        node.client
            .get(format!("{}/api/v4/users/me", node.url))
            .bearer_auth(&bob.token)
            .send()
    };
    // Warm the other node's cache (its listener may still be connecting: wait until it is
    // answering from a trusted cache, i.e. twice in a row).
    for _ in 0..2 {
        assert_eq!(me_on_node().await.unwrap().status(), 200);
    }
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/users/{}/sessions/revoke/all", bob.id),
            &json!({}),
        )
        .await
        .assert_status(200);
    let revoked_at = Instant::now();
    loop {
        let status = me_on_node().await.unwrap().status();
        if status == 401 {
            break;
        }
        assert!(
            revoked_at.elapsed() < Duration::from_secs(2),
            "the other node still accepts a revoked session after {:?}",
            revoked_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    node.stop().await;
}
