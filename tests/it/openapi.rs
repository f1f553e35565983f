//! The OpenAPI document is generated from the same registrations as the router. The snapshot
//! makes every change to the public API visible in review; the other tests check what a
//! client generator, the API explorer and the schema fuzz (`.ci/fuzz-openapi.sh`) rely on,
//! and the coverage table of `docs/api-coverage.md` against the document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::TestServer;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

fn document() -> Value {
    serde_json::to_value(townsquare::api::openapi()).expect("serializable")
}

/// `(METHOD, path, operation)` for every operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                all.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    all
}

#[test]
fn openapi_document_snapshot() {
    insta::assert_json_snapshot!("openapi", document());
}

#[test]
fn every_route_is_documented_with_a_tag() {
    let doc = document();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (method, path, op) in operations(&doc) {
        // Public file links live at the site root, as in Mattermost.
        assert!(
            path.starts_with("/api/v4/") || path == "/files/{file_id}/public",
            "{path}"
        );
        let tags = op["tags"].as_array().map(|t| t.len()).unwrap_or(0);
        assert!(tags > 0, "{method} {path} has no tag");
    }
}

fn is_app_error(response: &Value) -> bool {
    response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/AppError"
}

/// What a generated client needs: a schema for every JSON body, the error body behind every
/// error status, a declared way to authenticate.
#[test]
fn every_operation_has_schemas_errors_and_security() {
    let doc = document();
    let schemes: BTreeSet<String> = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes")
        .keys()
        .cloned()
        .collect();
    for expected in ["bearer", "session_cookie", "csrf_token", "requested_with"] {
        assert!(schemes.contains(expected), "no {expected} scheme");
    }
    let mut problems = Vec::new();
    for (method, path, op) in operations(&doc) {
        let name = format!("{method} {path}");
        let security = op["security"].as_array().cloned().unwrap_or_default();
        if security.is_empty() {
            problems.push(format!("{name}: no security requirement"));
        }
        for requirement in &security {
            for scheme in requirement.as_object().unwrap().keys() {
                if !schemes.contains(scheme) {
                    problems.push(format!("{name}: undeclared scheme {scheme}"));
                }
            }
        }
        if let Some(body) = op.get("requestBody") {
            for (media, content) in body["content"].as_object().unwrap() {
                if media == "application/json" && content.get("schema").is_none() {
                    problems.push(format!("{name}: request body without schema"));
                }
            }
        }
        let responses = op["responses"].as_object().unwrap();
        let mut success = false;
        for (status, response) in responses {
            if status.starts_with('2') || status == "101" {
                success = true;
                let json = &response["content"]["application/json"];
                if !json.is_null() {
                    let schema = &json["schema"];
                    if schema.is_null() || schema == &serde_json::json!({}) {
                        problems.push(format!("{name}: {status} without a schema"));
                    }
                }
            } else if status.starts_with('3') {
                // 304 Not Modified (ETags) and redirects carry no body.
                assert!(
                    response["content"].is_null(),
                    "{name}: {status} with a body"
                );
            } else if name == "GET /api/v4/system/ping" && status == "500" {
                // Unhealthy: the status map again, as Mattermost answers.
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ServerStatus");
            } else if !is_app_error(response) {
                problems.push(format!("{name}: {status} is not an AppError"));
            }
        }
        if !success {
            problems.push(format!("{name}: no success response"));
        }
        if !responses.contains_key("default") {
            problems.push(format!("{name}: no default (error) response"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Routes that require a session say so (401 documented); the public ones list `{}`.
#[test]
fn public_routes_are_the_ones_that_take_no_session() {
    let doc = document();
    let mut open = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let security = op["security"].as_array().unwrap();
        if security.iter().any(|r| r.as_object().unwrap().is_empty()) {
            open.insert(format!("{method} {path}"));
        } else {
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path}: no 401"
            );
        }
    }
    let expected: BTreeSet<String> = [
        "GET /api/v4/system/ping",
        "GET /api/v4/config/client",
        "GET /api/v4/license/client",
        "POST /api/v4/users",
        "POST /api/v4/users/login",
        "POST /api/v4/users/logout",
        "POST /api/v4/logs",
        "GET /api/v4/websocket",
        "GET /files/{file_id}/public",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(open, expected);
}

fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => {
                        refs.insert(target.clone());
                    }
                    _ => collect_refs(inner, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_and_operation_ids_are_unique() {
    let doc = document();
    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.contains("#/components/schemas/AppError"));
    for target in &refs {
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "unresolved {target}");
    }
    let mut ids = BTreeMap::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().expect("operationId").to_string();
        if let Some(other) = ids.insert(id.clone(), format!("{method} {path}")) {
            panic!("operationId {id} used by {other} and {method} {path}");
        }
    }
}

/// `{user_id}` and `{id}` compare equal: the table names parameters loosely.
fn normalized(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// The `## Operations (checked)` table of docs/api-coverage.md: (METHOD, path) -> status.
fn coverage_table() -> BTreeMap<(String, String), String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api-coverage.md"))
            .expect("docs/api-coverage.md");
    let section = text
        .split("\n## Operations (checked)")
        .nth(1)
        .expect("an `## Operations (checked)` section");
    let section = section.split("\n## ").next().unwrap();
    let mut table = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [method, path, status] = cells[..] else {
            panic!("not a `| method | path | status |` row: {line}");
        };
        if method == "method" {
            continue;
        }
        let path = path.trim_matches('`');
        let key = (method.to_string(), normalized(path));
        assert!(
            METHODS.contains(&method.to_lowercase().as_str()),
            "bad method in: {line}"
        );
        let known = status == "done"
            || status.starts_with("planned")
            || status
                .strip_prefix("left out: ")
                .is_some_and(|why| !why.trim().is_empty());
        assert!(
            known,
            "status must be `done`, `planned` or `left out: <why>`: {line}"
        );
        assert!(
            table.insert(key, status.to_string()).is_none(),
            "listed twice: {line}"
        );
    }
    table
}

#[test]
fn coverage_table_matches_the_openapi_document() {
    let table = coverage_table();
    let documented: BTreeSet<(String, String)> = operations(&document())
        .into_iter()
        .map(|(method, path, _)| (method, normalized(&path)))
        .collect();
    let mut problems = Vec::new();
    for key in &documented {
        match table.get(key).map(String::as_str) {
            None => problems.push(format!("{} {} is not in the table", key.0, key.1)),
            Some(status) if status.starts_with("left out") => {
                problems.push(format!("{} {} is marked {status}", key.0, key.1))
            }
            _ => {}
        }
    }
    for (key, status) in &table {
        if status == "done" && !documented.contains(key) {
            problems.push(format!(
                "{} {} is marked done but not in the document",
                key.0, key.1
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The explorer: Swagger UI from the binary, every asset the page names served with its type.
#[tokio::test]
async fn docs_page_serves_the_explorer_and_its_assets() {
    let server = TestServer::start().await;
    let page = server.get("/api/v4/docs").await;
    page.assert_status(200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let html = page.text();
    // Everything comes from this server: no CDN, no inline script.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            let url = part.split('"').next().unwrap();
            if !url.starts_with("data:") {
                assets.push(url.to_string());
            }
        }
    }
    assert!(assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")));
    assert!(assets.iter().any(|a| a.ends_with("swagger-ui.css")));
    assert!(assets.iter().any(|a| a.ends_with("init.js")));
    for asset in assets {
        // Relative to /api/v4/docs.
        let response = server.get(&format!("/api/v4/{asset}")).await;
        response.assert_status(200);
        let content_type = response.header("content-type").unwrap().to_string();
        let cache = response.header("cache-control").unwrap_or("").to_string();
        if asset.ends_with(".js") {
            assert_eq!(content_type, "text/javascript; charset=utf-8", "{asset}");
        } else if asset.ends_with(".css") {
            assert_eq!(content_type, "text/css; charset=utf-8", "{asset}");
        } else {
            assert_eq!(content_type, "application/json", "{asset}");
        }
        if asset.contains("/swagger-ui-") {
            assert!(cache.contains("immutable"), "{asset}: {cache}");
            assert!(!response.body.is_empty());
        } else if asset.ends_with("init.js") {
            assert_eq!(cache, "no-cache");
            let script = response.text();
            assert!(script.contains("SwaggerUIBundle"), "{script}");
            assert!(script.contains("\"openapi.json\""), "{script}");
            assert!(script.contains("validatorUrl: null"), "{script}");
        }
    }
    // A trailing slash would break the page's relative URLs: it redirects.
    let slash = server.get("/api/v4/docs/").await;
    slash.assert_status(308);
    assert_eq!(slash.header("location"), Some("../docs"));
}
