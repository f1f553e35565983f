//! `status`: each user's presence (online / away / dnd / offline), whether it was set by hand,
//! and when the user was last active.

use townsquare_sdk::model::Status;

use super::{Store, StoreError};

/// Rows per `IN (...)` list, well under both dialects' bind limits.
const CHUNK: usize = 500;

/// A stored status row.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct StatusRow {
    pub user_id: String,
    pub status: String,
    pub manual: bool,
    pub last_activity_at: i64,
    /// Seconds since the epoch; 0 when do-not-disturb has no end.
    pub dnd_end_time: i64,
    pub prev_status: String,
}

impl From<StatusRow> for Status {
    fn from(row: StatusRow) -> Self {
        Status {
            user_id: row.user_id,
            status: row.status,
            manual: row.manual,
            last_activity_at: row.last_activity_at,
            dnd_end_time: row.dnd_end_time,
        }
    }
}

/// A user id with the user's stored status, if any (`None` status: the user does not exist).
#[derive(Debug, Clone)]
pub struct UserStatus {
    pub user_id: String,
    pub exists: bool,
    pub status: Option<StatusRow>,
}

impl Store {
    pub async fn status(&self, user_id: &str) -> Result<Option<StatusRow>, StoreError> {
        let row: Option<StatusRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, status, manual, last_activity_at, dnd_end_time, prev_status FROM status WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row)
    }

    /// Stored statuses of several users, and which of the ids are existing users.
    pub async fn statuses_of_users(
        &self,
        user_ids: &[String],
    ) -> Result<Vec<UserStatus>, StoreError> {
        let mut out = Vec::with_capacity(user_ids.len());
        for chunk in user_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT u.id, s.status, s.manual, s.last_activity_at, s.dnd_end_time, s.prev_status \
                 FROM users u LEFT JOIN status s ON s.user_id = u.id WHERE u.id IN ({})",
                super::sql::placeholders(1, chunk.len())
            );
            type Row = (
                String,
                Option<String>,
                Option<bool>,
                Option<i64>,
                Option<i64>,
                Option<String>,
            );
            let rows: Vec<Row> = with_reader!(self, |pool| {
                let mut query = sqlx::query_as(&sql);
                for id in chunk {
                    query = query.bind(id);
                }
                query.fetch_all(pool).await
            })?;
            let mut found: std::collections::HashMap<String, Option<StatusRow>> = rows
                .into_iter()
                .map(|(id, status, manual, last, dnd, prev)| {
                    let row = status.map(|status| StatusRow {
                        user_id: id.clone(),
                        status,
                        manual: manual.unwrap_or(false),
                        last_activity_at: last.unwrap_or(0),
                        dnd_end_time: dnd.unwrap_or(0),
                        prev_status: prev.unwrap_or_default(),
                    });
                    (id, row)
                })
                .collect();
            for id in chunk {
                let (exists, status) = match found.remove(id) {
                    Some(status) => (true, status),
                    None => (false, None),
                };
                out.push(UserStatus {
                    user_id: id.clone(),
                    exists,
                    status,
                });
            }
        }
        Ok(out)
    }

    /// Writes a status row whole.
    pub async fn upsert_status(&self, row: &StatusRow) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO status (user_id, status, manual, last_activity_at, dnd_end_time, prev_status) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, \
                 manual = excluded.manual, last_activity_at = excluded.last_activity_at, \
                 dnd_end_time = excluded.dnd_end_time, prev_status = excluded.prev_status",
            )
            .bind(&row.user_id)
            .bind(&row.status)
            .bind(row.manual)
            .bind(row.last_activity_at)
            .bind(row.dnd_end_time)
            .bind(&row.prev_status)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Marks a user online after activity at `now` (ms), unless the status was set by hand
    /// (an expired do-not-disturb no longer counts as set by hand). A non-manual `online`
    /// row is rewritten only when its `last_activity_at` is at least `min_interval_ms` old,
    /// so activity costs at most one write per interval. Returns whether a row was written.
    pub async fn touch_status_online(
        &self,
        user_id: &str,
        now: i64,
        min_interval_ms: i64,
    ) -> Result<bool, StoreError> {
        let written = with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO status (user_id, status, manual, last_activity_at, dnd_end_time, prev_status) \
                 VALUES ($1, 'online', FALSE, $2, 0, '') ON CONFLICT (user_id) DO UPDATE SET \
                 status = 'online', manual = FALSE, last_activity_at = excluded.last_activity_at, \
                 dnd_end_time = 0, prev_status = '' \
                 WHERE (status.manual = FALSE AND (status.status <> 'online' OR status.last_activity_at <= $3)) \
                 OR (status.status = 'dnd' AND status.dnd_end_time > 0 AND status.dnd_end_time <= $4)",
            )
            .bind(user_id)
            .bind(now)
            .bind(now - min_interval_ms)
            .bind(now.div_euclid(1000))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(written > 0)
    }
}
