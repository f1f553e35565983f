//! Profile pictures (`/users/{user_id}/image`): an upload is checked, squared and stored as
//! `users/{id}/profile.png` in the file store, then `last_picture_update` is set to its time;
//! a reset sets it to minus the reset's time (Mattermost's rule) and removes the file.
//! Without an upload the picture is the generated default (`app::avatar`), drawn on demand.

use townsquare_sdk::model::User;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::avatar;
use crate::app::files::{root, write_atomic};
use crate::app::permissions::Permission;
use crate::app::square_images::{square_png_blocking, SquareError, SIDE};
use crate::app::users::{missing_account, publish_user_updated};
use crate::error::Result;
use crate::state::AppState;
use crate::time::now_ms;

/// Browsers may keep a picture this long (Mattermost's 24 hours).
pub const MAX_AGE_SECS: u32 = 24 * 60 * 60;
/// An uploaded picture whose file is missing is replaced by the default for only this long.
pub const FALLBACK_MAX_AGE_SECS: u32 = 5 * 60;
/// Changes when the drawing of default pictures changes, so cached ones are redrawn.
const DEFAULT_STYLE: &str = "d1";

/// Where a user's uploaded picture lives in the file store.
pub fn picture_path(user_id: &str) -> String {
    format!("users/{user_id}/profile.png")
}

fn upload_error(id: &'static str, message: &'static str) -> AppError {
    AppError::bad_request(id, message)
}

pub fn too_large() -> AppError {
    AppError::new(
        413,
        "api.user.upload_profile_user.too_large.app_error",
        "Unable to upload profile image. File is too large.",
    )
}

pub fn no_file() -> AppError {
    upload_error(
        "api.user.upload_profile_user.no_file.app_error",
        "No file under 'image' in request.",
    )
}

pub fn parse_error() -> AppError {
    upload_error(
        "api.user.upload_profile_user.parse.app_error",
        "Could not parse multipart form.",
    )
}

fn storage_error(err: impl std::fmt::Display) -> AppError {
    AppError::new(
        500,
        "api.user.upload_profile_user.upload_profile.app_error",
        "Couldn't upload profile image.",
    )
    .with_internal(err)
}

fn square_error(err: SquareError) -> AppError {
    match err {
        SquareError::Limits => upload_error(
            "api.user.upload_profile_user.check_image_limits.app_error",
            "Image limits check failed. Resolution is too high.",
        ),
        SquareError::Decode => upload_error(
            "api.user.upload_profile_user.decode.app_error",
            "Could not decode profile image.",
        ),
        SquareError::Encode => AppError::new(
            500,
            "api.user.upload_profile_user.encode.app_error",
            "Could not encode profile image.",
        ),
    }
}

fn require_storage(state: &AppState) -> Result<()> {
    if state.config().file.driver_name.is_empty() {
        return Err(AppError::new(
            501,
            "api.user.upload_profile_user.storage.app_error",
            "Unable to upload file. Image storage is not configured.",
        )
        .into());
    }
    Ok(())
}

/// The user whose picture the caller may change (Mattermost's `SessionHasPermissionToUser`):
/// oneself; others with `edit_other_users`, and system admins only with `manage_system`. An
/// unknown user is refused like a forbidden one, so nothing is learnt about ids.
async fn editable_user(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<User> {
    if user_id == auth.user_id() {
        return Ok(auth.user.clone());
    }
    let forbidden = || AppError::forbidden(Permission::EditOtherUsers.id());
    if !auth.can(Permission::EditOtherUsers) {
        return Err(forbidden().into());
    }
    let user = state.store.user(user_id).await?.ok_or_else(forbidden)?;
    if user.is_system_admin() && !auth.can(Permission::ManageSystem) {
        return Err(forbidden().into());
    }
    Ok(user)
}

/// What the API checks before it reads an upload's body: permission, then storage.
pub async fn check_upload(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<()> {
    editable_user(state, auth, user_id).await?;
    require_storage(state)
}

/// Sets an uploaded picture: squared to 128 px PNG, written, then `last_picture_update`;
/// `user_updated` goes to everyone. The same picture again changes nothing.
pub async fn set_picture(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    image: Vec<u8>,
) -> Result<()> {
    let mut user = editable_user(state, auth, user_id).await?;
    require_storage(state)?;
    let png = square_png_blocking(image, SIDE)
        .await
        .map_err(square_error)?;
    let root = root(state);
    let path = picture_path(&user.id);
    if user.last_picture_update > 0 {
        if let Ok(stored) = tokio::fs::read(root.join(&path)).await {
            if stored == png {
                return Ok(());
            }
        }
    }
    // The file first: a picture time is only ever set for a file that is in place.
    write_atomic(&root, &path, &png)
        .await
        .map_err(storage_error)?;
    let now = now_ms();
    if !state
        .store
        .set_last_picture_update(&user.id, now, now)
        .await?
    {
        return Err(missing_account().into());
    }
    user.last_picture_update = now;
    user.update_at = now;
    publish_user_updated(state, &user);
    Ok(())
}

/// Back to the default picture: `last_picture_update` becomes minus now (so clients that
/// add it to the URL fetch again), the file goes, `user_updated` goes to everyone.
pub async fn reset_picture(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<()> {
    let mut user = editable_user(state, auth, user_id).await?;
    require_storage(state)?;
    let now = now_ms();
    if !state
        .store
        .set_last_picture_update(&user.id, -now, now)
        .await?
    {
        return Err(missing_account().into());
    }
    // Never served once the time is negative; removing it only frees the space.
    let _ = tokio::fs::remove_file(root(state).join(picture_path(&user.id))).await;
    user.last_picture_update = -now;
    user.update_at = now;
    publish_user_updated(state, &user);
    Ok(())
}

/// A user's picture, before its bytes are read: enough to answer a conditional request.
#[derive(Debug, Clone)]
pub struct Picture {
    user_id: String,
    initials: String,
    /// The upload's time, when the picture is an upload.
    uploaded_at: Option<i64>,
}

impl Picture {
    /// The ETag: an upload's time (as Mattermost), or what the default is drawn from.
    pub fn etag(&self) -> String {
        match self.uploaded_at {
            Some(at) => at.to_string(),
            None => format!("{DEFAULT_STYLE}.{}", self.initials),
        }
    }
}

/// A picture's bytes and how they may be cached.
pub struct PictureBytes {
    pub png: Vec<u8>,
    /// `None` when a fallback was served in place of a missing upload.
    pub etag: Option<String>,
    pub max_age_secs: u32,
}

async fn target(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<User> {
    if user_id == auth.user_id() {
        return Ok(auth.user.clone());
    }
    Ok(state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?)
}

fn initials_of(state: &AppState, user: &User) -> String {
    avatar::initials(
        &user.username,
        &user.first_name,
        &user.last_name,
        state.config().privacy.show_full_name,
    )
}

/// The picture `GET /users/{id}/image` serves: the upload if any, else the default.
pub async fn picture(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<Picture> {
    let user = target(state, auth, user_id).await?;
    Ok(Picture {
        initials: initials_of(state, &user),
        uploaded_at: (user.last_picture_update > 0).then_some(user.last_picture_update),
        user_id: user.id,
    })
}

/// The generated default picture, even when the user uploaded one.
pub async fn default_picture(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
) -> Result<Picture> {
    let user = target(state, auth, user_id).await?;
    Ok(Picture {
        initials: initials_of(state, &user),
        uploaded_at: None,
        user_id: user.id,
    })
}

/// The PNG of a picture. A missing upload file falls back to the default, briefly cached.
pub async fn picture_png(state: &AppState, picture: &Picture) -> Result<PictureBytes> {
    if picture.uploaded_at.is_some() {
        match tokio::fs::read(root(state).join(picture_path(&picture.user_id))).await {
            Ok(png) => {
                return Ok(PictureBytes {
                    png,
                    etag: Some(picture.etag()),
                    max_age_secs: MAX_AGE_SECS,
                })
            }
            Err(err) => tracing::warn!(user_id = %picture.user_id, error = %err,
                "profile picture file unreadable; serving the default"),
        }
        return Ok(PictureBytes {
            png: avatar::default_avatar_png(&picture.user_id, &picture.initials)?,
            etag: None,
            max_age_secs: FALLBACK_MAX_AGE_SECS,
        });
    }
    Ok(PictureBytes {
        png: avatar::default_avatar_png(&picture.user_id, &picture.initials)?,
        etag: Some(picture.etag()),
        max_age_secs: MAX_AGE_SECS,
    })
}
