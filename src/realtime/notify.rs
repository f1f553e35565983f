//! Announcements that also change who may receive what: the hub's audience is updated
//! first (in the same ordered queue as events), then the events are published. Call these
//! after the membership change committed.

use townsquare_sdk::model::Channel;

use super::event::Event;
use super::events;
use std::sync::Arc;

use super::hub::Hub;

/// A user joined (or was added to) a channel.
pub fn channel_join(hub: &Arc<Hub>, channel: &Channel, user_id: &str) {
    hub.channel_member_changed(&channel.id, user_id, true);
    hub.publish(events::user_added(channel, user_id));
}

/// A user left (or was removed from) a channel: from now on its events skip them.
pub fn channel_leave(hub: &Arc<Hub>, channel_id: &str, user_id: &str, remover_id: &str) {
    hub.channel_member_changed(channel_id, user_id, false);
    hub.publish(events::user_removed_from_channel(
        channel_id, user_id, remover_id,
    ));
    hub.publish(events::user_removed_notice(channel_id, user_id, remover_id));
}

/// Users joined a team (and its default channels).
pub fn team_join(hub: &Arc<Hub>, team_id: &str, user_ids: &[String]) {
    hub.team_changed(team_id);
    for user_id in user_ids {
        hub.publish(events::added_to_team(team_id, user_id));
    }
}

/// A user left a team (and all its channels).
pub fn team_leave(hub: &Arc<Hub>, team_id: &str, user_id: &str) {
    hub.team_changed(team_id);
    hub.publish(events::leave_team(team_id, user_id));
    hub.publish(events::leave_team_notice(team_id, user_id));
}

/// A new direct (`direct_added`) or group (`group_added`) channel, to its members.
pub fn private_group_created(channel: &Channel, creator_id: &str, member_ids: &[String]) -> Event {
    if channel.channel_type == "D" {
        let teammate = member_ids
            .iter()
            .find(|id| *id != creator_id)
            .map_or(creator_id, String::as_str);
        events::direct_added(channel, creator_id, teammate)
    } else {
        events::group_added(channel, member_ids)
    }
}
