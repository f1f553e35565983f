//! `reactions`, and the `has_reactions` / `update_at` columns of the posts they belong to.
//!
//! Removing a reaction is a soft delete (`delete_at`), as in Mattermost; adding it again
//! revives the row. Every change to a post's reactions updates the post in the same
//! transaction, so `has_reactions` never disagrees with the table.

use sqlx::FromRow;
use townsquare_sdk::model::Reaction;

use super::{Store, StoreError};

const REACTION_COLUMNS: &str =
    "user_id, post_id, emoji_name, create_at, update_at, delete_at, remote_id, channel_id";

/// Rows per `IN (...)` list, well under both dialects' bind limits.
const CHUNK: usize = 500;

#[derive(FromRow)]
struct ReactionRow {
    user_id: String,
    post_id: String,
    emoji_name: String,
    create_at: i64,
    update_at: i64,
    delete_at: i64,
    remote_id: Option<String>,
    channel_id: String,
}

impl From<ReactionRow> for Reaction {
    fn from(row: ReactionRow) -> Self {
        Reaction {
            user_id: row.user_id,
            post_id: row.post_id,
            emoji_name: row.emoji_name,
            create_at: row.create_at,
            update_at: row.update_at,
            delete_at: row.delete_at,
            remote_id: row.remote_id.unwrap_or_default(),
            channel_id: row.channel_id,
        }
    }
}

/// What saving a reaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveReaction {
    /// The reaction is new (or revived); the post was updated.
    Saved(Reaction),
    /// The same user already had this reaction on the post; nothing changed.
    Existing(Reaction),
    /// The post already carries `limit` distinct emoji and this one is not among them.
    TooMany,
}

impl Store {
    /// Adds a reaction (idempotently) and marks the post as having reactions, in one
    /// transaction. A new emoji is refused once the post has `unique_limit` distinct ones.
    pub async fn save_reaction(
        &self,
        reaction: &Reaction,
        unique_limit: i64,
    ) -> Result<SaveReaction, StoreError> {
        with_tx!(self, |tx| async {
            let existing: Option<ReactionRow> = sqlx::query_as(&format!(
                "SELECT {REACTION_COLUMNS} FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3"
            ))
            .bind(&reaction.post_id)
            .bind(&reaction.user_id)
            .bind(&reaction.emoji_name)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(row) = existing.filter(|r| r.delete_at == 0) {
                return Ok::<_, StoreError>(SaveReaction::Existing(row.into()));
            }
            let (on_post,): (bool,) = sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM reactions WHERE post_id = $1 AND emoji_name = $2 AND delete_at = 0)",
            )
            .bind(&reaction.post_id)
            .bind(&reaction.emoji_name)
            .fetch_one(&mut **tx)
            .await?;
            if !on_post {
                let (distinct,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(DISTINCT emoji_name) FROM reactions WHERE post_id = $1 AND delete_at = 0",
                )
                .bind(&reaction.post_id)
                .fetch_one(&mut **tx)
                .await?;
                if distinct >= unique_limit {
                    return Ok(SaveReaction::TooMany);
                }
            }
            sqlx::query(&format!(
                "INSERT INTO reactions ({REACTION_COLUMNS}) VALUES ($1, $2, $3, $4, $4, 0, NULL, $5) \
                 ON CONFLICT (post_id, user_id, emoji_name) DO UPDATE SET create_at = excluded.create_at, \
                 update_at = excluded.update_at, delete_at = 0, channel_id = excluded.channel_id"
            ))
            .bind(&reaction.user_id)
            .bind(&reaction.post_id)
            .bind(&reaction.emoji_name)
            .bind(reaction.create_at)
            .bind(&reaction.channel_id)
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE posts SET has_reactions = TRUE, update_at = $2 WHERE id = $1")
                .bind(&reaction.post_id)
                .bind(reaction.create_at)
                .execute(&mut **tx)
                .await?;
            Ok(SaveReaction::Saved(Reaction {
                update_at: reaction.create_at,
                delete_at: 0,
                ..reaction.clone()
            }))
        })
    }

    /// Removes a reaction; when one was removed, recomputes the post's `has_reactions` and
    /// bumps its `update_at` in the same transaction. Returns whether anything changed.
    pub async fn delete_reaction(
        &self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_tx!(self, |tx| async {
            let removed = sqlx::query(
                "UPDATE reactions SET delete_at = $4, update_at = $4 \
                 WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3 AND delete_at = 0",
            )
            .bind(post_id)
            .bind(user_id)
            .bind(emoji_name)
            .bind(now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if removed > 0 {
                sqlx::query(
                    "UPDATE posts SET has_reactions = EXISTS \
                     (SELECT 1 FROM reactions WHERE post_id = $1 AND delete_at = 0), update_at = $2 WHERE id = $1",
                )
                .bind(post_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            Ok::<_, StoreError>(removed > 0)
        })
    }

    /// The live reactions of one post, oldest first.
    pub async fn reactions_for_post(&self, post_id: &str) -> Result<Vec<Reaction>, StoreError> {
        self.reactions_for_posts(&[post_id.to_string()]).await
    }

    /// The live reactions of several posts, oldest first within each post.
    pub async fn reactions_for_posts(
        &self,
        post_ids: &[String],
    ) -> Result<Vec<Reaction>, StoreError> {
        let mut out = Vec::new();
        for chunk in post_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {REACTION_COLUMNS} FROM reactions WHERE post_id IN ({}) AND delete_at = 0 \
                 ORDER BY post_id, create_at, user_id, emoji_name",
                super::sql::placeholders(1, chunk.len())
            );
            let rows: Vec<ReactionRow> = with_reader!(self, |pool| {
                let mut query = sqlx::query_as(&sql);
                for id in chunk {
                    query = query.bind(id);
                }
                query.fetch_all(pool).await
            })?;
            out.extend(rows.into_iter().map(Reaction::from));
        }
        Ok(out)
    }
}
