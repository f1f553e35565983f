//! What a stored status row means at a given instant, recording activity, and reading
//! statuses.

use townsquare_sdk::model::Status;
use townsquare_sdk::AppError;

use super::{ACTIVITY_WRITE_INTERVAL_MS, AWAY, AWAY_TIMEOUT_MS, DND, OFFLINE, ONLINE};
use crate::error::Result;
use crate::state::AppState;
use crate::store::statuses::StatusRow;
use crate::time::now_ms;

/// Whether the row's do-not-disturb has ended at `now` (ms; the end time is in seconds).
pub(super) fn dnd_expired(row: &StatusRow, now: i64) -> bool {
    row.status == DND && row.dnd_end_time > 0 && row.dnd_end_time.saturating_mul(1000) <= now
}

/// The status a stored row means at `now` (no row: `offline`).
pub fn effective_status(user_id: &str, row: Option<StatusRow>, now: i64) -> Status {
    let Some(mut row) = row else {
        return Status {
            user_id: user_id.to_string(),
            status: OFFLINE.into(),
            ..Default::default()
        };
    };
    if dnd_expired(&row, now) {
        row.status = if row.prev_status.is_empty() || row.prev_status == DND {
            OFFLINE.into()
        } else {
            std::mem::take(&mut row.prev_status)
        };
        row.manual = false;
        row.dnd_end_time = 0;
    }
    if !row.manual && row.status == ONLINE && now - row.last_activity_at >= AWAY_TIMEOUT_MS {
        row.status = AWAY.into();
    }
    row.into()
}

/// Whether activity at `now` changes the stored row (same rule as the guarded write).
fn activity_needs_write(row: Option<&StatusRow>, now: i64) -> bool {
    match row {
        None => true,
        Some(row) => {
            dnd_expired(row, now)
                || (!row.manual
                    && (row.status != ONLINE
                        || now - row.last_activity_at >= ACTIVITY_WRITE_INTERVAL_MS))
        }
    }
}

/// Records that `user_id` was active at `now` (ms): the status becomes `online` unless it was
/// set by hand (`dnd`, `away`, `offline` chosen by the user stay). Writes at most once per
/// minute per user. Call it from the authenticated request path.
pub async fn record_activity(state: &AppState, user_id: &str, now: i64) -> Result<()> {
    if state.activity_memo.is_fresh(user_id, now) {
        return Ok(());
    }
    let current = state.store.status(user_id).await?;
    if activity_needs_write(current.as_ref(), now) {
        state
            .store
            .touch_status_online(user_id, now, ACTIVITY_WRITE_INTERVAL_MS)
            .await?;
    }
    state.activity_memo.checked(user_id, now);
    Ok(())
}

/// One user's status; an unknown user is a 404.
pub async fn get_status(state: &AppState, user_id: &str) -> Result<Status> {
    let found = state
        .store
        .statuses_of_users(&[user_id.to_string()])
        .await?
        .pop()
        .filter(|s| s.exists)
        .ok_or_else(|| {
            AppError::not_found(
                "api.status.user_not_found.app_error",
                "Unable to find the user.",
            )
        })?;
    Ok(effective_status(user_id, found.status, now_ms()))
}

/// Statuses of several users, once each in the order asked; unknown users are reported
/// `offline`.
pub async fn statuses_by_ids(state: &AppState, user_ids: &[String]) -> Result<Vec<Status>> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = user_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect();
    let now = now_ms();
    Ok(state
        .store
        .statuses_of_users(&ids)
        .await?
        .into_iter()
        .map(|s| effective_status(&s.user_id, s.status, now))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn row(status: &str, manual: bool, last: i64) -> StatusRow {
        StatusRow {
            user_id: "u".into(),
            status: status.into(),
            manual,
            last_activity_at: last,
            ..Default::default()
        }
    }

    #[test]
    fn reading_a_status() {
        assert_eq!(effective_status("u", None, NOW).status, OFFLINE);
        let fresh = effective_status("u", Some(row(ONLINE, false, NOW - 1000)), NOW);
        assert_eq!(fresh.status, ONLINE);
        let idle = effective_status("u", Some(row(ONLINE, false, NOW - AWAY_TIMEOUT_MS)), NOW);
        assert_eq!(idle.status, AWAY);
        assert!(!idle.manual);
        let dnd = StatusRow {
            dnd_end_time: NOW / 1000 - 1,
            prev_status: ONLINE.into(),
            ..row(DND, true, NOW - 1000)
        };
        let ended = effective_status("u", Some(dnd.clone()), NOW);
        assert_eq!((ended.status.as_str(), ended.manual), (ONLINE, false));
        let running = StatusRow {
            dnd_end_time: NOW / 1000 + 60,
            ..dnd
        };
        assert_eq!(effective_status("u", Some(running), NOW).status, DND);
    }

    #[test]
    fn dnd_ends_at_its_second() {
        let dnd = StatusRow {
            dnd_end_time: NOW / 1000,
            ..row(DND, true, 0)
        };
        assert!(!dnd_expired(&dnd, NOW - 1));
        assert!(dnd_expired(&dnd, NOW));
        let forever = StatusRow {
            dnd_end_time: 0,
            ..dnd.clone()
        };
        assert!(!dnd_expired(&forever, i64::MAX));
        let far = StatusRow {
            dnd_end_time: i64::MAX,
            ..dnd
        };
        assert!(!dnd_expired(&far, NOW), "saturates instead of overflowing");
    }

    #[test]
    fn activity_writes_at_most_once_a_minute() {
        assert!(activity_needs_write(None, NOW));
        assert!(!activity_needs_write(
            Some(&row(ONLINE, false, NOW - 59_000)),
            NOW
        ));
        assert!(activity_needs_write(
            Some(&row(ONLINE, false, NOW - 60_000)),
            NOW
        ));
        assert!(!activity_needs_write(Some(&row(DND, true, 0)), NOW));
        assert!(!activity_needs_write(Some(&row(AWAY, true, 0)), NOW));
        assert!(activity_needs_write(Some(&row(OFFLINE, false, NOW)), NOW));
    }
}
