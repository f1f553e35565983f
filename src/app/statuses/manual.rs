//! Statuses set by hand, and do-not-disturb with its end time.

use serde::Deserialize;
use townsquare_sdk::model::Status;
use townsquare_sdk::AppError;

use super::presence::{dnd_expired, effective_status};
use super::{AWAY, DND, OFFLINE, ONLINE};
use crate::app::auth::AuthContext;
use crate::app::preferences::require_self_or_editor;
use crate::app::users::missing_account;
use crate::error::Result;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::statuses::StatusRow;
use crate::time::now_ms;

/// The body of `PUT /users/{user_id}/status`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusUpdate {
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
    #[serde(deserialize_with = "nullable")]
    pub status: String,
    /// End of do-not-disturb in seconds since the epoch (0: until changed).
    #[serde(deserialize_with = "nullable")]
    pub dnd_end_time: i64,
}

/// Sets a status by hand. `online` clears the manual flag (activity then keeps it current);
/// `away`, `dnd` and `offline` stay until the user changes them (or do-not-disturb ends).
pub async fn set_status(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    update: StatusUpdate,
) -> Result<Status> {
    if update.user_id != user_id {
        return Err(AppError::invalid_body_param("user_id").into());
    }
    require_self_or_editor(auth, user_id)?;
    if !matches!(update.status.as_str(), ONLINE | AWAY | DND | OFFLINE) {
        return Err(AppError::invalid_body_param("status").into());
    }
    if update.dnd_end_time < 0 {
        return Err(AppError::invalid_body_param("dnd_end_time").into());
    }
    if state.store.user(user_id).await?.is_none() {
        return Err(missing_account().into());
    }
    let now = now_ms();
    let current = state.store.status(user_id).await?;
    let row = StatusRow {
        user_id: user_id.to_string(),
        ..manual_row(user_id, &update, current.as_ref(), now)
    };
    state.store.upsert_status(&row).await?;
    state.activity_memo.forget(user_id);
    let status = effective_status(user_id, Some(row), now);
    state
        .realtime
        .publish(crate::realtime::events::status_change(
            user_id,
            &status.status,
        ));
    Ok(status)
}

/// The row a valid `update` stores over `current` at `now` (without its user id).
fn manual_row(
    user_id: &str,
    update: &StatusUpdate,
    current: Option<&StatusRow>,
    now: i64,
) -> StatusRow {
    let last_activity_at = current.map_or(0, |c| c.last_activity_at);
    match update.status.as_str() {
        ONLINE => StatusRow {
            status: ONLINE.into(),
            manual: false,
            last_activity_at: now,
            ..Default::default()
        },
        OFFLINE => StatusRow {
            status: OFFLINE.into(),
            manual: true,
            last_activity_at: now,
            ..Default::default()
        },
        AWAY => StatusRow {
            status: AWAY.into(),
            manual: true,
            last_activity_at,
            ..Default::default()
        },
        _ => {
            // What do-not-disturb returns to when it ends.
            let prev_status = match current {
                Some(c) if c.status == DND && !dnd_expired(c, now) => c.prev_status.clone(),
                Some(c) => effective_status(user_id, Some(c.clone()), now).status,
                None => OFFLINE.into(),
            };
            StatusRow {
                status: DND.into(),
                manual: true,
                last_activity_at,
                // Mattermost keeps whole minutes.
                dnd_end_time: update.dnd_end_time - update.dnd_end_time % 60,
                prev_status,
                ..Default::default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn update(status: &str, dnd_end_time: i64) -> StatusUpdate {
        StatusUpdate {
            user_id: "u".into(),
            status: status.into(),
            dnd_end_time,
        }
    }

    fn stored(status: &str, last: i64) -> StatusRow {
        StatusRow {
            user_id: "u".into(),
            status: status.into(),
            last_activity_at: last,
            ..Default::default()
        }
    }

    #[test]
    fn dnd_keeps_whole_minutes_and_what_it_replaced() {
        let online = stored(ONLINE, NOW - 1000);
        let dnd = manual_row("u", &update(DND, 1_700_000_119), Some(&online), NOW);
        assert_eq!(dnd.dnd_end_time, 1_700_000_100);
        assert_eq!((dnd.prev_status.as_str(), dnd.manual), (ONLINE, true));
        assert_eq!(dnd.last_activity_at, NOW - 1000);
        // Setting do-not-disturb again keeps the status from before the first one.
        let again = manual_row("u", &update(DND, 0), Some(&dnd), NOW);
        assert_eq!(
            (again.prev_status.as_str(), again.dnd_end_time),
            (ONLINE, 0)
        );
        // An idle `online` is remembered as what it reads as.
        let idle = stored(ONLINE, 0);
        let from_idle = manual_row("u", &update(DND, 0), Some(&idle), NOW);
        assert_eq!(from_idle.prev_status, AWAY);
        assert_eq!(
            manual_row("u", &update(DND, 0), None, NOW).prev_status,
            OFFLINE
        );
    }

    #[test]
    fn online_and_offline_count_as_activity() {
        let away = stored(AWAY, 5);
        let online = manual_row("u", &update(ONLINE, 0), Some(&away), NOW);
        assert_eq!((online.manual, online.last_activity_at), (false, NOW));
        let offline = manual_row("u", &update(OFFLINE, 0), Some(&away), NOW);
        assert_eq!((offline.manual, offline.last_activity_at), (true, NOW));
        let again = manual_row("u", &update(AWAY, 0), Some(&away), NOW);
        assert_eq!((again.manual, again.last_activity_at), (true, 5));
    }
}
