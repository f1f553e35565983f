//! Presence: `online` / `away` / `dnd` / `offline`, set by hand or by activity, and the custom
//! status (emoji and text) kept in the user's props.
//!
//! Automatic presence is cheap by design: [`record_activity`] reads the status row (a primary
//! key lookup on the read pool) and writes at most once per [`ACTIVITY_WRITE_INTERVAL_MS`] per
//! user (`activity_memo` remembers the last check), the write itself guarded by the stored `last_activity_at` so concurrent requests and
//! other nodes cannot multiply it. `away` is never written by a timer: a non-manual `online`
//! status older than [`AWAY_TIMEOUT_MS`] reads as `away`, and an expired do-not-disturb reads as
//! the status it replaced.

use serde::{Deserialize, Serialize};
use townsquare_sdk::model::{Preference, Status};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::preferences::require_self_or_editor;
use crate::app::users::missing_account;
use crate::error::Result;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::statuses::StatusRow;
use crate::time::now_ms;

pub const ONLINE: &str = "online";
pub const AWAY: &str = "away";
pub const DND: &str = "dnd";
pub const OFFLINE: &str = "offline";

/// Mattermost's default `TeamSettings.UserStatusAwayTimeout` (300 s).
pub const AWAY_TIMEOUT_MS: i64 = 5 * 60 * 1000;
/// Activity is written back at most this often per user.
pub const ACTIVITY_WRITE_INTERVAL_MS: i64 = 60 * 1000;
/// The user props key holding the custom status (a JSON string).
pub const CUSTOM_STATUS_PROP: &str = "customStatus";
pub const CUSTOM_STATUS_TEXT_MAX_RUNES: usize = 100;
const MAX_RECENT_CUSTOM_STATUSES: usize = 5;
const CUSTOM_STATUS_CATEGORY: &str = "custom_status";
const RECENT_CUSTOM_STATUSES: &str = "recent_custom_statuses";
const VALID_DURATIONS: [&str; 6] = [
    "thirty_minutes",
    "one_hour",
    "four_hours",
    "today",
    "this_week",
    "date_and_time",
];

fn dnd_expired(row: &StatusRow, now: i64) -> bool {
    row.status == DND && row.dnd_end_time > 0 && row.dnd_end_time.saturating_mul(1000) <= now
}

/// The status a stored row means at `now` (no row: `offline`).
pub fn effective_status(user_id: &str, row: Option<StatusRow>, now: i64) -> Status {
    let Some(mut row) = row else {
        return Status {
            user_id: user_id.to_string(),
            status: OFFLINE.into(),
            ..Default::default()
        };
    };
    if dnd_expired(&row, now) {
        row.status = if row.prev_status.is_empty() || row.prev_status == DND {
            OFFLINE.into()
        } else {
            std::mem::take(&mut row.prev_status)
        };
        row.manual = false;
        row.dnd_end_time = 0;
    }
    if !row.manual && row.status == ONLINE && now - row.last_activity_at >= AWAY_TIMEOUT_MS {
        row.status = AWAY.into();
    }
    row.into()
}

/// Whether activity at `now` changes the stored row (same rule as the guarded write).
fn activity_needs_write(row: Option<&StatusRow>, now: i64) -> bool {
    match row {
        None => true,
        Some(row) => {
            dnd_expired(row, now)
                || (!row.manual
                    && (row.status != ONLINE
                        || now - row.last_activity_at >= ACTIVITY_WRITE_INTERVAL_MS))
        }
    }
}

/// Records that `user_id` was active at `now` (ms): the status becomes `online` unless it was
/// set by hand (`dnd`, `away`, `offline` chosen by the user stay). Writes at most once per
/// minute per user. Call it from the authenticated request path.
pub async fn record_activity(state: &AppState, user_id: &str, now: i64) -> Result<()> {
    if state.activity_memo.is_fresh(user_id, now) {
        return Ok(());
    }
    let current = state.store.status(user_id).await?;
    if activity_needs_write(current.as_ref(), now) {
        state
            .store
            .touch_status_online(user_id, now, ACTIVITY_WRITE_INTERVAL_MS)
            .await?;
    }
    state.activity_memo.checked(user_id, now);
    Ok(())
}

/// One user's status; an unknown user is a 404.
pub async fn get_status(state: &AppState, user_id: &str) -> Result<Status> {
    let found = state
        .store
        .statuses_of_users(&[user_id.to_string()])
        .await?
        .pop()
        .filter(|s| s.exists)
        .ok_or_else(|| {
            AppError::not_found(
                "api.status.user_not_found.app_error",
                "Unable to find the user.",
            )
        })?;
    Ok(effective_status(user_id, found.status, now_ms()))
}

/// Statuses of several users, once each in the order asked; unknown users are reported
/// `offline`.
pub async fn statuses_by_ids(state: &AppState, user_ids: &[String]) -> Result<Vec<Status>> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = user_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect();
    let now = now_ms();
    Ok(state
        .store
        .statuses_of_users(&ids)
        .await?
        .into_iter()
        .map(|s| effective_status(&s.user_id, s.status, now))
        .collect())
}

/// The body of `PUT /users/{user_id}/status`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusUpdate {
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
    #[serde(deserialize_with = "nullable")]
    pub status: String,
    /// End of do-not-disturb in seconds since the epoch (0: until changed).
    #[serde(deserialize_with = "nullable")]
    pub dnd_end_time: i64,
}

/// Sets a status by hand. `online` clears the manual flag (activity then keeps it current);
/// `away`, `dnd` and `offline` stay until the user changes them (or do-not-disturb ends).
pub async fn set_status(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    update: StatusUpdate,
) -> Result<Status> {
    if update.user_id != user_id {
        return Err(AppError::invalid_body_param("user_id").into());
    }
    require_self_or_editor(auth, user_id)?;
    if !matches!(update.status.as_str(), ONLINE | AWAY | DND | OFFLINE) {
        return Err(AppError::invalid_body_param("status").into());
    }
    if update.dnd_end_time < 0 {
        return Err(AppError::invalid_body_param("dnd_end_time").into());
    }
    if state.store.user(user_id).await?.is_none() {
        return Err(missing_account().into());
    }
    let now = now_ms();
    let current = state.store.status(user_id).await?;
    let last_activity_at = current.as_ref().map_or(0, |c| c.last_activity_at);
    let row = match update.status.as_str() {
        ONLINE => StatusRow {
            status: ONLINE.into(),
            manual: false,
            last_activity_at: now,
            ..Default::default()
        },
        OFFLINE => StatusRow {
            status: OFFLINE.into(),
            manual: true,
            last_activity_at: now,
            ..Default::default()
        },
        AWAY => StatusRow {
            status: AWAY.into(),
            manual: true,
            last_activity_at,
            ..Default::default()
        },
        _ => {
            // What do-not-disturb returns to when it ends.
            let prev_status = match &current {
                Some(c) if c.status == DND && !dnd_expired(c, now) => c.prev_status.clone(),
                Some(c) => effective_status(user_id, Some(c.clone()), now).status,
                None => OFFLINE.into(),
            };
            StatusRow {
                status: DND.into(),
                manual: true,
                last_activity_at,
                // Mattermost keeps whole minutes.
                dnd_end_time: update.dnd_end_time - update.dnd_end_time % 60,
                prev_status,
                ..Default::default()
            }
        }
    };
    let row = StatusRow {
        user_id: user_id.to_string(),
        ..row
    };
    state.store.upsert_status(&row).await?;
    state.activity_memo.forget(user_id);
    let status = effective_status(user_id, Some(row), now);
    state
        .realtime
        .publish(crate::realtime::events::status_change(
            user_id,
            &status.status,
        ));
    Ok(status)
}

/// The body of `PUT /users/{user_id}/status/custom`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CustomStatusInput {
    #[serde(deserialize_with = "nullable")]
    pub emoji: String,
    #[serde(deserialize_with = "nullable")]
    pub text: String,
    /// `""` (until cleared), `thirty_minutes`, `one_hour`, `four_hours`, `today`,
    /// `this_week` or `date_and_time`.
    #[serde(deserialize_with = "nullable")]
    pub duration: String,
    /// RFC 3339 time the status ends (required with a duration).
    #[serde(deserialize_with = "nullable")]
    pub expires_at: String,
}

/// A custom status as Mattermost stores it in the user's props (field order as Go writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CustomStatus {
    pub emoji: String,
    pub text: String,
    pub duration: String,
    pub expires_at: String,
}

/// Validates a custom status the way Mattermost does (`AreDurationAndExpirationTimeValid`,
/// `PreSave`): text is cut to 100 characters, an expiry without a duration is `date_and_time`.
pub fn custom_status_from(input: CustomStatusInput, now: i64) -> Result<CustomStatus, AppError> {
    let invalid = || AppError::invalid_body_param("custom_status");
    let expires = if input.expires_at.is_empty() {
        rfc3339::ZERO
    } else {
        rfc3339::parse(&input.expires_at).ok_or_else(invalid)?
    };
    let expired = expires.before_ms(now);
    let valid = (input.duration.is_empty() && (expires == rfc3339::ZERO || !expired))
        || (VALID_DURATIONS.contains(&input.duration.as_str()) && !expired);
    if !valid {
        return Err(invalid());
    }
    let duration = if input.duration.is_empty() && !expired {
        "date_and_time".to_string()
    } else {
        input.duration
    };
    let text: String = input
        .text
        .chars()
        .take(CUSTOM_STATUS_TEXT_MAX_RUNES)
        .collect();
    if input.emoji.is_empty() && text.is_empty() {
        return Err(AppError::bad_request(
            "api.custom_status.set_custom_statuses.update.app_error",
            "Failed to update the custom status: set an emoji or a text.",
        ));
    }
    Ok(CustomStatus {
        emoji: input.emoji,
        text,
        duration,
        expires_at: rfc3339::format(expires),
    })
}

/// Sets a user's custom status (kept in props `customStatus`) and adds it to the user's
/// recent custom statuses preference.
pub async fn set_custom_status(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    input: CustomStatusInput,
) -> Result<()> {
    require_self_or_editor(auth, user_id)?;
    let now = now_ms();
    let status = custom_status_from(input, now)?;
    let json = serde_json::to_string(&status).map_err(AppError::internal)?;
    write_custom_status_prop(state, user_id, json, now).await?;
    if let Err(err) = add_recent_custom_status(state, user_id, &status).await {
        tracing::warn!(user_id, error = %err, "could not update recent custom statuses");
    }
    Ok(())
}

/// Clears a user's custom status (props `customStatus` becomes `""`, as in Mattermost).
pub async fn clear_custom_status(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
) -> Result<()> {
    require_self_or_editor(auth, user_id)?;
    write_custom_status_prop(state, user_id, String::new(), now_ms()).await
}

async fn write_custom_status_prop(
    state: &AppState,
    user_id: &str,
    value: String,
    now: i64,
) -> Result<()> {
    let mut user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    user.props
        .get_or_insert_with(Default::default)
        .insert(CUSTOM_STATUS_PROP.to_string(), value);
    user.update_at = now;
    state.store.update_user_profile(&user).await?;
    Ok(())
}

async fn add_recent_custom_status(
    state: &AppState,
    user_id: &str,
    status: &CustomStatus,
) -> Result<()> {
    let stored = state
        .store
        .preference(user_id, CUSTOM_STATUS_CATEGORY, RECENT_CUSTOM_STATUSES)
        .await?;
    let mut recent: Vec<CustomStatus> = stored
        .and_then(|p| serde_json::from_str(&p.value).ok())
        .unwrap_or_default();
    if recent.contains(status) {
        return Ok(());
    }
    recent.retain(|s| s.text != status.text);
    recent.insert(0, status.clone());
    recent.truncate(MAX_RECENT_CUSTOM_STATUSES);
    let value = serde_json::to_string(&recent).map_err(AppError::internal)?;
    state
        .store
        .save_preferences(&[Preference {
            user_id: user_id.to_string(),
            category: CUSTOM_STATUS_CATEGORY.into(),
            name: RECENT_CUSTOM_STATUSES.into(),
            value,
        }])
        .await?;
    Ok(())
}

/// Just enough RFC 3339 for Go's `time.Time` JSON: parse with any offset, print in UTC with
/// trailing zero fractions trimmed (Go's `RFC3339Nano`).
mod rfc3339 {
    /// Seconds since the Unix epoch and nanoseconds (years 1-9999 fit easily).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub struct Instant {
        pub secs: i64,
        pub nanos: u32,
    }

    /// Go's zero time, `0001-01-01T00:00:00Z`.
    pub const ZERO: Instant = Instant {
        secs: -62_135_596_800,
        nanos: 0,
    };

    impl Instant {
        pub fn before_ms(self, now_ms: i64) -> bool {
            let now = Instant {
                secs: now_ms.div_euclid(1000),
                nanos: (now_ms.rem_euclid(1000) * 1_000_000) as u32,
            };
            self < now
        }
    }

    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn civil_from_days(z: i64) -> (i64, i64, i64) {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    fn days_in_month(y: i64, m: i64) -> i64 {
        match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    fn number(s: &[u8]) -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(s.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    pub fn parse(text: &str) -> Option<Instant> {
        let s = text.as_bytes();
        if s.len() < 20
            || s[4] != b'-'
            || s[7] != b'-'
            || !matches!(s[10], b'T' | b't')
            || s[13] != b':'
            || s[16] != b':'
        {
            return None;
        }
        let (y, mo, d) = (number(&s[0..4])?, number(&s[5..7])?, number(&s[8..10])?);
        let (h, mi, se) = (
            number(&s[11..13])?,
            number(&s[14..16])?,
            number(&s[17..19])?,
        );
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || se > 59
        {
            return None;
        }
        let mut rest = &s[19..];
        let mut nanos: u32 = 0;
        if rest.first() == Some(&b'.') {
            let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            let frac = number(&rest[1..1 + digits])?;
            nanos = (frac * 10_i64.pow(9 - digits as u32)) as u32;
            rest = &rest[1 + digits..];
        }
        let offset = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
                let oh = number(&[*oh1, *oh2])?;
                let om = number(&[*om1, *om2])?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let minutes = oh * 60 + om;
                if *sign == b'-' {
                    -minutes * 60
                } else {
                    minutes * 60
                }
            }
            _ => return None,
        };
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset;
        Some(Instant { secs, nanos })
    }

    pub fn format(t: Instant) -> String {
        let days = t.secs.div_euclid(86_400);
        let rem = t.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut out = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        );
        if t.nanos > 0 {
            let frac = format!("{:09}", t.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn row(status: &str, manual: bool, last: i64) -> StatusRow {
        StatusRow {
            user_id: "u".into(),
            status: status.into(),
            manual,
            last_activity_at: last,
            ..Default::default()
        }
    }

    #[test]
    fn reading_a_status() {
        assert_eq!(effective_status("u", None, NOW).status, OFFLINE);
        let fresh = effective_status("u", Some(row(ONLINE, false, NOW - 1000)), NOW);
        assert_eq!(fresh.status, ONLINE);
        let idle = effective_status("u", Some(row(ONLINE, false, NOW - AWAY_TIMEOUT_MS)), NOW);
        assert_eq!(idle.status, AWAY);
        assert!(!idle.manual);
        let dnd = StatusRow {
            dnd_end_time: NOW / 1000 - 1,
            prev_status: ONLINE.into(),
            ..row(DND, true, NOW - 1000)
        };
        let ended = effective_status("u", Some(dnd.clone()), NOW);
        assert_eq!((ended.status.as_str(), ended.manual), (ONLINE, false));
        let running = StatusRow {
            dnd_end_time: NOW / 1000 + 60,
            ..dnd
        };
        assert_eq!(effective_status("u", Some(running), NOW).status, DND);
    }

    #[test]
    fn activity_writes_at_most_once_a_minute() {
        assert!(activity_needs_write(None, NOW));
        assert!(!activity_needs_write(
            Some(&row(ONLINE, false, NOW - 59_000)),
            NOW
        ));
        assert!(activity_needs_write(
            Some(&row(ONLINE, false, NOW - 60_000)),
            NOW
        ));
        assert!(!activity_needs_write(Some(&row(DND, true, 0)), NOW));
        assert!(!activity_needs_write(Some(&row(AWAY, true, 0)), NOW));
        assert!(activity_needs_write(Some(&row(OFFLINE, false, NOW)), NOW));
    }

    #[test]
    fn rfc3339_round_trips() {
        assert_eq!(rfc3339::format(rfc3339::ZERO), "0001-01-01T00:00:00Z");
        assert_eq!(rfc3339::parse("0001-01-01T00:00:00Z"), Some(rfc3339::ZERO));
        let t = rfc3339::parse("2023-11-14T22:13:20.500Z").unwrap();
        assert_eq!(t.secs, 1_700_000_000);
        assert_eq!(rfc3339::format(t), "2023-11-14T22:13:20.5Z");
        let offset = rfc3339::parse("2023-11-15T00:13:20+02:00").unwrap();
        assert_eq!(offset.secs, 1_700_000_000);
        for bad in [
            "",
            "2023-13-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:20",
        ] {
            assert_eq!(rfc3339::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn custom_status_rules() {
        let input = |duration: &str, expires_at: &str| CustomStatusInput {
            emoji: "calendar".into(),
            text: "x".repeat(150),
            duration: duration.into(),
            expires_at: expires_at.into(),
        };
        let forever = custom_status_from(input("", ""), NOW).unwrap();
        assert_eq!(forever.duration, "");
        assert_eq!(forever.expires_at, "0001-01-01T00:00:00Z");
        assert_eq!(forever.text.chars().count(), 100);
        let later = custom_status_from(input("", "2030-01-01T00:00:00Z"), NOW).unwrap();
        assert_eq!(later.duration, "date_and_time");
        assert!(custom_status_from(input("one_hour", "2030-01-01T00:00:00Z"), NOW).is_ok());
        assert!(custom_status_from(input("one_hour", ""), NOW).is_err());
        assert!(custom_status_from(input("forever", "2030-01-01T00:00:00Z"), NOW).is_err());
        assert!(custom_status_from(input("", "2001-01-01T00:00:00Z"), NOW).is_err());
        assert!(custom_status_from(input("", "tomorrow"), NOW).is_err());
        let empty = CustomStatusInput::default();
        assert_eq!(
            custom_status_from(empty, NOW).unwrap_err().id,
            "api.custom_status.set_custom_statuses.update.app_error"
        );
    }
}
