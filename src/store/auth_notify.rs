//! Cross-node invalidation of the session cache on PostgreSQL: every change to a user or a
//! session sends `NOTIFY townsquare_auth, '<user id>'`, and each server listens and forgets
//! that user's cached lookups. While the listening connection is down the cache is off, and
//! it starts empty when the listener is back, so a missed notification can never leave a
//! revoked session usable.

use std::time::Duration;

use sqlx::postgres::PgListener;

use super::{Pools, Store};

pub const CHANNEL: &str = "townsquare_auth";

/// Listens until the task is aborted (server shutdown). Returns at once for SQLite.
pub async fn listen(store: Store) {
    let Pools::Postgres(pool) = store.pools() else {
        return;
    };
    let mut backoff = Duration::from_millis(100);
    loop {
        match PgListener::connect_with(pool).await {
            Ok(mut listener) => {
                if let Err(err) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %err, "session cache: LISTEN failed; cache off");
                } else {
                    store.session_cache().set_trusted(true);
                    backoff = Duration::from_millis(100);
                    // `None` or an error: the connection dropped and notifications may have
                    // been missed.
                    while let Ok(Some(notification)) = listener.try_recv().await {
                        store.session_cache().forget_user(notification.payload());
                    }
                }
                store.session_cache().set_trusted(false);
            }
            Err(err) => {
                store.session_cache().set_trusted(false);
                tracing::debug!(error = %err, "session cache: cannot connect the listener");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
