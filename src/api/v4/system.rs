//! System endpoints: health, client configuration, client license.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::{Auth, MaybeAuth};
use crate::api::docs::schemas as doc;
use crate::api::extract::{flag, Query};
use crate::api::ids::{Ids, TeamId};
use crate::app::client_reports::{self, ClientLog, PerfReport};
use crate::app::system;
use crate::build_info;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ping))
        .routes(routes!(client_config))
        .routes(routes!(timezones))
        .routes(routes!(team_notices))
        .routes(routes!(mark_notices_viewed))
        .routes(routes!(client_perf))
        .routes(routes!(client_logs))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PingQuery {
    /// Also check the database and file store.
    get_server_status: Option<String>,
    /// Answer 200 even when unhealthy (the body says `UNHEALTHY`).
    use_rest_semantics: Option<String>,
    #[allow(dead_code)]
    device_id: Option<String>,
}

/// Health check. With `get_server_status=true` the database and file store are checked too.
#[utoipa::path(
    get,
    path = "/api/v4/system/ping",
    tag = "system",
    params(PingQuery),
    security(()),
    responses(
        (status = 200, description = "Server status", body = doc::ServerStatus),
        (status = 500, description = "Unhealthy (unless use_rest_semantics=true)", body = doc::ServerStatus)
    )
)]
pub async fn ping(State(state): State<AppState>, Query(query): Query<PingQuery>) -> Response {
    let mut body: BTreeMap<&str, String> = BTreeMap::new();
    body.insert("status", "OK".into());
    body.insert("ActiveSearchBackend", "database".into());
    for key in [
        "AndroidLatestVersion",
        "AndroidMinVersion",
        "IosLatestVersion",
        "IosMinVersion",
    ] {
        body.insert(key, String::new());
    }
    let mut healthy = true;
    let mut headers = Vec::new();
    if flag(&query.get_server_status) {
        let database = if system::database_healthy(&state).await {
            "OK"
        } else {
            healthy = false;
            "UNHEALTHY"
        };
        let filestore = if system::filestore_writable(&state).await {
            "OK"
        } else {
            healthy = false;
            "UNHEALTHY"
        };
        body.insert("database_status", database.into());
        body.insert("filestore_status", filestore.into());
        headers.push(("database_status", database));
        headers.push(("filestore_status", filestore));
    }
    if !healthy {
        body.insert("status", "UNHEALTHY".into());
    }
    let status = if healthy || flag(&query.use_rest_semantics) {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let mut response = (status, Json(body)).into_response();
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(name, axum::http::HeaderValue::from_static(value));
    }
    response
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FormatQuery {
    /// Accepted and ignored (older servers required `old`).
    #[allow(dead_code)]
    pub format: Option<String>,
}

/// The client configuration as a flat map of strings.
#[utoipa::path(
    get,
    path = "/api/v4/config/client",
    tag = "system",
    params(FormatQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "Client configuration (more keys for a signed-in caller)", body = doc::ClientConfig))
)]
pub async fn client_config(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Query(_query): Query<FormatQuery>,
) -> Result<Json<BTreeMap<&'static str, String>>> {
    let mut map = client_config_map(&state);
    // Custom terms of service: present only while licensed, as in Mattermost.
    let entitlements = state.entitlements_full();
    let terms_settings = {
        let config = state.config();
        townsquare_sdk::terms::TermsSettings {
            enabled: config.support.custom_terms_of_service_enabled,
            re_acceptance_period_days: config.support.custom_terms_of_service_re_acceptance_period,
        }
    };
    let terms = state
        .extensions
        .custom_terms
        .client_config(
            &crate::app::licensing::Host::new(&state),
            &entitlements,
            terms_settings,
        )
        .await?;
    map.extend(terms);
    let no_accounts = system::no_accounts(&state).await?;
    map.insert("NoAccounts", bool_str(no_accounts));
    if auth.is_some() {
        // The full set, for logged-in clients only.
        signed_in_features(&mut map);
        map.insert("MaxPostSize", "16383".into());
        let installed = system::installation_date(&state).await?;
        map.insert("InstallationDate", installed);
        map.insert("SchemaVersion", system::schema_version());
        map.insert("UpgradedFromTE", "false".into());
    }
    Ok(Json(map))
}

/// Mattermost's `GenerateClientConfig` feature keys (sent to signed-in clients only) as
/// they stand here: clients hide what a `"false"` names, so nothing this server lacks is
/// advertised.
fn signed_in_features(map: &mut BTreeMap<&'static str, String>) {
    // No route behind any of these yet.
    for key in [
        "EnableCommands",
        "EnableIncomingWebhooks",
        "EnableOutgoingWebhooks",
        "EnablePostUsernameOverride",
        "EnablePostIconOverride",
        "EnableOAuthServiceProvider",
        "EnablePermalinkPreviews",
        "EnableMarketplace",
        "EnableEmailInvitations",
        "SendEmailNotifications",
        "SendPushNotifications",
        "EnableCustomGroups",
        "EnableCompliance",
        "ExperimentalSharedChannels",
        "PostPriority",
        "AllowPersistentNotifications",
    ] {
        map.insert(key, "false".into());
    }
    // Mattermost 11 fixed this setting to true; archived channels are always viewable.
    map.insert("ExperimentalViewArchivedChannels", "true".into());
}

fn bool_str(value: bool) -> String {
    if value { "true" } else { "false" }.to_string()
}

/// Builds the client configuration. Values are strings, booleans `"true"`/`"false"`.
pub fn client_config_map(state: &AppState) -> BTreeMap<&'static str, String> {
    let config = state.config();
    let edition = &state.extensions.edition;
    let mut map = BTreeMap::new();
    map.insert(
        "Version",
        build_info::COMPATIBLE_MATTERMOST_VERSION.to_string(),
    );
    map.insert("BuildNumber", build_info::build_number());
    map.insert("BuildDate", build_info::COMMIT_DATE.to_string());
    map.insert("BuildHash", build_info::GIT_HASH.to_string());
    map.insert(
        "BuildHashEnterprise",
        edition.build_hash_enterprise().to_string(),
    );
    map.insert(
        "BuildEnterpriseReady",
        bool_str(edition.edition() == townsquare_sdk::Edition::Enterprise),
    );
    map.insert("SiteURL", config.service.site_url.clone());
    map.insert("SiteName", config.team.site_name.clone());
    map.insert("WebsocketURL", String::new());
    map.insert("WebsocketPort", "80".into());
    map.insert("WebsocketSecurePort", "443".into());
    map.insert(
        "EnableSignInWithEmail",
        bool_str(config.email.enable_sign_in_with_email),
    );
    map.insert(
        "EnableSignInWithUsername",
        bool_str(config.email.enable_sign_in_with_username),
    );
    map.insert(
        "EnableSignUpWithEmail",
        bool_str(config.email.enable_sign_up_with_email),
    );
    map.insert("EnableOpenServer", bool_str(config.team.enable_open_server));
    map.insert(
        "EnableUserCreation",
        bool_str(config.team.enable_user_creation),
    );
    map.insert(
        "PasswordMinimumLength",
        config.password.minimum_length.to_string(),
    );
    map.insert(
        "PasswordRequireLowercase",
        bool_str(config.password.lowercase),
    );
    map.insert(
        "PasswordRequireUppercase",
        bool_str(config.password.uppercase),
    );
    map.insert("PasswordRequireNumber", bool_str(config.password.number));
    map.insert("PasswordRequireSymbol", bool_str(config.password.symbol));
    map.insert("DefaultClientLocale", "en".into());
    map.insert("AvailableLocales", String::new());
    map.insert(
        "EnableFileAttachments",
        bool_str(config.file.enable_file_attachments),
    );
    map.insert("MaxFileSize", config.file.max_file_size.to_string());
    map.insert("EnablePublicLink", bool_str(config.file.enable_public_link));
    map.insert(
        "EnableLinkPreviews",
        bool_str(config.service.enable_link_previews),
    );
    map.insert(
        "EnableFileSearch",
        bool_str(config.service.enable_file_search),
    );
    map.insert(
        "EnableCustomEmoji",
        bool_str(config.service.enable_custom_emoji),
    );
    map.insert(
        "EnableUserAccessTokens",
        bool_str(config.service.enable_user_access_tokens),
    );
    // Bots do not exist yet, whatever `ServiceSettings.EnableBotAccountCreation` says.
    map.insert("EnableBotAccountCreation", "false".into());
    // Sign-in methods and features of Mattermost's limited config this server lacks.
    for key in [
        "EnableGuestAccounts",
        "EnableMultifactorAuthentication",
        "EnforceMultifactorAuthentication",
        "EnableLdap",
        "EnableSaml",
        "EnableSignUpWithGitLab",
        "EnableSignUpWithGoogle",
        "EnableSignUpWithOffice365",
        "EnableSignUpWithOpenId",
        "PluginsEnabled",
        "EnableComplianceExport",
    ] {
        map.insert(key, "false".into());
    }
    map.insert(
        "AllowSyncedDrafts",
        bool_str(config.service.allow_synced_drafts),
    );
    map.insert("ScheduledPosts", bool_str(config.service.scheduled_posts));
    map.insert(
        "ShowEmailAddress",
        bool_str(config.privacy.show_email_address),
    );
    map.insert("ShowFullName", bool_str(config.privacy.show_full_name));
    map.insert("TeammateNameDisplay", "username".into());
    map.insert("EnableDeveloper", bool_str(config.service.enable_developer));
    map.insert("DiagnosticsEnabled", "false".into());
    map.insert("TelemetryId", String::new());
    // The announcement banner: Mattermost's unlicensed defaults unless licensed.
    let banner = &config.announcement;
    let banner = townsquare_sdk::announcement::BannerSettings {
        enable_banner: banner.enable_banner,
        banner_text: banner.banner_text.clone(),
        banner_color: banner.banner_color.clone(),
        banner_text_color: banner.banner_text_color.clone(),
        allow_banner_dismissal: banner.allow_banner_dismissal,
    };
    map.extend(
        state
            .extensions
            .announcement
            .client_config(&state.entitlements(), &banner),
    );
    map
}

/// The time zone names the server supports.
#[utoipa::path(get, path = "/api/v4/system/timezones", tag = "system",
    responses((status = 200, description = "IANA zone names", body = Vec<String>)))]
pub async fn timezones(Auth(_auth): Auth) -> Json<Vec<&'static str>> {
    Json(crate::app::timezones::supported())
}

/// Product notices for a team: Townsquare has none.
#[utoipa::path(get, path = "/api/v4/system/notices/{team_id}", tag = "system",
    params(("team_id" = String, Path)),
    responses((status = 200, description = "Notices (always empty)", body = Vec<Object>)))]
pub async fn team_notices(
    Auth(_auth): Auth,
    Ids(_team): Ids<TeamId>,
) -> Json<Vec<serde_json::Value>> {
    Json(Vec::new())
}

/// Marks notices as viewed (there are none to remember).
#[utoipa::path(put, path = "/api/v4/system/notices/view", tag = "system",
    request_body = Vec<String>,
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn mark_notices_viewed(
    Auth(_auth): Auth,
    crate::api::extract::Json(_ids): crate::api::extract::Json<Vec<String>>,
) -> Json<serde_json::Value> {
    super::common::status_ok()
}

/// A client performance report: validated and counted, or dropped unread when
/// `MetricsSettings.EnableClientMetrics` is off.
#[utoipa::path(post, path = "/api/v4/client_perf", tag = "system", request_body = PerfReport,
    responses((status = 200, description = "OK (an empty body, without a content type, when MetricsSettings.EnableClientMetrics is off)", body = doc::StatusOk),
              (status = 400, description = "Malformed or invalid report")))]
pub async fn client_perf(
    State(state): State<AppState>,
    Auth(auth): Auth,
    body: axum::body::Bytes,
) -> Result<Response> {
    let report = serde_json::from_slice::<PerfReport>(&body).map_err(|e| {
        townsquare_sdk::AppError::invalid_body_param("submitPerformanceReport")
            .with_detail(e.to_string())
    });
    if client_reports::submit_perf_report(&state, &auth, report)? {
        Ok(super::common::status_ok().into_response())
    } else {
        Ok(StatusCode::OK.into_response())
    }
}

/// A client log line, written into the server log (`level` `ERROR` logs as an error for
/// system admins; everything else at debug). Answers the map as logged.
#[utoipa::path(post, path = "/api/v4/logs", tag = "system", request_body = ClientLog,
    security((), ("bearer" = [])),
    responses((status = 200, description = "The logged line", body = doc::LoggedLine),
              (status = 403, description = "Signed out, without EnableDeveloper"),
              (status = 429, description = "Too many lines")))]
pub async fn client_logs(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: axum::http::HeaderMap,
    crate::api::extract::Json(line): crate::api::extract::Json<ClientLog>,
) -> Result<Json<BTreeMap<&'static str, String>>> {
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let level = line.level.clone();
    let message = client_reports::client_log(&state, auth.as_ref(), "anonymous", user_agent, line)?;
    Ok(Json(BTreeMap::from([
        ("level", level),
        ("message", message),
    ])))
}
