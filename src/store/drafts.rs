//! `drafts`: a user's synced message drafts, one per channel and thread.

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::FromRow;

use super::{Store, StoreError};

/// Mattermost's `Draft`. `delete_at` is always 0 (deleted drafts are removed); `metadata`
/// (`{"files": [...]}`) is filled by the app layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Draft {
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub message: String,
    #[schema(value_type = Object)]
    pub props: Map<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    #[schema(value_type = Option<Object>)]
    pub priority: Map<String, Value>,
}

const COLUMNS: &str =
    "user_id, channel_id, root_id, create_at, update_at, message, props, file_ids, priority";

#[derive(FromRow)]
struct DraftRow {
    user_id: String,
    channel_id: String,
    root_id: String,
    create_at: i64,
    update_at: i64,
    message: String,
    props: String,
    file_ids: String,
    priority: String,
}

impl From<DraftRow> for Draft {
    fn from(row: DraftRow) -> Self {
        Draft {
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
        }
    }
}

/// JSON text of a stored map or list.
pub(crate) fn json_text(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

impl Store {
    /// Inserts the draft or replaces the one for the same user, channel and thread (which
    /// keeps its `create_at`). Returns the stored draft.
    pub async fn upsert_draft(&self, draft: &Draft) -> Result<Draft, StoreError> {
        let sql = format!(
            "INSERT INTO drafts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (user_id, channel_id, root_id) DO UPDATE SET update_at = excluded.update_at, \
             message = excluded.message, props = excluded.props, file_ids = excluded.file_ids, \
             priority = excluded.priority RETURNING {COLUMNS}"
        );
        let row: DraftRow = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(&draft.user_id)
            .bind(&draft.channel_id)
            .bind(&draft.root_id)
            .bind(draft.create_at)
            .bind(draft.update_at)
            .bind(&draft.message)
            .bind(json_text(&draft.props))
            .bind(json_text(&draft.file_ids))
            .bind(json_text(&draft.priority))
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    pub async fn draft(
        &self,
        user_id: &str,
        channel_id: &str,
        root_id: &str,
    ) -> Result<Option<Draft>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM drafts WHERE user_id = $1 AND channel_id = $2 AND root_id = $3"
        );
        let row: Option<DraftRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(channel_id)
            .bind(root_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Draft::from))
    }

    /// Deletes one draft; returns it if there was one.
    pub async fn delete_draft(
        &self,
        user_id: &str,
        channel_id: &str,
        root_id: &str,
    ) -> Result<Option<Draft>, StoreError> {
        let sql = format!(
            "DELETE FROM drafts WHERE user_id = $1 AND channel_id = $2 AND root_id = $3 RETURNING {COLUMNS}"
        );
        let row: Option<DraftRow> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(channel_id)
            .bind(root_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Draft::from))
    }

    /// Every user's drafts replying to `root_id` (a thread whose root was deleted), deleted;
    /// returns them. Reads first, so the common case (none) writes nothing.
    pub async fn delete_thread_drafts(
        &self,
        channel_id: &str,
        root_id: &str,
    ) -> Result<Vec<Draft>, StoreError> {
        let any: Option<(String,)> = with_reader!(self, |pool| sqlx::query_as(
            "SELECT user_id FROM drafts WHERE channel_id = $1 AND root_id = $2 LIMIT 1"
        )
        .bind(channel_id)
        .bind(root_id)
        .fetch_optional(pool)
        .await)?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "DELETE FROM drafts WHERE channel_id = $1 AND root_id = $2 RETURNING {COLUMNS}"
        );
        let rows: Vec<DraftRow> = with_writer!(self, |pool| sqlx::query_as(&sql)
            .bind(channel_id)
            .bind(root_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Draft::from).collect())
    }

    /// The user's drafts in channels of `team_id` and in direct and group channels, newest
    /// change first; only channels the user is still a member of.
    pub async fn drafts_for_user(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<Vec<Draft>, StoreError> {
        let sql = format!(
            "SELECT {} FROM drafts d \
             JOIN channel_members m ON m.channel_id = d.channel_id AND m.user_id = d.user_id \
             JOIN channels c ON c.id = d.channel_id \
             WHERE d.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') \
             ORDER BY d.update_at DESC, d.channel_id, d.root_id",
            prefixed("d")
        );
        let rows: Vec<DraftRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Draft::from).collect())
    }
}

fn prefixed(alias: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
