//! Mattermost API v4 routes, one module per resource.

pub mod common;
pub mod sessions;
pub mod system;
pub mod tokens;
pub mod users;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(system::routes())
        .merge(users::routes())
        .merge(sessions::routes())
        .merge(tokens::routes())
}
