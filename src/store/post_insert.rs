//! The statements that insert a post, as a macro so that other transactions (membership
//! changes with their system messages) run them inside their own transaction.

/// Inserts `$post` and, in transaction `$tx`, bumps the channel's counters, the root's reply
/// count and thread row, the mentioned members' counters, and marks the channel read for the
/// author. `$greatest` is the SQL name of a two-argument maximum.
macro_rules! insert_post_in {
    ($tx:ident, $greatest:expr, $post:expr, $effects:expr) => {{
        let props = serde_json::to_string(&$post.props).unwrap_or_else(|_| "{}".into());
        let file_ids = serde_json::to_string(&$post.file_ids).unwrap_or_else(|_| "[]".into());
        let is_root = $post.root_id.is_empty();
        sqlx::query(&format!(
            "INSERT INTO posts ({}) VALUES ($1, $2, $3, 0, 0, FALSE, $4, $5, $6, '', $7, $8, $9, $10, $11, $12, FALSE, NULL, 0, 0)",
            $crate::store::posts::POST_COLUMNS
        ))
        .bind(&$post.id)
        .bind($post.create_at)
        .bind($post.update_at)
        .bind(&$post.user_id)
        .bind(&$post.channel_id)
        .bind(&$post.root_id)
        .bind(&$post.message)
        .bind(&$post.post_type)
        .bind(&props)
        .bind(&$post.hashtags)
        .bind(&file_ids)
        .bind(&$post.pending_post_id)
        .execute(&mut **$tx)
        .await?;
        sqlx::query(
            "UPDATE channels SET last_post_at = MAX_FN(last_post_at, $2), total_msg_count = total_msg_count + 1, \
             last_root_post_at = CASE WHEN $3 THEN MAX_FN(last_root_post_at, $2) ELSE last_root_post_at END, \
             total_msg_count_root = total_msg_count_root + CASE WHEN $3 THEN 1 ELSE 0 END WHERE id = $1"
                .replace("MAX_FN", $greatest)
                .as_str(),
        )
        .bind(&$post.channel_id)
        .bind($post.create_at)
        .bind(is_root)
        .execute(&mut **$tx)
        .await?;
        if !is_root {
            sqlx::query(
                "UPDATE posts SET reply_count = reply_count + 1, last_reply_at = $2, update_at = $2 WHERE id = $1",
            )
            .bind(&$post.root_id)
            .bind($post.create_at)
            .execute(&mut **$tx)
            .await?;
            let participants: Option<(String,)> =
                sqlx::query_as("SELECT participants FROM threads WHERE post_id = $1")
                    .bind(&$post.root_id)
                    .fetch_optional(&mut **$tx)
                    .await?;
            let mut list: Vec<String> = participants
                .as_ref()
                .and_then(|(p,)| serde_json::from_str(p).ok())
                .unwrap_or_default();
            if !list.contains(&$post.user_id) {
                list.push($post.user_id.clone());
            }
            let list = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
            sqlx::query(
                "INSERT INTO threads (post_id, channel_id, team_id, reply_count, last_reply_at, participants, thread_delete_at) \
                 VALUES ($1, $2, $3, 1, $4, $5, 0) ON CONFLICT (post_id) DO UPDATE SET \
                 reply_count = threads.reply_count + 1, last_reply_at = excluded.last_reply_at, participants = excluded.participants",
            )
            .bind(&$post.root_id)
            .bind(&$post.channel_id)
            .bind(&$effects.team_id)
            .bind($post.create_at)
            .bind(&list)
            .execute(&mut **$tx)
            .await?;
            // The author follows the thread they reply to; so does the root's author.
            sqlx::query(
                "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                 VALUES ($1, $2, TRUE, $3, $3, 0) ON CONFLICT (post_id, user_id) DO UPDATE SET \
                 following = TRUE, last_viewed = excluded.last_viewed, last_updated = excluded.last_updated",
            )
            .bind(&$post.root_id)
            .bind(&$post.user_id)
            .bind($post.create_at)
            .execute(&mut **$tx)
            .await?;
            sqlx::query(
                "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                 SELECT id, user_id, TRUE, 0, $2, 0 FROM posts WHERE id = $1 \
                 ON CONFLICT (post_id, user_id) DO UPDATE SET last_updated = excluded.last_updated",
            )
            .bind(&$post.root_id)
            .bind($post.create_at)
            .execute(&mut **$tx)
            .await?;
        }
        for user_id in &$effects.mentioned_user_ids {
            if !is_root {
                // A mention in a thread makes the mentioned user follow it.
                sqlx::query(
                    "INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) \
                     VALUES ($1, $2, TRUE, 0, $3, 1) ON CONFLICT (post_id, user_id) DO UPDATE SET \
                     following = TRUE, last_updated = excluded.last_updated, \
                     unread_mentions = thread_memberships.unread_mentions + 1",
                )
                .bind(&$post.root_id)
                .bind(user_id)
                .bind($post.create_at)
                .execute(&mut **$tx)
                .await?;
            }
            sqlx::query(
                "UPDATE channel_members SET mention_count = mention_count + 1, \
                 mention_count_root = mention_count_root + CASE WHEN $3 THEN 1 ELSE 0 END \
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .bind(&$post.channel_id)
            .bind(user_id)
            .bind(is_root)
            .execute(&mut **$tx)
            .await?;
        }
        // Posting marks the channel read for the author.
        sqlx::query(
            "UPDATE channel_members SET last_viewed_at = $3, last_update_at = $3, \
             msg_count = (SELECT total_msg_count FROM channels WHERE id = $1), \
             msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1) \
             WHERE channel_id = $1 AND user_id = $2",
        )
        .bind(&$post.channel_id)
        .bind(&$post.user_id)
        .bind($post.create_at)
        .execute(&mut **$tx)
        .await?;
    }};
}
