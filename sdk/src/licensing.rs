//! The licensing capability and the port it works through.
//!
//! [`Licensing`] turns license sources (the `MM_LICENSE` environment variable, the active row
//! of the `licenses` table, the file at `ServiceSettings.LicenseFileLocation`) into
//! [`Entitlements`], and carries out uploads and removals. Core holds the resulting snapshot
//! and swaps it atomically; the Team Edition implementation never grants anything.
//!
//! Enterprise code reaches the server only through [`LicenseHost`], whose calls are coarse:
//! each async method is one core transaction.

use async_trait::async_trait;
use serde::Serialize;

use crate::entitlements::Entitlements;
use crate::error::AppError;
use crate::license::{License, LicenseState};

/// The `systems` key naming the active row of `licenses` (empty: none).
pub const ACTIVE_LICENSE_ID_KEY: &str = "ActiveLicenseId";
/// The `systems` key that changes with every license change, so that every node (and a
/// server whose license was changed by the command line) notices it.
pub const LICENSE_VERSION_KEY: &str = "LicenseVersion";

/// A row of the `licenses` table. Rows are never deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLicense {
    pub id: String,
    pub create_at: i64,
    /// The license file as uploaded (canonical armour).
    pub bytes: String,
}

/// The license file configured at `ServiceSettings.LicenseFileLocation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where a license came from, for problems shown to admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenseOrigin {
    /// `MM_LICENSE`.
    Environment,
    /// The active row of `licenses`.
    Database,
    /// `ServiceSettings.LicenseFileLocation`.
    File,
}

impl LicenseOrigin {
    pub fn describe(self) -> &'static str {
        match self {
            LicenseOrigin::Environment => "the MM_LICENSE environment variable",
            LicenseOrigin::Database => "the license stored in the database",
            LicenseOrigin::File => "the file at ServiceSettings.LicenseFileLocation",
        }
    }
}

/// A license source that was set but could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LicenseProblem {
    pub origin: LicenseOrigin,
    /// The Mattermost-style error id (e.g. `api.license.add_license.invalid_signature.app_error`).
    pub id: String,
    pub message: String,
}

impl LicenseProblem {
    pub fn new(origin: LicenseOrigin, error: &AppError) -> Self {
        LicenseProblem {
            origin,
            id: error.id.to_string(),
            message: error.message.to_string(),
        }
    }
}

/// The result of evaluating the license sources: what core swaps in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseSnapshot {
    pub entitlements: Entitlements,
    /// Sources that were set but not used, in precedence order.
    pub problems: Vec<LicenseProblem>,
}

impl LicenseSnapshot {
    pub fn new(entitlements: Entitlements) -> Self {
        LicenseSnapshot {
            entitlements,
            problems: Vec::new(),
        }
    }
}

/// What `POST /api/v4/license/preview` shows: the parsed license and what an upload would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicensePreview {
    pub license: License,
    pub state: LicenseState,
    /// Signed with the (public) development key.
    pub is_development: bool,
    /// The key id that signed it.
    pub kid: String,
    /// Active non-bot users now, compared with the license's seats by an upload.
    pub active_users: u64,
    /// Why an upload of this file would be refused now, if it would.
    pub upload_error: Option<AppError>,
}

/// The server, as licensing code sees it.
#[async_trait]
pub trait LicenseHost: Send + Sync {
    /// The server clock, ms since the Unix epoch (UTC).
    fn now_ms(&self) -> i64;
    /// `MM_SERVICEENVIRONMENT` (`production`, `dev` or `test`), from the process environment
    /// only, never from the config file.
    fn service_environment(&self) -> &str;
    /// The license content of `MM_LICENSE`, if set.
    fn environment_license(&self) -> Option<&str>;
    /// The configured license file, `None` when `LicenseFileLocation` is empty; an error when
    /// it is set but cannot be read.
    async fn license_file(&self) -> Result<Option<LicenseFile>, AppError>;
    /// The row `ActiveLicenseId` points at, if any.
    async fn active_license(&self) -> Result<Option<StoredLicense>, AppError>;
    /// Stores the license (a re-upload of a stored id re-activates it) and points
    /// `ActiveLicenseId` at it, in one transaction.
    async fn activate_license(&self, id: &str, bytes: &str) -> Result<(), AppError>;
    /// Clears `ActiveLicenseId`; the row stays.
    async fn clear_active_license(&self) -> Result<(), AppError>;
    /// Active (not deactivated) users that are not bots.
    async fn count_active_users(&self) -> Result<u64, AppError>;
}

/// Why [`Licensing::load`] is called, which decides how the license file is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadMode {
    /// Server start-up: a usable license file is imported (stored and activated) when the
    /// database has no active license.
    StartUp,
    /// The stored license changed (another node, the command line): the file is not
    /// consulted, so a removal is not undone by it until the next start.
    Reload,
    /// What start-up would do, writing nothing (`townsquare edition check`).
    DryRun,
}

/// The licensing capability of a build.
#[async_trait]
pub trait Licensing: Send + Sync + 'static {
    /// Evaluates the sources in precedence order: `MM_LICENSE`, the active database license,
    /// the license file (see [`LoadMode`]). Re-verifies signatures but never re-checks seats:
    /// a Team build may have added users meanwhile. Never fails: unusable sources are
    /// reported in [`LicenseSnapshot::problems`].
    async fn load(&self, host: &dyn LicenseHost, mode: LoadMode) -> LicenseSnapshot;

    /// Verifies and installs an uploaded license file. On any error nothing is stored.
    async fn upload(
        &self,
        host: &dyn LicenseHost,
        bytes: &[u8],
    ) -> Result<LicenseSnapshot, AppError>;

    /// Verifies a license file and says what an upload would do; stores nothing.
    async fn preview(
        &self,
        host: &dyn LicenseHost,
        bytes: &[u8],
    ) -> Result<LicensePreview, AppError>;

    /// Clears the active license (the row stays).
    async fn remove(&self, host: &dyn LicenseHost) -> Result<LicenseSnapshot, AppError>;

    /// Refuses one more active user when the license in force enforces its seat count and
    /// every seat (`users + extra_users`) is taken.
    async fn check_seat_available(
        &self,
        host: &dyn LicenseHost,
        entitlements: &Entitlements,
    ) -> Result<(), AppError>;

    /// Whether a change of the stored license can change what [`Licensing::load`] returns,
    /// so that core should watch for changes made by other nodes or the command line.
    fn follows_store(&self) -> bool {
        false
    }
}

/// 400 when creating or reactivating a user would take more seats than an enforced license
/// allows (`users + extra_users`).
pub fn seat_limit_reached(seat_limit: u64) -> AppError {
    AppError::bad_request(
        "api.user.create_user.license_user_limits.exceeded",
        format!(
            "This server's license allows {seat_limit} active users and every seat is taken. \
             Deactivate a user or upload a license with more seats."
        ),
    )
}
