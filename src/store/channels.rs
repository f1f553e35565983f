//! `channels` and `channel_members`.

use sqlx::FromRow;
use townsquare_sdk::model::{Channel, ChannelMember, StringMap, TeamMember};

use super::{Store, StoreError};

pub(crate) const CHANNEL_COLUMNS: &str = "id, create_at, update_at, delete_at, team_id, type, display_name, name, \
    header, purpose, last_post_at, last_root_post_at, total_msg_count, total_msg_count_root, extra_update_at, \
    creator_id, scheme_id, props, group_constrained, shared";

#[derive(FromRow)]
pub(crate) struct ChannelRow {
    id: String,
    create_at: i64,
    update_at: i64,
    delete_at: i64,
    team_id: String,
    #[sqlx(rename = "type")]
    channel_type: String,
    display_name: String,
    name: String,
    header: String,
    purpose: String,
    last_post_at: i64,
    last_root_post_at: i64,
    total_msg_count: i64,
    total_msg_count_root: i64,
    extra_update_at: i64,
    creator_id: String,
    scheme_id: Option<String>,
    props: String,
    group_constrained: Option<bool>,
    shared: Option<bool>,
}

impl From<ChannelRow> for Channel {
    fn from(row: ChannelRow) -> Self {
        Channel {
            id: row.id,
            create_at: row.create_at,
            update_at: row.update_at,
            delete_at: row.delete_at,
            team_id: row.team_id,
            channel_type: row.channel_type,
            display_name: row.display_name,
            name: row.name,
            header: row.header,
            purpose: row.purpose,
            last_post_at: row.last_post_at,
            total_msg_count: row.total_msg_count,
            extra_update_at: row.extra_update_at,
            creator_id: row.creator_id,
            scheme_id: row.scheme_id,
            props: serde_json::from_str(&row.props)
                .ok()
                .filter(|v: &serde_json::Value| v.as_object().is_some_and(|o| !o.is_empty())),
            group_constrained: row.group_constrained,
            shared: row.shared,
            total_msg_count_root: row.total_msg_count_root,
            policy_id: None,
            last_root_post_at: row.last_root_post_at,
        }
    }
}

pub(crate) const MEMBER_COLUMNS: &str = "channel_id, user_id, roles, last_viewed_at, msg_count, msg_count_root, \
    mention_count, mention_count_root, urgent_mention_count, notify_props, last_update_at, scheme_user, scheme_admin, \
    scheme_guest";

#[derive(FromRow)]
pub(crate) struct ChannelMemberRow {
    channel_id: String,
    user_id: String,
    roles: String,
    last_viewed_at: i64,
    msg_count: i64,
    msg_count_root: i64,
    mention_count: i64,
    mention_count_root: i64,
    urgent_mention_count: i64,
    notify_props: String,
    last_update_at: i64,
    scheme_user: bool,
    scheme_admin: bool,
    scheme_guest: bool,
}

impl From<ChannelMemberRow> for ChannelMember {
    fn from(row: ChannelMemberRow) -> Self {
        let mut roles: Vec<&str> = Vec::new();
        if row.scheme_guest {
            roles.push("channel_guest");
        }
        if row.scheme_user {
            roles.push("channel_user");
        }
        if row.scheme_admin {
            roles.push("channel_admin");
        }
        roles.extend(row.roles.split_whitespace());
        ChannelMember {
            channel_id: row.channel_id,
            user_id: row.user_id,
            roles: roles.join(" "),
            last_viewed_at: row.last_viewed_at,
            msg_count: row.msg_count,
            mention_count: row.mention_count,
            mention_count_root: row.mention_count_root,
            urgent_mention_count: row.urgent_mention_count,
            msg_count_root: row.msg_count_root,
            notify_props: serde_json::from_str::<StringMap>(&row.notify_props).unwrap_or_default(),
            last_update_at: row.last_update_at,
            scheme_guest: row.scheme_guest,
            scheme_user: row.scheme_user,
            scheme_admin: row.scheme_admin,
            explicit_roles: row.roles,
        }
    }
}

/// A channel with the caller's channel and team membership, from one joined read. The
/// member columns are NULL where the caller is not a member.
#[derive(FromRow)]
struct ChannelAccessRow {
    #[sqlx(flatten)]
    channel: ChannelRow,
    cm_channel_id: Option<String>,
    cm_user_id: Option<String>,
    cm_roles: Option<String>,
    cm_last_viewed_at: Option<i64>,
    cm_msg_count: Option<i64>,
    cm_msg_count_root: Option<i64>,
    cm_mention_count: Option<i64>,
    cm_mention_count_root: Option<i64>,
    cm_urgent_mention_count: Option<i64>,
    cm_notify_props: Option<String>,
    cm_last_update_at: Option<i64>,
    cm_scheme_user: Option<bool>,
    cm_scheme_admin: Option<bool>,
    cm_scheme_guest: Option<bool>,
    tm_team_id: Option<String>,
    tm_user_id: Option<String>,
    tm_roles: Option<String>,
    tm_delete_at: Option<i64>,
    tm_scheme_user: Option<bool>,
    tm_scheme_admin: Option<bool>,
    tm_scheme_guest: Option<bool>,
}

/// What [`Store::channel_with_memberships`] returns.
pub struct ChannelWithMemberships {
    pub channel: Channel,
    pub member: Option<ChannelMember>,
    pub team_member: Option<TeamMember>,
}

impl From<ChannelAccessRow> for ChannelWithMemberships {
    fn from(row: ChannelAccessRow) -> Self {
        let member = row.cm_channel_id.map(|channel_id| {
            ChannelMember::from(ChannelMemberRow {
                channel_id,
                user_id: row.cm_user_id.unwrap_or_default(),
                roles: row.cm_roles.unwrap_or_default(),
                last_viewed_at: row.cm_last_viewed_at.unwrap_or_default(),
                msg_count: row.cm_msg_count.unwrap_or_default(),
                msg_count_root: row.cm_msg_count_root.unwrap_or_default(),
                mention_count: row.cm_mention_count.unwrap_or_default(),
                mention_count_root: row.cm_mention_count_root.unwrap_or_default(),
                urgent_mention_count: row.cm_urgent_mention_count.unwrap_or_default(),
                notify_props: row.cm_notify_props.unwrap_or_default(),
                last_update_at: row.cm_last_update_at.unwrap_or_default(),
                scheme_user: row.cm_scheme_user.unwrap_or_default(),
                scheme_admin: row.cm_scheme_admin.unwrap_or_default(),
                scheme_guest: row.cm_scheme_guest.unwrap_or_default(),
            })
        });
        let team_member = row.tm_team_id.map(|team_id| {
            TeamMember::from(super::teams::TeamMemberRow {
                team_id,
                user_id: row.tm_user_id.unwrap_or_default(),
                roles: row.tm_roles.unwrap_or_default(),
                delete_at: row.tm_delete_at.unwrap_or_default(),
                scheme_user: row.tm_scheme_user.unwrap_or_default(),
                scheme_admin: row.tm_scheme_admin.unwrap_or_default(),
                scheme_guest: row.tm_scheme_guest.unwrap_or_default(),
            })
        });
        ChannelWithMemberships {
            channel: row.channel.into(),
            member,
            team_member,
        }
    }
}

fn aliased(columns: &str, table: &str, prefix: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{table}.{c} AS {prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// A channel and the user's channel and team memberships in one read: the access check
    /// on the path of nearly every channel request.
    pub async fn channel_with_memberships(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<Option<ChannelWithMemberships>, StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {}, {}, {} FROM channels c \
                 LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2 \
                 LEFT JOIN team_members tm ON tm.team_id = c.team_id AND tm.user_id = $2 \
                 WHERE c.id = $1",
                super::sql::prefixed(CHANNEL_COLUMNS, "c"),
                aliased(MEMBER_COLUMNS, "cm", "cm_"),
                aliased(super::teams::TEAM_MEMBER_COLUMNS, "tm", "tm_"),
            )
        });
        let row: Option<ChannelAccessRow> = with_reader!(self, |pool| sqlx::query_as(sql)
            .bind(channel_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Into::into))
    }
}

impl Store {
    pub async fn channel(&self, id: &str) -> Result<Option<Channel>, StoreError> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1");
        let row: Option<ChannelRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Channel::from))
    }

    pub async fn channel_by_name(
        &self,
        team_id: &str,
        name: &str,
    ) -> Result<Option<Channel>, StoreError> {
        let sql =
            format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE team_id = $1 AND name = $2");
        let row: Option<ChannelRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(team_id)
                .bind(name)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(Channel::from))
    }

    pub async fn channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<Option<ChannelMember>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE channel_id = $1 AND user_id = $2"
        );
        let row: Option<ChannelMemberRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(channel_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(ChannelMember::from))
    }
}

impl Store {
    /// Channels a user belongs to in a team, plus their direct and group channels.
    pub async fn channels_for_user(
        &self,
        user_id: &str,
        team_id: &str,
        include_deleted: bool,
    ) -> Result<Vec<Channel>, StoreError> {
        let sql = format!(
            "SELECT {} FROM channels c JOIN channel_members m ON m.channel_id = c.id \
             WHERE m.user_id = $1 AND (c.team_id = $2 OR c.team_id = ''){} ORDER BY c.display_name, c.id",
            super::sql::prefixed(CHANNEL_COLUMNS, "c"),
            if include_deleted { "" } else { " AND c.delete_at = 0" }
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// A user's memberships in a team's channels (and their direct and group channels).
    pub async fn channel_members_for_user(
        &self,
        user_id: &str,
        team_id: Option<&str>,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        let sql = match team_id {
            Some(_) => format!(
                "SELECT {} FROM channel_members m JOIN channels c ON c.id = m.channel_id \
                 WHERE m.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') ORDER BY m.channel_id",
                super::sql::prefixed(MEMBER_COLUMNS, "m")
            ),
            None => format!("SELECT {MEMBER_COLUMNS} FROM channel_members WHERE user_id = $1 ORDER BY channel_id"),
        };
        let rows: Vec<ChannelMemberRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(user_id);
            if let Some(team_id) = team_id {
                query = query.bind(team_id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(ChannelMember::from).collect())
    }

    /// Public channels of a team, by display name.
    pub async fn public_channels(
        &self,
        team_id: &str,
        include_deleted: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Channel>, StoreError> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE team_id = $1 AND type = 'O'{} ORDER BY display_name, id LIMIT $2 OFFSET $3",
            if include_deleted { "" } else { " AND delete_at = 0" }
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(team_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// Public channels of a team, plus private ones `user_id` belongs to, whose name or display
    /// name starts with `term`.
    pub async fn search_channels(
        &self,
        team_id: &str,
        user_id: &str,
        term: &str,
    ) -> Result<Vec<Channel>, StoreError> {
        let prefix = format!("{}%", super::sql::like_escape(&term.to_lowercase()));
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels c WHERE c.team_id = $1 AND c.delete_at = 0 \
             AND (LOWER(c.name) LIKE $2 ESCAPE '\\' OR LOWER(c.display_name) LIKE $2 ESCAPE '\\') \
             AND (c.type = 'O' OR EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = c.id AND m.user_id = $3)) \
             ORDER BY c.display_name LIMIT 100"
        );
        let rows: Vec<ChannelRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(team_id)
                .bind(&prefix)
                .bind(user_id)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(Channel::from).collect())
    }

    /// Writes a channel's editable fields and archive state.
    pub async fn set_channel_member_admin(
        &self,
        channel_id: &str,
        user_id: &str,
        admin: bool,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE channel_members SET scheme_admin = $3, last_update_at = $4 WHERE channel_id = $1 AND user_id = $2")
                .bind(channel_id)
                .bind(user_id)
                .bind(admin)
                .bind(crate::time::now_ms())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn set_channel_member_notify_props(
        &self,
        channel_id: &str,
        user_id: &str,
        props: &StringMap,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(props).unwrap_or_else(|_| "{}".into());
        with_writer!(self, |pool| {
            sqlx::query("UPDATE channel_members SET notify_props = $3, last_update_at = $4 WHERE channel_id = $1 AND user_id = $2")
                .bind(channel_id)
                .bind(user_id)
                .bind(&json)
                .bind(crate::time::now_ms())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        self.members_changed();
        Ok(())
    }

    /// Marks a channel read for a user: counts catch up with the channel, mentions reset.
    /// Returns false when the user is not a member.
    pub async fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let affected = with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE channel_members SET last_viewed_at = $3, last_update_at = $3, \
                 msg_count = (SELECT total_msg_count FROM channels WHERE id = $1), \
                 msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1), \
                 mention_count = 0, mention_count_root = 0, urgent_mention_count = 0 \
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .bind(channel_id)
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(affected > 0)
    }

    /// The members of a channel among `user_ids`, by user id.
    pub async fn channel_members_by_ids(
        &self,
        channel_id: &str,
        user_ids: &[String],
    ) -> Result<Vec<ChannelMember>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE channel_id = $1 AND user_id IN ({}) ORDER BY user_id",
            super::sql::placeholders(2, user_ids.len())
        );
        let rows: Vec<ChannelMemberRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(channel_id);
            for id in user_ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(ChannelMember::from).collect())
    }

    pub async fn count_channel_members(&self, channel_id: &str) -> Result<i64, StoreError> {
        let (count,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM channel_members WHERE channel_id = $1")
                .bind(channel_id)
                .fetch_one(pool)
                .await
        })?;
        Ok(count)
    }

    /// The stored `timezone` JSON of each active member of a channel.
    pub async fn channel_member_timezones(
        &self,
        channel_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT u.timezone FROM channel_members cm JOIN users u ON u.id = cm.user_id \
                 WHERE cm.channel_id = $1 AND u.delete_at = 0",
            )
            .bind(channel_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(timezone,)| timezone).collect())
    }
}
