//! `/api/v4/openapi.json` and a small browsable page for it. The page's assets are part of
//! the binary: nothing is downloaded at build or run time.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

const PAGE: &str = include_str!("docs/index.html");
const SCRIPT: &str = include_str!("docs/app.js");

pub fn routes(doc: utoipa::openapi::OpenApi) -> Router<AppState> {
    let json: Arc<String> = Arc::new(doc.to_pretty_json().unwrap_or_else(|_| "{}".into()));
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
        .route("/api/v4/docs", get(page))
        .route("/api/v4/docs/app.js", get(script))
}

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; style-src 'self' 'unsafe-inline'",
            ),
        ],
        PAGE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}
