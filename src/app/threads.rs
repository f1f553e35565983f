//! Collapsed reply threads: the threads a user follows and their read state.

use serde::Serialize;
use serde_json::Value;
use townsquare_sdk::model::{Post, User};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::users::sanitize_for;
use crate::error::Result;
use crate::state::AppState;
use crate::store::threads::ThreadRow;

/// Mattermost's `ThreadResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadResponse {
    pub id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub last_viewed_at: i64,
    pub participants: Vec<User>,
    pub post: Post,
    pub unread_replies: i64,
    pub unread_mentions: i64,
    pub is_urgent: bool,
    pub delete_at: i64,
}

/// Mattermost's `Threads` page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Threads {
    pub total: i64,
    pub total_unread_threads: i64,
    pub total_unread_mentions: i64,
    pub total_unread_urgent_mentions: i64,
    pub threads: Vec<ThreadResponse>,
}

pub fn thread_not_found() -> AppError {
    AppError::not_found("app.thread.get.app_error", "Unable to find the thread.")
}

async fn respond(
    state: &AppState,
    auth: &AuthContext,
    row: ThreadRow,
) -> Result<Option<ThreadResponse>> {
    respond_as(state, Some(auth), row).await
}

async fn respond_as(
    state: &AppState,
    viewer: Option<&AuthContext>,
    row: ThreadRow,
) -> Result<Option<ThreadResponse>> {
    let Some(post) = state.store.post(&row.post_id).await? else {
        return Ok(None);
    };
    let ids: Vec<String> = serde_json::from_str(&row.participants).unwrap_or_default();
    let config = state.config();
    let mut participants = Vec::with_capacity(ids.len());
    for user in state.store.users_by_ids(&ids).await? {
        participants.push(sanitize_for(viewer, user, &config));
    }
    // Keep the order in which people joined the thread.
    participants.sort_by_key(|u| ids.iter().position(|id| id == &u.id));
    Ok(Some(ThreadResponse {
        id: row.post_id,
        reply_count: row.reply_count,
        last_reply_at: row.last_reply_at,
        last_viewed_at: row.last_viewed,
        participants,
        post,
        unread_replies: row.unread_replies,
        unread_mentions: row.unread_mentions,
        is_urgent: false,
        delete_at: row.thread_delete_at,
    }))
}

pub async fn list(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    unread_only: bool,
    offset: i64,
    limit: i64,
) -> Result<Threads> {
    let rows = state
        .store
        .followed_threads(user_id, team_id, unread_only, offset, limit)
        .await?;
    let totals = state.store.thread_totals(user_id, team_id).await?;
    let mut threads = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(thread) = respond(state, auth, row).await? {
            threads.push(thread);
        }
    }
    Ok(Threads {
        total: totals.total,
        total_unread_threads: totals.total_unread_threads,
        total_unread_mentions: totals.total_unread_mentions,
        total_unread_urgent_mentions: 0,
        threads,
    })
}

pub async fn one(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    thread_id: &str,
) -> Result<ThreadResponse> {
    let row = state
        .store
        .followed_thread(user_id, thread_id)
        .await?
        .ok_or_else(thread_not_found)?;
    respond(state, auth, row)
        .await?
        .ok_or_else(|| thread_not_found().into())
}

/// Checks the thread exists and the caller can read its channel.
pub async fn readable_thread(
    state: &AppState,
    auth: &AuthContext,
    thread_id: &str,
) -> Result<Post> {
    let (post, _) = crate::app::posts::readable_post(state, auth, thread_id).await?;
    if !post.root_id.is_empty() {
        return Err(thread_not_found().into());
    }
    Ok(post)
}

/// Wraps a value for handlers that answer with a thread.
pub fn to_json(thread: &ThreadResponse) -> Value {
    serde_json::to_value(thread).unwrap_or(Value::Null)
}

/// After a reply committed: `thread_updated` to each follower who is connected, with the
/// thread as they see it. Runs in the background; it never delays the reply's response.
pub fn publish_thread_updates(state: &AppState, thread_id: &str, team_id: &str) {
    let state = state.clone();
    let thread_id = thread_id.to_string();
    let team_id = team_id.to_string();
    tokio::spawn(async move {
        if let Err(err) = thread_updates(&state, &thread_id, &team_id).await {
            tracing::warn!(error = %err, thread_id, "thread_updated not sent");
        }
    });
}

async fn thread_updates(state: &AppState, thread_id: &str, team_id: &str) -> Result<()> {
    for user_id in state.store.thread_follower_ids(thread_id).await? {
        if !state.realtime.is_online(&user_id) {
            continue;
        }
        let Some(row) = state.store.followed_thread(&user_id, thread_id).await? else {
            continue;
        };
        if let Some(thread) = respond_as(state, None, row).await? {
            state
                .realtime
                .publish(crate::realtime::events::thread_updated(
                    team_id,
                    &user_id,
                    &to_json(&thread),
                ));
        }
    }
    Ok(())
}

/// Follows or unfollows a readable thread for the user.
pub async fn set_following(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    thread_id: &str,
    following: bool,
) -> Result<()> {
    readable_thread(state, auth, thread_id).await?;
    state
        .store
        .set_thread_following(user_id, thread_id, following, crate::time::now_ms())
        .await?;
    Ok(())
}

/// Marks a readable thread read up to `timestamp` (at most now) for the user; a thread the
/// user has no membership in gets one, not followed. Returns the thread as the user sees it.
pub async fn mark_read(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    thread_id: &str,
    timestamp: i64,
) -> Result<ThreadResponse> {
    let root = readable_thread(state, auth, thread_id).await?;
    let previous = state.store.followed_thread(user_id, thread_id).await?;
    let now = crate::time::now_ms();
    let timestamp = timestamp.min(now);
    if !state
        .store
        .mark_thread_read(user_id, thread_id, timestamp, now)
        .await?
    {
        state
            .store
            .set_thread_following(user_id, thread_id, false, now)
            .await?;
        state
            .store
            .mark_thread_read(user_id, thread_id, timestamp, now)
            .await?;
    }
    let thread = one(state, auth, user_id, thread_id).await?;
    // The user's other clients clear the thread's badge, as Mattermost's
    // `UpdateThreadReadForUser` tells them.
    state
        .realtime
        .publish(crate::realtime::events::thread_read_changed(
            team_id,
            user_id,
            &crate::realtime::events::ThreadReadChange {
                thread_id,
                channel_id: &root.channel_id,
                timestamp,
                unread_mentions: thread.unread_mentions,
                unread_replies: thread.unread_replies,
                previous_unread_mentions: previous.as_ref().map_or(0, |t| t.unread_mentions),
                previous_unread_replies: previous.as_ref().map_or(0, |t| t.unread_replies),
            },
        ));
    Ok(thread)
}

/// Marks every thread of the user in a team read.
pub async fn mark_all_read(state: &AppState, user_id: &str, team_id: &str) -> Result<()> {
    state
        .store
        .mark_all_threads_read(user_id, team_id, crate::time::now_ms())
        .await?;
    Ok(())
}

/// Replies re-read for mentions when a thread is marked unread far back; older ones still
/// count as unread replies but are not scanned.
const UNREAD_MENTION_SCAN_LIMIT: i64 = 5_000;

/// Marks a thread unread for `user_id` from `post_id` (the root or one of its replies) on, as
/// Mattermost's `UpdateThreadReadForUserByPost`: read up to just before that post, mentions
/// recounted from the replies after it, the thread followed. Publishes `thread_read_changed`
/// to the user and returns the thread as they see it.
pub async fn set_unread(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    thread_id: &str,
    post_id: &str,
) -> Result<ThreadResponse> {
    let root = readable_thread(state, auth, thread_id).await?;
    let post = if post_id == thread_id {
        root.clone()
    } else {
        let post = state
            .store
            .post(post_id)
            .await?
            .filter(|p| p.delete_at == 0 && p.original_id.is_empty())
            .ok_or_else(crate::app::posts::post_not_found)?;
        if post.root_id != thread_id {
            return Err(AppError::bad_request(
                "app.user.update_thread_read_for_user_by_post.app_error",
                "The post is not in this thread.",
            )
            .into());
        }
        post
    };
    if root.reply_count == 0 {
        // No reply yet, so no thread to mark (the thread row comes with the first reply).
        return Err(thread_not_found().into());
    }
    let timestamp = post.create_at - 1;
    let previous = state.store.followed_thread(user_id, thread_id).await?;
    let unread_mentions = count_mentions_after(state, user_id, &root, timestamp).await?;
    let now = crate::time::now_ms();
    state
        .store
        .set_thread_unread(user_id, thread_id, timestamp, unread_mentions, now)
        .await?;
    let thread = one(state, auth, user_id, thread_id).await?;
    state
        .realtime
        .publish(crate::realtime::events::thread_read_changed(
            team_id,
            user_id,
            &crate::realtime::events::ThreadReadChange {
                thread_id,
                channel_id: &root.channel_id,
                timestamp,
                unread_mentions: thread.unread_mentions,
                unread_replies: thread.unread_replies,
                previous_unread_mentions: previous.as_ref().map_or(0, |t| t.unread_mentions),
                previous_unread_replies: previous.as_ref().map_or(0, |t| t.unread_replies),
            },
        ));
    Ok(thread)
}

/// Replies to `root` after `after` (ms) by others that mention `user_id`: every one in a
/// direct channel, else those naming the user (or the channel) as a new reply would.
async fn count_mentions_after(
    state: &AppState,
    user_id: &str,
    root: &Post,
    after: i64,
) -> Result<i64> {
    let Some(me) = state
        .store
        .member_mention_info(&root.channel_id, user_id)
        .await?
    else {
        return Ok(0);
    };
    let direct = state
        .store
        .channel(&root.channel_id)
        .await?
        .is_some_and(|c| c.channel_type == "D");
    let replies = state
        .store
        .thread_replies_after(&root.id, after, UNREAD_MENTION_SCAN_LIMIT)
        .await?;
    let me = [me];
    let no_one_online = std::collections::BTreeSet::new();
    let count = replies
        .iter()
        .filter(|p| p.delete_at == 0 && p.user_id != user_id)
        .filter(|p| {
            direct
                || !crate::app::mentions::mentioned_members(
                    &crate::app::mentions::parse(&p.message),
                    &me,
                    &p.user_id,
                    true,
                    &no_one_online,
                )
                .is_empty()
        })
        .count();
    Ok(count as i64)
}

/// Unread mentions in the user's followed threads of a team, per channel id.
pub async fn mention_counts(
    state: &AppState,
    user_id: &str,
    team_id: &str,
) -> Result<std::collections::BTreeMap<String, i64>> {
    Ok(state
        .store
        .thread_mention_counts(user_id, team_id)
        .await?
        .into_iter()
        .collect())
}
