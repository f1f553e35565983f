//! Post search: one team, or every team the caller belongs to.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::Json as JsonBody;
use crate::api::ids::{Ids, TeamId};
use crate::app::search::{self, SearchRequest, SearchResults};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_team_posts))
        .routes(routes!(search_all_posts))
}

fn respond(results: SearchResults) -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache, no-store, must-revalidate")],
        Json(results),
    )
        .into_response()
}

/// Search the posts of the caller's channels in a team (and their direct and group
/// messages): words, "phrases", `prefix*`, `-excluded`, `#hashtags`, `from:`, `in:`,
/// `before:`, `after:`, `on:`.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/posts/search", tag = "search",
    params(("team_id" = String, Path)), request_body = SearchRequest,
    responses((status = 200, description = "PostSearchResults: a PostList plus `matches`", body = SearchResults),
        (status = 400, description = "No terms"), (status = 403, description = "Not a team member")))]
pub async fn search_team_posts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(request): JsonBody<SearchRequest>,
) -> Result<Response> {
    Ok(respond(
        search::search_posts(&state, &auth, Some(&team_id), request).await?,
    ))
}

/// Search the posts of every channel the caller belongs to, in all teams.
#[utoipa::path(post, path = "/api/v4/posts/search", tag = "search", request_body = SearchRequest,
    responses((status = 200, description = "PostSearchResults: a PostList plus `matches`", body = SearchResults),
        (status = 400, description = "No terms")))]
pub async fn search_all_posts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(request): JsonBody<SearchRequest>,
) -> Result<Response> {
    Ok(respond(
        search::search_posts(&state, &auth, None, request).await?,
    ))
}
