//! Error data shared by core and enterprise code.
//!
//! Rendering (request id, JSON body, logging) belongs to core; this type only carries what a
//! Mattermost client needs to see: a stable id, a human message and an HTTP status.

use std::borrow::Cow;
use std::fmt;

/// A Mattermost-style application error.
///
/// `detailed_error` is only shown to clients when developer mode is on; `internal` is never
/// shown to clients and only goes to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub id: Cow<'static, str>,
    pub message: Cow<'static, str>,
    pub detailed_error: String,
    pub status_code: u16,
    pub internal: Option<String>,
}

impl AppError {
    pub fn new(
        status_code: u16,
        id: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            id: id.into(),
            message: message.into(),
            detailed_error: String::new(),
            status_code,
            internal: None,
        }
    }

    /// Adds a detail that is shown to clients only in developer mode.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detailed_error = detail.into();
        self
    }

    /// Attaches a cause that is logged with the request id and never sent to clients.
    pub fn with_internal(mut self, cause: impl fmt::Display) -> Self {
        self.internal = Some(cause.to_string());
        self
    }

    pub fn bad_request(
        id: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(400, id, message)
    }

    /// 400 for a missing or malformed field in a request body.
    pub fn invalid_body_param(name: &str) -> Self {
        Self::new(
            400,
            "api.context.invalid_body_param.app_error",
            format!("Invalid or missing {name} in request body."),
        )
    }

    /// 400 for a missing or malformed path or query parameter.
    pub fn invalid_url_param(name: &str) -> Self {
        Self::new(
            400,
            "api.context.invalid_url_param.app_error",
            format!("Invalid or missing {name} parameter in request URL."),
        )
    }

    pub fn session_expired() -> Self {
        Self::new(
            401,
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        )
    }

    /// 403, naming the permission that was missing in the detail.
    pub fn forbidden(permission: &str) -> Self {
        Self::new(
            403,
            "api.context.permissions.app_error",
            "You do not have the appropriate permissions.",
        )
        .with_detail(format!("permission={permission}"))
    }

    pub fn not_found(
        id: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(404, id, message)
    }

    /// 404 for a path the API does not know.
    pub fn route_not_found() -> Self {
        Self::new(
            404,
            "api.context.404.app_error",
            "Sorry, we could not find the page.",
        )
    }

    /// 500 whose cause goes to the log only.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(
            500,
            "api.context.internal.app_error",
            "An internal error occurred. Check the server log for the request id.",
        )
        .with_internal(cause)
    }

    /// 501 for a capability this build or license does not provide.
    pub fn not_implemented(
        id: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(501, id, message)
    }

    /// 503 while the database cannot be reached.
    pub fn database_unavailable(cause: impl fmt::Display) -> Self {
        Self::new(
            503,
            "api.context.database_unavailable.app_error",
            "The database is unavailable. Please try again shortly.",
        )
        .with_internal(cause)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.id, self.status_code, self.message)?;
        if let Some(internal) = &self.internal {
            write!(f, ": {internal}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_cause_is_not_in_detail() {
        let err = AppError::internal("password=hunter2 leaked");
        assert_eq!(err.status_code, 500);
        assert!(err.detailed_error.is_empty());
        assert!(err.message.contains("request id"));
        assert_eq!(err.internal.as_deref(), Some("password=hunter2 leaked"));
    }

    #[test]
    fn invalid_body_param_names_the_field() {
        let err = AppError::invalid_body_param("user");
        assert_eq!(err.id, "api.context.invalid_body_param.app_error");
        assert_eq!(err.message, "Invalid or missing user in request body.");
    }
}
