//! Public file links (`FileSettings.EnablePublicLink`): `{SiteURL}/files/{id}/public?h=...`,
//! where `h` is an HMAC-SHA256 of the file id keyed with `FileSettings.PublicLinkSalt`.
//!
//! An empty salt is generated once and kept in `systems`, so links outlive restarts and
//! every node agrees on it; the salt is never logged or sent.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::files::{file_not_found, readable_file, FileInfo};
use crate::error::Result;
use crate::id::new_id;
use crate::state::AppState;

/// The `systems` key of a generated salt.
const SALT_KEY: &str = "PublicLinkSalt";
/// Mattermost's length for a generated salt.
const SALT_CHARS: usize = 32;

type HmacSha256 = Hmac<Sha256>;

fn disabled() -> AppError {
    AppError::new(
        403,
        "api.file.get_public_link.disabled.app_error",
        "Public links have been disabled.",
    )
}

fn invalid_hash() -> AppError {
    AppError::bad_request(
        "api.file.get_file.public_invalid.app_error",
        "The public link does not appear to be valid.",
    )
}

/// Makes sure a salt is in force: the configured one, else the database's (generated and
/// stored on the first start of the first node).
pub async fn init_salt(state: &AppState) -> Result<()> {
    let config = state.config();
    if !config.file.public_link_salt.is_empty() {
        return Ok(());
    }
    let generated: String = format!("{}{}", new_id(), new_id())
        .chars()
        .take(SALT_CHARS)
        .collect();
    let salt = state.store.system_value_init(SALT_KEY, &generated).await?;
    let mut updated = (**config).clone();
    updated.file.public_link_salt = salt;
    state.config.store(Arc::new(updated));
    Ok(())
}

/// `h` of a file's public link.
pub fn link_hash(salt: &str, file_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(salt, file_id).finalize().into_bytes())
}

fn mac(salt: &str, file_id: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(salt.as_bytes()).expect("any key length");
    mac.update(file_id.as_bytes());
    mac
}

/// Whether `hash` is the file's link hash, compared in constant time.
fn hash_matches(salt: &str, file_id: &str, hash: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(hash) {
        Ok(bytes) => mac(salt, file_id).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The public link of a file the caller may read; only files of a live post have one.
pub async fn link(
    state: &AppState,
    auth: &AuthContext,
    file_id: &str,
    site_url: &str,
) -> Result<String> {
    let config = state.config();
    if !config.file.enable_public_link {
        return Err(disabled().into());
    }
    let info = readable_file(state, auth, file_id).await?;
    if info.post_id.is_empty() {
        return Err(AppError::bad_request(
            "api.file.get_public_link.no_post.app_error",
            "Unable to get public link for file. File must be attached to a post that can be read by the current user.",
        )
        .into());
    }
    Ok(format!(
        "{}/files/{}/public?h={}",
        site_url.trim_end_matches('/'),
        info.id,
        link_hash(&config.file.public_link_salt, &info.id)
    ))
}

/// The file behind a public link, without a session: links must be on, the file and its
/// post alive, and the hash right.
pub async fn public_file(state: &AppState, file_id: &str, hash: &str) -> Result<FileInfo> {
    let config = state.config();
    if !config.file.enable_public_link {
        return Err(disabled().into());
    }
    let info = state
        .store
        .file_info(file_id)
        .await?
        .filter(|f| f.delete_at == 0 && !f.post_id.is_empty())
        .ok_or_else(file_not_found)?;
    let post_live = state
        .store
        .post(&info.post_id)
        .await?
        .is_some_and(|p| p.delete_at == 0);
    if !post_live {
        return Err(file_not_found().into());
    }
    if hash.is_empty() || !hash_matches(&config.file.public_link_salt, &info.id, hash) {
        return Err(invalid_hash().into());
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_salt_and_id() {
        let salt = "s".repeat(32);
        let hash = link_hash(&salt, "file1");
        assert_eq!(hash.len(), 43);
        assert!(hash_matches(&salt, "file1", &hash));
        assert!(!hash_matches(&salt, "file2", &hash));
        assert!(!hash_matches(&"t".repeat(32), "file1", &hash));
        assert!(!hash_matches(&salt, "file1", &hash[..42]));
        assert!(!hash_matches(&salt, "file1", "not base64!"));
        assert!(!hash_matches(&salt, "file1", ""));
    }
}
