//! Channel names and texts as Mattermost accepts them.

use townsquare_sdk::AppError;

use crate::error::Result;

pub(super) fn invalid(field: &str, message: &str) -> AppError {
    AppError::bad_request(
        format!("model.channel.is_valid.{field}.app_error"),
        message.to_string(),
    )
}

/// Mattermost's channel name rule: 1-64 of `a-z 0-9 - _`, starting with a letter or digit.
pub fn validate_channel_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_lowercase();
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(invalid(
            "2_or_more",
            "Channel names must be 1 to 64 lowercase letters, digits, dashes or underscores.",
        ))
    }
}

pub(super) fn validate_text(
    display_name: &str,
    header: &str,
    purpose: &str,
) -> Result<(), AppError> {
    if !(1..=64).contains(&display_name.trim().chars().count()) {
        return Err(invalid(
            "display_name",
            "The display name must be 1 to 64 characters.",
        ));
    }
    if header.chars().count() > 1024 {
        return Err(invalid(
            "header",
            "The header must be at most 1024 characters.",
        ));
    }
    if purpose.chars().count() > 250 {
        return Err(invalid(
            "purpose",
            "The purpose must be at most 250 characters.",
        ));
    }
    Ok(())
}

pub(super) fn name_taken() -> AppError {
    AppError::bad_request(
        "store.sql_channel.save_channel.exists.app_error",
        "A channel with that name already exists on the same team.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names() {
        assert_eq!(validate_channel_name("Off-Topic").unwrap(), "off-topic");
        assert!(validate_channel_name("a").is_ok());
        for bad in ["", "-x", "has space", "dot.ted", &"a".repeat(65)] {
            assert!(validate_channel_name(bad).is_err(), "{bad:?}");
        }
    }
}
