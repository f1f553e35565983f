//! Macros that expand one generic query body once per backend.

/// Runs `$body` with `$conn` bound to a pool suitable for reads.
macro_rules! with_reader {
    ($store:expr, |$conn:ident| $body:expr) => {
        match $store.pools() {
            $crate::store::Pools::Sqlite { read, .. } => {
                let $conn = read;
                $body
            }
            $crate::store::Pools::Postgres(pool) => {
                let $conn = pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$conn` bound to a pool for single-statement writes.
macro_rules! with_writer {
    ($store:expr, |$conn:ident| $body:expr) => {
        match $store.pools() {
            $crate::store::Pools::Sqlite { write, .. } => {
                let $conn = write;
                $body
            }
            $crate::store::Pools::Postgres(pool) => {
                let $conn = pool;
                $body
            }
        }
    };
}

/// Runs the async block `$body` inside a write transaction bound to `$tx`; commits when it
/// returns `Ok`, rolls back otherwise. SQLite transactions start with `BEGIN IMMEDIATE` so a
/// second process (the CLI) waits on the busy timeout instead of failing mid-transaction.
macro_rules! with_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match $store.pools() {
            $crate::store::Pools::Sqlite { write, .. } => {
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let result = {
                    let $tx = &mut tx;
                    $body.await
                };
                match result {
                    Ok(value) => {
                        tx.commit().await?;
                        Ok(value)
                    }
                    Err(err) => Err(err),
                }
            }
            $crate::store::Pools::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let result = {
                    let $tx = &mut tx;
                    $body.await
                };
                match result {
                    Ok(value) => {
                        tx.commit().await?;
                        Ok(value)
                    }
                    Err(err) => Err(err),
                }
            }
        }
    };
}

/// Runs a list of `store::search::Stmt` (text binds) on a transaction from [`with_tx!`].
macro_rules! run_stmts {
    ($tx:expr, $stmts:expr) => {
        for stmt in $stmts {
            let mut query = sqlx::query(stmt.sql);
            for bind in &stmt.binds {
                query = query.bind(bind);
            }
            query.execute(&mut **$tx).await?;
        }
    };
}
