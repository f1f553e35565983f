//! Accounts and sessions (issue 3).

mod login;
mod profile;
mod sessions;
mod signup;
mod tokens;
