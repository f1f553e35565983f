//! Mattermost's events with their names, audiences and data shapes (api-v4.md 6.6). Nested
//! objects are JSON strings where Mattermost sends strings (`post`, `reaction`, `channel`,
//! `preferences`, `thread`, `emoji`), objects where it sends objects (`user_updated.user`).
//!
//! Build an event here and hand it to `state.realtime.publish` after the store call
//! committed.

use serde::Serialize;
use serde_json::{json, Map, Value};
use townsquare_sdk::model::{Channel, Post, Preference, Reaction, Team, User};

use super::event::{Broadcast, Event};

/// `posted`, to the channel's members. `mentions` is added per recipient, only for the
/// mentioned (as Mattermost 11 does).
pub fn posted(
    post: &Post,
    channel: &Channel,
    sender_username: &str,
    mentioned: &[String],
) -> Event {
    let display_name = if channel.channel_type == "D" {
        format!("@{sender_username}")
    } else {
        channel.display_name.clone()
    };
    let mut event = Event::new("posted", Broadcast::channel(&channel.id))
        .with_json_string("post", post)
        .with("channel_display_name", display_name)
        .with("channel_name", channel.name.clone())
        .with("channel_type", channel.channel_type.clone())
        .with("sender_name", format!("@{sender_username}"))
        .with("team_id", channel.team_id.clone())
        .with("set_online", true);
    if !post.file_ids.is_empty() {
        event = event.with("otherFile", "true");
    }
    for user_id in mentioned {
        let mut extra = Map::new();
        extra.insert("mentions".into(), json!([user_id]).to_string().into());
        event.per_user.insert(user_id.clone(), extra);
    }
    event
}

pub fn post_edited(post: &Post) -> Event {
    Event::new("post_edited", Broadcast::channel(&post.channel_id)).with_json_string("post", post)
}

pub fn post_deleted(post: &Post) -> Event {
    Event::new("post_deleted", Broadcast::channel(&post.channel_id)).with_json_string("post", post)
}

/// A post shown to one user only and never stored.
pub fn ephemeral_message(user_id: &str, post: &Post) -> Event {
    Event::new("ephemeral_message", Broadcast::user(user_id)).with_json_string("post", post)
}

pub fn reaction_added(channel_id: &str, reaction: &Reaction) -> Event {
    Event::new("reaction_added", Broadcast::channel(channel_id))
        .with_json_string("reaction", reaction)
}

pub fn reaction_removed(channel_id: &str, reaction: &Reaction) -> Event {
    Event::new("reaction_removed", Broadcast::channel(channel_id))
        .with_json_string("reaction", reaction)
}

pub fn multiple_channels_viewed(user_id: &str, channel_times: Map<String, Value>) -> Event {
    Event::new("multiple_channels_viewed", Broadcast::user(user_id))
        .with("channel_times", Value::Object(channel_times))
}

/// To the user who marked a channel unread from `post_id` (their other clients follow).
pub fn post_unread(unread: &crate::model::ChannelUnreadAt, post_id: &str) -> Event {
    Event::new("post_unread", Broadcast::user(&unread.user_id))
        .with("team_id", unread.team_id.clone())
        .with("channel_id", unread.channel_id.clone())
        .with("post_id", post_id.to_string())
        .with("msg_count", unread.msg_count)
        .with("msg_count_root", unread.msg_count_root)
        .with("mention_count", unread.mention_count)
        .with("mention_count_root", unread.mention_count_root)
        .with("urgent_mention_count", unread.urgent_mention_count)
        .with("last_viewed_at", unread.last_viewed_at)
}

/// To the creator only; others learn of a new public channel when they look.
pub fn channel_created(creator_id: &str, channel: &Channel) -> Event {
    Event::new("channel_created", Broadcast::user(creator_id))
        .with("channel_id", channel.id.clone())
        .with("team_id", channel.team_id.clone())
}

pub fn channel_updated(channel: &Channel) -> Event {
    Event::new("channel_updated", Broadcast::channel(&channel.id))
        .with_json_string("channel", channel)
}

/// Archiving: public channels are announced to the team, private ones to their members.
pub fn channel_deleted(channel: &Channel) -> Event {
    Event::new("channel_deleted", channel_or_team(channel))
        .with("channel_id", channel.id.clone())
        .with("delete_at", channel.delete_at)
}

pub fn channel_restored(channel: &Channel) -> Event {
    Event::new("channel_restored", channel_or_team(channel)).with("channel_id", channel.id.clone())
}

/// A public channel made private: its team learns it is gone from the public list.
pub fn channel_converted(channel: &Channel) -> Event {
    Event::new("channel_converted", Broadcast::team(&channel.team_id))
        .with("channel_id", channel.id.clone())
}

fn channel_or_team(channel: &Channel) -> Broadcast {
    if channel.channel_type == "O" {
        Broadcast::team(&channel.team_id)
    } else {
        Broadcast::channel(&channel.id)
    }
}

pub fn direct_added(channel: &Channel, creator_id: &str, teammate_id: &str) -> Event {
    Event::new("direct_added", Broadcast::channel(&channel.id))
        .with("creator_id", creator_id)
        .with("teammate_id", teammate_id)
}

pub fn group_added(channel: &Channel, member_ids: &[String]) -> Event {
    Event::new("group_added", Broadcast::channel(&channel.id))
        .with_json_string("teammate_ids", &member_ids)
}

/// To the channel, the new member included.
pub fn user_added(channel: &Channel, user_id: &str) -> Event {
    Event::new("user_added", Broadcast::channel(&channel.id))
        .with("user_id", user_id)
        .with("team_id", channel.team_id.clone())
}

/// To the remaining members of the channel.
pub fn user_removed_from_channel(channel_id: &str, user_id: &str, remover_id: &str) -> Event {
    Event::new("user_removed", Broadcast::channel(channel_id))
        .with("user_id", user_id)
        .with("remover_id", remover_id)
}

/// To the removed user.
pub fn user_removed_notice(channel_id: &str, user_id: &str, remover_id: &str) -> Event {
    Event::new("user_removed", Broadcast::user(user_id))
        .with("channel_id", channel_id)
        .with("remover_id", remover_id)
}

pub fn channel_member_updated(user_id: &str, member: &impl Serialize) -> Event {
    Event::new("channel_member_updated", Broadcast::user(user_id))
        .with_json_string("channelMember", member)
}

pub fn added_to_team(team_id: &str, user_id: &str) -> Event {
    Event::new("added_to_team", Broadcast::user(user_id))
        .with("team_id", team_id)
        .with("user_id", user_id)
}

/// To the team's remaining members; [`leave_team_notice`] tells the user.
pub fn leave_team(team_id: &str, user_id: &str) -> Event {
    Event::new("leave_team", Broadcast::team(team_id).omit(user_id))
        .with("team_id", team_id)
        .with("user_id", user_id)
}

pub fn leave_team_notice(team_id: &str, user_id: &str) -> Event {
    Event::new("leave_team", Broadcast::user(user_id))
        .with("team_id", team_id)
        .with("user_id", user_id)
}

/// The team as every member may see it: the invite id and the team's email stay with those who
/// manage the team (Mattermost sanitizes the same way).
pub fn update_team(team: &Team) -> Event {
    let mut shared = team.clone();
    shared.invite_id.clear();
    shared.email.clear();
    Event::new("update_team", Broadcast::team(&team.id)).with_json_string("team", &shared)
}

pub fn new_user(user_id: &str) -> Event {
    Event::new("new_user", Broadcast::all()).with("user_id", user_id)
}

/// `user` is an object here, sanitised for everyone (no email, no auth data).
pub fn user_updated(user: &User) -> Event {
    let value = serde_json::to_value(user).unwrap_or(Value::Null);
    Event::new("user_updated", Broadcast::all()).with("user", value)
}

pub fn user_role_updated(user_id: &str, roles: &str) -> Event {
    Event::new("user_role_updated", Broadcast::user(user_id))
        .with("user_id", user_id)
        .with("roles", roles)
}

/// Only to that user; others poll statuses (api-v4.md 6.6).
pub fn status_change(user_id: &str, status: &str) -> Event {
    Event::new("status_change", Broadcast::user(user_id))
        .with("status", status)
        .with("user_id", user_id)
}

pub fn preferences_changed(user_id: &str, preferences: &[Preference]) -> Event {
    Event::new("preferences_changed", Broadcast::user(user_id))
        .with_json_string("preferences", &preferences)
}

pub fn preferences_deleted(user_id: &str, preferences: &[Preference]) -> Event {
    Event::new("preferences_deleted", Broadcast::user(user_id))
        .with_json_string("preferences", &preferences)
}

pub fn thread_updated(team_id: &str, user_id: &str, thread: &Value) -> Event {
    let mut broadcast = Broadcast::user(user_id);
    broadcast.team_id = team_id.to_string();
    Event::new("thread_updated", broadcast).with_json_string("thread", thread)
}

/// What `thread_read_changed` reports: the thread's new read state and the one before.
pub struct ThreadReadChange<'a> {
    pub thread_id: &'a str,
    pub channel_id: &'a str,
    pub timestamp: i64,
    pub unread_mentions: i64,
    pub unread_replies: i64,
    pub previous_unread_mentions: i64,
    pub previous_unread_replies: i64,
}

/// To the user whose thread read state changed (their other clients follow).
pub fn thread_read_changed(team_id: &str, user_id: &str, change: &ThreadReadChange<'_>) -> Event {
    let mut broadcast = Broadcast::user(user_id);
    broadcast.team_id = team_id.to_string();
    Event::new("thread_read_changed", broadcast)
        .with("thread_id", change.thread_id)
        .with("timestamp", change.timestamp)
        .with("unread_mentions", change.unread_mentions)
        .with("unread_replies", change.unread_replies)
        .with("previous_unread_mentions", change.previous_unread_mentions)
        .with("previous_unread_replies", change.previous_unread_replies)
        .with("channel_id", change.channel_id)
}

/// A bookmark added to a channel, to its members.
pub fn channel_bookmark_created(channel_id: &str, bookmark: &impl Serialize) -> Event {
    Event::new("channel_bookmark_created", Broadcast::channel(channel_id))
        .with_json_string("bookmark", bookmark)
}

/// `bookmarks` is Mattermost's `{updated, deleted}` (deleted when someone other than the
/// owner edited it and it was replaced).
pub fn channel_bookmark_updated(channel_id: &str, bookmarks: &impl Serialize) -> Event {
    Event::new("channel_bookmark_updated", Broadcast::channel(channel_id))
        .with_json_string("bookmarks", bookmarks)
}

pub fn channel_bookmark_deleted(channel_id: &str, bookmark: &impl Serialize) -> Event {
    Event::new("channel_bookmark_deleted", Broadcast::channel(channel_id))
        .with_json_string("bookmark", bookmark)
}

/// `bookmarks` is the channel's live list in its new order.
pub fn channel_bookmark_sorted(channel_id: &str, bookmarks: &impl Serialize) -> Event {
    Event::new("channel_bookmark_sorted", Broadcast::channel(channel_id))
        .with_json_string("bookmarks", bookmarks)
}

/// For the custom emoji code: announce a new emoji to everyone.
pub fn emoji_added(emoji: &impl Serialize) -> Event {
    Event::new("emoji_added", Broadcast::all()).with_json_string("emoji", emoji)
}

/// `license` is the client license map (`/license/client?format=old`).
pub fn license_changed(client_license: Value) -> Event {
    Event::new("license_changed", Broadcast::all()).with("license", client_license)
}

/// `config` is the client configuration map (`/config/client?format=old`).
pub fn config_changed(client_config: Value) -> Event {
    Event::new("config_changed", Broadcast::all()).with("config", client_config)
}
