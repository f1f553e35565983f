//! Multi-table changes to teams, channels and their members, each one transaction so that a
//! failure never leaves a team without its default channels or a member half-added.

use townsquare_sdk::model::{Channel, ChannelMember, Post, Team};

use super::posts::PostEffects;
use super::{Store, StoreError};

/// A channel member row to insert.
#[derive(Debug, Clone)]
pub struct NewChannelMember {
    pub user_id: String,
    pub scheme_admin: bool,
    pub notify_props: String,
    pub now: i64,
}

macro_rules! insert_channel_in {
    ($tx:expr, $channel:expr) => {
        sqlx::query(
            "INSERT INTO channels (id, create_at, update_at, delete_at, team_id, type, display_name, name, header, \
             purpose, last_post_at, last_root_post_at, total_msg_count, total_msg_count_root, extra_update_at, creator_id, \
             scheme_id, props, group_constrained, shared) VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $10, 0, 0, 0, \
             $11, NULL, $12, NULL, NULL)",
        )
        .bind(&$channel.id)
        .bind($channel.create_at)
        .bind($channel.update_at)
        .bind(&$channel.team_id)
        .bind(&$channel.channel_type)
        .bind(&$channel.display_name)
        .bind(&$channel.name)
        .bind(&$channel.header)
        .bind(&$channel.purpose)
        .bind($channel.last_post_at)
        .bind(&$channel.creator_id)
        .bind(
            $channel
                .props
                .as_ref()
                .map(|p: &serde_json::Value| p.to_string())
                .unwrap_or_else(|| "{}".to_string()),
        )
        .execute(&mut **$tx)
        .await?
    };
}

/// Adds a channel member unless present; the member starts with everything read.
macro_rules! insert_channel_member_in {
    ($tx:expr, $channel_id:expr, $member:expr) => {
        sqlx::query(
            "INSERT INTO channel_members (channel_id, user_id, roles, last_viewed_at, msg_count, msg_count_root, \
             mention_count, mention_count_root, urgent_mention_count, notify_props, last_update_at, scheme_user, \
             scheme_admin, scheme_guest) \
             SELECT $1, $2, '', 0, c.total_msg_count, c.total_msg_count_root, 0, 0, 0, $3, $4, TRUE, $5, FALSE \
             FROM channels c WHERE c.id = $1 \
             ON CONFLICT (channel_id, user_id) DO NOTHING",
        )
        .bind($channel_id)
        .bind(&$member.user_id)
        .bind(&$member.notify_props)
        .bind($member.now)
        .bind($member.scheme_admin)
        .execute(&mut **$tx)
        .await?
    };
}

/// Adds (or re-activates) a team member.
macro_rules! upsert_team_member_in {
    ($tx:expr, $team_id:expr, $user_id:expr, $admin:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id, roles, delete_at, scheme_user, scheme_admin, scheme_guest, create_at) \
             VALUES ($1, $2, '', 0, TRUE, $3, FALSE, $4) \
             ON CONFLICT (team_id, user_id) DO UPDATE SET delete_at = 0",
        )
        .bind($team_id)
        .bind($user_id)
        .bind($admin)
        .bind($now)
        .execute(&mut **$tx)
        .await?
    };
}

impl Store {
    /// Creates a team with its default channels; the creator becomes team admin, joins every
    /// default channel, and `announcement` (the creator's join message) is posted.
    pub async fn create_team(
        &self,
        team: &Team,
        creator: &NewChannelMember,
        default_channels: &[Channel],
        announcement: Option<&Post>,
    ) -> Result<(), StoreError> {
        let greatest = self.greatest();
        let effects = PostEffects::announcement(&team.id);
        with_tx!(self, |tx| async {
            sqlx::query(
                "INSERT INTO teams (id, create_at, update_at, delete_at, display_name, name, description, email, type, \
                 company_name, allowed_domains, invite_id, allow_open_invite, last_team_icon_update, scheme_id, \
                 group_constrained, cloud_limits_archived) VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, \
                 NULL, NULL, FALSE)",
            )
            .bind(&team.id)
            .bind(team.create_at)
            .bind(team.update_at)
            .bind(&team.display_name)
            .bind(&team.name)
            .bind(&team.description)
            .bind(&team.email)
            .bind(&team.team_type)
            .bind(&team.company_name)
            .bind(&team.allowed_domains)
            .bind(&team.invite_id)
            .bind(team.allow_open_invite)
            .execute(&mut **tx)
            .await?;
            upsert_team_member_in!(tx, &team.id, &creator.user_id, true, creator.now);
            for channel in default_channels {
                insert_channel_in!(tx, channel);
                let member = NewChannelMember {
                    scheme_admin: false,
                    ..creator.clone()
                };
                insert_channel_member_in!(tx, &channel.id, member);
            }
            if let Some(post) = announcement {
                insert_post_in!(tx, greatest, post, &effects);
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Adds users to a team (re-activating earlier memberships) and to its default channels
    /// (`town-square`, `off-topic`). `announcements` holds, per user, the system message to
    /// post when that user was not an active member before; it is posted in the same
    /// transaction. Returns the users who were newly added.
    pub async fn add_team_members(
        &self,
        team_id: &str,
        user_ids: &[String],
        channel_notify_props: &str,
        now: i64,
        announcements: &[(String, Post)],
    ) -> Result<Vec<String>, StoreError> {
        let greatest = self.greatest();
        let effects = PostEffects::announcement(team_id);
        let result = with_tx!(self, |tx| async {
            // Mattermost's default channels: everyone joins town-square and off-topic.
            let defaults: Vec<(String,)> = sqlx::query_as(
                "SELECT id FROM channels WHERE team_id = $1 AND name IN ('town-square', 'off-topic') AND delete_at = 0",
            )
            .bind(team_id)
            .fetch_all(&mut **tx)
            .await?;
            let mut added = Vec::new();
            for user_id in user_ids {
                let before: Option<(i64,)> = sqlx::query_as(
                    "SELECT delete_at FROM team_members WHERE team_id = $1 AND user_id = $2",
                )
                .bind(team_id)
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await?;
                upsert_team_member_in!(tx, team_id, user_id, false, now);
                for (channel_id,) in &defaults {
                    let member = NewChannelMember {
                        user_id: user_id.clone(),
                        scheme_admin: false,
                        notify_props: channel_notify_props.to_string(),
                        now,
                    };
                    insert_channel_member_in!(tx, channel_id, member);
                }
                if before.is_some_and(|(delete_at,)| delete_at == 0) {
                    continue;
                }
                for (_, post) in announcements.iter().filter(|(id, _)| id == user_id) {
                    insert_post_in!(tx, greatest, post, &effects);
                }
                added.push(user_id.clone());
            }
            Ok::<_, StoreError>(added)
        });
        self.members_changed();
        result
    }

    /// Removes a user from a team and from every channel of that team, posting `announcement`
    /// (the leave or removal message) in the same transaction.
    pub async fn remove_team_member(
        &self,
        team_id: &str,
        user_id: &str,
        now: i64,
        announcement: Option<&Post>,
    ) -> Result<(), StoreError> {
        let greatest = self.greatest();
        let effects = PostEffects::announcement(team_id);
        let result = with_tx!(self, |tx| async {
            sqlx::query(
                "UPDATE team_members SET delete_at = $3 WHERE team_id = $1 AND user_id = $2",
            )
            .bind(team_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "DELETE FROM channel_members WHERE user_id = $2 AND channel_id IN (SELECT id FROM channels WHERE team_id = $1)",
            )
            .bind(team_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
            if let Some(post) = announcement {
                insert_post_in!(tx, greatest, post, &effects);
            }
            Ok::<_, StoreError>(())
        });
        self.members_changed();
        result
    }

    /// Creates a channel with its first members.
    pub async fn create_channel(
        &self,
        channel: &Channel,
        members: &[NewChannelMember],
    ) -> Result<(), StoreError> {
        // No members epoch bump: nothing can be cached for a channel that did not exist, and
        // direct messages create channels often enough to empty every cache each time.
        with_tx!(self, |tx| async {
            insert_channel_in!(tx, channel);
            for member in members {
                insert_channel_member_in!(tx, &channel.id, member);
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Adds a member to an existing channel; an existing member is left as it is. When the
    /// member is new, `announcement` (the join or "added by" message) is posted in the same
    /// transaction. Returns whether the member was added.
    pub async fn add_channel_member(
        &self,
        channel_id: &str,
        member: &NewChannelMember,
        announcement: Option<&Post>,
        team_id: &str,
    ) -> Result<bool, StoreError> {
        let greatest = self.greatest();
        let effects = PostEffects::announcement(team_id);
        let result = with_tx!(self, |tx| async {
            let inserted = insert_channel_member_in!(tx, channel_id, member).rows_affected() > 0;
            if inserted {
                if let Some(post) = announcement {
                    insert_post_in!(tx, greatest, post, &effects);
                }
            }
            Ok::<_, StoreError>(inserted)
        });
        self.members_changed();
        result
    }

    /// Removes a member, posting `announcement` (leave or removal message) in the same
    /// transaction when there was a member to remove.
    pub async fn remove_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
        announcement: Option<&Post>,
        team_id: &str,
    ) -> Result<bool, StoreError> {
        let greatest = self.greatest();
        let effects = PostEffects::announcement(team_id);
        let result = with_tx!(self, |tx| async {
            let removed =
                sqlx::query("DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2")
                    .bind(channel_id)
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
                    > 0;
            if removed {
                if let Some(post) = announcement {
                    insert_post_in!(tx, greatest, post, &effects);
                }
            }
            Ok::<_, StoreError>(removed)
        });
        self.members_changed();
        result
    }

    /// Updates a channel's properties (name, display name, header, purpose, type, archive
    /// state) and posts the system messages that announce the change, in one transaction.
    pub async fn update_channel_announced(
        &self,
        channel: &Channel,
        announcements: &[Post],
    ) -> Result<(), StoreError> {
        let greatest = self.greatest();
        let effects = PostEffects::announcement(&channel.team_id);
        with_tx!(self, |tx| async {
            for post in announcements {
                insert_post_in!(tx, greatest, post, &effects);
            }
            sqlx::query(
                "UPDATE channels SET update_at = $2, delete_at = $3, display_name = $4, name = $5, header = $6, \
                 purpose = $7, type = $8 WHERE id = $1",
            )
            .bind(&channel.id)
            .bind(channel.update_at)
            .bind(channel.delete_at)
            .bind(&channel.display_name)
            .bind(&channel.name)
            .bind(&channel.header)
            .bind(&channel.purpose)
            .bind(&channel.channel_type)
            .execute(&mut **tx)
            .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Members of a channel by user id.
    pub async fn channel_members(
        &self,
        channel_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        let sql = format!(
            "SELECT {} FROM channel_members WHERE channel_id = $1 ORDER BY user_id LIMIT $2 OFFSET $3",
            super::channels::MEMBER_COLUMNS
        );
        let rows: Vec<super::channels::ChannelMemberRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(channel_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(ChannelMember::from).collect())
    }
}
