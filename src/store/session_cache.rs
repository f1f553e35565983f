//! A per-node cache of session-token lookups (session + user), so that an authenticated
//! request does not read the database before it does its own work.
//!
//! Correctness rests on invalidation, not on expiry: every store function that changes a user
//! or a session forgets that user's entries before it returns, so on one node a revocation,
//! deactivation, role or password change takes effect on the very next request. Other nodes
//! (PostgreSQL) hear of the change through `NOTIFY` (see `auth_notify`) and forget the user
//! too; while a node is not listening, its cache is off. The TTL
//! (`ServiceSettings.SessionCacheInMinutes`, 0 disables the cache) only bounds how long an
//! entry lives without use.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use townsquare_sdk::model::User;

use super::sessions::StoredSession;

/// Past this many cached tokens the cache starts over (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 50_000;

struct Entry {
    session: StoredSession,
    user: User,
    cached_at: Instant,
}

#[derive(Default)]
struct Entries {
    by_token_hash: HashMap<String, Entry>,
    /// user id -> the token hashes cached for that user.
    by_user: HashMap<String, HashSet<String>>,
}

pub struct SessionCache {
    entries: Mutex<Entries>,
    ttl_ms: AtomicU64,
    /// False while changes made elsewhere might go unheard (PostgreSQL listener down).
    trusted: AtomicBool,
    /// Bumped by every invalidation; a lookup that raced one is not cached.
    generation: AtomicU64,
}

impl SessionCache {
    /// `trusted`: whether the cache may answer from the start (true for a store that no other
    /// server writes to; PostgreSQL turns it on once its listener runs).
    pub fn new(trusted: bool) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            ttl_ms: AtomicU64::new(0),
            trusted: AtomicBool::new(trusted),
            generation: AtomicU64::new(0),
        }
    }

    /// Sets the entry lifetime; zero disables the cache (and empties it).
    pub fn set_ttl(&self, ttl: Duration) {
        self.ttl_ms.store(
            ttl.as_millis().min(u128::from(u64::MAX)) as u64,
            Ordering::Relaxed,
        );
        if ttl.is_zero() {
            self.clear();
        }
    }

    pub fn set_trusted(&self, trusted: bool) {
        if !trusted {
            self.clear();
        }
        self.trusted.store(trusted, Ordering::Release);
    }

    fn enabled(&self) -> bool {
        self.ttl_ms.load(Ordering::Relaxed) > 0 && self.trusted.load(Ordering::Acquire)
    }

    /// The generation to pass to [`SessionCache::put`] for a lookup starting now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, token_hash: &str) -> Option<(StoredSession, User)> {
        if !self.enabled() {
            return None;
        }
        let ttl = Duration::from_millis(self.ttl_ms.load(Ordering::Relaxed));
        let entries = self.entries.lock().ok()?;
        let entry = entries.by_token_hash.get(token_hash)?;
        if entry.cached_at.elapsed() >= ttl {
            return None;
        }
        Some((entry.session.clone(), entry.user.clone()))
    }

    /// Caches a lookup read from the database, unless an invalidation happened since the read
    /// began (`generation` from before the read): the row read may already be stale.
    pub fn put(&self, token_hash: &str, session: &StoredSession, user: &User, generation: u64) {
        if !self.enabled() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.by_token_hash.len() >= MAX_ENTRIES {
            *entries = Entries::default();
        }
        entries
            .by_user
            .entry(user.id.clone())
            .or_default()
            .insert(token_hash.to_string());
        entries.by_token_hash.insert(
            token_hash.to_string(),
            Entry {
                session: session.clone(),
                user: user.clone(),
                cached_at: Instant::now(),
            },
        );
    }

    /// Forgets every cached token of a user (any change to the user or their sessions).
    pub fn forget_user(&self, user_id: &str) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(hashes) = entries.by_user.remove(user_id) {
            for hash in hashes {
                entries.by_token_hash.remove(&hash);
            }
        }
    }

    pub fn clear(&self) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        *entries = Entries::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townsquare_sdk::model::Session;

    fn lookup(user_id: &str) -> (StoredSession, User) {
        (
            StoredSession {
                session: Session {
                    id: format!("s-{user_id}"),
                    user_id: user_id.into(),
                    ..Default::default()
                },
                csrf_token: String::new(),
            },
            User {
                id: user_id.into(),
                ..Default::default()
            },
        )
    }

    fn cache() -> SessionCache {
        let cache = SessionCache::new(true);
        cache.set_ttl(Duration::from_secs(60));
        cache
    }

    #[test]
    fn caches_until_the_user_changes() {
        let cache = cache();
        let (session, user) = lookup("u1");
        let (other_session, other) = lookup("u2");
        cache.put("h1", &session, &user, cache.generation());
        cache.put("h2", &other_session, &other, cache.generation());
        assert_eq!(cache.get("h1").unwrap().1.id, "u1");
        cache.forget_user("u1");
        assert!(cache.get("h1").is_none());
        assert!(cache.get("h2").is_some(), "other users stay cached");
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_cached() {
        let cache = cache();
        let (session, user) = lookup("u1");
        let before_read = cache.generation();
        cache.forget_user("u1"); // a revocation commits while the lookup reads
        cache.put("h1", &session, &user, before_read);
        assert!(cache.get("h1").is_none());
    }

    #[test]
    fn off_when_untrusted_or_without_ttl() {
        let cache = cache();
        let (session, user) = lookup("u1");
        cache.put("h1", &session, &user, cache.generation());
        cache.set_trusted(false);
        assert!(cache.get("h1").is_none());
        cache.put("h1", &session, &user, cache.generation());
        cache.set_trusted(true);
        assert!(
            cache.get("h1").is_none(),
            "nothing was cached while untrusted"
        );
        cache.set_ttl(Duration::ZERO);
        cache.put("h1", &session, &user, cache.generation());
        assert!(cache.get("h1").is_none());
    }
}
