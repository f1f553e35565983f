//! The domain model that crosses the core/enterprise line, serialized exactly as Mattermost
//! API v4 does.

mod session;
mod user;

pub use session::{Session, UserAccessToken};
pub use user::{default_notify_props, default_timezone, StringMap, User};

fn is_zero(value: &i64) -> bool {
    *value == 0
}

fn is_false(value: &bool) -> bool {
    !*value
}
