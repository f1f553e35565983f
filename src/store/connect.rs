//! Opening pools from `SqlSettings`.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Pools, Store, StoreError};
use crate::config::{SqlDriver, SqlSettings};

/// Opens the store. SQLite files (and their directory) are created on first use.
pub async fn connect(settings: &SqlSettings) -> Result<Store, StoreError> {
    match settings.driver() {
        Some(SqlDriver::Postgres) => connect_postgres(settings).await,
        _ => connect_sqlite(settings).await,
    }
}

/// The SQLite file named by a data source: a plain path or a `sqlite:` URL.
pub fn sqlite_path(data_source: &str) -> PathBuf {
    let trimmed = data_source.trim();
    let path = trimmed
        .strip_prefix("sqlite://")
        .or_else(|| trimmed.strip_prefix("sqlite:"))
        .unwrap_or(trimmed);
    let path = path.split('?').next().unwrap_or(path);
    PathBuf::from(path)
}

async fn connect_sqlite(settings: &SqlSettings) -> Result<Store, StoreError> {
    let path = sqlite_path(&settings.data_source);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    let synchronous = SqliteSynchronous::from_str(&settings.sqlite_synchronous)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(settings.query_timeout.max(1)))
        .pragma("temp_store", "memory");
    let acquire = Duration::from_secs(settings.connect_timeout_seconds);
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(acquire)
        .connect_with(options.clone())
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(settings.max_open_conns.max(2))
        .acquire_timeout(acquire)
        .connect_with(options.read_only(true))
        .await?;
    Ok(Store::from_pools(Pools::Sqlite { read, write }))
}

async fn connect_postgres(settings: &SqlSettings) -> Result<Store, StoreError> {
    let statement_timeout = format!("{}s", settings.query_timeout.max(1));
    let options = PgConnectOptions::from_str(&settings.data_source)
        .map_err(|e| StoreError::Unavailable(format!("invalid SqlSettings.DataSource: {e}")))?
        .application_name("townsquare")
        .options([("statement_timeout", statement_timeout.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_open_conns)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(settings.connect_timeout_seconds))
        .idle_timeout(Duration::from_secs(300))
        .test_before_acquire(true)
        .connect_with(options)
        .await?;
    Ok(Store::from_pools(Pools::Postgres(pool)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_path_forms() {
        assert_eq!(sqlite_path("./data/x.db"), PathBuf::from("./data/x.db"));
        assert_eq!(
            sqlite_path("sqlite://data/x.db?mode=rwc"),
            PathBuf::from("data/x.db")
        );
        assert_eq!(sqlite_path("sqlite:/abs/x.db"), PathBuf::from("/abs/x.db"));
    }
}
