//! The custom status (emoji, text, expiry), kept as JSON in the user's props.

use serde::{Deserialize, Serialize};
use townsquare_sdk::AppError;

use super::recent::add_recent_custom_status;
use super::{CUSTOM_STATUS_PROP, CUSTOM_STATUS_TEXT_MAX_RUNES};
use crate::app::auth::AuthContext;
use crate::app::preferences::require_self_or_editor;
use crate::app::users::missing_account;
use crate::error::Result;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::time::{format_rfc3339_nano, now_ms, parse_rfc3339, GO_ZERO_TIME};

const VALID_DURATIONS: [&str; 6] = [
    "thirty_minutes",
    "one_hour",
    "four_hours",
    "today",
    "this_week",
    "date_and_time",
];

/// The body of `PUT /users/{user_id}/status/custom`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CustomStatusInput {
    #[serde(deserialize_with = "nullable")]
    pub emoji: String,
    #[serde(deserialize_with = "nullable")]
    pub text: String,
    /// `""` (until cleared), `thirty_minutes`, `one_hour`, `four_hours`, `today`,
    /// `this_week` or `date_and_time`.
    #[serde(deserialize_with = "nullable")]
    pub duration: String,
    /// RFC 3339 time the status ends (required with a duration).
    #[serde(deserialize_with = "nullable")]
    pub expires_at: String,
}

/// A custom status as Mattermost stores it in the user's props (field order as Go writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CustomStatus {
    pub emoji: String,
    pub text: String,
    pub duration: String,
    pub expires_at: String,
}

/// Validates a custom status the way Mattermost does (`AreDurationAndExpirationTimeValid`,
/// `PreSave`): text is cut to 100 characters, an expiry without a duration is `date_and_time`.
pub fn custom_status_from(input: CustomStatusInput, now: i64) -> Result<CustomStatus, AppError> {
    let invalid = || AppError::invalid_body_param("custom_status");
    let expires = if input.expires_at.is_empty() {
        GO_ZERO_TIME
    } else {
        parse_rfc3339(&input.expires_at).ok_or_else(invalid)?
    };
    // Whole milliseconds, rounded down: before `now` exactly when the instant is.
    let expired = expires.timestamp_millis() < now;
    let valid = (input.duration.is_empty() && (expires == GO_ZERO_TIME || !expired))
        || (VALID_DURATIONS.contains(&input.duration.as_str()) && !expired);
    if !valid {
        return Err(invalid());
    }
    let duration = if input.duration.is_empty() && !expired {
        "date_and_time".to_string()
    } else {
        input.duration
    };
    let text: String = input
        .text
        .chars()
        .take(CUSTOM_STATUS_TEXT_MAX_RUNES)
        .collect();
    if input.emoji.is_empty() && text.is_empty() {
        return Err(AppError::bad_request(
            "api.custom_status.set_custom_statuses.update.app_error",
            "Failed to update the custom status: set an emoji or a text.",
        ));
    }
    Ok(CustomStatus {
        emoji: input.emoji,
        text,
        duration,
        expires_at: format_rfc3339_nano(expires),
    })
}

/// Sets a user's custom status (kept in props `customStatus`) and adds it to the user's
/// recent custom statuses preference.
pub async fn set_custom_status(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    input: CustomStatusInput,
) -> Result<()> {
    require_self_or_editor(auth, user_id)?;
    let now = now_ms();
    let status = custom_status_from(input, now)?;
    let json = serde_json::to_string(&status).map_err(AppError::internal)?;
    write_custom_status_prop(state, user_id, json, now).await?;
    if let Err(err) = add_recent_custom_status(state, user_id, &status).await {
        tracing::warn!(user_id, error = %err, "could not update recent custom statuses");
    }
    Ok(())
}

/// Clears a user's custom status (props `customStatus` becomes `""`, as in Mattermost).
pub async fn clear_custom_status(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
) -> Result<()> {
    require_self_or_editor(auth, user_id)?;
    write_custom_status_prop(state, user_id, String::new(), now_ms()).await
}

async fn write_custom_status_prop(
    state: &AppState,
    user_id: &str,
    value: String,
    now: i64,
) -> Result<()> {
    let mut user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    user.props
        .get_or_insert_with(Default::default)
        .insert(CUSTOM_STATUS_PROP.to_string(), value);
    user.update_at = now;
    state.store.update_user_profile(&user).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn input(duration: &str, expires_at: &str) -> CustomStatusInput {
        CustomStatusInput {
            emoji: "calendar".into(),
            text: "x".repeat(150),
            duration: duration.into(),
            expires_at: expires_at.into(),
        }
    }

    #[test]
    fn custom_status_rules() {
        let forever = custom_status_from(input("", ""), NOW).unwrap();
        assert_eq!(forever.duration, "");
        assert_eq!(forever.expires_at, "0001-01-01T00:00:00Z");
        assert_eq!(forever.text.chars().count(), 100);
        let zero = custom_status_from(input("", "0001-01-01T00:00:00Z"), NOW).unwrap();
        assert_eq!(
            (zero.duration.as_str(), zero.expires_at.as_str()),
            ("", "0001-01-01T00:00:00Z")
        );
        let later = custom_status_from(input("", "2030-01-01T00:00:00Z"), NOW).unwrap();
        assert_eq!(later.duration, "date_and_time");
        assert!(custom_status_from(input("one_hour", "2030-01-01T00:00:00Z"), NOW).is_ok());
        assert!(custom_status_from(input("one_hour", ""), NOW).is_err());
        assert!(custom_status_from(input("forever", "2030-01-01T00:00:00Z"), NOW).is_err());
        assert!(custom_status_from(input("", "2001-01-01T00:00:00Z"), NOW).is_err());
        assert!(custom_status_from(input("", "tomorrow"), NOW).is_err());
        let empty = CustomStatusInput::default();
        assert_eq!(
            custom_status_from(empty, NOW).unwrap_err().id,
            "api.custom_status.set_custom_statuses.update.app_error"
        );
    }

    #[test]
    fn expiry_is_stored_in_utc_as_go_writes_it() {
        let status = custom_status_from(input("today", "2023-11-15T01:59:59.999+02:00"), NOW);
        assert_eq!(status.unwrap().expires_at, "2023-11-14T23:59:59.999Z");
        // Expiring exactly now is not yet expired; a millisecond earlier is.
        let exact = custom_status_from(input("one_hour", "2023-11-14T22:13:20Z"), NOW);
        assert_eq!(exact.unwrap().expires_at, "2023-11-14T22:13:20Z");
        assert!(custom_status_from(input("one_hour", "2023-11-14T22:13:19.999Z"), NOW).is_err());
        let invalid = custom_status_from(input("", "2023-11-14 23:00:00Z"), NOW).unwrap_err();
        assert_eq!(invalid.id, AppError::invalid_body_param("custom_status").id);
    }
}
