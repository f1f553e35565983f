//! `post_reminders`: "remind me about this post" per user and post, and the claim that lets
//! exactly one node send each due reminder.

use sqlx::FromRow;

use super::{Dialect, Store, StoreError};

/// A reminder a node has claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClaimedReminder {
    pub post_id: String,
    pub user_id: String,
    pub target_time: i64,
    pub claimed_at: i64,
}

impl Store {
    /// Sets (or moves) the user's reminder for a post; `target_time` is in seconds. A new time
    /// makes it unclaimed again.
    pub async fn set_post_reminder(
        &self,
        post_id: &str,
        user_id: &str,
        target_time: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO post_reminders (post_id, user_id, target_time, claimed_at) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (post_id, user_id) DO UPDATE SET target_time = excluded.target_time, claimed_at = 0",
            )
            .bind(post_id)
            .bind(user_id)
            .bind(target_time)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Claims up to `limit` reminders due at `now_secs` (seconds) for this node, stamping them
    /// with `claim_ms`. Unclaimed ones qualify, and ones whose claim is older than
    /// `stale_before_ms` (their node stopped before sending). The outer condition is checked
    /// again on each row as it is updated, so a row another node claimed meanwhile is skipped:
    /// no reminder is claimed twice.
    pub async fn claim_due_reminders(
        &self,
        now_secs: i64,
        claim_ms: i64,
        stale_before_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedReminder>, StoreError> {
        let claimable = "target_time <= $2 AND (claimed_at = 0 OR claimed_at < $3)";
        // PostgreSQL: nodes claiming at once take different rows instead of queueing on the
        // same ones (SQLite's single writer already runs them one after the other).
        let skip_locked = match self.dialect() {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "UPDATE post_reminders SET claimed_at = $1 WHERE {claimable} AND (post_id, user_id) IN \
             (SELECT post_id, user_id FROM post_reminders WHERE {claimable} ORDER BY target_time LIMIT $4{skip_locked}) \
             RETURNING post_id, user_id, target_time, claimed_at"
        );
        let rows: Vec<ClaimedReminder> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(claim_ms)
            .bind(now_secs)
            .bind(stale_before_ms)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// Removes a reminder once sent (or found pointless), unless it was set again meanwhile.
    pub async fn finish_reminder(&self, claimed: &ClaimedReminder) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "DELETE FROM post_reminders WHERE post_id = $1 AND user_id = $2 AND claimed_at = $3",
            )
            .bind(&claimed.post_id)
            .bind(&claimed.user_id)
            .bind(claimed.claimed_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The user's pending reminder for a post: its target time in seconds.
    pub async fn post_reminder(
        &self,
        post_id: &str,
        user_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT target_time FROM post_reminders WHERE post_id = $1 AND user_id = $2",
            )
            .bind(post_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(t,)| t))
    }
}
