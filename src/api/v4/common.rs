//! Small helpers shared by the v4 handlers.

use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use townsquare_sdk::AppError;
use utoipa::IntoParams;

use crate::error::Result;

/// Mattermost's `{"status":"OK"}`.
pub fn status_ok() -> Json<Value> {
    Json(json!({"status": "OK"}))
}

/// The patch inside a full-object `PUT` body, whose `id` must match the path (Mattermost's
/// update endpoints take the whole object and apply the editable fields).
pub fn patch_from_full<P: DeserializeOwned>(body: Value, id: &str, object: &str) -> Result<P> {
    if body.get("id").and_then(Value::as_str) != Some(id) {
        return Err(AppError::invalid_body_param("id").into());
    }
    serde_json::from_value(body).map_err(|_| AppError::invalid_body_param(object).into())
}

/// `page` / `per_page` as Mattermost reads them: invalid or negative values fall back to the
/// defaults, `per_page` is clamped to 200.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct Pagination {
    /// Page number, from 0.
    pub page: Option<String>,
    /// Items per page (default 60, max 200).
    pub per_page: Option<String>,
}

pub const DEFAULT_PER_PAGE: i64 = 60;
pub const MAX_PER_PAGE: i64 = 200;

impl Pagination {
    /// `(offset, limit)`.
    pub fn window(&self) -> (i64, i64) {
        let page = self
            .page
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p >= 0)
            .unwrap_or(0);
        let per_page = self
            .per_page
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p > 0)
            .unwrap_or(DEFAULT_PER_PAGE)
            .min(MAX_PER_PAGE);
        (page.saturating_mul(per_page), per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(page: Option<&str>, per_page: Option<&str>) -> (i64, i64) {
        Pagination {
            page: page.map(String::from),
            per_page: per_page.map(String::from),
        }
        .window()
    }

    #[test]
    fn pagination_is_lenient_and_clamped() {
        assert_eq!(window(None, None), (0, 60));
        assert_eq!(window(Some("2"), Some("10")), (20, 10));
        assert_eq!(window(Some("-1"), Some("abc")), (0, 60));
        assert_eq!(window(Some("0"), Some("5000")), (0, 200));
        assert_eq!(window(Some("1"), Some("0")), (60, 60));
    }
}
