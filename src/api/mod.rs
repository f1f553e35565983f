//! HTTP API: the Mattermost v4 routes, the OpenAPI document and its browsable page.

pub mod auth;
pub mod docs;
pub mod extract;
pub mod ids;
pub mod licensed;
pub mod middleware;
pub mod v4;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Townsquare API v4",
        description = "Mattermost API v4 compatible endpoints served by Townsquare.\n\n\
            **Authentication.** Log in with `POST /api/v4/users/login`: the session token comes \
            back in the `Token` header; send it as `Authorization: Bearer <token>`, as you would a \
            personal access token. Browsers get the `MMAUTHTOKEN` cookie instead, and then send \
            `X-CSRF-Token` (or `X-Requested-With: XMLHttpRequest`) on every request that changes \
            something. Each operation lists the schemes it accepts; `{}` among them means no \
            session is needed.\n\n\
            **Errors.** Every error answer is Mattermost's JSON error body (`AppError`: `id`, \
            `message`, `detailed_error`, `request_id`, `status_code`) with \
            `Content-Type: application/json`. Unknown JSON fields in request bodies are ignored; \
            a NUL character in any text is refused with 400.",
        license(name = "MIT")
    ),
    components(schemas(docs::schemas::AppErrorBody)),
    tags(
        (name = "system", description = "Health, client configuration and licensing"),
        (name = "users", description = "Accounts, login and sessions"),
        (name = "tokens", description = "Personal access tokens"),
        (name = "teams", description = "Teams and team membership"),
        (name = "channels", description = "Channels, direct and group messages, membership and read state"),
        (name = "posts", description = "Posts, threads and pins"),
        (name = "reactions", description = "Emoji reactions on posts"),
        (name = "roles", description = "Built-in roles and their permissions"),
        (name = "preferences", description = "User preferences and saved (flagged) posts"),
        (name = "statuses", description = "User presence and custom statuses"),
        (name = "threads", description = "Collapsed reply threads"),
        (name = "websocket", description = "Real-time events (Mattermost WebSocket protocol)"),
        (name = "files", description = "File uploads, downloads, thumbnails and previews"),
        (name = "emoji", description = "Custom emoji"),
        (name = "search", description = "Post search"),
        (name = "terms of service", description = "Custom terms of service (Enterprise, licensed)"),
    )
)]
struct ApiDoc;

/// The routes with their OpenAPI document; both come from the same `utoipa_axum` registration,
/// so they cannot drift.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(v4::routes())
        .split_for_parts();
    docs::conventions::apply(&mut doc);
    (router, doc)
}

/// The OpenAPI document alone (for the snapshot test and `townsquare openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

/// The complete application router with every middleware layer.
pub fn router(state: AppState) -> Router {
    let (api, mut doc) = routes();
    doc.info.version = crate::build_info::VERSION.to_string();
    let body_limit = state.config().service.maximum_payload_size_bytes as usize;
    api.merge(docs::routes(doc))
        .fallback(web::serve)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::request_context,
        ))
        .with_state(state)
}
