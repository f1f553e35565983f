//! `file_info`: uploaded files, attached to posts or waiting (orphans) until one claims them.

use serde::Serialize;
use sqlx::FromRow;
use townsquare_sdk::model::Post;

use super::search::Stmt;
use super::{Store, StoreError};

pub(super) const COLUMNS: &str = "id, creator_id, post_id, channel_id, create_at, update_at, delete_at, path, \
    thumbnail_path, preview_path, name, extension, size, mime_type, width, height, has_preview_image, mini_preview";

/// Mattermost's FileInfo. The storage paths are never sent to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, Default, utoipa::ToSchema)]
pub struct FileInfo {
    pub id: String,
    #[serde(rename = "user_id")]
    pub creator_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub post_id: String,
    pub channel_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub thumbnail_path: String,
    #[serde(skip)]
    pub preview_path: String,
    pub name: String,
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub width: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub height: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub has_preview_image: bool,
    pub mini_preview: Option<String>,
    #[sqlx(skip)]
    pub remote_id: String,
    #[sqlx(skip)]
    pub archived: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Statements (inside the post's transaction) that attach the post's files: only the
/// uploader's unattached, undeleted files of the same channel are claimed.
pub(crate) fn attach_stmts(post: &Post) -> Vec<Stmt> {
    post.file_ids
        .iter()
        .map(|file_id| Stmt {
            sql: "UPDATE file_info SET post_id = $1, update_at = (SELECT create_at FROM posts WHERE id = $1) \
                  WHERE id = $2 AND post_id = '' AND creator_id = $3 AND channel_id = $4 AND delete_at = 0",
            binds: vec![
                post.id.clone(),
                file_id.clone(),
                post.user_id.clone(),
                post.channel_id.clone(),
            ],
        })
        .collect()
}

/// Statements (inside the delete's transaction) that delete the files of a post and of its
/// replies, with the time the post got.
pub(crate) fn delete_for_post_stmts(post_id: &str) -> Vec<Stmt> {
    vec![Stmt {
        sql: "UPDATE file_info SET delete_at = (SELECT delete_at FROM posts WHERE id = $1), \
              update_at = (SELECT delete_at FROM posts WHERE id = $1) \
              WHERE delete_at = 0 AND post_id <> '' AND post_id IN (SELECT id FROM posts WHERE id = $1 OR root_id = $1)",
        binds: vec![post_id.to_string()],
    }]
}

/// A live bookmark's file has no post but is no orphan (`store::bookmarks` claims it).
const NOT_A_LIVE_BOOKMARK: &str = "AND NOT (creator_id = 'bookmark' AND delete_at = 0)";

impl Store {
    pub async fn insert_file_info(&self, info: &FileInfo) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(&format!(
                "INSERT INTO file_info ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
            ))
            .bind(&info.id)
            .bind(&info.creator_id)
            .bind(&info.post_id)
            .bind(&info.channel_id)
            .bind(info.create_at)
            .bind(info.update_at)
            .bind(info.delete_at)
            .bind(&info.path)
            .bind(&info.thumbnail_path)
            .bind(&info.preview_path)
            .bind(&info.name)
            .bind(&info.extension)
            .bind(info.size)
            .bind(&info.mime_type)
            .bind(info.width)
            .bind(info.height)
            .bind(info.has_preview_image)
            .bind(&info.mini_preview)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Files attached to live posts of a channel (Mattermost's `files_count` in channel stats).
    pub async fn count_channel_files(&self, channel_id: &str) -> Result<i64, StoreError> {
        let (count,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM file_info WHERE channel_id = $1 AND post_id <> '' AND delete_at = 0",
            )
            .bind(channel_id)
            .fetch_one(pool)
            .await
        })?;
        Ok(count)
    }

    pub async fn file_info(&self, id: &str) -> Result<Option<FileInfo>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM file_info WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn file_infos_by_ids(&self, ids: &[String]) -> Result<Vec<FileInfo>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM file_info WHERE id IN ({}) ORDER BY create_at, id",
            super::sql::placeholders(1, ids.len())
        );
        Ok(with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?)
    }

    /// The live files of the given posts, oldest first.
    pub async fn file_infos_for_posts(
        &self,
        post_ids: &[String],
    ) -> Result<Vec<FileInfo>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM file_info WHERE post_id IN ({}) AND delete_at = 0 ORDER BY create_at, id",
            super::sql::placeholders(1, post_ids.len())
        );
        Ok(with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for id in post_ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?)
    }

    /// Uploads never attached to a post and older than `created_before`, oldest first.
    pub async fn orphan_files(
        &self,
        created_before: i64,
        limit: i64,
    ) -> Result<Vec<FileInfo>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM file_info WHERE post_id = '' AND create_at < $1 {NOT_A_LIVE_BOOKMARK} \
             ORDER BY create_at LIMIT $2"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(created_before)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    /// Removes a file row, only while it is still an orphan; returns whether it did.
    pub async fn delete_orphan_file(&self, id: &str) -> Result<bool, StoreError> {
        let sql =
            format!("DELETE FROM file_info WHERE id = $1 AND post_id = '' {NOT_A_LIVE_BOOKMARK}");
        let done = with_writer!(self, |pool| {
            sqlx::query(&sql)
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(done > 0)
    }
}
