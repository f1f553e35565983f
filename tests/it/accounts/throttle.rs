//! Login throttling counts per account, whichever login id names it; the reset route clears
//! it; unknown login ids are answered like wrong passwords.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::accounts::{TestUser, PASSWORD};
use crate::support::{TestResponse, TestServer};

const INVALID: &str = "api.user.login.invalid_credentials_email_username";

async fn server_with_limit(limit: u64) -> TestServer {
    TestServer::builder()
        .config(move |c| c.service.maximum_login_attempts = limit)
        .start()
        .await
}

async fn login_body(server: &TestServer, body: Value) -> TestResponse {
    server.post_json("/api/v4/users/login", &body).await
}

/// An error body without its per-request id, for comparing two answers.
fn answer(response: &TestResponse) -> (u16, Value) {
    let mut body = response.json();
    body.as_object_mut().unwrap().remove("request_id");
    (response.status.as_u16(), body)
}

async fn reset(server: &TestServer, caller: &TestUser, user_id: &str) -> TestResponse {
    server
        .post_as(
            &caller.token,
            &format!("/api/v4/users/{user_id}/reset_failed_attempts"),
            &json!({}),
        )
        .await
}

#[tokio::test]
async fn email_and_username_failures_add_up_and_block_every_login_id() {
    let server = server_with_limit(4).await;
    let admin = server.admin().await;
    let victim = server.user(&admin, "victim").await;
    // Two wrong passwords by email, two by username: the limit, over both ids.
    for login_id in [
        "victim@example.com",
        "victim",
        "VICTIM@example.com",
        " victim ",
    ] {
        server
            .login(login_id, "wrong")
            .await
            .assert_error(401, INVALID);
    }
    // The account is blocked, whichever id names it, even with the right password.
    for login_id in ["victim", "victim@example.com", "Victim"] {
        server
            .login(login_id, PASSWORD)
            .await
            .assert_error(401, INVALID);
    }
    login_body(&server, json!({"id": victim.id, "password": PASSWORD}))
        .await
        .assert_error(401, INVALID);
    // Another account from the same address is not affected.
    server.login("admin", PASSWORD).await.assert_status(200);
}

#[tokio::test]
async fn a_block_by_username_holds_for_the_email_too() {
    let server = server_with_limit(3).await;
    let admin = server.admin().await;
    server.user(&admin, "victim").await;
    for _ in 0..3 {
        server
            .login("victim", "wrong")
            .await
            .assert_error(401, INVALID);
    }
    server
        .login("victim@example.com", PASSWORD)
        .await
        .assert_error(401, INVALID);
}

#[tokio::test]
async fn the_reset_route_clears_the_block() {
    let server = server_with_limit(2).await;
    let admin = server.admin().await;
    let victim = server.user(&admin, "victim").await;
    let bystander = server.user(&admin, "bystander").await;
    for login_id in ["victim", "victim@example.com"] {
        server
            .login(login_id, "wrong")
            .await
            .assert_error(401, INVALID);
    }
    server
        .login("victim@example.com", PASSWORD)
        .await
        .assert_error(401, INVALID);

    // Neither the account itself nor another user may reset it.
    for caller in [&victim, &bystander] {
        reset(&server, caller, &victim.id)
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    reset(&server, &admin, "not-an-id")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    reset(&server, &admin, "a".repeat(26).as_str())
        .await
        .assert_status(404);
    let done = reset(&server, &admin, &victim.id).await;
    done.assert_status(200);
    assert_eq!(done.json(), json!({"status": "OK"}));
    // Cleared for every login id at once.
    server
        .login("victim@example.com", PASSWORD)
        .await
        .assert_status(200);
    server.login("victim", PASSWORD).await.assert_status(200);

    // The old Townsquare-only path is gone.
    let old = server
        .delete_as(
            &admin.token,
            &format!("/api/v4/users/{}/login_attempts", victim.id),
        )
        .await;
    assert!(
        matches!(old.status.as_u16(), 404 | 405),
        "old path still served: {}",
        old.status
    );
}

#[tokio::test]
async fn unknown_login_ids_are_answered_like_wrong_passwords() {
    let server = server_with_limit(1000).await;
    let admin = server.admin().await;
    server.user(&admin, "victim").await;

    let wrong = server.login("victim", "wrong").await;
    let unknown = server.login("nobody", "wrong").await;
    let unknown_email = server.login("nobody@example.com", "wrong").await;
    assert_eq!(answer(&wrong), answer(&unknown));
    assert_eq!(answer(&wrong), answer(&unknown_email));
    wrong.assert_error(401, INVALID);

    // Same timing class: both verify a password hash (a decoy for unknown ids), read the
    // same counters and record the failure. Interleaved medians, with a generous bound
    // because the machine is shared.
    let mut wrong_times = Vec::new();
    let mut unknown_times = Vec::new();
    for round in 0..9 {
        for (login_id, times) in [
            ("victim", &mut wrong_times),
            (["nobody", "ghost", "nemo"][round % 3], &mut unknown_times),
        ] {
            let started = Instant::now();
            server
                .login(login_id, "wrong")
                .await
                .assert_error(401, INVALID);
            times.push(started.elapsed());
        }
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (wrong, unknown) = (median(&mut wrong_times), median(&mut unknown_times));
    assert!(
        unknown * 4 >= wrong && wrong * 4 >= unknown,
        "wrong password {wrong:?} vs unknown login {unknown:?}"
    );
}
