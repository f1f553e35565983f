//! Permanently deleting a user (`townsquare user delete`), as Mattermost's `mmctl user delete`
//! does: the user row, everything that belongs only to them, and their posts, with the replies
//! in threads they started, in one transaction.
//!
//! Kept: channels and teams they created, custom emoji they added and terms of service they
//! wrote (shared by everyone), and channel message counters (they count messages ever sent, as
//! after any deletion).

use super::{Store, StoreError};

/// Posts that go: the user's own (edit history included) and every reply to a thread the user
/// started. `$1` is the user id.
const DOOMED_POSTS: &str = "SELECT id FROM posts WHERE user_id = $1 \
     OR root_id IN (SELECT id FROM posts WHERE user_id = $1 AND root_id = '')";

/// What a permanent deletion removes, counted before (plan) or by (result) the deletion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFootprint {
    /// The user's posts, edit history included.
    pub posts: i64,
    /// Replies by other users in threads the user started.
    pub replies_by_others: i64,
    /// Reactions by the user, and reactions by anyone on the deleted posts.
    pub reactions: i64,
    /// Files the user uploaded and files attached to the deleted posts.
    pub files: i64,
    pub sessions: i64,
    pub access_tokens: i64,
    pub team_memberships: i64,
    pub channel_memberships: i64,
    pub thread_memberships: i64,
    pub preferences: i64,
}

/// The result of [`Store::permanently_delete_user`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletedUser {
    pub removed: UserFootprint,
    /// File-store paths (relative to `FileSettings.Directory`) of the deleted files, thumbnails
    /// and previews; the caller removes them once the transaction has committed.
    pub file_paths: Vec<String>,
}

fn footprint_queries() -> [(&'static str, String); 10] {
    [
        ("posts", "SELECT COUNT(*) FROM posts WHERE user_id = $1".into()),
        (
            "replies_by_others",
            "SELECT COUNT(*) FROM posts WHERE user_id <> $1 AND root_id IN \
             (SELECT id FROM posts WHERE user_id = $1 AND root_id = '')"
                .into(),
        ),
        (
            "reactions",
            format!("SELECT COUNT(*) FROM reactions WHERE user_id = $1 OR post_id IN ({DOOMED_POSTS})"),
        ),
        (
            "files",
            format!("SELECT COUNT(*) FROM file_info WHERE creator_id = $1 OR post_id IN ({DOOMED_POSTS})"),
        ),
        ("sessions", "SELECT COUNT(*) FROM sessions WHERE user_id = $1".into()),
        (
            "access_tokens",
            "SELECT COUNT(*) FROM user_access_tokens WHERE user_id = $1".into(),
        ),
        (
            "team_memberships",
            "SELECT COUNT(*) FROM team_members WHERE user_id = $1".into(),
        ),
        (
            "channel_memberships",
            "SELECT COUNT(*) FROM channel_members WHERE user_id = $1".into(),
        ),
        (
            "thread_memberships",
            format!(
                "SELECT COUNT(*) FROM thread_memberships WHERE user_id = $1 OR post_id IN ({DOOMED_POSTS})"
            ),
        ),
        ("preferences", "SELECT COUNT(*) FROM preferences WHERE user_id = $1".into()),
    ]
}

fn set(footprint: &mut UserFootprint, name: &str, value: i64) {
    let slot = match name {
        "posts" => &mut footprint.posts,
        "replies_by_others" => &mut footprint.replies_by_others,
        "reactions" => &mut footprint.reactions,
        "files" => &mut footprint.files,
        "sessions" => &mut footprint.sessions,
        "access_tokens" => &mut footprint.access_tokens,
        "team_memberships" => &mut footprint.team_memberships,
        "channel_memberships" => &mut footprint.channel_memberships,
        "thread_memberships" => &mut footprint.thread_memberships,
        _ => &mut footprint.preferences,
    };
    *slot = value;
}

/// Statements run in order inside the deletion's transaction: dependants before what they
/// reference (SQLite enforces the foreign keys), the search index with the posts.
fn delete_statements(postgres: bool) -> Vec<String> {
    let mut stmts = vec![
        format!("DELETE FROM reactions WHERE user_id = $1 OR post_id IN ({DOOMED_POSTS})"),
        format!("DELETE FROM file_info WHERE creator_id = $1 OR post_id IN ({DOOMED_POSTS})"),
        format!("DELETE FROM thread_memberships WHERE user_id = $1 OR post_id IN ({DOOMED_POSTS})"),
        format!("DELETE FROM threads WHERE post_id IN ({DOOMED_POSTS})"),
        format!("DELETE FROM posts_fts_backfill WHERE post_id IN ({DOOMED_POSTS})"),
        format!("DELETE FROM post_reminders WHERE post_id IN ({DOOMED_POSTS})"),
    ];
    if postgres {
        stmts.push(format!(
            "DELETE FROM posts_fts WHERE post_id IN ({DOOMED_POSTS})"
        ));
    } else {
        stmts.push(format!(
            "DELETE FROM posts_fts WHERE rowid IN \
             (SELECT doc FROM posts_fts_keys WHERE post_id IN ({DOOMED_POSTS}))"
        ));
        stmts.push(format!(
            "DELETE FROM posts_fts_keys WHERE post_id IN ({DOOMED_POSTS})"
        ));
    }
    // Replies first, so the roots the subquery names are still there.
    stmts.push(
        "DELETE FROM posts WHERE root_id IN (SELECT id FROM posts WHERE user_id = $1 AND root_id = '')"
            .into(),
    );
    for sql in [
        "DELETE FROM posts WHERE user_id = $1",
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM user_access_tokens WHERE user_id = $1",
        "DELETE FROM login_attempts WHERE user_id = $1",
        "DELETE FROM preferences WHERE user_id = $1",
        "DELETE FROM status WHERE user_id = $1",
        "DELETE FROM channel_members WHERE user_id = $1",
        "DELETE FROM team_members WHERE user_id = $1",
        "DELETE FROM sidebar_channels WHERE user_id = $1",
        "DELETE FROM sidebar_categories WHERE user_id = $1",
        "DELETE FROM drafts WHERE user_id = $1",
        "DELETE FROM scheduled_posts WHERE user_id = $1",
        "DELETE FROM post_reminders WHERE user_id = $1",
        // Not `user_terms_of_service`: core never writes enterprise tables (its row names a
        // user that no longer exists and is never read again).
        "DELETE FROM users WHERE id = $1",
    ] {
        stmts.push(sql.into());
    }
    stmts
}

impl Store {
    /// Counts what [`Store::permanently_delete_user`] would remove. Changes nothing.
    pub async fn user_footprint(&self, user_id: &str) -> Result<UserFootprint, StoreError> {
        let mut footprint = UserFootprint::default();
        for (name, sql) in footprint_queries() {
            let (count,): (i64,) = with_reader!(self, |pool| {
                sqlx::query_as(&sql).bind(user_id).fetch_one(pool).await
            })?;
            set(&mut footprint, name, count);
        }
        Ok(footprint)
    }

    /// Deletes the user and what belongs only to them, in one transaction; see the module
    /// docs for what is kept. Threads elsewhere that lose the user's replies get their reply
    /// counts, last reply times and participants recomputed, and posts that lose the user's
    /// reactions their `has_reactions`. Returns `None` when there is no such user.
    pub async fn permanently_delete_user(
        &self,
        user_id: &str,
        now: i64,
    ) -> Result<Option<DeletedUser>, StoreError> {
        let postgres = matches!(self.dialect(), super::Dialect::Postgres);
        let result = with_tx!(self, |tx| async {
            let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await?;
            if exists.is_none() {
                return Ok::<_, StoreError>(None);
            }
            let mut removed = UserFootprint::default();
            for (name, sql) in footprint_queries() {
                let (count,): (i64,) = sqlx::query_as(&sql)
                    .bind(user_id)
                    .fetch_one(&mut **tx)
                    .await?;
                set(&mut removed, name, count);
            }
            let paths: Vec<(String, String, String)> = sqlx::query_as(&format!(
                "SELECT path, thumbnail_path, preview_path FROM file_info \
                 WHERE creator_id = $1 OR post_id IN ({DOOMED_POSTS})"
            ))
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;
            // Other people's threads the user replied to, and posts the user reacted to that
            // stay: their derived columns are recomputed once the rows are gone.
            let threads: Vec<(String,)> = sqlx::query_as(&format!(
                "SELECT DISTINCT root_id FROM posts WHERE user_id = $1 AND root_id <> '' \
                 AND root_id NOT IN ({DOOMED_POSTS})"
            ))
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;
            let reacted: Vec<(String,)> = sqlx::query_as(&format!(
                "SELECT DISTINCT post_id FROM reactions WHERE user_id = $1 \
                 AND post_id NOT IN ({DOOMED_POSTS})"
            ))
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;

            for sql in delete_statements(postgres) {
                sqlx::query(&sql).bind(user_id).execute(&mut **tx).await?;
            }

            for (root_id,) in &threads {
                let (replies, last): (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), MAX(create_at) FROM posts \
                     WHERE root_id = $1 AND delete_at = 0 AND original_id = ''",
                )
                .bind(root_id)
                .fetch_one(&mut **tx)
                .await?;
                let last = last.unwrap_or(0);
                sqlx::query(
                    "UPDATE posts SET reply_count = $2, last_reply_at = $3, update_at = $4 WHERE id = $1",
                )
                .bind(root_id)
                .bind(replies)
                .bind(last)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                let participants: Option<(String,)> =
                    sqlx::query_as("SELECT participants FROM threads WHERE post_id = $1")
                        .bind(root_id)
                        .fetch_optional(&mut **tx)
                        .await?;
                if let Some((participants,)) = participants {
                    let mut ids: Vec<String> =
                        serde_json::from_str(&participants).unwrap_or_default();
                    ids.retain(|id| id != user_id);
                    let participants =
                        serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_string());
                    sqlx::query(
                        "UPDATE threads SET reply_count = $2, last_reply_at = $3, participants = $4 \
                         WHERE post_id = $1",
                    )
                    .bind(root_id)
                    .bind(replies)
                    .bind(last)
                    .bind(participants)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            for (post_id,) in &reacted {
                sqlx::query(
                    "UPDATE posts SET has_reactions = EXISTS \
                     (SELECT 1 FROM reactions WHERE post_id = $1 AND delete_at = 0), update_at = $2 \
                     WHERE id = $1",
                )
                .bind(post_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }

            let file_paths = paths
                .into_iter()
                .flat_map(|(path, thumbnail, preview)| [path, thumbnail, preview])
                .filter(|p| !p.is_empty())
                .collect();
            Ok(Some(DeletedUser {
                removed,
                file_paths,
            }))
        })?;
        if result.is_some() {
            self.members_changed();
            self.auth_changed(user_id).await?;
        }
        Ok(result)
    }
}
