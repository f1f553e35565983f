//! File search: names (and extensions) of the files of live posts in the caller's channels,
//! with the post search syntax plus `ext:`. Answers Mattermost's FileInfoList.
//!
//! Names are matched as words the way posts are (lower-cased runs of letters and digits,
//! so `Q3-report.PDF` is `q3 report pdf`). The store narrows by channel, author, date and
//! extension, and by pieces each match must contain; the words are checked here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::files::FileInfo;
use crate::app::search_terms::{self, ParsedSearch, Term};
use crate::error::Result;
use crate::state::AppState;
use crate::store::search::{tokens, FileSearchQuery};

const DAY_MS: i64 = 86_400_000;
/// Candidate rows read per round trip while matching names.
const BATCH: i64 = 500;

/// The body of the file search routes (Mattermost's SearchParameter).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FileSearchRequest {
    pub terms: Option<String>,
    pub is_or_search: Option<bool>,
    /// Seconds east of UTC, for `on:`/`before:`/`after:`.
    pub time_zone_offset: Option<i64>,
    pub include_deleted_channels: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// `""`, `files` or `messages` (accepted, no effect).
    pub modifier: Option<String>,
}

/// Mattermost's FileInfoList.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct FileInfoList {
    pub order: Vec<String>,
    /// FileInfo by id.
    #[schema(value_type = Object)]
    pub file_infos: BTreeMap<String, FileInfo>,
    pub next_file_info_id: String,
    pub prev_file_info_id: String,
    pub first_inaccessible_file_time: i64,
}

fn search_disabled() -> AppError {
    AppError::not_implemented(
        "store.sql_file_info.search.disabled",
        "Searching files has been disabled on this server. Please contact your System Administrator.",
    )
}

/// One word, phrase or prefix as lower-case tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Words {
    tokens: Vec<String>,
    prefix: bool,
}

impl Words {
    fn of(term: &Term) -> Option<Words> {
        let tokens = tokens(term.text());
        if tokens.is_empty() {
            return None;
        }
        Some(Words {
            tokens,
            prefix: matches!(term, Term::Prefix(_)),
        })
    }

    /// Whether these words appear in a row among `name` (the last as a prefix, if one).
    fn found_in(&self, name: &[String]) -> bool {
        let n = self.tokens.len();
        n <= name.len()
            && (0..=name.len() - n).any(|start| {
                self.tokens.iter().enumerate().all(|(i, t)| {
                    let word = &name[start + i];
                    if self.prefix && i == n - 1 {
                        word.starts_with(t.as_str())
                    } else {
                        word == t
                    }
                })
            })
    }
}

/// What a name must (and must not) contain.
#[derive(Debug, Default)]
struct NameFilter {
    terms: Vec<Words>,
    excluded: Vec<Words>,
    or: bool,
}

impl NameFilter {
    fn matches(&self, name: &str) -> bool {
        let words = tokens(name);
        let wanted = if self.terms.is_empty() {
            true
        } else if self.or {
            self.terms.iter().any(|t| t.found_in(&words))
        } else {
            self.terms.iter().all(|t| t.found_in(&words))
        };
        wanted && !self.excluded.iter().any(|t| t.found_in(&words))
    }

    /// Pieces a matching name must contain, for the store's prefilter: ASCII tokens only
    /// (the databases lower-case other letters differently). Empty: no prefilter.
    fn pieces(&self) -> Vec<String> {
        let longest_ascii = |w: &Words| {
            w.tokens
                .iter()
                .filter(|t| t.is_ascii())
                .max_by_key(|t| t.len())
                .cloned()
        };
        if self.or {
            let pieces: Option<Vec<String>> = self.terms.iter().map(longest_ascii).collect();
            pieces.unwrap_or_default()
        } else {
            self.terms.iter().filter_map(longest_ascii).collect()
        }
    }
}

/// Takes `ext:` and `-ext:` words out of the terms (the post syntax has no such flag) and
/// returns the rest, split the way `search_terms` splits (a quote opens a phrase only at the
/// start of a word).
fn take_extensions(input: &str) -> (String, Vec<String>, Vec<String>) {
    let chars: Vec<char> = input.chars().collect();
    let mut rest = String::new();
    let mut wanted = Vec::new();
    let mut excluded = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            rest.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        let body = if chars[i] == '-' { i + 1 } else { i };
        if chars.get(body) == Some(&'"') {
            let close = (body + 1..chars.len()).find(|&j| chars[j] == '"');
            i = close.map_or(chars.len(), |j| j + 1);
            rest.extend(&chars[start..i]);
            continue;
        }
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let negated = word.starts_with('-');
        let bare = word.strip_prefix('-').unwrap_or(&word);
        match bare.split_once(':') {
            Some((flag, value)) if flag.eq_ignore_ascii_case("ext") => {
                let value = value.trim_start_matches('.').to_lowercase();
                if !value.is_empty() {
                    if negated {
                        excluded.push(value);
                    } else {
                        wanted.push(value);
                    }
                }
            }
            _ => rest.push_str(&word),
        }
    }
    (rest, wanted, excluded)
}

/// Searches the files of the caller's channels (in `team_id`, or every team when `None`).
pub async fn search_files(
    state: &AppState,
    auth: &AuthContext,
    team_id: Option<&str>,
    request: FileSearchRequest,
) -> Result<FileInfoList> {
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
    let terms = request
        .terms
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::invalid_body_param("terms"))?;
    if !matches!(
        request.modifier.as_deref(),
        None | Some("" | "files" | "messages")
    ) {
        return Err(AppError::invalid_body_param("modifier").into());
    }
    if !state.config().service.enable_file_search {
        return Err(search_disabled().into());
    }
    let per_page = request.per_page.filter(|n| *n > 0).unwrap_or(60).min(200);
    let page = request.page.filter(|n| *n >= 0).unwrap_or(0).min(10_000);
    let (rest, extensions, excluded_extensions) = take_extensions(&terms);
    let mut parsed = search_terms::parse(&rest);
    // A `#tag` is just a word in a file name.
    for tag in std::mem::take(&mut parsed.hashtags) {
        parsed.terms.push(Term::Word(tag));
    }
    let mut list = FileInfoList::default();
    if parsed.is_empty() && extensions.is_empty() && excluded_extensions.is_empty() {
        return Ok(list);
    }
    let or = request.is_or_search.unwrap_or(false);
    let filter = NameFilter {
        terms: parsed.terms.iter().filter_map(Words::of).collect(),
        excluded: parsed.excluded.iter().filter_map(Words::of).collect(),
        or,
    };
    // Terms without a single letter or digit ("!!!") match nothing: all of them must match
    // (AND), or at least one usable term must remain (OR).
    if (filter.terms.len() < parsed.terms.len() && !or)
        || (filter.terms.is_empty() && !parsed.terms.is_empty())
    {
        return Ok(list);
    }
    let Some(mut query) = resolve(state, auth, team_id, &parsed, &request).await? else {
        return Ok(list);
    };
    query.extensions = extensions;
    query.excluded_extensions = excluded_extensions;
    query.name_patterns = filter.pieces();
    query.or = or;

    let skip = (page * per_page) as usize;
    let wanted = skip + per_page as usize;
    let mut found: Vec<FileInfo> = Vec::new();
    let mut cursor = None;
    loop {
        let batch = state
            .store
            .search_files_batch(&query, cursor.clone(), BATCH)
            .await?;
        let exhausted = (batch.len() as i64) < BATCH;
        cursor = batch.last().map(|f| (f.create_at, f.id.clone()));
        found.extend(batch.into_iter().filter(|f| filter.matches(&f.name)));
        if exhausted || found.len() >= wanted {
            break;
        }
    }
    for info in found.into_iter().skip(skip).take(per_page as usize) {
        list.order.push(info.id.clone());
        list.file_infos.insert(info.id.clone(), info);
    }
    Ok(list)
}

/// Resolves `from:` and `in:` names and the dates; `None` when nothing can match.
async fn resolve(
    state: &AppState,
    auth: &AuthContext,
    team_id: Option<&str>,
    parsed: &ParsedSearch,
    request: &FileSearchRequest,
) -> Result<Option<FileSearchQuery>> {
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
    let channels = |names: &[String]| {
        let names = names.to_vec();
        async move {
            state
                .store
                .member_channel_ids_named(auth.user_id(), team_id, &names)
                .await
        }
    };
    let in_channel_ids = channels(&parsed.in_channels).await?;
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
    Ok(Some(FileSearchQuery {
        user_id: auth.user_id().to_string(),
        team_id: team_id.map(str::to_string),
        include_deleted_channels: request.include_deleted_channels.unwrap_or(false),
        from_user_ids,
        excluded_user_ids: user_ids(&parsed.excluded_users).await?,
        in_channel_ids,
        excluded_channel_ids: channels(&parsed.excluded_channels).await?,
        created_from,
        created_to,
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(terms: &str, or: bool) -> NameFilter {
        let parsed = search_terms::parse(terms);
        NameFilter {
            terms: parsed.terms.iter().filter_map(Words::of).collect(),
            excluded: parsed.excluded.iter().filter_map(Words::of).collect(),
            or,
        }
    }

    #[test]
    fn extensions_come_out_of_the_terms() {
        let (rest, wanted, excluded) =
            take_extensions(r#"report ext:PDF -ext:.png "ext:quoted" -"x ext:y" in:town"#);
        assert_eq!(rest, r#"report   "ext:quoted" -"x ext:y" in:town"#);
        assert_eq!(wanted, ["pdf"]);
        assert_eq!(excluded, ["png"]);
        let (rest, wanted, _) = take_extensions("ext: - \"open");
        assert_eq!(rest, " - \"open");
        assert!(wanted.is_empty());
    }

    #[test]
    fn names_match_as_words() {
        assert!(filter("report", false).matches("Q3-Report.PDF"));
        assert!(filter("pdf", false).matches("Q3-Report.PDF"));
        assert!(filter("rep*", false).matches("Q3-Report.PDF"));
        assert!(!filter("repo", false).matches("Q3-Report.PDF"));
        assert!(filter("\"q3 report\"", false).matches("Q3-Report.PDF"));
        assert!(!filter("\"report q3\"", false).matches("Q3-Report.PDF"));
        assert!(!filter("report budget", false).matches("Q3-Report.PDF"));
        assert!(filter("report budget", true).matches("Q3-Report.PDF"));
        assert!(!filter("report -q3", false).matches("Q3-Report.PDF"));
        assert!(filter("-draft", false).matches("Q3-Report.PDF"));
        assert!(filter("über", false).matches("Ünd_Über.txt"));
    }

    #[test]
    fn prefilter_pieces() {
        assert_eq!(
            filter("report \"q3 budget\"", false).pieces(),
            ["report", "budget"]
        );
        assert_eq!(filter("report über", true).pieces(), Vec::<String>::new());
        assert_eq!(filter("report über", false).pieces(), ["report"]);
        assert!(filter("-draft", false).pieces().is_empty());
    }
}
