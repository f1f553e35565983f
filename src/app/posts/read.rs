//! Reading posts the caller may read: one post, PostLists (channel pages, threads, pinned
//! posts, around the last read position), posts by id.

use townsquare_sdk::model::{Post, PostList};
use townsquare_sdk::AppError;

use super::post_not_found;
use crate::app::auth::AuthContext;
use crate::app::channels::{access, ChannelAccess};
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;
use crate::store::posts::ChannelPage;

/// Loads a live post the caller may read; a deleted post is not found, for everyone.
pub async fn readable_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<(Post, ChannelAccess)> {
    let (post, access) = readable_post_or_deletion(state, auth, post_id).await?;
    if post.delete_at != 0 {
        return Err(post_not_found().into());
    }
    Ok((post, access))
}

/// Loads a post, live or deleted (then without its content), in a channel the caller may read.
async fn readable_post_or_deletion(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<(Post, ChannelAccess)> {
    let post = state
        .store
        .post(post_id)
        .await?
        .filter(|p| p.original_id.is_empty())
        .ok_or_else(post_not_found)?;
    let access = access(state, auth, &post.channel_id).await?;
    access.require_read(auth)?;
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

/// A post the caller may read, with its reaction metadata. A deleted post is not found unless
/// a system admin asks with `include_deleted` (as in Mattermost), and even then comes without
/// its content.
pub async fn get(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
    include_deleted: bool,
) -> Result<Post> {
    let (post, _) = if include_deleted {
        if !auth.can(Permission::ManageSystem) {
            return Err(AppError::forbidden(Permission::ManageSystem.id()).into());
        }
        readable_post_or_deletion(state, auth, post_id).await?
    } else {
        readable_post(state, auth, post_id).await?
    };
    let mut posts = [post];
    crate::app::reactions::attach_reaction_metadata(state, &mut posts).await?;
    let [post] = posts;
    Ok(post)
}

/// The thread of a readable post: the root and every reply.
pub async fn thread(state: &AppState, auth: &AuthContext, post_id: &str) -> Result<PostList> {
    let (post, _) = readable_post(state, auth, post_id).await?;
    let root_id = if post.root_id.is_empty() {
        post.id
    } else {
        post.root_id
    };
    let thread = state.store.thread_posts(&root_id).await?;
    post_list(state, thread).await
}

/// Posts by id; deleted posts and posts the caller may not read are left out.
pub async fn by_ids(state: &AppState, auth: &AuthContext, ids: &[String]) -> Result<Vec<Post>> {
    let mut readable = readable_by_ids(state, auth, ids).await?;
    crate::app::reactions::attach_reaction_metadata(state, &mut readable).await?;
    Ok(readable)
}

/// The posts among `ids` that exist, are not deleted and that the caller may read, without
/// metadata. Each channel's access is checked once.
pub async fn readable_by_ids(
    state: &AppState,
    auth: &AuthContext,
    ids: &[String],
) -> Result<Vec<Post>> {
    let mut readable = Vec::new();
    let mut checked: std::collections::HashMap<String, bool> = Default::default();
    for post in state.store.posts_by_ids(ids).await? {
        if post.delete_at != 0 {
            continue;
        }
        let ok = match checked.get(&post.channel_id) {
            Some(ok) => *ok,
            None => {
                let ok = access(state, auth, &post.channel_id).await?.can_read(auth);
                checked.insert(post.channel_id.clone(), ok);
                ok
            }
        };
        if ok {
            readable.push(post);
        }
    }
    Ok(readable)
}

/// The pinned posts of a readable channel.
pub async fn pinned(state: &AppState, auth: &AuthContext, channel_id: &str) -> Result<PostList> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    let pinned = state.store.pinned_posts(&access.channel.id).await?;
    post_list(state, pinned).await
}
