//! All SQL lives here, for both dialects (SQLite and PostgreSQL).
//!
//! SQL shared by both dialects uses `$N` placeholders, which sqlx accepts for SQLite too.
//! The [`with_reader!`] / [`with_writer!`] / [`with_tx!`] macros expand one generic body once
//! per backend, so there is no `Any` driver and no duplicated query code.

#[macro_use]
mod macros;
pub mod access_tokens;
pub mod auth_notify;
pub mod bookmarks;
pub mod categories;
mod channel_lists;
mod channels;
mod connect;
pub mod drafts;
pub mod dump;
pub mod emoji;
mod error;
pub mod files;
pub mod introspect;
pub mod licenses;
pub mod login_attempts;
mod media;
#[macro_use]
mod post_insert;
pub mod membership;
pub mod migrate;
pub mod post_reminders;
pub mod posts;
pub mod preferences;
pub mod reactions;
mod realtime;
pub mod scheduled_posts;
pub mod search;
pub mod session_cache;
mod sessions;
pub mod sql;
pub mod statuses;
pub mod teams;
pub mod terms;
pub mod threads;
pub mod user_channels;
pub mod user_delete;
pub mod users;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{PgPool, SqlitePool};

use session_cache::SessionCache;

pub use connect::connect;
pub use error::{is_unique_violation, StoreError};
pub use sessions::StoredSession;

/// The SQL dialect of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// Connection pools. SQLite has a many-connection read pool and a single writer connection:
/// one writer means write transactions never fight for the lock inside one process.
#[derive(Clone, Debug)]
pub enum Pools {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// Handle to the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
    session_cache: Arc<SessionCache>,
    /// Bumped by every change to memberships or to what mentions a user (names, notify
    /// props): caches derived from them compare it before use.
    members_epoch: Arc<AtomicU64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("pools", &self.pools).finish()
    }
}

impl Store {
    pub fn from_pools(pools: Pools) -> Self {
        // Nothing but this process writes an SQLite database's sessions (the CLI does not touch
        // them), so its cache is trusted at once; PostgreSQL's once the listener runs.
        let trusted = matches!(pools, Pools::Sqlite { .. });
        Self {
            pools,
            session_cache: Arc::new(SessionCache::new(trusted)),
            members_epoch: Arc::new(AtomicU64::new(0)),
        }
    }

    /// See `members_epoch`; read it before the reads a cached value is built from.
    pub fn members_epoch(&self) -> u64 {
        self.members_epoch.load(Ordering::Acquire)
    }

    pub(crate) fn members_changed(&self) {
        self.members_epoch.fetch_add(1, Ordering::AcqRel);
    }

    pub fn session_cache(&self) -> &SessionCache {
        &self.session_cache
    }

    /// A user or one of their sessions changed: forget the cached lookups here, and tell the
    /// other nodes (PostgreSQL `NOTIFY`, delivered to every listening server).
    pub(crate) async fn auth_changed(&self, user_id: &str) -> Result<(), StoreError> {
        self.session_cache.forget_user(user_id);
        if let Pools::Postgres(pool) = &self.pools {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(auth_notify::CHANNEL)
                .bind(user_id)
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    pub fn pools(&self) -> &Pools {
        &self.pools
    }

    pub fn dialect(&self) -> Dialect {
        match self.pools {
            Pools::Sqlite { .. } => Dialect::Sqlite,
            Pools::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Cheap liveness check used by `/system/ping?get_server_status=true`.
    pub async fn ping(&self, timeout: Duration) -> Result<(), StoreError> {
        let check = async {
            with_reader!(self, |pool| sqlx::query("SELECT 1")
                .execute(pool)
                .await
                .map(|_| ()))
        };
        match tokio::time::timeout(timeout, check).await {
            Ok(result) => result.map_err(StoreError::from),
            Err(_) => Err(StoreError::Unavailable("ping timed out".into())),
        }
    }

    /// Reads a `systems` value.
    pub async fn system_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        let value: Option<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT value FROM systems WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await
        })?;
        Ok(value.map(|(v,)| v))
    }

    /// Writes a `systems` value only if the key is absent; returns the value in force.
    pub async fn system_value_init(&self, name: &str, value: &str) -> Result<String, StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO systems (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(value)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(self
            .system_value(name)
            .await?
            .unwrap_or_else(|| value.to_string()))
    }

    /// Writes (inserts or replaces) a `systems` value.
    pub async fn set_system_value(&self, name: &str, value: &str) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO systems (name, value) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(name)
            .bind(value)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Closes every pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}
