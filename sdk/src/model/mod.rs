//! The domain model that crosses the core/enterprise line, serialized exactly as Mattermost
//! API v4 does.

mod channel;
mod post;
mod session;
mod team;
mod terms;
mod user;

pub use channel::{default_channel_notify_props, Channel, ChannelMember};
pub use post::{Post, PostList, Preference, Reaction, Status};
pub use session::{Session, UserAccessToken};
pub use team::{Team, TeamMember, TeamUnread};
pub use terms::{TermsOfService, UserTermsOfService};
pub use user::{default_notify_props, default_timezone, StringMap, User};

fn is_zero(value: &i64) -> bool {
    *value == 0
}

fn is_false(value: &bool) -> bool {
    !*value
}
