//! Channel bookmarks: links and files pinned to a channel's header (Mattermost's channel
//! bookmarks). Mattermost needs a license for them; Townsquare has them in both editions.
//!
//! Members manage the bookmarks of their public and private channels through the
//! `*_bookmark_*_channel` permissions (channel users and admins, team and system admins hold
//! them; guests do not); in direct and group channels any member but a guest may. Archived
//! channels are read-only.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use townsquare_sdk::AppError;
use utoipa::ToSchema;

use crate::app::auth::AuthContext;
use crate::app::channels::{access, ChannelAccess};
use crate::app::files::FileInfo;
use crate::app::permissions::Permission;
use crate::error::{Error, Result};
use crate::id::{is_valid_id, new_id};
use crate::realtime::events;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::bookmarks::{BookmarkError, BookmarkRow, Refusal};
use crate::time::now_ms;

/// Mattermost's `MaxBookmarksPerChannel`.
pub const MAX_BOOKMARKS_PER_CHANNEL: i64 = 50;
/// Townsquare's bounds (Mattermost's columns are unbounded text, except the emoji's 64).
const MAX_DISPLAY_NAME_CHARS: usize = 256;
const MAX_URL_CHARS: usize = 2048;
const MAX_EMOJI_CHARS: usize = 64;

const LINK: &str = "link";
const FILE: &str = "file";

/// Mattermost's `ChannelBookmarkWithFileInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Bookmark {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub channel_id: String,
    pub owner_id: String,
    pub file_id: String,
    pub display_name: String,
    pub sort_order: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub link_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub emoji: String,
    /// `link` or `file`.
    #[serde(rename = "type")]
    pub bookmark_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub original_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub parent_id: String,
    /// The file of a file bookmark.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub file: Option<FileInfo>,
}

impl Bookmark {
    fn from_row(row: BookmarkRow, file: Option<FileInfo>) -> Self {
        Bookmark {
            id: row.id,
            create_at: row.create_at,
            update_at: row.update_at,
            delete_at: row.delete_at,
            channel_id: row.channel_id,
            owner_id: row.owner_id,
            file_id: row.file_id,
            display_name: row.display_name,
            sort_order: row.sort_order,
            link_url: row.link_url,
            image_url: row.image_url,
            emoji: row.emoji,
            bookmark_type: row.bookmark_type,
            original_id: row.original_id,
            parent_id: row.parent_id,
            file,
        }
    }
}

/// A new bookmark (Mattermost's `ChannelBookmark`; ids, owner, times and sort order are the
/// server's to set).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewBookmark {
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    /// `link` or `file`.
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub bookmark_type: String,
    #[serde(deserialize_with = "nullable")]
    pub link_url: String,
    #[serde(deserialize_with = "nullable")]
    pub image_url: String,
    #[serde(deserialize_with = "nullable")]
    pub emoji: String,
    /// An upload of this channel not attached to a post (file bookmarks).
    #[serde(deserialize_with = "nullable")]
    pub file_id: String,
}

/// Mattermost's `ChannelBookmarkPatch`: absent or `null` fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct BookmarkPatch {
    pub file_id: Option<String>,
    pub display_name: Option<String>,
    pub sort_order: Option<i64>,
    pub link_url: Option<String>,
    pub image_url: Option<String>,
    pub emoji: Option<String>,
}

/// Mattermost's `UpdateChannelBookmarkResponse`: `deleted` is set when someone other than the
/// owner edited the bookmark and a copy owned by them replaced it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdatedBookmark {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<Bookmark>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Bookmark>,
}

/// What a request does to a channel's bookmarks: its permissions and error ids.
#[derive(Debug, Clone, Copy)]
enum Change {
    Create,
    Update,
    Sort,
    Delete,
}

impl Change {
    /// The operation's name in Mattermost's error ids.
    fn name(self) -> &'static str {
        match self {
            Change::Create => "create_channel_bookmark",
            Change::Update => "update_channel_bookmark",
            Change::Sort => "update_channel_bookmark_sort_order",
            Change::Delete => "delete_channel_bookmark",
        }
    }

    fn permission(self, private: bool) -> Permission {
        use Permission::*;
        match (self, private) {
            (Change::Create, false) => AddBookmarkPublicChannel,
            (Change::Create, true) => AddBookmarkPrivateChannel,
            (Change::Update, false) => EditBookmarkPublicChannel,
            (Change::Update, true) => EditBookmarkPrivateChannel,
            (Change::Sort, false) => OrderBookmarkPublicChannel,
            (Change::Sort, true) => OrderBookmarkPrivateChannel,
            (Change::Delete, false) => DeleteBookmarkPublicChannel,
            (Change::Delete, true) => DeleteBookmarkPrivateChannel,
        }
    }

    fn forbidden(self, what: &str, message: &'static str) -> Error {
        AppError::new(
            403,
            format!("api.channel.bookmark.{}.{what}.app_error", self.name()),
            message,
        )
        .into()
    }
}

/// The caller may change the channel's bookmarks, as Mattermost's handlers decide.
async fn may_change(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    change: Change,
) -> Result<ChannelAccess> {
    let access = access(state, auth, channel_id).await?;
    if access.channel.delete_at != 0 {
        return Err(change.forbidden(
            "deleted_channel.forbidden",
            "The bookmarks of an archived channel cannot be changed.",
        ));
    }
    match access.channel.channel_type.as_str() {
        kind @ ("O" | "P") => {
            let permission = change.permission(kind == "P");
            if !access.can(auth, permission) {
                return Err(AppError::forbidden(permission.id()).into());
            }
        }
        "D" | "G" => {
            if access.member.is_none() {
                return Err(change.forbidden(
                    "direct_or_group_channels.forbidden",
                    "Only members can change the bookmarks of a direct or group message.",
                ));
            }
            if auth.user.role_list().any(|r| r == "system_guest") {
                return Err(change.forbidden(
                    "direct_or_group_channels_by_guests.forbidden",
                    "Guests cannot change the bookmarks of a direct or group message.",
                ));
            }
        }
        _ => {
            return Err(change.forbidden(
                "forbidden",
                "The bookmarks of this channel cannot be changed.",
            ))
        }
    }
    Ok(access)
}

fn invalid(field: &str, message: &'static str) -> Error {
    AppError::bad_request(
        format!("model.channel_bookmark.is_valid.{field}.app_error"),
        message,
    )
    .into()
}

/// Mattermost's `IsValidHTTPURL`: `http://` or `https://`, then a URL with a host.
fn is_http_url(raw: &str) -> bool {
    (raw.starts_with("http://") || raw.starts_with("https://"))
        && url::Url::parse(raw).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

/// Mattermost's `ChannelBookmark.IsValid`, with Townsquare's length bounds.
fn validate(row: &BookmarkRow) -> Result<()> {
    let name_chars = row.display_name.chars().count();
    if name_chars == 0 || name_chars > MAX_DISPLAY_NAME_CHARS {
        return Err(invalid(
            "display_name",
            "The display name must have 1 to 256 characters.",
        ));
    }
    if row.bookmark_type != LINK && row.bookmark_type != FILE {
        return Err(invalid("type", "The type must be link or file."));
    }
    for url in [&row.link_url, &row.image_url] {
        if url.chars().count() > MAX_URL_CHARS {
            return Err(invalid(
                "link_url.missing_or_invalid",
                "A bookmark URL must have at most 2048 characters.",
            ));
        }
    }
    if row.bookmark_type == LINK && !is_http_url(&row.link_url) {
        return Err(invalid(
            "link_url.missing_or_invalid",
            "A link bookmark needs an http or https URL.",
        ));
    }
    if !row.image_url.is_empty() && !is_http_url(&row.image_url) {
        return Err(invalid(
            "image_url",
            "The image URL must be an http or https URL.",
        ));
    }
    if row.bookmark_type == FILE && !is_valid_id(&row.file_id) {
        return Err(invalid(
            "file_id.missing_or_invalid",
            "A file bookmark needs the id of a file uploaded to the channel.",
        ));
    }
    if row.bookmark_type == LINK && !row.file_id.is_empty() {
        return Err(invalid("link_file", "A link bookmark cannot have a file."));
    }
    if !row.image_url.is_empty() && !row.file_id.is_empty() {
        return Err(invalid(
            "link_file",
            "A bookmark cannot have both an image URL and a file.",
        ));
    }
    if row.emoji.chars().count() > MAX_EMOJI_CHARS {
        return Err(invalid(
            "emoji",
            "The emoji name must have at most 64 characters.",
        ));
    }
    Ok(())
}

fn not_found() -> Error {
    AppError::not_found(
        "app.channel.bookmark.get.app_error",
        "Unable to find the bookmark.",
    )
    .into()
}

/// The store's refusals as Mattermost answers them (status codes for what is the client's
/// doing: Mattermost answers the limit and an unusable file with a 500).
fn refused(err: BookmarkError, change: Change) -> Error {
    match err {
        BookmarkError::Store(err) => err.into(),
        BookmarkError::Refused(Refusal::Limit) => AppError::bad_request(
            "app.channel.bookmark.save.app_error",
            "A channel can have at most 50 bookmarks.",
        )
        .into(),
        BookmarkError::Refused(Refusal::File) => invalid(
            "file_id.missing_or_invalid",
            "The file must be an upload of this channel that is not attached to a post or another bookmark.",
        ),
        BookmarkError::Refused(Refusal::BadIndex) => AppError::bad_request(
            "app.channel.bookmark.update_sort.invalid_input.app_error",
            "The new position is past the last bookmark.",
        )
        .into(),
        BookmarkError::Refused(Refusal::Gone) => match change {
            Change::Sort => AppError::not_found(
                "app.channel.bookmark.update_sort.missing_bookmark.app_error",
                "Unable to find the bookmark in this channel.",
            )
            .into(),
            _ => not_found(),
        },
    }
}

/// Bookmarks with their files (one read for the files of the whole list).
async fn with_files(state: &AppState, rows: Vec<BookmarkRow>) -> Result<Vec<Bookmark>> {
    let ids: Vec<String> = rows
        .iter()
        .filter(|r| !r.file_id.is_empty())
        .map(|r| r.file_id.clone())
        .collect();
    let mut files: HashMap<String, FileInfo> = state
        .store
        .file_infos_by_ids(&ids)
        .await?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let file = files.remove(&row.file_id);
            Bookmark::from_row(row, file)
        })
        .collect())
}

async fn with_file(state: &AppState, row: BookmarkRow) -> Result<Bookmark> {
    let mut list = with_files(state, vec![row]).await?;
    list.pop()
        .ok_or_else(|| AppError::internal("bookmark vanished").into())
}

/// A channel's live bookmarks in order, or (with `since` > 0) every bookmark changed or
/// deleted since then. Anyone who may read the channel may list them.
pub async fn list(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    since: i64,
) -> Result<Vec<Bookmark>> {
    let access = access(state, auth, channel_id).await?;
    if !access.can_read(auth) {
        return Err(AppError::forbidden(Permission::ReadChannelContent.id()).into());
    }
    let rows = state.store.channel_bookmarks(channel_id, since).await?;
    with_files(state, rows).await
}

/// Adds a bookmark at the end of the channel's list; `channel_bookmark_created` follows.
pub async fn create(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    input: NewBookmark,
) -> Result<Bookmark> {
    may_change(state, auth, channel_id, Change::Create).await?;
    let now = now_ms();
    let row = BookmarkRow {
        id: new_id(),
        owner_id: auth.user_id().to_string(),
        channel_id: channel_id.to_string(),
        file_id: input.file_id,
        create_at: now,
        update_at: now,
        delete_at: 0,
        display_name: input.display_name,
        sort_order: 0,
        link_url: input.link_url,
        image_url: input.image_url,
        emoji: input.emoji,
        bookmark_type: input.bookmark_type,
        original_id: String::new(),
        parent_id: String::new(),
    };
    validate(&row)?;
    let row = state
        .store
        .insert_bookmark(&row, MAX_BOOKMARKS_PER_CHANNEL)
        .await
        .map_err(|err| refused(err, Change::Create))?;
    let bookmark = with_file(state, row).await?;
    state
        .realtime
        .publish(events::channel_bookmark_created(channel_id, &bookmark));
    Ok(bookmark)
}

/// The live bookmark, in the channel of the path.
async fn bookmark_in(state: &AppState, channel_id: &str, bookmark_id: &str) -> Result<BookmarkRow> {
    let row = state
        .store
        .bookmark(bookmark_id, false)
        .await?
        .ok_or_else(not_found)?;
    if row.channel_id != channel_id {
        return Err(AppError::invalid_body_param("channel_id").into());
    }
    Ok(row)
}

/// Edits a bookmark. Its owner edits it in place; anyone else replaces it with a copy they
/// own (`original_id` naming the old one), as Mattermost does. `channel_bookmark_updated`
/// follows.
pub async fn update(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    bookmark_id: &str,
    patch: BookmarkPatch,
) -> Result<UpdatedBookmark> {
    may_change(state, auth, channel_id, Change::Update).await?;
    let old = bookmark_in(state, channel_id, bookmark_id).await?;
    let mut new = old.clone();
    if let Some(file_id) = patch.file_id {
        new.file_id = file_id;
    }
    if let Some(display_name) = patch.display_name {
        new.display_name = display_name;
    }
    if let Some(sort_order) = patch.sort_order {
        new.sort_order = sort_order;
    }
    if let Some(link_url) = patch.link_url {
        new.link_url = link_url;
    }
    if let Some(image_url) = patch.image_url {
        new.image_url = image_url;
    }
    if let Some(emoji) = patch.emoji {
        new.emoji = emoji;
    }
    validate(&new)?;
    let now = now_ms();
    let response = if old.owner_id == auth.user_id() {
        new.update_at = now;
        state
            .store
            .update_bookmark(&old, &new)
            .await
            .map_err(|err| refused(err, Change::Update))?;
        UpdatedBookmark {
            updated: Some(with_file(state, new).await?),
            deleted: None,
        }
    } else {
        new.id = new_id();
        new.owner_id = auth.user_id().to_string();
        new.original_id = old.id.clone();
        new.create_at = now;
        new.update_at = now;
        state
            .store
            .replace_bookmark(&old, &new)
            .await
            .map_err(|err| refused(err, Change::Update))?;
        let deleted = BookmarkRow {
            delete_at: now,
            update_at: now,
            ..old
        };
        UpdatedBookmark {
            updated: Some(with_file(state, new).await?),
            deleted: Some(Bookmark::from_row(deleted, None)),
        }
    };
    state
        .realtime
        .publish(events::channel_bookmark_updated(channel_id, &response));
    Ok(response)
}

/// Moves a bookmark to position `index` of the channel's list; returns the renumbered list.
/// `channel_bookmark_sorted` follows.
pub async fn sort(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    bookmark_id: &str,
    index: i64,
) -> Result<Vec<Bookmark>> {
    if index < 0 {
        return Err(AppError::invalid_body_param("channelBookmarkSortOrder").into());
    }
    may_change(state, auth, channel_id, Change::Sort).await?;
    let rows = state
        .store
        .sort_bookmark(channel_id, bookmark_id, index, now_ms())
        .await
        .map_err(|err| refused(err, Change::Sort))?;
    let bookmarks = with_files(state, rows).await?;
    state
        .realtime
        .publish(events::channel_bookmark_sorted(channel_id, &bookmarks));
    Ok(bookmarks)
}

/// Deletes a bookmark and its file; returns it as deleted. `channel_bookmark_deleted`
/// follows.
pub async fn delete(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    bookmark_id: &str,
) -> Result<Bookmark> {
    may_change(state, auth, channel_id, Change::Delete).await?;
    bookmark_in(state, channel_id, bookmark_id).await?;
    let row = state
        .store
        .delete_bookmark(bookmark_id, now_ms())
        .await
        .map_err(|err| refused(err, Change::Delete))?;
    let bookmark = with_file(state, row).await?;
    state
        .realtime
        .publish(events::channel_bookmark_deleted(channel_id, &bookmark));
    Ok(bookmark)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> BookmarkRow {
        BookmarkRow {
            display_name: "Docs".into(),
            bookmark_type: LINK.into(),
            link_url: url.into(),
            ..Default::default()
        }
    }

    #[test]
    fn links_need_http_urls() {
        assert!(validate(&link("https://example.com/a?b=c")).is_ok());
        assert!(validate(&link("http://localhost:8065")).is_ok());
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "HTTPS://x.y",
        ] {
            assert!(validate(&link(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn files_need_a_file_and_no_image() {
        let mut row = BookmarkRow {
            display_name: "Spec".into(),
            bookmark_type: FILE.into(),
            ..Default::default()
        };
        assert!(validate(&row).is_err());
        row.file_id = new_id();
        assert!(validate(&row).is_ok());
        row.image_url = "https://example.com/i.png".into();
        assert!(validate(&row).is_err());
        let mut with_file = link("https://example.com");
        with_file.file_id = new_id();
        assert!(validate(&with_file).is_err());
        let mut untyped = link("https://example.com");
        untyped.bookmark_type = "board".into();
        assert!(validate(&untyped).is_err());
    }
}
