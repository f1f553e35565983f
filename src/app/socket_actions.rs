//! What a WebSocket client may do besides receiving events: typing notices and presence
//! queries. The API side (`api::v4::websocket_actions`) parses the request and calls these.

use townsquare_sdk::model::Status;
use townsquare_sdk::AppError;

use crate::error::Result;
use crate::realtime::{Broadcast, Event};
use crate::state::AppState;

/// `typing` goes to the channel's other members; only members may send it.
pub async fn user_typing(
    state: &AppState,
    user_id: &str,
    channel_id: &str,
    parent_id: &str,
) -> Result<()> {
    if state
        .store
        .channel_member(channel_id, user_id)
        .await?
        .is_none()
    {
        return Err(AppError::forbidden("read_channel").into());
    }
    publish_typing(state, user_id, channel_id, parent_id);
    Ok(())
}

/// The `typing` event, shared by the WebSocket action and `POST /users/{user_id}/typing`.
pub fn publish_typing(state: &AppState, user_id: &str, channel_id: &str, parent_id: &str) {
    state.realtime.publish(
        Event::new("typing", Broadcast::channel(channel_id).omit(user_id))
            .with("user_id", user_id)
            .with("parent_id", parent_id),
    );
}

/// The statuses of everyone connected to this node.
pub async fn online_statuses(state: &AppState) -> Result<Vec<Status>> {
    let ids = state.realtime.online_user_ids();
    crate::app::statuses::statuses_by_ids(state, &ids).await
}

/// The statuses of the given users.
pub async fn statuses(state: &AppState, ids: &[String]) -> Result<Vec<Status>> {
    crate::app::statuses::statuses_by_ids(state, ids).await
}
