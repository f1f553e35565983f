use serde_json::Value;

use crate::support::TestServer;

#[tokio::test]
async fn ping_answers_ok_with_mattermost_shape() {
    let server = TestServer::start().await;
    let response = server.get("/api/v4/system/ping").await;
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body["status"], "OK");
    assert_eq!(body["ActiveSearchBackend"], "database");
    assert!(body.get("database_status").is_none());
}

#[tokio::test]
async fn ping_with_server_status_checks_database_and_files() {
    let server = TestServer::start().await;
    let response = server
        .get("/api/v4/system/ping?get_server_status=true&use_rest_semantics=true")
        .await;
    response.assert_status(200);
    let body = response.json();
    assert_eq!(body["database_status"], "OK");
    assert_eq!(body["filestore_status"], "OK");
    assert_eq!(response.header("database_status"), Some("OK"));
}

#[tokio::test]
async fn ping_reports_unwritable_filestore() {
    let server = TestServer::builder()
        .config(|c| c.file.directory = "/proc/townsquare-cannot-write-here".into())
        .start()
        .await;
    let unhealthy = server
        .get("/api/v4/system/ping?get_server_status=true")
        .await;
    unhealthy.assert_status(500);
    assert_eq!(unhealthy.json()["status"], "UNHEALTHY");
    assert_eq!(unhealthy.json()["filestore_status"], "UNHEALTHY");
    let rest = server
        .get("/api/v4/system/ping?get_server_status=true&use_rest_semantics=true")
        .await;
    rest.assert_status(200);
    assert_eq!(rest.json()["status"], "UNHEALTHY");
}

#[tokio::test]
async fn client_config_is_a_flat_string_map() {
    let server = TestServer::start().await;
    for path in [
        "/api/v4/config/client?format=old",
        "/api/v4/config/client",
        "/api/v4/config/client?format=new",
    ] {
        let response = server.get(path).await;
        response.assert_status(200);
        let body = response.json();
        let map = body.as_object().expect("object");
        assert!(
            map.values().all(Value::is_string),
            "every value is a string: {body}"
        );
        assert_eq!(
            body["Version"],
            townsquare::build_info::COMPATIBLE_MATTERMOST_VERSION
        );
        assert_eq!(body["BuildHash"], townsquare::build_info::GIT_HASH);
        assert_eq!(body["WebsocketPort"], "80");
        assert_eq!(body["EnableOpenServer"], "false");
        assert_eq!(body["PasswordMinimumLength"], "8");
    }
}

#[tokio::test]
async fn client_config_follows_configuration() {
    let server = TestServer::builder()
        .config(|c| {
            c.team.site_name = "Acme Chat".into();
            c.service.site_url = "https://chat.acme.test".into();
            c.team.enable_open_server = true;
        })
        .start()
        .await;
    let body = server.get("/api/v4/config/client?format=old").await.json();
    assert_eq!(body["SiteName"], "Acme Chat");
    assert_eq!(body["SiteURL"], "https://chat.acme.test");
    assert_eq!(body["EnableOpenServer"], "true");
}

#[tokio::test]
async fn client_license_is_unlicensed() {
    let server = TestServer::start().await;
    let response = server.get("/api/v4/license/client?format=old").await;
    response.assert_status(200);
    assert_eq!(response.json(), serde_json::json!({"IsLicensed": "false"}));
}

#[tokio::test]
async fn graceful_shutdown_then_restart_serves_again() {
    let server = TestServer::start().await;
    server.get("/api/v4/system/ping").await.assert_status(200);
    let url = server.url.clone();
    let server = server.restart().await;
    assert_ne!(server.url, url, "a restart binds a new port");
    server.get("/api/v4/system/ping").await.assert_status(200);
    let url = server.url.clone();
    server.stop().await;
    let refused = reqwest::get(format!("{url}/api/v4/system/ping")).await;
    assert!(refused.is_err(), "a stopped server accepts no connections");
}
