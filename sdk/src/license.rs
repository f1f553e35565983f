//! The license document: Mattermost's license JSON plus our `grace_period_days`.
//!
//! This is the parsed payload only. Reading license files and checking signatures is the
//! enterprise crate's job; core sees a `License` only after it has been verified.

use serde::{Deserialize, Deserializer, Serialize};

use crate::feature::Feature;

mod client;
mod date;
mod error;
mod features;

pub use client::{unlicensed_client_map, ClientLicense};
pub use date::format_utc;
pub use error::LicenseError;
pub use features::Features;

/// Largest license file accepted, armour and whitespace included.
pub const MAX_LICENSE_FILE_BYTES: usize = 16 * 1024;

/// Grace period when the payload does not set `grace_period_days`.
pub const DEFAULT_GRACE_PERIOD_DAYS: u32 = 10;

pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A license payload, with Mattermost's field names.
///
/// Unknown fields are ignored so that a license issued for a newer server still loads.
/// Serializing gives the shape `POST /api/v4/license` returns (see [`License::to_api_json`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct License {
    pub id: String,
    /// Milliseconds since the Unix epoch, UTC, like the other dates.
    pub issued_at: i64,
    pub starts_at: i64,
    pub expires_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub customer: Customer,
    /// `users` (seats), `future_features` and one boolean per feature.
    #[schema(value_type = Object)]
    pub features: Features,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sku_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sku_short_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_trial: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_gov_sku: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_seat_count_enforced: bool,
    /// Seats above `features.users` before the hard limit; Mattermost sends `null` for none.
    #[serde(default)]
    pub extra_users: Option<u64>,
    #[serde(
        default = "default_grace_period_days",
        deserialize_with = "grace_period_days"
    )]
    pub grace_period_days: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub company: String,
}

/// Where a license stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenseState {
    /// Before `starts_at`: features off.
    NotStarted,
    /// From `starts_at` to `expires_at`, both included: features on.
    Active,
    /// Up to `grace_period_days` after `expires_at`: features on, admins warned.
    Grace,
    /// Past the grace period: features off, exactly like Team Edition.
    Expired,
}

impl LicenseState {
    /// Whether licensed features work in this state.
    pub const fn features_on(self) -> bool {
        matches!(self, LicenseState::Active | LicenseState::Grace)
    }
}

impl License {
    /// The state at `now_ms` (milliseconds since the epoch, UTC).
    pub fn state_at(&self, now_ms: i64) -> LicenseState {
        if now_ms < self.starts_at {
            LicenseState::NotStarted
        } else if now_ms <= self.expires_at {
            LicenseState::Active
        } else if now_ms <= self.grace_ends_at() {
            LicenseState::Grace
        } else {
            LicenseState::Expired
        }
    }

    /// Last instant of the grace period (equal to `expires_at` when there is none).
    pub fn grace_ends_at(&self) -> i64 {
        let grace_ms = i64::from(self.grace_period_days).saturating_mul(DAY_MS);
        self.expires_at.saturating_add(grace_ms)
    }

    /// First instant after `now_ms` at which [`License::state_at`] changes, if any.
    pub fn next_state_change_after(&self, now_ms: i64) -> Option<i64> {
        [
            self.starts_at,
            self.expires_at.saturating_add(1),
            self.grace_ends_at().saturating_add(1),
        ]
        .into_iter()
        .find(|&at| at > now_ms)
    }

    /// Whether the license grants `feature`, ignoring dates and edition.
    ///
    /// Handlers should ask `Entitlements::allows` instead, which also checks those.
    pub fn grants(&self, feature: Feature) -> bool {
        self.features.grants(feature)
    }

    /// Users allowed before the hard limit: `features.users + extra_users`.
    pub fn seat_limit(&self) -> u64 {
        self.features
            .users
            .saturating_add(self.extra_users.unwrap_or(0))
    }

    /// Checks what serde cannot: a 26-character id and dates in order.
    pub fn validate(&self) -> Result<(), LicenseError> {
        let malformed = |reason: &str| LicenseError::MalformedPayload {
            reason: reason.to_owned(),
        };
        if self.id.len() != 26 || !self.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(malformed("id must be 26 letters and digits"));
        }
        if self.expires_at < self.starts_at {
            return Err(malformed("expires_at is before starts_at"));
        }
        Ok(())
    }

    /// The full license JSON that `POST /api/v4/license` answers with (Mattermost's
    /// shape): every feature resolved to `true`/`false`, `cloud: false`.
    pub fn to_api_json(&self) -> serde_json::Value {
        // Serializing plain strings, integers and booleans into a `Value` cannot fail.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

const fn default_grace_period_days() -> u32 {
    DEFAULT_GRACE_PERIOD_DAYS
}

fn grace_period_days<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    Ok(Option::<u32>::deserialize(deserializer)?.unwrap_or(DEFAULT_GRACE_PERIOD_DAYS))
}

#[cfg(test)]
mod tests;
