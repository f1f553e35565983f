//! The `login_attempts` table: failed-login counters with back-off that expires by itself.

use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttemptState {
    pub failures: i64,
    pub last_failure_at: i64,
    pub blocked_until: i64,
}

impl Store {
    pub async fn login_attempts(&self, key: &str) -> Result<AttemptState, StoreError> {
        let row: Option<(i32, i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT failures, last_failure_at, blocked_until FROM login_attempts WHERE attempt_key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row
            .map(|(failures, last_failure_at, blocked_until)| AttemptState {
                failures: i64::from(failures),
                last_failure_at,
                blocked_until,
            })
            .unwrap_or_default())
    }

    /// Both counters of a login attempt in one read: `(account, ip)`.
    pub async fn login_attempt_pair(
        &self,
        account_key: &str,
        ip_key: &str,
    ) -> Result<(AttemptState, AttemptState), StoreError> {
        let rows: Vec<(String, i32, i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT attempt_key, failures, last_failure_at, blocked_until FROM login_attempts \
                 WHERE attempt_key IN ($1, $2)",
            )
            .bind(account_key)
            .bind(ip_key)
            .fetch_all(pool)
            .await
        })?;
        let mut pair = (AttemptState::default(), AttemptState::default());
        for (key, failures, last_failure_at, blocked_until) in rows {
            let state = AttemptState {
                failures: i64::from(failures),
                last_failure_at,
                blocked_until,
            };
            if key == account_key {
                pair.0 = state;
            } else {
                pair.1 = state;
            }
        }
        Ok(pair)
    }

    pub async fn save_login_attempts(
        &self,
        key: &str,
        user_id: &str,
        state: AttemptState,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO login_attempts (attempt_key, user_id, failures, last_failure_at, blocked_until) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attempt_key) DO UPDATE SET user_id = excluded.user_id, \
                 failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until",
            )
            .bind(key)
            .bind(user_id)
            .bind(state.failures.min(i64::from(i32::MAX)) as i32)
            .bind(state.last_failure_at)
            .bind(state.blocked_until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn clear_login_attempts(&self, key: &str) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query("DELETE FROM login_attempts WHERE attempt_key = $1")
                .bind(key)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Forgets every failed attempt against a user's account (admin reset).
    pub async fn clear_login_attempts_for_user(&self, user_id: &str) -> Result<u64, StoreError> {
        Ok(with_writer!(self, |pool| {
            sqlx::query("DELETE FROM login_attempts WHERE user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?)
    }

    /// Drops counters whose last failure is older than `before`.
    pub async fn prune_login_attempts(&self, before: i64) -> Result<u64, StoreError> {
        Ok(with_writer!(self, |pool| {
            sqlx::query(
                "DELETE FROM login_attempts WHERE last_failure_at < $1 AND blocked_until < $1",
            )
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?)
    }
}
