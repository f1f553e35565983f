//! `channel_bookmarks`: links and files pinned to a channel. Every change runs in one
//! transaction that first locks the channel row (PostgreSQL; SQLite's single writer already
//! serialises), so the per-channel limit and the sort order hold under concurrent requests.

use sqlx::FromRow;

use super::{Dialect, Store, StoreError};

const COLUMNS: &str =
    "id, owner_id, channel_id, file_id, create_at, update_at, delete_at, display_name, \
    sort_order, link_url, image_url, emoji, type, original_id, parent_id";

/// Most rows a since-list returns: twice the live limit, as Mattermost does (deleted rows
/// reported to a client catching up count too).
const LIST_LIMIT: i64 = 100;

/// Who owns a file a bookmark claimed: it can no longer be attached to a post, and the orphan
/// clean-up leaves it alone while the bookmark lives (Mattermost's `BookmarkFileOwner`).
pub const BOOKMARK_FILE_OWNER: &str = "bookmark";

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Default)]
pub struct BookmarkRow {
    pub id: String,
    pub owner_id: String,
    pub channel_id: String,
    pub file_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub display_name: String,
    pub sort_order: i64,
    pub link_url: String,
    pub image_url: String,
    pub emoji: String,
    #[sqlx(rename = "type")]
    pub bookmark_type: String,
    pub original_id: String,
    pub parent_id: String,
}

/// Why a change was refused inside its transaction (nothing was written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The channel already has the most live bookmarks allowed.
    Limit,
    /// The file is not an unattached, live upload of this channel by the caller (or is
    /// another live bookmark's).
    File,
    /// The bookmark is not live (deleted meanwhile, or never existed).
    Gone,
    /// A sort position past the last bookmark.
    BadIndex,
}

#[derive(Debug)]
pub enum BookmarkError {
    Store(StoreError),
    Refused(Refusal),
}

impl From<sqlx::Error> for BookmarkError {
    fn from(err: sqlx::Error) -> Self {
        BookmarkError::Store(err.into())
    }
}

impl From<StoreError> for BookmarkError {
    fn from(err: StoreError) -> Self {
        BookmarkError::Store(err)
    }
}

/// Takes the channel's row lock for the rest of the transaction (PostgreSQL only).
const LOCK_CHANNEL: &str = "SELECT id FROM channels WHERE id = $1 FOR UPDATE";

/// Claims a file for a bookmark: `$1` file, `$2` channel, `$3` the caller, `$4` now.
const CLAIM_FILE: &str = "UPDATE file_info SET creator_id = 'bookmark', update_at = $4 \
    WHERE id = $1 AND channel_id = $2 AND post_id = '' AND delete_at = 0 \
    AND (creator_id = $3 OR creator_id = 'bookmark') \
    AND NOT EXISTS (SELECT 1 FROM channel_bookmarks b WHERE b.file_id = $1 AND b.delete_at = 0)";

/// Deletes a file a bookmark let go of: `$1` file, `$2` now.
const RELEASE_FILE: &str = "UPDATE file_info SET delete_at = $2, update_at = $2 \
    WHERE id = $1 AND creator_id = 'bookmark' AND delete_at = 0";

const INSERT: &str =
    "INSERT INTO channel_bookmarks (id, owner_id, channel_id, file_id, create_at, update_at, \
    delete_at, display_name, sort_order, link_url, image_url, emoji, type, original_id, parent_id) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

macro_rules! bind_row {
    ($query:expr, $row:expr) => {
        $query
            .bind(&$row.id)
            .bind(&$row.owner_id)
            .bind(&$row.channel_id)
            .bind(&$row.file_id)
            .bind($row.create_at)
            .bind($row.update_at)
            .bind($row.delete_at)
            .bind(&$row.display_name)
            .bind($row.sort_order)
            .bind(&$row.link_url)
            .bind(&$row.image_url)
            .bind(&$row.emoji)
            .bind(&$row.bookmark_type)
            .bind(&$row.original_id)
            .bind(&$row.parent_id)
    };
}

/// The statements every change shares, for either backend's transaction.
macro_rules! lock_channel {
    ($tx:expr, $dialect:expr, $channel_id:expr) => {
        if $dialect == Dialect::Postgres {
            sqlx::query(LOCK_CHANNEL)
                .bind($channel_id)
                .execute(&mut **$tx)
                .await?;
        }
    };
}

macro_rules! claim_file {
    ($tx:expr, $row:expr, $caller:expr, $now:expr) => {
        let claimed = sqlx::query(CLAIM_FILE)
            .bind(&$row.file_id)
            .bind(&$row.channel_id)
            .bind($caller)
            .bind($now)
            .execute(&mut **$tx)
            .await?
            .rows_affected();
        if claimed == 0 {
            return Err(BookmarkError::Refused(Refusal::File));
        }
    };
}

/// Deletes the file a bookmark let go of (none when the id is empty).
macro_rules! release_file {
    ($tx:expr, $file_id:expr, $now:expr) => {
        let file_id: &str = $file_id;
        if !file_id.is_empty() {
            sqlx::query(RELEASE_FILE)
                .bind(file_id)
                .bind($now)
                .execute(&mut **$tx)
                .await?;
        }
    };
}

macro_rules! live_rows {
    ($tx:expr, $channel_id:expr) => {{
        let sql = format!(
            "SELECT {COLUMNS} FROM channel_bookmarks WHERE channel_id = $1 AND delete_at = 0 \
             ORDER BY sort_order, create_at, id"
        );
        let rows: Vec<BookmarkRow> = sqlx::query_as(&sql)
            .bind($channel_id)
            .fetch_all(&mut **$tx)
            .await?;
        rows
    }};
}

impl Store {
    /// The live bookmarks of a channel (`since` 0), or every bookmark changed or deleted at or
    /// after `since`; by sort order, deleted ones after live ones at the same place.
    pub async fn channel_bookmarks(
        &self,
        channel_id: &str,
        since: i64,
    ) -> Result<Vec<BookmarkRow>, StoreError> {
        let filter = if since > 0 {
            "(update_at >= $2 OR delete_at >= $2)"
        } else {
            "delete_at = 0 AND $2 = 0"
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM channel_bookmarks WHERE channel_id = $1 AND {filter} \
             ORDER BY sort_order, delete_at, create_at, id LIMIT $3"
        );
        let rows: Vec<BookmarkRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(channel_id)
            .bind(since.max(0))
            .bind(LIST_LIMIT)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// One bookmark, deleted ones only when asked for.
    pub async fn bookmark(
        &self,
        id: &str,
        include_deleted: bool,
    ) -> Result<Option<BookmarkRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM channel_bookmarks WHERE id = $1{}",
            if include_deleted {
                ""
            } else {
                " AND delete_at = 0"
            }
        );
        let row: Option<BookmarkRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row)
    }

    /// Adds a bookmark at the end of the channel's list (its `sort_order` is replaced), unless
    /// the channel has `max` live ones; a file bookmark claims its file. Returns the row.
    pub async fn insert_bookmark(
        &self,
        row: &BookmarkRow,
        max: i64,
    ) -> Result<BookmarkRow, BookmarkError> {
        let dialect = self.dialect();
        let mut row = row.clone();
        with_tx!(self, |tx| async {
            lock_channel!(tx, dialect, &row.channel_id);
            let (live, last): (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COALESCE(MAX(sort_order), -1) FROM channel_bookmarks \
                 WHERE channel_id = $1 AND delete_at = 0",
            )
            .bind(&row.channel_id)
            .fetch_one(&mut **tx)
            .await?;
            if live >= max {
                return Err(BookmarkError::Refused(Refusal::Limit));
            }
            if !row.file_id.is_empty() {
                claim_file!(tx, row, &row.owner_id, row.create_at);
            }
            row.sort_order = last + 1;
            bind_row!(sqlx::query(INSERT), row)
                .execute(&mut **tx)
                .await?;
            Ok::<_, BookmarkError>(())
        })?;
        Ok(row)
    }

    /// Rewrites a live bookmark in place (its owner editing it). A new file is claimed and the
    /// one it replaces deleted.
    pub async fn update_bookmark(
        &self,
        old: &BookmarkRow,
        new: &BookmarkRow,
    ) -> Result<(), BookmarkError> {
        let dialect = self.dialect();
        with_tx!(self, |tx| async {
            lock_channel!(tx, dialect, &new.channel_id);
            if new.file_id != old.file_id {
                if !new.file_id.is_empty() {
                    claim_file!(tx, new, &new.owner_id, new.update_at);
                }
                release_file!(tx, &old.file_id, new.update_at);
            }
            let updated = sqlx::query(
                "UPDATE channel_bookmarks SET display_name = $2, sort_order = $3, link_url = $4, \
                 image_url = $5, emoji = $6, file_id = $7, update_at = $8 WHERE id = $1 AND delete_at = 0",
            )
            .bind(&new.id)
            .bind(&new.display_name)
            .bind(new.sort_order)
            .bind(&new.link_url)
            .bind(&new.image_url)
            .bind(&new.emoji)
            .bind(&new.file_id)
            .bind(new.update_at)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(BookmarkError::Refused(Refusal::Gone));
            }
            Ok::<_, BookmarkError>(())
        })
    }

    /// Someone other than the owner edited a bookmark: the old row is deleted and `new` (with
    /// `original_id` naming it) takes its place, in one transaction.
    pub async fn replace_bookmark(
        &self,
        old: &BookmarkRow,
        new: &BookmarkRow,
    ) -> Result<(), BookmarkError> {
        let dialect = self.dialect();
        let now = new.create_at;
        with_tx!(self, |tx| async {
            lock_channel!(tx, dialect, &new.channel_id);
            let deleted = sqlx::query(
                "UPDATE channel_bookmarks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0",
            )
            .bind(&old.id)
            .bind(now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if deleted == 0 {
                return Err(BookmarkError::Refused(Refusal::Gone));
            }
            if new.file_id != old.file_id {
                if !new.file_id.is_empty() {
                    claim_file!(tx, new, &new.owner_id, now);
                }
                release_file!(tx, &old.file_id, now);
            }
            bind_row!(sqlx::query(INSERT), new)
                .execute(&mut **tx)
                .await?;
            Ok::<_, BookmarkError>(())
        })
    }

    /// Deletes a live bookmark and its file; returns the deleted row.
    pub async fn delete_bookmark(&self, id: &str, now: i64) -> Result<BookmarkRow, BookmarkError> {
        let dialect = self.dialect();
        let sql =
            format!("SELECT {COLUMNS} FROM channel_bookmarks WHERE id = $1 AND delete_at = 0");
        let row = with_tx!(self, |tx| async {
            let found: Option<BookmarkRow> = sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
            let Some(mut row) = found else {
                return Err(BookmarkError::Refused(Refusal::Gone));
            };
            lock_channel!(tx, dialect, &row.channel_id);
            let deleted = sqlx::query(
                "UPDATE channel_bookmarks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0",
            )
            .bind(id)
            .bind(now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if deleted == 0 {
                return Err(BookmarkError::Refused(Refusal::Gone));
            }
            release_file!(tx, &row.file_id, now);
            row.delete_at = now;
            row.update_at = now;
            Ok::<_, BookmarkError>(row)
        })?;
        Ok(row)
    }

    /// Moves a live bookmark to position `index` (0 first) and renumbers the channel's live
    /// bookmarks 0, 1, 2...; returns them in their new order.
    pub async fn sort_bookmark(
        &self,
        channel_id: &str,
        id: &str,
        index: i64,
        now: i64,
    ) -> Result<Vec<BookmarkRow>, BookmarkError> {
        let dialect = self.dialect();
        with_tx!(self, |tx| async {
            lock_channel!(tx, dialect, channel_id);
            let mut rows = live_rows!(tx, channel_id);
            if index < 0 || index >= rows.len() as i64 {
                return Err(BookmarkError::Refused(Refusal::BadIndex));
            }
            let Some(from) = rows.iter().position(|b| b.id == id) else {
                return Err(BookmarkError::Refused(Refusal::Gone));
            };
            let moved = rows.remove(from);
            rows.insert(index as usize, moved);
            for (i, row) in rows.iter_mut().enumerate() {
                row.sort_order = i as i64;
                row.update_at = now;
                sqlx::query(
                    "UPDATE channel_bookmarks SET sort_order = $2, update_at = $3 WHERE id = $1",
                )
                .bind(&row.id)
                .bind(row.sort_order)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            Ok::<_, BookmarkError>(rows)
        })
    }
}
