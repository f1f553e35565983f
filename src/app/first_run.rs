//! Claiming a fresh server. The first account becomes system admin (as in Mattermost), so on a
//! server without accounts an anonymous sign-up must come from the machine itself or carry the
//! one-time setup code printed at start: reaching the port is not enough.

use std::sync::Mutex;

use rand::Rng;
use sha2::{Digest, Sha256};
use townsquare_sdk::AppError;

use crate::error::Result;
use crate::state::AppState;

/// Letters and digits that cannot be misread for one another (no I, L, O, U, 0, 1).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS: usize = 3;
const GROUP_LEN: usize = 4;

/// The current setup code, kept only as its SHA-256.
#[derive(Default)]
pub struct SetupCode(Mutex<Option<[u8; 32]>>);

impl SetupCode {
    fn set(&self, code: &str) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(digest(code));
    }

    /// Whether `code` is the current one (case, spaces and dashes do not matter).
    pub fn matches(&self, code: &str) -> bool {
        let stored = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        stored.is_some_and(|hash| hash == digest(code))
    }

    /// Spent: the server has an account now.
    pub fn clear(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

fn digest(code: &str) -> [u8; 32] {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(normal.as_bytes()).into()
}

fn generate() -> String {
    let mut rng = rand::thread_rng();
    let groups: Vec<String> = (0..GROUPS)
        .map(|_| {
            (0..GROUP_LEN)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect()
        })
        .collect();
    groups.join("-")
}

/// At start: on a server without accounts, a new setup code (returned once, for printing).
/// Each node of a cluster has its own; any of them claims the server through that node.
pub async fn issue_if_fresh(state: &AppState) -> Result<Option<String>> {
    if state.store.count_users(true, true).await? != 0 {
        return Ok(None);
    }
    let code = generate();
    state.setup_code.set(&code);
    Ok(Some(code))
}

/// What an anonymous caller brings to claim a fresh server.
#[derive(Debug, Default, Clone, Copy)]
pub struct Claim<'a> {
    /// The request came straight from a loopback address (not through a proxy).
    pub local: bool,
    pub setup_code: Option<&'a str>,
}

/// Whether `claim` may create the first account (the system admin).
pub fn check(state: &AppState, claim: Claim<'_>) -> std::result::Result<(), AppError> {
    if claim.local {
        return Ok(());
    }
    match claim.setup_code.filter(|c| !c.trim().is_empty()) {
        Some(code) if state.setup_code.matches(code) => Ok(()),
        Some(_) => Err(AppError::new(
            403,
            "api.user.create_user.setup_code_invalid.app_error",
            "The setup code is not valid. Use the code the server printed in its log when it \
             started without accounts.",
        )),
        None => Err(AppError::new(
            403,
            "api.user.create_user.setup_code_required.app_error",
            "This server has no accounts yet, and the first account becomes its system admin. \
             Create it from the server's own machine, or give the setup code the server printed \
             in its log at start (the setup_code field or the X-Townsquare-Setup-Code header).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_compared_loosely() {
        let code = generate();
        assert_eq!(code.len(), GROUPS * GROUP_LEN + GROUPS - 1);
        let setup = SetupCode::default();
        assert!(!setup.matches(&code));
        setup.set(&code);
        assert!(setup.matches(&code));
        assert!(setup.matches(&code.to_lowercase().replace('-', " ")));
        assert!(!setup.matches("AAAA-AAAA-AAAA"));
        setup.clear();
        assert!(!setup.matches(&code));
    }
}
