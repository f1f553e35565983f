//! Licensing in core: the port the licensing capability works through, start-up, the API
//! operations, the watcher that keeps every node in step, and the seat check.
//!
//! Core never decides what a license means: it asks `extensions.licensing` (Team Edition or
//! the enterprise crate) and installs the snapshot it answers in `AppState`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use townsquare_sdk::licensing::LoadMode;
use townsquare_sdk::model::{TermsOfService, User, UserTermsOfService};
use townsquare_sdk::terms::TermsStore;
use townsquare_sdk::{
    AppError, Entitlements, LicenseFile, LicenseHost, LicensePreview, LicenseSnapshot,
    LicenseState, StoredLicense,
};

use crate::error::Result;
use crate::id::new_id;
use crate::state::AppState;
use crate::store::licenses::LicenseMarker;
use crate::store::StoreError;
use crate::time::now_ms;

/// How often a node looks for license changes made by another node or the command line.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// The longest time between two re-evaluations of the license state (besides the exact
/// instants at which the state changes).
const RE_EVALUATE_EVERY_MS: i64 = 60 * 60 * 1000;
/// A license file larger than this is not even read (licenses are at most 16 KiB).
const MAX_FILE_READ: u64 = 1024 * 1024;

fn store_error(err: StoreError) -> AppError {
    *crate::Error::from(err).0
}

/// The server as licensing code sees it: each async call is one store transaction.
pub struct Host<'a> {
    state: &'a AppState,
}

impl<'a> Host<'a> {
    pub fn new(state: &'a AppState) -> Self {
        Host { state }
    }
}

#[async_trait]
impl LicenseHost for Host<'_> {
    fn now_ms(&self) -> i64 {
        now_ms()
    }

    fn service_environment(&self) -> &str {
        self.state.runtime.service_environment.as_str()
    }

    fn environment_license(&self) -> Option<&str> {
        self.state.runtime.license.as_deref()
    }

    async fn license_file(&self) -> Result<Option<LicenseFile>, AppError> {
        let path = self.state.config().service.license_file_location.clone();
        if path.trim().is_empty() {
            return Ok(None);
        }
        let unreadable = |cause: String| {
            AppError::bad_request(
                "api.license.file_unreadable.app_error",
                format!(
                    "The license file {path} (ServiceSettings.LicenseFileLocation) cannot be \
                     read: {cause}. Fix the path or its permissions, or clear the setting."
                ),
            )
        };
        let metadata = tokio::fs::metadata(&path)
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        if metadata.len() > MAX_FILE_READ {
            return Err(unreadable(format!("it is {} bytes", metadata.len())));
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        Ok(Some(LicenseFile { path, bytes }))
    }

    async fn active_license(&self) -> Result<Option<StoredLicense>, AppError> {
        self.state.store.active_license().await.map_err(store_error)
    }

    async fn activate_license(&self, id: &str, bytes: &str) -> Result<(), AppError> {
        self.state
            .store
            .activate_license(id, bytes, now_ms(), &new_id())
            .await
            .map_err(store_error)
    }

    async fn clear_active_license(&self) -> Result<(), AppError> {
        self.state
            .store
            .clear_active_license(&new_id())
            .await
            .map_err(store_error)
    }

    async fn count_active_users(&self) -> Result<u64, AppError> {
        let count = self
            .state
            .store
            .count_active_humans()
            .await
            .map_err(store_error)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

#[async_trait]
impl TermsStore for Host<'_> {
    fn now_ms(&self) -> i64 {
        now_ms()
    }

    fn new_id(&self) -> String {
        new_id()
    }

    async fn insert_terms(&self, terms: &TermsOfService) -> Result<(), AppError> {
        self.state
            .store
            .insert_terms(terms)
            .await
            .map_err(store_error)
    }

    async fn latest_terms(&self) -> Result<Option<TermsOfService>, AppError> {
        self.state.store.latest_terms().await.map_err(store_error)
    }

    async fn terms(&self, id: &str) -> Result<Option<TermsOfService>, AppError> {
        self.state.store.terms(id).await.map_err(store_error)
    }

    async fn save_acceptance(&self, acceptance: &UserTermsOfService) -> Result<(), AppError> {
        self.state
            .store
            .save_terms_acceptance(acceptance)
            .await
            .map_err(store_error)
    }

    async fn delete_acceptance(&self, user_id: &str, terms_id: &str) -> Result<(), AppError> {
        self.state
            .store
            .delete_terms_acceptance(user_id, terms_id)
            .await
            .map_err(store_error)
    }

    async fn acceptance(&self, user_id: &str) -> Result<Option<UserTermsOfService>, AppError> {
        self.state
            .store
            .terms_acceptance(user_id)
            .await
            .map_err(store_error)
    }
}

/// Evaluates the license sources without installing anything.
pub async fn evaluate(state: &AppState, mode: LoadMode) -> LicenseSnapshot {
    state
        .extensions
        .licensing
        .load(&Host::new(state), mode)
        .await
}

/// Start-up: load the license in force (importing the license file if configured), install
/// it and tell the administrator about it in the log.
pub async fn start(state: &AppState) {
    let snapshot = evaluate(state, LoadMode::StartUp).await;
    for problem in &snapshot.problems {
        tracing::error!(
            error_id = %problem.id,
            "{} cannot be used: {}",
            problem.origin.describe(),
            problem.message
        );
    }
    match snapshot.entitlements.installed() {
        Some(installed) => {
            let license = &installed.license;
            tracing::info!(
                license_id = %license.id,
                source = ?installed.source,
                state = ?installed.state,
                sku = %license.sku_name,
                customer = %license.customer.company,
                expires_at = license.expires_at,
                "license loaded"
            );
            if installed.is_development {
                tracing::warn!(
                    license_id = %license.id,
                    "the license in force is signed with the public DEVELOPMENT key: for local \
                     trials and tests only, never for production use"
                );
            }
            warn_about_state(&snapshot.entitlements);
        }
        None => {
            if !state.extensions.licensing.follows_store() {
                // Team Edition: say that a stored license is kept but not used.
                if let Ok(Some(stored)) = state.store.active_license().await {
                    tracing::info!(
                        license_id = %stored.id,
                        "the database holds a license; this Team Edition build ignores it and \
                         leaves it untouched (an Enterprise build will use it again)"
                    );
                }
            }
        }
    }
    state.install_license(snapshot);
}

fn warn_about_state(entitlements: &Entitlements) {
    let Some(installed) = entitlements.installed() else {
        return;
    };
    let license = &installed.license;
    match installed.state {
        LicenseState::Grace => tracing::warn!(
            license_id = %license.id,
            expired_at = license.expires_at,
            grace_ends_at = license.grace_ends_at(),
            "the license has EXPIRED and is in its grace period: licensed features stop at the \
             end of the grace period; upload a renewed license"
        ),
        LicenseState::Expired => tracing::warn!(
            license_id = %license.id,
            "the license has expired: licensed features are off (data is kept); upload a \
             renewed license"
        ),
        LicenseState::NotStarted => tracing::warn!(
            license_id = %license.id,
            starts_at = license.starts_at,
            "the license has not started yet: licensed features are off until it starts"
        ),
        LicenseState::Active => {}
    }
}

/// Whether two snapshots say the same thing (ignoring the evaluation instant).
fn same_standing(a: &Entitlements, b: &Entitlements) -> bool {
    match (a.installed(), b.installed()) {
        (Some(x), Some(y)) => {
            x.license == y.license
                && x.source == y.source
                && x.state == y.state
                && a.allowed() == b.allowed()
        }
        (None, None) => true,
        _ => false,
    }
}

fn install_and_log(state: &AppState, snapshot: LicenseSnapshot, why: &str) {
    let new = snapshot.entitlements.clone();
    let old = state.install_license(snapshot);
    if !same_standing(&old, &new) {
        match new.installed() {
            Some(installed) => tracing::info!(
                license_id = %installed.license.id,
                state = ?installed.state,
                licensed = new.is_licensed(),
                "license changed ({why})"
            ),
            None => tracing::info!("license removed ({why}); licensed features are off"),
        }
        warn_about_state(&new);
        // Everyone gets the sanitised map; admins refetch the full one over REST.
        let client = serde_json::to_value(new.client_map(true)).unwrap_or_default();
        state
            .realtime
            .publish(crate::realtime::events::license_changed(client));
    }
}

/// `POST /api/v4/license`: verify, check, store, activate, swap. No restart.
pub async fn upload(state: &AppState, bytes: &[u8]) -> Result<Arc<townsquare_sdk::License>> {
    let snapshot = state
        .extensions
        .licensing
        .upload(&Host::new(state), bytes)
        .await?;
    let license = snapshot
        .entitlements
        .license()
        .cloned()
        .ok_or_else(|| AppError::internal("an uploaded license is not installed"))?;
    install_and_log(state, snapshot, "uploaded");
    Ok(license)
}

/// `POST /api/v4/license/preview`.
pub async fn preview(state: &AppState, bytes: &[u8]) -> Result<LicensePreview> {
    Ok(state
        .extensions
        .licensing
        .preview(&Host::new(state), bytes)
        .await?)
}

/// `DELETE /api/v4/license`: clears `ActiveLicenseId`; the stored row stays.
pub async fn remove(state: &AppState) -> Result<()> {
    let snapshot = state.extensions.licensing.remove(&Host::new(state)).await?;
    install_and_log(state, snapshot, "removed");
    Ok(())
}

/// Reloads the license after a change made elsewhere (another node, the command line).
pub async fn reload(state: &AppState) {
    let snapshot = evaluate(state, LoadMode::Reload).await;
    install_and_log(state, snapshot, "changed in the database");
}

/// Re-evaluates the license state at `now` (expiry, grace, start).
pub fn re_evaluate(state: &AppState, now: i64) {
    let current = state.entitlements_full();
    let next = current.re_evaluated(now);
    let (from, to) = (current.state(), next.state());
    let warn = next.clone();
    // An upload or removal that happened meanwhile wins over the re-evaluation.
    if state.replace_entitlements(&current, next) && from != to {
        tracing::info!(from = ?from, to = ?to, "license state changed");
        warn_about_state(&warn);
    }
}

/// Runs until `stop` turns true: every [`POLL_INTERVAL`] it looks for license changes made
/// elsewhere, and re-evaluates the license state when it is due to change (and at least
/// hourly).
pub async fn watch(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let follows_store = state.extensions.licensing.follows_store();
    // `None` makes the first poll reload once, which closes the gap between start-up and
    // the first poll.
    let mut marker: Option<LicenseMarker> = None;
    let mut last_evaluation = now_ms();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
        if follows_store {
            match state.store.license_marker().await {
                Ok(current) if marker.as_ref() != Some(&current) => {
                    marker = Some(current);
                    reload(&state).await;
                    last_evaluation = now_ms();
                    continue;
                }
                Ok(_) => {}
                Err(err) => tracing::debug!(error = %err, "cannot check for license changes"),
            }
        }
        let now = now_ms();
        let due = state
            .entitlements()
            .next_change_at_ms()
            .is_some_and(|at| at <= now)
            || now - last_evaluation >= RE_EVALUATE_EVERY_MS;
        if due {
            re_evaluate(&state, now);
            last_evaluation = now;
        }
    }
}

/// Refuses one more active user when an enforced license has no seat left.
pub async fn check_seat_available(state: &AppState) -> Result<()> {
    let entitlements = state.entitlements_full();
    state
        .extensions
        .licensing
        .check_seat_available(&Host::new(state), &entitlements)
        .await?;
    Ok(())
}

/// Fills `terms_of_service_id` / `terms_of_service_create_at` on the user (login,
/// `users/me`) while custom terms of service are in force.
pub async fn attach_terms_acceptance(state: &AppState, user: &mut User) -> Result<()> {
    let entitlements = state.entitlements_full();
    let acceptance = state
        .extensions
        .custom_terms
        .acceptance(&Host::new(state), &entitlements, &user.id)
        .await?;
    if let Some(acceptance) = acceptance {
        user.terms_of_service_id = acceptance.terms_of_service_id;
        user.terms_of_service_create_at = acceptance.create_at;
    }
    Ok(())
}

/// Thirty days: the window of "monthly" active users.
const MONTH_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// `(monthly active users / licensed users) * 1000`, rounded; 0 without a license.
pub async fn load_metric(state: &AppState) -> Result<i64> {
    let entitlements = state.entitlements_full();
    let licensed_users = entitlements
        .license()
        .filter(|_| entitlements.is_licensed())
        .map(|license| license.features.users)
        .unwrap_or(0);
    if licensed_users == 0 {
        return Ok(0);
    }
    let active = state
        .store
        .count_recently_active_humans(now_ms() - MONTH_MS)
        .await?;
    Ok((active as f64 / licensed_users as f64 * 1000.0).round() as i64)
}

/// Enforced seat limits `(limit, hard limit)` (0: none) and the active user count.
pub async fn seat_usage(state: &AppState) -> Result<(u64, u64, i64)> {
    let entitlements = state.entitlements_full();
    let (limit, hard) = match entitlements.license() {
        Some(license) if entitlements.is_licensed() && license.is_seat_count_enforced => {
            (license.features.users, license.seat_limit())
        }
        _ => (0, 0),
    };
    let active = state.store.count_active_humans().await?;
    Ok((limit, hard, active))
}
