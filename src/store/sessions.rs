//! The `sessions` table. Tokens are stored and looked up only by their SHA-256 hash.

use sqlx::FromRow;
use townsquare_sdk::model::{Session, StringMap, User};

use super::sql::prefixed;
use super::users::{UserRow, COLUMNS as USER_COLUMNS};
use super::{Store, StoreError};

/// A stored session with the fields the server needs beyond the wire shape.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub session: Session,
    pub csrf_token: String,
}

#[derive(FromRow)]
struct SessionRow {
    id: String,
    create_at: i64,
    expires_at: i64,
    last_activity_at: i64,
    user_id: String,
    device_id: String,
    roles: String,
    is_oauth: bool,
    expired_notify: bool,
    props: String,
    csrf_token: String,
}

impl From<SessionRow> for StoredSession {
    fn from(row: SessionRow) -> Self {
        StoredSession {
            session: Session {
                id: row.id,
                token: String::new(),
                create_at: row.create_at,
                expires_at: row.expires_at,
                last_activity_at: row.last_activity_at,
                user_id: row.user_id,
                device_id: row.device_id,
                roles: row.roles,
                is_oauth: row.is_oauth,
                expired_notify: row.expired_notify,
                props: serde_json::from_str::<StringMap>(&row.props).unwrap_or_default(),
                team_members: Vec::new(),
                local: false,
            },
            csrf_token: row.csrf_token,
        }
    }
}

const COLUMNS: &str =
    "id, create_at, expires_at, last_activity_at, user_id, device_id, roles, is_oauth, expired_notify, props, csrf_token";

/// A session and its user from one joined read (the hot path of every request).
#[derive(FromRow)]
struct SessionUserRow {
    s_id: String,
    s_create_at: i64,
    s_expires_at: i64,
    s_last_activity_at: i64,
    s_user_id: String,
    s_device_id: String,
    s_roles: String,
    s_is_oauth: bool,
    s_expired_notify: bool,
    s_props: String,
    s_csrf_token: String,
    #[sqlx(flatten)]
    user: UserRow,
}

impl From<SessionUserRow> for (StoredSession, User) {
    fn from(row: SessionUserRow) -> Self {
        let session = SessionRow {
            id: row.s_id,
            create_at: row.s_create_at,
            expires_at: row.s_expires_at,
            last_activity_at: row.s_last_activity_at,
            user_id: row.s_user_id,
            device_id: row.s_device_id,
            roles: row.s_roles,
            is_oauth: row.s_is_oauth,
            expired_notify: row.s_expired_notify,
            props: row.s_props,
            csrf_token: row.s_csrf_token,
        };
        (session.into(), row.user.into())
    }
}

impl Store {
    /// Stores a new session (a login) and the user's last-login time; when `device_id` is set,
    /// other sessions of the user on that device are revoked in the same transaction (as
    /// Mattermost does for mobile logins).
    pub async fn insert_session(
        &self,
        session: &Session,
        token_hash: &str,
        csrf_token: &str,
    ) -> Result<(), StoreError> {
        let props = serde_json::to_string(&session.props).unwrap_or_else(|_| "{}".into());
        with_tx!(self, |tx| async {
            if !session.device_id.is_empty() {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND device_id = $2")
                    .bind(&session.user_id)
                    .bind(&session.device_id)
                    .execute(&mut **tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO sessions (id, token_hash, create_at, expires_at, last_activity_at, user_id, device_id, \
                 roles, is_oauth, expired_notify, props, csrf_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&session.id)
            .bind(token_hash)
            .bind(session.create_at)
            .bind(session.expires_at)
            .bind(session.last_activity_at)
            .bind(&session.user_id)
            .bind(&session.device_id)
            .bind(&session.roles)
            .bind(session.is_oauth)
            .bind(session.expired_notify)
            .bind(&props)
            .bind(csrf_token)
            .execute(&mut **tx)
            .await?;
            // The login time rides in the same transaction: one write per login.
            sqlx::query("UPDATE users SET last_login = $2, last_activity_at = $2 WHERE id = $1")
                .bind(&session.user_id)
                .bind(session.create_at)
                .execute(&mut **tx)
                .await?;
            Ok::<_, StoreError>(())
        })?;
        // The user row changed (last login), and a device login replaces the device's earlier
        // session, which other nodes may have cached.
        if session.device_id.is_empty() {
            self.session_cache().forget_user(&session.user_id);
            Ok(())
        } else {
            self.auth_changed(&session.user_id).await
        }
    }

    /// The session with this token hash and its user, in one read. A session whose user row
    /// is gone reads as no session.
    /// `cache_miss`: whether a lookup read from the database is cached for the next request.
    pub async fn session_and_user_by_token_hash(
        &self,
        token_hash: &str,
        cache_miss: bool,
    ) -> Result<Option<(StoredSession, User)>, StoreError> {
        if let Some(hit) = self.session_cache().get(token_hash) {
            return Ok(Some(hit));
        }
        let generation = self.session_cache().generation();
        let found = self.read_session_and_user(token_hash).await?;
        if let (true, Some((session, user))) = (cache_miss, &found) {
            self.session_cache()
                .put(token_hash, session, user, generation);
        }
        Ok(found)
    }

    async fn read_session_and_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<(StoredSession, User)>, StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let session_columns = COLUMNS
                .split(", ")
                .map(|c| format!("s.{c} AS s_{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT {session_columns}, {} FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1",
                prefixed(USER_COLUMNS, "u")
            )
        });
        let row: Option<SessionUserRow> = with_reader!(self, |pool| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Into::into))
    }

    pub async fn sessions_for_user(&self, user_id: &str) -> Result<Vec<Session>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY last_activity_at DESC, id"
        );
        let rows: Vec<SessionRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|r| StoredSession::from(r).session)
            .collect())
    }

    /// Deletes one session of a user; returns whether it existed.
    pub async fn delete_session(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<bool, StoreError> {
        let affected = with_writer!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
                .bind(session_id)
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        self.auth_changed(user_id).await?;
        Ok(affected > 0)
    }

    pub async fn delete_sessions_for_user(&self, user_id: &str) -> Result<u64, StoreError> {
        let deleted = with_writer!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        self.auth_changed(user_id).await?;
        Ok(deleted)
    }

    /// Records activity and (optionally) pushes the expiry forward. Other nodes need not
    /// hear of it: a stale copy only expires earlier, and then reads the row again.
    pub async fn touch_session(
        &self,
        user_id: &str,
        session_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE sessions SET last_activity_at = $2, expires_at = $3 WHERE id = $1")
                .bind(session_id)
                .bind(now)
                .bind(expires_at)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        self.session_cache().forget_user(user_id);
        Ok(())
    }

    pub async fn set_session_device(
        &self,
        user_id: &str,
        session_id: &str,
        device_id: &str,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE sessions SET device_id = $2 WHERE id = $1")
                .bind(session_id)
                .bind(device_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        self.auth_changed(user_id).await
    }

    /// Removes sessions whose expiry has passed. Cached copies need no notice: their own
    /// expiry is checked on every use.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64, StoreError> {
        Ok(with_writer!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?)
    }
}
