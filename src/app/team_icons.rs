//! Team icons (`/teams/{team_id}/image`): an upload is checked, squared and stored as
//! `teams/{id}/teamIcon.png` in the file store, then `last_team_icon_update` is set to its
//! time; removing sets it to 0 and removes the file. A team without an icon has none (404).
//! Changes go to the team's members as `update_team`.

use townsquare_sdk::model::Team;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::files::{root, write_atomic};
use crate::app::permissions::Permission;
use crate::app::square_images::{square_png_blocking, SquareError, SIDE};
use crate::app::teams::{can_in_team, membership, team_by_id};
use crate::error::Result;
use crate::realtime::events;
use crate::state::AppState;
use crate::time::now_ms;

/// Browsers may keep an icon this long (Mattermost's 24 hours).
pub const MAX_AGE_SECS: u32 = 24 * 60 * 60;

fn icon_path(team_id: &str) -> String {
    format!("teams/{team_id}/teamIcon.png")
}

fn bad_request(id: &'static str, message: &'static str) -> AppError {
    AppError::bad_request(id, message)
}

/// Mattermost answers an oversized team icon with 400, unlike a profile picture (413).
pub fn too_large() -> AppError {
    bad_request(
        "api.team.set_team_icon.too_large.app_error",
        "Unable to upload team icon. File is too large.",
    )
}

pub fn no_file() -> AppError {
    bad_request(
        "api.team.set_team_icon.no_file.app_error",
        "No file under 'image' in request.",
    )
}

pub fn parse_error() -> AppError {
    bad_request(
        "api.team.set_team_icon.parse.app_error",
        "Could not parse multipart form.",
    )
}

fn no_icon() -> AppError {
    AppError::not_found(
        "api.team.get_team_icon.read_file.app_error",
        "Unable to read the team icon file.",
    )
}

fn square_error(err: SquareError) -> AppError {
    match err {
        SquareError::Limits => bad_request(
            "api.team.set_team_icon.check_image_limits.app_error",
            "Image limits check failed. Resolution is too high.",
        ),
        SquareError::Decode => bad_request(
            "api.team.set_team_icon.decode.app_error",
            "Could not decode team icon.",
        ),
        SquareError::Encode => AppError::new(
            500,
            "api.team.set_team_icon.encode.app_error",
            "Could not encode team icon.",
        ),
    }
}

fn write_error(err: impl std::fmt::Display) -> AppError {
    AppError::new(
        500,
        "api.team.set_team_icon.write_file.app_error",
        "Could not save team icon.",
    )
    .with_internal(err)
}

/// `manage_team` in the team (a system admin has it everywhere).
async fn require_manage(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<()> {
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ManageTeam) {
        return Err(AppError::forbidden(Permission::ManageTeam.id()).into());
    }
    Ok(())
}

/// The team an icon change is for; Mattermost answers a missing one with 400.
async fn team_for_change(state: &AppState, team_id: &str, error_id: &'static str) -> Result<Team> {
    match state.store.team(team_id).await? {
        Some(team) => Ok(team),
        None => Err(bad_request(error_id, "An error occurred getting the team.").into()),
    }
}

/// What the API checks before it reads an upload's body.
pub async fn check_upload(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<()> {
    require_manage(state, auth, team_id).await
}

/// The team without what only its managers see (Mattermost's `Team.Sanitize` for events).
fn for_members(mut team: Team) -> Team {
    team.email.clear();
    team.invite_id.clear();
    team
}

/// Sets an uploaded icon (squared to 128 px PNG): the file, then `last_team_icon_update`,
/// then `update_team` to the team.
pub async fn set_icon(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    image: Vec<u8>,
) -> Result<Team> {
    require_manage(state, auth, team_id).await?;
    let mut team =
        team_for_change(state, team_id, "api.team.set_team_icon.get_team.app_error").await?;
    if state.config().file.driver_name.is_empty() {
        return Err(AppError::new(
            501,
            "api.team.set_team_icon.storage.app_error",
            "Unable to upload team icon. Image storage is not configured.",
        )
        .into());
    }
    let png = square_png_blocking(image, SIDE)
        .await
        .map_err(square_error)?;
    write_atomic(&root(state), &icon_path(&team.id), &png)
        .await
        .map_err(write_error)?;
    let now = now_ms();
    state
        .store
        .set_last_team_icon_update(&team.id, now, now)
        .await?;
    team.last_team_icon_update = now;
    team.update_at = now;
    state
        .realtime
        .publish(events::update_team(&for_members(team.clone())));
    Ok(team)
}

/// Removes the icon: `last_team_icon_update` back to 0, the file removed, `update_team`.
pub async fn remove_icon(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<Team> {
    require_manage(state, auth, team_id).await?;
    let mut team = team_for_change(
        state,
        team_id,
        "api.team.remove_team_icon.get_team.app_error",
    )
    .await?;
    let now = now_ms();
    state
        .store
        .set_last_team_icon_update(&team.id, 0, now)
        .await?;
    // Never served once the time is 0; removing it only frees the space.
    let _ = tokio::fs::remove_file(root(state).join(icon_path(&team.id))).await;
    team.last_team_icon_update = 0;
    team.update_at = now;
    state
        .realtime
        .publish(events::update_team(&for_members(team.clone())));
    Ok(team)
}

/// A team's icon, before its bytes are read: its ETag is the icon's time (Mattermost's).
pub struct Icon {
    team_id: String,
    updated_at: i64,
}

impl Icon {
    pub fn etag(&self) -> String {
        self.updated_at.to_string()
    }
}

/// The icon of a team the caller may see (members, system admins, anyone for an open team
/// that allows open invites); 404 when it has none.
pub async fn icon(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<Icon> {
    let team = team_by_id(state, team_id).await?;
    let member = membership(state, auth, team_id).await?;
    let open = team.team_type == "O" && team.allow_open_invite;
    if !can_in_team(auth, member.as_ref(), Permission::ViewTeam) && !open {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    if team.last_team_icon_update <= 0 {
        return Err(no_icon().into());
    }
    Ok(Icon {
        team_id: team.id,
        updated_at: team.last_team_icon_update,
    })
}

/// The icon's PNG.
pub async fn icon_png(state: &AppState, icon: &Icon) -> Result<Vec<u8>> {
    tokio::fs::read(root(state).join(icon_path(&icon.team_id)))
        .await
        .map_err(|_| no_icon().into())
}
