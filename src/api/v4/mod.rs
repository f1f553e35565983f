//! Mattermost API v4 routes, one module per resource.

pub mod autocomplete;
pub mod bookmarks;
pub mod categories;
pub mod channels;
pub mod common;
pub mod drafts;
pub mod emoji;
pub mod ephemeral;
pub mod files;
pub mod image_http;
pub mod license;
pub mod posts;
pub mod preferences;
pub mod reactions;
pub mod redirect_location;
pub mod roles;
pub mod scheduled_posts;
pub mod search;
pub mod sessions;
pub mod statuses;
pub mod system;
pub mod team_images;
pub mod teams;
pub mod terms;
pub mod threads;
pub mod tokens;
pub mod user_images;
pub mod users;
pub mod websocket;
pub mod websocket_actions;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(system::routes())
        .merge(license::routes())
        .merge(terms::routes())
        .merge(users::routes())
        .merge(user_images::routes())
        .merge(sessions::routes())
        .merge(tokens::routes())
        .merge(teams::routes())
        .merge(team_images::routes())
        .merge(channels::routes())
        .merge(categories::routes())
        .merge(bookmarks::routes())
        .merge(posts::routes())
        .merge(drafts::routes())
        .merge(scheduled_posts::routes())
        .merge(ephemeral::routes())
        .merge(reactions::routes())
        .merge(roles::routes())
        .merge(preferences::routes())
        .merge(statuses::routes())
        .merge(threads::routes())
        .merge(websocket::routes())
        .merge(files::routes())
        .merge(emoji::routes())
        .merge(search::routes())
        .merge(autocomplete::routes())
        .merge(redirect_location::routes())
}
