//! Data shapes that several layers share (app returns them, realtime encodes them) and that
//! are not part of the sdk contract. Plain data, no behaviour.

/// What `POST /users/{user_id}/posts/{post_id}/set_unread` returns and `post_unread`
/// carries (Mattermost's ChannelUnreadAt).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
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
