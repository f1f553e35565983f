//! Store errors, classified so the API can tell "the database is down" (503) from a bug (500).

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached: answer 503 and let the pool reconnect.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Sql(sqlx::Error),
    #[error("migration: {0}")]
    Migration(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            StoreError::Unavailable(err.to_string())
        } else {
            StoreError::Sql(err)
        }
    }
}

fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            // PostgreSQL: admin shutdown, cannot connect now, too many connections.
            matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03" | "53300" | "08006" | "08001" | "08004"))
                // PostgreSQL: the database refuses connections (ALLOW_CONNECTIONS false, shutdown).
                || db.message().contains("not currently accepting connections")
                // SQLite: the database file is locked beyond the busy timeout.
                || db.message().contains("database is locked")
        }
        _ => false,
    }
}

/// True when the error is a unique-constraint violation (both dialects).
pub fn is_unique_violation(err: &StoreError) -> bool {
    match err {
        StoreError::Sql(sqlx::Error::Database(db)) => db.is_unique_violation(),
        _ => false,
    }
}
