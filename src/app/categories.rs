//! Sidebar categories (Mattermost's `SidebarCategory`): per user and team, the default
//! Favorites, Channels and Direct Messages categories (created on first use) and custom ones.
//!
//! Favorites follow the `favorite_channel` preferences both ways. Muting a category mutes
//! its channels as Mattermost does: the member's `notify_props.mark_unread` becomes
//! `mention` (muted) or `all` (unmuted).

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::Preference;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::{is_valid_id, new_id};
use crate::realtime::event::{Broadcast, Event};
use crate::serde_util::nullable;
use crate::state::AppState;
pub use crate::store::categories::SidebarCategory;
use crate::store::categories::{CHANNELS, CUSTOM, DIRECT_MESSAGES, FAVORITES, FAVORITE_CHANNEL};

/// Mattermost's sorting values (`""` is the default: manual, recent for Direct Messages).
const SORTINGS: [&str; 4] = ["", "manual", "recent", "alpha"];

/// `OrderedSidebarCategories`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OrderedCategories {
    pub categories: Vec<SidebarCategory>,
    pub order: Vec<String>,
}

/// A category in a request body (unknown fields ignored, `null` read as empty).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CategoryInput {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
    #[serde(deserialize_with = "nullable")]
    pub team_id: String,
    #[serde(deserialize_with = "nullable")]
    pub sorting: String,
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    pub muted: Option<bool>,
    pub collapsed: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub channel_ids: Vec<String>,
}

/// Mattermost's `IsValidCategoryId`: an id, or `{type}_{user_id}_{team_id}` for defaults.
pub fn is_valid_category_id(raw: &str) -> bool {
    if is_valid_id(raw) {
        return true;
    }
    [FAVORITES, CHANNELS, DIRECT_MESSAGES].iter().any(|kind| {
        raw.strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix('_'))
            .and_then(|rest| rest.split_once('_'))
            .is_some_and(|(user, team)| is_valid_id(user) && is_valid_id(team))
    })
}

fn categories_error(status: u16) -> AppError {
    AppError::new(
        status,
        "app.channel.sidebar_categories.app_error",
        "Unable to get or update the sidebar categories.",
    )
}

/// The user themselves or `edit_other_users`; the user must be on the team.
async fn require_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
) -> Result<()> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    let on_team = state
        .store
        .team_member(team_id, user_id)
        .await?
        .is_some_and(|m| m.delete_at == 0);
    if !on_team {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    state
        .store
        .ensure_default_categories(user_id, team_id)
        .await?;
    Ok(())
}

/// Mattermost's `SessionHasPermissionToCategory`: `edit_other_users`, or the caller's own
/// category in that team.
async fn owns_category(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    category_id: &str,
) -> Result<bool> {
    if auth.can(Permission::EditOtherUsers) {
        return Ok(true);
    }
    Ok(state
        .store
        .sidebar_category(category_id)
        .await?
        .is_some_and(|c| {
            c.user_id == auth.user_id() && c.user_id == user_id && c.team_id == team_id
        }))
}

/// Keeps only channels the user is a member of in this team (or direct/group), once each.
async fn member_channels(
    state: &AppState,
    user_id: &str,
    team_id: &str,
    channel_ids: Vec<String>,
) -> Result<Vec<String>> {
    let mine: HashSet<String> = state
        .store
        .channels_for_user(user_id, team_id, true)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut seen = HashSet::new();
    Ok(channel_ids
        .into_iter()
        .filter(|id| mine.contains(id) && seen.insert(id.clone()))
        .collect())
}

fn check_sorting(sorting: &str) -> Result<()> {
    if SORTINGS.contains(&sorting) {
        Ok(())
    } else {
        Err(AppError::invalid_body_param("category.sorting").into())
    }
}

pub async fn list(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
) -> Result<OrderedCategories> {
    require_user(state, auth, user_id, team_id).await?;
    let categories = state.store.sidebar_categories(user_id, team_id).await?;
    let order = categories.iter().map(|c| c.id.clone()).collect();
    Ok(OrderedCategories { categories, order })
}

pub async fn order(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
) -> Result<Vec<String>> {
    require_user(state, auth, user_id, team_id).await?;
    Ok(state.store.sidebar_category_order(user_id, team_id).await?)
}

pub async fn one(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    category_id: &str,
) -> Result<SidebarCategory> {
    require_user(state, auth, user_id, team_id).await?;
    if !owns_category(state, auth, user_id, team_id, category_id).await? {
        return Err(AppError::forbidden(Permission::EditOtherUsers.id()).into());
    }
    state
        .store
        .sidebar_category(category_id)
        .await?
        .ok_or_else(|| categories_error(404).into())
}

/// Creates a custom category (placed after Favorites when Favorites is first).
pub async fn create(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    input: CategoryInput,
) -> Result<SidebarCategory> {
    require_user(state, auth, user_id, team_id).await?;
    if input.user_id != user_id || input.team_id != team_id {
        return Err(AppError::invalid_body_param("category").into());
    }
    check_sorting(&input.sorting)?;
    let mut category = SidebarCategory {
        id: new_id(),
        user_id: user_id.to_string(),
        team_id: team_id.to_string(),
        sort_order: 0,
        sorting: input.sorting,
        category_type: CUSTOM.to_string(),
        display_name: input.display_name,
        muted: input.muted.unwrap_or(false),
        collapsed: false,
        channel_ids: member_channels(state, user_id, team_id, input.channel_ids).await?,
    };
    // Channels taken from Favorites stop being favorites in the same transaction.
    category.sort_order = state.store.create_sidebar_category(&category).await?;
    state.realtime.publish(
        Event::new("sidebar_category_created", to_user(user_id, team_id))
            .with("category_id", category.id.clone()),
    );
    Ok(category)
}

fn to_user(user_id: &str, team_id: &str) -> Broadcast {
    let mut broadcast = Broadcast::user(user_id);
    broadcast.team_id = team_id.to_string();
    broadcast
}

/// Updates categories (attributes and channel lists); `path_category` is the `{category_id}`
/// of the single-category route, which overrides the body's id.
pub async fn update(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    inputs: Vec<CategoryInput>,
    path_category: Option<&str>,
) -> Result<Vec<SidebarCategory>> {
    require_user(state, auth, user_id, team_id).await?;
    if let Some(id) = path_category {
        if !owns_category(state, auth, user_id, team_id, id).await? {
            return Err(AppError::forbidden(Permission::EditOtherUsers.id()).into());
        }
    }
    let originals = state.store.sidebar_categories(user_id, team_id).await?;
    let by_id: HashMap<&str, &SidebarCategory> =
        originals.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut updates = Vec::with_capacity(inputs.len());
    for input in inputs {
        if path_category.is_some() && (input.user_id != user_id || input.team_id != team_id) {
            return Err(AppError::invalid_body_param("category").into());
        }
        let id = path_category.map_or(input.id.clone(), str::to_string);
        // An unknown category, or another user's or team's, is a bad parameter here.
        let Some(src) = by_id.get(id.as_str()) else {
            return Err(AppError::invalid_body_param("category").into());
        };
        check_sorting(&input.sorting)?;
        let mut dest = (*src).clone();
        dest.sorting = input.sorting;
        dest.collapsed = input.collapsed.unwrap_or(false);
        if dest.category_type == CUSTOM {
            dest.display_name = input.display_name;
        }
        dest.channel_ids = member_channels(state, user_id, team_id, input.channel_ids).await?;
        if dest.category_type != DIRECT_MESSAGES {
            dest.muted = input.muted.unwrap_or(false);
        }
        updates.push(dest);
    }
    let original_favorites: Vec<String> = originals
        .iter()
        .filter(|c| c.category_type == FAVORITES)
        .flat_map(|c| c.channel_ids.clone())
        .collect();
    state
        .store
        .update_sidebar_categories(user_id, team_id, &updates, &original_favorites)
        .await?;
    let now = state.store.sidebar_categories(user_id, team_id).await?;
    let updated: Vec<SidebarCategory> = updates
        .iter()
        .filter_map(|u| now.iter().find(|c| c.id == u.id).cloned())
        .collect();
    state.realtime.publish(
        Event::new("sidebar_category_updated", to_user(user_id, team_id)).with(
            "updatedCategories",
            serde_json::to_string(&updated).unwrap_or_default(),
        ),
    );
    mute_to_match(state, user_id, &originals, &updated).await?;
    Ok(updated)
}

/// Mutes channels of newly muted categories and channels moved into a muted category from
/// an unmuted one; the reverse unmutes.
async fn mute_to_match(
    state: &AppState,
    user_id: &str,
    originals: &[SidebarCategory],
    updated: &[SidebarCategory],
) -> Result<()> {
    let muted_before: HashMap<&str, bool> = originals
        .iter()
        .flat_map(|c| c.channel_ids.iter().map(move |id| (id.as_str(), c.muted)))
        .collect();
    let mut changes: Vec<(&str, bool)> = Vec::new();
    for c in updated {
        for channel_id in &c.channel_ids {
            let before = muted_before
                .get(channel_id.as_str())
                .copied()
                .unwrap_or(false);
            if before != c.muted {
                changes.push((channel_id, c.muted));
            }
        }
    }
    for (channel_id, muted) in changes {
        let Some(member) = state.store.channel_member(channel_id, user_id).await? else {
            continue;
        };
        let mut props = member.notify_props.clone();
        let mark_unread = if muted { "mention" } else { "all" };
        if props.get("mark_unread").map(String::as_str) == Some(mark_unread) {
            continue;
        }
        props.insert("mark_unread".into(), mark_unread.into());
        state
            .store
            .set_channel_member_notify_props(channel_id, user_id, &props)
            .await?;
        if let Some(member) = state.store.channel_member(channel_id, user_id).await? {
            state
                .realtime
                .publish(crate::realtime::events::channel_member_updated(
                    user_id, &member,
                ));
        }
    }
    Ok(())
}

pub async fn set_order(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    order: Vec<String>,
) -> Result<Vec<String>> {
    require_user(state, auth, user_id, team_id).await?;
    for id in &order {
        if !owns_category(state, auth, user_id, team_id, id).await? {
            return Err(AppError::invalid_body_param("category").into());
        }
    }
    if !state
        .store
        .set_sidebar_category_order(user_id, team_id, &order)
        .await?
    {
        return Err(categories_error(400).into());
    }
    state.realtime.publish(
        Event::new("sidebar_category_order_updated", to_user(user_id, team_id))
            .with("order", Value::from(order.clone())),
    );
    Ok(order)
}

/// Deletes a custom category; its channels return to Channels / Direct Messages.
pub async fn delete(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    category_id: &str,
) -> Result<()> {
    require_user(state, auth, user_id, team_id).await?;
    if !owns_category(state, auth, user_id, team_id, category_id).await? {
        return Err(AppError::forbidden(Permission::EditOtherUsers.id()).into());
    }
    let category = state
        .store
        .sidebar_category(category_id)
        .await?
        .ok_or_else(|| categories_error(404))?;
    if category.category_type != CUSTOM {
        return Err(categories_error(400)
            .with_detail("default categories cannot be deleted")
            .into());
    }
    state.store.delete_sidebar_category(category_id).await?;
    state.realtime.publish(
        Event::new("sidebar_category_deleted", to_user(user_id, team_id))
            .with("category_id", category_id.to_string()),
    );
    Ok(())
}

/// After `favorite_channel` preferences were saved (`saved`) or deleted: move the channels
/// into or out of Favorites, and tell the user's clients (as Mattermost, without data).
pub async fn favorites_changed(
    state: &AppState,
    user_id: &str,
    preferences: &[Preference],
    saved: bool,
) -> Result<()> {
    let mut any = false;
    for p in preferences
        .iter()
        .filter(|p| p.category == FAVORITE_CHANNEL)
    {
        let favorite = saved && p.value != "false";
        state
            .store
            .sync_favorite_channel(user_id, &p.name, favorite)
            .await?;
        any = true;
    }
    if any {
        state.realtime.publish(Event::new(
            "sidebar_category_updated",
            Broadcast::user(user_id),
        ));
    }
    Ok(())
}

/// The user left a channel: forget where they had placed it.
pub async fn channel_left(state: &AppState, user_id: &str, channel_id: &str) -> Result<()> {
    Ok(state
        .store
        .forget_sidebar_channel(user_id, channel_id)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_ids_follow_mattermost() {
        let id = "a".repeat(26);
        assert!(is_valid_category_id(&id));
        assert!(is_valid_category_id(&format!("favorites_{id}_{id}")));
        assert!(is_valid_category_id(&format!("direct_messages_{id}_{id}")));
        assert!(!is_valid_category_id(&format!("custom_{id}_{id}")));
        assert!(!is_valid_category_id("channels_x_y"));
        assert!(!is_valid_category_id("nope"));
    }
}
