//! Posts: creating (with mentions, threads and counters), reading as PostLists, editing with
//! history, deleting, pinning.

use std::sync::Arc;

use serde::Deserialize;
use townsquare_sdk::model::{Post, PostList};
use townsquare_sdk::AppError;

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
use crate::store::posts::{ChannelPage, MentionInfo, PostEffects};
use crate::time::now_ms;

/// Mattermost's `MaxPostSize` in runes.
pub const MAX_MESSAGE_RUNES: usize = 16_383;
const MAX_PROPS_BYTES: usize = 800_000;

pub fn post_not_found() -> AppError {
    AppError::not_found("app.post.get.app_error", "Unable to get the post.")
}

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

fn validate_message(
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

/// Creates a post. Retries with the same `pending_post_id` return the first post.
pub async fn create_post(state: &AppState, auth: &AuthContext, input: NewPost) -> Result<Post> {
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

/// Loads a post the caller may read.
pub async fn readable_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<(Post, ChannelAccess)> {
    let post = state
        .store
        .post(post_id)
        .await?
        .ok_or_else(post_not_found)?;
    let access = access(state, auth, &post.channel_id).await?;
    access.require_read(auth)?;
    if post.delete_at != 0 && !auth.can(Permission::ManageSystem) {
        return Err(post_not_found().into());
    }
    Ok((post, access))
}

/// Builds a PostList: `order` as given, plus the thread roots of listed replies in `posts`.
pub async fn post_list(state: &AppState, mut posts: Vec<Post>) -> Result<PostList> {
    let mut roots = state.store.roots_of(&posts).await?;
    crate::app::reactions::attach_reaction_metadata(state, &mut posts).await?;
    crate::app::reactions::attach_reaction_metadata(state, &mut roots).await?;
    let mut list = PostList {
        order: posts.iter().map(|p| p.id.clone()).collect(),
        ..Default::default()
    };
    for post in posts.into_iter().chain(roots) {
        list.posts.insert(post.id.clone(), post);
    }
    Ok(list)
}

/// How the channel posts endpoint was asked to page.
#[derive(Debug, Default)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
    pub before: String,
    pub after: String,
    pub since: Option<i64>,
}

pub async fn channel_posts(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    request: PageRequest,
) -> Result<PostList> {
    let limit = request.per_page;
    // The first page (the common request) is read beside the access check, a round trip
    // less; nothing of it is used unless the check passes.
    let first_page = ChannelPage::Offset {
        offset: request.page * limit,
        limit: limit + 1,
    };
    let speculative =
        request.since.is_none() && request.before.is_empty() && request.after.is_empty();
    let (access, prefetched) = tokio::try_join!(access(state, auth, channel_id), async {
        if speculative {
            Ok(Some(
                state.store.channel_posts(channel_id, &first_page).await?,
            ))
        } else {
            Ok(None)
        }
    })?;
    access.require_read(auth)?;
    let cursor = |id: String| async move {
        let post = state
            .store
            .post(&id)
            .await?
            .filter(|p| p.channel_id == channel_id);
        post.ok_or_else(|| crate::Error::from(AppError::invalid_url_param("before/after")))
    };
    let (page, newest_first) = if let Some(since) = request.since {
        (ChannelPage::Since { update_at: since }, true)
    } else if !request.before.is_empty() {
        let anchor = cursor(request.before.clone()).await?;
        (
            ChannelPage::Before {
                create_at: anchor.create_at,
                id: anchor.id,
                limit: limit + 1,
            },
            true,
        )
    } else if !request.after.is_empty() {
        let anchor = cursor(request.after.clone()).await?;
        (
            ChannelPage::After {
                create_at: anchor.create_at,
                id: anchor.id,
                limit: limit + 1,
            },
            false,
        )
    } else {
        (first_page, true)
    };
    let mut posts = match prefetched {
        Some(posts) => posts,
        None => state.store.channel_posts(channel_id, &page).await?,
    };
    // One extra row in the paging direction is the neighbour Mattermost names in
    // prev_post_id (older) or next_post_id (newer).
    let extra = if !matches!(page, ChannelPage::Since { .. }) && posts.len() as i64 > limit {
        posts.pop().map(|p| p.id)
    } else {
        None
    };
    if !newest_first {
        posts.reverse();
    }
    let newest = posts.first().map(|p| (p.create_at, p.id.clone()));
    let mut list = post_list(state, posts).await?;
    match &page {
        ChannelPage::After { .. } => {
            list.next_post_id = extra.unwrap_or_default();
            list.prev_post_id = request.after.clone();
        }
        ChannelPage::Before { .. } => {
            list.prev_post_id = extra.unwrap_or_default();
            list.next_post_id = request.before.clone();
        }
        ChannelPage::Offset { offset, .. } => {
            list.prev_post_id = extra.unwrap_or_default();
            if let (true, Some((create_at, id))) = (*offset > 0, newest) {
                let newer = state
                    .store
                    .channel_posts(
                        channel_id,
                        &ChannelPage::After {
                            create_at,
                            id,
                            limit: 1,
                        },
                    )
                    .await?;
                list.next_post_id = newer.into_iter().next().map(|p| p.id).unwrap_or_default();
            }
        }
        ChannelPage::Since { .. } => {}
    }
    Ok(list)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PostPatch {
    pub message: Option<String>,
    pub is_pinned: Option<bool>,
    #[schema(value_type = Option<Object>)]
    pub props: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Edits a post: your own with `edit_post`, anyone's with `edit_others_posts`.
pub async fn patch_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
    patch: PostPatch,
) -> Result<Post> {
    let (previous, access) = readable_post(state, auth, post_id).await?;
    if previous.delete_at != 0 {
        return Err(post_not_found().into());
    }
    let permission = if previous.user_id == auth.user_id() {
        Permission::EditPost
    } else {
        Permission::EditOthersPosts
    };
    if !access.can(auth, permission) {
        return Err(AppError::forbidden(permission.id()).into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.post.update_post.can_not_update_post_in_deleted.error",
            "The channel is archived.",
        )
        .into());
    }
    let mut edited = previous.clone();
    let now = now_ms();
    if let Some(message) = patch.message {
        if message != edited.message {
            edited.message = message;
            edited.hashtags = mentions::hashtags(&edited.message);
            edited.edit_at = now;
        }
    }
    if let Some(pinned) = patch.is_pinned {
        edited.is_pinned = pinned;
    }
    if let Some(props) = patch.props {
        edited.props = props;
    }
    validate_message(&edited.message, &edited.props)?;
    edited.update_at = now;
    state.store.edit_post(&previous, &edited, &new_id()).await?;
    state.realtime.publish(events::post_edited(&edited));
    Ok(edited)
}

/// Deletes a post (softly): your own with `delete_post`, anyone's with `delete_others_posts`.
pub async fn delete_post(state: &AppState, auth: &AuthContext, post_id: &str) -> Result<Post> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if post.delete_at != 0 {
        return Err(post_not_found().into());
    }
    let permission = if post.user_id == auth.user_id() {
        Permission::DeletePost
    } else {
        Permission::DeleteOthersPosts
    };
    if !access.can(auth, permission) {
        return Err(AppError::forbidden(permission.id()).into());
    }
    let now = now_ms();
    state.store.delete_post(&post, now).await?;
    let deleted = Post {
        delete_at: now,
        update_at: now,
        ..post
    };
    state.realtime.publish(events::post_deleted(&deleted));
    Ok(deleted)
}

/// Pins or unpins a post (channel members).
pub async fn set_pinned(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
    pinned: bool,
) -> Result<()> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if access.member.is_none() && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden(Permission::ReadChannel.id()).into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.post.pin.archived.app_error",
            "The channel is archived.",
        )
        .into());
    }
    let now = now_ms();
    state.store.set_post_pinned(&post.id, pinned, now).await?;
    state.realtime.publish(events::post_edited(&Post {
        is_pinned: pinned,
        update_at: now,
        ..post
    }));
    Ok(())
}

/// Posts around the caller's last read position: up to `before` read posts and `after`
/// unread ones, newest first.
pub async fn around_last_unread(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    before: i64,
    after: i64,
) -> Result<PostList> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    let member = access
        .member
        .as_ref()
        .ok_or_else(|| AppError::forbidden(Permission::ReadChannel.id()))?;
    let seen = member.last_viewed_at;
    // Ids are alphanumeric, so "~" sorts after every id and "" before: the cursors split
    // exactly at the last-viewed time.
    let mut newer = state
        .store
        .channel_posts(
            channel_id,
            &ChannelPage::After {
                create_at: seen,
                id: "~".into(),
                limit: after + 1,
            },
        )
        .await?;
    let older = state
        .store
        .channel_posts(
            channel_id,
            &ChannelPage::Before {
                create_at: seen + 1,
                id: String::new(),
                limit: before + 1,
            },
        )
        .await?;
    let has_next = newer.len() as i64 > after;
    newer.truncate(after as usize);
    let more_before = older.len() as i64 > before;
    let older: Vec<Post> = older.into_iter().take(before as usize).collect();
    newer.reverse();
    let next = if has_next {
        newer.first().map(|p| p.id.clone()).unwrap_or_default()
    } else {
        String::new()
    };
    let prev = if more_before {
        older.last().map(|p| p.id.clone()).unwrap_or_default()
    } else {
        String::new()
    };
    let mut list = post_list(state, newer.into_iter().chain(older).collect()).await?;
    list.next_post_id = next;
    list.prev_post_id = prev;
    list.has_next = Some(has_next);
    Ok(list)
}

/// Earlier versions of the caller's own post, newest first. Only the author may see them, as
/// in Mattermost; a post never edited has no history (404).
pub async fn edit_history(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<Vec<Post>> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if post.user_id != auth.user_id() || !access.can(auth, Permission::EditPost) {
        return Err(AppError::forbidden(Permission::EditPost.id()).into());
    }
    let history = state.store.edit_history(&post.id).await?;
    if history.is_empty() {
        return Err(AppError::not_found(
            "app.post.get_edit_history_for_post.app_error",
            "The post has no edit history.",
        )
        .into());
    }
    Ok(history)
}

/// Most posts re-read when a channel is marked unread far back; older ones are counted as
/// unread messages but not re-scanned for mentions.
const UNREAD_MENTION_SCAN_LIMIT: i64 = 5_000;

/// What `POST /users/{user_id}/posts/{post_id}/set_unread` returns (Mattermost's
/// ChannelUnreadAt).
#[derive(Debug, serde::Serialize)]
pub struct ChannelUnreadAt {
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    pub msg_count_root: i64,
    pub last_viewed_at: i64,
}

/// Marks the channel of `post_id` unread for the caller from that post on: the read marker
/// moves to just before it and the mention counts are recounted from the posts after it.
pub async fn mark_unread_from(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<ChannelUnreadAt> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if access.member.is_none() {
        return Err(AppError::forbidden(Permission::ReadChannel.id()).into());
    }
    let channel = &access.channel;
    let user_id = auth.user_id();
    let later = state
        .store
        .channel_posts_from(&channel.id, post.create_at, UNREAD_MENTION_SCAN_LIMIT)
        .await?;
    let me: Vec<MentionInfo> = state
        .store
        .member_mention_info(&channel.id, user_id)
        .await?
        .into_iter()
        .collect();
    let channel_mentions = access.can(auth, Permission::UseChannelMentions);
    let no_one_online = std::collections::BTreeSet::new();
    let (mut mentions, mut mentions_root) = (0, 0);
    for later_post in later
        .iter()
        .filter(|p| p.delete_at == 0 && p.user_id != user_id)
    {
        let mentioned = channel.channel_type == "D"
            || !mentions::mentioned_members(
                &mentions::parse(&later_post.message),
                &me,
                &later_post.user_id,
                channel_mentions,
                &no_one_online,
            )
            .is_empty();
        if mentioned {
            mentions += 1;
            if later_post.root_id.is_empty() {
                mentions_root += 1;
            }
        }
    }
    let now = now_ms();
    state
        .store
        .mark_unread_from(
            &channel.id,
            user_id,
            post.create_at,
            mentions,
            mentions_root,
            now,
        )
        .await?;
    let member = state
        .store
        .channel_member(&channel.id, user_id)
        .await?
        .ok_or_else(crate::app::channels::member_not_found)?;
    let unread = ChannelUnreadAt {
        team_id: channel.team_id.clone(),
        user_id: user_id.to_string(),
        channel_id: channel.id.clone(),
        msg_count: member.msg_count,
        mention_count: member.mention_count,
        mention_count_root: member.mention_count_root,
        urgent_mention_count: member.urgent_mention_count,
        msg_count_root: member.msg_count_root,
        last_viewed_at: member.last_viewed_at,
    };
    state
        .realtime
        .publish(crate::realtime::events::post_unread(&unread, &post.id));
    Ok(unread)
}
