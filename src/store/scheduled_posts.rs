//! `scheduled_posts`: posts a user wrote to be sent later, and the job's atomic claims.

use serde::Serialize;
use sqlx::FromRow;

use super::drafts::{json_text, Draft};
use super::{Store, StoreError};

/// Mattermost's `ScheduledPost`: a draft with an id and a time to send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScheduledPost {
    #[serde(flatten)]
    pub draft: Draft,
    pub id: String,
    pub scheduled_at: i64,
    /// When the job took it (0 while waiting); the failure time when `error_code` is set.
    pub processed_at: i64,
    /// Why it could not be sent (`channel_archived`, `user_deleted`, ...); "" while pending.
    pub error_code: String,
}

const COLUMNS: &str = "id, create_at, update_at, user_id, channel_id, root_id, message, props, \
    file_ids, priority, scheduled_at, processed_at, error_code";

#[derive(FromRow)]
struct Row {
    id: String,
    create_at: i64,
    update_at: i64,
    user_id: String,
    channel_id: String,
    root_id: String,
    message: String,
    props: String,
    file_ids: String,
    priority: String,
    scheduled_at: i64,
    processed_at: i64,
    error_code: String,
}

impl From<Row> for ScheduledPost {
    fn from(row: Row) -> Self {
        ScheduledPost {
            draft: Draft {
                create_at: row.create_at,
                update_at: row.update_at,
                delete_at: 0,
                user_id: row.user_id,
                channel_id: row.channel_id,
                root_id: row.root_id,
                message: row.message,
                props: serde_json::from_str(&row.props).unwrap_or_default(),
                file_ids: serde_json::from_str(&row.file_ids).unwrap_or_default(),
                metadata: None,
                priority: serde_json::from_str(&row.priority).unwrap_or_default(),
            },
            id: row.id,
            scheduled_at: row.scheduled_at,
            processed_at: row.processed_at,
            error_code: row.error_code,
        }
    }
}

fn prefixed(alias: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    pub async fn insert_scheduled_post(&self, post: &ScheduledPost) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO scheduled_posts ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        let d = &post.draft;
        with_writer!(self, |pool| sqlx::query(&sql)
            .bind(&post.id)
            .bind(d.create_at)
            .bind(d.update_at)
            .bind(&d.user_id)
            .bind(&d.channel_id)
            .bind(&d.root_id)
            .bind(&d.message)
            .bind(json_text(&d.props))
            .bind(json_text(&d.file_ids))
            .bind(json_text(&d.priority))
            .bind(post.scheduled_at)
            .bind(post.processed_at)
            .bind(&post.error_code)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn scheduled_post(&self, id: &str) -> Result<Option<ScheduledPost>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM scheduled_posts WHERE id = $1");
        let row: Option<Row> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(ScheduledPost::from))
    }

    /// Writes what a user may change (text, props, files, priority, time) and puts the post
    /// back in the queue (no error, not taken). Returns it as stored, if it still exists.
    pub async fn update_scheduled_post(
        &self,
        post: &ScheduledPost,
    ) -> Result<Option<ScheduledPost>, StoreError> {
        let sql = format!(
            "UPDATE scheduled_posts SET update_at = $2, message = $3, props = $4, file_ids = $5, \
             priority = $6, scheduled_at = $7, processed_at = 0, error_code = '' \
             WHERE id = $1 RETURNING {COLUMNS}"
        );
        let d = &post.draft;
        let row: Option<Row> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(&post.id)
            .bind(d.update_at)
            .bind(&d.message)
            .bind(json_text(&d.props))
            .bind(json_text(&d.file_ids))
            .bind(json_text(&d.priority))
            .bind(post.scheduled_at)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(ScheduledPost::from))
    }

    /// Deletes one scheduled post; returns it if it existed.
    pub async fn delete_scheduled_post(
        &self,
        id: &str,
    ) -> Result<Option<ScheduledPost>, StoreError> {
        let sql = format!("DELETE FROM scheduled_posts WHERE id = $1 RETURNING {COLUMNS}");
        let row: Option<Row> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(ScheduledPost::from))
    }

    /// The user's scheduled posts in channels of `team_id` ("" for direct and group
    /// channels), archived channels and channels they left included (the posts show their
    /// error there), by due time.
    pub async fn scheduled_posts_for_user(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<Vec<ScheduledPost>, StoreError> {
        let sql = format!(
            "SELECT {} FROM scheduled_posts s JOIN channels c ON c.id = s.channel_id \
             WHERE s.user_id = $1 AND c.team_id = $2 ORDER BY s.scheduled_at, s.create_at, s.id",
            prefixed("s")
        );
        let rows: Vec<Row> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(ScheduledPost::from).collect())
    }

    /// Whether any post waits to be claimed at `now` (see [`Store::claim_due_scheduled_posts`]);
    /// a read, so an idle job never takes the writer.
    pub async fn scheduled_posts_due(
        &self,
        now: i64,
        stale_before: i64,
    ) -> Result<bool, StoreError> {
        let row: Option<(String,)> = with_reader!(self, |pool| sqlx::query_as(
            "SELECT id FROM scheduled_posts WHERE error_code = '' AND scheduled_at <= $1 \
             AND (processed_at = 0 OR processed_at < $2) LIMIT 1"
        )
        .bind(now)
        .bind(stale_before)
        .fetch_optional(pool)
        .await)?;
        Ok(row.is_some())
    }

    /// Takes up to `limit` due posts for sending: each row is marked taken (`processed_at =
    /// now`) by one statement that re-checks it is still free, so two nodes never take the
    /// same row. A row taken before `stale_before` and never finished (its node died) is free
    /// again; sending is idempotent on the post's pending id, so a retry cannot post twice.
    pub async fn claim_due_scheduled_posts(
        &self,
        now: i64,
        stale_before: i64,
        limit: i64,
    ) -> Result<Vec<ScheduledPost>, StoreError> {
        let free =
            "error_code = '' AND scheduled_at <= $1 AND (processed_at = 0 OR processed_at < $2)";
        let sql = format!(
            "UPDATE scheduled_posts SET processed_at = $1 WHERE {free} AND id IN \
             (SELECT id FROM scheduled_posts WHERE {free} ORDER BY scheduled_at, id LIMIT $3) \
             RETURNING {COLUMNS}"
        );
        let rows: Vec<Row> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(now)
            .bind(stale_before)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        let mut posts: Vec<ScheduledPost> = rows.into_iter().map(ScheduledPost::from).collect();
        posts.sort_by(|a, b| (a.scheduled_at, &a.id).cmp(&(b.scheduled_at, &b.id)));
        Ok(posts)
    }

    /// Records why a taken post could not be sent; `None` if the user deleted it meanwhile.
    pub async fn fail_scheduled_post(
        &self,
        id: &str,
        error_code: &str,
        now: i64,
    ) -> Result<Option<ScheduledPost>, StoreError> {
        let sql = format!(
            "UPDATE scheduled_posts SET error_code = $2, processed_at = $3, update_at = $3 \
             WHERE id = $1 RETURNING {COLUMNS}"
        );
        let row: Option<Row> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .bind(error_code)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(ScheduledPost::from))
    }

    /// Marks waiting posts due before `before` as failed with `error_code` (the server was
    /// down too long to send them late); returns them.
    pub async fn expire_scheduled_posts(
        &self,
        before: i64,
        error_code: &str,
        now: i64,
    ) -> Result<Vec<ScheduledPost>, StoreError> {
        let any: Option<(String,)> = with_reader!(self, |pool| sqlx::query_as(
            "SELECT id FROM scheduled_posts WHERE error_code = '' AND processed_at = 0 \
             AND scheduled_at < $1 LIMIT 1"
        )
        .bind(before)
        .fetch_optional(pool)
        .await)?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE scheduled_posts SET error_code = $2, processed_at = $3, update_at = $3 \
             WHERE error_code = '' AND processed_at = 0 AND scheduled_at < $1 RETURNING {COLUMNS}"
        );
        let rows: Vec<Row> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(before)
            .bind(error_code)
            .bind(now)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(ScheduledPost::from).collect())
    }
}
