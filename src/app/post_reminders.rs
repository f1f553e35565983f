//! Post reminders ("Remind me" on a post), as Mattermost's `SetPostReminder` and
//! `CheckPostReminders`: setting one answers with an ephemeral confirmation; when it is due
//! the system bot sends the user a direct message linking the post.

use chrono::DateTime;
use serde_json::{json, Map, Value};
use townsquare_sdk::model::{default_notify_props, default_timezone, Post, Session, User};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::posts::readable_post;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::events;
use crate::state::AppState;
use crate::store::is_unique_violation;
use crate::store::post_reminders::ClaimedReminder;
use crate::store::posts::PostEffects;
use crate::time::now_ms;

/// Mattermost's system bot, which sends reminders (created on first use).
pub const SYSTEM_BOT_USERNAME: &str = "system-bot";
const SYSTEM_BOT_DISPLAY_NAME: &str = "System";
/// Mattermost's `PostTypeReminder`: clients render the reminder from its props.
pub const REMINDER_POST_TYPE: &str = "reminder";
/// 9999-12-31T23:59:59Z: later target times are refused (seconds, not milliseconds).
const LAST_TARGET_TIME: i64 = 253_402_300_799;
/// A claim older than this belongs to a node that stopped mid-send: the reminder is taken over.
pub const CLAIM_TIMEOUT_MS: i64 = 10 * 60 * 1000;
/// Reminders claimed per round.
const BATCH: i64 = 100;

/// The post's team name ("" in direct and group channels) and author's username.
struct PostPlace {
    team_name: String,
    username: String,
}

async fn place_of(state: &AppState, post: &Post, team_id: &str) -> Result<PostPlace> {
    let team_name = if team_id.is_empty() {
        String::new()
    } else {
        state
            .store
            .team(team_id)
            .await?
            .map(|t| t.name)
            .unwrap_or_default()
    };
    let username = state
        .store
        .user(&post.user_id)
        .await?
        .map(|u| u.username)
        .unwrap_or_default();
    Ok(PostPlace {
        team_name,
        username,
    })
}

/// `{SiteURL}/{team}/pl/{post_id}`, or `{SiteURL}/pl/{post_id}` outside teams.
fn permalink(state: &AppState, team_name: &str, post_id: &str) -> String {
    let site = state
        .config()
        .service
        .site_url
        .trim_end_matches('/')
        .to_string();
    if team_name.is_empty() {
        format!("{site}/pl/{post_id}")
    } else {
        format!("{site}/{team_name}/pl/{post_id}")
    }
}

/// Sets (or moves) `user_id`'s reminder about a post the caller may read to `target_time`
/// (Unix seconds), and shows the user an ephemeral confirmation in the post's channel.
pub async fn set(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    post_id: &str,
    target_time: i64,
) -> Result<()> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    let (post, access) = readable_post(state, auth, post_id).await?;
    if !(1..=LAST_TARGET_TIME).contains(&target_time) {
        return Err(AppError::invalid_body_param("target_time").into());
    }
    state
        .store
        .set_post_reminder(post_id, user_id, target_time)
        .await?;
    let place = place_of(state, &post, &access.channel.team_id).await?;
    // Go's RFC 822 layout ("02 Jan 06 15:04 MST") in UTC, as Mattermost writes it.
    let when = DateTime::from_timestamp(target_time, 0)
        .map(|t| t.format("%d %b %y %H:%M UTC").to_string())
        .unwrap_or_default();
    let now = now_ms();
    let mut props = Map::new();
    props.insert("target_time".into(), json!(target_time));
    props.insert("team_name".into(), json!(place.team_name));
    props.insert("post_id".into(), json!(post_id));
    props.insert("username".into(), json!(place.username));
    props.insert("type".into(), json!(REMINDER_POST_TYPE));
    let confirmation = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: user_id.to_string(),
        channel_id: post.channel_id.clone(),
        root_id: post_id.to_string(),
        message: format!(
            "You will be reminded about {} by @{} at {when}",
            permalink(state, &place.team_name, post_id),
            place.username
        ),
        post_type: "system_ephemeral".into(),
        props,
        ..Default::default()
    };
    let mut event = events::ephemeral_message(user_id, &confirmation);
    event.broadcast.channel_id = confirmation.channel_id.clone();
    state.realtime.publish(event);
    Ok(())
}

/// The system bot as a caller, its account created on first use (Mattermost's
/// `GetSystemBot`): a bot without a password, so nobody can sign in as it.
async fn system_bot(state: &AppState) -> Result<AuthContext> {
    let user = match state.store.user_by_username(SYSTEM_BOT_USERNAME).await? {
        Some(user) => user,
        None => {
            let now = now_ms();
            let bot = User {
                id: new_id(),
                create_at: now,
                update_at: now,
                username: SYSTEM_BOT_USERNAME.into(),
                email: format!("{SYSTEM_BOT_USERNAME}@localhost"),
                email_verified: true,
                first_name: SYSTEM_BOT_DISPLAY_NAME.into(),
                roles: "system_user".into(),
                props: Some(Default::default()),
                notify_props: Some(default_notify_props()),
                locale: "en".into(),
                timezone: default_timezone(),
                is_bot: true,
                ..Default::default()
            };
            match state.store.insert_user(&bot, "", None, false).await {
                Ok(Some(user)) => user,
                // Another node created it meanwhile.
                Err(err) if is_unique_violation(&err) => state
                    .store
                    .user_by_username(SYSTEM_BOT_USERNAME)
                    .await?
                    .ok_or_else(|| AppError::internal("system bot vanished"))?,
                Ok(None) => return Err(AppError::internal("system bot not created").into()),
                Err(err) => return Err(err.into()),
            }
        }
    };
    if !user.is_bot || !user.is_active() {
        return Err(AppError::internal(format!(
            "the username {SYSTEM_BOT_USERNAME} belongs to an account that is not an active bot"
        ))
        .into());
    }
    Ok(AuthContext {
        session: Session {
            user_id: user.id.clone(),
            ..Default::default()
        },
        user,
        csrf_token: String::new(),
        access_token_id: None,
    })
}

/// Sends every due reminder: claims a batch (so another node sending at the same time gets
/// others), sends each as a direct message from the system bot, then removes it. A reminder
/// about a post or for a user that is gone is removed unsent. Returns how many were sent.
pub async fn send_due(state: &AppState) -> Result<usize> {
    let mut sent = 0;
    let mut bot: Option<AuthContext> = None;
    loop {
        let now = now_ms();
        let claimed = state
            .store
            .claim_due_reminders(now.div_euclid(1000), now, now - CLAIM_TIMEOUT_MS, BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(sent);
        }
        let bot = match &bot {
            Some(bot) => bot,
            None => bot.insert(system_bot(state).await?),
        };
        let full = claimed.len() as i64 == BATCH;
        for reminder in &claimed {
            match send_one(state, bot, reminder).await {
                Ok(delivered) => {
                    sent += usize::from(delivered);
                    state.store.finish_reminder(reminder).await?;
                }
                // The claim stays: the reminder is retried once the claim times out.
                Err(err) => tracing::warn!(
                    error = %err,
                    post_id = reminder.post_id,
                    user_id = reminder.user_id,
                    "post reminder not sent; will retry"
                ),
            }
        }
        if !full {
            return Ok(sent);
        }
    }
}

/// Sends one claimed reminder; `false` when there was nothing to remind of.
async fn send_one(state: &AppState, bot: &AuthContext, reminder: &ClaimedReminder) -> Result<bool> {
    let Some(post) = state
        .store
        .post(&reminder.post_id)
        .await?
        .filter(|p| p.delete_at == 0)
    else {
        return Ok(false);
    };
    if !state
        .store
        .user(&reminder.user_id)
        .await?
        .is_some_and(|u| u.is_active())
    {
        return Ok(false);
    }
    let team_id = state
        .store
        .channel(&post.channel_id)
        .await?
        .map(|c| c.team_id)
        .unwrap_or_default();
    let place = place_of(state, &post, &team_id).await?;
    let (channel, _) = crate::app::channels::direct_channel(
        state,
        bot,
        &[reminder.user_id.clone(), bot.user_id().to_string()],
    )
    .await?;
    let now = now_ms();
    let mut props = Map::new();
    props.insert("team_name".into(), Value::from(place.team_name.clone()));
    props.insert("post_id".into(), Value::from(post.id.clone()));
    props.insert("username".into(), Value::from(place.username.clone()));
    let message = format!(
        "Hi there, here's your reminder about this message from @{}: {}",
        place.username,
        permalink(state, &place.team_name, &post.id)
    );
    let dm = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: bot.user_id().to_string(),
        channel_id: channel.id.clone(),
        hashtags: crate::app::mentions::hashtags(&message),
        message,
        post_type: REMINDER_POST_TYPE.into(),
        props,
        ..Default::default()
    };
    // A direct message mentions its recipient.
    let mentioned = vec![reminder.user_id.clone()];
    state
        .store
        .insert_post(
            &dm,
            &PostEffects {
                mentioned_user_ids: mentioned.clone(),
                team_id: String::new(),
            },
        )
        .await?;
    state.realtime.publish(events::posted(
        &dm,
        &channel,
        &bot.user.username,
        &mentioned,
    ));
    Ok(true)
}
