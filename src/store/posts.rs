//! `posts`, with the channel counters, thread rows and mention counts a new post changes.

use sqlx::FromRow;
use townsquare_sdk::model::Post;

use super::{Store, StoreError};

pub(crate) const POST_COLUMNS: &str = "id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, \
    root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions, remote_id, \
    reply_count, last_reply_at";

#[derive(FromRow)]
pub(crate) struct PostRow {
    id: String,
    create_at: i64,
    update_at: i64,
    edit_at: i64,
    delete_at: i64,
    is_pinned: bool,
    user_id: String,
    channel_id: String,
    root_id: String,
    original_id: String,
    message: String,
    #[sqlx(rename = "type")]
    post_type: String,
    props: String,
    hashtags: String,
    file_ids: String,
    pending_post_id: String,
    has_reactions: bool,
    remote_id: Option<String>,
    reply_count: i64,
    last_reply_at: i64,
}

impl From<PostRow> for Post {
    fn from(row: PostRow) -> Self {
        // Edit-history copies carry a `delete_at` too, but their content is the history.
        let deleted = row.delete_at != 0 && row.original_id.is_empty();
        let post = Post {
            id: row.id,
            create_at: row.create_at,
            update_at: row.update_at,
            edit_at: row.edit_at,
            delete_at: row.delete_at,
            is_pinned: row.is_pinned,
            user_id: row.user_id,
            channel_id: row.channel_id,
            root_id: row.root_id,
            original_id: row.original_id,
            message: row.message,
            post_type: row.post_type,
            props: serde_json::from_str(&row.props).unwrap_or_default(),
            hashtags: row.hashtags,
            file_ids: serde_json::from_str(&row.file_ids).unwrap_or_default(),
            pending_post_id: row.pending_post_id,
            has_reactions: row.has_reactions,
            remote_id: row.remote_id,
            reply_count: row.reply_count,
            last_reply_at: row.last_reply_at,
            participants: None,
            is_following: None,
            metadata: None,
        };
        if deleted {
            without_content(post)
        } else {
            post
        }
    }
}

/// A deleted post as every reader gets it: the deletion (ids, times, thread placement)
/// without what was said. Every read of `posts` goes through here, so no route can hand out
/// a deleted post's message, files or props; Mattermost likewise blanks the message and
/// metadata of deleted posts it returns.
pub fn without_content(post: Post) -> Post {
    Post {
        message: String::new(),
        props: Default::default(),
        hashtags: String::new(),
        file_ids: Vec::new(),
        has_reactions: false,
        participants: None,
        metadata: Some(serde_json::Value::Object(Default::default())),
        ..post
    }
}

/// Who a new post notifies, decided by the app layer before the insert.
#[derive(Debug, Default, Clone)]
pub struct PostEffects {
    /// Members whose mention counters go up.
    pub mentioned_user_ids: Vec<String>,
    /// The thread's team (for the `threads` row); empty for direct and group channels.
    pub team_id: String,
}

impl PostEffects {
    /// A system message's effects: it mentions nobody.
    pub fn announcement(team_id: &str) -> Self {
        Self {
            mentioned_user_ids: Vec::new(),
            team_id: team_id.to_string(),
        }
    }
}

/// Which page of a channel to read.
#[derive(Debug, Clone)]
pub enum ChannelPage {
    /// Newest first, skipping `offset` posts.
    Offset { offset: i64, limit: i64 },
    /// Posts older than the cursor post.
    Before {
        create_at: i64,
        id: String,
        limit: i64,
    },
    /// Posts newer than the cursor post.
    After {
        create_at: i64,
        id: String,
        limit: i64,
    },
    /// Everything changed after the time, deletions included.
    Since { update_at: i64 },
}

impl Store {
    /// Inserts a post and, in the same transaction, bumps the channel's counters, the root's
    /// reply count and thread row, the mentioned members' counters, and marks the channel read
    /// for the author.
    pub async fn insert_post(&self, post: &Post, effects: &PostEffects) -> Result<(), StoreError> {
        let greatest = self.greatest();
        with_tx!(self, |tx| async {
            insert_post_in!(tx, greatest, post, effects);
            // Search index and file claims: only for posts people write (system messages,
            // inserted by membership transactions, are neither searched nor carry files).
            run_stmts!(tx, self.index_post_stmts(post));
            run_stmts!(tx, super::files::attach_stmts(post));
            Ok::<_, StoreError>(())
        })
    }

    /// `MAX` of two values is `GREATEST` in PostgreSQL and scalar `MAX` in SQLite.
    pub(crate) fn greatest(&self) -> &'static str {
        match self.dialect() {
            super::Dialect::Sqlite => "MAX",
            super::Dialect::Postgres => "GREATEST",
        }
    }

    pub async fn post(&self, id: &str) -> Result<Option<Post>, StoreError> {
        let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1");
        let row: Option<PostRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Post::from))
    }

    /// A post already created from the same client-side pending id (retries return it).
    pub async fn post_by_pending_id(
        &self,
        user_id: &str,
        pending_post_id: &str,
    ) -> Result<Option<Post>, StoreError> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE user_id = $1 AND pending_post_id = $2 LIMIT 1"
        );
        let row: Option<PostRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(pending_post_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(Post::from))
    }

    pub async fn posts_by_ids(&self, ids: &[String]) -> Result<Vec<Post>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE id IN ({}) ORDER BY create_at DESC, id DESC",
            super::sql::placeholders(1, ids.len())
        );
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// A page of a channel, newest first (oldest first for `After`). Edit-history copies are
    /// never listed; deleted posts only appear in `Since`.
    pub async fn channel_posts(
        &self,
        channel_id: &str,
        page: &ChannelPage,
    ) -> Result<Vec<Post>, StoreError> {
        let base =
            format!("SELECT {POST_COLUMNS} FROM posts WHERE channel_id = $1 AND original_id = ''");
        let (sql, a, b, c) = match page {
            ChannelPage::Offset { offset, limit } => (
                format!(
                    "{base} AND delete_at = 0 ORDER BY create_at DESC, id DESC LIMIT $2 OFFSET $3"
                ),
                Some(*limit),
                Some(*offset),
                None,
            ),
            ChannelPage::Before {
                create_at,
                id,
                limit,
            } => (
                format!(
                    "{base} AND delete_at = 0 AND (create_at < $2 OR (create_at = $2 AND id < $4)) \
                     ORDER BY create_at DESC, id DESC LIMIT $3"
                ),
                Some(*create_at),
                Some(*limit),
                Some(id.clone()),
            ),
            ChannelPage::After {
                create_at,
                id,
                limit,
            } => (
                format!(
                    "{base} AND delete_at = 0 AND (create_at > $2 OR (create_at = $2 AND id > $4)) \
                     ORDER BY create_at ASC, id ASC LIMIT $3"
                ),
                Some(*create_at),
                Some(*limit),
                Some(id.clone()),
            ),
            ChannelPage::Since { update_at } => (
                format!("{base} AND update_at > $2 ORDER BY create_at DESC, id DESC LIMIT 1000"),
                Some(*update_at),
                None,
                None,
            ),
        };
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(channel_id);
            if let Some(a) = a {
                query = query.bind(a);
            }
            if let Some(b) = b {
                query = query.bind(b);
            }
            if let Some(c) = &c {
                query = query.bind(c);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// A root post and its replies (not deleted), newest first.
    pub async fn thread_posts(&self, root_id: &str) -> Result<Vec<Post>, StoreError> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE (id = $1 OR root_id = $1) AND delete_at = 0 AND original_id = '' \
             ORDER BY create_at DESC, id DESC"
        );
        let rows: Vec<PostRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(root_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    pub async fn pinned_posts(&self, channel_id: &str) -> Result<Vec<Post>, StoreError> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE channel_id = $1 AND is_pinned = TRUE AND delete_at = 0 \
             AND original_id = '' ORDER BY create_at DESC, id DESC LIMIT 200"
        );
        let rows: Vec<PostRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(channel_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    pub async fn count_pinned_posts(&self, channel_id: &str) -> Result<i64, StoreError> {
        let (count,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM posts WHERE channel_id = $1 AND is_pinned = TRUE AND delete_at = 0 AND original_id = ''")
                .bind(channel_id)
                .fetch_one(pool)
                .await
        })?;
        Ok(count)
    }

    /// Saves an edit: the previous version is kept as a deleted copy pointing at the post
    /// (`original_id`), as Mattermost keeps edit history.
    pub async fn edit_post(
        &self,
        previous: &Post,
        edited: &Post,
        history_id: &str,
    ) -> Result<(), StoreError> {
        let props = serde_json::to_string(&edited.props).unwrap_or_else(|_| "{}".into());
        let old_props = serde_json::to_string(&previous.props).unwrap_or_else(|_| "{}".into());
        let old_files = serde_json::to_string(&previous.file_ids).unwrap_or_else(|_| "[]".into());
        with_tx!(self, |tx| async {
            if previous.message != edited.message {
                sqlx::query(&format!(
                    "INSERT INTO posts ({POST_COLUMNS}) VALUES ($1, $2, $3, $4, $3, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', FALSE, NULL, 0, 0)"
                ))
                .bind(history_id)
                .bind(previous.create_at)
                .bind(edited.update_at)
                .bind(previous.edit_at)
                .bind(previous.is_pinned)
                .bind(&previous.user_id)
                .bind(&previous.channel_id)
                .bind(&previous.root_id)
                .bind(&previous.id)
                .bind(&previous.message)
                .bind(&previous.post_type)
                .bind(&old_props)
                .bind(&previous.hashtags)
                .bind(&old_files)
                .execute(&mut **tx)
                .await?;
            }
            sqlx::query(
                "UPDATE posts SET message = $2, props = $3, hashtags = $4, edit_at = $5, update_at = $6, is_pinned = $7 WHERE id = $1",
            )
            .bind(&edited.id)
            .bind(&edited.message)
            .bind(&props)
            .bind(&edited.hashtags)
            .bind(edited.edit_at)
            .bind(edited.update_at)
            .bind(edited.is_pinned)
            .execute(&mut **tx)
            .await?;
            if previous.message != edited.message {
                run_stmts!(tx, self.index_post_stmts(edited));
            }
            Ok::<_, StoreError>(())
        })
    }

    pub async fn set_post_pinned(
        &self,
        id: &str,
        pinned: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE posts SET is_pinned = $2, update_at = $3 WHERE id = $1")
                .bind(id)
                .bind(pinned)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Soft-deletes a post; a root takes its replies and thread with it, a reply lowers its
    /// root's reply count.
    pub async fn delete_post(&self, post: &Post, now: i64) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            sqlx::query("UPDATE posts SET delete_at = $2, update_at = $2 WHERE id = $1")
                .bind(&post.id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            run_stmts!(tx, self.unindex_post_stmts(&post.id));
            run_stmts!(tx, self.unindex_replies_stmts(&post.id));
            run_stmts!(tx, super::files::delete_for_post_stmts(&post.id));
            if post.root_id.is_empty() {
                sqlx::query("UPDATE posts SET delete_at = $2, update_at = $2 WHERE root_id = $1 AND delete_at = 0")
                    .bind(&post.id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                sqlx::query("UPDATE threads SET thread_delete_at = $2 WHERE post_id = $1")
                    .bind(&post.id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
            } else {
                sqlx::query(
                    "UPDATE posts SET reply_count = CASE WHEN reply_count > 0 THEN reply_count - 1 ELSE 0 END, update_at = $2 WHERE id = $1",
                )
                .bind(&post.root_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "UPDATE threads SET reply_count = CASE WHEN reply_count > 0 THEN reply_count - 1 ELSE 0 END WHERE post_id = $1",
                )
                .bind(&post.root_id)
                .execute(&mut **tx)
                .await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Root posts of the given replies, for filling a PostList's `posts` map.
    pub async fn roots_of(&self, posts: &[Post]) -> Result<Vec<Post>, StoreError> {
        let mut ids: Vec<String> = posts
            .iter()
            .filter(|p| !p.root_id.is_empty())
            .map(|p| p.root_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids.retain(|id| !posts.iter().any(|p| &p.id == id));
        self.posts_by_ids(&ids).await
    }

    /// Earlier versions of an edited post, newest first (Mattermost's edit history).
    pub async fn edit_history(&self, post_id: &str) -> Result<Vec<Post>, StoreError> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE original_id = $1 ORDER BY update_at DESC, id DESC LIMIT 200"
        );
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql).bind(post_id).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// The posts of a channel from `create_at` on, oldest first, at most `limit` (for
    /// recounting mentions when a channel is marked unread from a post).
    pub async fn channel_posts_from(
        &self,
        channel_id: &str,
        create_at: i64,
        limit: i64,
    ) -> Result<Vec<Post>, StoreError> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE channel_id = $1 AND create_at >= $2 AND original_id = '' \
             ORDER BY create_at, id LIMIT $3"
        );
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(channel_id)
                .bind(create_at)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// Marks a channel unread for a member from `create_at` on: the member has read only what
    /// came before (as counted in `total_msg_count`), with the given mention counts.
    pub async fn mark_unread_from(
        &self,
        channel_id: &str,
        user_id: &str,
        create_at: i64,
        mention_count: i64,
        mention_count_root: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let updated = with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE channel_members SET last_viewed_at = $3 - 1, last_update_at = $6, \
                 msg_count = (SELECT c.total_msg_count FROM channels c WHERE c.id = $1) - \
                   (SELECT COUNT(*) FROM posts p WHERE p.channel_id = $1 AND p.create_at >= $3 AND p.original_id = ''), \
                 msg_count_root = (SELECT c.total_msg_count_root FROM channels c WHERE c.id = $1) - \
                   (SELECT COUNT(*) FROM posts p WHERE p.channel_id = $1 AND p.create_at >= $3 AND p.original_id = '' AND p.root_id = ''), \
                 mention_count = $4, mention_count_root = $5 \
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .bind(channel_id)
            .bind(user_id)
            .bind(create_at)
            .bind(mention_count)
            .bind(mention_count_root)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(updated > 0)
    }

    /// Members of a channel with the user fields mention detection needs.
    pub async fn channel_member_mention_info(
        &self,
        channel_id: &str,
    ) -> Result<Vec<MentionInfo>, StoreError> {
        let sql = format!("{MENTION_INFO_SELECT} WHERE m.channel_id = $1 AND u.delete_at = 0");
        let rows: Vec<MentionInfo> = with_reader!(self, |pool| {
            sqlx::query_as(&sql).bind(channel_id).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// One member's mention data (recounting that member's mentions).
    pub async fn member_mention_info(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<Option<MentionInfo>, StoreError> {
        let sql = format!(
            "{MENTION_INFO_SELECT} WHERE m.channel_id = $1 AND m.user_id = $2 AND u.delete_at = 0"
        );
        let row: Option<MentionInfo> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(channel_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row)
    }
}

const MENTION_INFO_SELECT: &str = "SELECT u.id AS user_id, u.username, u.first_name, \
    u.notify_props AS user_notify_props, m.notify_props AS channel_notify_props \
    FROM channel_members m JOIN users u ON u.id = m.user_id";

/// What mention detection needs to know about one channel member.
#[derive(Debug, Clone, FromRow)]
pub struct MentionInfo {
    pub user_id: String,
    pub username: String,
    pub first_name: String,
    pub user_notify_props: String,
    pub channel_notify_props: String,
}
