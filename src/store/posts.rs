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
        Post {
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
        }
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
        let props = serde_json::to_string(&post.props).unwrap_or_else(|_| "{}".into());
        let file_ids = serde_json::to_string(&post.file_ids).unwrap_or_else(|_| "[]".into());
        let is_root = post.root_id.is_empty();
        with_tx!(self, |tx| async {
            sqlx::query(&format!(
                "INSERT INTO posts ({POST_COLUMNS}) VALUES ($1, $2, $3, 0, 0, FALSE, $4, $5, $6, '', $7, $8, $9, $10, $11, $12, FALSE, NULL, 0, 0)"
            ))
            .bind(&post.id)
            .bind(post.create_at)
            .bind(post.update_at)
            .bind(&post.user_id)
            .bind(&post.channel_id)
            .bind(&post.root_id)
            .bind(&post.message)
            .bind(&post.post_type)
            .bind(&props)
            .bind(&post.hashtags)
            .bind(&file_ids)
            .bind(&post.pending_post_id)
            .execute(&mut **tx)
            .await?;
            run_stmts!(tx, self.index_post_stmts(post));
            run_stmts!(tx, super::files::attach_stmts(post));
            sqlx::query(
                "UPDATE channels SET last_post_at = MAX_FN(last_post_at, $2), total_msg_count = total_msg_count + 1, \
                 last_root_post_at = CASE WHEN $3 THEN MAX_FN(last_root_post_at, $2) ELSE last_root_post_at END, \
                 total_msg_count_root = total_msg_count_root + CASE WHEN $3 THEN 1 ELSE 0 END WHERE id = $1"
                    .replace("MAX_FN", self.greatest())
                    .as_str(),
            )
            .bind(&post.channel_id)
            .bind(post.create_at)
            .bind(is_root)
            .execute(&mut **tx)
            .await?;
            if !is_root {
                sqlx::query(
                    "UPDATE posts SET reply_count = reply_count + 1, last_reply_at = $2, update_at = $2 WHERE id = $1",
                )
                .bind(&post.root_id)
                .bind(post.create_at)
                .execute(&mut **tx)
                .await?;
                let participants: Option<(String,)> =
                    sqlx::query_as("SELECT participants FROM threads WHERE post_id = $1")
                        .bind(&post.root_id)
                        .fetch_optional(&mut **tx)
                        .await?;
                let mut list: Vec<String> = participants
                    .as_ref()
                    .and_then(|(p,)| serde_json::from_str(p).ok())
                    .unwrap_or_default();
                if !list.contains(&post.user_id) {
                    list.push(post.user_id.clone());
                }
                let list = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
                sqlx::query(
                    "INSERT INTO threads (post_id, channel_id, team_id, reply_count, last_reply_at, participants, thread_delete_at) \
                     VALUES ($1, $2, $3, 1, $4, $5, 0) ON CONFLICT (post_id) DO UPDATE SET \
                     reply_count = threads.reply_count + 1, last_reply_at = excluded.last_reply_at, participants = excluded.participants",
                )
                .bind(&post.root_id)
                .bind(&post.channel_id)
                .bind(&effects.team_id)
                .bind(post.create_at)
                .bind(&list)
                .execute(&mut **tx)
                .await?;
                // The author follows the thread they reply to; so does the root's author.
                sqlx::query(
                    "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                     VALUES ($1, $2, TRUE, $3, $3, 0) ON CONFLICT (post_id, user_id) DO UPDATE SET \
                     following = TRUE, last_viewed = excluded.last_viewed, last_updated = excluded.last_updated",
                )
                .bind(&post.root_id)
                .bind(&post.user_id)
                .bind(post.create_at)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                     SELECT id, user_id, TRUE, 0, $2, 0 FROM posts WHERE id = $1 \
                     ON CONFLICT (post_id, user_id) DO UPDATE SET last_updated = excluded.last_updated",
                )
                .bind(&post.root_id)
                .bind(post.create_at)
                .execute(&mut **tx)
                .await?;
            }
            for user_id in &effects.mentioned_user_ids {
                if !is_root {
                    // A mention in a thread makes the mentioned user follow it.
                    sqlx::query(
                        "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                         VALUES ($1, $2, TRUE, 0, $3, 1) ON CONFLICT (post_id, user_id) DO UPDATE SET \
                         following = TRUE, last_updated = excluded.last_updated, \
                         unread_mentions = thread_memberships.unread_mentions + 1",
                    )
                    .bind(&post.root_id)
                    .bind(user_id)
                    .bind(post.create_at)
                    .execute(&mut **tx)
                    .await?;
                }
                sqlx::query(
                    "UPDATE channel_members SET mention_count = mention_count + 1, \
                     mention_count_root = mention_count_root + CASE WHEN $3 THEN 1 ELSE 0 END \
                     WHERE channel_id = $1 AND user_id = $2",
                )
                .bind(&post.channel_id)
                .bind(user_id)
                .bind(is_root)
                .execute(&mut **tx)
                .await?;
            }
            // Posting marks the channel read for the author.
            sqlx::query(
                "UPDATE channel_members SET last_viewed_at = $3, last_update_at = $3, \
                 msg_count = (SELECT total_msg_count FROM channels WHERE id = $1), \
                 msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1) \
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .bind(&post.channel_id)
            .bind(&post.user_id)
            .bind(post.create_at)
            .execute(&mut **tx)
            .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// `MAX` of two values is `GREATEST` in PostgreSQL and scalar `MAX` in SQLite.
    fn greatest(&self) -> &'static str {
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

    /// Members of a channel with the user fields mention detection needs.
    pub async fn channel_member_mention_info(
        &self,
        channel_id: &str,
    ) -> Result<Vec<MentionInfo>, StoreError> {
        let rows: Vec<MentionInfo> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id AS user_id, u.username, u.first_name, u.notify_props AS user_notify_props, \
                 m.notify_props AS channel_notify_props FROM channel_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.channel_id = $1 AND u.delete_at = 0",
            )
            .bind(channel_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows)
    }
}

/// What mention detection needs to know about one channel member.
#[derive(Debug, Clone, FromRow)]
pub struct MentionInfo {
    pub user_id: String,
    pub username: String,
    pub first_name: String,
    pub user_notify_props: String,
    pub channel_notify_props: String,
}
