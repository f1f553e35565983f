// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The envelope: `{v, alg, kid, payload, sig}`, the JSON inside the base64.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::SIGNATURE_LENGTH;
use serde::Serialize;
use serde_json::{Map, Value};
use townsquare_sdk::LicenseError;

use super::armour::not_a_license;

pub(crate) const VERSION: u64 = 1;
pub(crate) const ALGORITHM: &str = "ed25519";

/// Longest key id accepted; ids are short names like `ts-prod-1`.
const MAX_KID_LEN: usize = 64;
/// How much of an unsupported version or algorithm an error message repeats.
const MAX_ECHO_LEN: usize = 32;

/// A version-1 envelope, decoded but not yet verified.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub kid: String,
    pub payload: Vec<u8>,
    pub sig: [u8; SIGNATURE_LENGTH],
}

/// Parses an envelope. The version is checked first so that a later format, whatever its
/// other fields, gets "unsupported version" rather than a confusing error.
pub(crate) fn parse(bytes: &[u8]) -> Result<Envelope, LicenseError> {
    let map: Map<String, Value> = serde_json::from_slice(bytes)
        .map_err(|_| not_a_license("the content is not a license envelope"))?;

    match map.get("v") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(other) => {
            return Err(LicenseError::UnsupportedVersion {
                version: echo(other),
            })
        }
        None => return Err(not_a_license("the envelope has no version")),
    }
    match map.get("alg") {
        Some(Value::String(alg)) if alg == ALGORITHM => {}
        Some(other) => {
            return Err(LicenseError::UnsupportedAlgorithm { alg: echo(other) });
        }
        None => return Err(not_a_license("the envelope names no algorithm")),
    }

    let kid = string_field(&map, "kid")?;
    if !is_valid_kid(kid) {
        return Err(not_a_license("the key id is not valid"));
    }
    let payload = STANDARD
        .decode(string_field(&map, "payload")?)
        .map_err(|_| not_a_license("the payload is not valid base64"))?;
    let sig = STANDARD
        .decode(string_field(&map, "sig")?)
        .ok()
        .and_then(|sig| <[u8; SIGNATURE_LENGTH]>::try_from(sig).ok())
        .ok_or_else(|| not_a_license("the signature is not 64 bytes of base64"))?;

    Ok(Envelope {
        kid: kid.to_owned(),
        payload,
        sig,
    })
}

/// The envelope JSON for a signed payload, fields in the documented order.
pub(crate) fn encode(kid: &str, payload: &[u8], sig: &[u8; SIGNATURE_LENGTH]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Wire<'a> {
        v: u64,
        alg: &'a str,
        kid: &'a str,
        payload: String,
        sig: String,
    }
    let wire = Wire {
        v: VERSION,
        alg: ALGORITHM,
        kid,
        payload: STANDARD.encode(payload),
        sig: STANDARD.encode(sig),
    };
    // A struct of strings and an integer always serializes.
    serde_json::to_vec(&wire).unwrap_or_default()
}

/// Key ids are short and plain so that they can be file names and appear in messages.
pub(crate) fn is_valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn string_field<'a>(map: &'a Map<String, Value>, name: &str) -> Result<&'a str, LicenseError> {
    map.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| not_a_license(&format!("the envelope has no \"{name}\" string")))
}

/// A JSON value from the file, shortened and made printable for an error message.
fn echo(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut shown: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_ECHO_LEN)
        .collect();
    if text.chars().count() > MAX_ECHO_LEN {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_json(value: Value) -> Result<Envelope, LicenseError> {
        parse(&serde_json::to_vec(&value).unwrap())
    }

    fn valid() -> Value {
        json!({"v": 1, "alg": "ed25519", "kid": "ts-dev-1",
               "payload": STANDARD.encode(b"{}"), "sig": STANDARD.encode([7u8; 64])})
    }

    #[test]
    fn round_trips() {
        let bytes = encode("ts-dev-1", b"{\"a\":1}", &[9; 64]);
        let envelope = parse(&bytes).unwrap();
        assert_eq!(envelope.kid, "ts-dev-1");
        assert_eq!(envelope.payload, b"{\"a\":1}");
        assert_eq!(envelope.sig, [9; 64]);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(r#"{"v":1,"alg":"ed25519","kid":"ts-dev-1","payload":"#));
    }

    #[test]
    fn version_is_checked_before_anything_else() {
        let err = parse_json(json!({"v": 2, "whatever": true})).unwrap_err();
        assert_eq!(
            err,
            LicenseError::UnsupportedVersion {
                version: "2".into()
            }
        );
        let err = parse_json(json!({"v": "1"})).unwrap_err();
        assert!(matches!(err, LicenseError::UnsupportedVersion { .. }));
    }

    #[test]
    fn algorithm_is_checked_before_keys() {
        let mut value = valid();
        value["alg"] = json!("rsa-".repeat(100));
        let LicenseError::UnsupportedAlgorithm { alg } = parse_json(value).unwrap_err() else {
            panic!("expected UnsupportedAlgorithm");
        };
        assert!(alg.starts_with("rsa-rsa-") && alg.chars().count() == MAX_ECHO_LEN + 1);
    }

    #[test]
    fn broken_fields_are_not_a_license() {
        for (field, value) in [
            ("kid", json!("a b")),
            ("kid", json!(7)),
            ("kid", json!("")),
            ("payload", json!("***")),
            ("sig", json!(STANDARD.encode([1u8; 63]))),
            ("sig", json!(null)),
        ] {
            let mut envelope = valid();
            envelope[field] = value.clone();
            let err = parse_json(envelope).unwrap_err();
            assert!(
                matches!(err, LicenseError::NotALicense { .. }),
                "{field}={value}: {err:?}"
            );
        }
        assert!(matches!(
            parse(b"[1,2]").unwrap_err(),
            LicenseError::NotALicense { .. }
        ));
        let mut no_version = valid();
        no_version.as_object_mut().unwrap().remove("v");
        assert!(matches!(
            parse_json(no_version).unwrap_err(),
            LicenseError::NotALicense { .. }
        ));
    }
}
