//! Claiming a fresh server: the first account (the system admin) only from this machine or
//! with the one-time setup code printed at start. A request through a proxy (forwarding
//! headers) counts as remote even when the proxy connects over loopback.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::accounts::PASSWORD;
use crate::support::{TestResponse, TestServer};

fn account(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": PASSWORD,
    })
}

async fn sign_up(server: &TestServer, body: &Value, headers: &[(&str, &str)]) -> TestResponse {
    let mut request = server.request(Method::POST, "/api/v4/users").json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    server.send(request).await
}

async fn no_accounts(server: &TestServer) -> bool {
    let config = server.get("/api/v4/config/client?format=old").await.json();
    config["NoAccounts"] == "true"
}

const PROXIED: (&str, &str) = ("x-forwarded-for", "203.0.113.7");

#[tokio::test]
async fn this_machine_needs_no_code_and_the_code_is_printed_only_while_fresh() {
    let server = TestServer::start().await;
    let code = server
        .setup_code
        .clone()
        .expect("a fresh server has a setup code");
    assert_eq!(code.len(), 14, "{code}");
    assert_eq!(code.matches('-').count(), 2, "{code}");

    let created = sign_up(&server, &account("local.admin"), &[]).await;
    created.assert_status(201);
    assert_eq!(created.json()["roles"], "system_admin system_user");

    // With an account, a restarted server prints no code.
    let server = server.restart().await;
    assert!(server.setup_code.is_none());
}

#[tokio::test]
async fn from_elsewhere_the_first_account_needs_the_setup_code() {
    let server = TestServer::builder()
        .config(|c| c.team.enable_open_server = true)
        .start()
        .await;
    let code = server.setup_code.clone().unwrap();

    for proxy in [
        PROXIED,
        ("forwarded", "for=203.0.113.7;proto=https"),
        ("x-real-ip", "203.0.113.7"),
    ] {
        let refused = sign_up(&server, &account("claimer"), &[proxy]).await;
        let body = refused.assert_error(403, "api.user.create_user.setup_code_required.app_error");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("setup code"), "{message}");
        assert!(message.contains("X-Townsquare-Setup-Code"), "{message}");
    }
    for wrong in ["", "   ", "AAAA-BBBB-CCCC"] {
        let mut body = account("claimer");
        body["setup_code"] = json!(wrong);
        let refused = sign_up(&server, &body, &[PROXIED]).await;
        let expected = if wrong.trim().is_empty() {
            "api.user.create_user.setup_code_required.app_error"
        } else {
            "api.user.create_user.setup_code_invalid.app_error"
        };
        refused.assert_error(403, expected);
    }
    let refused = sign_up(
        &server,
        &account("claimer"),
        &[PROXIED, ("x-townsquare-setup-code", "ZZZZ-ZZZZ-ZZZZ")],
    )
    .await;
    refused.assert_error(403, "api.user.create_user.setup_code_invalid.app_error");
    // Nothing was written by the refusals.
    assert!(no_accounts(&server).await);

    // The code as a person might type it: lower case, spaces for dashes.
    let mut body = account("claimer");
    body["setup_code"] = json!(code.to_lowercase().replace('-', " "));
    let created = sign_up(&server, &body, &[PROXIED]).await;
    created.assert_status(201);
    let admin = created.json();
    assert_eq!(admin["roles"], "system_admin system_user");
    assert!(admin.get("setup_code").is_none(), "{admin}");
    assert!(!no_accounts(&server).await);

    // Spent: the same code makes nobody else an admin; sign-up follows the usual rules.
    let mut body = account("second");
    body["setup_code"] = json!(code);
    let second = sign_up(&server, &body, &[PROXIED]).await;
    second.assert_status(201);
    assert_eq!(second.json()["roles"], "system_user");
    let third = sign_up(&server, &account("third"), &[]).await;
    third.assert_status(201);
    assert_eq!(third.json()["roles"], "system_user");
}

#[tokio::test]
async fn the_code_in_the_header_claims_a_closed_server() {
    let server = TestServer::start().await;
    let code = server.setup_code.clone().unwrap();
    let created = sign_up(
        &server,
        &account("header.admin"),
        &[
            ("forwarded", "for=198.51.100.4"),
            ("x-townsquare-setup-code", &code),
        ],
    )
    .await;
    created.assert_status(201);
    assert_eq!(created.json()["roles"], "system_admin system_user");
    // The server is closed to open sign-up once it has its admin, code or not.
    let mut body = account("late");
    body["setup_code"] = json!(code);
    sign_up(&server, &body, &[])
        .await
        .assert_error(403, "api.user.create_user.no_open_server");
}

#[tokio::test]
async fn a_setup_code_of_the_wrong_type_is_a_bad_request() {
    let server = TestServer::start().await;
    let mut body = account("typed");
    body["setup_code"] = json!(12345);
    let response = sign_up(&server, &body, &[PROXIED]).await;
    assert_eq!(response.status.as_u16(), 400, "{}", response.text());
    assert!(response.json()["id"].as_str().is_some());
    // null is "not given".
    body["setup_code"] = Value::Null;
    sign_up(&server, &body, &[PROXIED])
        .await
        .assert_error(403, "api.user.create_user.setup_code_required.app_error");
    assert!(no_accounts(&server).await);
}
