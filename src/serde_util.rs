//! Serde helpers shared by every layer (request models live in `app`, parsing in `api`).

use serde::{Deserialize, Deserializer};

/// Deserializes `null` as the type's default (clients send `"token": null`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
