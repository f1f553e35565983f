// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! From license text to a trusted [`License`]: signature first, payload second.

use std::sync::Arc;

use ed25519_dalek::{Signature, VerifyingKey, SIGNATURE_LENGTH};
use townsquare_sdk::license::{DAY_MS, MAX_LICENSE_FILE_BYTES};
use townsquare_sdk::{Edition, Entitlements, License, LicenseError, LicenseSource, LicenseState};

use super::keys::{self, KeyEnvironment, TrustEnv};
use super::{armour, envelope};

/// Domain separation: a signature made for anything else never verifies as a license.
pub(crate) const SIGNING_CONTEXT: &[u8] = b"townsquare-license-v1\n";

/// How far `issued_at` may lie ahead of the server clock (clock skew, time zones).
const MAX_ISSUED_AHEAD_MS: i64 = DAY_MS;

/// A license whose signature checked out against a trusted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLicense {
    pub license: License,
    /// The key that signed it.
    pub kid: String,
    /// Signed with a development key. Such a license is an honour-system trial: its SKU name
    /// says "development" (enforced here), and core should log a warning at start and flag
    /// it in the admin view.
    pub is_development: bool,
    /// The exact signed payload bytes (for `license inspect`).
    pub payload: Vec<u8>,
    /// The license in canonical armour: the same envelope bytes, rewrapped. Store this.
    pub armoured: String,
}

impl VerifiedLicense {
    pub fn state_at(&self, now_ms: i64) -> LicenseState {
        self.license.state_at(now_ms)
    }

    /// The Enterprise entitlements this license gives at `now_ms`.
    pub fn into_entitlements(self, source: LicenseSource, now_ms: i64) -> Entitlements {
        Entitlements::licensed(
            Edition::Enterprise,
            Arc::new(self.license),
            source,
            self.is_development,
            now_ms,
        )
    }
}

/// Verifies a license file's text (armoured or bare base64) for a server trusting `trust`,
/// with the clock at `now_ms`.
///
/// Checks, in order: size, encoding, envelope version and algorithm, key id, signature
/// (before the payload is parsed; nothing is re-serialized), payload, development SKU,
/// `issued_at` at most a day ahead. Dates and seats for an upload are [`check_upload`]'s job:
/// a stored license must still load after it expires.
///
/// [`check_upload`]: super::check_upload
pub fn verify_license(
    text: &str,
    trust: TrustEnv,
    now_ms: i64,
) -> Result<VerifiedLicense, LicenseError> {
    let envelope_bytes = armour::decode(text)?;
    let envelope = envelope::parse(&envelope_bytes)?;

    let key = keys::lookup(&envelope.kid).ok_or_else(|| LicenseError::UnknownKey {
        kid: envelope.kid.clone(),
    })?;
    if !signature_is_valid(&key.key, &envelope.payload, &envelope.sig) {
        return Err(LicenseError::BadSignature);
    }
    // Checked after the signature so that only a genuine license hears "wrong environment".
    if !trust.trusts(key.env) {
        return Err(LicenseError::WrongEnvironment { kid: envelope.kid });
    }

    let license: License =
        serde_json::from_slice(&envelope.payload).map_err(|err| malformed(&err.to_string()))?;
    license.validate()?;
    let is_development = key.env == KeyEnvironment::Development;
    if is_development {
        check_development_sku(&license)?;
    }
    if license.issued_at > now_ms.saturating_add(MAX_ISSUED_AHEAD_MS) {
        return Err(LicenseError::IssuedInFuture {
            issued_at: license.issued_at,
        });
    }

    Ok(VerifiedLicense {
        license,
        kid: envelope.kid,
        is_development,
        armoured: armour::encode(&envelope_bytes),
        payload: envelope.payload,
    })
}

/// [`verify_license`] for raw bytes, such as a multipart upload: the size is checked before
/// anything else, and bytes that are not UTF-8 are not a license.
pub fn verify_license_bytes(
    bytes: &[u8],
    trust: TrustEnv,
    now_ms: i64,
) -> Result<VerifiedLicense, LicenseError> {
    if bytes.len() > MAX_LICENSE_FILE_BYTES {
        return Err(LicenseError::TooLarge { size: bytes.len() });
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| armour::not_a_license("the file is not text"))?;
    verify_license(text, trust, now_ms)
}

/// `verify_strict` rejects malleable signatures and weak keys that plain `verify` accepts.
fn signature_is_valid(key: &VerifyingKey, payload: &[u8], sig: &[u8; SIGNATURE_LENGTH]) -> bool {
    let message = signed_message(payload);
    key.verify_strict(&message, &Signature::from_bytes(sig))
        .is_ok()
}

pub(crate) fn signed_message(payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNING_CONTEXT.len() + payload.len());
    message.extend_from_slice(SIGNING_CONTEXT);
    message.extend_from_slice(payload);
    message
}

/// The development key is public, so what it signs must at least look like what it is.
pub(crate) fn check_development_sku(license: &License) -> Result<(), LicenseError> {
    if license.sku_name.to_lowercase().contains("development") {
        Ok(())
    } else {
        Err(malformed(
            "a license signed with a development key must have \"development\" in sku_name",
        ))
    }
}

fn malformed(reason: &str) -> LicenseError {
    LicenseError::MalformedPayload {
        reason: reason.to_owned(),
    }
}
