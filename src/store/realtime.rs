//! Audience reads for real-time delivery: who is in a channel or team right now.

use super::{Store, StoreError};

impl Store {
    /// User ids of a channel's members.
    pub async fn channel_member_ids(&self, channel_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT user_id FROM channel_members WHERE channel_id = $1")
                .bind(channel_id)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// User ids of a team's active members.
    pub async fn team_member_ids(&self, team_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT user_id FROM team_members WHERE team_id = $1 AND delete_at = 0")
                .bind(team_id)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}

impl Store {
    /// Users following a thread.
    pub async fn thread_follower_ids(&self, post_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id FROM thread_memberships WHERE post_id = $1 AND following = TRUE",
            )
            .bind(post_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
