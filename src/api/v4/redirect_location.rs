//! `GET /redirect_location`: where a short link leads, for link previews.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_sdk::AppError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::Query;
use crate::app::redirect_location;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_redirect_location))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RedirectQuery {
    /// The link to look up.
    pub url: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RedirectLocation {
    /// The link's `Location`; "" when it has none, cannot be reached, may not be reached
    /// (internal addresses) or `ServiceSettings.EnableLinkPreviews` is off.
    pub location: String,
}

/// The `Location` a link answers a `HEAD` request with (redirects are not followed).
#[utoipa::path(get, path = "/api/v4/redirect_location", tag = "system", params(RedirectQuery),
    responses((status = 200, description = "The location, or \"\"", body = RedirectLocation),
        (status = 400, description = "No url")))]
pub async fn get_redirect_location(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Query(query): Query<RedirectQuery>,
) -> Result<Json<RedirectLocation>> {
    let url = query.url.unwrap_or_default();
    if !state.config().service.enable_link_previews {
        return Ok(Json(RedirectLocation {
            location: String::new(),
        }));
    }
    if url.is_empty() {
        return Err(AppError::invalid_body_param("url").into());
    }
    Ok(Json(RedirectLocation {
        location: redirect_location::redirect_location(&state, &url).await,
    }))
}
