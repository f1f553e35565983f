//! Why a license was refused, as Mattermost-style errors an admin can act on.

use std::fmt;

use super::date::format_utc;
use super::MAX_LICENSE_FILE_BYTES;
use crate::error::AppError;

/// A license refused by the verifier, by an upload check, or by the build.
///
/// Each variant has its own error id and HTTP status; [`LicenseError::message`] says what to
/// do about it. Convert with `AppError::from` to answer a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseError {
    /// Not armoured or bare base64, or the envelope inside is not a license envelope.
    /// `reason` is one of our own fixed phrases, never text from the file.
    NotALicense { reason: String },
    /// Larger than [`MAX_LICENSE_FILE_BYTES`].
    TooLarge { size: usize },
    /// An envelope format version other than 1 (shown as written, shortened).
    UnsupportedVersion { version: String },
    /// A signature algorithm other than ed25519.
    UnsupportedAlgorithm { alg: String },
    /// A key id this build does not know.
    UnknownKey { kid: String },
    /// The signature does not match the payload for the named key.
    BadSignature,
    /// A genuine signature by a development key, presented to a production server.
    WrongEnvironment { kid: String },
    /// Signed, but the payload is not a valid license.
    MalformedPayload { reason: String },
    /// Upload before `starts_at`.
    NotStarted { starts_at: i64 },
    /// Upload after `expires_at`, grace period or not.
    Expired { expires_at: i64 },
    /// `issued_at` more than a day ahead of the server clock.
    IssuedInFuture { issued_at: i64 },
    /// More active users than `users + extra_users`.
    TooManyUsers { active_users: u64, seat_limit: u64 },
    /// `MM_LICENSE` is set, so the license cannot be changed through the API or CLI.
    SetByEnvironment,
    /// This binary is Team Edition and has no license support.
    TeamEditionBuild,
}

impl LicenseError {
    /// The Mattermost-style error id.
    pub fn id(&self) -> &'static str {
        match self {
            LicenseError::NotALicense { .. } => "api.license.add_license.invalid.app_error",
            LicenseError::TooLarge { .. } => "api.license.add_license.too_large.app_error",
            LicenseError::UnsupportedVersion { .. } => {
                "api.license.add_license.unsupported_version.app_error"
            }
            LicenseError::UnsupportedAlgorithm { .. } => {
                "api.license.add_license.unsupported_algorithm.app_error"
            }
            LicenseError::UnknownKey { .. } => "api.license.add_license.unknown_key.app_error",
            LicenseError::BadSignature => "api.license.add_license.invalid_signature.app_error",
            LicenseError::WrongEnvironment { .. } => {
                "api.license.add_license.wrong_environment.app_error"
            }
            LicenseError::MalformedPayload { .. } => "api.license.add_license.malformed.app_error",
            LicenseError::NotStarted { .. } => "api.license.add_license.not_started.app_error",
            LicenseError::Expired { .. } => "api.license.add_license.expired.app_error",
            LicenseError::IssuedInFuture { .. } => {
                "api.license.add_license.issued_in_future.app_error"
            }
            LicenseError::TooManyUsers { .. } => "api.license.add_license.unique_users.app_error",
            LicenseError::SetByEnvironment => "api.license.set_by_environment.app_error",
            LicenseError::TeamEditionBuild => "api.license.add_license.not_enterprise.app_error",
        }
    }

    /// 501 for a Team build, which cannot hold a license at all; 400 for everything else,
    /// which the admin can fix with another file or another setting.
    pub fn status_code(&self) -> u16 {
        match self {
            LicenseError::TeamEditionBuild => 501,
            _ => 400,
        }
    }

    /// An English message that says what is wrong and what to do.
    pub fn message(&self) -> String {
        match self {
            LicenseError::NotALicense { reason } => format!(
                "This is not a Townsquare license file ({reason}). Upload the \
                 .townsquare-license file you received, including its BEGIN and END lines."
            ),
            LicenseError::TooLarge { size } => format!(
                "The file is {size} bytes, but a license file is at most {} KiB. Check that you \
                 chose the .townsquare-license file you received.",
                MAX_LICENSE_FILE_BYTES / 1024
            ),
            LicenseError::UnsupportedVersion { version } => format!(
                "The license file has format version {version}, which this server does not \
                 support. Upgrade Townsquare, or ask for a license in format version 1."
            ),
            LicenseError::UnsupportedAlgorithm { alg } => format!(
                "The license is signed with the algorithm \"{alg}\", which this server does not \
                 support. Ask for an ed25519-signed license."
            ),
            LicenseError::UnknownKey { kid } => format!(
                "The license is signed with the key \"{kid}\", which this server does not know. \
                 Upgrade Townsquare, or check that the license was issued for Townsquare."
            ),
            LicenseError::BadSignature => "The license signature does not match its content: \
                the file was changed or damaged after it was issued. Upload the original file."
                .to_owned(),
            LicenseError::WrongEnvironment { kid } => format!(
                "The license is genuine but signed with the development key \"{kid}\", which a \
                 production server does not trust. Use a production license, or start the \
                 server with MM_SERVICEENVIRONMENT=dev (or test) for local trials."
            ),
            LicenseError::MalformedPayload { reason } => format!(
                "The license is signed but its content is invalid ({reason}). Ask for a \
                 corrected license."
            ),
            LicenseError::NotStarted { starts_at } => format!(
                "This license starts on {}. Upload it on or after that date.",
                format_utc(*starts_at)
            ),
            LicenseError::Expired { expires_at } => format!(
                "This license expired on {}. An expired license cannot be uploaded, even during \
                 its grace period. Upload a renewed license.",
                format_utc(*expires_at)
            ),
            LicenseError::IssuedInFuture { issued_at } => format!(
                "This license was issued on {}, more than a day ahead of this server's clock. \
                 Check the server's date, time and time zone settings, then try again.",
                format_utc(*issued_at)
            ),
            LicenseError::TooManyUsers {
                active_users,
                seat_limit,
            } => format!(
                "This license allows {seat_limit} users, but the server has {active_users} \
                 active users. Deactivate users or upload a license with more seats."
            ),
            LicenseError::SetByEnvironment => "The license is set by the MM_LICENSE environment \
                variable and cannot be changed here. Remove MM_LICENSE from the server's \
                environment and restart it to manage the license through the System Console or \
                the command line."
                .to_owned(),
            LicenseError::TeamEditionBuild => "This server is a Team Edition build, which \
                cannot use a license. Install the Townsquare Enterprise Edition build to use \
                one."
                .to_owned(),
        }
    }
}

impl fmt::Display for LicenseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for LicenseError {}

impl From<LicenseError> for AppError {
    fn from(err: LicenseError) -> Self {
        AppError::new(err.status_code(), err.id(), err.message())
    }
}
