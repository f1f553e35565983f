//! Ids taken from the request path, typed. A handler names what it takes in its signature,
//! `Ids((channel_id, user)): Ids<(ChannelId, UserIdOrMe)>`, and a malformed id is refused
//! before the handler runs with Mattermost's 400 `api.context.invalid_url_param.app_error`
//! naming the segment. Segments are found by name, so the tuple's order is the order in which
//! they are checked, not their place in the route.

use std::ops::Deref;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::error::Error;
use crate::id::is_valid_id;

/// One typed path segment.
pub trait PathId: Sized {
    /// The segment's name in the route template and in the error.
    const NAME: &'static str;

    fn parse(raw: &str) -> Option<Self>;
}

/// One segment or a tuple of segments.
pub trait PathIds: Sized {
    fn from_params(params: &RawPathParams) -> Result<Self, AppError>;
}

/// Fixed segments Mattermost routes where this server routes an id
/// (`/users/invalid_emails` next to `/users/{user_id}`). Mattermost's id patterns are
/// `[A-Za-z0-9]+`, so these never reach an id route there: one this server has no route for is
/// a page it does not have (404), not a malformed id (400).
const FIXED_SEGMENTS: &[&str] = &[
    "group_channels",
    "invalid_emails",
    "mention_counts",
    "migrate_auth",
    "notify-admin",
    "trigger-notify-admin-posts",
];

fn segment<T: PathId>(params: &RawPathParams) -> Result<T, AppError> {
    let raw = params
        .iter()
        .find(|(name, _)| *name == T::NAME)
        .map(|(_, raw)| raw);
    match raw.and_then(T::parse) {
        Some(id) => Ok(id),
        None if raw.is_some_and(|raw| FIXED_SEGMENTS.contains(&raw)) => {
            Err(AppError::route_not_found())
        }
        None => Err(AppError::invalid_url_param(T::NAME)),
    }
}

macro_rules! path_ids {
    ($($(#[$doc:meta])* $ty:ident = $name:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub String);

        impl PathId for $ty {
            const NAME: &'static str = $name;

            fn parse(raw: &str) -> Option<Self> {
                is_valid_id(raw).then(|| Self(raw.to_string()))
            }
        }

        impl PathIds for $ty {
            fn from_params(params: &RawPathParams) -> Result<Self, AppError> {
                segment(params)
            }
        }

        impl Deref for $ty {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }
    )*};
}

path_ids! {
    /// `{channel_id}`
    ChannelId = "channel_id";
    /// `{team_id}`
    TeamId = "team_id";
    /// `{post_id}`
    PostId = "post_id";
    /// `{file_id}`
    FileId = "file_id";
    /// `{emoji_id}`
    EmojiId = "emoji_id";
    /// `{thread_id}`
    ThreadId = "thread_id";
    /// `{token_id}`
    TokenId = "token_id";
    /// `{bookmark_id}`
    BookmarkId = "bookmark_id";
}

/// `{user_id}`: a user id, or `me` for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserIdOrMe {
    Me,
    Id(String),
}

impl UserIdOrMe {
    /// The user meant: the caller for `me`.
    pub fn resolve(self, auth: &AuthContext) -> String {
        match self {
            UserIdOrMe::Me => auth.user_id().to_string(),
            UserIdOrMe::Id(id) => id,
        }
    }
}

impl PathId for UserIdOrMe {
    const NAME: &'static str = "user_id";

    fn parse(raw: &str) -> Option<Self> {
        if raw == "me" {
            Some(UserIdOrMe::Me)
        } else {
            is_valid_id(raw).then(|| UserIdOrMe::Id(raw.to_string()))
        }
    }
}

impl PathIds for UserIdOrMe {
    fn from_params(params: &RawPathParams) -> Result<Self, AppError> {
        segment(params)
    }
}

macro_rules! tuples {
    ($(($($t:ident),+)),*) => {$(
        impl<$($t: PathId),+> PathIds for ($($t,)+) {
            fn from_params(params: &RawPathParams) -> Result<Self, AppError> {
                Ok(($(segment::<$t>(params)?,)+))
            }
        }
    )*};
}

tuples!((A, B), (A, B, C), (A, B, C, D));

/// The extractor: typed ids from the path.
#[derive(Debug)]
pub struct Ids<T>(pub T);

impl<S, T> FromRequestParts<S> for Ids<T>
where
    S: Send + Sync,
    T: PathIds + Send,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| {
                AppError::invalid_url_param("path").with_detail(rejection.body_text())
            })?;
        // Ids refuse NUL anyway; this names any other segment of the route holding one.
        if let Some((name, _)) = params.iter().find(|(_, value)| value.contains('\0')) {
            return Err(crate::api::extract::nul_in_url(name).into());
        }
        Ok(Ids(T::from_params(&params)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_me() {
        let id = "a".repeat(26);
        assert_eq!(ChannelId::parse(&id), Some(ChannelId(id.clone())));
        assert_eq!(ChannelId::parse("me"), None);
        assert_eq!(UserIdOrMe::parse("me"), Some(UserIdOrMe::Me));
        assert_eq!(UserIdOrMe::parse(&id), Some(UserIdOrMe::Id(id)));
        assert_eq!(UserIdOrMe::parse("nope"), None);
    }
}
