//! `POST /users/search`: Mattermost's scopes, limits and permission checks.

use serde_json::{json, Value};

use crate::chat::{channel, join, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

struct World {
    admin: TestUser,
    a: TestUser,
    b: TestUser,
    c: TestUser,
    eng: String,
    ops: String,
    secret: String,
}

/// eng: sam-a, sam-b, sam-e (deactivated); ops: sam-c; sam-d on no team. The private channel
/// `secret` in eng holds the admin and sam-a.
async fn world(server: &TestServer) -> World {
    let admin = server.admin().await;
    let eng = team(server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ops = team(server, &admin, "ops").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = server.user(&admin, "sam-a").await;
    let b = server.user(&admin, "sam-b").await;
    let c = server.user(&admin, "sam-c").await;
    server.user(&admin, "sam-d").await;
    let e = server.user(&admin, "sam-e").await;
    for user in [&a, &b, &e] {
        join(server, &admin, &eng, user).await;
    }
    join(server, &admin, &ops, &c).await;
    let secret = channel(server, &admin, &eng, "secret", "P").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post_as(
            &admin.token,
            &format!("/api/v4/channels/{secret}/members"),
            &json!({"user_id": a.id}),
        )
        .await
        .assert_status(201);
    server
        .delete_as(&admin.token, &format!("/api/v4/users/{}", e.id))
        .await
        .assert_status(200);
    World {
        admin,
        a,
        b,
        c,
        eng,
        ops,
        secret,
    }
}

async fn names(server: &TestServer, who: &TestUser, body: Value) -> Vec<String> {
    let response = server
        .post_as(&who.token, "/api/v4/users/search", &body)
        .await;
    response.assert_status(200);
    response
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn scopes_follow_mattermost() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let admin = &w.admin;
    let cases = [
        (
            json!({"term": "sam"}),
            vec!["sam-a", "sam-b", "sam-c", "sam-d"],
        ),
        (
            json!({"term": "sam", "allow_inactive": true}),
            vec!["sam-a", "sam-b", "sam-c", "sam-d", "sam-e"],
        ),
        (
            json!({"term": "sam", "team_id": w.eng}),
            vec!["sam-a", "sam-b"],
        ),
        (
            json!({"term": "sam", "team_id": w.eng, "allow_inactive": true}),
            vec!["sam-a", "sam-b", "sam-e"],
        ),
        (
            json!({"term": "sam", "not_in_team_id": w.eng}),
            vec!["sam-c", "sam-d"],
        ),
        // not_in_team_id wins over team_id, as in Mattermost.
        (
            json!({"term": "sam", "team_id": w.ops, "not_in_team_id": w.eng}),
            vec!["sam-c", "sam-d"],
        ),
        (
            json!({"term": "sam", "in_channel_id": w.secret}),
            vec!["sam-a"],
        ),
        (
            json!({"term": "sam", "team_id": w.eng, "not_in_channel_id": w.secret}),
            vec!["sam-b"],
        ),
        (json!({"term": "sam", "without_team": true}), vec!["sam-d"]),
        (
            json!({"term": "sam", "without_team": true, "team_id": w.eng}),
            vec!["sam-d"],
        ),
        (json!({"term": "sam", "limit": 2}), vec!["sam-a", "sam-b"]),
        (
            json!({"term": "sam", "limit": 0}),
            vec!["sam-a", "sam-b", "sam-c", "sam-d"],
        ),
        (
            json!({"term": "sam", "team_id": null, "limit": null}),
            vec!["sam-a", "sam-b", "sam-c", "sam-d"],
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            names(&server, admin, body.clone()).await,
            expected,
            "{body}"
        );
    }
}

#[tokio::test]
async fn requests_are_checked_as_mattermost_does() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    const BODY: &str = "api.context.invalid_body_param.app_error";
    const DENIED: &str = "api.context.permissions.app_error";
    let search = |who: &TestUser, body: Value| {
        let token = who.token.clone();
        let server = &server;
        async move { server.post_as(&token, "/api/v4/users/search", &body).await }
    };
    let body = search(
        &w.admin,
        json!({"term": "sam", "not_in_channel_id": w.secret}),
    )
    .await
    .assert_error(400, BODY);
    assert!(
        body["message"].as_str().unwrap().contains("team_id"),
        "{body}"
    );
    for limit in [-1, 1001] {
        let body = search(&w.admin, json!({"term": "sam", "limit": limit}))
            .await
            .assert_error(400, BODY);
        assert!(
            body["message"].as_str().unwrap().contains("limit"),
            "{body}"
        );
    }
    assert_eq!(
        names(&server, &w.admin, json!({"term": "sam", "limit": 1000}))
            .await
            .len(),
        4
    );
    search(&w.admin, json!({"term": "  "}))
        .await
        .assert_error(400, BODY);

    // A private channel the caller is not in, a team it is not on: 403.
    search(&w.b, json!({"term": "sam", "in_channel_id": w.secret}))
        .await
        .assert_error(403, DENIED);
    search(
        &w.b,
        json!({"term": "sam", "team_id": w.eng, "not_in_channel_id": w.secret}),
    )
    .await
    .assert_error(403, DENIED);
    search(&w.c, json!({"term": "sam", "team_id": w.eng}))
        .await
        .assert_error(403, DENIED);
    search(&w.b, json!({"term": "sam", "not_in_team_id": w.ops}))
        .await
        .assert_error(403, DENIED);
    // Unknown or malformed ids are refused the same way (nothing says whether they exist).
    search(
        &w.b,
        json!({"term": "sam", "in_channel_id": "zzzzzzzzzzzzzzzzzzzzzzzzzz"}),
    )
    .await
    .assert_error(403, DENIED);
    search(&w.b, json!({"term": "sam", "team_id": "bad"}))
        .await
        .assert_error(403, DENIED);
    // Members may.
    assert_eq!(
        names(
            &server,
            &w.a,
            json!({"term": "sam", "in_channel_id": w.secret})
        )
        .await,
        vec!["sam-a"]
    );
    assert_eq!(
        names(&server, &w.b, json!({"term": "sam", "team_id": w.eng})).await,
        vec!["sam-a", "sam-b"]
    );
    assert_eq!(
        names(
            &server,
            &w.c,
            json!({"term": "sam", "not_in_team_id": w.ops})
        )
        .await,
        vec!["sam-a", "sam-b", "sam-d"]
    );
}

#[tokio::test]
async fn hidden_names_and_emails_are_not_searched() {
    let server = TestServer::builder()
        .config(|c| {
            c.privacy.show_full_name = false;
            c.privacy.show_email_address = false;
        })
        .start()
        .await;
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    server
        .put_as(
            &admin.token,
            &format!("/api/v4/users/{}/patch", carol.id),
            &json!({"first_name": "Zelda", "nickname": "cc"}),
        )
        .await
        .assert_status(200);
    // Admins search every field; others not the hidden ones (a match would reveal them).
    assert_eq!(
        names(&server, &admin, json!({"term": "zel"})).await,
        vec!["carol"]
    );
    assert_eq!(
        names(&server, &admin, json!({"term": "carol@"})).await,
        vec!["carol"]
    );
    assert!(names(&server, &bob, json!({"term": "zel"}))
        .await
        .is_empty());
    assert!(names(&server, &bob, json!({"term": "carol@"}))
        .await
        .is_empty());
    assert_eq!(
        names(&server, &bob, json!({"term": "cc"})).await,
        vec!["carol"]
    );
}
