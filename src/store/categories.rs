//! `sidebar_categories` and `sidebar_channels`: a user's sidebar per team.
//!
//! Only explicit placements are stored. A member channel without a row is listed in its
//! default category (Channels for public/private channels of the team, Direct Messages for
//! direct and group channels), so joining needs no write and leaving needs none to hide it.

use serde::Serialize;

use super::{Store, StoreError};

pub const FAVORITES: &str = "favorites";
pub const CHANNELS: &str = "channels";
pub const DIRECT_MESSAGES: &str = "direct_messages";
pub const CUSTOM: &str = "custom";
/// The preference category that marks a favorite channel (name = channel id, value "true").
pub const FAVORITE_CHANNEL: &str = "favorite_channel";
/// Gap between consecutive sort orders (Mattermost's `MinimalSidebarSortDistance`).
pub const SORT_STEP: i64 = 10;

/// Mattermost's `SidebarCategoryWithChannels`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SidebarCategory {
    pub id: String,
    pub user_id: String,
    pub team_id: String,
    pub sort_order: i64,
    pub sorting: String,
    #[serde(rename = "type")]
    pub category_type: String,
    pub display_name: String,
    pub muted: bool,
    pub collapsed: bool,
    pub channel_ids: Vec<String>,
}

/// The id of a default category: deterministic, so it is created at most once.
pub fn default_category_id(category_type: &str, user_id: &str, team_id: &str) -> String {
    format!("{category_type}_{user_id}_{team_id}")
}

type CategoryRow = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    bool,
    bool,
);

const CATEGORY_COLUMNS: &str =
    "id, user_id, team_id, sort_order, sorting, type, display_name, muted, collapsed";

fn category(
    (id, user_id, team_id, sort_order, sorting, category_type, display_name, muted, collapsed): CategoryRow,
) -> SidebarCategory {
    SidebarCategory {
        id,
        user_id,
        team_id,
        sort_order,
        sorting,
        category_type,
        display_name,
        muted,
        collapsed,
        channel_ids: Vec::new(),
    }
}

/// Deletes the user's placements of `channel_id` in any category of `team_id`.
const UNPLACE: &str = "DELETE FROM sidebar_channels WHERE user_id = $1 AND channel_id = $2 \
     AND category_id IN (SELECT id FROM sidebar_categories WHERE user_id = $1 AND team_id = $3)";

impl Store {
    /// Creates the Favorites, Channels and Direct Messages categories when missing; a new
    /// Favorites category starts with the user's `favorite_channel` preferences.
    pub async fn ensure_default_categories(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<(), StoreError> {
        let existing: Option<(i64,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM sidebar_categories WHERE user_id = $1 AND team_id = $2 AND type <> 'custom'",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_optional(pool)
            .await
        })?;
        if existing.is_some_and(|(n,)| n >= 3) {
            return Ok(());
        }
        let defaults = [
            (FAVORITES, 0, "", "Favorites"),
            (CHANNELS, SORT_STEP, "", "Channels"),
            (DIRECT_MESSAGES, 2 * SORT_STEP, "recent", "Direct Messages"),
        ];
        with_tx!(self, |tx| async {
            for (kind, order, sorting, name) in defaults {
                let id = default_category_id(kind, user_id, team_id);
                let inserted = sqlx::query(
                    "INSERT INTO sidebar_categories (id, user_id, team_id, sort_order, sorting, type, display_name, muted, collapsed) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, FALSE) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&id)
                .bind(user_id)
                .bind(team_id)
                .bind(order)
                .bind(sorting)
                .bind(kind)
                .bind(name)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if kind != FAVORITES || inserted == 0 {
                    continue;
                }
                let favorites: Vec<(String,)> = sqlx::query_as(
                    "SELECT c.id FROM preferences p \
                     JOIN channels c ON c.id = p.name \
                     JOIN channel_members m ON m.channel_id = c.id AND m.user_id = p.user_id \
                     WHERE p.user_id = $1 AND p.category = $2 AND p.value = 'true' \
                       AND (c.team_id = $3 OR c.team_id = '') \
                     ORDER BY c.display_name, c.name",
                )
                .bind(user_id)
                .bind(FAVORITE_CHANNEL)
                .bind(team_id)
                .fetch_all(&mut **tx)
                .await?;
                for (i, (channel_id,)) in favorites.iter().enumerate() {
                    sqlx::query(UNPLACE)
                        .bind(user_id)
                        .bind(channel_id)
                        .bind(team_id)
                        .execute(&mut **tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO sidebar_channels (channel_id, user_id, category_id, sort_order) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(channel_id)
                    .bind(user_id)
                    .bind(&id)
                    .bind(i as i64 * SORT_STEP)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Ok::<_, StoreError>(())
        })
    }

    /// The user's categories in a team, in order, each with its channels: explicit
    /// placements of channels the user is still a member of, after the unplaced channels
    /// that default into Channels / Direct Messages (by display name).
    pub async fn sidebar_categories(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<Vec<SidebarCategory>, StoreError> {
        let sql = format!(
            "SELECT {CATEGORY_COLUMNS} FROM sidebar_categories WHERE user_id = $1 AND team_id = $2 ORDER BY sort_order, id"
        );
        let rows: Vec<CategoryRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await)?;
        let placed: Vec<(String, String)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT s.category_id, s.channel_id FROM sidebar_channels s \
                 JOIN sidebar_categories k ON k.id = s.category_id \
                 JOIN channel_members m ON m.channel_id = s.channel_id AND m.user_id = s.user_id \
                 WHERE k.user_id = $1 AND k.team_id = $2 AND s.user_id = $1 \
                 ORDER BY s.sort_order, s.channel_id",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await
        })?;
        let unplaced: Vec<(String, String, String)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.type, c.team_id FROM channel_members m JOIN channels c ON c.id = m.channel_id \
                 WHERE m.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') AND c.delete_at = 0 \
                   AND NOT EXISTS (SELECT 1 FROM sidebar_channels s JOIN sidebar_categories k ON k.id = s.category_id \
                                   WHERE s.channel_id = c.id AND s.user_id = $1 AND k.user_id = $1 AND k.team_id = $2) \
                 ORDER BY c.display_name, c.id",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await
        })?;
        let mut categories: Vec<SidebarCategory> = rows.into_iter().map(category).collect();
        for c in &mut categories {
            let default_of = |kind: &str, team: &str| match c.category_type.as_str() {
                CHANNELS => matches!(kind, "O" | "P") && team == team_id,
                DIRECT_MESSAGES => matches!(kind, "D" | "G"),
                _ => false,
            };
            c.channel_ids = unplaced
                .iter()
                .filter(|(_, kind, team)| default_of(kind, team))
                .map(|(id, _, _)| id.clone())
                .collect();
            c.channel_ids.extend(
                placed
                    .iter()
                    .filter(|(category_id, _)| *category_id == c.id)
                    .map(|(_, channel_id)| channel_id.clone()),
            );
        }
        Ok(categories)
    }

    /// One category with its channels.
    pub async fn sidebar_category(&self, id: &str) -> Result<Option<SidebarCategory>, StoreError> {
        let sql = format!("SELECT {CATEGORY_COLUMNS} FROM sidebar_categories WHERE id = $1");
        let row: Option<CategoryRow> = with_reader!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        let found = category(row);
        Ok(self
            .sidebar_categories(&found.user_id, &found.team_id)
            .await?
            .into_iter()
            .find(|c| c.id == found.id))
    }

    /// Inserts a custom category after Favorites when Favorites is first, else first, with
    /// `channel_ids` moved into it (and out of the `favorite_channel` preferences), in one
    /// transaction. Returns the new category's sort order.
    pub async fn create_sidebar_category(&self, new: &SidebarCategory) -> Result<i64, StoreError> {
        with_tx!(self, |tx| async {
            let existing: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, type FROM sidebar_categories WHERE user_id = $1 AND team_id = $2 ORDER BY sort_order, id",
            )
            .bind(&new.user_id)
            .bind(&new.team_id)
            .fetch_all(&mut **tx)
            .await?;
            let mut order: Vec<String> = existing.iter().map(|(id, _)| id.clone()).collect();
            let position = usize::from(existing.first().is_some_and(|(_, t)| t == FAVORITES));
            order.insert(position, new.id.clone());
            sqlx::query(
                "INSERT INTO sidebar_categories (id, user_id, team_id, sort_order, sorting, type, display_name, muted, collapsed) \
                 VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8)",
            )
            .bind(&new.id)
            .bind(&new.user_id)
            .bind(&new.team_id)
            .bind(&new.sorting)
            .bind(CUSTOM)
            .bind(&new.display_name)
            .bind(new.muted)
            .bind(new.collapsed)
            .execute(&mut **tx)
            .await?;
            for (i, channel_id) in new.channel_ids.iter().enumerate() {
                sqlx::query(UNPLACE)
                    .bind(&new.user_id)
                    .bind(channel_id)
                    .bind(&new.team_id)
                    .execute(&mut **tx)
                    .await?;
                // A channel in a custom category is not a favorite any more.
                sqlx::query(
                    "DELETE FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3",
                )
                .bind(&new.user_id)
                .bind(FAVORITE_CHANNEL)
                .bind(channel_id)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO sidebar_channels (channel_id, user_id, category_id, sort_order) VALUES ($1, $2, $3, $4)",
                )
                .bind(channel_id)
                .bind(&new.user_id)
                .bind(&new.id)
                .bind(i as i64 * SORT_STEP)
                .execute(&mut **tx)
                .await?;
            }
            for (i, id) in order.iter().enumerate() {
                sqlx::query("UPDATE sidebar_categories SET sort_order = $2 WHERE id = $1")
                    .bind(id)
                    .bind(i as i64 * SORT_STEP)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok::<_, StoreError>(position as i64 * SORT_STEP)
        })
    }

    /// Writes categories' attributes and channel lists in one transaction. A listed channel
    /// leaves every other category of the team (the last listing wins); the Direct Messages
    /// category stores no rows (its channels are the unplaced ones). The `favorite_channel`
    /// preferences follow the Favorites category: `original_favorites` are the channels it
    /// held before.
    pub async fn update_sidebar_categories(
        &self,
        user_id: &str,
        team_id: &str,
        updates: &[SidebarCategory],
        original_favorites: &[String],
    ) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            for c in updates {
                sqlx::query(
                    "UPDATE sidebar_categories SET display_name = $2, sorting = $3, muted = $4, collapsed = $5 WHERE id = $1",
                )
                .bind(&c.id)
                .bind(&c.display_name)
                .bind(&c.sorting)
                .bind(c.muted)
                .bind(c.collapsed)
                .execute(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM sidebar_channels WHERE category_id = $1")
                    .bind(&c.id)
                    .execute(&mut **tx)
                    .await?;
            }
            for c in updates {
                for (i, channel_id) in c.channel_ids.iter().enumerate() {
                    sqlx::query(UNPLACE)
                        .bind(user_id)
                        .bind(channel_id)
                        .bind(team_id)
                        .execute(&mut **tx)
                        .await?;
                    if c.category_type == DIRECT_MESSAGES {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO sidebar_channels (channel_id, user_id, category_id, sort_order) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(channel_id)
                    .bind(user_id)
                    .bind(&c.id)
                    .bind(i as i64 * SORT_STEP)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            let delete_pref =
                "DELETE FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3";
            for c in updates {
                if c.category_type == FAVORITES {
                    for channel_id in original_favorites {
                        sqlx::query(delete_pref)
                            .bind(user_id)
                            .bind(FAVORITE_CHANNEL)
                            .bind(channel_id)
                            .execute(&mut **tx)
                            .await?;
                    }
                    for channel_id in &c.channel_ids {
                        sqlx::query(
                            "INSERT INTO preferences (user_id, category, name, value) VALUES ($1, $2, $3, 'true') \
                             ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value",
                        )
                        .bind(user_id)
                        .bind(FAVORITE_CHANNEL)
                        .bind(channel_id)
                        .execute(&mut **tx)
                        .await?;
                    }
                } else {
                    for channel_id in &c.channel_ids {
                        sqlx::query(delete_pref)
                            .bind(user_id)
                            .bind(FAVORITE_CHANNEL)
                            .bind(channel_id)
                            .execute(&mut **tx)
                            .await?;
                    }
                }
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Category ids of a user in a team, in order.
    pub async fn sidebar_category_order(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id FROM sidebar_categories WHERE user_id = $1 AND team_id = $2 ORDER BY sort_order, id",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Reorders all of a user's categories in a team. Returns false (and changes nothing)
    /// unless `order` names each of them exactly once.
    pub async fn set_sidebar_category_order(
        &self,
        user_id: &str,
        team_id: &str,
        order: &[String],
    ) -> Result<bool, StoreError> {
        with_tx!(self, |tx| async {
            let existing: Vec<(String,)> = sqlx::query_as(
                "SELECT id FROM sidebar_categories WHERE user_id = $1 AND team_id = $2",
            )
            .bind(user_id)
            .bind(team_id)
            .fetch_all(&mut **tx)
            .await?;
            let mut have: Vec<&str> = existing.iter().map(|(id,)| id.as_str()).collect();
            let mut want: Vec<&str> = order.iter().map(String::as_str).collect();
            have.sort_unstable();
            want.sort_unstable();
            if have != want {
                return Ok(false);
            }
            for (i, id) in order.iter().enumerate() {
                sqlx::query("UPDATE sidebar_categories SET sort_order = $2 WHERE id = $1")
                    .bind(id)
                    .bind(i as i64 * SORT_STEP)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok::<_, StoreError>(true)
        })
    }

    /// Deletes a category; its channels fall back to their default categories.
    pub async fn delete_sidebar_category(&self, id: &str) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            sqlx::query("DELETE FROM sidebar_channels WHERE category_id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM sidebar_categories WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Follows a `favorite_channel` preference: a favorite moves (first) into the Favorites
    /// category of its team (of every team for direct and group channels); an unfavorited
    /// channel leaves Favorites and falls back to its default category.
    pub async fn sync_favorite_channel(
        &self,
        user_id: &str,
        channel_id: &str,
        favorite: bool,
    ) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            if !favorite {
                sqlx::query(
                    "DELETE FROM sidebar_channels WHERE user_id = $1 AND channel_id = $2 \
                     AND category_id IN (SELECT id FROM sidebar_categories WHERE user_id = $1 AND type = 'favorites')",
                )
                .bind(user_id)
                .bind(channel_id)
                .execute(&mut **tx)
                .await?;
                return Ok(());
            }
            let targets: Vec<(String, String)> = sqlx::query_as(
                "SELECT k.id, k.team_id FROM sidebar_categories k JOIN channels c ON c.id = $2 \
                 WHERE k.user_id = $1 AND k.type = 'favorites' AND (c.team_id = k.team_id OR c.team_id = '') \
                   AND NOT EXISTS (SELECT 1 FROM sidebar_channels s WHERE s.category_id = k.id AND s.channel_id = $2 AND s.user_id = $1)",
            )
            .bind(user_id)
            .bind(channel_id)
            .fetch_all(&mut **tx)
            .await?;
            for (category_id, team_id) in targets {
                sqlx::query(UNPLACE)
                    .bind(user_id)
                    .bind(channel_id)
                    .bind(&team_id)
                    .execute(&mut **tx)
                    .await?;
                let (first,): (Option<i64>,) = sqlx::query_as(
                    "SELECT MIN(sort_order) FROM sidebar_channels WHERE category_id = $1",
                )
                .bind(&category_id)
                .fetch_one(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO sidebar_channels (channel_id, user_id, category_id, sort_order) VALUES ($1, $2, $3, $4)",
                )
                .bind(channel_id)
                .bind(user_id)
                .bind(&category_id)
                .bind(first.map_or(0, |n| n - SORT_STEP))
                .execute(&mut **tx)
                .await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Forgets where a user placed a channel (they left it).
    pub async fn forget_sidebar_channel(
        &self,
        user_id: &str,
        channel_id: &str,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("DELETE FROM sidebar_channels WHERE user_id = $1 AND channel_id = $2")
                .bind(user_id)
                .bind(channel_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}
