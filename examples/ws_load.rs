//! A lean WebSocket load client (the seed of the load tool): `posted` delivery latency from
//! "post request starts" to "frame received" at N connected members with P concurrent
//! posters, delivered frames per server CPU-second, and server memory per idle socket.
//!
//! ```sh
//! # Townsquare (a release server started with MM_SERVICEENVIRONMENT=test so that creating
//! # thousands of accounts is quick; hashing is not on the measured path):
//! cargo run --release --example ws_load -- run --url http://127.0.0.1:8065 \
//!     --members 1000 --posters 4 --posts 50 --interval-ms 100 --server-pid $(pgrep -n townsquare)
//! # The floor (F4): raw tokio + tungstenite writing one pre-encoded body per post to every
//! # socket with its seq spliced in, measured by the same client:
//! cargo run --release --example ws_load -- floor --listen 127.0.0.1:9100 &
//! cargo run --release --example ws_load -- run --floor ws://127.0.0.1:9100 --members 1000 \
//!     --posters 4 --posts 50 --interval-ms 100 --server-pid <floor pid>
//! ```

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect members, post, measure.
    Run(RunArgs),
    /// Serve the raw fan-out floor.
    Floor {
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: String,
    },
}

#[derive(Parser, Clone)]
struct RunArgs {
    /// Townsquare base URL.
    #[arg(long, default_value = "http://127.0.0.1:8065")]
    url: String,
    /// Measure the floor server at this ws:// URL instead of Townsquare.
    #[arg(long)]
    floor: Option<String>,
    #[arg(long, default_value_t = 100)]
    members: usize,
    #[arg(long, default_value_t = 4)]
    posters: usize,
    /// Posts per poster.
    #[arg(long, default_value_t = 50)]
    posts: usize,
    /// Pause between one poster's posts.
    #[arg(long, default_value_t = 100)]
    interval_ms: u64,
    /// Server process, for memory per socket and CPU time.
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value = "ws-load-admin")]
    admin: String,
    #[arg(long, default_value = "Load-Passw0rd!")]
    password: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    match Cli::parse().command {
        Command::Run(args) => run(args).await,
        Command::Floor { listen } => floor(&listen).await,
    }
}

/// Send instants (ns since `epoch`) of every post, and what the members measured.
struct Shared {
    epoch: Instant,
    sent_ns: Vec<AtomicU64>,
    latencies_us: Mutex<Vec<u32>>,
    received: AtomicUsize,
}

async fn run(args: RunArgs) -> Result<()> {
    let total_posts = args.posters * args.posts;
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        sent_ns: (0..total_posts).map(|_| AtomicU64::new(0)).collect(),
        latencies_us: Mutex::new(Vec::with_capacity(total_posts * args.members)),
        received: AtomicUsize::new(0),
    });
    let (ws_url, tokens, poster_target) = match &args.floor {
        Some(url) => (url.clone(), vec![String::new(); args.members], None),
        None => {
            let setup = setup(&args).await?;
            let ws = format!("{}/api/v4/websocket", args.url.replacen("http", "ws", 1));
            (
                ws,
                setup.tokens,
                Some((setup.channel_id, setup.poster_tokens)),
            )
        }
    };
    // The same posting with nobody connected: the server CPU of the post requests alone, to
    // be subtracted so the frames/CPU figure is about fan-out.
    let baseline_cpu = match args.server_pid {
        Some(pid) => {
            let before = cpu_ticks(pid);
            post_all(&args, &ws_url, poster_target.as_ref(), &shared).await?;
            tokio::time::sleep(Duration::from_millis(500)).await;
            before.zip(cpu_ticks(pid)).map(|(a, b)| b - a)
        }
        None => None,
    };
    let rss_before = args.server_pid.and_then(rss_kib);
    eprintln!("connecting {} sockets", args.members);
    let connected = Instant::now();
    let gate = Arc::new(Semaphore::new(256));
    let mut connecting = Vec::with_capacity(args.members);
    for token in tokens {
        let gate = gate.clone();
        let url = ws_url.clone();
        connecting.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            connect(&url, &token).await
        }));
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::with_capacity(args.members);
    for pending in connecting {
        let stream = pending.await??;
        tasks.push(tokio::spawn(member(
            stream,
            shared.clone(),
            total_posts,
            stop_rx.clone(),
        )));
    }
    eprintln!("connected in {:?}", connected.elapsed());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = args.server_pid.and_then(rss_kib);
    let cpu_before = args.server_pid.and_then(cpu_ticks);
    let started = Instant::now();
    post_all(&args, &ws_url, poster_target.as_ref(), &shared).await?;
    let expected = total_posts * args.members;
    let deadline = Instant::now() + Duration::from_secs(60);
    while shared.received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let cpu_after = args.server_pid.and_then(cpu_ticks);
    // Members stop and hand in what they measured (late frames count as undelivered).
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    let mut latencies = std::mem::take(&mut *shared.latencies_us.lock().unwrap());
    latencies.sort_unstable();
    let received = shared.received.load(Ordering::Relaxed);
    let pct = |q: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i] as f64 / 1000.0
    };
    println!(
        "target={} members={} posters={} posts={} interval_ms={}",
        if args.floor.is_some() {
            "floor"
        } else {
            "townsquare"
        },
        args.members,
        args.posters,
        total_posts,
        args.interval_ms
    );
    println!(
        "delivered {received}/{expected} in {:.2}s; latency ms p50={:.2} p99={:.2} max={:.2}",
        elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    if let (Some(a), Some(b)) = (cpu_before, cpu_after) {
        let cpu_s = (b - a) as f64 / 100.0;
        let posting_s = baseline_cpu.unwrap_or(0) as f64 / 100.0;
        println!(
            "server cpu {:.2}s (posting alone {:.2}s); frames per server cpu-second {:.0}, fan-out only {:.0}",
            cpu_s,
            posting_s,
            received as f64 / cpu_s.max(0.01),
            received as f64 / (cpu_s - posting_s).max(0.01)
        );
    }
    if let (Some(before), Some(idle)) = (rss_before, rss_idle) {
        println!(
            "server rss {before} KiB -> {idle} KiB with {} idle sockets: {:.1} KiB per socket",
            args.members,
            (idle as f64 - before as f64) / args.members as f64
        );
    }
    Ok(())
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn connect(url: &str, token: &str) -> Result<Ws> {
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 16 * 1024;
    config.write_buffer_size = 0;
    for attempt in 0..20 {
        let mut request = url.into_client_request()?;
        if !token.is_empty() {
            request.headers_mut().insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {token}"))?,
            );
        }
        match tokio_tungstenite::connect_async_with_config(request, Some(config), true).await {
            Ok((mut ws, _)) => {
                // hello (Townsquare) or the floor's first frame.
                match ws.next().await {
                    Some(Ok(Message::Text(_))) => return Ok(ws),
                    other => bail!("no hello: {other:?}"),
                }
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 503 => {
                // Admission control: back off as told.
                tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
    bail!("server kept refusing the upgrade")
}

/// Reads frames; records the latency of every `posted` carrying a load marker.
async fn member(
    mut ws: Ws,
    shared: Arc<Shared>,
    total_posts: usize,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut local = Vec::with_capacity(total_posts);
    loop {
        let message = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            message = ws.next() => message,
        };
        let Some(Ok(message)) = message else { break };
        let Message::Text(text) = message else {
            continue;
        };
        let now = shared.epoch.elapsed().as_nanos() as u64;
        if let Some(index) = marker(text.as_str()) {
            if let Some(sent) = shared.sent_ns.get(index) {
                let sent = sent.load(Ordering::Acquire);
                local.push((now.saturating_sub(sent) / 1000) as u32);
                shared.received.fetch_add(1, Ordering::Relaxed);
                if local.len() == total_posts {
                    break;
                }
            }
        }
    }
    shared.latencies_us.lock().unwrap().extend(local);
}

/// The post index in a frame's `message` (`L<index>`), without parsing the JSON.
fn marker(text: &str) -> Option<usize> {
    const KEY: &str = r#"message\":\"L"#;
    let at = text.find(KEY)? + KEY.len();
    let digits: &str = &text[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Runs every poster concurrently until each has made its posts.
async fn post_all(
    args: &RunArgs,
    ws_url: &str,
    target: Option<&(String, Vec<String>)>,
    shared: &Arc<Shared>,
) -> Result<()> {
    let mut posters = Vec::new();
    for p in 0..args.posters {
        let shared = shared.clone();
        let args = args.clone();
        let target = target.cloned();
        let url = ws_url.to_string();
        posters.push(tokio::spawn(async move {
            poster(p, &args, &url, target.as_ref(), &shared).await
        }));
    }
    for p in posters {
        p.await??;
    }
    Ok(())
}

async fn poster(
    p: usize,
    args: &RunArgs,
    ws_url: &str,
    target: Option<&(String, Vec<String>)>,
    shared: &Shared,
) -> Result<()> {
    let http = reqwest::Client::new();
    let mut floor_ws = match target {
        None => Some(connect(ws_url, "").await?),
        Some(_) => None,
    };
    for s in 0..args.posts {
        let index = p * args.posts + s;
        let message = format!("L{index}");
        shared.sent_ns[index].store(shared.epoch.elapsed().as_nanos() as u64, Ordering::Release);
        match (target, floor_ws.as_mut()) {
            (Some((channel_id, tokens)), _) => {
                let response = http
                    .post(format!("{}/api/v4/posts", args.url))
                    .bearer_auth(&tokens[p % tokens.len()])
                    .json(&json!({"channel_id": channel_id, "message": message}))
                    .send()
                    .await?;
                if response.status() != 201 {
                    bail!("post failed: {}", response.status());
                }
            }
            (None, Some(ws)) => ws.send(Message::Text(message.into())).await?,
            (None, None) => unreachable!("a floor poster has a socket"),
        }
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
    Ok(())
}

struct Setup {
    tokens: Vec<String>,
    poster_tokens: Vec<String>,
    channel_id: String,
}

/// An admin, a team, `members` accounts on it (their tokens), and town-square.
async fn setup(args: &RunArgs) -> Result<Setup> {
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{}/api/v4{path}", args.url);
    let admin = match login(&http, &args.url, &args.admin, &args.password).await {
        Ok(token) => token,
        Err(_) => {
            http.post(api("/users"))
                .json(&json!({"username": args.admin, "email": format!("{}@example.com", args.admin), "password": args.password}))
                .send()
                .await?;
            login(&http, &args.url, &args.admin, &args.password).await?
        }
    };
    let run_id = format!("{:x}", std::process::id() ^ rand_suffix());
    let team: Value = http
        .post(api("/teams"))
        .bearer_auth(&admin)
        .json(&json!({"name": format!("wsload{run_id}"), "display_name": "WS load", "type": "O"}))
        .send()
        .await?
        .json()
        .await?;
    let team_id = team["id"].as_str().context("team id")?.to_string();
    eprintln!("creating {} accounts", args.members);
    let gate = Arc::new(Semaphore::new(16));
    let mut jobs = Vec::new();
    for i in 0..args.members {
        let http = http.clone();
        let admin = admin.clone();
        let gate = gate.clone();
        let users_url = api("/users");
        let base = args.url.clone();
        let username = format!("wl{run_id}x{i}");
        jobs.push(tokio::spawn(async move {
            let _permit = gate.acquire().await?;
            let user: Value = http
                .post(users_url)
                .bearer_auth(&admin)
                .json(&json!({"username": username, "email": format!("{username}@example.com"), "password": "Load-Passw0rd!"}))
                .send()
                .await?
                .json()
                .await?;
            let id = user["id"].as_str().context("user id")?.to_string();
            let token = login(&http, &base, &username, "Load-Passw0rd!").await?;
            Ok::<(String, String), anyhow::Error>((id, token))
        }));
    }
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for job in jobs {
        let (id, token) = job.await??;
        ids.push(id);
        tokens.push(token);
    }
    for chunk in ids.chunks(256) {
        let body: Vec<Value> = chunk
            .iter()
            .map(|id| json!({"team_id": team_id, "user_id": id}))
            .collect();
        let r = http
            .post(api(&format!("/teams/{team_id}/members/batch")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("adding members: {}", r.status());
        }
    }
    let channel: Value = http
        .get(api(&format!("/teams/{team_id}/channels/name/town-square")))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    let poster_tokens = tokens.iter().take(args.posters.max(1)).cloned().collect();
    Ok(Setup {
        tokens,
        poster_tokens,
        channel_id: channel["id"].as_str().context("channel id")?.to_string(),
    })
}

async fn login(http: &reqwest::Client, base: &str, user: &str, password: &str) -> Result<String> {
    let r = http
        .post(format!("{base}/api/v4/users/login"))
        .json(&json!({"login_id": user, "password": password}))
        .send()
        .await?;
    if r.status() != 200 {
        bail!("login {user}: {}", r.status());
    }
    Ok(r.headers()
        .get("token")
        .context("Token header")?
        .to_str()?
        .to_string())
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// utime + stime of a process, in clock ticks (100 per second on Linux).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// The F4 floor: every text message received is encoded once as a `posted`-sized event body
/// and written to every socket with that socket's seq spliced in.
async fn floor(listen: &str) -> Result<()> {
    let listener = TcpListener::bind(listen).await?;
    let (tx, _) = broadcast::channel::<Arc<Vec<u8>>>(1024);
    eprintln!("floor listening on {listen}");
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut config = WebSocketConfig::default();
            config.read_buffer_size = 4 * 1024;
            config.write_buffer_size = 0;
            let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await
            else {
                return;
            };
            let mut rx = tx.subscribe();
            let mut seq = 0u64;
            let hello = br#"{"event":"hello","data":{},"broadcast":{}"#.to_vec();
            if ws.send(spliced(&hello, seq)).await.is_err() {
                return;
            }
            seq += 1;
            loop {
                tokio::select! {
                    body = rx.recv() => match body {
                        Ok(body) => {
                            if ws.send(spliced(&body, seq)).await.is_err() { return; }
                            seq += 1;
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => return,
                        Err(_) => return,
                    },
                    message = ws.next() => match message {
                        Some(Ok(Message::Text(text))) => { let _ = tx.send(Arc::new(posted_body(text.as_str()))); }
                        Some(Ok(_)) => {}
                        _ => return,
                    },
                }
            }
        });
    }
}

fn spliced(body: &[u8], seq: u64) -> Message {
    let mut text = String::with_capacity(body.len() + 24);
    text.push_str(std::str::from_utf8(body).unwrap_or("{"));
    text.push_str(&format!(",\"seq\":{seq}}}"));
    Message::Text(text.into())
}

/// About the size and shape of Townsquare's `posted` frame for a short message.
fn posted_body(message: &str) -> Vec<u8> {
    let post = json!({"id": "x".repeat(26), "create_at": 1, "update_at": 1, "edit_at": 0, "delete_at": 0,
        "is_pinned": false, "user_id": "u".repeat(26), "channel_id": "c".repeat(26), "root_id": "",
        "original_id": "", "message": message, "type": "", "props": {}, "hashtags": "", "file_ids": [],
        "pending_post_id": "", "reply_count": 0, "last_reply_at": 0, "participants": null, "metadata": {}});
    let event = json!({"channel_display_name": "Town Square", "channel_name": "town-square",
        "channel_type": "O", "post": post.to_string(), "sender_name": "@someone", "set_online": true,
        "team_id": "t".repeat(26)});
    let mut out = format!("{{\"event\":\"posted\",\"data\":{event}").into_bytes();
    out.extend_from_slice(
        br#","broadcast":{"omit_users":null,"user_id":"","channel_id":"cccccccccccccccccccccccccc","team_id":"","connection_id":"","omit_connection_id":""}"#,
    );
    out
}
