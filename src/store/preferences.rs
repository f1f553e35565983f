//! `preferences`: per-user key/value settings (`category`, `name`) -> `value`.

use townsquare_sdk::model::{Post, Preference};

use super::posts::{PostRow, POST_COLUMNS};
use super::{Store, StoreError};

/// Mattermost's category for saved ("flagged") posts; the name is the post id.
pub const FLAGGED_POST: &str = "flagged_post";

type PreferenceRow = (String, String, String, String);

fn preference((user_id, category, name, value): PreferenceRow) -> Preference {
    Preference {
        user_id,
        category,
        name,
        value,
    }
}

/// Which flagged posts to list.
#[derive(Debug, Clone, Default)]
pub struct FlaggedFilter {
    /// Only this channel ("" for all).
    pub channel_id: String,
    /// Only channels of this team, plus direct and group channels ("" for all).
    pub team_id: String,
    pub offset: i64,
    pub limit: i64,
}

impl Store {
    /// Every preference of a user, ordered by category and name.
    pub async fn preferences(&self, user_id: &str) -> Result<Vec<Preference>, StoreError> {
        let rows: Vec<PreferenceRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, category, name, value FROM preferences WHERE user_id = $1 ORDER BY category, name",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(preference).collect())
    }

    /// A user's preferences in one category, ordered by name.
    pub async fn preferences_in_category(
        &self,
        user_id: &str,
        category: &str,
    ) -> Result<Vec<Preference>, StoreError> {
        let rows: Vec<PreferenceRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, category, name, value FROM preferences WHERE user_id = $1 AND category = $2 ORDER BY name",
            )
            .bind(user_id)
            .bind(category)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(preference).collect())
    }

    pub async fn preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> Result<Option<Preference>, StoreError> {
        let row: Option<PreferenceRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, category, name, value FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3",
            )
            .bind(user_id)
            .bind(category)
            .bind(name)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(preference))
    }

    /// Inserts or replaces preferences, all in one transaction.
    pub async fn save_preferences(&self, preferences: &[Preference]) -> Result<(), StoreError> {
        if preferences.is_empty() {
            return Ok(());
        }
        with_tx!(self, |tx| async {
            for p in preferences {
                sqlx::query(
                    "INSERT INTO preferences (user_id, category, name, value) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value",
                )
                .bind(&p.user_id)
                .bind(&p.category)
                .bind(&p.name)
                .bind(&p.value)
                .execute(&mut **tx)
                .await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Deletes preferences by `(user_id, category, name)`, all in one transaction.
    pub async fn delete_preferences(&self, preferences: &[Preference]) -> Result<(), StoreError> {
        if preferences.is_empty() {
            return Ok(());
        }
        with_tx!(self, |tx| async {
            for p in preferences {
                sqlx::query(
                    "DELETE FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3",
                )
                .bind(&p.user_id)
                .bind(&p.category)
                .bind(&p.name)
                .execute(&mut **tx)
                .await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// The user's flagged posts that still exist in channels the user is a member of,
    /// newest first (Mattermost's `GetFlaggedPosts`).
    pub async fn flagged_posts(
        &self,
        user_id: &str,
        filter: &FlaggedFilter,
    ) -> Result<Vec<Post>, StoreError> {
        let columns = POST_COLUMNS
            .split(", ")
            .map(|c| format!("p.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!(
            "SELECT {columns} FROM preferences f \
             JOIN posts p ON p.id = f.name \
             JOIN channel_members m ON m.channel_id = p.channel_id AND m.user_id = f.user_id \
             JOIN channels c ON c.id = p.channel_id \
             WHERE f.user_id = $1 AND f.category = $2 AND p.delete_at = 0 AND p.original_id = ''"
        );
        let mut next = 5;
        if !filter.channel_id.is_empty() {
            sql.push_str(&format!(" AND p.channel_id = ${next}"));
            next += 1;
        }
        if !filter.team_id.is_empty() {
            sql.push_str(&format!(" AND (c.team_id = ${next} OR c.team_id = '')"));
        }
        sql.push_str(" ORDER BY p.create_at DESC, p.id DESC LIMIT $3 OFFSET $4");
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql)
                .bind(user_id)
                .bind(FLAGGED_POST)
                .bind(filter.limit)
                .bind(filter.offset);
            if !filter.channel_id.is_empty() {
                query = query.bind(&filter.channel_id);
            }
            if !filter.team_id.is_empty() {
                query = query.bind(&filter.team_id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }
}
