//! `GET /trial-license/prev`: the trial license this server had before.
//!
//! Mattermost's Team Edition has no license manager and answers 403
//! `api.license.upgrade_needed.app_error`; the Enterprise build answers the previous trial as a
//! client license map. Townsquare never requests trial licenses, so there is none to show:
//! the map of no license, `{"IsLicensed": "false"}`.

use std::collections::BTreeMap;

use townsquare_sdk::{AppError, Edition};

use crate::error::Result;
use crate::state::AppState;

pub fn previous_trial(state: &AppState) -> Result<BTreeMap<&'static str, String>> {
    if state.extensions.edition.edition() != Edition::Enterprise {
        return Err(AppError::new(
            403,
            "api.license.upgrade_needed.app_error",
            "This feature requires an upgrade to Enterprise Edition.",
        )
        .into());
    }
    Ok(BTreeMap::from([("IsLicensed", "false".to_string())]))
}
