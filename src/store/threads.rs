//! `threads` and `thread_memberships`: collapsed reply threads and who follows them.

use sqlx::FromRow;
use townsquare_sdk::model::Post;

use super::posts::{PostRow, POST_COLUMNS};
use super::{Store, StoreError};

/// A followed thread with the follower's read state.
#[derive(Debug, Clone, FromRow)]
pub struct ThreadRow {
    pub post_id: String,
    pub channel_id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub participants: String,
    pub thread_delete_at: i64,
    pub last_viewed: i64,
    pub unread_mentions: i64,
    pub unread_replies: i64,
}

/// Totals over every thread a user follows in a team.
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct ThreadTotals {
    pub total: i64,
    pub total_unread_threads: i64,
    pub total_unread_mentions: i64,
}

const THREAD_SELECT: &str =
    "SELECT t.post_id, t.channel_id, t.reply_count, t.last_reply_at, t.participants, \
    t.thread_delete_at, tm.last_viewed, tm.unread_mentions, \
    (SELECT COUNT(*) FROM posts p WHERE p.root_id = t.post_id AND p.create_at > tm.last_viewed \
     AND p.delete_at = 0 AND p.user_id <> tm.user_id) AS unread_replies \
    FROM thread_memberships tm JOIN threads t ON t.post_id = tm.post_id \
    JOIN channel_members cm ON cm.channel_id = t.channel_id AND cm.user_id = tm.user_id";

impl Store {
    /// Threads a user follows in a team (and in their direct and group channels), most recent
    /// reply first. Threads of channels the user left are not listed.
    pub async fn followed_threads(
        &self,
        user_id: &str,
        team_id: &str,
        unread_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        let sql = format!(
            "{THREAD_SELECT} WHERE tm.user_id = $1 AND tm.following = TRUE AND (t.team_id = $2 OR t.team_id = '') \
             AND t.thread_delete_at = 0{} ORDER BY t.last_reply_at DESC, t.post_id LIMIT $3 OFFSET $4",
            if unread_only { " AND t.last_reply_at > tm.last_viewed" } else { "" }
        );
        let rows: Vec<ThreadRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(team_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows)
    }

    pub async fn followed_thread(
        &self,
        user_id: &str,
        post_id: &str,
    ) -> Result<Option<ThreadRow>, StoreError> {
        let sql = format!("{THREAD_SELECT} WHERE tm.user_id = $1 AND tm.post_id = $2");
        let row: Option<ThreadRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(post_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row)
    }

    pub async fn thread_totals(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<ThreadTotals, StoreError> {
        let totals: ThreadTotals = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
                 CAST(COALESCE(SUM(CASE WHEN t.last_reply_at > tm.last_viewed THEN 1 ELSE 0 END), 0) AS BIGINT) AS total_unread_threads, \
                 CAST(COALESCE(SUM(tm.unread_mentions), 0) AS BIGINT) AS total_unread_mentions \
                 FROM thread_memberships tm JOIN threads t ON t.post_id = tm.post_id \
                 JOIN channel_members cm ON cm.channel_id = t.channel_id AND cm.user_id = tm.user_id \
                 WHERE tm.user_id = $1 AND tm.following = TRUE AND (t.team_id = $2 OR t.team_id = '') AND t.thread_delete_at = 0",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_one(pool)
            .await
        })?;
        Ok(totals)
    }

    /// Follows or unfollows a thread (creating the membership when needed).
    pub async fn set_thread_following(
        &self,
        user_id: &str,
        post_id: &str,
        following: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                 VALUES ($1, $2, $3, $4, $4, 0) ON CONFLICT (post_id, user_id) DO UPDATE SET following = excluded.following, \
                 last_updated = excluded.last_updated",
            )
            .bind(post_id)
            .bind(user_id)
            .bind(following)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Marks a thread read up to `timestamp`; returns whether the user had a membership.
    pub async fn mark_thread_read(
        &self,
        user_id: &str,
        post_id: &str,
        timestamp: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let affected = with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE thread_memberships SET last_viewed = $3, last_updated = $4, \
                 unread_mentions = CASE WHEN $3 >= $4 - 1000 THEN 0 ELSE unread_mentions END \
                 WHERE user_id = $1 AND post_id = $2",
            )
            .bind(user_id)
            .bind(post_id)
            .bind(timestamp)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(affected > 0)
    }

    /// Marks every followed thread of a team read.
    pub async fn mark_all_threads_read(
        &self,
        user_id: &str,
        team_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE thread_memberships SET last_viewed = $3, last_updated = $3, unread_mentions = 0 \
                 WHERE user_id = $1 AND post_id IN (SELECT post_id FROM threads WHERE team_id = $2 OR team_id = '')",
            )
            .bind(user_id)
            .bind(team_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Replies of a thread created after `after` (ms), oldest first, at most `limit`.
    pub async fn thread_replies_after(
        &self,
        post_id: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Post>, StoreError> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE root_id = $1 AND create_at > $2 AND original_id = '' \
             ORDER BY create_at, id LIMIT $3"
        );
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(post_id)
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// Marks a thread unread for the user: read up to `last_viewed`, with `unread_mentions`
    /// after it, and followed (the membership is created when missing).
    pub async fn set_thread_unread(
        &self,
        user_id: &str,
        post_id: &str,
        last_viewed: i64,
        unread_mentions: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                 VALUES ($1, $2, TRUE, $3, $4, $5) ON CONFLICT (post_id, user_id) DO UPDATE SET following = TRUE, \
                 last_viewed = excluded.last_viewed, last_updated = excluded.last_updated, \
                 unread_mentions = excluded.unread_mentions",
            )
            .bind(post_id)
            .bind(user_id)
            .bind(last_viewed)
            .bind(now)
            .bind(unread_mentions)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Unread mentions in the threads a user follows in a team (and in their direct and group
    /// channels), per channel. Channels the user left are not listed.
    pub async fn thread_mention_counts(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.channel_id, CAST(COALESCE(SUM(tm.unread_mentions), 0) AS BIGINT) \
                 FROM thread_memberships tm JOIN threads t ON t.post_id = tm.post_id \
                 JOIN channel_members cm ON cm.channel_id = t.channel_id AND cm.user_id = tm.user_id \
                 WHERE tm.user_id = $1 AND tm.following = TRUE AND (t.team_id = $2 OR t.team_id = '') \
                 AND t.thread_delete_at = 0 GROUP BY t.channel_id ORDER BY t.channel_id",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows)
    }
}
