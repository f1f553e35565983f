//! Mattermost-compatible ids: 16 random bytes in a custom base32 alphabet, 26 lower-case chars.

use rand::RngCore;
use townsquare_sdk::AppError;

const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// A new random id (also used for tokens: 128 bits from the OS generator).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    encode(&bytes)
}

/// A stable id for a fixed name (built-in roles): the first 16 bytes of its SHA-256, encoded
/// like any other id, so it is the same on every node and every start.
pub fn derived_id(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    encode(&bytes)
}

fn encode(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(26);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Mattermost's `IsValidId`: 26 ASCII letters or digits.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 26 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Validates a 26-character id taken from a request; `name` is the parameter it came from.
pub fn parse_id(raw: &str, name: &str) -> crate::Result<String> {
    if is_valid_id(raw) {
        Ok(raw.to_string())
    } else {
        Err(AppError::invalid_url_param(name).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_26_valid_chars_and_unique() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 26);
        assert!(is_valid_id(&a));
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn encoding_is_standard_base32_with_custom_alphabet() {
        // All-zero input maps to the first alphabet letter everywhere.
        assert_eq!(encode(&[0; 16]), "y".repeat(26));
        // 0xff.. maps to the last letter, with the 3 padding bits of the final char zero.
        let all = encode(&[0xff; 16]);
        assert!(all[..25].bytes().all(|c| c == b'9'));
    }

    #[test]
    fn validation() {
        assert!(!is_valid_id("short"));
        assert!(!is_valid_id("abcdefghijklmnopqrstuvwxy!"));
    }
}
