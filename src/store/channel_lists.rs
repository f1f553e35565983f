//! Channel lists the clients browse and search: a team's archived channels, public channels
//! by id, group channels by their members' usernames, and the caller's channels for the
//! search box's `in:` autocomplete.

use sqlx::FromRow;
use townsquare_sdk::model::Channel;

use super::channels::{ChannelRow, CHANNEL_COLUMNS};
use super::sql::{like_escape, placeholders, prefixed};
use super::{Dialect, Store, StoreError};

/// At most this many channels per autocomplete or group search answer (Mattermost's
/// `ChannelSearchDefaultLimit`).
pub const CHANNEL_SEARCH_LIMIT: i64 = 50;

#[derive(FromRow)]
struct DirectMatchRow {
    #[sqlx(flatten)]
    channel: ChannelRow,
    other_username: String,
}

/// The `AND` conditions that make a channel match a search-box term, for columns of alias
/// `c` and parameters pushed onto `binds`: a name, display name or purpose starting with the
/// term, or every word of the term starting a word of those texts (what Mattermost's
/// full-text clause finds, without stemming).
fn term_condition(term: &str, binds: &mut Vec<String>) -> Option<String> {
    let lowered = term.trim().to_lowercase();
    if lowered.is_empty() {
        return None;
    }
    let mut next = |value: String| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let prefix = next(format!("{}%", like_escape(&lowered)));
    let whole = ["c.name", "c.display_name", "c.purpose"]
        .iter()
        .map(|c| format!("LOWER({c}) LIKE {prefix} ESCAPE '\\'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    // Word starts: the three texts joined with spaces, `-` and `_` read as spaces too.
    let text = "(' ' || REPLACE(REPLACE(LOWER(c.name || ' ' || c.display_name || ' ' || c.purpose), '-', ' '), '_', ' '))";
    let words: Vec<String> = lowered
        .split(|ch: char| ch.is_whitespace() || "<>+-()~:*\"!@&|_".contains(ch))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let p = next(format!("% {}%", like_escape(w)));
            format!("{text} LIKE {p} ESCAPE '\\'")
        })
        .collect();
    Some(if words.is_empty() {
        format!("({whole})")
    } else {
        format!("({whole} OR ({}))", words.join(" AND "))
    })
}

impl Store {
    /// A page of a team's archived channels by display name: public ones, and private ones
    /// `user_id` belongs to (all private ones with `all_private`).
    pub async fn deleted_channels(
        &self,
        team_id: &str,
        user_id: &str,
        all_private: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Channel>, StoreError> {
        let visible = if all_private {
            ""
        } else {
            " AND (c.type = 'O' OR (c.type = 'P' AND c.id IN \
             (SELECT channel_id FROM channel_members WHERE user_id = $2)))"
        };
        let sql = format!(
            "SELECT {} FROM channels c WHERE (c.team_id = $1 OR c.team_id = '') AND c.delete_at <> 0{visible} \
             ORDER BY c.display_name, c.id LIMIT $3 OFFSET $4",
            prefixed(CHANNEL_COLUMNS, "c")
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(team_id)
            .bind(user_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// A team's live public channels among `ids`, by display name.
    pub async fn public_channels_by_ids(
        &self,
        team_id: &str,
        ids: &[String],
    ) -> Result<Vec<Channel>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE team_id = $1 AND type = 'O' AND delete_at = 0 \
             AND id IN ({}) ORDER BY display_name, id",
            placeholders(2, ids.len())
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(team_id);
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// The group channels `user_id` belongs to whose members' usernames, joined with `, `,
    /// contain every one of `terms` (lower case), by display name.
    pub async fn search_group_channels(
        &self,
        user_id: &str,
        terms: &[String],
    ) -> Result<Vec<Channel>, StoreError> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let joined = match self.dialect() {
            Dialect::Sqlite => "group_concat(u.username, ', ')",
            Dialect::Postgres => "string_agg(u.username, ', ')",
        };
        let having = (0..terms.len())
            .map(|i| format!("{joined} LIKE ${} ESCAPE '\\'", i + 2))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id IN (\
               SELECT cm.channel_id FROM channel_members cm JOIN users u ON u.id = cm.user_id \
               WHERE cm.channel_id IN (SELECT c.id FROM channels c JOIN channel_members mine \
                 ON mine.channel_id = c.id WHERE c.type = 'G' AND mine.user_id = $1) \
               GROUP BY cm.channel_id HAVING {having} LIMIT {CHANNEL_SEARCH_LIMIT}) \
             ORDER BY display_name, id"
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(user_id);
            for term in terms {
                query = query.bind(format!("%{}%", like_escape(term)));
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// Channels of a team (and group channels) `user_id` belongs to that match `term`, archived
    /// ones included, at most [`CHANNEL_SEARCH_LIMIT`].
    pub async fn member_channels_matching(
        &self,
        team_id: &str,
        user_id: &str,
        term: &str,
    ) -> Result<Vec<Channel>, StoreError> {
        let mut binds = vec![team_id.to_string(), user_id.to_string()];
        let matching = term_condition(term, &mut binds)
            .map(|c| format!(" AND {c}"))
            .unwrap_or_default();
        let sql = format!(
            "SELECT {} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id \
             WHERE (c.team_id = $1 OR (c.team_id = '' AND c.type = 'G')) AND cm.user_id = $2{matching} \
             ORDER BY c.display_name, c.id LIMIT {CHANNEL_SEARCH_LIMIT}",
            prefixed(CHANNEL_COLUMNS, "c")
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for bind in &binds {
                query = query.bind(bind);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// Direct channels of `user_id` whose other member's username or nickname starts with
    /// `term` (all when empty), each with that username as its display name, at most
    /// [`CHANNEL_SEARCH_LIMIT`].
    pub async fn direct_channels_matching(
        &self,
        user_id: &str,
        term: &str,
    ) -> Result<Vec<Channel>, StoreError> {
        let lowered = term.trim().to_lowercase();
        let matching = if lowered.is_empty() {
            ""
        } else {
            " AND (LOWER(u.username) LIKE $2 ESCAPE '\\' OR LOWER(u.nickname) LIKE $2 ESCAPE '\\')"
        };
        let sql = format!(
            "SELECT {}, u.username AS other_username FROM channels c \
             JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $1 \
             JOIN channel_members other ON other.channel_id = c.id AND other.user_id <> $1 \
             JOIN users u ON u.id = other.user_id \
             WHERE c.type = 'D'{matching} ORDER BY u.username, c.id LIMIT {CHANNEL_SEARCH_LIMIT}",
            prefixed(CHANNEL_COLUMNS, "c")
        );
        let prefix = format!("{}%", like_escape(&lowered));
        let rows: Vec<DirectMatchRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(user_id);
            if !lowered.is_empty() {
                query = query.bind(&prefix);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|row| Channel {
                display_name: row.other_username,
                ..Channel::from(row.channel)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_whole_texts_or_word_starts() {
        let mut binds = Vec::new();
        assert_eq!(term_condition("  ", &mut binds), None);
        let sql = term_condition("Off-Top", &mut binds).unwrap();
        assert_eq!(binds, ["off-top%", "% off%", "% top%"]);
        assert!(sql.contains("LIKE $1") && sql.contains("LIKE $2") && sql.contains("LIKE $3"));
        let mut binds = vec!["team".to_string()];
        term_condition("50%", &mut binds).unwrap();
        assert_eq!(binds[1], r"50\%%");
    }
}
