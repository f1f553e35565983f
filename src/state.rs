//! Shared application state, handed to every handler. Cheap to clone.

use std::ops::Deref;
use std::sync::Arc;

use arc_swap::ArcSwap;
use townsquare_sdk::{Edition, Entitlements, Extensions, LicenseProblem, LicenseSnapshot};

use crate::app::activity_memo::ActivityMemo;
use crate::app::mention_index::MentionIndexCache;
use crate::app::passwords::PasswordHasher;
use crate::app::throttle::Throttle;
use crate::build_info;
use crate::config::{Config, RuntimeEnv};
use crate::realtime::Hub;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// Replaced atomically when the configuration changes; read without locking.
    pub config: ArcSwap<Config>,
    pub runtime: RuntimeEnv,
    pub store: Store,
    pub extensions: Extensions,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
    /// When each user's presence was last checked on this node (skips a read per request).
    pub activity_memo: ActivityMemo,
    /// Per-channel mention indexes for the post path (short-lived, forgotten on changes).
    pub mention_indexes: MentionIndexCache,
    /// Real-time delivery: publish events here after the store call committed.
    pub realtime: Arc<Hub>,
    /// The one-time code that claims a server without accounts (hashed; `app::first_run`).
    pub setup_code: crate::app::first_run::SetupCode,
    /// What this server may do right now; read without locking on every request, replaced
    /// atomically on upload, removal, expiry and changes made by other nodes or the CLI.
    entitlements: ArcSwap<Entitlements>,
    /// License sources that were set but could not be used (shown to admins).
    license_problems: ArcSwap<Vec<LicenseProblem>>,
    /// First part of `X-Version-Id`, recomputed with the configuration.
    version_prefix: ArcSwap<String>,
}

impl AppState {
    pub fn new(config: Config, runtime: RuntimeEnv, store: Store, extensions: Extensions) -> Self {
        let version_prefix = version_prefix(&config);
        let hasher = PasswordHasher::new(runtime.service_environment);
        let throttle = Throttle::new(config.service.maximum_login_attempts);
        let realtime = Hub::new(
            store.clone(),
            config.websocket.max_concurrent_upgrades as usize,
        );
        Self(Arc::new(Inner {
            hasher,
            throttle,
            activity_memo: ActivityMemo::default(),
            mention_indexes: MentionIndexCache::default(),
            realtime,
            setup_code: Default::default(),
            config: ArcSwap::from_pointee(config),
            runtime,
            store,
            entitlements: ArcSwap::from_pointee(Entitlements::unlicensed(
                extensions.edition.edition(),
            )),
            license_problems: ArcSwap::from_pointee(Vec::new()),
            extensions,
            version_prefix: ArcSwap::from_pointee(version_prefix),
        }))
    }

    pub fn config(&self) -> arc_swap::Guard<Arc<Config>> {
        self.config.load()
    }

    pub fn edition(&self) -> Edition {
        self.extensions.edition.edition()
    }

    /// The entitlements in force. Lock-free: one atomic load.
    pub fn entitlements(&self) -> arc_swap::Guard<Arc<Entitlements>> {
        self.entitlements.load()
    }

    /// A full (owned) handle on the entitlements, for use across `.await`.
    pub fn entitlements_full(&self) -> Arc<Entitlements> {
        self.entitlements.load_full()
    }

    pub fn license_problems(&self) -> Arc<Vec<LicenseProblem>> {
        self.license_problems.load_full()
    }

    /// Installs a new license snapshot; returns the entitlements it replaced.
    pub fn install_license(&self, snapshot: LicenseSnapshot) -> Arc<Entitlements> {
        self.license_problems.store(Arc::new(snapshot.problems));
        self.entitlements.swap(Arc::new(snapshot.entitlements))
    }

    /// Replaces the entitlements with a re-evaluation of `current` (the expiry timer), unless
    /// an upload or removal replaced `current` meanwhile. Returns whether it did.
    pub fn replace_entitlements(&self, current: &Arc<Entitlements>, next: Entitlements) -> bool {
        let previous = self.entitlements.compare_and_swap(current, Arc::new(next));
        Arc::ptr_eq(&previous, current)
    }

    /// `X-Version-Id`: `{version}.{build}.{config hash}.{licensed}`, as Mattermost sends it.
    pub fn version_id(&self) -> String {
        format!(
            "{}.{}",
            self.version_prefix.load(),
            self.entitlements.load().is_licensed()
        )
    }
}

fn version_prefix(config: &Config) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(config).unwrap_or_default();
    let hash = hex::encode(&Sha256::digest(&json)[..8]);
    format!(
        "{}.{}.{}",
        build_info::COMPATIBLE_MATTERMOST_VERSION,
        build_info::build_number(),
        hash
    )
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
