//! Chat core (issue 5): the two hot paths of a chat server against their floors
//! (`docs/targets.md` M5, M6, F1, F2).
//!
//! * createPost: `POST /api/v4/posts` through a real in-process server, by a logged-in member
//!   of a channel with 50 members, against F1: the same write transaction (post row, channel
//!   counters, the author's read marker) in raw sqlx on the same database.
//! * getPostsForChannel: `GET /api/v4/channels/{id}/posts?page=0&per_page=60` on a channel of N
//!   posts (default 100,000; `TS_BENCH_POSTS` overrides), against F2: the same SELECT in raw
//!   sqlx plus serde_json encoding of the rows as a PostList. The channel is seeded with raw
//!   multi-row INSERTs in one transaction, not through the API.
//!
//! Each runs on SQLite (a temporary file, `synchronous=FULL` unless
//! `TS_BENCH_SQLITE_SYNCHRONOUS` says otherwise) and, when `TS_BENCH_PG_URL` is set (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`), on a fresh PostgreSQL database created on
//! that server and dropped afterwards. The floors open their own pools with the server's
//! pragmas and pool sizes (SQLite: one writer connection, a 20-connection read pool).
//!
//! Two diagnostics say where the server's extra time goes: each floor preceded by the
//! indexed reads the server makes for the same request (session, user, status, channel,
//! channel member, team member; for createPost also the 50 members' mention data), as plain
//! raw-sqlx queries. They are not floors.
//!
//! After criterion, a ratio phase alternates short bursts of server and floor operations
//! (so both see the same machine noise) and prints floor/server time per operation with
//! p50/p99 latencies; for createPost it then measures saturation throughput with
//! `TS_BENCH_CONCURRENCY` (default 8) closed-loop posters on each side and the server's
//! latency under an open-loop load at 50 % of its saturation rate (M5).
//!
//! Run: `cargo bench --bench chat` (about 1 minute per store once built).
//! Results: `docs/benchmarks.md`, "Chat core (issue 5)".

use std::collections::BTreeMap;
use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, FromRow, QueryBuilder};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use townsquare::config::{Config, RuntimeEnv};
use townsquare::id::new_id;
use townsquare::server::Server;
use townsquare::time::now_ms;

const PASSWORD: &str = "bench-Passw0rd!";
/// Members of the channel createPost writes to.
const CHANNEL_MEMBERS: usize = 50;
const DEFAULT_POSTS: usize = 100_000;
/// Posts per page, as Client4 and the web app ask.
const PER_PAGE: i64 = 60;
/// Rows per multi-row INSERT while seeding (6 bound values each).
const SEED_BATCH: usize = 1_000;
const RATIO_ROUNDS: usize = 6;
const RATIO_BURST: Duration = Duration::from_millis(400);
const SATURATION_TIME: Duration = Duration::from_secs(2);
const OPEN_LOOP_TIME: Duration = Duration::from_secs(3);

/// The columns `store::posts` reads, in its order.
const POST_COLUMNS: &str = "id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, \
    root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions, remote_id, \
    reply_count, last_reply_at";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

// --- the floors -------------------------------------------------------------------------------

/// Pools of the floor programs, opened on the server's database like the server opens them.
#[derive(Clone)]
enum Floor {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// F1: exactly the statements `Store::insert_post` runs for a root post without mentions.
macro_rules! create_post_statements {
    ($tx:expr, $greatest:literal, $id:expr, $now:expr, $user:expr, $channel:expr, $message:expr) => {{
        sqlx::query(&format!(
            "INSERT INTO posts ({POST_COLUMNS}) VALUES ($1, $2, $3, 0, 0, FALSE, $4, $5, $6, '', $7, $8, $9, $10, $11, $12, FALSE, NULL, 0, 0)"
        ))
        .bind($id)
        .bind($now)
        .bind($now)
        .bind($user)
        .bind($channel)
        .bind("")
        .bind($message)
        .bind("")
        .bind("{}")
        .bind("")
        .bind("[]")
        .bind("")
        .execute(&mut *$tx)
        .await?;
        sqlx::query(concat!(
            "UPDATE channels SET last_post_at = ", $greatest, "(last_post_at, $2), total_msg_count = total_msg_count + 1, \
             last_root_post_at = CASE WHEN $3 THEN ", $greatest, "(last_root_post_at, $2) ELSE last_root_post_at END, \
             total_msg_count_root = total_msg_count_root + CASE WHEN $3 THEN 1 ELSE 0 END WHERE id = $1"
        ))
        .bind($channel)
        .bind($now)
        .bind(true)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE channel_members SET last_viewed_at = $3, last_update_at = $3, \
             msg_count = (SELECT total_msg_count FROM channels WHERE id = $1), \
             msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1) \
             WHERE channel_id = $1 AND user_id = $2",
        )
        .bind($channel)
        .bind($user)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Seeding: multi-row INSERTs of `n` root posts (other columns take their defaults).
macro_rules! seed_statements {
    ($tx:expr, $db:ty, $channel:expr, $user:expr, $n:expr, $base:expr) => {{
        let mut done = 0usize;
        while done < $n {
            let rows = SEED_BATCH.min($n - done);
            let mut insert: QueryBuilder<$db> = QueryBuilder::new(
                "INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message) ",
            );
            insert.push_values(done..done + rows, |mut row, i| {
                let at = $base + i as i64;
                row.push_bind(new_id())
                    .push_bind(at)
                    .push_bind(at)
                    .push_bind($user.to_string())
                    .push_bind($channel.to_string())
                    .push_bind(format!(
                        "history post {i}: the quick brown fox jumps over the lazy dog"
                    ));
            });
            insert.build().execute(&mut *$tx).await?;
            done += rows;
        }
    }};
}

/// A post row as `store::posts` reads it, serialised the way the API writes a Post.
#[derive(FromRow, Serialize)]
struct PostRow {
    id: String,
    create_at: i64,
    update_at: i64,
    edit_at: i64,
    delete_at: i64,
    is_pinned: bool,
    user_id: String,
    channel_id: String,
    root_id: String,
    original_id: String,
    message: String,
    #[sqlx(rename = "type")]
    #[serde(rename = "type")]
    post_type: String,
    #[serde(serialize_with = "stored_json")]
    props: String,
    hashtags: String,
    #[serde(serialize_with = "stored_json")]
    file_ids: String,
    pending_post_id: String,
    #[serde(skip_serializing_if = "is_false")]
    has_reactions: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_id: Option<String>,
    reply_count: i64,
    last_reply_at: i64,
    #[sqlx(skip)]
    participants: Option<Vec<Value>>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// `props` and `file_ids` are stored as JSON text and sent as JSON values.
fn stored_json<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serde_json::from_str::<Value>(text)
        .unwrap_or(Value::Null)
        .serialize(serializer)
}

#[derive(Serialize)]
struct PostListJson<'a> {
    order: Vec<&'a str>,
    posts: BTreeMap<&'a str, &'a PostRow>,
    next_post_id: &'a str,
    prev_post_id: &'a str,
    first_inaccessible_post_time: i64,
}

/// F2's SELECT: `Store::channel_posts` for page 0 (one extra row tells whether there is more).
fn page_query() -> String {
    format!(
        "SELECT {POST_COLUMNS} FROM posts WHERE channel_id = $1 AND original_id = '' \
         AND delete_at = 0 ORDER BY create_at DESC, id DESC LIMIT $2 OFFSET $3"
    )
}

impl Floor {
    async fn open(data_source: &str, synchronous: &str) -> Floor {
        if data_source.starts_with("postgres") {
            let options = PgConnectOptions::from_str(data_source)
                .expect("PostgreSQL URL")
                .options([("statement_timeout", "30s")]);
            let pool = PgPoolOptions::new()
                .max_connections(20)
                .connect_with(options)
                .await
                .expect("floor PostgreSQL pool");
            return Floor::Postgres(pool);
        }
        let options = SqliteConnectOptions::new()
            .filename(data_source)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::from_str(synchronous).expect("synchronous"))
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .expect("floor SQLite writer");
        let read = SqlitePoolOptions::new()
            .max_connections(20)
            .connect_with(options.read_only(true))
            .await
            .expect("floor SQLite readers");
        Floor::Sqlite { read, write }
    }

    /// F1: one createPost transaction.
    async fn create_post(
        &self,
        channel_id: &str,
        user_id: &str,
        message: &str,
    ) -> Result<(), sqlx::Error> {
        let id = new_id();
        let now = now_ms();
        match self {
            Floor::Sqlite { write, .. } => {
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                create_post_statements!(tx, "MAX", &id, now, user_id, channel_id, message);
                tx.commit().await
            }
            Floor::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                create_post_statements!(tx, "GREATEST", &id, now, user_id, channel_id, message);
                tx.commit().await
            }
        }
    }

    /// Diagnostic: the indexed reads the server makes for an authenticated request on a
    /// channel (session by token hash, user, status, channel, channel member, team member)
    /// and, for createPost, the members' mention data, as plain raw-sqlx queries on the read
    /// pool.
    async fn server_reads(
        &self,
        ids: &ReadIds,
        channel: &str,
        mention_info: bool,
    ) -> Result<(), sqlx::Error> {
        macro_rules! reads {
            ($pool:expr) => {{
                for (sql, binds) in [
                    ("SELECT * FROM sessions WHERE token_hash = $1", [ids.token_hash.as_str(), ""]),
                    ("SELECT * FROM users WHERE id = $1", [ids.user.as_str(), ""]),
                    ("SELECT * FROM status WHERE user_id = $1", [ids.user.as_str(), ""]),
                    ("SELECT * FROM channels WHERE id = $1", [channel, ""]),
                    (
                        "SELECT * FROM channel_members WHERE channel_id = $1 AND user_id = $2",
                        [channel, ids.user.as_str()],
                    ),
                    (
                        "SELECT * FROM team_members WHERE team_id = $1 AND user_id = $2",
                        [ids.team.as_str(), ids.user.as_str()],
                    ),
                ] {
                    let mut query = sqlx::query(sql).bind(binds[0]);
                    if !binds[1].is_empty() {
                        query = query.bind(binds[1]);
                    }
                    let row = query.fetch_optional($pool).await?;
                    assert!(row.is_some(), "{sql} finds its row");
                }
                if mention_info {
                    let members = sqlx::query(
                        "SELECT u.id AS user_id, u.username, u.first_name, u.notify_props AS user_notify_props, \
                         m.notify_props AS channel_notify_props FROM channel_members m JOIN users u ON u.id = m.user_id \
                         WHERE m.channel_id = $1 AND u.delete_at = 0",
                    )
                    .bind(channel)
                    .fetch_all($pool)
                    .await?;
                    assert_eq!(members.len(), CHANNEL_MEMBERS);
                }
            }};
        }
        match self {
            Floor::Sqlite { read, .. } => reads!(read),
            Floor::Postgres(pool) => reads!(pool),
        }
        Ok(())
    }

    /// F2: the newest page of a channel as PostList JSON; returns the body.
    async fn channel_page(&self, sql: &str, channel_id: &str) -> Result<Vec<u8>, sqlx::Error> {
        let mut rows: Vec<PostRow> = match self {
            Floor::Sqlite { read, .. } => {
                sqlx::query_as(sql)
                    .bind(channel_id)
                    .bind(PER_PAGE + 1)
                    .bind(0i64)
                    .fetch_all(read)
                    .await?
            }
            Floor::Postgres(pool) => {
                sqlx::query_as(sql)
                    .bind(channel_id)
                    .bind(PER_PAGE + 1)
                    .bind(0i64)
                    .fetch_all(pool)
                    .await?
            }
        };
        let more = rows.len() as i64 > PER_PAGE;
        rows.truncate(PER_PAGE as usize);
        let list = PostListJson {
            order: rows.iter().map(|r| r.id.as_str()).collect(),
            posts: rows.iter().map(|r| (r.id.as_str(), r)).collect(),
            next_post_id: "",
            prev_post_id: if more {
                rows.last().map(|r| r.id.as_str()).unwrap_or("")
            } else {
                ""
            },
            first_inaccessible_post_time: 0,
        };
        Ok(serde_json::to_vec(&list).expect("PostList encodes"))
    }

    /// Seeds `n` root posts into a channel (one transaction), then fixes its counters with
    /// one UPDATE.
    async fn seed(&self, channel_id: &str, user_id: &str, n: usize) -> Result<(), sqlx::Error> {
        let base = now_ms() - n as i64 - 60_000;
        let last = base + n as i64 - 1;
        let counters = "UPDATE channels SET total_msg_count = total_msg_count + $2, \
            total_msg_count_root = total_msg_count_root + $2, last_post_at = $3, last_root_post_at = $3 WHERE id = $1";
        match self {
            Floor::Sqlite { write, .. } => {
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                seed_statements!(tx, sqlx::Sqlite, channel_id, user_id, n, base);
                sqlx::query(counters)
                    .bind(channel_id)
                    .bind(n as i64)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            Floor::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                seed_statements!(tx, sqlx::Postgres, channel_id, user_id, n, base);
                sqlx::query(counters)
                    .bind(channel_id)
                    .bind(n as i64)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                // What autovacuum would have done by the time a real channel got this big.
                sqlx::query("ANALYZE posts").execute(pool).await.map(|_| ())
            }
        }
    }

    /// How SQLite runs the page query (None on PostgreSQL).
    async fn sqlite_plan(&self, sql: &str, channel_id: &str) -> Option<String> {
        let Floor::Sqlite { read, .. } = self else {
            return None;
        };
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .bind(channel_id)
                .bind(PER_PAGE + 1)
                .bind(0i64)
                .fetch_all(read)
                .await
                .ok()?;
        Some(rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; "))
    }

    async fn close(&self) {
        match self {
            Floor::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Floor::Postgres(pool) => pool.close().await,
        }
    }
}

/// Keys of the rows the server reads for a createPost.
#[derive(Default)]
struct ReadIds {
    token_hash: String,
    user: String,
    team: String,
}

// --- the server -------------------------------------------------------------------------------

enum Store {
    Sqlite,
    /// The server URL given in `TS_BENCH_PG_URL`.
    Postgres(String),
}

/// A PostgreSQL database created for this run, dropped when this goes out of scope.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> (PgDatabase, String) {
        let name = format!("ts_bench_chat_{}_{}", std::process::id(), &new_id()[..8]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .expect("connect to TS_BENCH_PG_URL");
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .await
                .expect("create the bench database");
        });
        let mut url = url::Url::parse(admin_url).expect("TS_BENCH_PG_URL is a URL");
        url.set_path(&format!("/{name}"));
        (
            PgDatabase {
                admin_url: admin_url.to_string(),
                name,
            },
            url.to_string(),
        )
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dropped = rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&self.admin_url).await?;
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await
        });
        if let Err(err) = dropped {
            eprintln!("chat: could not drop database {}: {err}", self.name);
        }
    }
}

struct Fixture {
    label: &'static str,
    /// Runs the server, like `townsquare serve` (multi-threaded, one worker per core); the
    /// floors run here too.
    server_rt: Runtime,
    /// Runs the HTTP client: a separate single-threaded runtime, like a separate process.
    client_rt: Runtime,
    url: String,
    http: reqwest::Client,
    /// Session of the posting member (a plain user).
    token: String,
    user_id: String,
    /// 50 members; createPost writes here.
    chat_channel: String,
    /// The seeded channel getPostsForChannel reads.
    history_channel: String,
    /// For the diagnostic reads.
    read_ids: ReadIds,
    posts: usize,
    floor: Floor,
    page_sql: String,
    shutdown: Option<oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Dropped last: the PostgreSQL database, if this run created one.
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn start(store: &Store, posts: usize) -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut config = Config::default();
        config.service.listen_address = "127.0.0.1:0".into();
        config.team.max_users_per_team = 10_000;
        config.file.directory = dir.path().join("files").to_string_lossy().into_owned();
        config.log.enable_console = false;
        if let Ok(synchronous) = std::env::var("TS_BENCH_SQLITE_SYNCHRONOUS") {
            config.sql.sqlite_synchronous = synchronous;
        }
        let (label, pg) = match store {
            Store::Sqlite => {
                config.sql.data_source = dir.path().join("bench.db").to_string_lossy().into_owned();
                ("sqlite", None)
            }
            Store::Postgres(admin_url) => {
                let (db, url) = PgDatabase::create(admin_url);
                config.sql.data_source = url;
                ("postgres", Some(db))
            }
        };
        let data_source = config.sql.data_source.clone();
        let synchronous = config.sql.sqlite_synchronous.clone();
        let server_rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        let client_rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        let (tx, rx) = oneshot::channel::<()>();
        let (url, serving, floor) = server_rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let server = Server::with_listener(config, RuntimeEnv::test(), listener)
                .await
                .expect("server starts");
            let url = format!("http://{}", server.local_addr());
            let serving = tokio::spawn(server.run(async move {
                let _ = rx.await;
            }));
            // Opened after the server has migrated the database.
            let floor = Floor::open(&data_source, &synchronous).await;
            (url, serving, floor)
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client");
        let mut fixture = Fixture {
            label,
            server_rt,
            client_rt,
            url,
            http,
            token: String::new(),
            user_id: String::new(),
            chat_channel: String::new(),
            history_channel: String::new(),
            read_ids: ReadIds::default(),
            posts,
            floor,
            page_sql: page_query(),
            shutdown: Some(tx),
            serving: Some(serving),
            _pg: pg,
            _dir: dir,
        };
        let started = Instant::now();
        let (token, user_id, chat, history, team) = fixture.client_rt.block_on(fixture.set_up());
        fixture.read_ids = ReadIds {
            token_hash: townsquare::app::auth::hash_token(&token),
            user: user_id.clone(),
            team,
        };
        fixture.token = token;
        fixture.user_id = user_id;
        fixture.chat_channel = chat;
        fixture.history_channel = history;
        println!(
            "chat/{label}: {CHANNEL_MEMBERS} users and channels through the API in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        fixture
            .server_rt
            .block_on(
                fixture
                    .floor
                    .seed(&fixture.history_channel, &fixture.user_id, posts),
            )
            .expect("seeding posts");
        println!(
            "chat/{label}: seeded {posts} posts (multi-row INSERTs, one transaction) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if let Some(plan) = fixture.server_rt.block_on(
            fixture
                .floor
                .sqlite_plan(&fixture.page_sql, &fixture.history_channel),
        ) {
            println!("chat/{label}: page query plan: {plan}");
        }
        fixture
    }

    /// Through the API: the admin (first user), 49 more users, a team, the 50-member channel
    /// and the history channel; returns a member's session, its id, the two channel ids and
    /// the team id.
    async fn set_up(&self) -> (String, String, String, String, String) {
        let (status, _, _) = self
            .send(
                "POST",
                "/api/v4/users",
                Some(json!({"username": "admin", "email": "admin@example.com", "password": PASSWORD})),
                None,
            )
            .await;
        assert_eq!(status, 201, "creating the admin");
        let admin = self.login("admin").await.0;
        let (status, _, team) = self
            .send(
                "POST",
                "/api/v4/teams",
                Some(json!({"name": "bench", "display_name": "Bench", "type": "O"})),
                Some(&admin),
            )
            .await;
        assert_eq!(status, 201, "creating the team: {team}");
        let team_id = team["id"].as_str().expect("team id").to_string();
        let mut channels = Vec::new();
        for name in ["chat", "history"] {
            let (status, _, channel) = self
                .send(
                    "POST",
                    "/api/v4/channels",
                    Some(json!({"team_id": team_id, "name": name, "display_name": name, "type": "O"})),
                    Some(&admin),
                )
                .await;
            assert_eq!(status, 201, "creating {name}: {channel}");
            channels.push(channel["id"].as_str().expect("channel id").to_string());
        }
        let (chat, history) = (channels[0].clone(), channels[1].clone());
        let mut poster = String::new();
        for i in 1..CHANNEL_MEMBERS {
            let username = format!("user{i}");
            let (status, _, user) = self
                .send(
                    "POST",
                    "/api/v4/users",
                    Some(json!({"username": username, "email": format!("{username}@example.com"), "password": PASSWORD})),
                    Some(&admin),
                )
                .await;
            assert_eq!(status, 201, "creating {username}: {user}");
            let user_id = user["id"].as_str().expect("user id").to_string();
            let (status, _, member) = self
                .send(
                    "POST",
                    &format!("/api/v4/teams/{team_id}/members"),
                    Some(json!({"team_id": team_id, "user_id": user_id})),
                    Some(&admin),
                )
                .await;
            assert_eq!(status, 201, "adding {username} to the team: {member}");
            let mut joins = vec![chat.clone()];
            if i == 1 {
                poster = user_id.clone();
                joins.push(history.clone());
            }
            for channel in joins {
                let (status, _, member) = self
                    .send(
                        "POST",
                        &format!("/api/v4/channels/{channel}/members"),
                        Some(json!({"user_id": user_id})),
                        Some(&admin),
                    )
                    .await;
                assert_eq!(status, 201, "adding {username} to a channel: {member}");
            }
        }
        let token = self.login("user1").await.0;
        let (_, _, members) = self
            .send(
                "GET",
                &format!("/api/v4/channels/{chat}/members?per_page=200"),
                None,
                Some(&token),
            )
            .await;
        assert_eq!(
            members.as_array().map(Vec::len),
            Some(CHANNEL_MEMBERS),
            "the chat channel has {CHANNEL_MEMBERS} members"
        );
        (token, poster, chat, history, team_id)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Option<String>, Value) {
        let url = format!("{}{path}", self.url);
        let mut request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let token = response
            .headers()
            .get("token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, token, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, username: &str) -> (String, Value) {
        let (status, token, user) = self
            .send(
                "POST",
                "/api/v4/users/login",
                Some(json!({"login_id": username, "password": PASSWORD})),
                None,
            )
            .await;
        assert_eq!(status, 200, "login as {username}: {user}");
        (token.expect("Token header"), user)
    }

    // --- one operation of each kind, timed ---

    fn post_body(&self) -> Value {
        json!({"channel_id": self.chat_channel, "message": "a benchmark message of ordinary length, no mentions"})
    }

    /// `iters` sequential `POST /api/v4/posts`; the latency of each.
    fn server_posts(&self, iters: u64) -> Vec<Duration> {
        let url = format!("{}/api/v4/posts", self.url);
        let body = self.post_body();
        self.client_rt.block_on(async {
            let mut times = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let started = Instant::now();
                let response = self
                    .http
                    .post(&url)
                    .bearer_auth(&self.token)
                    .json(&body)
                    .send()
                    .await
                    .expect("request sent");
                assert_eq!(response.status().as_u16(), 201, "POST /api/v4/posts");
                black_box(response.bytes().await.expect("body"));
                times.push(started.elapsed());
            }
            times
        })
    }

    /// `iters` sequential F1 transactions; the latency of each.
    fn floor_posts(&self, iters: u64) -> Vec<Duration> {
        let message = self.post_body()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.server_rt.block_on(async {
            let mut times = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let started = Instant::now();
                self.floor
                    .create_post(&self.chat_channel, &self.user_id, &message)
                    .await
                    .expect("floor createPost");
                times.push(started.elapsed());
            }
            times
        })
    }

    /// `iters` sequential diagnostic runs: the server's reads, then F2; the latency of each.
    fn floor_reads_and_pages(&self, iters: u64) -> Vec<Duration> {
        self.server_rt.block_on(async {
            let mut times = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let started = Instant::now();
                self.floor
                    .server_reads(&self.read_ids, &self.history_channel, false)
                    .await
                    .expect("reads");
                let body = self
                    .floor
                    .channel_page(&self.page_sql, &self.history_channel)
                    .await
                    .expect("floor page");
                black_box(body);
                times.push(started.elapsed());
            }
            times
        })
    }

    /// `iters` sequential diagnostic runs: the server's reads, then F1; the latency of each.
    fn floor_reads_and_posts(&self, iters: u64) -> Vec<Duration> {
        let message = self.post_body()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.server_rt.block_on(async {
            let mut times = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let started = Instant::now();
                self.floor
                    .server_reads(&self.read_ids, &self.chat_channel, true)
                    .await
                    .expect("reads");
                self.floor
                    .create_post(&self.chat_channel, &self.user_id, &message)
                    .await
                    .expect("floor createPost");
                times.push(started.elapsed());
            }
            times
        })
    }

    fn page_path(&self) -> String {
        format!(
            "/api/v4/channels/{}/posts?page=0&per_page={PER_PAGE}",
            self.history_channel
        )
    }

    /// `iters` sequential GETs of `path`; the latency of each.
    fn server_gets(&self, path: &str, iters: u64) -> Vec<Duration> {
        let url = format!("{}{path}", self.url);
        self.client_rt.block_on(async {
            let mut times = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let started = Instant::now();
                let response = self
                    .http
                    .get(&url)
                    .bearer_auth(&self.token)
                    .send()
                    .await
                    .expect("request sent");
                assert_eq!(response.status().as_u16(), 200, "GET {path}");
                black_box(response.bytes().await.expect("body"));
                times.push(started.elapsed());
            }
            times
        })
    }

    /// `iters` sequential F2 page reads with encoding; the latency of each.
    fn floor_pages(&self, iters: u64) -> Vec<Duration> {
        self.server_rt.block_on(async {
            let mut times = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let started = Instant::now();
                let body = self
                    .floor
                    .channel_page(&self.page_sql, &self.history_channel)
                    .await
                    .expect("floor page");
                black_box(body);
                times.push(started.elapsed());
            }
            times
        })
    }

    /// Checks that server and floor return the same page (and prints the sizes).
    fn check_pages(&self) {
        let path = self.page_path();
        let (status, _, server) =
            self.client_rt
                .block_on(self.send("GET", &path, None, Some(&self.token)));
        assert_eq!(status, 200);
        let floor_body = self
            .server_rt
            .block_on(
                self.floor
                    .channel_page(&self.page_sql, &self.history_channel),
            )
            .expect("floor page");
        let floor: Value = serde_json::from_slice(&floor_body).expect("floor JSON");
        assert_eq!(server["order"], floor["order"], "same page");
        assert_eq!(server["posts"], floor["posts"], "same posts");
        println!(
            "chat/{}: one page = {} posts, {} bytes of JSON (server), {} bytes (floor)",
            self.label,
            floor["order"].as_array().map(Vec::len).unwrap_or(0),
            serde_json::to_vec(&server).map(|v| v.len()).unwrap_or(0),
            floor_body.len()
        );
    }

    // --- load ---

    /// Closed loop: `workers` concurrent posters for `time`; posts per second.
    fn server_saturation(&self, workers: usize, time: Duration) -> f64 {
        let url = format!("{}/api/v4/posts", self.url);
        let body = self.post_body();
        self.client_rt.block_on(async {
            let started = Instant::now();
            let tasks = (0..workers).map(|_| async {
                let mut done = 0u64;
                while started.elapsed() < time {
                    let response = self
                        .http
                        .post(&url)
                        .bearer_auth(&self.token)
                        .json(&body)
                        .send()
                        .await
                        .expect("request sent");
                    assert_eq!(response.status().as_u16(), 201);
                    black_box(response.bytes().await.expect("body"));
                    done += 1;
                }
                done
            });
            let done: u64 = futures::future::join_all(tasks).await.into_iter().sum();
            done as f64 / started.elapsed().as_secs_f64()
        })
    }

    /// Closed loop: `workers` concurrent F1 transactions for `time`; per second.
    fn floor_saturation(&self, workers: usize, time: Duration) -> f64 {
        let message = self.post_body()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.server_rt.block_on(async {
            let started = Instant::now();
            let tasks = (0..workers).map(|_| {
                let floor = self.floor.clone();
                let channel = self.chat_channel.clone();
                let user = self.user_id.clone();
                let message = message.clone();
                tokio::spawn(async move {
                    let mut done = 0u64;
                    while started.elapsed() < time {
                        floor
                            .create_post(&channel, &user, &message)
                            .await
                            .expect("floor createPost");
                        done += 1;
                    }
                    done
                })
            });
            let done: u64 = futures::future::join_all(tasks)
                .await
                .into_iter()
                .map(|r| r.expect("floor task"))
                .sum();
            done as f64 / started.elapsed().as_secs_f64()
        })
    }

    /// Open loop: posts started at a fixed `rate` for `time`, each timed from its scheduled
    /// start (so a stall counts against every post that should have started during it).
    fn server_open_loop(&self, rate: f64, time: Duration) -> Vec<Duration> {
        let url = format!("{}/api/v4/posts", self.url);
        let body = self.post_body();
        self.client_rt.block_on(async {
            let interval = Duration::from_secs_f64(1.0 / rate);
            let started = tokio::time::Instant::now();
            let mut tasks = Vec::new();
            for i in 0u32.. {
                let scheduled = started + interval * i;
                if scheduled - started >= time {
                    break;
                }
                tokio::time::sleep_until(scheduled).await;
                let (http, url, body, token) = (
                    self.http.clone(),
                    url.clone(),
                    body.clone(),
                    self.token.clone(),
                );
                tasks.push(tokio::spawn(async move {
                    let response = http
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .expect("request sent");
                    assert_eq!(response.status().as_u16(), 201);
                    black_box(response.bytes().await.expect("body"));
                    scheduled.elapsed()
                }));
            }
            futures::future::join_all(tasks)
                .await
                .into_iter()
                .map(|r| r.expect("open-loop task"))
                .collect()
        })
    }

    fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(serving) = self.serving.take() {
            let _ = self.server_rt.block_on(serving);
        }
        self.server_rt.block_on(self.floor.close());
        // The database goes with `self.pg` after every pool is closed.
    }
}

// --- criterion ---------------------------------------------------------------------------------

fn total(times: Vec<Duration>) -> Duration {
    times.into_iter().sum()
}

fn criterion_benches(c: &mut Criterion, fixture: &Fixture) {
    let label = fixture.label;
    let mut group = c.benchmark_group(format!("chat-{label}/createPost"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    group.bench_function("POST /api/v4/posts (50-member channel)", |b| {
        b.iter_custom(|iters| total(fixture.server_posts(iters)))
    });
    group.bench_function("F1 raw sqlx transaction", |b| {
        b.iter_custom(|iters| total(fixture.floor_posts(iters)))
    });
    group.bench_function("F1 + the server's 7 reads, raw sqlx (diagnostic)", |b| {
        b.iter_custom(|iters| total(fixture.floor_reads_and_posts(iters)))
    });
    group.finish();

    let mut group = c.benchmark_group(format!("chat-{label}/getPostsForChannel"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    let page = fixture.page_path();
    let posts = fixture.posts;
    group.bench_function(format!("GET page 0 of 60 ({posts} posts)"), |b| {
        b.iter_custom(|iters| total(fixture.server_gets(&page, iters)))
    });
    group.bench_function(format!("F2 raw sqlx SELECT + JSON ({posts} posts)"), |b| {
        b.iter_custom(|iters| total(fixture.floor_pages(iters)))
    });
    group.bench_function("F2 + the server's 6 reads, raw sqlx (diagnostic)", |b| {
        b.iter_custom(|iters| total(fixture.floor_reads_and_pages(iters)))
    });
    group.bench_function("GET /system/ping (HTTP round trip, reference)", |b| {
        b.iter_custom(|iters| total(fixture.server_gets("/api/v4/system/ping", iters)))
    });
    group.finish();
}

// --- the ratio phase ----------------------------------------------------------------------------

/// Runs a number of operations and returns the latency of each.
type Timed<'a> = &'a dyn Fn(u64) -> Vec<Duration>;

struct Latencies(Vec<Duration>);

impl Latencies {
    fn sorted(mut times: Vec<Duration>) -> Latencies {
        times.sort();
        Latencies(times)
    }

    fn mean_ms(&self) -> f64 {
        self.0.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / self.0.len() as f64
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        let index = ((self.0.len() as f64 * p).ceil() as usize).clamp(1, self.0.len()) - 1;
        self.0[index].as_secs_f64() * 1000.0
    }

    fn summary(&self) -> String {
        format!(
            "mean {:>7.3} ms  p50 {:>7.3}  p99 {:>7.3}  max {:>7.3}  (n={})",
            self.mean_ms(),
            self.percentile_ms(0.50),
            self.percentile_ms(0.99),
            self.percentile_ms(1.0),
            self.0.len()
        )
    }
}

/// Alternates bursts of server and floor operations; prints per-round and overall
/// floor/server time ratios and latency percentiles.
fn ratio_phase(
    name: &str,
    server: impl Fn(u64) -> Vec<Duration>,
    floor: impl Fn(u64) -> Vec<Duration>,
    extra: Option<(&str, Timed<'_>)>,
) -> f64 {
    let burst = |times: Vec<Duration>| -> u64 {
        let mean = total(times.clone()).as_secs_f64() / times.len() as f64;
        ((RATIO_BURST.as_secs_f64() / mean.max(1e-6)) as u64).clamp(10, 5_000)
    };
    let server_n = burst(server(20));
    let floor_n = burst(floor(20));
    let extra_n = extra.map(|(_, run)| burst(run(20))).unwrap_or(0);
    let (mut all_server, mut all_floor, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut all_extra = Vec::new();
    for _ in 0..RATIO_ROUNDS {
        let s = server(server_n);
        let f = floor(floor_n);
        if let Some((_, run)) = extra {
            all_extra.extend(run(extra_n));
        }
        let s_mean = total(s.clone()).as_secs_f64() / s.len() as f64;
        let f_mean = total(f.clone()).as_secs_f64() / f.len() as f64;
        ratios.push(f_mean / s_mean);
        all_server.extend(s);
        all_floor.extend(f);
    }
    let server = Latencies::sorted(all_server);
    let floor = Latencies::sorted(all_floor);
    let ratio = floor.mean_ms() / server.mean_ms();
    ratios.sort_by(f64::total_cmp);
    println!("{name}: {RATIO_ROUNDS} interleaved rounds of {server_n} server / {floor_n} floor operations");
    println!("  server {}", server.summary());
    println!("  floor  {}", floor.summary());
    if let Some((label, _)) = extra {
        let extra = Latencies::sorted(all_extra);
        println!("  {label} {}", extra.summary());
        println!(
            "  ({label})/server time: {:.3}",
            extra.mean_ms() / server.mean_ms()
        );
    }
    println!(
        "  floor/server time: {ratio:.3} (per-round median {:.3}, range {:.3}-{:.3})",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
    ratio
}

fn load_phase(fixture: &Fixture) {
    let workers = env_number("TS_BENCH_CONCURRENCY", 8);
    let server = fixture.server_saturation(workers, SATURATION_TIME);
    let floor = fixture.floor_saturation(workers, SATURATION_TIME);
    println!(
        "chat-{}/createPost saturation, {workers} closed-loop posters: server {server:.0}/s, \
         F1 floor {floor:.0}/s, server/floor {:.3}",
        fixture.label,
        server / floor
    );
    let rate = server / 2.0;
    let open = Latencies::sorted(fixture.server_open_loop(rate, OPEN_LOOP_TIME));
    println!(
        "chat-{}/createPost open loop at 50 % of saturation ({rate:.0}/s for {} s): {}",
        fixture.label,
        OPEN_LOOP_TIME.as_secs(),
        open.summary()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; without it (cargo test --benches) criterion runs each
    // benchmark once as a smoke test, the seed is small and the timed phases are skipped.
    let bench_mode = std::env::args().any(|arg| arg == "--bench");
    let mut criterion = Criterion::default().configure_from_args();
    let posts = if bench_mode {
        env_number("TS_BENCH_POSTS", DEFAULT_POSTS)
    } else {
        1_000
    };
    let mut stores = vec![Store::Sqlite];
    match std::env::var("TS_BENCH_PG_URL") {
        Ok(url) if !url.is_empty() => stores.push(Store::Postgres(url)),
        _ => println!("chat: TS_BENCH_PG_URL not set, PostgreSQL skipped"),
    }
    println!(
        "chat: {} cores, {posts} posts in the read channel",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    for store in &stores {
        let fixture = Fixture::start(store, posts);
        if let Floor::Sqlite { .. } = fixture.floor {
            println!(
                "chat/sqlite: synchronous={}",
                std::env::var("TS_BENCH_SQLITE_SYNCHRONOUS").unwrap_or_else(|_| "full".into())
            );
        }
        fixture.check_pages();
        criterion_benches(&mut criterion, &fixture);
        if bench_mode {
            println!();
            let label = fixture.label;
            ratio_phase(
                &format!("chat-{label}/createPost (F1 / POST /api/v4/posts)"),
                |n| fixture.server_posts(n),
                |n| fixture.floor_posts(n),
                Some(("F1 + server's reads", &|n: u64| {
                    fixture.floor_reads_and_posts(n)
                })),
            );
            let page = fixture.page_path();
            ratio_phase(
                &format!("chat-{label}/getPostsForChannel, {posts} posts (F2 / GET page)"),
                |n| fixture.server_gets(&page, n),
                |n| fixture.floor_pages(n),
                Some(("F2 + server's reads", &|n: u64| {
                    fixture.floor_reads_and_pages(n)
                })),
            );
            load_phase(&fixture);
            println!();
        }
        fixture.stop();
    }
    criterion.final_summary();
}
