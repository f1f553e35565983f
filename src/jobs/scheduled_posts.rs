//! Sends scheduled posts when they are due: one pass every
//! `ServiceSettings.ScheduledPostsCheckIntervalSeconds`, until the server stops. Several nodes
//! may run it at once: each post is claimed by exactly one (`app::scheduled_posts::send_due`).

use std::time::Duration;

use tokio::sync::watch;

use crate::app::scheduled_posts;
use crate::state::AppState;

/// Runs passes until `stopping` turns true. Failures (a database outage) are logged and the
/// next pass retries; the interval is re-read each time, so a configuration change applies.
pub async fn run(state: AppState, mut stopping: watch::Receiver<bool>) {
    loop {
        let seconds = state
            .config()
            .service
            .scheduled_posts_check_interval_seconds;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(seconds.max(1))) => {}
            _ = stopping.wait_for(|stopping| *stopping) => return,
        }
        match scheduled_posts::send_due(&state).await {
            Ok(pass) if pass.sent + pass.failed > 0 => {
                tracing::info!(
                    sent = pass.sent,
                    failed = pass.failed,
                    "scheduled posts processed"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "sending scheduled posts failed; will retry"),
        }
    }
}
