//! Business rules. Handlers parse and authorise; these functions decide; the store persists.

pub mod auth;
pub mod avatar;
pub mod passwords;
pub mod permissions;
pub mod throttle;
pub mod users;
pub mod validation;
