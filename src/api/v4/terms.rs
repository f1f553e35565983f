//! Custom terms of service (`/terms_of_service`, `/users/{user_id}/terms_of_service`), as
//! Mattermost serves them. Enforcement is the client's: API users and bots are never blocked.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::{TermsOfService, UserTermsOfService};
use townsquare_sdk::AppError;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::Json as JsonBody;
use crate::api::ids::{Ids, UserIdOrMe};
use crate::api::licensed::{gates, Licensed};
use crate::app::licensing::Host;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(latest_terms, create_terms))
        .routes(routes!(record_decision, my_acceptance))
}

/// The terms of service in force. Without a license that grants custom terms of service
/// there are none (404).
#[utoipa::path(get, path = "/api/v4/terms_of_service", tag = "terms of service",
    responses((status = 200, description = "The newest text", body = TermsOfService),
              (status = 404, description = "No terms of service in force")))]
pub async fn latest_terms(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    _licensed: Licensed<gates::TermsInForce>,
) -> Result<Json<TermsOfService>> {
    let entitlements = state.entitlements_full();
    let terms = state
        .extensions
        .custom_terms
        .latest(&Host::new(&state), &entitlements)
        .await?;
    Ok(Json(terms))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewTerms {
    #[serde(deserialize_with = "crate::api::extract::nullable")]
    pub text: String,
}

/// Write new terms of service (system admins; needs a license that grants custom terms of
/// service). Posting the text in force again returns it unchanged.
#[utoipa::path(post, path = "/api/v4/terms_of_service", tag = "terms of service", request_body = NewTerms,
    responses((status = 200, description = "The terms now in force", body = TermsOfService),
              (status = 400, description = "Not licensed, or empty text"),
              (status = 403, description = "Requires manage_system")))]
pub async fn create_terms(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<NewTerms>,
) -> Result<Json<TermsOfService>> {
    // Mattermost checks the permission before the license.
    auth.require(Permission::ManageSystem)?;
    Licensed::<gates::CreateTerms>::check(&state)?;
    let entitlements = state.entitlements_full();
    let terms = state
        .extensions
        .custom_terms
        .create(
            &Host::new(&state),
            &entitlements,
            auth.user_id(),
            &body.text,
        )
        .await?;
    tracing::info!(terms_id = %terms.id, by = %auth.user_id(), "terms of service saved");
    Ok(Json(terms))
}

/// Accept (`accepted: true`) or decline the terms of service with the given id, for the
/// logged-in user (as Mattermost, the session's user whatever the path says).
#[utoipa::path(post, path = "/api/v4/users/{user_id}/terms_of_service", tag = "terms of service",
    params(("user_id" = String, Path, description = "User id or `me`")),
    request_body = doc::TermsDecision,
    responses((status = 200, description = "OK", body = doc::StatusOk),
              (status = 400, description = "Missing termsOfServiceId or accepted"),
              (status = 404, description = "No such terms of service in force")))]
pub async fn record_decision(
    State(state): State<AppState>,
    Auth(auth): Auth,
    _licensed: Licensed<gates::TermsInForce>,
    // After the license gate: a missing license is reported before a malformed id.
    Ids(_user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<serde_json::Map<String, Value>>,
) -> Result<Json<Value>> {
    let terms_id = body
        .get("termsOfServiceId")
        .or_else(|| body.get("serviceTermsId"))
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::invalid_body_param("termsOfServiceId"))?;
    let accepted = body
        .get("accepted")
        .and_then(Value::as_bool)
        .ok_or_else(|| AppError::invalid_body_param("accepted"))?;
    let entitlements = state.entitlements_full();
    state
        .extensions
        .custom_terms
        .record(
            &Host::new(&state),
            &entitlements,
            auth.user_id(),
            terms_id,
            accepted,
        )
        .await?;
    tracing::info!(user_id = %auth.user_id(), terms_id, accepted, "terms of service decision");
    Ok(status_ok())
}

/// The logged-in user's acceptance of the terms of service.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/terms_of_service", tag = "terms of service",
    params(("user_id" = String, Path, description = "User id or `me`")),
    responses((status = 200, description = "The acceptance", body = UserTermsOfService),
              (status = 404, description = "No acceptance recorded (or no terms in force)")))]
pub async fn my_acceptance(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(_user): Ids<UserIdOrMe>,
) -> Result<Json<UserTermsOfService>> {
    let entitlements = state.entitlements_full();
    let acceptance = state
        .extensions
        .custom_terms
        .acceptance(&Host::new(&state), &entitlements, auth.user_id())
        .await?;
    acceptance.map(Json).ok_or_else(|| {
        AppError::not_found(
            "app.user_terms_of_service.get_by_user.no_rows.app_error",
            "No terms of service acceptance found for this user.",
        )
        .into()
    })
}
