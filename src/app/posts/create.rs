//! Creating a post: validation, mentions (through the channel's mention index), thread and
//! counter effects in one transaction, then `posted`.

use std::sync::Arc;

use serde::Deserialize;
use townsquare_sdk::model::Post;
use townsquare_sdk::AppError;

use super::MAX_MESSAGE_RUNES;
use crate::app::auth::AuthContext;
use crate::app::channels::{access, ChannelAccess};
use crate::app::mention_index::MentionIndex;
use crate::app::mentions;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::{is_valid_id, new_id};
use crate::realtime::events;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::posts::PostEffects;
use crate::time::now_ms;

const MAX_PROPS_BYTES: usize = 800_000;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewPost {
    #[serde(deserialize_with = "nullable")]
    pub channel_id: String,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
    #[serde(deserialize_with = "nullable")]
    pub root_id: String,
    #[serde(deserialize_with = "nullable")]
    pub file_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Object)]
    pub props: serde_json::Map<String, serde_json::Value>,
    #[serde(deserialize_with = "nullable")]
    pub pending_post_id: String,
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub post_type: String,
}

pub(super) fn validate_message(
    message: &str,
    props: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), AppError> {
    if message.chars().count() > MAX_MESSAGE_RUNES {
        return Err(AppError::bad_request(
            "model.post.is_valid.message_length.app_error",
            format!("The message must be at most {MAX_MESSAGE_RUNES} characters."),
        ));
    }
    if serde_json::to_string(props).map(|s| s.len()).unwrap_or(0) > MAX_PROPS_BYTES {
        return Err(AppError::bad_request(
            "model.post.is_valid.props.app_error",
            "The post's props are too large.",
        ));
    }
    Ok(())
}

/// Creates a post. Retries with the same `pending_post_id` return the first post. The
/// author's synced draft for that channel or thread is done with.
pub async fn create_post(state: &AppState, auth: &AuthContext, input: NewPost) -> Result<Post> {
    let post = create_post_only(state, auth, input).await?;
    crate::app::drafts::post_created(state, &post).await;
    Ok(post)
}

/// [`create_post`] leaving drafts alone: scheduled posts go out while their author may be
/// writing something else in the same channel.
pub async fn create_post_only(
    state: &AppState,
    auth: &AuthContext,
    input: NewPost,
) -> Result<Post> {
    if !is_valid_id(&input.channel_id) {
        return Err(AppError::invalid_body_param("channel_id").into());
    }
    // The members' mention index is loaded (when not cached) beside the access check.
    let (access, members) = tokio::try_join!(
        access(state, auth, &input.channel_id),
        mention_index(state, &input.channel_id),
    )?;
    let may_post = access.member.is_some() && access.can(auth, Permission::CreatePost);
    if !may_post && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden(Permission::CreatePost.id()).into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.post.create_post.can_not_post_to_deleted.error",
            "Cannot post to a deleted channel.",
        )
        .into());
    }
    if !input.post_type.is_empty()
        && !input.post_type.starts_with("custom_")
        && input.post_type != "me"
    {
        return Err(AppError::bad_request(
            "model.post.is_valid.type.app_error",
            "Invalid post type.",
        )
        .into());
    }
    let file_ids =
        crate::app::files::attachable(state, auth, &input.channel_id, &input.file_ids).await?;
    if input.message.trim().is_empty() && file_ids.is_empty() {
        return Err(AppError::invalid_body_param("message").into());
    }
    validate_message(&input.message, &input.props)?;
    if input.pending_post_id.len() > 128 {
        return Err(AppError::invalid_body_param("pending_post_id").into());
    }
    if !input.pending_post_id.is_empty() {
        if let Some(existing) = state
            .store
            .post_by_pending_id(auth.user_id(), &input.pending_post_id)
            .await?
        {
            return Ok(existing);
        }
    }
    if !input.root_id.is_empty() {
        let root = if is_valid_id(&input.root_id) {
            state.store.post(&input.root_id).await?
        } else {
            None
        };
        let valid_root = root
            .as_ref()
            .is_some_and(|r| r.root_id.is_empty() && r.delete_at == 0 && r.original_id.is_empty());
        if !valid_root {
            return Err(AppError::bad_request(
                "api.post.create_post.root_id.app_error",
                "Invalid root_id parameter.",
            )
            .into());
        }
        if root
            .as_ref()
            .is_some_and(|r| r.channel_id != input.channel_id)
        {
            return Err(AppError::bad_request(
                "api.post.create_post.channel_root_id.app_error",
                "The root post is in another channel.",
            )
            .into());
        }
    }
    let now = now_ms();
    let post = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: auth.user_id().to_string(),
        channel_id: input.channel_id,
        root_id: input.root_id,
        hashtags: mentions::hashtags(&input.message),
        message: input.message,
        post_type: input.post_type,
        props: input.props,
        file_ids,
        pending_post_id: input.pending_post_id,
        ..Default::default()
    };
    let effects = post_effects(state, auth, &access, &members, &post).await?;
    state.store.insert_post(&post, &effects).await?;
    let mut created = [post];
    crate::app::files::attach_file_metadata(state, &mut created).await?;
    let [post] = created;
    state.realtime.publish(events::posted(
        &post,
        &access.channel,
        &auth.user.username,
        &effects.mentioned_user_ids,
    ));
    if !post.root_id.is_empty() {
        crate::app::threads::publish_thread_updates(state, &post.root_id, &effects.team_id);
    }
    Ok(post)
}

/// The channel's mention index, from the cache or built from one read.
async fn mention_index(state: &AppState, channel_id: &str) -> Result<Arc<MentionIndex>> {
    let epoch = state.store.members_epoch();
    if let Some(index) = state.mention_indexes.get(channel_id, epoch) {
        return Ok(index);
    }
    let infos = state.store.channel_member_mention_info(channel_id).await?;
    let index = Arc::new(MentionIndex::build(&infos));
    state
        .mention_indexes
        .put(channel_id, Arc::clone(&index), epoch);
    Ok(index)
}

async fn post_effects(
    state: &AppState,
    auth: &AuthContext,
    access: &ChannelAccess,
    members: &MentionIndex,
    post: &Post,
) -> Result<PostEffects> {
    let mentioned = if access.channel.channel_type == "D" {
        // Every direct message is a mention for the other person.
        members
            .member_ids()
            .filter(|id| *id != post.user_id)
            .map(str::to_string)
            .collect()
    } else {
        let parsed = mentions::parse(&post.message);
        let channel_mentions = access.can(auth, Permission::UseChannelMentions);
        let mut online = std::collections::BTreeSet::new();
        if parsed.here && !parsed.channel_wide {
            let ids: Vec<String> = members.member_ids().map(str::to_string).collect();
            for status in crate::app::statuses::statuses_by_ids(state, &ids).await? {
                if status.status == "online" {
                    online.insert(status.user_id);
                }
            }
        }
        members.mentioned(&parsed, &post.user_id, channel_mentions, &online)
    };
    Ok(PostEffects {
        mentioned_user_ids: mentioned,
        team_id: access.channel.team_id.clone(),
    })
}
