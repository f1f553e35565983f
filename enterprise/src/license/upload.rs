// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! What an upload checks beyond verification: dates and seats.

use townsquare_sdk::{License, LicenseError, LicenseState};

/// Refuses an upload of a verified license that is not usable now: not started, past
/// `expires_at` (even inside its grace period: grace is for renewing, not for installing),
/// or with fewer seats than `active_users` (active non-bot users).
///
/// Not for start-up loading: a stored license must load even if users were added meanwhile.
pub fn check_upload(license: &License, now_ms: i64, active_users: u64) -> Result<(), LicenseError> {
    match license.state_at(now_ms) {
        LicenseState::NotStarted => {
            return Err(LicenseError::NotStarted {
                starts_at: license.starts_at,
            })
        }
        LicenseState::Grace | LicenseState::Expired => {
            return Err(LicenseError::Expired {
                expires_at: license.expires_at,
            })
        }
        LicenseState::Active => {}
    }
    let seat_limit = license.seat_limit();
    if active_users > seat_limit {
        return Err(LicenseError::TooManyUsers {
            active_users,
            seat_limit,
        });
    }
    Ok(())
}
