//! What this binary is: versions, git commit, edition.

/// The Mattermost server version whose API we implement; clients gate features on it.
pub const COMPATIBLE_MATTERMOST_VERSION: &str = "11.6.0";

/// Townsquare's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Git commit of the source this binary was built from.
pub const GIT_HASH: &str = env!("TOWNSQUARE_GIT_HASH");

/// Commit date (ISO 8601) of that commit; stable across rebuilds of the same commit.
pub const COMMIT_DATE: &str = env!("TOWNSQUARE_COMMIT_DATE");

/// `BuildNumber` reported to clients.
pub fn build_number() -> String {
    format!("townsquare-{VERSION}")
}
