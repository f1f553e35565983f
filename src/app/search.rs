//! Post search: the parsed terms resolved against the caller's channels, and the `matches`
//! Mattermost returns for highlighting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use townsquare_sdk::model::{Post, PostList};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::search_terms::{self, ParsedSearch, Term};
use crate::error::Result;
use crate::state::AppState;
use crate::store::search::{tokens, SearchQuery, TermQuery};

const DAY_MS: i64 = 86_400_000;

/// The body of the search routes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SearchRequest {
    pub terms: Option<String>,
    pub is_or_search: Option<bool>,
    /// Seconds east of UTC, for `on:`/`before:`/`after:`.
    pub time_zone_offset: Option<i64>,
    pub include_deleted_channels: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Mattermost's PostSearchResults: a PostList plus the words that matched in each post.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    #[serde(flatten)]
    pub list: PostList,
    pub matches: BTreeMap<String, Vec<String>>,
}

fn term_query(term: &Term) -> Option<TermQuery> {
    let tokens = tokens(term.text());
    if tokens.is_empty() {
        return None;
    }
    Some(TermQuery {
        prefix: matches!(term, Term::Prefix(_)),
        tokens,
    })
}

/// Searches the posts of the caller's channels (in `team_id`, or every team when `None`).
pub async fn search_posts(
    state: &AppState,
    auth: &AuthContext,
    team_id: Option<&str>,
    request: SearchRequest,
) -> Result<SearchResults> {
    let terms = request
        .terms
        .clone()
        .ok_or_else(|| AppError::invalid_body_param("terms"))?;
    if let Some(team_id) = team_id {
        let member = state
            .store
            .team_member(team_id, auth.user_id())
            .await?
            .filter(|m| m.delete_at == 0);
        if member.is_none() {
            return Err(AppError::forbidden("view_team").into());
        }
    }
    let per_page = request.per_page.filter(|n| *n > 0).unwrap_or(60).min(200);
    let page = request.page.filter(|n| *n >= 0).unwrap_or(0).min(10_000);
    let parsed = search_terms::parse(&terms);
    let empty = SearchResults {
        list: PostList::default(),
        matches: BTreeMap::new(),
    };
    let Some(query) = resolve(state, auth, team_id, &parsed, &request, page, per_page).await?
    else {
        return Ok(empty);
    };
    let mut posts = state.store.search_posts(&query).await?;
    crate::app::reactions::attach_reaction_metadata(state, &mut posts).await?;
    let mut results = empty;
    for post in posts {
        let found = matched_words(&post, &query, &parsed.hashtags);
        results.matches.insert(post.id.clone(), found);
        results.list.order.push(post.id.clone());
        results.list.posts.insert(post.id.clone(), post);
    }
    Ok(results)
}

/// Resolves names and dates; `None` when the search cannot match anything.
async fn resolve(
    state: &AppState,
    auth: &AuthContext,
    team_id: Option<&str>,
    parsed: &ParsedSearch,
    request: &SearchRequest,
    page: i64,
    per_page: i64,
) -> Result<Option<SearchQuery>> {
    if parsed.is_empty() {
        return Ok(None);
    }
    let query_terms: Vec<TermQuery> = parsed.terms.iter().filter_map(term_query).collect();
    // Terms with no word characters at all ("!!!") can match nothing: all of them must match
    // (AND), or at least one usable term must remain (OR).
    let or = request.is_or_search.unwrap_or(false);
    if (query_terms.len() < parsed.terms.len() && !or)
        || (query_terms.is_empty() && !parsed.terms.is_empty())
    {
        return Ok(None);
    }
    let user_ids = |names: &[String]| {
        let names = names.to_vec();
        async move {
            let users = state.store.users_by_usernames(&names).await?;
            Ok::<_, crate::Error>(users.into_iter().map(|u| u.id).collect::<Vec<_>>())
        }
    };
    let from_user_ids = user_ids(&parsed.from_users).await?;
    if from_user_ids.is_empty() && !parsed.from_users.is_empty() {
        return Ok(None);
    }
    let in_channel_ids = state
        .store
        .member_channel_ids_named(auth.user_id(), team_id, &parsed.in_channels)
        .await?;
    if in_channel_ids.is_empty() && !parsed.in_channels.is_empty() {
        return Ok(None);
    }
    let offset = request.time_zone_offset.unwrap_or(0).clamp(-86_400, 86_400);
    let (created_from, created_to) = match parsed.on {
        Some(on) => {
            let start = on.start_ms(offset);
            (Some(start), Some(start + DAY_MS - 1))
        }
        None => (
            parsed.after.map(|d| d.start_ms(offset) + DAY_MS),
            parsed.before.map(|d| d.start_ms(offset) - 1),
        ),
    };
    Ok(Some(SearchQuery {
        user_id: auth.user_id().to_string(),
        team_id: team_id.map(str::to_string),
        include_deleted_channels: request.include_deleted_channels.unwrap_or(false),
        terms: query_terms,
        excluded: parsed.excluded.iter().filter_map(term_query).collect(),
        or: request.is_or_search.unwrap_or(false),
        hashtags: parsed.hashtags.clone(),
        from_user_ids,
        in_channel_ids,
        excluded_user_ids: user_ids(&parsed.excluded_users).await?,
        excluded_channel_ids: state
            .store
            .member_channel_ids_named(auth.user_id(), team_id, &parsed.excluded_channels)
            .await?,
        created_from,
        created_to,
        offset: page * per_page,
        limit: per_page,
    }))
}

/// The words of the post that the terms matched, in message order, without repeats.
fn matched_words(post: &Post, query: &SearchQuery, hashtags: &[String]) -> Vec<String> {
    let words = tokens(&post.message);
    let mut hit = vec![false; words.len()];
    for term in &query.terms {
        let n = term.tokens.len();
        if n == 0 || n > words.len() {
            continue;
        }
        for start in 0..=words.len() - n {
            let all = term.tokens.iter().enumerate().all(|(i, t)| {
                let word = &words[start + i];
                if term.prefix && i == n - 1 {
                    word.starts_with(t.as_str())
                } else {
                    word == t
                }
            });
            if all {
                hit[start..start + n].iter_mut().for_each(|h| *h = true);
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (word, hit) in words.iter().zip(hit) {
        if hit && !out.contains(word) {
            out.push(word.clone());
        }
    }
    let tags: Vec<String> = post
        .hashtags
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    for tag in hashtags {
        if tags.contains(tag) && !out.contains(tag) {
            out.push(tag.clone());
        }
    }
    out
}
