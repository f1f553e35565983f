//! The `user_access_tokens` table (personal access tokens), stored by SHA-256 hash.

use sqlx::FromRow;
use townsquare_sdk::model::UserAccessToken;

use super::{Store, StoreError};

#[derive(FromRow)]
struct TokenRow {
    id: String,
    user_id: String,
    description: String,
    is_active: bool,
}

impl From<TokenRow> for UserAccessToken {
    fn from(row: TokenRow) -> Self {
        UserAccessToken {
            id: row.id,
            token: String::new(),
            user_id: row.user_id,
            description: row.description,
            is_active: row.is_active,
        }
    }
}

/// `last_used_at` is written at most this often per token.
pub const TOKEN_USE_WRITE_INTERVAL_MS: i64 = 60_000;

impl Store {
    pub async fn insert_access_token(
        &self,
        token: &UserAccessToken,
        token_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO user_access_tokens (id, token_hash, user_id, description, is_active, create_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&token.id)
            .bind(token_hash)
            .bind(&token.user_id)
            .bind(&token.description)
            .bind(token.is_active)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The token with this hash and when it was last used (ms).
    pub async fn access_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(UserAccessToken, i64)>, StoreError> {
        let row: Option<(String, String, String, bool, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, description, is_active, last_used_at FROM user_access_tokens WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        Ok(
            row.map(|(id, user_id, description, is_active, last_used_at)| {
                let token = UserAccessToken::from(TokenRow {
                    id,
                    user_id,
                    description,
                    is_active,
                });
                (token, last_used_at)
            }),
        )
    }

    pub async fn access_token(&self, id: &str) -> Result<Option<UserAccessToken>, StoreError> {
        let row: Option<TokenRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, description, is_active FROM user_access_tokens WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(UserAccessToken::from))
    }

    /// Tokens of one user, or of everyone when `user_id` is `None`.
    pub async fn access_tokens(
        &self,
        user_id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<UserAccessToken>, StoreError> {
        let sql = match user_id {
            Some(_) => "SELECT id, user_id, description, is_active FROM user_access_tokens WHERE user_id = $3 \
                        ORDER BY create_at, id LIMIT $1 OFFSET $2",
            None => "SELECT id, user_id, description, is_active FROM user_access_tokens ORDER BY create_at, id LIMIT $1 OFFSET $2",
        };
        let rows: Vec<TokenRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(sql).bind(limit).bind(offset);
            if let Some(user_id) = user_id {
                query = query.bind(user_id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(UserAccessToken::from).collect())
    }

    /// Tokens whose id, description or owner's username starts with `term`.
    pub async fn search_access_tokens(
        &self,
        term: &str,
    ) -> Result<Vec<UserAccessToken>, StoreError> {
        let prefix = format!("{}%", super::sql::like_escape(&term.to_lowercase()));
        let rows: Vec<TokenRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.user_id, t.description, t.is_active FROM user_access_tokens t \
                 JOIN users u ON u.id = t.user_id \
                 WHERE t.id LIKE $1 ESCAPE '\\' OR LOWER(t.description) LIKE $1 ESCAPE '\\' OR u.username LIKE $1 ESCAPE '\\' \
                 ORDER BY t.create_at, t.id LIMIT 100",
            )
            .bind(&prefix)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(UserAccessToken::from).collect())
    }

    pub async fn set_access_token_active(&self, id: &str, active: bool) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE user_access_tokens SET is_active = $2 WHERE id = $1")
                .bind(id)
                .bind(active)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn delete_access_token(&self, id: &str) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("DELETE FROM user_access_tokens WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Records use of a token at most once a minute, to keep the hot path read-only.
    pub async fn touch_access_token(&self, id: &str, now: i64) -> Result<(), StoreError> {
        // The WHERE clause keeps concurrent requests from writing more than once a minute.
        with_writer!(self, |pool| {
            sqlx::query("UPDATE user_access_tokens SET last_used_at = $2 WHERE id = $1 AND last_used_at < $3")
                .bind(id)
                .bind(now)
                .bind(now - TOKEN_USE_WRITE_INTERVAL_MS)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}
