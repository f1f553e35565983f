//! `emoji`: custom emoji (the image lives in the file store).

use serde::Serialize;
use sqlx::FromRow;

use super::{Store, StoreError};

const COLUMNS: &str = "id, create_at, update_at, delete_at, creator_id, name";

/// Mattermost's Emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, Default, utoipa::ToSchema)]
pub struct Emoji {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub creator_id: String,
    pub name: String,
}

impl Store {
    /// Inserts an emoji; a live emoji with the same name is a unique violation.
    pub async fn insert_emoji(&self, emoji: &Emoji) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(&format!(
                "INSERT INTO emoji ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
            ))
            .bind(&emoji.id)
            .bind(emoji.create_at)
            .bind(emoji.update_at)
            .bind(emoji.delete_at)
            .bind(&emoji.creator_id)
            .bind(&emoji.name)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn emoji(&self, id: &str) -> Result<Option<Emoji>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM emoji WHERE id = $1 AND delete_at = 0");
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn emoji_by_name(&self, name: &str) -> Result<Option<Emoji>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM emoji WHERE name = $1 AND delete_at = 0");
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(name)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn emoji_by_names(&self, names: &[String]) -> Result<Vec<Emoji>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM emoji WHERE delete_at = 0 AND name IN ({}) ORDER BY name",
            super::sql::placeholders(1, names.len())
        );
        Ok(with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for name in names {
                query = query.bind(name);
            }
            query.fetch_all(pool).await
        })?)
    }

    /// A page of live emoji, by name or by creation time.
    pub async fn list_emoji(
        &self,
        by_name: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Emoji>, StoreError> {
        let order = if by_name { "name" } else { "create_at, id" };
        let sql = format!(
            "SELECT {COLUMNS} FROM emoji WHERE delete_at = 0 ORDER BY {order} LIMIT $1 OFFSET $2"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?)
    }

    /// Live emoji whose name starts with (or, unless `prefix_only`, contains) `term`.
    pub async fn search_emoji(
        &self,
        term: &str,
        prefix_only: bool,
        limit: i64,
    ) -> Result<Vec<Emoji>, StoreError> {
        let escaped = super::sql::like_escape(term);
        let pattern = if prefix_only {
            format!("{escaped}%")
        } else {
            format!("%{escaped}%")
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM emoji WHERE delete_at = 0 AND name LIKE $1 ESCAPE '\\' ORDER BY name LIMIT $2"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(&pattern)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn delete_emoji(&self, id: &str, now: i64) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE emoji SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0",
            )
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}
