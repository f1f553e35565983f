//! The system messages Mattermost posts when people join, leave, are added to or removed from
//! teams and channels. Clients render them from `type` and `props`; `message` is the English
//! fallback that bots and older clients show.

use serde_json::{json, Map, Value};
use townsquare_sdk::model::{Channel, Post, User};

use crate::id::new_id;
use crate::realtime::events;
use crate::state::AppState;

pub const JOIN_TEAM: &str = "system_join_team";
pub const ADD_TO_TEAM: &str = "system_add_to_team";
pub const LEAVE_TEAM: &str = "system_leave_team";
pub const REMOVE_FROM_TEAM: &str = "system_remove_from_team";
pub const JOIN_CHANNEL: &str = "system_join_channel";
pub const ADD_TO_CHANNEL: &str = "system_add_to_channel";
pub const LEAVE_CHANNEL: &str = "system_leave_channel";
pub const REMOVE_FROM_CHANNEL: &str = "system_remove_from_channel";
pub const CHANGE_CHANNEL_PRIVACY: &str = "system_change_chan_privacy";
pub const HEADER_CHANGE: &str = "system_header_change";
pub const PURPOSE_CHANGE: &str = "system_purpose_change";
pub const DISPLAYNAME_CHANGE: &str = "system_displayname_change";
pub const CHANNEL_DELETED: &str = "system_channel_deleted";
pub const CHANNEL_RESTORED: &str = "system_channel_restored";

/// Sends `posted` for system messages that were committed (they bypass `create_post`).
pub fn publish(state: &AppState, channel: &Channel, actor: &User, posts: &[Post]) {
    for post in posts {
        state
            .realtime
            .publish(events::posted(post, channel, &actor.username, &[]));
    }
}

fn system_post(
    channel_id: &str,
    author_id: &str,
    post_type: &str,
    message: String,
    props: Value,
    now: i64,
) -> Post {
    let props: Map<String, Value> = match props {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: author_id.to_string(),
        channel_id: channel_id.to_string(),
        message,
        post_type: post_type.to_string(),
        props,
        ..Default::default()
    }
}

/// `user` joined by themselves, or was added by `actor`.
fn joined(
    channel_id: &str,
    actor: &User,
    user: &User,
    now: i64,
    (join_type, add_type, place): (&str, &str, &str),
) -> Post {
    if actor.id == user.id {
        system_post(
            channel_id,
            &user.id,
            join_type,
            format!("{} joined the {place}.", user.username),
            json!({ "username": user.username }),
            now,
        )
    } else {
        system_post(
            channel_id,
            &actor.id,
            add_type,
            format!(
                "{} added to the {place} by {}.",
                user.username, actor.username
            ),
            json!({
                "userId": actor.id,
                "username": actor.username,
                "addedUserId": user.id,
                "addedUsername": user.username,
            }),
            now,
        )
    }
}

/// `user` left by themselves, or was removed by `actor`. The message names `@username` so
/// mention parsing treats it as a username even after the user is gone.
fn left(
    channel_id: &str,
    actor: &User,
    user: &User,
    now: i64,
    (leave_type, remove_type, place): (&str, &str, &str),
) -> Post {
    if actor.id == user.id {
        system_post(
            channel_id,
            &user.id,
            leave_type,
            format!("@{} left the {place}.", user.username),
            json!({ "username": user.username }),
            now,
        )
    } else {
        system_post(
            channel_id,
            &actor.id,
            remove_type,
            format!("@{} was removed from the {place}.", user.username),
            json!({ "removedUserId": user.id, "removedUsername": user.username }),
            now,
        )
    }
}

/// Posted in the team's `town-square`.
pub fn team_joined(town_square_id: &str, actor: &User, user: &User, now: i64) -> Post {
    joined(
        town_square_id,
        actor,
        user,
        now,
        (JOIN_TEAM, ADD_TO_TEAM, "team"),
    )
}

/// Posted in the team's `town-square`.
pub fn team_left(town_square_id: &str, actor: &User, user: &User, now: i64) -> Post {
    left(
        town_square_id,
        actor,
        user,
        now,
        (LEAVE_TEAM, REMOVE_FROM_TEAM, "team"),
    )
}

pub fn channel_joined(channel_id: &str, actor: &User, user: &User, now: i64) -> Post {
    joined(
        channel_id,
        actor,
        user,
        now,
        (JOIN_CHANNEL, ADD_TO_CHANNEL, "channel"),
    )
}

pub fn channel_left(channel_id: &str, actor: &User, user: &User, now: i64) -> Post {
    left(
        channel_id,
        actor,
        user,
        now,
        (LEAVE_CHANNEL, REMOVE_FROM_CHANNEL, "channel"),
    )
}

/// Posted when `actor` converts a channel between public and private.
pub fn channel_privacy_changed(channel_id: &str, actor: &User, to_private: bool, now: i64) -> Post {
    let message = if to_private {
        "This channel has been converted to a Private Channel."
    } else {
        "This channel has been converted to a Public Channel and can be joined by any team member."
    };
    system_post(
        channel_id,
        &actor.id,
        CHANGE_CHANNEL_PRIVACY,
        message.to_string(),
        json!({ "username": actor.username }),
        now,
    )
}

/// "changed from: X to: Y", or the set / removed forms when one side is empty.
fn change_message(username: &str, what: &str, old: &str, new: &str) -> String {
    match (old.is_empty(), new.is_empty()) {
        (true, _) => format!("{username} updated the channel {what} to: {new}"),
        (false, true) => format!("{username} removed the channel {what} (was: {old})"),
        (false, false) => format!("{username} updated the channel {what} from: {old} to: {new}"),
    }
}

/// One message per changed header, purpose or display name (direct and group channels
/// included, as in Mattermost).
pub fn channel_properties_changed(
    before: &Channel,
    after: &Channel,
    actor: &User,
    now: i64,
) -> Vec<Post> {
    let changes = [
        (
            HEADER_CHANGE,
            "header",
            "old_header",
            "new_header",
            &before.header,
            &after.header,
        ),
        (
            PURPOSE_CHANGE,
            "purpose",
            "old_purpose",
            "new_purpose",
            &before.purpose,
            &after.purpose,
        ),
        (
            DISPLAYNAME_CHANGE,
            "display name",
            "old_displayname",
            "new_displayname",
            &before.display_name,
            &after.display_name,
        ),
    ];
    let changed: Vec<_> = changes
        .into_iter()
        .filter(|(_, _, _, _, old, new)| old != new)
        .filter(|(kind, ..)| {
            // Direct and group channels have no editable display name worth announcing.
            *kind != DISPLAYNAME_CHANGE || !matches!(after.channel_type.as_str(), "D" | "G")
        })
        .collect();
    let count = changed.len();
    changed
        .into_iter()
        .enumerate()
        .map(|(index, (kind, what, old_key, new_key, old, new))| {
            let mut props = Map::new();
            props.insert("username".into(), actor.username.clone().into());
            props.insert(old_key.into(), old.clone().into());
            props.insert(new_key.into(), new.clone().into());
            system_post(
                &after.id,
                &actor.id,
                kind,
                change_message(&actor.username, what, old, new),
                Value::Object(props),
                // A millisecond apart, ending at `now`, so the announcements keep their order in
                // the channel and none is dated after the change.
                now - (count - 1 - index) as i64,
            )
        })
        .collect()
}

/// Posted when `actor` archives (or restores) a channel.
pub fn channel_archived(channel_id: &str, actor: &User, archived: bool, now: i64) -> Post {
    let (kind, verb) = if archived {
        (CHANNEL_DELETED, "archived")
    } else {
        (CHANNEL_RESTORED, "unarchived")
    };
    system_post(
        channel_id,
        &actor.id,
        kind,
        format!("{} {verb} the channel", actor.username),
        json!({ "username": actor.username }),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, username: &str) -> User {
        User {
            id: id.into(),
            username: username.into(),
            ..Default::default()
        }
    }

    #[test]
    fn self_and_other_changes_have_mattermost_types_and_props() {
        let alice = user("a", "alice");
        let bob = user("b", "bob");
        let join = channel_joined("c", &alice, &alice, 5);
        assert_eq!(join.post_type, JOIN_CHANNEL);
        assert_eq!(join.user_id, "a");
        assert_eq!(join.props["username"], "alice");
        assert_eq!(join.message, "alice joined the channel.");

        let added = team_joined("t", &alice, &bob, 5);
        assert_eq!(added.post_type, ADD_TO_TEAM);
        assert_eq!(added.user_id, "a");
        assert_eq!(added.props["addedUserId"], "b");
        assert_eq!(added.props["addedUsername"], "bob");
        assert_eq!(added.message, "bob added to the team by alice.");

        let removed = channel_left("c", &alice, &bob, 5);
        assert_eq!(removed.post_type, REMOVE_FROM_CHANNEL);
        assert_eq!(removed.props["removedUserId"], "b");
        assert_eq!(removed.message, "@bob was removed from the channel.");

        let before = Channel {
            id: "c".into(),
            header: "old".into(),
            purpose: "same".into(),
            display_name: "Eng".into(),
            channel_type: "O".into(),
            ..Default::default()
        };
        let after = Channel {
            header: String::new(),
            display_name: "Engineering".into(),
            ..before.clone()
        };
        let changes = channel_properties_changed(&before, &after, &alice, 5);
        let kinds: Vec<&str> = changes.iter().map(|p| p.post_type.as_str()).collect();
        assert_eq!(kinds, [HEADER_CHANGE, DISPLAYNAME_CHANGE]);
        assert_eq!(
            changes[0].message,
            "alice removed the channel header (was: old)"
        );
        assert_eq!(changes[0].props["old_header"], "old");
        assert_eq!(changes[1].props["new_displayname"], "Engineering");

        let leave = team_left("t", &bob, &bob, 5);
        assert_eq!(leave.post_type, LEAVE_TEAM);
        assert_eq!(leave.user_id, "b");
        assert_eq!(leave.message, "@bob left the team.");
    }
}
