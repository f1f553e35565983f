//! Accounts and sessions (issue 3).

mod first_run;
mod invite_signup;
mod login;
mod profile;
mod search;
mod session_cache;
mod sessions;
mod signup;
mod throttle;
mod tokens;
