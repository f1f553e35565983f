//! Mattermost's rules for usernames, emails, passwords and profile fields.

use townsquare_sdk::AppError;

use crate::config::PasswordSettings;

const RESERVED_USERNAMES: [&str; 4] = ["all", "channel", "matterbot", "system"];
const PASSWORD_SYMBOLS: &str = " !\"\\#$%&'()*+,-./:;<=>?@[]^_`|~";
pub const PASSWORD_MAX_BYTES: usize = 72;

fn invalid(field: &str, message: &str) -> AppError {
    AppError::bad_request(
        format!("model.user.is_valid.{field}.app_error"),
        message.to_string(),
    )
}

/// Usernames: 1-64 of `a-z 0-9 . - _`, starting with a letter, not reserved. Input is
/// lower-cased first, as Mattermost does.
pub fn username(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_lowercase();
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && !RESERVED_USERNAMES.contains(&name.as_str());
    if valid {
        Ok(name)
    } else {
        Err(invalid(
            "username",
            "Username must begin with a letter and contain between 1 and 64 lowercase characters made up of \
             numbers, letters, and the symbols '.', '-', and '_'. It cannot be a reserved name.",
        ))
    }
}

/// Emails: lower-cased, a plain address (no display name), at most 128 characters.
pub fn email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 128
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c));
    if valid {
        Ok(email)
    } else {
        Err(invalid("email", "Invalid email address."))
    }
}

/// Passwords follow `PasswordSettings`; the error id names the rules like Mattermost's.
pub fn password(password: &str, rules: &PasswordSettings) -> Result<(), AppError> {
    let min = rules.minimum_length as usize;
    let mut ok = password.chars().count() >= min && password.len() <= PASSWORD_MAX_BYTES;
    if rules.lowercase && !password.chars().any(|c| c.is_lowercase()) {
        ok = false;
    }
    if rules.uppercase && !password.chars().any(|c| c.is_uppercase()) {
        ok = false;
    }
    if rules.number && !password.chars().any(|c| c.is_ascii_digit()) {
        ok = false;
    }
    if rules.symbol && !password.chars().any(|c| PASSWORD_SYMBOLS.contains(c)) {
        ok = false;
    }
    if ok {
        return Ok(());
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(AppError::bad_request(
            "model.user.is_valid.pwd_max_length.app_error",
            format!("Your password must contain no more than {PASSWORD_MAX_BYTES} characters."),
        ));
    }
    let mut id = String::from("model.user.is_valid.pwd");
    let mut needs = Vec::new();
    for (enabled, suffix, words) in [
        (rules.lowercase, "_lowercase", "a lowercase letter"),
        (rules.uppercase, "_uppercase", "an uppercase letter"),
        (rules.number, "_number", "a number"),
        (rules.symbol, "_symbol", "a symbol"),
    ] {
        if enabled {
            id.push_str(suffix);
            needs.push(words);
        }
    }
    if needs.is_empty() {
        id.push_str("_min_length");
    }
    id.push_str(".app_error");
    let mut message = format!("Your password must contain at least {min} characters");
    if !needs.is_empty() {
        message.push_str(&format!(" made up of at least {}", needs.join(", ")));
    }
    message.push('.');
    Err(AppError::bad_request(id, message))
}

/// Free-text profile fields: at most `max` characters.
pub fn profile_field(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        Err(invalid(
            field,
            &format!("The {field} must be at most {max} characters."),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(username("Alice.B-c_1").unwrap(), "alice.b-c_1");
        for bad in [
            "",
            "1abc",
            "all",
            "channel",
            "system",
            "has space",
            "ünï",
            &"a".repeat(65),
        ] {
            assert!(username(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Alice@Example.COM ").unwrap(), "alice@example.com");
        for bad in [
            "",
            "no-at",
            "@x.com",
            "a@",
            "A <a@b.c>",
            "a b@c.d",
            "a@b@c",
            &format!("{}@x.io", "a".repeat(130)),
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_rules_name_the_requirements() {
        let mut rules = PasswordSettings::default();
        assert!(password("12345678", &rules).is_ok());
        assert_eq!(
            password("1234567", &rules).unwrap_err().id,
            "model.user.is_valid.pwd_min_length.app_error"
        );
        rules.uppercase = true;
        rules.symbol = true;
        let err = password("abcdefgh", &rules).unwrap_err();
        assert_eq!(err.id, "model.user.is_valid.pwd_uppercase_symbol.app_error");
        assert!(err.message.contains("an uppercase letter, a symbol"));
        assert!(password("Abcdefg!", &rules).is_ok());
        assert_eq!(
            password(&"a".repeat(73), &PasswordSettings::default())
                .unwrap_err()
                .id,
            "model.user.is_valid.pwd_max_length.app_error"
        );
    }
}
