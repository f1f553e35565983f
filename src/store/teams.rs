//! `teams` and `team_members`.

use sqlx::FromRow;
use townsquare_sdk::model::{Team, TeamMember};

use super::{Store, StoreError};

const TEAM_COLUMNS: &str = "id, create_at, update_at, delete_at, display_name, name, description, email, type, \
    company_name, allowed_domains, invite_id, allow_open_invite, last_team_icon_update, scheme_id, group_constrained, \
    cloud_limits_archived";

#[derive(FromRow)]
pub(crate) struct TeamRow {
    id: String,
    create_at: i64,
    update_at: i64,
    delete_at: i64,
    display_name: String,
    name: String,
    description: String,
    email: String,
    #[sqlx(rename = "type")]
    team_type: String,
    company_name: String,
    allowed_domains: String,
    invite_id: String,
    allow_open_invite: bool,
    last_team_icon_update: i64,
    scheme_id: Option<String>,
    group_constrained: Option<bool>,
    cloud_limits_archived: bool,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Team {
            id: row.id,
            create_at: row.create_at,
            update_at: row.update_at,
            delete_at: row.delete_at,
            display_name: row.display_name,
            name: row.name,
            description: row.description,
            email: row.email,
            team_type: row.team_type,
            company_name: row.company_name,
            allowed_domains: row.allowed_domains,
            invite_id: row.invite_id,
            allow_open_invite: row.allow_open_invite,
            last_team_icon_update: row.last_team_icon_update,
            scheme_id: row.scheme_id,
            group_constrained: row.group_constrained,
            policy_id: None,
            cloud_limits_archived: row.cloud_limits_archived,
        }
    }
}

const MEMBER_COLUMNS: &str =
    "team_id, user_id, roles, delete_at, scheme_user, scheme_admin, scheme_guest";
pub(super) const TEAM_MEMBER_COLUMNS: &str = MEMBER_COLUMNS;

#[derive(FromRow)]
pub(crate) struct TeamMemberRow {
    pub(super) team_id: String,
    pub(super) user_id: String,
    pub(super) roles: String,
    pub(super) delete_at: i64,
    pub(super) scheme_user: bool,
    pub(super) scheme_admin: bool,
    pub(super) scheme_guest: bool,
}

impl From<TeamMemberRow> for TeamMember {
    fn from(row: TeamMemberRow) -> Self {
        let mut roles: Vec<&str> = Vec::new();
        if row.scheme_guest {
            roles.push("team_guest");
        }
        if row.scheme_user {
            roles.push("team_user");
        }
        if row.scheme_admin {
            roles.push("team_admin");
        }
        let explicit = row.roles.clone();
        roles.extend(explicit.split_whitespace());
        TeamMember {
            team_id: row.team_id,
            user_id: row.user_id,
            roles: roles.join(" "),
            delete_at: row.delete_at,
            scheme_guest: row.scheme_guest,
            scheme_user: row.scheme_user,
            scheme_admin: row.scheme_admin,
            explicit_roles: row.roles,
        }
    }
}

/// Which teams a listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamVisibility {
    /// Every team (system admins).
    All,
    /// Teams anyone may join (`allow_open_invite`).
    OpenOnly,
}

impl Store {
    pub async fn team(&self, id: &str) -> Result<Option<Team>, StoreError> {
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE id = $1");
        let row: Option<TeamRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Team::from))
    }

    pub async fn team_by_name(&self, name: &str) -> Result<Option<Team>, StoreError> {
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE name = $1");
        let row: Option<TeamRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(name)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Team::from))
    }

    pub async fn team_by_invite_id(&self, invite_id: &str) -> Result<Option<Team>, StoreError> {
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE invite_id = $1");
        let row: Option<TeamRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(invite_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Team::from))
    }

    pub async fn list_teams(
        &self,
        visibility: TeamVisibility,
        include_deleted: bool,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Team>, i64), StoreError> {
        let mut filter = String::from("WHERE 1 = 1");
        if visibility == TeamVisibility::OpenOnly {
            filter.push_str(" AND allow_open_invite = TRUE");
        }
        if !include_deleted {
            filter.push_str(" AND delete_at = 0");
        }
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams {filter} ORDER BY display_name, id LIMIT $1 OFFSET $2");
        let count_sql = format!("SELECT COUNT(*) FROM teams {filter}");
        let (rows, (total,)): (Vec<TeamRow>, (i64,)) = with_reader!(self, |pool| {
            let rows = sqlx::query_as(&sql)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_as(&count_sql).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok((rows.into_iter().map(Team::from).collect(), total))
    }

    /// Teams whose name or display name starts with `term` (case-insensitive).
    pub async fn search_teams(
        &self,
        term: &str,
        visibility: TeamVisibility,
    ) -> Result<Vec<Team>, StoreError> {
        let prefix = format!("{}%", super::sql::like_escape(&term.to_lowercase()));
        let sql = format!(
            "SELECT {TEAM_COLUMNS} FROM teams WHERE (LOWER(name) LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\') \
             AND delete_at = 0{} ORDER BY display_name LIMIT 100",
            if visibility == TeamVisibility::OpenOnly { " AND allow_open_invite = TRUE" } else { "" }
        );
        let rows: Vec<TeamRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(&prefix)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Team::from).collect())
    }

    pub async fn update_team(&self, team: &Team) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE teams SET update_at = $2, display_name = $3, description = $4, email = $5, type = $6, \
                 company_name = $7, allowed_domains = $8, invite_id = $9, allow_open_invite = $10, delete_at = $11 \
                 WHERE id = $1",
            )
            .bind(&team.id)
            .bind(team.update_at)
            .bind(&team.display_name)
            .bind(&team.description)
            .bind(&team.email)
            .bind(&team.team_type)
            .bind(&team.company_name)
            .bind(&team.allowed_domains)
            .bind(&team.invite_id)
            .bind(team.allow_open_invite)
            .bind(team.delete_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn team_member(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> Result<Option<TeamMember>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = $1 AND user_id = $2"
        );
        let row: Option<TeamMemberRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(team_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(TeamMember::from))
    }

    /// Active members of a team, by user id.
    pub async fn team_members(
        &self,
        team_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<TeamMember>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = $1 AND delete_at = 0 ORDER BY user_id LIMIT $2 OFFSET $3"
        );
        let rows: Vec<TeamMemberRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(team_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(TeamMember::from).collect())
    }

    /// A user's active team memberships.
    pub async fn team_members_for_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<TeamMember>, StoreError> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM team_members WHERE user_id = $1 AND delete_at = 0 ORDER BY team_id");
        let rows: Vec<TeamMemberRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(TeamMember::from).collect())
    }

    /// Teams a user belongs to (not archived).
    pub async fn teams_for_user(&self, user_id: &str) -> Result<Vec<Team>, StoreError> {
        let sql = format!(
            "SELECT {} FROM teams t JOIN team_members m ON m.team_id = t.id \
             WHERE m.user_id = $1 AND m.delete_at = 0 AND t.delete_at = 0 ORDER BY t.display_name, t.id",
            super::sql::prefixed(TEAM_COLUMNS, "t")
        );
        let rows: Vec<TeamRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Team::from).collect())
    }

    /// The active members of a team among `user_ids`, by user id.
    pub async fn team_members_by_ids(
        &self,
        team_id: &str,
        user_ids: &[String],
    ) -> Result<Vec<TeamMember>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = $1 AND delete_at = 0 AND user_id IN ({}) ORDER BY user_id",
            super::sql::placeholders(2, user_ids.len())
        );
        let rows: Vec<TeamMemberRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(team_id);
            for id in user_ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(TeamMember::from).collect())
    }

    /// A team's active memberships: all of them, and those of accounts not deactivated
    /// (Mattermost's `total_member_count` and `active_member_count`).
    pub async fn team_member_counts(&self, team_id: &str) -> Result<(i64, i64), StoreError> {
        let (total, active): (i64, i64) = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN u.delete_at = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM team_members tm JOIN users u ON u.id = tm.user_id \
                 WHERE tm.team_id = $1 AND tm.delete_at = 0",
            )
            .bind(team_id)
            .fetch_one(pool)
            .await
        })?;
        Ok((total, active))
    }

    pub async fn count_team_members(&self, team_id: &str) -> Result<i64, StoreError> {
        let (count,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM team_members WHERE team_id = $1 AND delete_at = 0")
                .bind(team_id)
                .fetch_one(pool)
                .await
        })?;
        Ok(count)
    }

    pub async fn set_team_member_scheme_roles(
        &self,
        team_id: &str,
        user_id: &str,
        scheme_admin: bool,
        explicit_roles: &str,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE team_members SET scheme_admin = $3, roles = $4 WHERE team_id = $1 AND user_id = $2")
                .bind(team_id)
                .bind(user_id)
                .bind(scheme_admin)
                .bind(explicit_roles)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

/// Per-team unread counts of one user (channels of archived teams and archived channels
/// excluded).
#[derive(Debug, Clone, FromRow, Default)]
pub struct TeamUnreadRow {
    pub team_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
    pub msg_count_root: i64,
    pub mention_count_root: i64,
}

impl Store {
    pub async fn team_unreads(&self, user_id: &str) -> Result<Vec<TeamUnreadRow>, StoreError> {
        let rows: Vec<TeamUnreadRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.team_id, \
                 CAST(COALESCE(SUM(c.total_msg_count - m.msg_count), 0) AS BIGINT) AS msg_count, \
                 CAST(COALESCE(SUM(m.mention_count), 0) AS BIGINT) AS mention_count, \
                 CAST(COALESCE(SUM(c.total_msg_count_root - m.msg_count_root), 0) AS BIGINT) AS msg_count_root, \
                 CAST(COALESCE(SUM(m.mention_count_root), 0) AS BIGINT) AS mention_count_root \
                 FROM channel_members m JOIN channels c ON c.id = m.channel_id \
                 JOIN team_members tm ON tm.team_id = c.team_id AND tm.user_id = m.user_id AND tm.delete_at = 0 \
                 WHERE m.user_id = $1 AND c.delete_at = 0 GROUP BY c.team_id ORDER BY c.team_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows)
    }
}
