//! Login throttling without permanent lockout.
//!
//! Failures are counted per account + client IP and per client IP (the address as
//! `TrustedProxyIPHeader` configures it). The account is the resolved user, so every login id
//! of one account (username, email, id) shares one counter; a login id that names no account
//! counts under its text, exactly like a wrong password would. Past the allowance each
//! further failure doubles a block (1 s, 2 s, 4 s, ... at most 15 minutes) that ends by itself,
//! and a counter whose last failure is older than the window starts from zero again. An
//! attacker can therefore never lock a victim out from the victim's own address, and the
//! counters live in the database so a restart does not reset them.

use crate::store::login_attempts::AttemptState;
use crate::store::{Store, StoreError};

/// A counter resets after this long without failures.
pub const WINDOW_MS: i64 = 60 * 60 * 1000;
/// Longest single block.
pub const MAX_BLOCK_MS: i64 = 15 * 60 * 1000;
/// Failures from one IP (over all accounts) allowed per window, as a multiple of the
/// per-account allowance.
const IP_MULTIPLIER: i64 = 10;

#[derive(Debug, Clone)]
pub struct Throttle {
    account_allowance: i64,
}

/// The counters a login attempt touches.
#[derive(Debug, Clone)]
pub struct AttemptKeys {
    pub account: String,
    pub ip: String,
}

impl AttemptKeys {
    /// The counters of an attempt on an existing account.
    pub fn for_user(user_id: &str, ip: &str) -> Self {
        Self {
            account: format!("account:user:{user_id}|{ip}"),
            ip: format!("ip:{ip}"),
        }
    }

    /// The counters of an attempt with a login id that names no account: counted per text, so
    /// guessing at unknown ids is throttled like guessing passwords.
    pub fn for_unknown_login(login_id: &str, ip: &str) -> Self {
        Self {
            account: format!("account:login:{}|{ip}", login_id.trim().to_lowercase()),
            ip: format!("ip:{ip}"),
        }
    }
}

impl Throttle {
    pub fn new(maximum_login_attempts: u64) -> Self {
        Self {
            account_allowance: maximum_login_attempts.max(1) as i64,
        }
    }

    /// Reads both counters once; the result says whether the attempt is blocked and is handed
    /// back to `record_success`, so a successful login reads no counter twice.
    pub async fn check(
        &self,
        store: &Store,
        keys: &AttemptKeys,
        now: i64,
    ) -> Result<AttemptCheck, StoreError> {
        let (account, ip) = store.login_attempt_pair(&keys.account, &keys.ip).await?;
        Ok(AttemptCheck {
            blocked: account.blocked_until > now || ip.blocked_until > now,
            account_failures: account.failures,
        })
    }

    /// Counts a failed attempt on both counters.
    pub async fn record_failure(
        &self,
        store: &Store,
        keys: &AttemptKeys,
        user_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let account = next_state(
            store.login_attempts(&keys.account).await?,
            self.account_allowance,
            now,
        );
        store
            .save_login_attempts(&keys.account, user_id, account)
            .await?;
        let ip = next_state(
            store.login_attempts(&keys.ip).await?,
            self.account_allowance * IP_MULTIPLIER,
            now,
        );
        store.save_login_attempts(&keys.ip, "", ip).await
    }

    /// A successful login clears the account counter (the IP counter decays on its own).
    pub async fn record_success(
        &self,
        store: &Store,
        keys: &AttemptKeys,
        checked: AttemptCheck,
    ) -> Result<(), StoreError> {
        // Almost every login has no counter, and writes queue on one writer.
        if checked.account_failures == 0 {
            return Ok(());
        }
        store.clear_login_attempts(&keys.account).await
    }
}

/// What `Throttle::check` found.
#[derive(Debug, Clone, Copy)]
pub struct AttemptCheck {
    pub blocked: bool,
    pub account_failures: i64,
}

pub fn next_state(previous: AttemptState, allowance: i64, now: i64) -> AttemptState {
    let stale = now - previous.last_failure_at > WINDOW_MS && previous.blocked_until <= now;
    let failures = if stale { 1 } else { previous.failures + 1 };
    let blocked_until = if failures >= allowance {
        let doublings = (failures - allowance).min(20) as u32;
        now + (1000_i64 << doublings).min(MAX_BLOCK_MS)
    } else {
        0
    };
    AttemptState {
        failures,
        last_failure_at: now,
        blocked_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_grow_exponentially_and_are_capped() {
        let mut state = AttemptState::default();
        let now = 10 * WINDOW_MS;
        for _ in 0..4 {
            state = next_state(state, 5, now);
            assert_eq!(state.blocked_until, 0, "within the allowance");
        }
        state = next_state(state, 5, now);
        assert_eq!(state.blocked_until, now + 1000);
        state = next_state(state, 5, now);
        assert_eq!(state.blocked_until, now + 2000);
        for _ in 0..30 {
            state = next_state(state, 5, now);
        }
        assert_eq!(
            state.blocked_until,
            now + MAX_BLOCK_MS,
            "capped, never permanent"
        );
    }

    #[test]
    fn counters_expire_after_the_window() {
        let now = 10 * WINDOW_MS;
        let mut state = AttemptState::default();
        for _ in 0..10 {
            state = next_state(state, 5, now);
        }
        let later = now + WINDOW_MS + MAX_BLOCK_MS + 1;
        let fresh = next_state(state, 5, later);
        assert_eq!(fresh.failures, 1);
        assert_eq!(fresh.blocked_until, 0);
    }
}
