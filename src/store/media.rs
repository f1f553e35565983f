//! When a user's profile picture or a team's icon last changed (`users.last_picture_update`,
//! `teams.last_team_icon_update`); the images themselves live in the file store.

use super::{Store, StoreError};

impl Store {
    /// Sets `last_picture_update` (Mattermost: the time of an upload, minus the time of a
    /// reset to the default) and `update_at`. Returns whether the user exists.
    pub async fn set_last_picture_update(
        &self,
        user_id: &str,
        value: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = with_writer!(self, |pool| {
            sqlx::query("UPDATE users SET last_picture_update = $2, update_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(value)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        // Sessions cache the user row; the picture time is part of what `/users/me` shows.
        self.auth_changed(user_id).await?;
        Ok(changed > 0)
    }

    /// Sets `last_team_icon_update` (0: no icon) and `update_at`. Returns whether the team
    /// exists.
    pub async fn set_last_team_icon_update(
        &self,
        team_id: &str,
        value: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = with_writer!(self, |pool| {
            sqlx::query("UPDATE teams SET last_team_icon_update = $2, update_at = $3 WHERE id = $1")
                .bind(team_id)
                .bind(value)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(changed > 0)
    }
}
