//! The OpenAPI document is generated from the same registrations as the router; this snapshot
//! makes every change to the public API visible in review.

#[test]
fn openapi_document_snapshot() {
    let doc = townsquare::api::openapi();
    let json = serde_json::to_value(&doc).expect("serializable");
    insta::assert_json_snapshot!("openapi", json);
}

#[test]
fn every_route_is_documented_with_a_tag() {
    let doc = serde_json::to_value(townsquare::api::openapi()).unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (path, item) in paths {
        // Public file links live at the site root, as in Mattermost.
        assert!(
            path.starts_with("/api/v4/") || path == "/files/{file_id}/public",
            "{path}"
        );
        for (method, op) in item.as_object().unwrap() {
            let tags = op["tags"].as_array().map(|t| t.len()).unwrap_or(0);
            assert!(tags > 0, "{method} {path} has no tag");
        }
    }
}
