//! Business rules. Handlers parse and authorise; these functions decide; the store persists.

pub mod activity_memo;
pub mod auth;
pub mod avatar;
pub mod channels;
pub mod emoji;
pub mod files;
pub mod images;
pub mod licensing;
pub mod mention_index;
pub mod mentions;
pub mod passwords;
pub mod permissions;
pub mod posts;
pub mod preferences;
pub mod reactions;
pub mod search;
pub mod search_terms;
pub mod socket_actions;
pub mod statuses;
pub mod system_posts;
pub mod teams;
pub mod threads;
pub mod throttle;
pub mod users;
pub mod validation;
