// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The vendor side: key generation and license signing (`townsquare license keygen|sign`).

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, SECRET_KEY_LENGTH};
use townsquare_sdk::license::MAX_LICENSE_FILE_BYTES;
use townsquare_sdk::{License, LicenseError};
use zeroize::Zeroizing;

use super::keys::{self, KeyEnvironment};
use super::verify::{check_development_sku, signed_message};
use super::{armour, envelope};

/// A new signing key and its public key, both as standard base64 of 32 bytes: the formats
/// of `KID.key` (kept secret, outside the repository) and `licenses/keys/KID.pub`.
pub struct Keypair {
    pub signing_key: Zeroizing<String>,
    pub public_key: String,
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keypair")
            .field("signing_key", &"<redacted>")
            .field("public_key", &self.public_key)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the operating system's random number generator failed: {0}")]
    Random(getrandom::Error),
    #[error("the signing key is not the base64 of a 32-byte ed25519 key")]
    InvalidSigningKey,
    #[error("the key id must be 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidKeyId,
    #[error("the signing key does not match the public key compiled in for \"{kid}\"")]
    KeyMismatch { kid: String },
    #[error("the payload would not verify: {0}")]
    InvalidPayload(LicenseError),
    #[error("the signed license would be {size} bytes, over the {max} byte limit", max = MAX_LICENSE_FILE_BYTES)]
    TooLarge { size: usize },
}

/// Generates a key pair from the operating system's random number generator.
pub fn generate_keypair() -> Result<Keypair, SignError> {
    let mut seed = Zeroizing::new([0u8; SECRET_KEY_LENGTH]);
    getrandom::getrandom(seed.as_mut()).map_err(SignError::Random)?;
    let signing_key = SigningKey::from_bytes(&seed);
    Ok(Keypair {
        signing_key: Zeroizing::new(STANDARD.encode(seed.as_ref())),
        public_key: STANDARD.encode(signing_key.verifying_key().as_bytes()),
    })
}

/// Signs `payload_json` (the exact bytes that will be verified) with the base64 signing key
/// `signing_key_base64` under key id `kid`, and returns the armoured license.
///
/// Refuses what the verifier would refuse for its content: a payload that is not a valid
/// license, a development-key license whose SKU name lacks "development", or a key that does
/// not match the compiled-in public key of `kid`. Unknown key ids are allowed (tests, new
/// keys not yet compiled in).
pub fn sign_license(
    payload_json: &[u8],
    signing_key_base64: &str,
    kid: &str,
) -> Result<String, SignError> {
    let signing_key = decode_signing_key(signing_key_base64)?;
    if !envelope::is_valid_kid(kid) {
        return Err(SignError::InvalidKeyId);
    }
    let known = keys::lookup(kid);
    if let Some(known) = known {
        if known.key != signing_key.verifying_key() {
            return Err(SignError::KeyMismatch {
                kid: kid.to_owned(),
            });
        }
    }

    let license: License = serde_json::from_slice(payload_json).map_err(|err| {
        SignError::InvalidPayload(LicenseError::MalformedPayload {
            reason: err.to_string(),
        })
    })?;
    license.validate().map_err(SignError::InvalidPayload)?;
    if known.is_some_and(|known| known.env == KeyEnvironment::Development) {
        check_development_sku(&license).map_err(SignError::InvalidPayload)?;
    }

    let sig = signing_key.sign(&signed_message(payload_json)).to_bytes();
    let armoured = armour::encode(&envelope::encode(kid, payload_json, &sig));
    if armoured.len() > MAX_LICENSE_FILE_BYTES {
        return Err(SignError::TooLarge {
            size: armoured.len(),
        });
    }
    Ok(armoured)
}

fn decode_signing_key(text: &str) -> Result<SigningKey, SignError> {
    let mut seed = Zeroizing::new([0u8; SECRET_KEY_LENGTH]);
    let decoded = Zeroizing::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| SignError::InvalidSigningKey)?,
    );
    if decoded.len() != SECRET_KEY_LENGTH {
        return Err(SignError::InvalidSigningKey);
    }
    seed.copy_from_slice(&decoded);
    Ok(SigningKey::from_bytes(&seed))
}
