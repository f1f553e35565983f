//! Transport conventions every route shares: headers, error bodies, routing edge cases.

use crate::support::TestServer;

#[tokio::test]
async fn every_response_carries_standard_headers() {
    let server = TestServer::start().await;
    for path in ["/api/v4/system/ping", "/api/v4/nope"] {
        let response = server.get(path).await;
        let request_id = response.header("x-request-id").expect("x-request-id");
        assert!(townsquare::id::is_valid_id(request_id), "{request_id}");
        let version = response.header("x-version-id").expect("x-version-id");
        assert!(
            version.starts_with(townsquare::build_info::COMPATIBLE_MATTERMOST_VERSION),
            "{version}"
        );
        assert!(version.ends_with(".false"), "unlicensed: {version}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("expires"), Some("0"));
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert!(
            response.header("access-control-allow-origin").is_none(),
            "no permissive CORS"
        );
        assert!(
            response.header("cache-control").is_none(),
            "Client4 ignores X-Version-Id with Cache-Control"
        );
    }
}

#[tokio::test]
async fn request_ids_are_unique() {
    let server = TestServer::start().await;
    let a = server.get("/api/v4/system/ping").await;
    let b = server.get("/api/v4/system/ping").await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[tokio::test]
async fn unknown_route_is_mattermost_404() {
    let server = TestServer::start().await;
    let body = server
        .get("/api/v4/does/not/exist")
        .await
        .assert_error(404, "api.context.404.app_error");
    insta::assert_json_snapshot!("unknown_route", body, {".request_id" => "[request_id]"});
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let server = TestServer::start().await;
    let response = server
        .send(server.request(reqwest::Method::DELETE, "/api/v4/system/ping"))
        .await;
    response.assert_error(405, "api.context.405.app_error");
    assert!(response.header("allow").is_some_and(|a| a.contains("GET")));
    let response = server
        .post_json("/api/v4/config/client", &serde_json::json!({}))
        .await;
    response.assert_error(405, "api.context.405.app_error");
}

#[tokio::test]
async fn duplicate_slashes_are_collapsed() {
    let server = TestServer::start().await;
    let response = server.get("/api/v4//license//client").await;
    response.assert_status(200);
    assert_eq!(response.json()["IsLicensed"], "false");
}

#[tokio::test]
async fn docs_page_and_openapi_document_are_served() {
    let server = TestServer::start().await;
    let page = server.get("/api/v4/docs").await;
    page.assert_status(200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text().contains("docs/init.js"));
    let script = server.get("/api/v4/docs/init.js").await;
    script.assert_status(200);
    assert!(script.text().contains("openapi.json"));
    let doc = server.get("/api/v4/openapi.json").await;
    doc.assert_status(200);
    assert_eq!(doc.header("content-type"), Some("application/json"));
    assert!(doc.json()["paths"]["/api/v4/system/ping"]["get"].is_object());
}
