//! The embedded web client: `index.html` for client routes, hashed assets cached for a year,
//! precompressed bodies by `Accept-Encoding`, security headers, and Mattermost-shaped 404s for
//! misses under the server's own prefixes.

use std::io::Read;

use reqwest::Method;

use crate::support::{TestResponse, TestServer};

async fn get_with(server: &TestServer, path: &str, accept_encoding: Option<&str>) -> TestResponse {
    let mut request = server.request(Method::GET, path);
    if let Some(value) = accept_encoding {
        request = request.header("accept-encoding", value);
    }
    server.send(request).await
}

/// The script `index.html` loads (its name carries the content hash).
fn script_path(index: &str) -> String {
    let start = index
        .find("src=\"/static/")
        .expect("index.html loads a script")
        + 5;
    let end = index[start..].find('"').unwrap() + start;
    index[start..end].to_string()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[track_caller]
fn assert_index(response: &TestResponse) {
    assert!(
        response.text().contains("<div id=\"app\"></div>"),
        "{}",
        response.text()
    );
    assert_html_headers(response);
}

#[track_caller]
fn assert_html_headers(response: &TestResponse) {
    response.assert_status(200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    let csp = response.header("content-security-policy").expect("CSP");
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "connect-src 'self' ws: wss:",
        "img-src 'self' data: blob:",
        "frame-ancestors 'self'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(response.header("x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
    assert!(response.header("expires").is_none());
}

#[tokio::test]
async fn client_routes_get_index_html() {
    let server = TestServer::start().await;
    for path in [
        "/",
        "/index.html",
        "/login",
        "/login?redirect_to=%2Fteam%2Fthreads",
        "/signup_user_complete?id=abc",
        "/select_team",
        "/my-team/channels/town-square",
        "/my-team/pl/8xk5yzqg1bfmjkfh8zg1tp8ymc",
        "/my-team/threads",
        "/my-team/messages/@john.doe",
        // Team names may start like a server prefix.
        "/apiary/channels/off-topic",
        "/staticky/channels/town-square",
    ] {
        let response = get_with(&server, path, None).await;
        assert_index(&response);
        assert!(response.header("content-encoding").is_none(), "{path}");
    }
    // The page itself has no inline script: every script is a file of the build.
    let index = get_with(&server, "/", None).await.text();
    assert!(!index.contains("<script>") && !index.contains("<script type=\"module\">"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_typed() {
    let server = TestServer::start().await;
    let index = get_with(&server, "/", None).await.text();
    let script = script_path(&index);
    let response = get_with(&server, &script, None).await;
    response.assert_status(200);
    assert_eq!(
        response.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(response.header("expires").is_none());
    assert_eq!(response.header("vary"), Some("Accept-Encoding"));
    assert!(response.header("content-security-policy").is_none());
    let embedded = townsquare::api::web::assets()
        .iter()
        .find(|a| a.path == script)
        .expect("the script is embedded");
    assert_eq!(response.body, embedded.body);
    assert_eq!(
        response.header("content-length"),
        Some(embedded.body.len().to_string().as_str())
    );

    let css = index
        .split('"')
        .find(|s| s.starts_with("/static/") && s.ends_with(".css"))
        .expect("index.html links a stylesheet");
    let response = get_with(&server, css, None).await;
    response.assert_status(200);
    assert_eq!(
        response.header("content-type"),
        Some("text/css; charset=utf-8")
    );

    // Not hashed: revalidated every time.
    let icon = get_with(&server, "/favicon.svg", None).await;
    icon.assert_status(200);
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    assert_eq!(icon.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn accept_encoding_picks_brotli_then_gzip() {
    let server = TestServer::start().await;
    let index = get_with(&server, "/", None).await;
    let script = script_path(&index.text());
    let plain = get_with(&server, &script, None).await.body;
    let embedded = townsquare::api::web::assets()
        .iter()
        .find(|a| a.path == script)
        .unwrap();

    let br = get_with(&server, &script, Some("gzip, deflate, br")).await;
    br.assert_status(200);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("vary"), Some("Accept-Encoding"));
    assert_eq!(br.body, embedded.brotli.unwrap());
    assert!(br.body.len() < plain.len() / 2);

    for accept in ["gzip", "br;q=0, gzip;q=0.8", "deflate, gzip"] {
        let gz = get_with(&server, &script, Some(accept)).await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{accept}");
        assert_eq!(gunzip(&gz.body), plain, "{accept}");
    }
    for accept in ["identity", "gzip;q=0", "compress"] {
        let identity = get_with(&server, &script, Some(accept)).await;
        assert!(identity.header("content-encoding").is_none(), "{accept}");
        assert_eq!(identity.body, plain);
    }

    // Client routes are compressed too, and keep their headers.
    let page = get_with(&server, "/team/channels/town-square", Some("gzip")).await;
    assert_html_headers(&page);
    assert_eq!(page.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&page.body), index.body);
}

#[tokio::test]
async fn server_prefixes_stay_json_404s() {
    let server = TestServer::start().await;
    for path in [
        "/api",
        "/api/v4/no-such-route",
        "/api/v5/users",
        "/plugins/com.example.plugin/main.js",
        "/files/no-such-file/other",
        "/static/missing-abc123.js",
        "/static",
    ] {
        let response = get_with(&server, path, None).await;
        let body = response.assert_error(404, "api.context.404.app_error");
        assert!(body["request_id"].as_str().is_some_and(|s| !s.is_empty()));
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert!(
            response.header("content-security-policy").is_none(),
            "{path}"
        );
    }
    // Only GET and HEAD reach the client.
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        let response = server.send(server.request(method.clone(), "/login")).await;
        response.assert_error(404, "api.context.404.app_error");
    }
}

#[tokio::test]
async fn head_has_headers_without_body() {
    let server = TestServer::start().await;
    let get = get_with(&server, "/", Some("br")).await;
    let head = server
        .send(
            server
                .request(Method::HEAD, "/")
                .header("accept-encoding", "br"),
        )
        .await;
    head.assert_status(200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), get.header("content-length"));
    assert_eq!(head.header("content-encoding"), Some("br"));
    assert!(head.header("content-security-policy").is_some());
}
