//! What the running build is.

use serde::Serialize;

/// The two editions built from this codebase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    Team,
    Enterprise,
}

impl Edition {
    pub fn display_name(self) -> &'static str {
        match self {
            Edition::Team => "Team Edition",
            Edition::Enterprise => "Enterprise Edition",
        }
    }
}

/// Facts about the edition compiled into this binary.
///
/// Core provides the Team implementation; the enterprise crate replaces it at start-up.
pub trait EditionInfo: Send + Sync + 'static {
    fn edition(&self) -> Edition;

    /// Hash identifying the enterprise code in this build; empty in Team Edition.
    fn build_hash_enterprise(&self) -> &str {
        ""
    }
}
