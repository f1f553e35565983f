//! Accounts and sessions (issue 3).

mod login;
mod profile;
mod session_cache;
mod sessions;
mod signup;
mod throttle;
mod tokens;
