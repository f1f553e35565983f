// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The public keys compiled into this build, and which environments trust them.

use std::sync::LazyLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{VerifyingKey, PUBLIC_KEY_LENGTH};

/// Which kind of license a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyEnvironment {
    /// Customer licenses. The private key never enters the repository.
    Production,
    /// Tests and local trials. The private key is public on purpose (`licenses/dev/`).
    Development,
}

/// Which keys the server trusts, from `MM_SERVICEENVIRONMENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TrustEnv {
    /// Production keys only.
    #[default]
    Production,
    /// Production and development keys.
    Dev,
    /// Production and development keys.
    Test,
}

impl TrustEnv {
    /// The trust for a value of `MM_SERVICEENVIRONMENT` (pass `None` when unset).
    ///
    /// Anything but `dev` or `test` means production, so a typo can only make the server
    /// stricter. Core must read this from the process environment, never from the config
    /// file, or a config-file writer could make a server trust the public development key.
    pub fn from_service_environment(value: Option<&str>) -> TrustEnv {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("dev") => TrustEnv::Dev,
            Some("test") => TrustEnv::Test,
            _ => TrustEnv::Production,
        }
    }

    pub fn trusts(self, key: KeyEnvironment) -> bool {
        match self {
            TrustEnv::Production => key == KeyEnvironment::Production,
            TrustEnv::Dev | TrustEnv::Test => true,
        }
    }
}

/// A key as compiled in: `licenses/keys/KID.pub` holds the base64 of the 32-byte key.
struct KeyFile {
    kid: &'static str,
    env: KeyEnvironment,
    base64: &'static str,
}

const KEY_FILES: [KeyFile; 2] = [
    KeyFile {
        kid: "ts-prod-1",
        env: KeyEnvironment::Production,
        base64: include_str!("../../../licenses/keys/ts-prod-1.pub"),
    },
    KeyFile {
        kid: "ts-dev-1",
        env: KeyEnvironment::Development,
        base64: include_str!("../../../licenses/keys/ts-dev-1.pub"),
    },
];

#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownKey {
    pub kid: &'static str,
    pub env: KeyEnvironment,
    pub key: VerifyingKey,
}

/// Decoded once: point decompression costs about as much as a signature check.
/// A key file that does not decode is left out; `every_key_file_decodes` keeps that from
/// shipping.
static KNOWN_KEYS: LazyLock<Vec<KnownKey>> = LazyLock::new(|| {
    KEY_FILES
        .iter()
        .filter_map(|file| {
            Some(KnownKey {
                kid: file.kid,
                env: file.env,
                key: decode_public_key(file.base64)?,
            })
        })
        .collect()
});

pub(crate) fn lookup(kid: &str) -> Option<KnownKey> {
    KNOWN_KEYS.iter().find(|known| known.kid == kid).copied()
}

/// A public key from its base64 text (surrounding whitespace ignored).
pub(crate) fn decode_public_key(text: &str) -> Option<VerifyingKey> {
    let bytes = STANDARD.decode(text.trim()).ok()?;
    let bytes = <[u8; PUBLIC_KEY_LENGTH]>::try_from(bytes).ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_file_decodes() {
        assert_eq!(KNOWN_KEYS.len(), KEY_FILES.len());
        for file in &KEY_FILES {
            assert!(lookup(file.kid).is_some(), "{} does not decode", file.kid);
        }
        assert!(lookup("ts-prod-2").is_none());
    }

    #[test]
    fn production_trusts_production_keys_only() {
        use KeyEnvironment::*;
        assert!(TrustEnv::Production.trusts(Production));
        assert!(!TrustEnv::Production.trusts(Development));
        for env in [TrustEnv::Dev, TrustEnv::Test] {
            assert!(env.trusts(Production) && env.trusts(Development));
        }
    }

    #[test]
    fn service_environment_defaults_to_production() {
        let parse = TrustEnv::from_service_environment;
        assert_eq!(parse(None), TrustEnv::Production);
        assert_eq!(parse(Some("")), TrustEnv::Production);
        assert_eq!(parse(Some("development")), TrustEnv::Production);
        assert_eq!(parse(Some("production")), TrustEnv::Production);
        assert_eq!(parse(Some(" Dev ")), TrustEnv::Dev);
        assert_eq!(parse(Some("TEST")), TrustEnv::Test);
    }
}
