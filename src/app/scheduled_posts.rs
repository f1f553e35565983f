//! Scheduled posts (Mattermost's `ScheduledPost`): a post written now and sent by the server
//! at `scheduled_at`. Behind `ServiceSettings.ScheduledPosts`.
//!
//! [`send_due`] is one pass of the job (`jobs::scheduled_posts` runs it): it claims due posts
//! atomically, sends each through post creation as its author (events, unread counts and
//! threads as for any post), and deletes it, or records why it could not be sent in
//! `error_code`. Events `scheduled_post_created`, `_updated`, `_deleted` go to the author
//! only, with the post as a JSON string in `scheduledPost`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};
use townsquare_sdk::model::{Post, Session};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::drafts::{self, may_post, standing, validate_content, Draft};
use crate::app::permissions::Permission;
use crate::app::posts::{self, NewPost};
use crate::error::Result;
use crate::id::{is_valid_id, new_id};
use crate::realtime::event::{Broadcast, Event};
use crate::serde_util::nullable;
use crate::state::AppState;
pub use crate::store::scheduled_posts::ScheduledPost;
use crate::time::now_ms;

/// Mattermost's `scheduledPostMaxTimeGap`: a time up to 5 s in the past is still accepted
/// (slow networks, clocks slightly apart).
const MAX_PAST_MS: i64 = 5_000;
/// Posts due longer ago than this are not sent late (Mattermost's 24 hours).
pub const MAX_LATENESS_MS: i64 = 24 * 60 * 60 * 1000;
/// A claim older than this whose node never finished is taken again.
pub const STALE_CLAIM_MS: i64 = 5 * 60 * 1000;
/// Rows claimed per statement.
const BATCH: i64 = 100;

/// Mattermost's `ScheduledPostError*` codes.
pub mod error_code {
    pub const UNKNOWN: &str = "unknown";
    pub const CHANNEL_ARCHIVED: &str = "channel_archived";
    pub const CHANNEL_NOT_FOUND: &str = "channel_not_found";
    pub const USER_MISSING: &str = "user_missing";
    pub const USER_DELETED: &str = "user_deleted";
    pub const NO_CHANNEL_PERMISSION: &str = "no_channel_permission";
    pub const THREAD_DELETED: &str = "thread_deleted";
    pub const UNABLE_TO_SEND: &str = "unable_to_send";
}

/// A scheduled post in a request body: the post's fields and `scheduled_at`. The author is
/// always the caller; `create_at`, `update_at`, `processed_at`, `error_code` and `metadata`
/// are ignored.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScheduledPostInput {
    /// Must match the path when updating; ignored when creating (a new id is made).
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub channel_id: String,
    #[serde(deserialize_with = "nullable")]
    pub root_id: String,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Object)]
    pub props: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub file_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Object)]
    pub priority: Map<String, Value>,
    /// When to send it, in milliseconds since the epoch.
    #[serde(deserialize_with = "nullable")]
    pub scheduled_at: i64,
}

fn require_enabled(state: &AppState) -> Result<()> {
    if state.config().service.scheduled_posts {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "api.scheduled_posts.feature_disabled",
            "Scheduled posts are turned off on this server (ServiceSettings.ScheduledPosts).",
        )
        .into())
    }
}

fn publish(state: &AppState, name: &'static str, post: &ScheduledPost, connection_id: &str) {
    let mut broadcast = Broadcast::user(&post.draft.user_id);
    broadcast.omit_connection_id = connection_id.to_string();
    state
        .realtime
        .publish(Event::new(name, broadcast).with_json_string("scheduledPost", post));
}

/// Text, files, priority, emptiness and time, as Mattermost's `ScheduledPost.IsValid`.
fn validate(input: &mut ScheduledPostInput) -> Result<(), AppError> {
    if !input.root_id.is_empty() && !is_valid_id(&input.root_id) {
        return Err(AppError::bad_request(
            "model.draft.is_valid.root_id.app_error",
            "Invalid root id.",
        ));
    }
    validate_content(
        &input.message,
        &input.props,
        &mut input.file_ids,
        &input.priority,
        "draft",
    )?;
    if input.message.is_empty() && input.file_ids.is_empty() {
        return Err(AppError::bad_request(
            "model.scheduled_post.is_valid.empty_post.app_error",
            "A scheduled post needs a message or files.",
        ));
    }
    if input.scheduled_at < now_ms() - MAX_PAST_MS {
        return Err(AppError::bad_request(
            "model.scheduled_post.is_valid.scheduled_at.app_error",
            "The scheduled time must be in the future.",
        ));
    }
    Ok(())
}

/// Files need `upload_file` in the channel, then the post needs `create_post` (Mattermost's
/// order); an unknown channel answers like a forbidden one.
async fn check_channel(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    new_files: bool,
) -> Result<crate::app::channels::ChannelAccess> {
    let found = standing(state, auth, channel_id).await?;
    if new_files {
        let may_upload = found.as_ref().is_some_and(|a| {
            a.member.is_some() && a.can(auth, Permission::UploadFile)
                || auth.can(Permission::ManageSystem)
        });
        if !may_upload {
            return Err(AppError::forbidden(Permission::UploadFile.id()).into());
        }
    }
    match found {
        Some(access) if may_post(&access, auth) => Ok(access),
        _ => Err(AppError::forbidden(Permission::CreatePost.id()).into()),
    }
}

/// Schedules a post for the caller.
pub async fn create(
    state: &AppState,
    auth: &AuthContext,
    mut input: ScheduledPostInput,
    connection_id: &str,
) -> Result<ScheduledPost> {
    require_enabled(state)?;
    if !is_valid_id(&input.channel_id) {
        return Err(AppError::bad_request(
            "model.draft.is_valid.channel_id.app_error",
            "Invalid channel id.",
        )
        .into());
    }
    let access = check_channel(state, auth, &input.channel_id, !input.file_ids.is_empty()).await?;
    validate(&mut input)?;
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "app.save_scheduled_post.channel_deleted.app_error",
            "Cannot schedule a post in an archived channel.",
        )
        .into());
    }
    let now = now_ms();
    let post = ScheduledPost {
        draft: Draft {
            create_at: now,
            update_at: now,
            delete_at: 0,
            user_id: auth.user_id().to_string(),
            channel_id: input.channel_id,
            root_id: input.root_id,
            message: input.message,
            props: input.props,
            file_ids: input.file_ids,
            metadata: None,
            priority: input.priority,
        },
        id: new_id(),
        scheduled_at: input.scheduled_at,
        processed_at: 0,
        error_code: String::new(),
    };
    state.store.insert_scheduled_post(&post).await?;
    publish(state, "scheduled_post_created", &post, connection_id);
    Ok(post)
}

/// The caller's scheduled posts in a team, keyed by the team id, and with
/// `include_direct_channels` those of direct and group channels under `directChannels`.
pub async fn for_team(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    include_direct_channels: bool,
) -> Result<BTreeMap<String, Vec<ScheduledPost>>> {
    require_enabled(state)?;
    if !drafts::on_team(state, auth, team_id).await? {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    let mut answer = BTreeMap::new();
    answer.insert(
        team_id.to_string(),
        with_files(state, auth.user_id(), team_id).await?,
    );
    if include_direct_channels {
        answer.insert(
            "directChannels".to_string(),
            with_files(state, auth.user_id(), "").await?,
        );
    }
    Ok(answer)
}

async fn with_files(state: &AppState, user_id: &str, team_id: &str) -> Result<Vec<ScheduledPost>> {
    let mut posts = state
        .store
        .scheduled_posts_for_user(user_id, team_id)
        .await?;
    let mut drafts: Vec<Draft> = posts.iter().map(|p| p.draft.clone()).collect();
    drafts::attach_files(state, &mut drafts).await?;
    for (post, draft) in posts.iter_mut().zip(drafts) {
        post.draft.metadata = draft.metadata;
    }
    Ok(posts)
}

/// The caller's own scheduled post, or Mattermost's 404 / 403 (`action` is `update` or
/// `delete`, as in its error ids).
async fn own(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    action: &str,
) -> Result<ScheduledPost> {
    let Some(existing) = state.store.scheduled_post(id).await? else {
        return Err(AppError::not_found(
            format!("app.{action}_scheduled_post.existing_scheduled_post.not_exist"),
            "The scheduled post does not exist.",
        )
        .into());
    };
    if existing.draft.user_id != auth.user_id() {
        return Err(AppError::new(
            403,
            format!("app.{action}_scheduled_post.{action}_permission.error"),
            "You can only change your own scheduled posts.",
        )
        .into());
    }
    Ok(existing)
}

/// Changes the text, props, files, priority or time of the caller's scheduled post; a failed
/// post goes back in the queue. Channel, thread and author stay.
pub async fn update(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    mut input: ScheduledPostInput,
    connection_id: &str,
) -> Result<ScheduledPost> {
    require_enabled(state)?;
    if input.id != id {
        return Err(AppError::invalid_url_param("scheduled_post_id").into());
    }
    let existing = own(state, auth, id, "update").await?;
    let new_files = input
        .file_ids
        .iter()
        .any(|f| !existing.draft.file_ids.contains(f));
    check_channel(state, auth, &existing.draft.channel_id, new_files).await?;
    input.root_id = existing.draft.root_id.clone();
    validate(&mut input)?;
    let mut changed = existing.clone();
    changed.draft.update_at = now_ms();
    changed.draft.message = input.message;
    changed.draft.props = input.props;
    changed.draft.file_ids = input.file_ids;
    changed.draft.priority = input.priority;
    changed.scheduled_at = input.scheduled_at;
    let Some(updated) = state.store.update_scheduled_post(&changed).await? else {
        return Err(AppError::not_found(
            "app.update_scheduled_post.existing_scheduled_post.not_exist",
            "The scheduled post does not exist.",
        )
        .into());
    };
    publish(state, "scheduled_post_updated", &updated, connection_id);
    Ok(updated)
}

/// Deletes the caller's scheduled post; returns it as it was.
pub async fn delete(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    connection_id: &str,
) -> Result<ScheduledPost> {
    require_enabled(state)?;
    own(state, auth, id, "delete").await?;
    let Some(deleted) = state.store.delete_scheduled_post(id).await? else {
        return Err(AppError::not_found(
            "app.delete_scheduled_post.existing_scheduled_post.not_exist",
            "The scheduled post does not exist.",
        )
        .into());
    };
    publish(state, "scheduled_post_deleted", &deleted, connection_id);
    Ok(deleted)
}

/// What one pass of the job did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

/// One pass of the job: posts due more than [`MAX_LATENESS_MS`] ago fail with
/// `unable_to_send`; the others are claimed, checked and sent.
pub async fn send_due(state: &AppState) -> Result<Pass> {
    let mut pass = Pass::default();
    if !state.config().service.scheduled_posts {
        return Ok(pass);
    }
    let now = now_ms();
    for expired in state
        .store
        .expire_scheduled_posts(now - MAX_LATENESS_MS, error_code::UNABLE_TO_SEND, now)
        .await?
    {
        pass.failed += 1;
        publish(state, "scheduled_post_updated", &expired, "");
    }
    let stale_before = now - STALE_CLAIM_MS;
    while state.store.scheduled_posts_due(now, stale_before).await? {
        let batch = state
            .store
            .claim_due_scheduled_posts(now, stale_before, BATCH)
            .await?;
        let full = batch.len() as i64 == BATCH;
        for claimed in batch {
            match send_one(state, &claimed).await {
                Ok(post) => {
                    if let Some(sent) = state.store.delete_scheduled_post(&claimed.id).await? {
                        publish(state, "scheduled_post_deleted", &sent, "");
                    }
                    tracing::debug!(scheduled_post_id = %claimed.id, post_id = %post.id, "scheduled post sent");
                    pass.sent += 1;
                }
                Err(code) => {
                    tracing::info!(scheduled_post_id = %claimed.id, error_code = code, "scheduled post not sent");
                    if let Some(failed) = state
                        .store
                        .fail_scheduled_post(&claimed.id, code, now_ms())
                        .await?
                    {
                        publish(state, "scheduled_post_updated", &failed, "");
                    }
                    pass.failed += 1;
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(pass)
}

/// Sends one claimed post as its author, or says why not (an `error_code`).
async fn send_one(state: &AppState, scheduled: &ScheduledPost) -> Result<Post, &'static str> {
    let unknown = |err: crate::Error| {
        tracing::warn!(scheduled_post_id = %scheduled.id, error = %err, "sending a scheduled post failed");
        error_code::UNKNOWN
    };
    let draft = &scheduled.draft;
    let user = match state.store.user(&draft.user_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(error_code::USER_MISSING),
        Err(err) => return Err(unknown(err.into())),
    };
    if !user.is_active() {
        return Err(error_code::USER_DELETED);
    }
    let auth = AuthContext {
        session: Session {
            user_id: user.id.clone(),
            roles: user.roles.clone(),
            ..Default::default()
        },
        user,
        csrf_token: String::new(),
        access_token_id: None,
    };
    let Some(access) = standing(state, &auth, &draft.channel_id)
        .await
        .map_err(unknown)?
    else {
        return Err(error_code::CHANNEL_NOT_FOUND);
    };
    if access.channel.delete_at != 0 {
        return Err(error_code::CHANNEL_ARCHIVED);
    }
    if !draft.root_id.is_empty() {
        let root = state
            .store
            .post(&draft.root_id)
            .await
            .map_err(|e| unknown(e.into()))?;
        if root.is_none_or(|r| r.delete_at != 0) {
            return Err(error_code::THREAD_DELETED);
        }
    }
    if !may_post(&access, &auth) {
        return Err(error_code::NO_CHANNEL_PERMISSION);
    }
    // Sent before a lost claim: found by its pending id (before post creation checks files,
    // which the sent post now holds).
    if let Some(sent) = state
        .store
        .post_by_pending_id(&draft.user_id, &scheduled.id)
        .await
        .map_err(|e| unknown(e.into()))?
    {
        return Ok(sent);
    }
    let input = NewPost {
        channel_id: draft.channel_id.clone(),
        message: draft.message.clone(),
        root_id: draft.root_id.clone(),
        file_ids: draft.file_ids.clone(),
        props: draft.props.clone(),
        // A retry after a lost claim finds the post already made instead of posting twice.
        pending_post_id: scheduled.id.clone(),
        post_type: String::new(),
    };
    posts::create::create_post_only(state, &auth, input)
        .await
        .map_err(unknown)
}
