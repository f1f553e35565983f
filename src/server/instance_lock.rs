//! "A server is using this database". A server holds a shared lock for as long as it serves;
//! a destructive command-line tool takes the same lock exclusively, so it can tell, and no
//! server can start while it runs.
//!
//! SQLite: an OS file lock on `<database file>.lock` (not on the database file itself: closing
//! any descriptor of that file would drop SQLite's own locks). PostgreSQL: a session-level
//! advisory lock on a connection kept outside the pool; advisory locks are per database.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use anyhow::Context;
use sqlx::Connection;

use crate::store::{Pools, Store};

/// Advisory lock key for "a server is serving this database" ("tsserver"); distinct from the
/// migration lock.
const PG_KEY: i64 = 0x7473_7365_7276_6572;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Held by every running server; several servers may share a database.
    Shared,
    /// Taken by a destructive tool: only when no server holds the lock.
    Exclusive,
}

/// A held lock; released on [`InstanceLock::release`] or when dropped.
#[derive(Debug)]
pub struct InstanceLock {
    holder: Holder,
}

#[derive(Debug)]
enum Holder {
    File(#[allow(dead_code)] File),
    Postgres(sqlx::PgConnection),
}

/// The lock file of an SQLite store.
pub fn lock_path(store: &Store) -> Option<PathBuf> {
    match store.pools() {
        Pools::Sqlite { write, .. } => {
            let mut path = write
                .connect_options()
                .get_filename()
                .as_os_str()
                .to_owned();
            path.push(".lock");
            Some(PathBuf::from(path))
        }
        Pools::Postgres(_) => None,
    }
}

/// Tries to take the lock without waiting. `Ok(None)`: someone holds it in a conflicting mode
/// (for [`Mode::Exclusive`]: a server is running on this database).
pub async fn try_acquire(store: &Store, mode: Mode) -> anyhow::Result<Option<InstanceLock>> {
    match store.pools() {
        Pools::Sqlite { .. } => {
            let path = lock_path(store).context("SQLite store without a file")?;
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("cannot open the lock file {}", path.display()))?;
            if try_flock(&file, mode).with_context(|| format!("cannot lock {}", path.display()))? {
                Ok(Some(InstanceLock {
                    holder: Holder::File(file),
                }))
            } else {
                Ok(None)
            }
        }
        Pools::Postgres(pool) => {
            // A connection of its own: the lock lives as long as this session.
            let mut conn = pool
                .acquire()
                .await
                .context("connecting for the instance lock")?
                .detach();
            let sql = match mode {
                Mode::Shared => "SELECT pg_try_advisory_lock_shared($1)",
                Mode::Exclusive => "SELECT pg_try_advisory_lock($1)",
            };
            let (taken,): (bool,) = sqlx::query_as(sql)
                .bind(PG_KEY)
                .fetch_one(&mut conn)
                .await
                .context("taking the instance lock")?;
            if taken {
                Ok(Some(InstanceLock {
                    holder: Holder::Postgres(conn),
                }))
            } else {
                let _ = conn.close().await;
                Ok(None)
            }
        }
    }
}

/// `flock` without waiting; `false` when a conflicting lock is held. The lock goes with the
/// file's last descriptor, so a crashed server never leaves it behind.
#[cfg(unix)]
fn try_flock(file: &File, mode: Mode) -> std::io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    let operation = match mode {
        Mode::Shared => FlockOperation::NonBlockingLockShared,
        Mode::Exclusive => FlockOperation::NonBlockingLockExclusive,
    };
    match flock(file, operation) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Elsewhere there is no detection: the lock always succeeds.
#[cfg(not(unix))]
fn try_flock(_file: &File, _mode: Mode) -> std::io::Result<bool> {
    Ok(true)
}

impl InstanceLock {
    /// Releases the lock (closing the PostgreSQL session cleanly).
    pub async fn release(self) {
        match self.holder {
            Holder::File(file) => drop(file),
            Holder::Postgres(conn) => {
                let _ = conn.close().await;
            }
        }
    }
}
