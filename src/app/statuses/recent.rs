//! The user's recent custom statuses: a preference holding the last few, newest first.

use townsquare_sdk::model::Preference;
use townsquare_sdk::AppError;

use super::CustomStatus;
use crate::error::Result;
use crate::state::AppState;

const MAX_RECENT_CUSTOM_STATUSES: usize = 5;
const CUSTOM_STATUS_CATEGORY: &str = "custom_status";
const RECENT_CUSTOM_STATUSES: &str = "recent_custom_statuses";

/// Puts `status` first in the user's recent custom statuses (an older one with the same text
/// goes), keeping at most five.
pub(super) async fn add_recent_custom_status(
    state: &AppState,
    user_id: &str,
    status: &CustomStatus,
) -> Result<()> {
    let stored = state
        .store
        .preference(user_id, CUSTOM_STATUS_CATEGORY, RECENT_CUSTOM_STATUSES)
        .await?;
    let recent: Vec<CustomStatus> = stored
        .and_then(|p| serde_json::from_str(&p.value).ok())
        .unwrap_or_default();
    let Some(recent) = with_recent(recent, status) else {
        return Ok(());
    };
    let value = serde_json::to_string(&recent).map_err(AppError::internal)?;
    state
        .store
        .save_preferences(&[Preference {
            user_id: user_id.to_string(),
            category: CUSTOM_STATUS_CATEGORY.into(),
            name: RECENT_CUSTOM_STATUSES.into(),
            value,
        }])
        .await?;
    Ok(())
}

/// The list with `status` added, or `None` when it is already there unchanged.
fn with_recent(mut recent: Vec<CustomStatus>, status: &CustomStatus) -> Option<Vec<CustomStatus>> {
    if recent.contains(status) {
        return None;
    }
    recent.retain(|s| s.text != status.text);
    recent.insert(0, status.clone());
    recent.truncate(MAX_RECENT_CUSTOM_STATUSES);
    Some(recent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(emoji: &str, text: &str) -> CustomStatus {
        CustomStatus {
            emoji: emoji.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn newest_first_unique_text_at_most_five() {
        let mut recent = Vec::new();
        for text in ["a", "b", "c", "d", "e", "f"] {
            recent = with_recent(recent, &status("x", text)).unwrap();
        }
        let texts: Vec<&str> = recent.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["f", "e", "d", "c", "b"]);
        assert_eq!(with_recent(recent.clone(), &status("x", "d")), None);
        let moved = with_recent(recent, &status("y", "d")).unwrap();
        let texts: Vec<(&str, &str)> = moved
            .iter()
            .map(|s| (s.emoji.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [("y", "d"), ("x", "f"), ("x", "e"), ("x", "c"), ("x", "b")]
        );
    }
}
