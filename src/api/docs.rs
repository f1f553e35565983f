//! `/api/v4/openapi.json` and the API explorer at `/api/v4/docs`: Swagger UI, vendored from
//! the npm package `swagger-ui-dist` (`docs/explorer/swagger-ui/THIRD_PARTY.md`) and served
//! from the binary. Nothing is downloaded at build or run time.

pub mod conventions;
pub mod schemas;

use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The vendored Swagger UI release; it names the asset URLs, so they can be cached for good.
pub const SWAGGER_UI_VERSION: &str = "5.35.0";

const PAGE: &str = include_str!("docs/explorer/index.html");
const INIT: &str = include_str!("docs/explorer/init.js");
const BUNDLE: &[u8] = include_bytes!("docs/explorer/swagger-ui/swagger-ui-bundle.js");
const CSS: &[u8] = include_bytes!("docs/explorer/swagger-ui/swagger-ui.css");

/// Scripts and styles from this server only, no inline script, no framing; Swagger UI's own
/// styles and icons need inline styles and `data:` images, "Try it out" needs `connect-src`.
pub const PAGE_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
/// Versioned URLs never change content.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// The page and our start-up script follow the binary: revalidate.
const REVALIDATE: &str = "no-cache";

pub fn routes(doc: utoipa::openapi::OpenApi) -> Router<AppState> {
    let json: Arc<String> = Arc::new(doc.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let page: Arc<String> = Arc::new(PAGE.replace("VERSION", SWAGGER_UI_VERSION));
    let assets = format!("/api/v4/docs/swagger-ui-{SWAGGER_UI_VERSION}");
    Router::new()
        .route(
            "/api/v4/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.as_str().to_owned(),
                    )
                }
            }),
        )
        .route(
            "/api/v4/docs",
            get(move || {
                let page = page.clone();
                async move { page_response(page.as_str().to_owned()) }
            }),
        )
        // The page's relative URLs resolve against `/api/v4/docs`.
        .route(
            "/api/v4/docs/",
            get(|| async { Redirect::permanent("../docs") }),
        )
        .route(
            "/api/v4/docs/init.js",
            get(|| async { asset(JS, REVALIDATE, INIT.as_bytes()) }),
        )
        .route(
            &format!("{assets}/swagger-ui-bundle.js"),
            get(|| async { asset(JS, FOREVER, BUNDLE) }),
        )
        .route(
            &format!("{assets}/swagger-ui.css"),
            get(|| async { asset("text/css; charset=utf-8", FOREVER, CSS) }),
        )
}

fn page_response(page: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::CACHE_CONTROL, REVALIDATE),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        page,
    )
        .into_response()
}

fn asset(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}
