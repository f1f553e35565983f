//! User preferences (Mattermost's per-user `category` / `name` / `value` settings) and the
//! saved ("flagged") posts kept in them.

use serde::Deserialize;
use townsquare_sdk::model::{PostList, Preference};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::channels::access;
use crate::app::permissions::Permission;
use crate::app::posts::post_list;
use crate::error::Result;
use crate::id::is_valid_id;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::preferences::{FlaggedFilter, FLAGGED_POST};

/// Most preferences one request may save or delete.
pub const MAX_PREFERENCES_PER_REQUEST: usize = 100;
/// Mattermost's column limits (`Preference.IsValid`).
pub const CATEGORY_MAX_LEN: usize = 32;
pub const NAME_MAX_LEN: usize = 32;
pub const VALUE_MAX_RUNES: usize = 20_000;
const THEME: &str = "theme";
const SIDEBAR_SETTINGS: &str = "sidebar_settings";
const LIMIT_VISIBLE_DMS_GMS: &str = "limit_visible_dms_gms";

/// A preference in a request body (`null` fields read as empty).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PreferenceInput {
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
    #[serde(deserialize_with = "nullable")]
    pub category: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub value: String,
}

pub fn into_preferences(input: Vec<PreferenceInput>) -> Vec<Preference> {
    input
        .into_iter()
        .map(|p| Preference {
            user_id: p.user_id,
            category: p.category,
            name: p.name,
            value: p.value,
        })
        .collect()
}

/// Users manage their own preferences; `edit_other_users` manages anyone's.
pub fn require_self_or_editor(auth: &AuthContext, user_id: &str) -> Result<()> {
    if auth.user_id() == user_id {
        Ok(())
    } else {
        auth.require(Permission::EditOtherUsers)
    }
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::bad_request(
        format!("model.preference.is_valid.{field}.app_error"),
        message.to_string(),
    )
}

/// Mattermost's `Preference.IsValid`.
pub fn validate(p: &Preference) -> Result<(), AppError> {
    if !is_valid_id(&p.user_id) {
        return Err(invalid("id", "Invalid user id."));
    }
    if p.category.is_empty() || p.category.chars().count() > CATEGORY_MAX_LEN {
        return Err(invalid(
            "category",
            "The category must be 1 to 32 characters.",
        ));
    }
    if p.name.chars().count() > NAME_MAX_LEN {
        return Err(invalid("name", "The name must be at most 32 characters."));
    }
    if p.value.chars().count() > VALUE_MAX_RUNES {
        return Err(invalid(
            "value",
            "The value must be at most 20000 characters.",
        ));
    }
    if p.category == THEME
        && serde_json::from_str::<std::collections::HashMap<String, String>>(&p.value).is_err()
    {
        return Err(invalid(
            "theme",
            "The theme must be a JSON object of strings.",
        ));
    }
    if p.category == SIDEBAR_SETTINGS && p.name == LIMIT_VISIBLE_DMS_GMS {
        let ok = p.value.parse::<i64>().is_ok_and(|n| (1..=40).contains(&n));
        if !ok {
            return Err(invalid(
                "limit_visible_dms_gms",
                "The number of visible direct messages must be 1 to 40.",
            ));
        }
    }
    Ok(())
}

fn check_batch(user_id: &str, preferences: &[Preference], mismatch_id: &'static str) -> Result<()> {
    if preferences.is_empty() || preferences.len() > MAX_PREFERENCES_PER_REQUEST {
        return Err(AppError::invalid_body_param("preferences").into());
    }
    if let Some(other) = preferences.iter().find(|p| p.user_id != user_id) {
        return Err(AppError::new(
            403,
            mismatch_id,
            "Unable to change the preferences of another user.",
        )
        .with_detail(format!(
            "userId={user_id}, preference.UserId={}",
            other.user_id
        ))
        .into());
    }
    Ok(())
}

/// Saves (inserts or replaces) 1-100 preferences of `user_id`, all or nothing. A flagged
/// post must be one the caller can read.
pub async fn save(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    preferences: Vec<Preference>,
) -> Result<()> {
    require_self_or_editor(auth, user_id)?;
    check_batch(
        user_id,
        &preferences,
        "api.preference.update_preferences.set.app_error",
    )?;
    for p in &preferences {
        validate(p)?;
    }
    for p in preferences.iter().filter(|p| p.category == FLAGGED_POST) {
        let post = if is_valid_id(&p.name) {
            state.store.post(&p.name).await?
        } else {
            None
        };
        let Some(post) = post.filter(|p| p.delete_at == 0) else {
            return Err(AppError::invalid_body_param("preference.name").into());
        };
        if !access(state, auth, &post.channel_id).await?.can_read(auth) {
            return Err(AppError::forbidden(Permission::ReadChannel.id()).into());
        }
    }
    state.store.save_preferences(&preferences).await?;
    state
        .realtime
        .publish(crate::realtime::events::preferences_changed(
            user_id,
            &preferences,
        ));
    Ok(())
}

/// Deletes 1-100 preferences of `user_id` (absent ones are ignored).
pub async fn delete(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    preferences: Vec<Preference>,
) -> Result<()> {
    require_self_or_editor(auth, user_id)?;
    check_batch(
        user_id,
        &preferences,
        "api.preference.delete_preferences.delete.app_error",
    )?;
    state.store.delete_preferences(&preferences).await?;
    state
        .realtime
        .publish(crate::realtime::events::preferences_deleted(
            user_id,
            &preferences,
        ));
    Ok(())
}

pub async fn all(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<Vec<Preference>> {
    require_self_or_editor(auth, user_id)?;
    Ok(state.store.preferences(user_id).await?)
}

/// A category's preferences; like Mattermost, an empty category is a 404.
pub async fn category(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    category: &str,
) -> Result<Vec<Preference>> {
    require_self_or_editor(auth, user_id)?;
    let found = state
        .store
        .preferences_in_category(user_id, category)
        .await?;
    if found.is_empty() {
        return Err(AppError::not_found(
            "api.preference.preferences_category.get.app_error",
            "Unable to find preferences for the user in this category.",
        )
        .into());
    }
    Ok(found)
}

pub async fn one(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    category: &str,
    name: &str,
) -> Result<Preference> {
    require_self_or_editor(auth, user_id)?;
    state
        .store
        .preference(user_id, category, name)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "app.preference.get.app_error",
                "Unable to get the preference.",
            )
            .into()
        })
}

/// The user's flagged posts, newest first, limited to live posts in channels the user is
/// still a member of.
pub async fn flagged_posts(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    filter: FlaggedFilter,
) -> Result<PostList> {
    require_self_or_editor(auth, user_id)?;
    let posts = state.store.flagged_posts(user_id, &filter).await?;
    post_list(state, posts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pref(category: &str, name: &str, value: &str) -> Preference {
        Preference {
            user_id: "a".repeat(26),
            category: category.into(),
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn validation_follows_mattermost() {
        assert!(validate(&pref("display_settings", "use_military_time", "true")).is_ok());
        let id = |p: Preference| validate(&p).unwrap_err().id.to_string();
        assert_eq!(
            id(pref("", "x", "")),
            "model.preference.is_valid.category.app_error"
        );
        assert_eq!(
            id(pref(&"c".repeat(33), "x", "")),
            "model.preference.is_valid.category.app_error"
        );
        assert_eq!(
            id(pref("c", &"n".repeat(33), "")),
            "model.preference.is_valid.name.app_error"
        );
        assert_eq!(
            id(pref("c", "n", &"v".repeat(20_001))),
            "model.preference.is_valid.value.app_error"
        );
        assert_eq!(
            id(pref("theme", "", "not json")),
            "model.preference.is_valid.theme.app_error"
        );
        assert!(validate(&pref("theme", "", r##"{"sidebarBg":"#145dbf"}"##)).is_ok());
        assert_eq!(
            id(pref("sidebar_settings", "limit_visible_dms_gms", "41")),
            "model.preference.is_valid.limit_visible_dms_gms.app_error"
        );
        let mut bad_user = pref("c", "n", "v");
        bad_user.user_id = "short".into();
        assert_eq!(id(bad_user), "model.preference.is_valid.id.app_error");
    }
}
