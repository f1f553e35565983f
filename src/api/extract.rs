//! Extractors whose rejections are Mattermost errors, never axum's plain-text bodies.
//!
//! Every text a client sends passes one NUL check here (bodies in `parse_json`, queries in
//! `Query`, paths in `Path` and `ids::Ids`): U+0000 is refused with a 400 naming the field.
//! PostgreSQL cannot store NUL in `text` at all (the query fails, a 500) while SQLite stores
//! it, so both stores only agree if it never reaches them. Refusing rather than stripping:
//! stripping would silently make `"admin\u0000"` log in or look up as `"admin"`, change what
//! was signed or hashed (passwords), and store text other than what the client sent.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use townsquare_sdk::AppError;

use crate::error::Error;
pub use crate::serde_util::nullable;

/// A JSON request body. Unknown fields are ignored (serde's default). `Content-Type` is not
/// checked: Mattermost decodes the body as JSON whatever it says, and scripts rely on that
/// (`curl -d '{...}'` sends `application/x-www-form-urlencoded`).
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::from(body_too_large())
            } else {
                Error::from(AppError::invalid_body_param("body").with_detail(rejection.body_text()))
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses a JSON body with a 400 that says what was wrong; text holding NUL is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if has_nul_escape(bytes) {
        // Rare: parse once more, untyped, only to name the field.
        let field = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|value| nul_field(&value, "body"))
            .unwrap_or_else(|| "body".to_string());
        return Err(nul_in_body(&field).into());
    }
    serde_json::from_slice(bytes).map_err(|err| {
        AppError::new(
            400,
            "api.context.invalid_body_param.app_error",
            format!("Invalid or missing parameter in request body: {err}."),
        )
        .into()
    })
}

/// Whether JSON text holds the escape `\u0000`. A raw NUL byte is not valid JSON inside a
/// string (serde refuses it), so the escape is the only way in; backslashes only occur inside
/// strings, and each escape is skipped whole so `\\u0000` (a backslash, then `u0000`) is not
/// taken for one.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u') && bytes.get(i + 2..i + 6) == Some(b"0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The dotted path of the first key or string holding NUL (`props.x`; array items are named
/// by their array).
fn nul_field(value: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0').then(|| at.to_string()),
        Value::Array(items) => items.iter().find_map(|item| nul_field(item, at)),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let path = if at == "body" {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            if key.contains('\0') {
                Some(path.replace('\0', ""))
            } else {
                nul_field(item, &path)
            }
        }),
        _ => None,
    }
}

/// 400 for text holding NUL in a request body.
pub fn nul_in_body(field: &str) -> AppError {
    AppError::invalid_body_param(field).with_detail("the text contains a NUL character (U+0000)")
}

/// 400 for text holding NUL in the URL (path or query).
pub fn nul_in_url(field: &str) -> AppError {
    AppError::invalid_url_param(field).with_detail("the text contains a NUL character (U+0000)")
}

/// Refuses text holding NUL where it does not come through the extractors (multipart text
/// parts, WebSocket actions); `field` names it in the error.
pub fn reject_nul_in_body(field: &str, text: &str) -> Result<(), AppError> {
    if text.contains('\0') {
        Err(nul_in_body(field))
    } else {
        Ok(())
    }
}

pub fn body_too_large() -> AppError {
    AppError::new(
        413,
        "api.context.request_body_too_large.app_error",
        "The request body is too large.",
    )
}

/// Query parameters; a malformed query is a 400 naming the problem.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Decoded the same way as below, as plain pairs, to find a NUL and name its parameter.
        if let Ok(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state).await
        {
            if let Some((name, _)) = pairs
                .0
                .iter()
                .find(|(name, value)| name.contains('\0') || value.contains('\0'))
            {
                return Err(nul_in_url(&name.replace('\0', "")).into());
            }
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|rejection| {
                AppError::new(
                    400,
                    "api.context.invalid_url_param.app_error",
                    format!(
                        "Invalid or missing parameter in request URL: {}.",
                        rejection.body_text()
                    ),
                )
                .into()
            })
    }
}

/// Path parameters; a malformed value is Mattermost's 400 `invalid_url_param`.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        reject_nul_in_path(parts, state).await?;
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|rejection| {
                AppError::invalid_url_param("path")
                    .with_detail(rejection.body_text())
                    .into()
            })
    }
}

/// Refuses a path whose decoded segments hold NUL, naming the segment.
pub async fn reject_nul_in_path<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<(), Error> {
    if let Ok(params) = axum::extract::RawPathParams::from_request_parts(parts, state).await {
        if let Some((name, _)) = params.iter().find(|(_, value)| value.contains('\0')) {
            return Err(nul_in_url(name).into());
        }
    }
    Ok(())
}

/// Lenient boolean query flag: `true`/`1` is true, anything else false.
pub fn flag(value: &Option<String>) -> bool {
    matches!(
        value.as_deref().map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "1")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escapes_are_found_and_named() {
        assert!(has_nul_escape(br#"{"a":"x\u0000"}"#));
        assert!(
            !has_nul_escape(br#"{"a":"x\\u0000"}"#),
            "an escaped backslash"
        );
        assert!(has_nul_escape(br#"{"a":"x\\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"x\u0001"}"#));
        let value: serde_json::Value =
            serde_json::from_str(r#"{"a":"ok","props":{"k":["v","x\u0000"]}}"#).unwrap();
        assert_eq!(nul_field(&value, "body").as_deref(), Some("props.k"));
        let value: serde_json::Value = serde_json::from_str(r#"["x\u0000"]"#).unwrap();
        assert_eq!(nul_field(&value, "body").as_deref(), Some("body"));
        let err = parse_json::<serde_json::Value>(br#"{"login_id":"a\u0000"}"#).unwrap_err();
        assert_eq!(
            err.0.message,
            "Invalid or missing login_id in request body."
        );
    }
}
