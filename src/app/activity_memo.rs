//! Remembers, per user, when this node last brought the stored presence up to date, so that
//! authenticated requests do not read the status row on every call.
//!
//! Within [`ACTIVITY_WRITE_INTERVAL_MS`] of a check the stored row cannot need an activity
//! write unless somebody changed it, and every status change made through this node forgets
//! the user. A change made by another node (or the CLI) is picked up at the next interval.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::app::statuses::ACTIVITY_WRITE_INTERVAL_MS;

/// Past this many users, entries older than the interval are dropped on insert.
const PRUNE_ABOVE: usize = 50_000;

#[derive(Default)]
pub struct ActivityMemo {
    checked_at: Mutex<HashMap<String, i64>>,
}

impl ActivityMemo {
    /// True when the user's presence was checked within the interval before `now`.
    pub fn is_fresh(&self, user_id: &str, now: i64) -> bool {
        let Ok(map) = self.checked_at.lock() else {
            return false;
        };
        map.get(user_id)
            .is_some_and(|at| now - at < ACTIVITY_WRITE_INTERVAL_MS && now >= *at)
    }

    /// Notes that the stored presence was brought up to date at `now`.
    pub fn checked(&self, user_id: &str, now: i64) {
        let Ok(mut map) = self.checked_at.lock() else {
            return;
        };
        if map.len() >= PRUNE_ABOVE {
            map.retain(|_, at| now - *at < ACTIVITY_WRITE_INTERVAL_MS);
        }
        map.insert(user_id.to_string(), now);
    }

    /// The user's status was changed: the next request checks the stored row again.
    pub fn forget(&self, user_id: &str) {
        if let Ok(mut map) = self.checked_at.lock() {
            map.remove(user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_within_the_interval_until_forgotten() {
        let memo = ActivityMemo::default();
        assert!(!memo.is_fresh("u", 1_000));
        memo.checked("u", 1_000);
        assert!(memo.is_fresh("u", 1_000 + ACTIVITY_WRITE_INTERVAL_MS - 1));
        assert!(!memo.is_fresh("u", 1_000 + ACTIVITY_WRITE_INTERVAL_MS));
        assert!(!memo.is_fresh("u", 999), "a clock step back is not fresh");
        memo.forget("u");
        assert!(!memo.is_fresh("u", 1_001));
    }

    #[test]
    fn stale_entries_are_pruned_when_the_map_is_large() {
        let memo = ActivityMemo::default();
        for i in 0..PRUNE_ABOVE {
            memo.checked(&format!("old{i}"), 0);
        }
        memo.checked("new", ACTIVITY_WRITE_INTERVAL_MS * 2);
        let map = memo.checked_at.lock().unwrap();
        assert_eq!(map.len(), 1);
        assert!(map.contains_key("new"));
    }
}
