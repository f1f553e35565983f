//! The `users` table.

use sqlx::FromRow;
use townsquare_sdk::model::{StringMap, User};

use super::{Dialect, Store, StoreError};

pub(super) const COLUMNS: &str = "id, create_at, update_at, delete_at, username, auth_data, auth_service, email, \
    email_verified, nickname, first_name, last_name, position, roles, allow_marketing, props, notify_props, \
    last_password_update, last_picture_update, failed_attempts, locale, timezone, mfa_active, remote_id, \
    last_activity_at, is_bot, bot_description, disable_welcome_email, last_login";

#[derive(FromRow)]
pub(super) struct UserRow {
    id: String,
    create_at: i64,
    update_at: i64,
    delete_at: i64,
    username: String,
    auth_data: Option<String>,
    auth_service: String,
    email: String,
    email_verified: bool,
    nickname: String,
    first_name: String,
    last_name: String,
    position: String,
    roles: String,
    allow_marketing: bool,
    props: String,
    notify_props: String,
    last_password_update: i64,
    last_picture_update: i64,
    failed_attempts: i32,
    locale: String,
    timezone: String,
    mfa_active: bool,
    remote_id: Option<String>,
    last_activity_at: i64,
    is_bot: bool,
    bot_description: String,
    disable_welcome_email: bool,
    last_login: i64,
}

fn map(text: &str) -> StringMap {
    serde_json::from_str(text).unwrap_or_default()
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            create_at: row.create_at,
            update_at: row.update_at,
            delete_at: row.delete_at,
            username: row.username,
            password: String::new(),
            auth_data: row.auth_data,
            auth_service: row.auth_service,
            email: row.email,
            email_verified: row.email_verified,
            nickname: row.nickname,
            first_name: row.first_name,
            last_name: row.last_name,
            position: row.position,
            roles: row.roles,
            allow_marketing: row.allow_marketing,
            props: Some(map(&row.props)),
            notify_props: Some(map(&row.notify_props)),
            last_password_update: row.last_password_update,
            last_picture_update: row.last_picture_update,
            failed_attempts: i64::from(row.failed_attempts),
            locale: row.locale,
            timezone: map(&row.timezone),
            mfa_active: row.mfa_active,
            remote_id: row.remote_id,
            last_activity_at: row.last_activity_at,
            is_bot: row.is_bot,
            bot_description: row.bot_description,
            terms_of_service_id: String::new(),
            terms_of_service_create_at: 0,
            disable_welcome_email: row.disable_welcome_email,
            last_login: row.last_login,
        }
    }
}

fn json(map: &Option<StringMap>) -> String {
    serde_json::to_string(&map.clone().unwrap_or_default()).unwrap_or_else(|_| "{}".into())
}

/// Filters for listing users.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// `Some(true)`: active only; `Some(false)`: deactivated only.
    pub active: Option<bool>,
    /// Users holding this system role.
    pub role: Option<String>,
    /// Active members of this team.
    pub in_team: Option<String>,
    /// Users who are not active members of this team.
    pub not_in_team: Option<String>,
    /// Members of this channel.
    pub in_channel: Option<String>,
    /// Users who are not members of this channel.
    pub not_in_channel: Option<String>,
    /// Users on no team at all.
    pub without_team: bool,
    pub sort: UserSort,
}

/// Which columns besides username and nickname a user search looks at.
#[derive(Debug, Default, Clone, Copy)]
pub struct SearchFields {
    pub full_names: bool,
    pub emails: bool,
}

/// The `AND ...` clauses for the team, channel, role and team-less parts of `filter` (not
/// `active`, not the sort). String parameters are pushed onto `binds` and numbered after two
/// leading parameters ($3, $4, ...).
fn filter_clauses(filter: &UserFilter, binds: &mut Vec<String>) -> String {
    let mut sql = String::new();
    let mut next = |value: String| {
        binds.push(value);
        format!("${}", binds.len() + 2)
    };
    if let Some(role) = &filter.role {
        // Roles are a space-separated list; pad both sides to match whole words.
        let p = next(format!("% {role} %"));
        sql.push_str(&format!(" AND (' ' || roles || ' ') LIKE {p}"));
    }
    let team_member = "SELECT user_id FROM team_members WHERE team_id = {} AND delete_at = 0";
    if let Some(team) = &filter.in_team {
        let p = next(team.clone());
        sql.push_str(&format!(" AND id IN ({})", team_member.replace("{}", &p)));
    }
    if let Some(team) = &filter.not_in_team {
        let p = next(team.clone());
        sql.push_str(&format!(
            " AND id NOT IN ({})",
            team_member.replace("{}", &p)
        ));
    }
    if let Some(channel) = &filter.in_channel {
        let p = next(channel.clone());
        sql.push_str(&format!(
            " AND id IN (SELECT user_id FROM channel_members WHERE channel_id = {p})"
        ));
    }
    if let Some(channel) = &filter.not_in_channel {
        let p = next(channel.clone());
        sql.push_str(&format!(
            " AND id NOT IN (SELECT user_id FROM channel_members WHERE channel_id = {p})"
        ));
    }
    if filter.without_team {
        sql.push_str(" AND id NOT IN (SELECT user_id FROM team_members WHERE delete_at = 0)");
    }
    sql
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Username,
    CreateAt,
    LastActivityAt,
}

impl Store {
    pub async fn count_users(
        &self,
        include_deleted: bool,
        include_bots: bool,
    ) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM users WHERE 1 = 1{}{}",
            if include_deleted {
                ""
            } else {
                " AND delete_at = 0"
            },
            if include_bots {
                ""
            } else {
                " AND is_bot = FALSE"
            },
        );
        let (count,): (i64,) =
            with_reader!(self, |pool| sqlx::query_as(&sql).fetch_one(pool).await)?;
        Ok(count)
    }

    /// Inserts a user. When `first_user_roles` is set and the table is empty, those roles are
    /// used instead; with `only_if_first` nothing is inserted (`None`) unless the table is
    /// empty. The check and the insert are one transaction, so two simultaneous sign-ups
    /// cannot both become the first admin.
    pub async fn insert_user(
        &self,
        user: &User,
        password_hash: &str,
        first_user_roles: Option<&str>,
        only_if_first: bool,
    ) -> Result<Option<User>, StoreError> {
        let dialect = self.dialect();
        let mut user = user.clone();
        let inserted = with_tx!(self, |tx| async {
            if dialect == Dialect::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(7401)")
                    .execute(&mut **tx)
                    .await?;
            }
            let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
                .fetch_one(&mut **tx)
                .await?;
            if count > 0 && only_if_first {
                return Ok::<_, StoreError>(false);
            }
            if let (0, Some(roles)) = (count, first_user_roles) {
                user.roles = roles.to_string();
            }
            sqlx::query(
                "INSERT INTO users (id, create_at, update_at, delete_at, username, password, auth_data, auth_service, \
                 email, email_verified, nickname, first_name, last_name, position, roles, allow_marketing, props, \
                 notify_props, last_password_update, last_picture_update, failed_attempts, locale, timezone, \
                 mfa_active, mfa_secret, remote_id, last_activity_at, is_bot, bot_description, disable_welcome_email, \
                 last_login) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19, $20, 0, $21, $22, FALSE, '', $23, 0, $24, $25, $26, 0)",
            )
            .bind(&user.id)
            .bind(user.create_at)
            .bind(user.update_at)
            .bind(user.delete_at)
            .bind(&user.username)
            .bind(password_hash)
            .bind(&user.auth_data)
            .bind(&user.auth_service)
            .bind(&user.email)
            .bind(user.email_verified)
            .bind(&user.nickname)
            .bind(&user.first_name)
            .bind(&user.last_name)
            .bind(&user.position)
            .bind(&user.roles)
            .bind(user.allow_marketing)
            .bind(json(&user.props))
            .bind(json(&user.notify_props))
            .bind(user.last_password_update)
            .bind(user.last_picture_update)
            .bind(&user.locale)
            .bind(serde_json::to_string(&user.timezone).unwrap_or_else(|_| "{}".into()))
            .bind(&user.remote_id)
            .bind(user.is_bot)
            .bind(&user.bot_description)
            .bind(user.disable_welcome_email)
            .execute(&mut **tx)
            .await?;
            Ok::<_, StoreError>(true)
        })?;
        Ok(inserted.then_some(user))
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(User::from))
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
        let row: Option<UserRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(User::from))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
        let row: Option<UserRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(email)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(User::from))
    }

    /// The stored argon2 hash of a user's password ("" for accounts without one).
    pub async fn password_hash(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT password FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(hash,)| hash))
    }

    /// Users by id, in no particular order; unknown ids are skipped.
    pub async fn users_by_ids(&self, ids: &[String]) -> Result<Vec<User>, StoreError> {
        self.users_where_in("id", ids, 0).await
    }

    /// Users by id changed after `since` (ms; 0 for all), by username; unknown ids are
    /// skipped.
    pub async fn users_by_ids_since(
        &self,
        ids: &[String],
        since: i64,
    ) -> Result<Vec<User>, StoreError> {
        self.users_where_in("id", ids, since).await
    }

    pub async fn users_by_usernames(&self, usernames: &[String]) -> Result<Vec<User>, StoreError> {
        self.users_where_in("username", usernames, 0).await
    }

    async fn users_where_in(
        &self,
        column: &str,
        values: &[String],
        updated_after: i64,
    ) -> Result<Vec<User>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM users WHERE {column} IN ({}){} ORDER BY username",
            super::sql::placeholders(1, values.len()),
            if updated_after > 0 {
                format!(" AND update_at > ${}", values.len() + 1)
            } else {
                String::new()
            }
        );
        let rows: Vec<UserRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for value in values {
                query = query.bind(value);
            }
            if updated_after > 0 {
                query = query.bind(updated_after);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    pub async fn list_users(
        &self,
        filter: &UserFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<User>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM users WHERE 1 = 1");
        match filter.active {
            Some(true) => sql.push_str(" AND delete_at = 0"),
            Some(false) => sql.push_str(" AND delete_at <> 0"),
            None => {}
        }
        // String parameters after $1 (limit) and $2 (offset), in order.
        let mut binds: Vec<String> = Vec::new();
        sql.push_str(&filter_clauses(filter, &mut binds));
        sql.push_str(match filter.sort {
            UserSort::Username => " ORDER BY username",
            UserSort::CreateAt => " ORDER BY create_at DESC, id",
            UserSort::LastActivityAt => " ORDER BY last_activity_at DESC, id",
        });
        sql.push_str(" LIMIT $1 OFFSET $2");
        let rows: Vec<UserRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(limit).bind(offset);
            for value in &binds {
                query = query.bind(value);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// Case-insensitive prefix search over username and nickname, and the full name and email
    /// when allowed, among the users `filter` keeps (its sort is ignored: by username).
    pub async fn search_users(
        &self,
        term: &str,
        filter: &UserFilter,
        fields: SearchFields,
        limit: i64,
    ) -> Result<Vec<User>, StoreError> {
        let prefix = format!("{}%", super::sql::like_escape(&term.to_lowercase()));
        let mut columns = vec!["username", "nickname"];
        if fields.full_names {
            columns.extend(["first_name", "last_name"]);
        }
        if fields.emails {
            columns.push("email");
        }
        let matches: Vec<String> = columns
            .iter()
            .map(|c| format!("LOWER({c}) LIKE $1 ESCAPE '\\'"))
            .collect();
        let mut sql = format!(
            "SELECT {COLUMNS} FROM users WHERE ({})",
            matches.join(" OR ")
        );
        match filter.active {
            Some(true) => sql.push_str(" AND delete_at = 0"),
            Some(false) => sql.push_str(" AND delete_at <> 0"),
            None => {}
        }
        // String parameters after $1 (prefix) and $2 (limit), in order.
        let mut binds: Vec<String> = Vec::new();
        sql.push_str(&filter_clauses(filter, &mut binds));
        sql.push_str(" ORDER BY username LIMIT $2");
        let rows: Vec<UserRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(&prefix).bind(limit);
            for value in &binds {
                query = query.bind(value);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// Active users whose username, names or nickname start with `term` (all when empty),
    /// optionally only members of a team and in (or not in) a channel, by username.
    pub async fn autocomplete_users(
        &self,
        term: &str,
        team_id: Option<&str>,
        channel: Option<(&str, bool)>,
        limit: i64,
    ) -> Result<Vec<User>, StoreError> {
        let prefix = format!("{}%", super::sql::like_escape(&term.to_lowercase()));
        let mut sql = format!(
            "SELECT {COLUMNS} FROM users WHERE delete_at = 0 AND (LOWER(username) LIKE $1 ESCAPE '\\' \
             OR LOWER(first_name) LIKE $1 ESCAPE '\\' OR LOWER(last_name) LIKE $1 ESCAPE '\\' \
             OR LOWER(nickname) LIKE $1 ESCAPE '\\')"
        );
        let mut binds: Vec<String> = vec![prefix];
        if let Some(team_id) = team_id {
            binds.push(team_id.to_string());
            sql.push_str(&format!(
                " AND id IN (SELECT user_id FROM team_members WHERE team_id = ${} AND delete_at = 0)",
                binds.len()
            ));
        }
        if let Some((channel_id, inside)) = channel {
            binds.push(channel_id.to_string());
            sql.push_str(&format!(
                " AND id {} (SELECT user_id FROM channel_members WHERE channel_id = ${})",
                if inside { "IN" } else { "NOT IN" },
                binds.len()
            ));
        }
        sql.push_str(&format!(" ORDER BY username LIMIT {}", limit.max(0)));
        let rows: Vec<UserRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for bind in &binds {
                query = query.bind(bind);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// Writes the editable profile fields of `user` (not password, roles or activity).
    pub async fn update_user_profile(&self, user: &User) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE users SET update_at = $2, username = $3, email = $4, email_verified = $5, nickname = $6, \
                 first_name = $7, last_name = $8, position = $9, props = $10, notify_props = $11, locale = $12, \
                 timezone = $13, allow_marketing = $14 WHERE id = $1",
            )
            .bind(&user.id)
            .bind(user.update_at)
            .bind(&user.username)
            .bind(&user.email)
            .bind(user.email_verified)
            .bind(&user.nickname)
            .bind(&user.first_name)
            .bind(&user.last_name)
            .bind(&user.position)
            .bind(json(&user.props))
            .bind(json(&user.notify_props))
            .bind(&user.locale)
            .bind(serde_json::to_string(&user.timezone).unwrap_or_else(|_| "{}".into()))
            .bind(user.allow_marketing)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        self.members_changed();
        self.auth_changed(&user.id).await
    }

    pub async fn update_user_roles(
        &self,
        user_id: &str,
        roles: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE users SET roles = $2, update_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(roles)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        self.auth_changed(user_id).await
    }

    /// Sets a new password hash and revokes every session and access token of the user, in
    /// one transaction.
    pub async fn update_password_and_revoke(
        &self,
        user_id: &str,
        hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            sqlx::query("UPDATE users SET password = $2, last_password_update = $3, update_at = $3, failed_attempts = 0 WHERE id = $1")
                .bind(user_id)
                .bind(hash)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            revoke_all_in(tx, user_id).await
        })?;
        self.auth_changed(user_id).await
    }

    /// Deactivates (`active = false`) or reactivates a user. Deactivation revokes every session
    /// and access token in the same transaction.
    pub async fn set_user_active(
        &self,
        user_id: &str,
        active: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            sqlx::query("UPDATE users SET delete_at = $2, update_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(if active { 0 } else { now })
                .bind(now)
                .execute(&mut **tx)
                .await?;
            if !active {
                revoke_all_in(tx, user_id).await?;
            }
            Ok::<_, StoreError>(())
        })?;
        self.members_changed();
        self.auth_changed(user_id).await
    }
}

/// Deletes every session and access token of a user inside an open transaction.
async fn revoke_all_in<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    user_id: &str,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM user_access_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
