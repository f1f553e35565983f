//! Search and uploads (issue 6): post search latency on a large generated database
//! (`docs/targets.md` M16) and upload throughput against a raw-file floor.
//!
//! * Seeding: `TS_BENCH_POSTS` posts (default 1,000,000) over 20 channels, written with raw
//!   multi-row INSERTs, then indexed through the server's own backfill path (the queue the
//!   migration fills for existing posts), which also gives the index build rate.
//! * Search: `POST /api/v4/teams/{id}/posts/search` through a real in-process server, by a
//!   member of all 20 channels, `TS_BENCH_SEARCHES` times (default 200) per query kind: a rare
//!   word, a common word, two words, a phrase, a prefix, a word with `from:` and `in:`.
//!   Latencies are reported as p50/p99 per kind and overall.
//! * Uploads: `TS_BENCH_UPLOADS` (default 40) sequential 1 MiB multipart uploads through
//!   `POST /api/v4/files`, against a floor that writes, fsyncs and renames the same bytes in
//!   the same directory.
//!
//! Runs on SQLite (a temporary file), and on PostgreSQL too when `TS_BENCH_PG_URL` is set
//! (a database created on that server and dropped afterwards).
//!
//! Run: `cargo bench --bench search`. Results: `docs/benchmarks.md`, "Files and search".

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::{Connection, QueryBuilder};
use tokio::io::AsyncWriteExt;
use townsquare::config::{Config, RuntimeEnv};
use townsquare::id::new_id;
use townsquare::server::Server;
use townsquare::store::Pools;

const PASSWORD: &str = "bench-Passw0rd!";
const CHANNELS: usize = 20;
const SEED_BATCH: usize = 1_000;
const UPLOAD_BYTES: usize = 1024 * 1024;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic vocabulary of pronounceable words; word `i` is drawn with probability
/// falling off with `i` (a few very common words, a long tail of rare ones).
struct Words {
    words: Vec<String>,
    state: u64,
}

impl Words {
    fn new(count: usize) -> Words {
        let syllables = [
            "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "po", "da", "fe", "gu", "hi",
            "jo", "be",
        ];
        let words = (0..count)
            .map(|i| {
                let mut n = i + 17;
                let mut word = String::new();
                while n > 0 {
                    word.push_str(syllables[n % syllables.len()]);
                    n /= syllables.len();
                }
                word
            })
            .collect();
        Words {
            words,
            state: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*: fast, deterministic, good enough for text.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn word(&mut self) -> &str {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let index = ((self.words.len() as f64).powf(u) - 1.0) as usize;
        &self.words[index.min(self.words.len() - 1)]
    }

    fn message(&mut self) -> String {
        let n = 6 + (self.next_u64() % 15) as usize;
        (0..n)
            .map(|_| self.word().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

struct Bench {
    url: String,
    http: reqwest::Client,
    token: String,
    team_id: String,
    channels: Vec<String>,
    user_id: String,
}

impl Bench {
    async fn send(
        &self,
        path: &str,
        body: Value,
        token: Option<&str>,
    ) -> (u16, Value, Option<String>) {
        let mut request = self.http.post(format!("{}{path}", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let token = response
            .headers()
            .get("token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, response.json().await.unwrap_or(Value::Null), token)
    }
}

async fn set_up(url: String) -> Bench {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client");
    let mut bench = Bench {
        url,
        http,
        token: String::new(),
        team_id: String::new(),
        channels: Vec::new(),
        user_id: String::new(),
    };
    let (status, user, _) = bench
        .send(
            "/api/v4/users",
            json!({"username": "searcher", "email": "searcher@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, 201, "{user}");
    bench.user_id = user["id"].as_str().unwrap().to_string();
    let (status, _, token) = bench
        .send(
            "/api/v4/users/login",
            json!({"login_id": "searcher", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, 200);
    bench.token = token.expect("token");
    let (status, team, _) = bench
        .send(
            "/api/v4/teams",
            json!({"name": "bench", "display_name": "Bench", "type": "O"}),
            Some(&bench.token),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    bench.team_id = team["id"].as_str().unwrap().to_string();
    for i in 0..CHANNELS {
        let (status, channel, _) = bench
            .send(
                "/api/v4/channels",
                json!({"team_id": bench.team_id, "name": format!("room-{i}"), "display_name": format!("Room {i}"), "type": "O"}),
                Some(&bench.token),
            )
            .await;
        assert_eq!(status, 201, "{channel}");
        bench
            .channels
            .push(channel["id"].as_str().unwrap().to_string());
    }
    bench
}

/// Raw multi-row INSERTs of the generated posts (the API is not what is measured here).
macro_rules! seed {
    ($pool:expr, $db:ty, $bench:expr, $posts:expr) => {{
        let mut words = Words::new(50_000);
        let base = townsquare::time::now_ms() - $posts as i64 * 1_000;
        let mut done = 0usize;
        while done < $posts {
            let mut tx = $pool.begin().await.expect("begin");
            for _ in 0..50 {
                if done >= $posts {
                    break;
                }
                let rows = SEED_BATCH.min($posts - done);
                let mut insert: QueryBuilder<$db> = QueryBuilder::new(
                    "INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message) ",
                );
                insert.push_values(done..done + rows, |mut row, i| {
                    let at = base + i as i64 * 1_000;
                    row.push_bind(new_id())
                        .push_bind(at)
                        .push_bind(at)
                        .push_bind($bench.user_id.clone())
                        .push_bind($bench.channels[i % CHANNELS].clone())
                        .push_bind(words.message());
                });
                insert.build().execute(&mut *tx).await.expect("seed");
                done += rows;
            }
            tx.commit().await.expect("commit");
        }
        sqlx::query(
            "INSERT INTO posts_fts_backfill (post_id) SELECT id FROM posts WHERE original_id = '' \
             ON CONFLICT (post_id) DO NOTHING",
        )
        .execute($pool)
        .await
        .expect("queue the posts");
    }};
}

async fn search_phase(bench: &Bench, searches: usize) -> Vec<(String, Vec<Duration>)> {
    let mut words = Words::new(50_000);
    let common = words.words[2].clone();
    let other = words.words[5].clone();
    let rare = words.words[20_000].clone();
    let prefix: String = words.words[40].chars().take(3).collect();
    // A phrase that occurs: two adjacent words of a generated message.
    let sample = words.message();
    let mut pair = sample.split(' ');
    let phrase = format!("\"{} {}\"", pair.next().unwrap(), pair.next().unwrap());
    let kinds = [
        ("rare word", rare.clone()),
        ("common word", common.clone()),
        ("two words", format!("{common} {other}")),
        ("phrase", phrase),
        ("prefix", format!("{prefix}*")),
        ("from: and in:", format!("{other} from:searcher in:room-3")),
    ];
    let path = format!("/api/v4/teams/{}/posts/search", bench.team_id);
    let mut out = Vec::new();
    for (label, terms) in kinds {
        let mut times = Vec::with_capacity(searches);
        let mut found = 0;
        for i in 0..searches + 5 {
            let started = Instant::now();
            let (status, body, _) = bench
                .send(
                    &path,
                    json!({"terms": terms, "per_page": 60}),
                    Some(&bench.token),
                )
                .await;
            let elapsed = started.elapsed();
            assert_eq!(status, 200, "{body}");
            found = body["order"].as_array().map(Vec::len).unwrap_or(0);
            // The first few warm the caches.
            if i >= 5 {
                times.push(elapsed);
            }
        }
        times.sort();
        println!(
            "search {label:<14} terms={terms:<32} results={found:>3} p50={} p99={}",
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0))
        );
        out.push((label.to_string(), times));
    }
    out
}

fn multipart(channel_id: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----townsquare-bench-boundary";
    let mut body = Vec::with_capacity(bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"channel_id\"\r\n\r\n{channel_id}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"blob.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload_phase(bench: &Bench, dir: &std::path::Path, uploads: usize) -> (f64, f64) {
    let bytes: Vec<u8> = (0..UPLOAD_BYTES).map(|i| (i * 31 % 251) as u8).collect();
    let (content_type, body) = multipart(&bench.channels[0], &bytes);
    let url = format!("{}/api/v4/files", bench.url);
    let started = Instant::now();
    for _ in 0..uploads {
        let response = bench
            .http
            .post(&url)
            .bearer_auth(&bench.token)
            .header("content-type", &content_type)
            .body(body.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status().as_u16(), 201);
        response.bytes().await.expect("body");
    }
    let server = started.elapsed();
    // Floor: the same bytes written, fsynced and renamed in the same file system.
    let floor_dir = dir.join("floor");
    tokio::fs::create_dir_all(&floor_dir).await.expect("dir");
    let started = Instant::now();
    for i in 0..uploads {
        let temp = floor_dir.join(format!("{i}.part"));
        let mut file = tokio::fs::File::create(&temp).await.expect("create");
        file.write_all(&bytes).await.expect("write");
        file.sync_all().await.expect("fsync");
        drop(file);
        tokio::fs::rename(&temp, floor_dir.join(format!("{i}")))
            .await
            .expect("rename");
    }
    let floor = started.elapsed();
    let mib = uploads as f64 * UPLOAD_BYTES as f64 / (1024.0 * 1024.0);
    (mib / server.as_secs_f64(), mib / floor.as_secs_f64())
}

#[derive(Clone, Copy)]
struct Sizes {
    posts: usize,
    searches: usize,
    uploads: usize,
}

fn run(label: &str, pg_admin: Option<&str>, sizes: &Sizes) {
    let Sizes {
        posts,
        searches,
        uploads,
    } = *sizes;
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut config = Config::default();
        config.service.listen_address = "127.0.0.1:0".into();
        config.file.directory = dir.path().join("files").to_string_lossy().into_owned();
        config.log.enable_console = false;
        let pg_name = format!("ts_bench_search_{}", std::process::id());
        match pg_admin {
            None => {
                config.sql.data_source = dir.path().join("bench.db").to_string_lossy().into_owned();
            }
            Some(admin) => {
                let mut conn = sqlx::PgConnection::connect(admin).await.expect("pg");
                sqlx::query(&format!("CREATE DATABASE \"{pg_name}\""))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let mut url = url::Url::parse(admin).expect("url");
                url.set_path(&format!("/{pg_name}"));
                config.sql.data_source = url.to_string();
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let server = Server::with_listener(config, RuntimeEnv::test(), listener)
            .await
            .expect("server starts");
        let url = format!("http://{}", server.local_addr());
        let store = server.state().store.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        let bench = set_up(url).await;

        let started = Instant::now();
        match store.pools() {
            Pools::Sqlite { write, .. } => seed!(write, sqlx::Sqlite, bench, posts),
            Pools::Postgres(pool) => seed!(pool, sqlx::Postgres, bench, posts),
        }
        let seeded = started.elapsed();
        let started = Instant::now();
        let mut indexed = 0u64;
        loop {
            let n = store.backfill_search_index().await.expect("backfill");
            if n == 0 {
                break;
            }
            indexed += n;
        }
        let indexing = started.elapsed();
        if let Pools::Postgres(pool) = store.pools() {
            sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
        }
        println!(
            "{label}: seeded {posts} posts in {:.1} s; indexed {indexed} through the backfill in {:.1} s ({:.0} posts/s)",
            seeded.as_secs_f64(),
            indexing.as_secs_f64(),
            indexed as f64 / indexing.as_secs_f64()
        );
        let results = search_phase(&bench, searches).await;
        let mut all: Vec<Duration> = results.into_iter().flat_map(|(_, t)| t).collect();
        all.sort();
        println!(
            "{label}: search overall p50={} p99={} max={} (M16 target: p99 <= 200 ms at 10M)",
            ms(percentile(&all, 50.0)),
            ms(percentile(&all, 99.0)),
            ms(*all.last().unwrap_or(&Duration::ZERO))
        );
        let (server, floor) = upload_phase(&bench, dir.path(), uploads).await;
        println!(
            "{label}: uploads of 1 MiB: server {server:.1} MiB/s, floor {floor:.1} MiB/s, ratio {:.2}",
            server / floor
        );
        let _ = tx.send(());
        let _ = serving.await;
        store.close().await;
        if let Some(admin) = pg_admin {
            let mut conn = sqlx::PgConnection::connect(admin).await.expect("pg");
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{pg_name}\" WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    });
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`) this is a smoke run
    // on a small database.
    let bench_mode = std::env::args().any(|arg| arg == "--bench");
    let sizes = if bench_mode {
        Sizes {
            posts: env_usize("TS_BENCH_POSTS", 1_000_000),
            searches: env_usize("TS_BENCH_SEARCHES", 200),
            uploads: env_usize("TS_BENCH_UPLOADS", 40),
        }
    } else {
        Sizes {
            posts: 2_000,
            searches: 3,
            uploads: 2,
        }
    };
    run("sqlite", None, &sizes);
    match std::env::var("TS_BENCH_PG_URL") {
        Ok(pg) if !pg.is_empty() => run("postgres", Some(&pg), &sizes),
        _ => println!("search: TS_BENCH_PG_URL not set, PostgreSQL skipped"),
    }
}
