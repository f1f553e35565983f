//! What every operation of the document shares, applied once over the generated document
//! instead of repeated in 170 annotations: how to authenticate, Mattermost's error body
//! behind every error status, and the shape of the ids in paths.
//!
//! An annotation says only what differs: `security(())` for a route that takes no session,
//! `security((), ("bearer" = []))` for one that reads a session when there is one.

use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

pub const BEARER: &str = "bearer";
pub const SESSION_COOKIE: &str = "session_cookie";
pub const CSRF_TOKEN: &str = "csrf_token";
pub const REQUESTED_WITH: &str = "requested_with";

const BEARER_TEXT: &str =
    "`Authorization: Bearer <token>` (`Token <token>` is read too). The token \
    is a session token (the `Token` header of `POST /api/v4/users/login`) or a personal access \
    token (`POST /api/v4/users/{user_id}/tokens`, when `ServiceSettings.EnableUserAccessTokens` \
    is on). A token in the `access_token` query parameter is refused (Mattermost reads it only \
    for OAuth sessions, which this server does not issue).";

const COOKIE_TEXT: &str = "The `MMAUTHTOKEN` cookie that login sets for browsers (requests with \
    `X-Requested-With: XMLHttpRequest`), with `MMUSERID` and `MMCSRF`. It wins over an \
    `Authorization` header. A request that changes anything (not GET, HEAD or OPTIONS) \
    authenticated by this cookie must also send `X-CSRF-Token` equal to the `MMCSRF` cookie, or \
    `X-Requested-With: XMLHttpRequest` (refused when \
    `ServiceSettings.ExperimentalStrictCSRFEnforcement` is on); otherwise the session is \
    treated as expired (401).";

/// Declares the security schemes and the `AppError` answers on every operation.
pub fn apply(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(BEARER_TEXT))
                .build(),
        ),
    );
    components.add_security_scheme(
        SESSION_COOKIE,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "MMAUTHTOKEN",
            COOKIE_TEXT,
        ))),
    );
    components.add_security_scheme(
        CSRF_TOKEN,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-CSRF-Token",
            "The value of the `MMCSRF` cookie: required with the session cookie on requests \
             that change anything.",
        ))),
    );
    components.add_security_scheme(
        REQUESTED_WITH,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-Requested-With",
            "`XMLHttpRequest`: accepted instead of `X-CSRF-Token` with the session cookie \
             unless `ServiceSettings.ExperimentalStrictCSRFEnforcement` is on.",
        ))),
    );

    for item in doc.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
        ];
        for (operation, writes) in operations {
            if let Some(operation) = operation.as_mut() {
                let signed_in = set_security(operation, writes);
                add_error_responses(operation, signed_in);
                for param in operation.parameters.iter_mut().flatten() {
                    describe_path_id(param);
                }
            }
        }
    }
}

fn signed_in_alternatives(writes: bool) -> Vec<SecurityRequirement> {
    let none: [&str; 0] = [];
    let mut alternatives = vec![SecurityRequirement::new(BEARER, none)];
    if writes {
        alternatives.push(SecurityRequirement::new(SESSION_COOKIE, none).add(CSRF_TOKEN, none));
        alternatives.push(SecurityRequirement::new(SESSION_COOKIE, none).add(REQUESTED_WITH, none));
    } else {
        alternatives.push(SecurityRequirement::new(SESSION_COOKIE, none));
    }
    alternatives
}

/// Returns whether the operation requires a session.
fn set_security(operation: &mut Operation, writes: bool) -> bool {
    let anonymous = SecurityRequirement::default();
    let bearer = SecurityRequirement::new(BEARER, [""; 0]);
    match operation.security.take() {
        // No annotation: a session is required.
        None => {
            operation.security = Some(signed_in_alternatives(writes));
            true
        }
        // `security((), ("bearer" = []))`: anonymous, or a session that changes the answer.
        Some(list) if list.contains(&bearer) => {
            let mut alternatives = vec![anonymous];
            alternatives.extend(signed_in_alternatives(writes));
            operation.security = Some(alternatives);
            false
        }
        // `security(())`: no session needed.
        Some(list) => {
            operation.security = Some(list);
            false
        }
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("AppError")))
                .build(),
        )
        .build()
}

fn add_error_responses(operation: &mut Operation, signed_in: bool) {
    let has_input = operation.request_body.is_some()
        || operation.parameters.as_ref().is_some_and(|params| {
            params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query))
        });
    let responses = &mut operation.responses.responses;
    // The statuses an annotation names keep their description and gain the error body.
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (is_error, response) {
            if response.content.is_empty() {
                *response = error_response(&response.description);
            }
        }
    }
    if has_input && !responses.contains_key("400") {
        responses.insert(
            "400".into(),
            RefOr::T(error_response("A malformed id, parameter or body")),
        );
    }
    if signed_in && !responses.contains_key("401") {
        responses.insert(
            "401".into(),
            RefOr::T(error_response("No session, or an invalid or expired one")),
        );
    }
    responses.insert(
        "default".into(),
        RefOr::T(error_response(
            "Any other error (403 not allowed, 404 not found, 413 too large, 429 too many \
             requests, 501 not in this edition, 503 database unavailable): Mattermost's error body",
        )),
    );
}

/// Path ids as `api::ids` checks them (Mattermost's `IsValidId`: 26 letters or digits), so
/// clients and fuzzers send well-formed ones; `{user_id}` also takes `me`.
fn describe_path_id(param: &mut Parameter) {
    const IDS: [&str; 8] = [
        "channel_id",
        "team_id",
        "post_id",
        "thread_id",
        "file_id",
        "emoji_id",
        "token_id",
        "role_id",
    ];
    if param.parameter_in != ParameterIn::Path {
        return;
    }
    let (pattern, description) = if param.name == "user_id" {
        (
            "^([A-Za-z0-9]{26}|me)$",
            "A user id, or `me` for the caller",
        )
    } else if IDS.contains(&param.name.as_str()) {
        ("^[A-Za-z0-9]{26}$", "A 26-character id")
    } else {
        return;
    };
    param.schema = Some(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .into(),
    );
    if param.description.is_none() {
        param.description = Some(description.to_string());
    }
}
