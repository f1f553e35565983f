//! Login, logout and session management.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::Session;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use crate::api::auth::{
    expired_cookie, is_https, Auth, ClientIp, MaybeAuth, AUTH_COOKIE, CSRF_COOKIE, USER_COOKIE,
};
use crate::api::docs::schemas as doc;
use crate::api::extract::{nullable, parse_json, Json as JsonBody};
use crate::api::ids::{Ids, UserIdOrMe};
use crate::app::auth::{login as app_login, LoginRequest};
use crate::app::sessions;
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
#[utoipa::path(post, path = "/api/v4/users/login", tag = "users", request_body = LoginBody, security(()),
    responses((status = 200, description = "The user; the session token is in the `Token` header", body = townsquare_sdk::model::User,
                  headers(("Token" = String, description = "The new session token"))),
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
#[utoipa::path(post, path = "/api/v4/users/logout", tag = "users", security((), ("bearer" = [])),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn logout(State(state): State<AppState>, MaybeAuth(auth): MaybeAuth) -> Result<Response> {
    if let Some(auth) = auth {
        sessions::logout(&state, &auth).await?;
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
    responses((status = 200, description = "Sessions", body = Vec<Session>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Vec<Session>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(sessions::list(&state, &auth, &user_id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeSessionBody {
    #[serde(default, deserialize_with = "nullable")]
    pub session_id: String,
}

/// Revoke one session; it stops working on its very next request.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/sessions/revoke", tag = "users",
    request_body = RevokeSessionBody, params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 400, description = "Not a session of this user")))]
pub async fn revoke_session(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<RevokeSessionBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    sessions::revoke(&state, &auth, &user_id, &body.session_id).await?;
    Ok(status_ok())
}

/// Revoke every session of a user.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/sessions/revoke/all", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn revoke_all_sessions(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    sessions::revoke_all(&state, &auth, &user_id).await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceBody {
    #[serde(default, deserialize_with = "nullable")]
    pub device_id: String,
}

/// Attach a mobile device id to the current session.
#[utoipa::path(put, path = "/api/v4/users/sessions/device", tag = "users", request_body = DeviceBody,
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn attach_device(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<DeviceBody>,
) -> Result<Json<Value>> {
    sessions::attach_device(&state, &auth, &body.device_id).await?;
    Ok(status_ok())
}
