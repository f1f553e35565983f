//! What the system endpoints report: health of the database and file store, whether any
//! account exists, installation date and schema version.

use std::time::Duration;

use crate::error::Result;
use crate::state::AppState;

/// Whether the database answers within 2 s.
pub async fn database_healthy(state: &AppState) -> bool {
    match state.store.ping(Duration::from_secs(2)).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "database health check failed");
            false
        }
    }
}

/// Whether a probe file can be written in `FileSettings.Directory`.
pub async fn filestore_writable(state: &AppState) -> bool {
    let dir = std::path::PathBuf::from(&state.config().file.directory);
    if tokio::fs::create_dir_all(&dir).await.is_err() {
        return false;
    }
    let probe = dir.join(format!(".health-{}", crate::id::new_id()));
    let ok = tokio::fs::write(&probe, b"ok").await.is_ok();
    let _ = tokio::fs::remove_file(&probe).await;
    ok
}

/// No account exists yet (the first sign-up becomes system admin).
pub async fn no_accounts(state: &AppState) -> Result<bool> {
    Ok(state.store.count_users(true, true).await? == 0)
}

/// When this database was first set up (ms, as a string), or "".
pub async fn installation_date(state: &AppState) -> Result<String> {
    Ok(state
        .store
        .system_value("InstallationDate")
        .await?
        .unwrap_or_default())
}

/// The newest migration this binary knows.
pub fn schema_version() -> String {
    crate::store::migrate::latest_version().to_string()
}
