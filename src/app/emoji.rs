//! Custom emoji: creation (name rules, a small bounded image), lookup, listing, search,
//! deletion by the creator or an admin.

use std::sync::OnceLock;

use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::files::{root, write_atomic};
use crate::app::images::{self, ImageError};
use crate::app::permissions::Permission;
use crate::app::reactions::is_valid_emoji_name;
use crate::error::Result;
use crate::id::new_id;
use crate::state::AppState;
pub use crate::store::emoji::Emoji;
use crate::store::is_unique_violation;
use crate::time::now_ms;

/// Mattermost's `MaxEmojiFileSize` (512 KiB).
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;
/// Mattermost's largest accepted emoji side, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 1028;

/// The system emoji short names (sorted, from `system_emoji.txt`).
pub fn system_emoji_names() -> impl Iterator<Item = &'static str> {
    include_str!("system_emoji.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Whether `name` is a system emoji (these need no custom emoji).
pub fn is_system_emoji(name: &str) -> bool {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES
        .get_or_init(|| system_emoji_names().collect())
        .binary_search(&name)
        .is_ok()
}

/// Reactions name a system emoji or an existing custom one, as Mattermost checks.
pub async fn require_known_emoji(state: &AppState, name: &str) -> Result<()> {
    if is_system_emoji(name) {
        return Ok(());
    }
    emoji_by_name(state, name).await.map(|_| ())
}

pub fn disabled() -> AppError {
    AppError::new(
        501,
        "api.emoji.disabled.app_error",
        "Custom emoji have been disabled by the system admin.",
    )
}

pub fn emoji_not_found() -> AppError {
    AppError::not_found("app.emoji.get.no_result", "Unable to find the emoji.")
}

pub fn require_enabled(state: &AppState) -> Result<()> {
    if state.config().service.enable_custom_emoji {
        Ok(())
    } else {
        Err(disabled().into())
    }
}

/// Mattermost's custom emoji name rule: 1-64 of `a-z A-Z 0-9 _ + -`, not a system emoji.
pub fn is_valid_custom_name(name: &str) -> bool {
    is_valid_emoji_name(name) && !is_system_emoji(name)
}

/// The `emoji` part of the create request.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewEmoji {
    pub name: String,
    pub creator_id: String,
}

pub async fn create_emoji(
    state: &AppState,
    auth: &AuthContext,
    input: NewEmoji,
    image: &[u8],
) -> Result<Emoji> {
    require_enabled(state)?;
    if input.creator_id != auth.user_id() {
        return Err(AppError::new(
            403,
            "api.emoji.create.other_user.app_error",
            "Invalid user id.",
        )
        .into());
    }
    if !is_valid_custom_name(&input.name) {
        return Err(AppError::bad_request(
            "model.emoji.name.app_error",
            "Name must be 1 to 64 lowercase alphanumeric characters and not a system emoji.",
        )
        .into());
    }
    if image.len() > MAX_IMAGE_BYTES {
        return Err(AppError::new(
            413,
            "api.emoji.create.too_large.app_error",
            "Unable to create emoji. Image must be less than 512 KiB in size.",
        )
        .into());
    }
    let is_supported = matches!(
        image::guess_format(image),
        Ok(image::ImageFormat::Png
            | image::ImageFormat::Jpeg
            | image::ImageFormat::Gif
            | image::ImageFormat::WebP)
    );
    let checked = if is_supported {
        images::checked_dimensions(image)
    } else {
        Err(ImageError::Undecodable)
    };
    match checked {
        Ok((w, h)) if w <= MAX_IMAGE_SIDE && h <= MAX_IMAGE_SIDE => {}
        Ok(_) | Err(ImageError::TooLarge { .. }) => {
            return Err(AppError::bad_request(
                "api.emoji.upload.large_image.too_large.app_error",
                format!("Unable to create emoji. Image must be at most {MAX_IMAGE_SIDE} by {MAX_IMAGE_SIDE} pixels."),
            )
            .into())
        }
        Err(ImageError::Undecodable) => return Err(bad_image().into()),
    }
    // The header looked fine; the pixels must decode too (bounded by the checks above).
    let bytes = image.to_vec();
    let decoded = tokio::task::spawn_blocking(move || images::decode(&bytes).is_ok())
        .await
        .unwrap_or(false);
    if !decoded {
        return Err(bad_image().into());
    }
    if state.store.emoji_by_name(&input.name).await?.is_some() {
        return Err(duplicate().into());
    }
    let now = now_ms();
    let emoji = Emoji {
        id: new_id(),
        create_at: now,
        update_at: now,
        delete_at: 0,
        creator_id: input.creator_id,
        name: input.name,
    };
    write_atomic(&root(state), &image_path(&emoji.id), image)
        .await
        .map_err(AppError::internal)?;
    if let Err(err) = state.store.insert_emoji(&emoji).await {
        let _ = tokio::fs::remove_dir_all(root(state).join(format!("emoji/{}", emoji.id))).await;
        if is_unique_violation(&err) {
            return Err(duplicate().into());
        }
        return Err(err.into());
    }
    state
        .realtime
        .publish(crate::realtime::events::emoji_added(&emoji));
    Ok(emoji)
}

fn bad_image() -> AppError {
    AppError::bad_request(
        "api.emoji.upload.image.app_error",
        "Unable to create emoji. The file must be a PNG, JPEG, GIF or WebP image.",
    )
}

fn duplicate() -> AppError {
    AppError::bad_request(
        "api.emoji.create.duplicate.app_error",
        "Unable to create emoji. Another emoji with the same name already exists.",
    )
}

/// Where an emoji's image lives under the file store.
pub fn image_path(id: &str) -> String {
    format!("emoji/{id}/image")
}

pub async fn emoji(state: &AppState, id: &str) -> Result<Emoji> {
    require_enabled(state)?;
    Ok(state.store.emoji(id).await?.ok_or_else(emoji_not_found)?)
}

pub async fn emoji_by_name(state: &AppState, name: &str) -> Result<Emoji> {
    require_enabled(state)?;
    state.store.emoji_by_name(name).await?.ok_or_else(|| {
        AppError::not_found(
            "app.emoji.get_by_name.no_result",
            "Unable to find the emoji.",
        )
        .into()
    })
}

/// Deletes an emoji: its creator, or anyone who may manage the system.
pub async fn delete_emoji(state: &AppState, auth: &AuthContext, id: &str) -> Result<()> {
    let emoji = emoji(state, id).await?;
    if emoji.creator_id != auth.user_id() && !auth.can(Permission::ManageSystem) {
        return Err(AppError::new(
            403,
            "api.emoji.delete.permissions.app_error",
            "Inappropriate permissions to delete emoji.",
        )
        .with_detail(format!("user_id={}", auth.user_id()))
        .into());
    }
    state.store.delete_emoji(&emoji.id, now_ms()).await?;
    let _ = tokio::fs::remove_dir_all(root(state).join(format!("emoji/{}", emoji.id))).await;
    Ok(())
}

/// A page of custom emoji, by name or by creation.
pub async fn list(state: &AppState, by_name: bool, offset: i64, limit: i64) -> Result<Vec<Emoji>> {
    Ok(state.store.list_emoji(by_name, offset, limit).await?)
}

/// Custom emoji whose name starts with (or, unless `prefix_only`, contains) `term`, at most
/// `limit`.
pub async fn search(
    state: &AppState,
    term: &str,
    prefix_only: bool,
    limit: i64,
) -> Result<Vec<Emoji>> {
    Ok(state
        .store
        .search_emoji(&term.to_lowercase(), prefix_only, limit)
        .await?)
}

/// Custom emoji by name; unknown names are left out.
pub async fn by_names(state: &AppState, names: &[String]) -> Result<Vec<Emoji>> {
    Ok(state.store.emoji_by_names(names).await?)
}

/// An emoji's image bytes (at most 512 KiB, checked on upload).
pub async fn image(state: &AppState, id: &str) -> Result<Vec<u8>> {
    let emoji = emoji(state, id).await?;
    Ok(tokio::fs::read(root(state).join(image_path(&emoji.id)))
        .await
        .map_err(|_| emoji_not_found())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_names_are_sorted_and_known() {
        let names: Vec<&str> = system_emoji_names().collect();
        assert!(names.len() > 1800);
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        for known in [
            "+1",
            "-1",
            "smile",
            "tada",
            "white_check_mark",
            "thumbsup",
            "heart",
        ] {
            assert!(is_system_emoji(known), "{known}");
        }
        assert!(!is_system_emoji("party_parrot"));
    }

    #[test]
    fn custom_names() {
        assert!(is_valid_custom_name("party_parrot"));
        assert!(is_valid_custom_name("a+b-c"));
        assert!(!is_valid_custom_name("smile"));
        assert!(!is_valid_custom_name("+1"));
        assert!(!is_valid_custom_name("has space"));
        assert!(!is_valid_custom_name(""));
        assert!(!is_valid_custom_name(&"x".repeat(65)));
    }
}
