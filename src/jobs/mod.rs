//! Periodic housekeeping. Every job is idempotent, so running it on several nodes at once is
//! harmless (a cluster may later elect one runner).

pub mod post_reminders;
pub mod scheduled_posts;

use std::time::Duration;

use crate::app::throttle;
use crate::state::AppState;
use crate::time::now_ms;

/// How often housekeeping runs.
pub const INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Deletes expired sessions and login-attempt counters that can no longer block anyone.
pub async fn housekeeping(state: &AppState) -> anyhow::Result<(u64, u64)> {
    let now = now_ms();
    let sessions = state.store.delete_expired_sessions(now).await?;
    let attempts = state
        .store
        .prune_login_attempts(now - throttle::WINDOW_MS - throttle::MAX_BLOCK_MS)
        .await?;
    if sessions + attempts > 0 {
        tracing::info!(
            expired_sessions = sessions,
            stale_login_counters = attempts,
            "housekeeping"
        );
    }
    Ok((sessions, attempts))
}

/// Runs housekeeping every [`INTERVAL`] until the task is dropped. Failures (for example a
/// database outage) are logged and retried on the next tick.
pub async fn run_periodic(state: AppState) {
    // Posts that predate the search index are tokenized once, in batches, at start-up.
    backfill_search_index(&state).await;
    // The first run waits a full interval: start-up itself writes nothing.
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + INTERVAL, INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = housekeeping(&state).await {
            tracing::warn!(error = %err, "housekeeping failed; will retry");
        }
        if let Err(err) = remove_orphan_uploads(&state).await {
            tracing::warn!(error = %err, "orphan upload clean-up failed; will retry");
        }
    }
}

/// Removes uploads that no post claimed within [`crate::app::files::ORPHAN_AGE_MS`].
pub async fn remove_orphan_uploads(state: &AppState) -> anyhow::Result<u64> {
    let root = crate::app::files::root(state);
    let cutoff = now_ms() - crate::app::files::ORPHAN_AGE_MS;
    let removed = crate::app::files::remove_orphans(&state.store, &root, cutoff)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    if removed > 0 {
        tracing::info!(removed, "orphan uploads removed");
    }
    Ok(removed)
}

/// Drains the search backfill queue the migration filled; stops quietly on errors (the next
/// start resumes where it stopped).
pub async fn backfill_search_index(state: &AppState) {
    let mut total = 0;
    loop {
        match state.store.backfill_search_index().await {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(err) => {
                tracing::warn!(error = %err, "search index backfill stopped");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(posts = total, "search index backfilled");
    }
}
