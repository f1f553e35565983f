//! Versioned, reversible schema migrations, numbered in lockstep for both dialects.
//!
//! Each migration has `NNNN_name.up.sql` and `NNNN_name.down.sql` under `migrations/sqlite`
//! and `migrations/postgres`, embedded at compile time. Applied versions are recorded in
//! `db_migrations`. A database that has versions this binary does not know was migrated by a
//! newer Townsquare: we refuse to touch it.

use sha2::{Digest, Sha256};
use sqlx::Connection;

use super::{Dialect, Pools, Store, StoreError};

/// One migration, with its SQL for both dialects.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite_up: &'static str,
    sqlite_down: &'static str,
    postgres_up: &'static str,
    postgres_down: &'static str,
}

impl Migration {
    pub fn up(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite_up,
            Dialect::Postgres => self.postgres_up,
        }
    }

    pub fn down(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite_down,
            Dialect::Postgres => self.postgres_down,
        }
    }

    fn checksum(&self, dialect: Dialect) -> String {
        hex::encode(Sha256::digest(self.up(dialect).as_bytes()))
    }
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sqlite_up: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/sqlite/",
                $file,
                ".up.sql"
            )),
            sqlite_down: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/sqlite/",
                $file,
                ".down.sql"
            )),
            postgres_up: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/postgres/",
                $file,
                ".up.sql"
            )),
            postgres_down: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/postgres/",
                $file,
                ".down.sql"
            )),
        }
    };
}

/// Every migration this binary knows, ascending. A unit test checks it against the files.
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_init"),
    migration!(2, "0002_accounts"),
    migration!(3, "0003_licensing"),
    migration!(4, "0004_chat"),
    migration!(5, "0005_files_search"),
    migration!(6, "0006_sidebar_categories"),
    migration!(7, "0007_drafts_scheduled_posts"),
    migration!(8, "0008_bookmarks_reminders"),
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// The bookkeeping table; created outside the numbered migrations so it survives a full rollback.
const BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS db_migrations (\
    version BIGINT NOT NULL PRIMARY KEY, \
    name TEXT NOT NULL, \
    checksum TEXT NOT NULL, \
    applied_at BIGINT NOT NULL)";

/// Arbitrary constant for the PostgreSQL advisory lock that serialises migrating nodes.
const PG_LOCK_KEY: i64 = 0x7473_6d69_6772_6174;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub version: i64,
    pub name: String,
    pub checksum: String,
    pub applied_at: i64,
}

/// One line of `townsquare db status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub name: String,
    /// When it was applied (ms since epoch), or `None` if pending.
    pub applied_at: Option<i64>,
    /// Applied by a binary that does not know this migration.
    pub unknown: bool,
}

/// The versions applied and the versions this binary has, in version order.
pub async fn status(store: &Store) -> Result<Vec<MigrationStatus>, StoreError> {
    let applied = applied(store).await?;
    let mut rows: Vec<MigrationStatus> = MIGRATIONS
        .iter()
        .map(|m| MigrationStatus {
            version: m.version,
            name: m.name.to_string(),
            applied_at: applied
                .iter()
                .find(|a| a.version == m.version)
                .map(|a| a.applied_at),
            unknown: false,
        })
        .collect();
    for a in applied
        .iter()
        .filter(|a| MIGRATIONS.iter().all(|m| m.version != a.version))
    {
        rows.push(MigrationStatus {
            version: a.version,
            name: a.name.clone(),
            applied_at: Some(a.applied_at),
            unknown: true,
        });
    }
    rows.sort_by_key(|r| r.version);
    Ok(rows)
}

async fn applied(store: &Store) -> Result<Vec<AppliedMigration>, StoreError> {
    let rows: Vec<(i64, String, String, i64)> = with_writer!(store, |pool| {
        sqlx::query(BOOKKEEPING).execute(pool).await?;
        sqlx::query_as(
            "SELECT version, name, checksum, applied_at FROM db_migrations ORDER BY version",
        )
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(version, name, checksum, applied_at)| AppliedMigration {
            version,
            name,
            checksum,
            applied_at,
        })
        .collect())
}

/// Refuses a database this binary must not touch, before anything is changed.
pub fn check_compatible(dialect: Dialect, applied: &[AppliedMigration]) -> Result<(), StoreError> {
    if let Some(newest) = applied.iter().map(|a| a.version).max() {
        if newest > latest_version() {
            return Err(StoreError::Migration(format!(
                "this database has schema version {newest}, but this Townsquare binary only knows versions up to {}: \
                 it was migrated by a newer Townsquare. Run that newer version (or roll the database back with it) \
                 instead; nothing was changed",
                latest_version()
            )));
        }
    }
    for a in applied {
        let Some(known) = MIGRATIONS.iter().find(|m| m.version == a.version) else {
            return Err(StoreError::Migration(format!(
                "applied migration {} ({}) is unknown to this binary; nothing was changed",
                a.version, a.name
            )));
        };
        if known.name != a.name || known.checksum(dialect) != a.checksum {
            return Err(StoreError::Migration(format!(
                "migration {} was applied as {:?} with a different definition than this binary's {:?}; \
                 refusing to continue, nothing was changed",
                a.version, a.name, known.name
            )));
        }
    }
    Ok(())
}

/// Applies every pending migration, each in its own transaction. Returns the versions applied.
pub async fn migrate(store: &Store) -> Result<Vec<i64>, StoreError> {
    let dialect = store.dialect();
    let applied_before = applied(store).await?;
    check_compatible(dialect, &applied_before)?;
    let mut done = Vec::new();
    macro_rules! apply_all {
        ($conn:ident, $($begin:tt)+) => {
            for migration in MIGRATIONS {
                let mut tx = $conn.$($begin)+.await?;
                let already: Option<(i64,)> = sqlx::query_as("SELECT version FROM db_migrations WHERE version = $1")
                    .bind(migration.version)
                    .fetch_optional(&mut *tx)
                    .await?;
                if already.is_some() {
                    continue;
                }
                sqlx::raw_sql(migration.up(dialect))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::Migration(format!("migration {} failed: {e}", migration.name)))?;
                sqlx::query("INSERT INTO db_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                    .bind(migration.version)
                    .bind(migration.name)
                    .bind(migration.checksum(dialect))
                    .bind(crate::time::now_ms())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tracing::info!(version = migration.version, name = migration.name, "applied migration");
                done.push(migration.version);
            }
        };
    }
    match store.pools() {
        Pools::Sqlite { write, .. } => {
            let mut conn = write.acquire().await?;
            apply_all!(conn, begin_with("BEGIN IMMEDIATE"));
        }
        Pools::Postgres(pool) => {
            let mut conn = pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            let result: Result<(), StoreError> = async {
                // Another node may have migrated while we waited for the lock.
                check_compatible(dialect, &applied(store).await?)?;
                apply_all!(conn, begin());
                Ok(())
            }
            .await;
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            result?;
        }
    }
    Ok(done)
}

/// Reverts applied migrations newer than `target`, newest first. Returns the versions reverted.
pub async fn rollback(store: &Store, target: i64) -> Result<Vec<i64>, StoreError> {
    let dialect = store.dialect();
    let applied = applied(store).await?;
    check_compatible(dialect, &applied)?;
    let mut reverted = Vec::new();
    for a in applied.iter().rev().filter(|a| a.version > target) {
        let migration = MIGRATIONS
            .iter()
            .find(|m| m.version == a.version)
            .ok_or_else(|| StoreError::Migration(format!("unknown migration {}", a.version)))?;
        with_tx!(store, |tx| async {
            sqlx::raw_sql(migration.down(dialect))
                .execute(&mut **tx)
                .await
                .map_err(|e| {
                    StoreError::Migration(format!("rollback of {} failed: {e}", migration.name))
                })?;
            sqlx::query("DELETE FROM db_migrations WHERE version = $1")
                .bind(migration.version)
                .execute(&mut **tx)
                .await?;
            Ok::<_, StoreError>(())
        })?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "reverted migration"
        );
        reverted.push(migration.version);
    }
    Ok(reverted)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file on disk is listed, in lockstep for both dialects, with up and down.
    #[test]
    fn migration_list_matches_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for dialect in ["sqlite", "postgres"] {
            let mut names: Vec<String> = std::fs::read_dir(root.join(dialect))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            let expected: Vec<String> = MIGRATIONS
                .iter()
                .flat_map(|m| [format!("{}.down.sql", m.name), format!("{}.up.sql", m.name)])
                .collect();
            assert_eq!(
                names, expected,
                "migrations/{dialect} does not match MIGRATIONS"
            );
        }
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{}",
                m.name
            );
        }
    }

    #[test]
    fn newer_database_is_refused() {
        let applied = vec![AppliedMigration {
            version: latest_version() + 1,
            name: "9999_future".into(),
            checksum: String::new(),
            applied_at: 0,
        }];
        let err = check_compatible(Dialect::Sqlite, &applied)
            .unwrap_err()
            .to_string();
        assert!(err.contains("newer Townsquare"), "{err}");
    }
}
