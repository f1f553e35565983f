//! A user's channels and memberships across all teams, the users they know, and user counts
//! by filter: the reads the official clients make at start-up.

use sqlx::FromRow;
use townsquare_sdk::model::{Channel, ChannelMember};

use super::channels::{ChannelMemberRow, ChannelRow, CHANNEL_COLUMNS, MEMBER_COLUMNS};
use super::{Store, StoreError};

/// A channel membership with the channel's team (empty for direct and group channels).
#[derive(Debug, Clone)]
pub struct MemberWithTeam {
    pub member: ChannelMember,
    pub team_display_name: String,
    pub team_name: String,
    pub team_update_at: i64,
}

#[derive(FromRow)]
struct MemberWithTeamRow {
    #[sqlx(flatten)]
    member: ChannelMemberRow,
    team_display_name: Option<String>,
    team_name: Option<String>,
    team_update_at: Option<i64>,
}

/// Filters for counting users (Mattermost's `UserCountOptions`).
#[derive(Debug, Default, Clone)]
pub struct UserCountFilter {
    pub include_deleted: bool,
    pub include_bots: bool,
    /// Active members of this team.
    pub in_team: Option<String>,
    /// Members of this channel.
    pub in_channel: Option<String>,
    /// System roles; a user holding any of them counts.
    pub roles: Vec<String>,
    /// `team_user`, `team_admin`, `team_guest` (with `in_team`).
    pub team_roles: Vec<String>,
    /// `channel_user`, `channel_admin`, `channel_guest` (with `in_channel`).
    pub channel_roles: Vec<String>,
}

/// The scheme columns that make up a team or channel member role, as Mattermost filters them.
fn scheme_role_condition(alias: &str, role: &str) -> Option<String> {
    let kind = role.rsplit('_').next()?;
    Some(match kind {
        "admin" => format!("{alias}.scheme_admin = TRUE"),
        "user" => format!("({alias}.scheme_user = TRUE AND {alias}.scheme_admin = FALSE)"),
        "guest" => format!("{alias}.scheme_guest = TRUE"),
        _ => return None,
    })
}

impl Store {
    /// Every channel a user belongs to, in all teams. Archived channels only with
    /// `include_deleted`, and then only those archived after `last_delete_at` (when not 0).
    pub async fn channels_for_user_all_teams(
        &self,
        user_id: &str,
        include_deleted: bool,
        last_delete_at: i64,
    ) -> Result<Vec<Channel>, StoreError> {
        let deleted = match (include_deleted, last_delete_at) {
            (false, _) => " AND c.delete_at = 0",
            (true, 0) => "",
            (true, _) => " AND (c.delete_at = 0 OR c.delete_at > $2)",
        };
        let sql = format!(
            "SELECT {} FROM channels c JOIN channel_members m ON m.channel_id = c.id \
             WHERE m.user_id = $1{deleted} ORDER BY c.display_name, c.id",
            super::sql::prefixed(CHANNEL_COLUMNS, "c"),
        );
        let with_cutoff = include_deleted && last_delete_at != 0;
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(user_id);
            if with_cutoff {
                query = query.bind(last_delete_at);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// A page of a user's channel memberships in all teams, by channel id, each with its
    /// channel's team. `limit: None` means all of them.
    pub async fn channel_members_with_team(
        &self,
        user_id: &str,
        offset: i64,
        limit: Option<i64>,
    ) -> Result<Vec<MemberWithTeam>, StoreError> {
        let sql = format!(
            "SELECT {}, t.display_name AS team_display_name, t.name AS team_name, \
             t.update_at AS team_update_at \
             FROM channel_members m JOIN channels c ON c.id = m.channel_id \
             LEFT JOIN teams t ON t.id = c.team_id \
             WHERE m.user_id = $1 ORDER BY m.channel_id LIMIT $2 OFFSET $3",
            super::sql::prefixed(MEMBER_COLUMNS, "m"),
        );
        let limit = limit.unwrap_or(i64::MAX);
        let rows: Vec<MemberWithTeamRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|row| MemberWithTeam {
                member: ChannelMember::from(row.member),
                team_display_name: row.team_display_name.unwrap_or_default(),
                team_name: row.team_name.unwrap_or_default(),
                team_update_at: row.team_update_at.unwrap_or_default(),
            })
            .collect())
    }

    /// Ids of the users who share a live channel with `user_id` (not the user), sorted.
    pub async fn known_user_ids(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT DISTINCT o.user_id FROM channel_members m \
             JOIN channel_members o ON o.channel_id = m.channel_id \
             JOIN channels c ON c.id = m.channel_id AND c.delete_at = 0 \
             WHERE m.user_id = $1 AND o.user_id <> $1 ORDER BY o.user_id";
        let rows: Vec<(String,)> = with_reader!(self, |pool| sqlx::query_as(sql)
            .bind(user_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// How many users match the filter.
    pub async fn count_users_filtered(&self, filter: &UserCountFilter) -> Result<i64, StoreError> {
        let mut sql = String::from("SELECT COUNT(DISTINCT u.id) FROM users u");
        let mut binds: Vec<String> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        let mut next = |value: String| {
            binds.push(value);
            format!("${}", binds.len())
        };
        if let Some(team) = &filter.in_team {
            let p = next(team.clone());
            sql.push_str(&format!(
                " JOIN team_members tm ON tm.user_id = u.id AND tm.team_id = {p} AND tm.delete_at = 0"
            ));
            let roles: Vec<String> = filter
                .team_roles
                .iter()
                .filter_map(|r| scheme_role_condition("tm", r))
                .collect();
            if !roles.is_empty() {
                conditions.push(format!("({})", roles.join(" OR ")));
            }
        }
        if let Some(channel) = &filter.in_channel {
            let p = next(channel.clone());
            sql.push_str(&format!(
                " JOIN channel_members cm ON cm.user_id = u.id AND cm.channel_id = {p}"
            ));
            let roles: Vec<String> = filter
                .channel_roles
                .iter()
                .filter_map(|r| scheme_role_condition("cm", r))
                .collect();
            if !roles.is_empty() {
                conditions.push(format!("({})", roles.join(" OR ")));
            }
        }
        if !filter.roles.is_empty() {
            // Roles are a space-separated list; pad both sides to match whole words.
            let roles: Vec<String> = filter
                .roles
                .iter()
                .map(|role| {
                    format!(
                        "(' ' || u.roles || ' ') LIKE {}",
                        next(format!("% {role} %"))
                    )
                })
                .collect();
            conditions.push(format!("({})", roles.join(" OR ")));
        }
        if !filter.include_deleted {
            conditions.push("u.delete_at = 0".into());
        }
        if !filter.include_bots {
            conditions.push("u.is_bot = FALSE".into());
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        let (count,): (i64,) = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for value in &binds {
                query = query.bind(value);
            }
            query.fetch_one(pool).await
        })?;
        Ok(count)
    }
}

#[derive(FromRow)]
struct GroupMemberRow {
    #[sqlx(flatten)]
    user: super::users::UserRow,
    group_channel_id: String,
}

impl Store {
    /// The members of those of `channel_ids` that are group channels `user_id` belongs to,
    /// each with its channel id, by username.
    pub async fn group_channel_members(
        &self,
        user_id: &str,
        channel_ids: &[String],
    ) -> Result<Vec<(String, townsquare_sdk::model::User)>, StoreError> {
        if channel_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {}, cm.channel_id AS group_channel_id FROM users u \
             JOIN channel_members cm ON cm.user_id = u.id JOIN channels c ON c.id = cm.channel_id \
             WHERE c.type = 'G' AND cm.channel_id IN ({}) AND EXISTS (SELECT 1 FROM channel_members mine \
               WHERE mine.channel_id = cm.channel_id AND mine.user_id = $1) \
             ORDER BY u.username, cm.channel_id",
            super::sql::prefixed(super::users::COLUMNS, "u"),
            super::sql::placeholders(2, channel_ids.len())
        );
        let rows: Vec<GroupMemberRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(user_id);
            for id in channel_ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|row| (row.group_channel_id, row.user.into()))
            .collect())
    }
}
