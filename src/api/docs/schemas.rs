//! Wire shapes that handlers build inline (`json!`, string maps), described for the OpenAPI
//! document only. Nothing constructs these types: `tests/it/openapi.rs` and the schema fuzz
//! (`.ci/fuzz-openapi.sh`) check the answers the server really sends against them.

use std::collections::BTreeMap;

use serde::Serialize;
use townsquare_sdk::model::{Reaction, Team};
use townsquare_sdk::{License, LicenseState};
use utoipa::ToSchema;

/// Mattermost's error body: every 4xx and 5xx answer of the API carries it.
#[derive(Serialize, ToSchema)]
#[schema(as = AppError)]
pub struct AppErrorBody {
    /// Stable, translatable error id (e.g. `api.context.session_expired.app_error`).
    pub id: String,
    /// English message.
    pub message: String,
    /// More detail; empty unless `ServiceSettings.EnableDeveloper` is on.
    pub detailed_error: String,
    /// The request's id (also in the `X-Request-Id` header).
    pub request_id: String,
    /// The HTTP status again.
    pub status_code: u16,
}

/// Mattermost's `{"status": "OK"}`.
#[derive(Serialize, ToSchema)]
pub struct StatusOk {
    #[schema(example = "OK")]
    pub status: String,
}

/// `GET /system/ping`: health, and the versions mobile apps compare against.
#[derive(Serialize, ToSchema)]
pub struct ServerStatus {
    /// `OK` or `UNHEALTHY`.
    pub status: String,
    #[serde(rename = "ActiveSearchBackend")]
    pub active_search_backend: String,
    #[serde(rename = "AndroidLatestVersion")]
    pub android_latest_version: String,
    #[serde(rename = "AndroidMinVersion")]
    pub android_min_version: String,
    #[serde(rename = "IosLatestVersion")]
    pub ios_latest_version: String,
    #[serde(rename = "IosMinVersion")]
    pub ios_min_version: String,
    /// With `get_server_status=true`: `OK` or `UNHEALTHY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_status: Option<String>,
    /// With `get_server_status=true`: `OK` or `UNHEALTHY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filestore_status: Option<String>,
}

/// A flat map of strings (booleans as `"true"`/`"false"`, numbers in decimal).
#[derive(Serialize, ToSchema)]
pub struct StringMap(pub BTreeMap<String, String>);

/// `GET /config/client`: the client configuration, a flat map of strings.
#[derive(Serialize, ToSchema)]
pub struct ClientConfig(pub BTreeMap<String, String>);

/// `GET /license/client`: a flat map of strings; exactly `{"IsLicensed": "false"}` without a
/// license in force.
#[derive(Serialize, ToSchema)]
pub struct ClientLicense(pub BTreeMap<String, String>);

/// `POST /logs`: the line as it was logged.
#[derive(Serialize, ToSchema)]
pub struct LoggedLine {
    pub level: String,
    pub message: String,
}

/// `POST /channels/members/{user_id}/view`.
#[derive(Serialize, ToSchema)]
pub struct ChannelViewResponse {
    #[schema(example = "OK")]
    pub status: String,
    /// The channels whose read time moved, with that time (ms).
    pub last_viewed_at_times: BTreeMap<String, i64>,
}

/// `GET /teams` with `include_total_count=true`.
#[derive(Serialize, ToSchema)]
pub struct TeamsWithCount {
    pub teams: Vec<Team>,
    pub total_count: i64,
}

/// `GET /teams`: a list, or the list with its total when `include_total_count=true`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum TeamList {
    Teams(Vec<Team>),
    WithCount(TeamsWithCount),
}

/// `GET /teams/name/{name}/exists`.
#[derive(Serialize, ToSchema)]
pub struct TeamExists {
    pub exists: bool,
}

/// Mattermost's `ChannelUnread`.
#[derive(Serialize, ToSchema)]
pub struct ChannelUnread {
    pub team_id: String,
    pub channel_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    pub msg_count_root: i64,
}

/// Mattermost's `ChannelStats`.
#[derive(Serialize, ToSchema)]
pub struct ChannelStats {
    pub channel_id: String,
    pub member_count: i64,
    pub guest_count: i64,
    pub pinnedpost_count: i64,
    pub files_count: i64,
}

/// `POST /posts/ids/reactions`: each readable post's reactions, by post id.
#[derive(Serialize, ToSchema)]
pub struct ReactionsByPost(pub BTreeMap<String, Vec<Reaction>>);

/// `GET /license/load_metric`.
#[derive(Serialize, ToSchema)]
pub struct LoadMetric {
    /// `(monthly active users / licensed users) * 1000`, rounded; 0 without a license.
    pub load: i64,
}

/// `GET /limits/server` (zeros for non-admins; 0 means no limit).
#[derive(Serialize, ToSchema)]
pub struct ServerLimits {
    #[serde(rename = "maxUsersLimit")]
    pub max_users_limit: i64,
    #[serde(rename = "maxUsersHardLimit")]
    pub max_users_hard_limit: i64,
    #[serde(rename = "activeUserCount")]
    pub active_user_count: i64,
}

/// Why an upload of a previewed license would be refused.
#[derive(Serialize, ToSchema)]
pub struct LicenseUploadError {
    pub id: String,
    pub message: String,
    pub status_code: u16,
}

/// `POST /license/preview`: the parsed license and what an upload would do now.
#[derive(Serialize, ToSchema)]
pub struct LicensePreviewBody {
    pub license: License,
    pub state: LicenseState,
    pub is_development: bool,
    /// The key id that signed it.
    pub kid: String,
    pub grace_ends_at: i64,
    pub seat_limit: i64,
    pub active_users: i64,
    pub can_upload: bool,
    pub upload_error: Option<LicenseUploadError>,
}

/// The body of `POST /users/{user_id}/terms_of_service`.
#[derive(Serialize, ToSchema)]
pub struct TermsDecision {
    /// The id of the terms in force (`serviceTermsId` is read too).
    #[serde(rename = "termsOfServiceId")]
    pub terms_of_service_id: String,
    pub accepted: bool,
}

/// `POST /files` as `multipart/form-data`: `channel_id` first, then one `files` part per file,
/// and optionally one `client_ids` part per file. (A raw body with `?channel_id=` and
/// `?filename=` in the query is accepted too.)
#[derive(Serialize, ToSchema)]
pub struct FileUploadForm {
    pub channel_id: String,
    /// A file (repeat the part for more files).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub files: String,
    /// The client's id for the file at the same position.
    pub client_ids: Option<String>,
}

/// `POST /emoji` as `multipart/form-data`.
#[derive(Serialize, ToSchema)]
pub struct EmojiForm {
    /// JSON: `{"name": "...", "creator_id": "<the caller>"}`.
    pub emoji: String,
    /// PNG, JPEG, GIF or WebP, at most 512 KiB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub image: String,
}

/// `POST /license` and `POST /license/preview` as `multipart/form-data`.
#[derive(Serialize, ToSchema)]
pub struct LicenseForm {
    /// The `.townsquare-license` file.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub license: String,
}

/// A profile picture or team icon upload, as `multipart/form-data`.
#[derive(Serialize, ToSchema)]
pub struct ImageForm {
    /// The image file; it is stored as a 128 px square PNG.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub image: String,
}
