//! Shared application state, handed to every handler. Cheap to clone.

use std::ops::Deref;
use std::sync::Arc;

use arc_swap::ArcSwap;
use townsquare_sdk::{Edition, Extensions};

use crate::app::passwords::PasswordHasher;
use crate::app::throttle::Throttle;
use crate::build_info;
use crate::config::{Config, RuntimeEnv};
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
    /// First part of `X-Version-Id`, recomputed with the configuration.
    version_prefix: ArcSwap<String>,
}

impl AppState {
    pub fn new(config: Config, runtime: RuntimeEnv, store: Store, extensions: Extensions) -> Self {
        let version_prefix = version_prefix(&config);
        let hasher = PasswordHasher::new(runtime.service_environment);
        let throttle = Throttle::new(config.service.maximum_login_attempts);
        Self(Arc::new(Inner {
            hasher,
            throttle,
            config: ArcSwap::from_pointee(config),
            runtime,
            store,
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

    /// `X-Version-Id`: `{version}.{build}.{config hash}.{licensed}`, as Mattermost sends it.
    pub fn version_id(&self) -> String {
        format!("{}.false", self.version_prefix.load())
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
