//! What clients send about themselves: performance reports (validated and counted) and log
//! lines (into the server log at their level, size-limited, rate limited, secrets redacted).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use townsquare_sdk::AppError;
use utoipa::ToSchema;

use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;

/// Reports accepted since start (logged with each report; a metrics endpoint can read it).
static PERF_REPORTS: AtomicU64 = AtomicU64::new(0);
/// Measurements (counters and histogram samples) in those reports.
static PERF_SAMPLES: AtomicU64 = AtomicU64::new(0);

pub fn perf_reports_accepted() -> u64 {
    PERF_REPORTS.load(Ordering::Relaxed)
}

/// One measurement of Mattermost's `PerformanceReport`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PerfSample {
    pub metric: String,
    pub value: f64,
    #[serde(default)]
    pub timestamp: i64,
    #[serde(default)]
    pub labels: Option<HashMap<String, String>>,
}

/// Mattermost's `PerformanceReport`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PerfReport {
    pub version: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub labels: Option<HashMap<String, String>>,
    pub start: i64,
    pub end: i64,
    #[serde(default)]
    pub counters: Vec<PerfSample>,
    #[serde(default)]
    pub histograms: Vec<PerfSample>,
}

const MAX_SAMPLES: usize = 1000;
/// Reports older than this are refused (Mattermost keeps a similar window).
const REPORT_TTL_MS: i64 = 5 * 60 * 1000;

fn invalid(detail: &str) -> AppError {
    AppError::invalid_body_param("submitPerformanceReport").with_detail(detail.to_string())
}

fn valid_metric_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn validate(report: &PerfReport, now_ms: i64) -> std::result::Result<(), AppError> {
    let mut parts = report.version.trim_start_matches('v').split('.');
    let semver = parts.by_ref().take(3).all(|p| p.parse::<u64>().is_ok());
    if !semver || report.version.is_empty() {
        return Err(invalid("version is not a semantic version"));
    }
    if report.start <= 0 || report.end <= 0 || report.start > report.end {
        return Err(invalid("start and end must be positive and ordered"));
    }
    if report.end < now_ms - REPORT_TTL_MS {
        return Err(invalid("report is outdated"));
    }
    if report.counters.len() + report.histograms.len() > MAX_SAMPLES {
        return Err(invalid("too many measurements"));
    }
    for sample in report.counters.iter().chain(&report.histograms) {
        if !valid_metric_name(&sample.metric) || !sample.value.is_finite() || sample.value < 0.0 {
            return Err(invalid("invalid measurement"));
        }
    }
    Ok(())
}

/// Validates and counts a report. `Ok(false)`: client metrics are off and it was dropped
/// unread, as Mattermost does.
pub fn submit_perf_report(
    state: &AppState,
    auth: &AuthContext,
    report: std::result::Result<PerfReport, AppError>,
) -> Result<bool> {
    if !state.config().metrics.enable_client_metrics {
        return Ok(false);
    }
    let report = report?;
    validate(&report, crate::time::now_ms())?;
    let samples = (report.counters.len() + report.histograms.len()) as u64;
    let total = PERF_REPORTS.fetch_add(1, Ordering::Relaxed) + 1;
    let total_samples = PERF_SAMPLES.fetch_add(samples, Ordering::Relaxed) + samples;
    tracing::debug!(
        target: "client_perf",
        user_id = %auth.user_id(),
        samples,
        reports_total = total,
        samples_total = total_samples,
        "client performance report"
    );
    Ok(true)
}

/// A client log line (Mattermost's `postLog` body).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ClientLog {
    pub level: String,
    pub message: String,
}

/// Longest message kept, in characters (Mattermost cuts at 400 too).
const MAX_MESSAGE_CHARS: usize = 400;
/// Lines per user (or per anonymous caller) and window.
const LOG_LINES_PER_WINDOW: u32 = 60;
const LOG_WINDOW: Duration = Duration::from_secs(60);

/// Per-caller counters for the log rate limit. Process-wide: a limit per node is enough to
/// keep one client from flooding this node's log.
fn log_budget() -> &'static Mutex<HashMap<String, (Instant, u32)>> {
    static BUDGET: OnceLock<Mutex<HashMap<String, (Instant, u32)>>> = OnceLock::new();
    BUDGET.get_or_init(|| Mutex::new(HashMap::new()))
}

fn within_budget(key: &str) -> bool {
    let now = Instant::now();
    let mut budget = log_budget().lock().unwrap_or_else(|e| e.into_inner());
    if budget.len() > 10_000 {
        budget.retain(|_, (start, _)| now.duration_since(*start) < LOG_WINDOW);
    }
    let entry = budget.entry(key.to_string()).or_insert((now, 0));
    if now.duration_since(entry.0) >= LOG_WINDOW {
        *entry = (now, 0);
    }
    entry.1 += 1;
    entry.1 <= LOG_LINES_PER_WINDOW
}

/// Replaces what looks like a credential (tokens, passwords, auth headers) with `[redacted]`.
pub fn redact(message: &str) -> String {
    const KEYS: [&str; 8] = [
        "token",
        "password",
        "passwd",
        "secret",
        "mmauthtoken",
        "authorization",
        "bearer",
        "csrf",
    ];
    let mut out = Vec::new();
    let mut redact_next = false;
    for word in message.split(' ') {
        let lower = word.to_ascii_lowercase();
        let key = KEYS.iter().find(|k| lower.contains(*k));
        if redact_next && !word.is_empty() {
            out.push("[redacted]".to_string());
            // `Authorization: Bearer abc`: the scheme is followed by the secret.
            redact_next = key.is_some();
            continue;
        }
        match (key, word.find(['=', ':'])) {
            (Some(_), Some(at)) if at + 1 < word.len() => {
                out.push(format!("{}[redacted]", &word[..=at]));
            }
            (Some(_), _) => {
                // `Bearer abc`, `password: abc`: the value is the next word.
                redact_next = true;
                out.push(word.to_string());
            }
            _ => out.push(word.to_string()),
        }
    }
    out.join(" ")
}

/// Writes a client's log line into the server log; returns the message as logged.
/// Without `ServiceSettings.EnableDeveloper` only signed-in users may log, and only system
/// admins' errors are logged as errors (others' go to debug), as in Mattermost.
pub fn client_log(
    state: &AppState,
    auth: Option<&AuthContext>,
    peer: &str,
    user_agent: &str,
    line: ClientLog,
) -> Result<String> {
    let developer = state.config().service.enable_developer;
    if !developer && auth.is_none() {
        return Err(AppError::new(
            403,
            "api.context.permissions.app_error",
            "You do not have the appropriate permissions.",
        )
        .into());
    }
    let key = auth
        .map(|a| a.user_id().to_string())
        .unwrap_or_else(|| format!("ip:{peer}"));
    if !within_budget(&key) {
        return Err(AppError::new(
            429,
            "api.logs.rate_limited.app_error",
            "Too many client log lines; try again later.",
        )
        .into());
    }
    let trusted = developer || auth.is_some_and(|a| a.can(Permission::ManageSystem));
    let mut message: String = line.message.chars().take(MAX_MESSAGE_CHARS).collect();
    message = format!("Client Logs API Endpoint Message: {}", redact(&message));
    let user_agent: String = user_agent.chars().take(200).collect();
    let user_id = auth.map(|a| a.user_id()).unwrap_or("");
    match (trusted, line.level.to_ascii_uppercase().as_str()) {
        (true, "ERROR") => {
            tracing::error!(target: "client_log", user_id, user_agent = %user_agent, "{message}")
        }
        (true, "WARN" | "WARNING") => {
            tracing::warn!(target: "client_log", user_id, user_agent = %user_agent, "{message}")
        }
        (true, "INFO") => {
            tracing::info!(target: "client_log", user_id, user_agent = %user_agent, "{message}")
        }
        _ => tracing::debug!(target: "client_log", user_id, user_agent = %user_agent, "{message}"),
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("failed token=abc123 for me"),
            "failed token=[redacted] for me"
        );
        assert_eq!(
            redact("Authorization: Bearer xyz"),
            "Authorization: [redacted] [redacted]"
        );
        assert_eq!(redact("password hunter2"), "password [redacted]");
        assert_eq!(redact("plain message"), "plain message");
    }

    #[test]
    fn versions_and_times_are_checked() {
        let now = 10_000_000;
        let report = |version: &str, start, end| PerfReport {
            version: version.into(),
            client_id: String::new(),
            labels: None,
            start,
            end,
            counters: vec![],
            histograms: vec![],
        };
        assert!(validate(&report("0.1.0", now - 10, now), now).is_ok());
        assert!(validate(&report("banana", now - 10, now), now).is_err());
        assert!(validate(&report("0.1.0", now, now - 10), now).is_err());
        assert!(validate(&report("0.1.0", 1, 2), now).is_err());
    }
}
