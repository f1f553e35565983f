//! Login, logout and session management.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::Session;
use townsquare_sdk::AppError;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{id_param, require_self_or, status_ok, user_id_param};
use crate::api::auth::{
    expired_cookie, is_https, Auth, ClientIp, MaybeAuth, AUTH_COOKIE, CSRF_COOKIE, USER_COOKIE,
};
use crate::api::extract::{nullable, parse_json, Json as JsonBody, Path};
use crate::app::auth::{login as app_login, LoginRequest};
use crate::app::permissions::Permission;
use crate::app::users::missing_account;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(revoke_all_sessions))
        .routes(routes!(attach_device))
}

/// Login request. Values are read as strings; anything else (including `null`) counts as "".
#[derive(Debug, Default, ToSchema)]
pub struct LoginBody {
    pub login_id: String,
    pub password: String,
    /// MFA code (unused).
    pub token: String,
    pub device_id: String,
    /// Log in by user id instead of `login_id`.
    pub id: String,
}

fn string_field(body: &serde_json::Map<String, Value>, key: &str) -> String {
    body.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Log in with username or email and password. Answers 200 with the user and a `Token`
/// header; browsers (`X-Requested-With: XMLHttpRequest`) also get session cookies.
#[utoipa::path(post, path = "/api/v4/users/login", tag = "users", request_body = LoginBody,
    responses((status = 200, description = "The user; the session token is in the `Token` header", body = Value),
              (status = 401, description = "Invalid credentials (also for unknown accounts and throttled attempts)")))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let body: serde_json::Map<String, Value> = parse_json(&body)?;
    let login_id = string_field(&body, "login_id");
    let user_id = string_field(&body, "id");
    let password = string_field(&body, "password");
    let device_id = string_field(&body, "device_id");
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let outcome = app_login(
        &state,
        LoginRequest {
            login_id: &login_id,
            user_id: &user_id,
            password: &password,
            device_id: &device_id,
            client_ip: &client_ip,
            user_agent,
        },
    )
    .await?;
    tracing::info!(user_id = %outcome.user.id, session_id = %outcome.session.id, "login");
    let mut user = outcome.user.clone();
    crate::app::licensing::attach_terms_acceptance(&state, &mut user).await?;
    let mut response = Json(user).into_response();
    let out = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&outcome.token) {
        out.insert("token", value);
    }
    let xhr = headers
        .get("x-requested-with")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"));
    // Non-browser clients keep cookie jars too; a cookie would then override their bearer token
    // and trip the CSRF rule, so only browsers get cookies.
    if xhr {
        let config = state.config();
        let max_age = (outcome.session.expires_at - outcome.session.create_at) / 1000;
        let secure = if is_https(&headers, &config.service.site_url) {
            "; Secure"
        } else {
            ""
        };
        for (name, value, http_only) in [
            (AUTH_COOKIE, outcome.token.as_str(), true),
            (USER_COOKIE, outcome.user.id.as_str(), false),
            (CSRF_COOKIE, outcome.csrf_token.as_str(), false),
        ] {
            let cookie = format!(
                "{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax{secure}{}",
                if http_only { "; HttpOnly" } else { "" }
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                out.append(header::SET_COOKIE, value);
            }
        }
    }
    Ok(response)
}

/// Log out: revokes the current session (if any) and clears the cookies.
#[utoipa::path(post, path = "/api/v4/users/logout", tag = "users",
    responses((status = 200, description = "OK", body = Value)))]
pub async fn logout(State(state): State<AppState>, MaybeAuth(auth): MaybeAuth) -> Result<Response> {
    if let Some(auth) = auth.filter(|a| a.access_token_id.is_none()) {
        state
            .store
            .delete_session(auth.user_id(), &auth.session.id)
            .await?;
        state
            .realtime
            .close_session(auth.user_id(), &auth.session.id);
        tracing::info!(user_id = %auth.user_id(), session_id = %auth.session.id, "logout");
    }
    let mut response = status_ok().into_response();
    for (name, http_only) in [
        (AUTH_COOKIE, true),
        (USER_COOKIE, false),
        (CSRF_COOKIE, false),
    ] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, expired_cookie(name, http_only));
    }
    Ok(response)
}

/// A user's sessions (tokens blanked).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/sessions", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Sessions", body = Vec<Value>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<Session>>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_self_or(&auth, &user_id, Permission::EditOtherUsers)?;
    state
        .store
        .user(&user_id)
        .await?
        .ok_or_else(missing_account)?;
    Ok(Json(state.store.sessions_for_user(&user_id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeSessionBody {
    #[serde(default, deserialize_with = "nullable")]
    pub session_id: String,
}

/// Revoke one session; it stops working on its very next request.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/sessions/revoke", tag = "users",
    request_body = RevokeSessionBody, params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = Value), (status = 400, description = "Not a session of this user")))]
pub async fn revoke_session(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<RevokeSessionBody>,
) -> Result<Json<Value>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_self_or(&auth, &user_id, Permission::EditOtherUsers)?;
    let session_id = id_param(&body.session_id, "session_id")
        .map_err(|_| AppError::invalid_body_param("session_id"))?;
    if !state.store.delete_session(&user_id, &session_id).await? {
        return Err(AppError::bad_request(
            "api.user.revoke_session.no_user.app_error",
            "That session does not belong to this user.",
        )
        .into());
    }
    state.realtime.close_session(&user_id, &session_id);
    Ok(status_ok())
}

/// Revoke every session of a user.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/sessions/revoke/all", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = Value)))]
pub async fn revoke_all_sessions(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
) -> Result<Json<Value>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_self_or(&auth, &user_id, Permission::EditOtherUsers)?;
    let revoked = state.store.delete_sessions_for_user(&user_id).await?;
    state.realtime.close_user(&user_id);
    tracing::info!(user_id, revoked, by = %auth.user_id(), "sessions revoked");
    Ok(status_ok())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceBody {
    #[serde(default, deserialize_with = "nullable")]
    pub device_id: String,
}

/// Attach a mobile device id to the current session.
#[utoipa::path(put, path = "/api/v4/users/sessions/device", tag = "users", request_body = DeviceBody,
    responses((status = 200, description = "OK", body = Value)))]
pub async fn attach_device(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<DeviceBody>,
) -> Result<Json<Value>> {
    if body.device_id.is_empty() || body.device_id.len() > 512 {
        return Err(AppError::invalid_body_param("device_id").into());
    }
    if auth.access_token_id.is_none() {
        state
            .store
            .set_session_device(auth.user_id(), &auth.session.id, &body.device_id)
            .await?;
    }
    Ok(status_ok())
}
