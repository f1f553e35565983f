//! Sends due post reminders every `ServiceSettings.PostReminderIntervalSeconds`. Each node
//! runs it; a reminder is claimed before it is sent, so no two nodes send the same one.

use std::time::Duration;

use crate::state::AppState;

/// Checks for due reminders until the task is dropped. Failures (a database outage) are
/// logged and retried on the next tick.
pub async fn run(state: AppState) {
    let every = Duration::from_secs(state.config().service.post_reminder_interval_seconds.max(1));
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match crate::app::post_reminders::send_due(&state).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "post reminders sent"),
            Err(err) => tracing::warn!(error = %err, "post reminders failed; will retry"),
        }
    }
}
