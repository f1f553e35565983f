//! Marking a channel unread from a post on.

use townsquare_sdk::AppError;

use super::read::readable_post;
use crate::app::auth::AuthContext;
use crate::app::mentions;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::model::ChannelUnreadAt;
use crate::state::AppState;
use crate::store::posts::MentionInfo;
use crate::time::now_ms;

/// Most posts re-read when a channel is marked unread far back; older ones are counted as
/// unread messages but not re-scanned for mentions.
const UNREAD_MENTION_SCAN_LIMIT: i64 = 5_000;

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
