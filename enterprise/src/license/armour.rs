// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The text form of a license file: the envelope as base64, with or without armour lines.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use townsquare_sdk::license::MAX_LICENSE_FILE_BYTES;
use townsquare_sdk::LicenseError;

pub(crate) const BEGIN: &str = "-----BEGIN TOWNSQUARE LICENSE-----";
pub(crate) const END: &str = "-----END TOWNSQUARE LICENSE-----";
const LINE_WIDTH: usize = 76;

/// The envelope bytes of an armoured or bare-base64 license.
///
/// Whitespace anywhere in the base64 is ignored, because admins paste licenses into text
/// boxes and environment variables that rewrap or indent them. Text around the armour is
/// ignored too, as in PEM.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, LicenseError> {
    if text.len() > MAX_LICENSE_FILE_BYTES {
        return Err(LicenseError::TooLarge { size: text.len() });
    }
    let body = match text.find(BEGIN) {
        Some(start) => {
            let rest = &text[start + BEGIN.len()..];
            let end = rest
                .find(END)
                .ok_or_else(|| not_a_license("the END line is missing"))?;
            &rest[..end]
        }
        None if text.contains("-----") => return Err(not_a_license("the BEGIN line is damaged")),
        // Editors on Windows may prepend a byte-order mark.
        None => text.trim_start_matches('\u{feff}'),
    };
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(not_a_license("the file is empty"));
    }
    STANDARD
        .decode(compact)
        .map_err(|_| not_a_license("the content is not valid base64"))
}

/// The armoured text of envelope bytes, wrapped at 76 columns.
pub(crate) fn encode(envelope: &[u8]) -> String {
    let encoded = STANDARD.encode(envelope);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE_WIDTH + 80);
    out.push_str(BEGIN);
    out.push('\n');
    // Base64 is ASCII, so any byte index is a char boundary.
    let mut rest = encoded.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(LINE_WIDTH));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(END);
    out.push('\n');
    out
}

pub(crate) fn not_a_license(reason: &str) -> LicenseError {
    LicenseError::NotALicense {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(err: LicenseError) -> String {
        match err {
            LicenseError::NotALicense { reason } => reason,
            other => panic!("expected NotALicense, got {other:?}"),
        }
    }

    #[test]
    fn round_trips_and_wraps_at_76() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let text = encode(&bytes);
        assert!(text.starts_with(BEGIN) && text.ends_with(&format!("{END}\n")));
        assert!(text.lines().all(|l| l.len() <= 76 || l == BEGIN));
        assert_eq!(decode(&text).unwrap(), bytes);
    }

    #[test]
    fn accepts_bare_base64_and_any_whitespace() {
        let bytes = b"{\"v\":1}".to_vec();
        let bare = STANDARD.encode(&bytes);
        assert_eq!(decode(&bare).unwrap(), bytes);
        let spaced: String = bare.chars().flat_map(|c| [c, ' ', '\n']).collect();
        assert_eq!(
            decode(&format!("\u{feff}\r\n\t{spaced}\r\n")).unwrap(),
            bytes
        );
        let one_line = encode(&bytes).replace('\n', " ");
        assert_eq!(decode(&one_line).unwrap(), bytes);
        let with_text = format!("License for Acme:\n{}\nThanks!", encode(&bytes));
        assert_eq!(decode(&with_text).unwrap(), bytes);
    }

    #[test]
    fn refuses_what_is_not_a_license() {
        assert!(reason(decode("").unwrap_err()).contains("empty"));
        assert!(reason(decode("not base64!").unwrap_err()).contains("base64"));
        assert!(reason(decode(&format!("{BEGIN}\nAAAA\n")).unwrap_err()).contains("END"));
        assert!(reason(decode("-----BEGIN PGP MESSAGE-----").unwrap_err()).contains("BEGIN"));
        let too_big = "A".repeat(MAX_LICENSE_FILE_BYTES + 1);
        assert_eq!(
            decode(&too_big),
            Err(LicenseError::TooLarge {
                size: MAX_LICENSE_FILE_BYTES + 1
            })
        );
    }
}
