//! `/license`, `/license/*` and `/limits/server` (docs/licensing.md §5).

use axum::extract::{Multipart, State};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use townsquare_sdk::{AppError, Entitlements, LicensePreview, LicenseProblem, LicenseState};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use super::system::FormatQuery;
use crate::api::auth::{Auth, MaybeAuth};
use crate::api::docs::schemas as doc;
use crate::api::extract::Query;
use crate::app::licensing;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_license, remove_license, license_status_view))
        .routes(routes!(preview_license))
        .routes(routes!(client_license))
        .routes(routes!(load_metric))
        .routes(routes!(server_limits))
        .routes(routes!(previous_trial_license))
}

/// The previous trial license (Enterprise: none, so the map of no license; Team Edition: 403
/// as Mattermost's Team Edition answers).
#[utoipa::path(get, path = "/api/v4/trial-license/prev", tag = "system",
    responses((status = 200, description = "Client license map", body = doc::ClientLicense),
              (status = 403, description = "Team Edition build")))]
pub async fn previous_trial_license(
    State(state): State<AppState>,
    Auth(_auth): Auth,
) -> Result<Json<std::collections::BTreeMap<&'static str, String>>> {
    Ok(Json(crate::app::trial_license::previous_trial(&state)?))
}

/// The bytes of the multipart field `license`.
async fn license_field(mut multipart: Multipart) -> Result<Vec<u8>> {
    let bad = |detail: String| {
        AppError::bad_request(
            "api.license.add_license.no_file.app_error",
            "Send the license file as the multipart/form-data field \"license\".",
        )
        .with_detail(detail)
    };
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| bad(e.body_text()))?;
        let Some(field) = field else {
            return Err(bad("no field named license".into()).into());
        };
        if field.name() == Some("license") {
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    crate::error::Error::from(crate::api::extract::body_too_large())
                } else {
                    crate::error::Error::from(bad(e.body_text()))
                }
            })?;
            return Ok(bytes.to_vec());
        }
    }
}

/// Upload a license file (multipart field `license`). It is verified, its dates and seats
/// are checked, then it is stored and in force at once: no restart. On any error nothing is
/// stored and the previous license stays in force.
#[utoipa::path(post, path = "/api/v4/license", tag = "system",
    request_body(content = doc::LicenseForm, content_type = "multipart/form-data", description = "field `license`: the .townsquare-license file"),
    responses((status = 200, description = "The license now in force (Mattermost's license JSON)", body = townsquare_sdk::License),
              (status = 400, description = "Not a valid license, or not usable now; the error id says why"),
              (status = 403, description = "Requires manage_license_information"),
              (status = 501, description = "Team Edition build")))]
pub async fn upload_license(
    State(state): State<AppState>,
    Auth(auth): Auth,
    multipart: Multipart,
) -> Result<Json<Value>> {
    auth.require(Permission::ManageLicenseInformation)?;
    let bytes = license_field(multipart).await?;
    let license = licensing::upload(&state, &bytes).await?;
    tracing::info!(license_id = %license.id, by = %auth.user_id(), "license uploaded");
    Ok(Json(license.to_api_json()))
}

/// Check a license file without saving it: the parsed license, its state, and whether an
/// upload would be accepted now.
#[utoipa::path(post, path = "/api/v4/license/preview", tag = "system",
    request_body(content = doc::LicenseForm, content_type = "multipart/form-data", description = "field `license`: the .townsquare-license file"),
    responses((status = 200, description = "The parsed license and its state; nothing saved", body = doc::LicensePreviewBody),
              (status = 400, description = "Not a valid license"),
              (status = 403, description = "Requires manage_license_information"),
              (status = 501, description = "Team Edition build")))]
pub async fn preview_license(
    State(state): State<AppState>,
    Auth(auth): Auth,
    multipart: Multipart,
) -> Result<Json<Value>> {
    auth.require(Permission::ManageLicenseInformation)?;
    let bytes = license_field(multipart).await?;
    let preview = licensing::preview(&state, &bytes).await?;
    Ok(Json(preview_json(&preview)))
}

fn error_json(error: &AppError) -> Value {
    json!({"id": error.id, "message": error.message, "status_code": error.status_code})
}

fn preview_json(preview: &LicensePreview) -> Value {
    let license = &preview.license;
    json!({
        "license": license.to_api_json(),
        "state": preview.state,
        "is_development": preview.is_development,
        "kid": preview.kid,
        "grace_ends_at": license.grace_ends_at(),
        "seat_limit": license.seat_limit(),
        "active_users": preview.active_users,
        "can_upload": preview.upload_error.is_none(),
        "upload_error": preview.upload_error.as_ref().map(error_json),
    })
}

/// Remove the license: licensed features stop at once. The stored license is kept (rows of
/// the license table are never deleted) and can be uploaded again.
#[utoipa::path(delete, path = "/api/v4/license", tag = "system",
    responses((status = 200, description = "OK", body = doc::StatusOk),
              (status = 400, description = "The license is set by MM_LICENSE"),
              (status = 403, description = "Requires manage_license_information"),
              (status = 501, description = "Team Edition build")))]
pub async fn remove_license(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<Value>> {
    auth.require(Permission::ManageLicenseInformation)?;
    licensing::remove(&state).await?;
    tracing::info!(by = %auth.user_id(), "license removed");
    Ok(status_ok())
}

/// The administrator's view (Townsquare extension): which source is in force, its state, a
/// development license, the grace period, and license sources that could not be used.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseStatus {
    /// `team` or `enterprise`: the build.
    edition: &'static str,
    /// Licensed features are on.
    is_licensed: bool,
    /// `environment` (MM_LICENSE) or `database`; null without a license.
    #[schema(value_type = Option<String>)]
    source: Option<&'static str>,
    /// `not_started`, `active`, `grace` or `expired`; null without a license.
    state: Option<LicenseState>,
    is_development: bool,
    in_grace_period: bool,
    grace_ends_at: Option<i64>,
    /// Mattermost's license JSON of the installed license (also when expired); null without
    /// a license.
    #[schema(value_type = Option<townsquare_sdk::License>)]
    license: Option<Value>,
    /// Enabled feature keys (payload names).
    #[schema(value_type = Vec<String>)]
    features_in_force: Vec<&'static str>,
    /// What an administrator should act on, in English.
    warnings: Vec<String>,
    /// License sources that were set but could not be used.
    problems: Vec<LicenseProblem>,
}

pub fn license_status(entitlements: &Entitlements, problems: &[LicenseProblem]) -> LicenseStatus {
    let installed = entitlements.installed();
    let mut warnings = Vec::new();
    if let Some(installed) = installed {
        let license = &installed.license;
        if installed.is_development {
            warnings.push(
                "This license is signed with the public development key: it is for local \
                 trials and tests only and proves nothing about who issued it."
                    .to_owned(),
            );
        }
        match installed.state {
            LicenseState::Grace => warnings.push(format!(
                "The license expired at {} (ms since epoch); licensed features stop at the end \
                 of the grace period, {}. Upload a renewed license.",
                license.expires_at,
                license.grace_ends_at()
            )),
            LicenseState::Expired => warnings.push(
                "The license has expired: licensed features are off and their data is kept. \
                 Upload a renewed license."
                    .to_owned(),
            ),
            LicenseState::NotStarted => warnings.push(format!(
                "The license starts at {} (ms since epoch); licensed features are off until then.",
                license.starts_at
            )),
            LicenseState::Active => {}
        }
    }
    for problem in problems {
        warnings.push(format!(
            "{} cannot be used: {}",
            problem.origin.describe(),
            problem.message
        ));
    }
    LicenseStatus {
        edition: match entitlements.edition() {
            townsquare_sdk::Edition::Team => "team",
            townsquare_sdk::Edition::Enterprise => "enterprise",
        },
        is_licensed: entitlements.is_licensed(),
        source: installed.map(|i| match i.source {
            townsquare_sdk::LicenseSource::Environment => "environment",
            townsquare_sdk::LicenseSource::Database => "database",
        }),
        state: installed.map(|i| i.state),
        is_development: entitlements.is_development(),
        in_grace_period: entitlements.in_grace(),
        grace_ends_at: installed.map(|i| i.license.grace_ends_at()),
        license: installed.map(|i| i.license.to_api_json()),
        features_in_force: entitlements
            .allowed()
            .iter()
            .map(|f| f.json_key())
            .collect(),
        warnings,
        problems: problems.to_vec(),
    }
}

/// The license in force as the administrator sees it (Townsquare extension).
#[utoipa::path(get, path = "/api/v4/license", tag = "system",
    responses((status = 200, description = "Source, state, warnings and the license", body = LicenseStatus),
              (status = 403, description = "Requires read_license_information")))]
pub async fn license_status_view(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<LicenseStatus>> {
    auth.require(Permission::ReadLicenseInformation)?;
    Ok(Json(license_status(
        &state.entitlements(),
        &state.license_problems(),
    )))
}

/// The license as seen by clients: a flat map of strings. Unlicensed: exactly
/// `{"IsLicensed":"false"}`. Without `read_license_information` the private keys are left
/// out.
#[utoipa::path(get, path = "/api/v4/license/client", tag = "system",
    params(FormatQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "Client license map (private keys only with read_license_information)", body = doc::ClientLicense)))]
pub async fn client_license(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Query(_query): Query<FormatQuery>,
) -> Json<townsquare_sdk::ClientLicense> {
    let sanitized = !auth
        .as_ref()
        .is_some_and(|a| a.can(Permission::ReadLicenseInformation));
    Json(state.entitlements().client_map(sanitized))
}

/// `(monthly active users / licensed users) * 1000`, rounded; 0 without a license.
#[utoipa::path(get, path = "/api/v4/license/load_metric", tag = "system",
    responses((status = 200, description = "The load", body = doc::LoadMetric)))]
pub async fn load_metric(State(state): State<AppState>, Auth(_auth): Auth) -> Result<Json<Value>> {
    let load = licensing::load_metric(&state).await?;
    Ok(Json(json!({ "load": load })))
}

/// Seat limits. Administrators see the enforced limits and the active user count; others get
/// zeros. 0 means no limit.
#[utoipa::path(get, path = "/api/v4/limits/server", tag = "system",
    responses((status = 200, description = "Seat limits and the active user count", body = doc::ServerLimits)))]
pub async fn server_limits(State(state): State<AppState>, Auth(auth): Auth) -> Result<Json<Value>> {
    if !auth.can(Permission::ManageSystem) {
        return Ok(Json(
            json!({"maxUsersLimit": 0, "maxUsersHardLimit": 0, "activeUserCount": 0}),
        ));
    }
    let (limit, hard, active) = licensing::seat_usage(&state).await?;
    Ok(Json(json!({
        "maxUsersLimit": limit,
        "maxUsersHardLimit": hard,
        "activeUserCount": active,
    })))
}
