//! Mattermost API v4 routes, one module per resource.

pub mod system;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(system::routes())
}
