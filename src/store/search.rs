//! The post search index, identical on both stores.
//!
//! The server tokenizes (lower-cased runs of Unicode letters and digits, no stemming) and
//! hands the database finished tokens: SQLite gets them space-separated in an FTS5 table whose
//! `ascii` tokenizer only splits on those spaces, PostgreSQL gets a `tsvector` literal (no
//! parser or dictionary runs). Queries are rendered from the same tokens, so one test suite
//! asserts the same results on both. The index is written in the same transaction as the
//! post (see `store::posts`), by statements built here.

use std::collections::BTreeMap;

use townsquare_sdk::model::Post;

use super::posts::{PostRow, POST_COLUMNS};
use super::{Dialect, Store, StoreError};

/// Longer words are cut to this many characters (in the index and in queries alike).
pub const MAX_TOKEN_CHARS: usize = 64;
/// PostgreSQL keeps at most 256 positions per lexeme and positions up to 16383.
const PG_MAX_POSITIONS: usize = 256;
const PG_MAX_POSITION: usize = 16_383;
/// Posts tokenized per backfill batch.
const BACKFILL_BATCH: i64 = 500;

/// Lower-cased runs of Unicode letters and digits; everything else separates words.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = 0;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if chars < MAX_TOKEN_CHARS {
                current.extend(c.to_lowercase());
                chars += 1;
            }
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
            chars = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a post belongs in the index: live, not an edit-history copy, not a system message.
pub fn is_indexable(post: &Post) -> bool {
    post.delete_at == 0 && post.original_id.is_empty() && !post.post_type.starts_with("system_")
}

/// One SQL statement with text binds, run inside a caller's transaction.
pub(crate) struct Stmt {
    pub sql: &'static str,
    pub binds: Vec<String>,
}

/// `'word':1,4 'other':2` for PostgreSQL's `tsvector` input.
fn tsvector_literal(tokens: &[String]) -> String {
    let mut positions: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, token) in tokens.iter().enumerate() {
        let list = positions.entry(token.as_str()).or_default();
        if list.len() < PG_MAX_POSITIONS {
            list.push((i + 1).min(PG_MAX_POSITION));
        }
    }
    positions
        .into_iter()
        .map(|(token, mut list)| {
            list.dedup();
            let list: Vec<String> = list.iter().map(|p| p.to_string()).collect();
            format!("'{token}':{}", list.join(","))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One search term as tokens: a word, a quoted phrase, or a prefix (`word*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermQuery {
    pub tokens: Vec<String>,
    pub prefix: bool,
}

fn fts5_query(terms: &[TermQuery], or: bool) -> String {
    terms
        .iter()
        .map(|t| {
            let star = if t.prefix { " *" } else { "" };
            format!("\"{}\"{star}", t.tokens.join(" "))
        })
        .collect::<Vec<_>>()
        .join(if or { " OR " } else { " AND " })
}

fn tsquery(terms: &[TermQuery], or: bool) -> String {
    terms
        .iter()
        .map(|t| {
            let last = t.tokens.len().saturating_sub(1);
            let words: Vec<String> = t
                .tokens
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if t.prefix && i == last {
                        format!("'{w}':*")
                    } else {
                        format!("'{w}'")
                    }
                })
                .collect();
            format!("({})", words.join(" <-> "))
        })
        .collect::<Vec<_>>()
        .join(if or { " | " } else { " & " })
}

/// What to search for, with every filter already resolved to ids and milliseconds.
#[derive(Debug, Default, Clone)]
pub struct SearchQuery {
    /// The caller: only channels they are a member of are searched.
    pub user_id: String,
    /// `None` searches every team (and direct/group messages).
    pub team_id: Option<String>,
    pub include_deleted_channels: bool,
    pub terms: Vec<TermQuery>,
    pub excluded: Vec<TermQuery>,
    pub or: bool,
    /// Lower-case `#tag`s the post's hashtags must contain.
    pub hashtags: Vec<String>,
    pub from_user_ids: Vec<String>,
    pub in_channel_ids: Vec<String>,
    pub excluded_user_ids: Vec<String>,
    pub excluded_channel_ids: Vec<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// Which rows of the ordered matches one query returns.
#[derive(Clone, Copy)]
enum Window {
    /// `offset`/`limit` of the query, in the final order.
    Page,
    /// SQLite: the first N matches by FTS5 key, newest first.
    Newest(i64),
    /// SQLite: every match created in this millisecond.
    Millisecond(i64),
}

/// Adds a bind and returns its placeholder.
fn next(binds: &mut Vec<Bind>, bind: Bind) -> String {
    binds.push(bind);
    format!("${}", binds.len())
}

/// ` AND column IN ($a, $b)` with one bind per value.
fn list(binds: &mut Vec<Bind>, column: &str, values: &[String]) -> String {
    let names: Vec<String> = values
        .iter()
        .map(|v| next(binds, Bind::Text(v.clone())))
        .collect();
    format!(" AND {column} IN ({})", names.join(", "))
}

impl Store {
    /// Statements that make the index agree with `post` (add, replace or remove it).
    pub(crate) fn index_post_stmts(&self, post: &Post) -> Vec<Stmt> {
        if !is_indexable(post) {
            return self.unindex_post_stmts(&post.id);
        }
        let tokens = tokens(&post.message);
        let id = post.id.clone();
        match self.dialect() {
            Dialect::Sqlite => vec![
                Stmt {
                    sql: "DELETE FROM posts_fts WHERE rowid IN (SELECT doc FROM posts_fts_keys WHERE post_id = $1)",
                    binds: vec![id.clone()],
                },
                // The key orders by time: the next free slot of the post's millisecond.
                Stmt {
                    sql: "INSERT INTO posts_fts_keys (doc, post_id) \
                          SELECT COALESCE(MAX(doc) + 1, CAST($2 AS INTEGER) * 4096), $1 FROM posts_fts_keys \
                          WHERE doc >= CAST($2 AS INTEGER) * 4096 AND doc < (CAST($2 AS INTEGER) + 1) * 4096 \
                          ON CONFLICT (post_id) DO NOTHING",
                    binds: vec![id.clone(), post.create_at.to_string()],
                },
                Stmt {
                    sql: "INSERT INTO posts_fts (rowid, terms) SELECT doc, $2 FROM posts_fts_keys WHERE post_id = $1",
                    binds: vec![id, tokens.join(" ")],
                },
            ],
            Dialect::Postgres => vec![Stmt {
                sql: "INSERT INTO posts_fts (post_id, create_at, terms) VALUES ($1, CAST($3 AS BIGINT), $2::tsvector) \
                      ON CONFLICT (post_id) DO UPDATE SET terms = excluded.terms",
                binds: vec![id, tsvector_literal(&tokens), post.create_at.to_string()],
            }],
        }
    }

    /// Statements that remove one post from the index.
    pub(crate) fn unindex_post_stmts(&self, post_id: &str) -> Vec<Stmt> {
        let id = post_id.to_string();
        match self.dialect() {
            Dialect::Sqlite => vec![
                Stmt {
                    sql: "DELETE FROM posts_fts WHERE rowid IN (SELECT doc FROM posts_fts_keys WHERE post_id = $1)",
                    binds: vec![id.clone()],
                },
                Stmt {
                    sql: "DELETE FROM posts_fts_keys WHERE post_id = $1",
                    binds: vec![id],
                },
            ],
            Dialect::Postgres => vec![Stmt {
                sql: "DELETE FROM posts_fts WHERE post_id = $1",
                binds: vec![id],
            }],
        }
    }

    /// Statements that remove every reply of a thread from the index.
    pub(crate) fn unindex_replies_stmts(&self, root_id: &str) -> Vec<Stmt> {
        let id = root_id.to_string();
        match self.dialect() {
            Dialect::Sqlite => vec![
                Stmt {
                    sql: "DELETE FROM posts_fts WHERE rowid IN (SELECT k.doc FROM posts_fts_keys k \
                          JOIN posts p ON p.id = k.post_id WHERE p.root_id = $1)",
                    binds: vec![id.clone()],
                },
                Stmt {
                    sql: "DELETE FROM posts_fts_keys WHERE post_id IN (SELECT id FROM posts WHERE root_id = $1)",
                    binds: vec![id],
                },
            ],
            Dialect::Postgres => vec![Stmt {
                sql: "DELETE FROM posts_fts WHERE post_id IN (SELECT id FROM posts WHERE root_id = $1)",
                binds: vec![id],
            }],
        }
    }

    /// Indexes up to one batch of posts queued by the migration; returns how many it took.
    pub async fn backfill_search_index(&self) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT {} FROM posts_fts_backfill b JOIN posts p ON p.id = b.post_id ORDER BY b.post_id LIMIT {BACKFILL_BATCH}",
            super::sql::prefixed(POST_COLUMNS, "p")
        );
        let queued: Vec<(String,)> = with_reader!(self, |pool| sqlx::query_as(&format!(
            "SELECT post_id FROM posts_fts_backfill ORDER BY post_id LIMIT {BACKFILL_BATCH}"
        ))
        .fetch_all(pool)
        .await)?;
        if queued.is_empty() {
            return Ok(0);
        }
        let rows: Vec<PostRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
        let posts: Vec<Post> = rows.into_iter().map(Post::from).collect();
        let last = queued.last().map(|(id,)| id.clone()).unwrap_or_default();
        if let super::Pools::Postgres(pool) = self.pools() {
            self.backfill_postgres_batch(pool, &posts, &last).await?;
            return Ok(queued.len() as u64);
        }
        with_tx!(self, |tx| async {
            for post in &posts {
                for stmt in self.index_post_stmts(post) {
                    let mut query = sqlx::query(stmt.sql);
                    for bind in &stmt.binds {
                        query = query.bind(bind);
                    }
                    query.execute(&mut **tx).await?;
                }
            }
            sqlx::query("DELETE FROM posts_fts_backfill WHERE post_id <= $1")
                .bind(&last)
                .execute(&mut **tx)
                .await?;
            Ok::<_, StoreError>(())
        })?;
        Ok(queued.len() as u64)
    }

    /// PostgreSQL: one batch in one multi-row `INSERT ... SELECT FROM UNNEST` instead of a
    /// round trip per post (the per-post path indexed about 320 posts/s on a growing GIN index).
    async fn backfill_postgres_batch(
        &self,
        pool: &sqlx::PgPool,
        posts: &[Post],
        last: &str,
    ) -> Result<(), StoreError> {
        let (indexable, others): (Vec<&Post>, Vec<&Post>) =
            posts.iter().partition(|post| is_indexable(post));
        let ids: Vec<String> = indexable.iter().map(|p| p.id.clone()).collect();
        let create_ats: Vec<i64> = indexable.iter().map(|p| p.create_at).collect();
        let terms: Vec<String> = indexable
            .iter()
            .map(|p| tsvector_literal(&tokens(&p.message)))
            .collect();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO posts_fts (post_id, create_at, terms) \
             SELECT u.post_id, u.create_at, u.terms::tsvector \
             FROM UNNEST($1::text[], $2::bigint[], $3::text[]) AS u(post_id, create_at, terms) \
             ON CONFLICT (post_id) DO UPDATE SET terms = excluded.terms",
        )
        .bind(&ids)
        .bind(&create_ats)
        .bind(&terms)
        .execute(&mut *tx)
        .await?;
        for post in others {
            for stmt in self.unindex_post_stmts(&post.id) {
                let mut query = sqlx::query(stmt.sql);
                for bind in &stmt.binds {
                    query = query.bind(bind);
                }
                query.execute(&mut *tx).await?;
            }
        }
        sqlx::query("DELETE FROM posts_fts_backfill WHERE post_id <= $1")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ids of the caller's channels with one of these names (in the team and its direct and
    /// group messages, or anywhere when `team_id` is `None`), for `in:`.
    pub async fn member_channel_ids_named(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        names: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = vec![Bind::Text(user_id.to_string())];
        let mut sql =
            "SELECT c.id FROM channels c JOIN channel_members cm ON cm.channel_id = c.id \
                       WHERE cm.user_id = $1"
                .to_string();
        if let Some(team_id) = team_id {
            let n = next(&mut binds, Bind::Text(team_id.to_string()));
            sql.push_str(&format!(" AND (c.team_id = {n} OR c.team_id = '')"));
        }
        sql.push_str(&list(&mut binds, "c.name", names));
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for bind in &binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text),
                    Bind::Int(n) => query.bind(*n),
                };
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Posts matching the query, newest first (`create_at`, then id, both descending).
    ///
    /// On SQLite a word search walks the FTS5 matches newest first (the key encodes the time)
    /// and stops after one page; the posts of the page's last millisecond are then fetched
    /// whole, so ties are cut by id exactly as PostgreSQL does.
    pub async fn search_posts(&self, q: &SearchQuery) -> Result<Vec<Post>, StoreError> {
        if self.dialect() == Dialect::Postgres || q.terms.is_empty() {
            return self.run_search(q, Window::Page).await;
        }
        let wanted = (q.offset + q.limit).max(0) as usize;
        let newest = self.run_search(q, Window::Newest(wanted as i64)).await?;
        let mut found = if newest.len() < wanted {
            newest
        } else {
            let last = newest.last().map(|p| p.create_at).unwrap_or(0);
            let mut found: Vec<Post> = newest.into_iter().filter(|p| p.create_at > last).collect();
            found.extend(self.run_search(q, Window::Millisecond(last)).await?);
            found
        };
        found.sort_by(|a, b| (b.create_at, &b.id).cmp(&(a.create_at, &a.id)));
        Ok(found
            .into_iter()
            .skip(q.offset.max(0) as usize)
            .take(q.limit.max(0) as usize)
            .collect())
    }

    async fn run_search(&self, q: &SearchQuery, window: Window) -> Result<Vec<Post>, StoreError> {
        let dialect = self.dialect();
        let mut binds: Vec<Bind> = Vec::new();
        let columns = super::sql::prefixed(POST_COLUMNS, "p");
        let mut sql;
        if q.terms.is_empty() {
            sql = format!("SELECT {columns} FROM posts p WHERE TRUE");
            if !q.excluded.is_empty() {
                let excluded = match dialect {
                    Dialect::Sqlite => {
                        let n = next(&mut binds, Bind::Text(fts5_query(&q.excluded, true)));
                        format!(
                            " AND p.id NOT IN (SELECT x.post_id FROM posts_fts JOIN posts_fts_keys x \
                             ON x.doc = posts_fts.rowid WHERE posts_fts MATCH {n})"
                        )
                    }
                    Dialect::Postgres => {
                        let n = next(&mut binds, Bind::Text(tsquery(&q.excluded, true)));
                        format!(
                            " AND p.id NOT IN (SELECT post_id FROM posts_fts WHERE terms @@ {n}::tsquery)"
                        )
                    }
                };
                sql.push_str(&excluded);
            }
        } else {
            match dialect {
                Dialect::Sqlite => {
                    let mut text = fts5_query(&q.terms, q.or);
                    if !q.excluded.is_empty() {
                        text = format!("({text}) NOT ({})", fts5_query(&q.excluded, true));
                    }
                    let n = next(&mut binds, Bind::Text(text));
                    // CROSS JOIN fixes the join order: the FTS5 walk drives, newest first,
                    // and the post filters only check its rows (an index on user_id or
                    // channel_id must not become the outer loop).
                    sql = format!(
                        "SELECT {columns} FROM posts_fts CROSS JOIN posts_fts_keys k ON k.doc = posts_fts.rowid \
                         CROSS JOIN posts p ON p.id = k.post_id WHERE posts_fts MATCH {n}"
                    );
                }
                Dialect::Postgres => {
                    let mut text = tsquery(&q.terms, q.or);
                    if !q.excluded.is_empty() {
                        text = format!("({text}) & !({})", tsquery(&q.excluded, true));
                    }
                    let n = next(&mut binds, Bind::Text(text));
                    sql = format!(
                        "SELECT {columns} FROM posts_fts f JOIN posts p ON p.id = f.post_id \
                         WHERE f.terms @@ {n}::tsquery"
                    );
                }
            }
        }
        sql.push_str(
            " AND p.delete_at = 0 AND p.original_id = '' AND p.type NOT LIKE 'system\\_%' ESCAPE '\\'",
        );
        let user = next(&mut binds, Bind::Text(q.user_id.clone()));
        let mut readable = format!(
            " AND p.channel_id IN (SELECT cm.channel_id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
             WHERE cm.user_id = {user}"
        );
        if let Some(team_id) = &q.team_id {
            let team = next(&mut binds, Bind::Text(team_id.clone()));
            readable.push_str(&format!(" AND (c.team_id = {team} OR c.team_id = '')"));
        }
        if !q.include_deleted_channels {
            readable.push_str(" AND c.delete_at = 0");
        }
        readable.push(')');
        sql.push_str(&readable);
        if !q.in_channel_ids.is_empty() {
            let clause = list(&mut binds, "p.channel_id", &q.in_channel_ids);
            sql.push_str(&clause);
        }
        if !q.from_user_ids.is_empty() {
            let clause = list(&mut binds, "p.user_id", &q.from_user_ids);
            sql.push_str(&clause);
        }
        if !q.excluded_user_ids.is_empty() {
            let clause =
                list(&mut binds, "p.user_id", &q.excluded_user_ids).replace(" IN (", " NOT IN (");
            sql.push_str(&clause);
        }
        if !q.excluded_channel_ids.is_empty() {
            let clause = list(&mut binds, "p.channel_id", &q.excluded_channel_ids)
                .replace(" IN (", " NOT IN (");
            sql.push_str(&clause);
        }
        if let Some(from) = q.created_from {
            let n = next(&mut binds, Bind::Int(from));
            sql.push_str(&format!(" AND p.create_at >= {n}"));
        }
        if let Some(to) = q.created_to {
            let n = next(&mut binds, Bind::Int(to));
            sql.push_str(&format!(" AND p.create_at <= {n}"));
        }
        if !q.hashtags.is_empty() {
            let conditions: Vec<String> = q
                .hashtags
                .iter()
                .map(|tag| {
                    let pattern = format!("% {} %", super::sql::like_escape(tag));
                    let n = next(&mut binds, Bind::Text(pattern));
                    format!("(' ' || LOWER(p.hashtags) || ' ') LIKE {n} ESCAPE '\\'")
                })
                .collect();
            let joiner = if q.or { " OR " } else { " AND " };
            sql.push_str(&format!(" AND ({})", conditions.join(joiner)));
        }
        match window {
            Window::Page => {
                let limit = next(&mut binds, Bind::Int(q.limit));
                let offset = next(&mut binds, Bind::Int(q.offset));
                let order = if dialect == Dialect::Postgres && !q.terms.is_empty() {
                    // The index on posts_fts (create_at, post_id) can serve this order.
                    "f.create_at DESC, f.post_id DESC"
                } else {
                    "p.create_at DESC, p.id DESC"
                };
                sql.push_str(&format!(" ORDER BY {order} LIMIT {limit} OFFSET {offset}"));
            }
            Window::Newest(limit) => {
                let limit = next(&mut binds, Bind::Int(limit));
                sql.push_str(&format!(" ORDER BY posts_fts.rowid DESC LIMIT {limit}"));
            }
            Window::Millisecond(at) => {
                let from = next(&mut binds, Bind::Int(at.saturating_mul(4096)));
                let to = next(
                    &mut binds,
                    Bind::Int(at.saturating_add(1).saturating_mul(4096)),
                );
                sql.push_str(&format!(
                    " AND posts_fts.rowid >= {from} AND posts_fts.rowid < {to}"
                ));
            }
        }
        let rows: Vec<PostRow> = with_reader!(self, |pool| {
            // Not cached as a prepared statement: PostgreSQL then plans with the actual terms
            // (GIN for rare words, a newest-first scan for common ones).
            let mut query = sqlx::query_as(&sql).persistent(false);
            for bind in &binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text),
                    Bind::Int(n) => query.bind(*n),
                };
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Post::from).collect())
    }
}

/// A file search with names resolved to ids and dates to milliseconds. The store narrows
/// by everything but the words; `name_patterns` (lower-case ASCII pieces every match's
/// name must contain, or one of them with `or`) only prefilter, the app matches the words.
#[derive(Debug, Default, Clone)]
pub struct FileSearchQuery {
    pub user_id: String,
    /// `None` searches every team (and direct/group messages).
    pub team_id: Option<String>,
    pub include_deleted_channels: bool,
    pub extensions: Vec<String>,
    pub excluded_extensions: Vec<String>,
    pub from_user_ids: Vec<String>,
    pub excluded_user_ids: Vec<String>,
    pub in_channel_ids: Vec<String>,
    pub excluded_channel_ids: Vec<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub name_patterns: Vec<String>,
    pub or: bool,
}

impl Store {
    /// Up to `limit` files of live posts in the caller's channels matching the query, newest
    /// first (`create_at`, then id, descending), strictly older than `before` when given.
    pub async fn search_files_batch(
        &self,
        q: &FileSearchQuery,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<super::files::FileInfo>, StoreError> {
        let mut binds: Vec<Bind> = Vec::new();
        let user = next(&mut binds, Bind::Text(q.user_id.clone()));
        let mut sql = format!(
            "SELECT {} FROM file_info f JOIN posts p ON p.id = f.post_id \
             WHERE f.delete_at = 0 AND f.post_id <> '' AND p.delete_at = 0 \
             AND f.channel_id IN (SELECT cm.channel_id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
             WHERE cm.user_id = {user}",
            super::sql::prefixed(super::files::COLUMNS, "f")
        );
        if let Some(team_id) = &q.team_id {
            let team = next(&mut binds, Bind::Text(team_id.clone()));
            sql.push_str(&format!(" AND (c.team_id = {team} OR c.team_id = '')"));
        }
        if !q.include_deleted_channels {
            sql.push_str(" AND c.delete_at = 0");
        }
        sql.push(')');
        let lists = [
            ("f.extension", &q.extensions, false),
            ("f.extension", &q.excluded_extensions, true),
            ("f.creator_id", &q.from_user_ids, false),
            ("f.creator_id", &q.excluded_user_ids, true),
            ("f.channel_id", &q.in_channel_ids, false),
            ("f.channel_id", &q.excluded_channel_ids, true),
        ];
        for (column, values, negated) in lists {
            if values.is_empty() {
                continue;
            }
            let clause = list(&mut binds, column, values);
            if negated {
                sql.push_str(&clause.replace(" IN (", " NOT IN ("));
            } else {
                sql.push_str(&clause);
            }
        }
        if let Some(from) = q.created_from {
            let n = next(&mut binds, Bind::Int(from));
            sql.push_str(&format!(" AND f.create_at >= {n}"));
        }
        if let Some(to) = q.created_to {
            let n = next(&mut binds, Bind::Int(to));
            sql.push_str(&format!(" AND f.create_at <= {n}"));
        }
        if !q.name_patterns.is_empty() {
            let conditions: Vec<String> = q
                .name_patterns
                .iter()
                .map(|piece| {
                    let pattern = format!("%{}%", super::sql::like_escape(piece));
                    let n = next(&mut binds, Bind::Text(pattern));
                    format!("LOWER(f.name) LIKE {n} ESCAPE '\\'")
                })
                .collect();
            let joiner = if q.or { " OR " } else { " AND " };
            sql.push_str(&format!(" AND ({})", conditions.join(joiner)));
        }
        if let Some((create_at, id)) = before {
            let at = next(&mut binds, Bind::Int(create_at));
            let id = next(&mut binds, Bind::Text(id));
            sql.push_str(&format!(
                " AND (f.create_at < {at} OR (f.create_at = {at} AND f.id < {id}))"
            ));
        }
        let limit = next(&mut binds, Bind::Int(limit));
        sql.push_str(&format!(
            " ORDER BY f.create_at DESC, f.id DESC LIMIT {limit}"
        ));
        Ok(with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql).persistent(false);
            for bind in &binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text),
                    Bind::Int(n) => query.bind(*n),
                };
            }
            query.fetch_all(pool).await
        })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercase_unicode_words() {
        assert_eq!(
            tokens("Hello, WORLD! foo-bar_baz x2 Ünïcode 日本語"),
            [
                "hello",
                "world",
                "foo",
                "bar",
                "baz",
                "x2",
                "ünïcode",
                "日本語"
            ]
        );
        assert!(tokens("  ... !!! ").is_empty());
        assert_eq!(tokens(&"a".repeat(100))[0].chars().count(), MAX_TOKEN_CHARS);
    }

    #[test]
    fn tsvector_literal_merges_positions() {
        let t = tokens("b a b");
        assert_eq!(tsvector_literal(&t), "'a':2 'b':1,3");
    }

    #[test]
    fn queries_render_for_both_dialects() {
        let terms = vec![
            TermQuery {
                tokens: vec!["red".into(), "fox".into()],
                prefix: false,
            },
            TermQuery {
                tokens: vec!["jum".into()],
                prefix: true,
            },
        ];
        assert_eq!(fts5_query(&terms, false), "\"red fox\" AND \"jum\" *");
        assert_eq!(tsquery(&terms, true), "('red' <-> 'fox') | ('jum':*)");
    }
}
