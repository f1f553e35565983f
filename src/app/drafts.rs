//! Synced drafts (Mattermost's `Draft`): what a user is writing in a channel or thread, kept
//! on the server so their other devices see it. Behind `ServiceSettings.AllowSyncedDrafts`.
//!
//! Events go to the user only, without the connection that made the change (its
//! `Connection-Id` header), as Mattermost sends them: every upsert is `draft_created`
//! (Mattermost 11 no longer sends `draft_updated`), a removal `draft_deleted`.

use serde::Deserialize;
use serde_json::{Map, Value};
use townsquare_sdk::model::Post;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::channels::{access, ChannelAccess};
use crate::app::permissions::Permission;
use crate::app::posts::MAX_MESSAGE_RUNES;
use crate::error::{Error, Result};
use crate::id::is_valid_id;
use crate::realtime::event::{Broadcast, Event};
use crate::serde_util::nullable;
use crate::state::AppState;
pub use crate::store::drafts::Draft;
use crate::time::now_ms;

/// Mattermost's `PostFileidsMaxRunes`: the file id list as JSON text.
const MAX_FILE_IDS_RUNES: usize = 300;
/// Mattermost's `PostPropsMaxRunes`, for props and priority as JSON text.
const MAX_PROPS_RUNES: usize = 800_000;

/// A draft in a request body: Mattermost's `Draft`. The user is always the caller; `update_at`,
/// `delete_at`, `user_id` and `metadata` are ignored.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DraftInput {
    /// Kept when the draft is new (the client's creation time); 0 means now.
    #[serde(deserialize_with = "nullable")]
    pub create_at: i64,
    #[serde(deserialize_with = "nullable")]
    pub channel_id: String,
    /// The thread's root post; "" for the channel.
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
}

fn disabled() -> AppError {
    AppError::new(
        501,
        "api.drafts.disabled.app_error",
        "Synced drafts are turned off on this server (ServiceSettings.AllowSyncedDrafts).",
    )
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::bad_request(
        format!("model.draft.is_valid.{field}.app_error"),
        message.to_string(),
    )
}

fn require_enabled(state: &AppState) -> Result<()> {
    if state.config().service.allow_synced_drafts {
        Ok(())
    } else {
        Err(disabled().into())
    }
}

/// Whether the caller may post in the channel: a member with `create_post`, or a system
/// admin (the rule of post creation).
pub(crate) fn may_post(access: &ChannelAccess, auth: &AuthContext) -> bool {
    (access.member.is_some() && access.can(auth, Permission::CreatePost))
        || auth.can(Permission::ManageSystem)
}

/// The channel and the caller's standing; `None` for an unknown channel (callers answer it
/// like one the caller may not post in, so its existence is not revealed).
pub(crate) async fn standing(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<Option<ChannelAccess>> {
    match access(state, auth, channel_id).await {
        Err(err) if err.app().status_code == 404 => Ok(None),
        other => other.map(Some),
    }
}

/// The channel, for a caller about to write in it; 403 `create_post` unless they may post.
pub(crate) async fn postable_channel(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<ChannelAccess> {
    match standing(state, auth, channel_id).await? {
        Some(access) if may_post(&access, auth) => Ok(access),
        _ => Err(AppError::forbidden(Permission::CreatePost.id()).into()),
    }
}

/// Mattermost's draft checks on the text, props, files and priority. File ids are
/// de-duplicated (clients sometimes repeat one).
pub(crate) fn validate_content(
    message: &str,
    props: &Map<String, Value>,
    file_ids: &mut Vec<String>,
    priority: &Map<String, Value>,
    field_prefix: &str,
) -> Result<(), AppError> {
    let named = |field: &str, message: &str| {
        AppError::bad_request(
            format!("model.{field_prefix}.is_valid.{field}.app_error"),
            message.to_string(),
        )
    };
    if message.chars().count() > MAX_MESSAGE_RUNES {
        return Err(named(
            "message_length",
            &format!("The message must be at most {MAX_MESSAGE_RUNES} characters."),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    file_ids.retain(|id| seen.insert(id.clone()));
    if serde_json::to_string(file_ids).map_or(0, |s| s.chars().count()) > MAX_FILE_IDS_RUNES {
        return Err(named("file_ids", "Too many file ids."));
    }
    if serde_json::to_string(props).map_or(0, |s| s.chars().count()) > MAX_PROPS_RUNES {
        return Err(named("props", "The props are too large."));
    }
    if serde_json::to_string(priority).map_or(0, |s| s.chars().count()) > MAX_PROPS_RUNES {
        return Err(named("priority", "The priority is too large."));
    }
    Ok(())
}

fn to_user(draft: &Draft, connection_id: &str) -> Broadcast {
    let mut broadcast = Broadcast::user(&draft.user_id);
    broadcast.channel_id = draft.channel_id.clone();
    broadcast.omit_connection_id = connection_id.to_string();
    broadcast
}

fn publish(state: &AppState, name: &'static str, draft: &Draft, connection_id: &str) {
    state
        .realtime
        .publish(Event::new(name, to_user(draft, connection_id)).with_json_string("draft", draft));
}

/// Creates or replaces the caller's draft for a channel or thread. An empty draft (no text,
/// no files) deletes it instead and answers `None`, as Mattermost does.
pub async fn upsert(
    state: &AppState,
    auth: &AuthContext,
    input: DraftInput,
    connection_id: &str,
) -> Result<Option<Draft>> {
    require_enabled(state)?;
    if !is_valid_id(&input.channel_id) {
        return Err(invalid("channel_id", "Invalid channel id.").into());
    }
    if !input.root_id.is_empty() && !is_valid_id(&input.root_id) {
        return Err(invalid("root_id", "Invalid root id.").into());
    }
    let access = postable_channel(state, auth, &input.channel_id).await?;
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.draft.create_draft.can_not_draft_to_deleted.error",
            "Cannot save a draft in an archived channel.",
        )
        .into());
    }
    let mut file_ids = input.file_ids;
    validate_content(
        &input.message,
        &input.props,
        &mut file_ids,
        &input.priority,
        "draft",
    )?;
    let user_id = auth.user_id();
    if input.message.is_empty() && file_ids.is_empty() {
        if let Some(gone) = state
            .store
            .delete_draft(user_id, &input.channel_id, &input.root_id)
            .await?
        {
            publish(state, "draft_deleted", &gone, connection_id);
        }
        return Ok(None);
    }
    let now = now_ms();
    let draft = Draft {
        create_at: if input.create_at > 0 {
            input.create_at
        } else {
            now
        },
        update_at: now,
        delete_at: 0,
        user_id: user_id.to_string(),
        channel_id: input.channel_id,
        root_id: input.root_id,
        message: input.message,
        props: input.props,
        file_ids,
        metadata: None,
        priority: input.priority,
    };
    let mut stored = state.store.upsert_draft(&draft).await?;
    attach_files(state, std::slice::from_mut(&mut stored)).await?;
    publish(state, "draft_created", &stored, connection_id);
    Ok(Some(stored))
}

/// The user must be the caller (Mattermost answers for the session's user whatever the path
/// says; naming another user is refused here rather than silently ignored).
fn require_self(auth: &AuthContext, user_id: &str) -> Result<()> {
    if auth.user_id() == user_id {
        Ok(())
    } else {
        Err(AppError::forbidden(Permission::EditOtherUsers.id()).into())
    }
}

/// The caller's drafts in a team's channels and in direct and group channels, newest change
/// first; drafts in channels they left are not listed.
pub async fn list(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
) -> Result<Vec<Draft>> {
    require_enabled(state)?;
    require_self(auth, user_id)?;
    if !on_team(state, auth, team_id).await? {
        return Err(AppError::forbidden(Permission::CreatePost.id()).into());
    }
    let mut drafts = state.store.drafts_for_user(user_id, team_id).await?;
    attach_files(state, &mut drafts).await?;
    Ok(drafts)
}

/// Mattermost's `view_team`: a member of the team, or a system admin.
pub(crate) async fn on_team(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<bool> {
    if auth.can(Permission::ManageSystem) {
        return Ok(true);
    }
    Ok(state
        .store
        .team_member(team_id, auth.user_id())
        .await?
        .is_some_and(|m| m.delete_at == 0))
}

/// Deletes the caller's draft for a channel (`root_id` "") or thread; no draft is not an error.
pub async fn delete(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    channel_id: &str,
    root_id: &str,
    connection_id: &str,
) -> Result<()> {
    require_enabled(state)?;
    require_self(auth, user_id)?;
    if let Some(gone) = state
        .store
        .delete_draft(user_id, channel_id, root_id)
        .await?
    {
        publish(state, "draft_deleted", &gone, connection_id);
    }
    Ok(())
}

/// Fills `metadata.files` with the draft's files that are still unattached and the author's
/// own (Mattermost's `prepareDraftWithFileInfos`); `metadata` is `{}` without any.
pub(crate) async fn attach_files(state: &AppState, drafts: &mut [Draft]) -> Result<()> {
    let ids: Vec<String> = drafts
        .iter()
        .flat_map(|d| d.file_ids.iter().filter(|id| is_valid_id(id)).cloned())
        .collect();
    let infos = if ids.is_empty() {
        Vec::new()
    } else {
        state.store.file_infos_by_ids(&ids).await?
    };
    for draft in drafts.iter_mut() {
        let files: Vec<&crate::store::files::FileInfo> = draft
            .file_ids
            .iter()
            .filter_map(|id| {
                infos.iter().find(|f| {
                    &f.id == id
                        && f.post_id.is_empty()
                        && f.delete_at == 0
                        && f.creator_id == draft.user_id
                })
            })
            .collect();
        let mut metadata = Map::new();
        if !files.is_empty() {
            metadata.insert(
                "files".into(),
                serde_json::to_value(&files).unwrap_or_default(),
            );
        }
        draft.metadata = Some(Value::Object(metadata));
    }
    Ok(())
}

/// After a post was created: the author's draft for that channel or thread is done. Errors
/// are logged, not returned (the post exists either way).
pub async fn post_created(state: &AppState, post: &Post) {
    if !state.config().service.allow_synced_drafts {
        return;
    }
    let result: Result<(), Error> = async {
        // A read first: usually the client already deleted it, and a read costs no write.
        if state
            .store
            .draft(&post.user_id, &post.channel_id, &post.root_id)
            .await?
            .is_none()
        {
            return Ok(());
        }
        if let Some(gone) = state
            .store
            .delete_draft(&post.user_id, &post.channel_id, &post.root_id)
            .await?
        {
            publish(state, "draft_deleted", &gone, "");
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, post_id = %post.id, "removing the draft of a new post failed");
    }
}

/// After a post was deleted: every draft replying to it goes (Mattermost's
/// `deleteDraftsAssociatedWithPost`). Errors are logged, not returned.
pub async fn post_deleted(state: &AppState, post: &Post) {
    if !post.root_id.is_empty() {
        return; // only a thread's root has drafts replying to it
    }
    match state
        .store
        .delete_thread_drafts(&post.channel_id, &post.id)
        .await
    {
        Ok(gone) => {
            for draft in &gone {
                publish(state, "draft_deleted", draft, "");
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, post_id = %post.id, "removing drafts of a deleted thread failed");
        }
    }
}
