//! `/roles`: Mattermost's built-in roles and their permissions (what clients gate UI on).

use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::{Json as JsonBody, Path};
use crate::app::permissions::Permission;
use crate::app::roles::{self, Role};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all_roles))
        .routes(routes!(role_by_id))
        .routes(routes!(role_by_name))
        .routes(routes!(roles_by_names))
}

/// Every built-in role (system admins only).
#[utoipa::path(get, path = "/api/v4/roles", tag = "roles",
    responses((status = 200, description = "Roles", body = Vec<Role>),
              (status = 403, description = "Requires manage_system")))]
pub async fn all_roles(Auth(auth): Auth) -> Result<Json<Vec<Role>>> {
    auth.require(Permission::ManageSystem)?;
    Ok(Json(roles::all()))
}

/// A role by its id.
#[utoipa::path(get, path = "/api/v4/roles/{role_id}", tag = "roles",
    params(("role_id" = String, Path)),
    responses((status = 200, description = "The role", body = Role),
              (status = 404, description = "No such role")))]
pub async fn role_by_id(Auth(_auth): Auth, Path(role_id): Path<String>) -> Result<Json<Role>> {
    let role_id = parse_id(&role_id, "role_id")?;
    Ok(Json(roles::by_id(&role_id)?))
}

/// A role by its name (`system_user`, `channel_admin`, ...).
#[utoipa::path(get, path = "/api/v4/roles/name/{role_name}", tag = "roles",
    params(("role_name" = String, Path)),
    responses((status = 200, description = "The role", body = Role),
              (status = 404, description = "No such role")))]
pub async fn role_by_name(Auth(_auth): Auth, Path(role_name): Path<String>) -> Result<Json<Role>> {
    Ok(Json(roles::by_name(&role_name)?))
}

/// Roles by name; unknown names are left out.
#[utoipa::path(post, path = "/api/v4/roles/names", tag = "roles", request_body = Vec<String>,
    responses((status = 200, description = "The known roles among the names", body = Vec<Role>),
              (status = 400, description = "Empty list or a malformed name")))]
pub async fn roles_by_names(
    Auth(_auth): Auth,
    JsonBody(names): JsonBody<Vec<String>>,
) -> Result<Json<Vec<Role>>> {
    Ok(Json(roles::by_names(&names)?))
}
