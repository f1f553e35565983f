//! Authentication extractors: who is calling, from which token, and the CSRF rule.
//!
//! Token precedence follows Mattermost: the `MMAUTHTOKEN` cookie, then
//! `Authorization: Bearer` (any case), then `Authorization: Token`. `?access_token=` is only
//! for OAuth sessions, which Townsquare does not issue, so it is refused. Cookie-authenticated
//! writes must carry `X-CSRF-Token` (or, unless strict, `X-Requested-With: XMLHttpRequest`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use townsquare_sdk::AppError;

use crate::app::auth::{authenticate, AuthContext};
use crate::error::Error;
use crate::state::AppState;

pub const AUTH_COOKIE: &str = "MMAUTHTOKEN";
pub const USER_COOKIE: &str = "MMUSERID";
pub const CSRF_COOKIE: &str = "MMCSRF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Cookie,
    Header,
}

/// Reads a cookie value from the `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// The presented token and where it came from.
pub fn presented_token(headers: &HeaderMap) -> Option<(String, TokenSource)> {
    if let Some(token) = cookie(headers, AUTH_COOKIE).filter(|t| !t.is_empty()) {
        return Some((token.to_string(), TokenSource::Cookie));
    }
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    if (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        && !token.is_empty()
    {
        return Some((token.to_string(), TokenSource::Header));
    }
    None
}

fn query_has_access_token(parts: &Parts) -> bool {
    parts.uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "access_token")
    })
}

/// A `Set-Cookie` value that deletes a cookie.
pub fn expired_cookie(name: &str, http_only: bool) -> HeaderValue {
    let value = format!(
        "{name}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{}",
        if http_only { "; HttpOnly" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn session_expired(clear_cookie: bool) -> Response {
    let error = Error::from(AppError::session_expired());
    if clear_cookie {
        (
            [(header::SET_COOKIE, expired_cookie(AUTH_COOKIE, true))],
            error,
        )
            .into_response()
    } else {
        error.into_response()
    }
}

/// A request that must be authenticated.
pub struct Auth(pub AuthContext);

/// A request that may be authenticated; a bad token is simply ignored.
pub struct MaybeAuth(pub Option<AuthContext>);

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some((token, source)) = presented_token(&parts.headers) else {
            if query_has_access_token(parts) {
                return Err(Error::from(AppError::new(
                    401,
                    "api.context.token_provided.app_error",
                    "Session is not OAuth but token was provided in the query string.",
                ))
                .into_response());
            }
            return Err(session_expired(false));
        };
        let context = match authenticate(state, &token).await {
            Ok(Some(context)) => context,
            Ok(None) => return Err(session_expired(source == TokenSource::Cookie)),
            Err(err) => return Err(err.into_response()),
        };
        if source == TokenSource::Cookie && !csrf_ok(parts, state, &context) {
            tracing::info!(user_id = %context.user.id, "CSRF check failed");
            return Err(session_expired(true));
        }
        // Presence follows activity; a failed status write never fails the request.
        if let Err(err) =
            crate::app::statuses::record_activity(state, &context.user.id, crate::time::now_ms())
                .await
        {
            tracing::warn!(error = %err, "recording activity failed");
        }
        Ok(Auth(context))
    }
}

fn csrf_ok(parts: &Parts, state: &AppState, context: &AuthContext) -> bool {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !header_token.is_empty() && header_token == context.csrf_token {
        return true;
    }
    let xhr = parts
        .headers
        .get("x-requested-with")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"));
    xhr && !state.config().service.experimental_strict_csrf_enforcement
}

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some((token, _)) = presented_token(&parts.headers) else {
            return Ok(MaybeAuth(None));
        };
        match authenticate(state, &token).await {
            Ok(context) => Ok(MaybeAuth(context)),
            Err(err) => Err(err.into_response()),
        }
    }
}

/// The client's IP: the socket peer, or the first address in a configured trusted proxy header.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        for name in &state.config().service.trusted_proxy_ip_header {
            let forwarded = parts
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(peer))
    }
}

/// Whether the original request was made over HTTPS (directly or behind a proxy).
pub fn is_https(headers: &HeaderMap, site_url: &str) -> bool {
    site_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn cookie_wins_over_header() {
        let h = headers(&[
            ("cookie", "a=b; MMAUTHTOKEN=fromcookie"),
            ("authorization", "Bearer fromheader"),
        ]);
        assert_eq!(
            presented_token(&h),
            Some(("fromcookie".into(), TokenSource::Cookie))
        );
    }

    #[test]
    fn bearer_and_token_schemes_in_any_case() {
        for value in [
            "Bearer abc",
            "BEARER abc",
            "bearer abc",
            "Token abc",
            "TOKEN abc",
        ] {
            let h = headers(&[("authorization", value)]);
            assert_eq!(
                presented_token(&h),
                Some(("abc".into(), TokenSource::Header)),
                "{value}"
            );
        }
        assert_eq!(
            presented_token(&headers(&[("authorization", "Basic abc")])),
            None
        );
        assert_eq!(
            presented_token(&headers(&[("authorization", "Bearer ")])),
            None
        );
    }
}
