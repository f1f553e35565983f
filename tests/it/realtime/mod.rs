//! Real-time delivery (issue 7): `/api/v4/websocket` with real WebSocket clients.

mod delivery;
mod protocol;
mod resume;
mod sessions;
mod slow;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::chat::{join, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

/// How long a test waits for a frame that should come.
const WAIT: Duration = Duration::from_secs(5);
/// How long a test waits to be sure a frame does not come.
const QUIET: Duration = Duration::from_millis(400);

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a test client authenticates at upgrade.
pub enum Upgrade<'a> {
    None,
    Bearer(&'a str),
    Cookie(&'a str),
}

/// A WebSocket client that checks the protocol as it reads: every event's `seq` must be the
/// next one, replies must carry `seq_reply` and no `event`.
pub struct Ws {
    stream: Stream,
    next_seq: i64,
    next_action: i64,
    pub connection_id: String,
    /// Events read while looking for something else, in order.
    backlog: Vec<Value>,
}

pub fn ws_url(server: &TestServer, query: &str) -> String {
    let base = server.url.replacen("http://", "ws://", 1);
    if query.is_empty() {
        format!("{base}/api/v4/websocket")
    } else {
        format!("{base}/api/v4/websocket?{query}")
    }
}

/// Opens the socket without reading anything.
pub async fn open(server: &TestServer, upgrade: Upgrade<'_>, query: &str) -> Stream {
    let mut request = ws_url(server, query).into_client_request().unwrap();
    match upgrade {
        Upgrade::None => {}
        Upgrade::Bearer(token) => {
            request.headers_mut().insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
            );
        }
        Upgrade::Cookie(token) => {
            request.headers_mut().insert(
                "cookie",
                HeaderValue::from_str(&format!("MMAUTHTOKEN={token}")).unwrap(),
            );
        }
    }
    let (stream, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket upgrade");
    assert_eq!(response.status(), 101);
    stream
}

impl Ws {
    /// Connects with the token in the `Authorization` header and reads `hello`.
    pub async fn connect(server: &TestServer, user: &TestUser) -> Ws {
        let stream = open(server, Upgrade::Bearer(&user.token), "").await;
        Ws::after_hello(stream).await
    }

    /// Wraps a socket whose next frame must be `hello` with seq 0.
    pub async fn after_hello(stream: Stream) -> Ws {
        let mut ws = Ws {
            stream,
            next_seq: 0,
            next_action: 1,
            connection_id: String::new(),
            backlog: Vec::new(),
        };
        let hello = ws.next_frame().await.expect("hello");
        assert_eq!(hello["event"], "hello", "{hello}");
        assert_eq!(hello["seq"], 0);
        ws.connection_id = hello["data"]["connection_id"].as_str().unwrap().to_string();
        ws
    }

    /// Wraps a resumed socket that continues at `next_seq`.
    pub fn resumed(stream: Stream, connection_id: &str, next_seq: i64) -> Ws {
        Ws {
            stream,
            next_seq,
            next_action: 1,
            connection_id: connection_id.to_string(),
            backlog: Vec::new(),
        }
    }

    pub fn next_seq(&self) -> i64 {
        self.next_seq
    }

    /// The next text frame (event or reply), checking event numbering; `None` when closed.
    pub async fn next_frame(&mut self) -> Option<Value> {
        self.next_frame_within(WAIT).await
    }

    async fn next_frame_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(wait, self.stream.next())
                .await
                .ok()??;
            match message {
                Ok(Message::Text(text)) => {
                    let value: Value = serde_json::from_str(text.as_str()).expect("JSON frame");
                    if value.get("event").is_some() {
                        assert_eq!(
                            value["seq"], self.next_seq,
                            "event seq out of order: {value}"
                        );
                        self.next_seq += 1;
                    } else {
                        assert!(value.get("seq_reply").is_some(), "{value}");
                    }
                    return Some(value);
                }
                Ok(Message::Ping(_) | Message::Pong(_)) => continue,
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(other) => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// Waits for the named event (earlier events are kept in the backlog).
    pub async fn event(&mut self, name: &str) -> Value {
        if let Some(i) = self.backlog.iter().position(|e| e["event"] == name) {
            return self.backlog.remove(i);
        }
        loop {
            let frame = self
                .next_frame()
                .await
                .unwrap_or_else(|| panic!("socket closed while waiting for {name}"));
            if frame["event"] == name {
                return frame;
            }
            if frame.get("event").is_some() {
                self.backlog.push(frame);
            }
        }
    }

    /// Asserts the named event does not arrive within a short wait.
    pub async fn no_event(&mut self, name: &str) {
        assert!(
            !self.backlog.iter().any(|e| e["event"] == name),
            "unexpected {name} in backlog"
        );
        while let Some(frame) = self.next_frame_within(QUIET).await {
            assert_ne!(frame["event"], name, "unexpected event: {frame}");
            if frame.get("event").is_some() {
                self.backlog.push(frame);
            }
        }
    }

    /// Sends an action and returns its reply (events in between go to the backlog).
    pub async fn action(&mut self, action: &str, data: Value) -> Value {
        let seq = self.next_action;
        self.next_action += 1;
        self.send_text(&json!({"seq": seq, "action": action, "data": data}).to_string())
            .await;
        self.reply(seq).await
    }

    pub async fn reply(&mut self, seq: i64) -> Value {
        loop {
            let frame = self.next_frame().await.expect("reply before close");
            if frame["seq_reply"] == seq {
                assert!(frame.get("event").is_none(), "{frame}");
                return frame;
            }
            if frame.get("event").is_some() {
                self.backlog.push(frame);
            }
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send(&mut self, message: Message) {
        self.stream.send(message).await.expect("send");
    }

    /// Asserts the server closes the socket within `wait` (events before that are ignored).
    pub async fn closed_within(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            assert!(!left.is_zero(), "socket still open after {wait:?}");
            match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => panic!("socket still open after {wait:?}"),
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Drops the TCP connection without a close handshake.
    pub fn drop_connection(self) {
        drop(self.stream);
    }
}

/// Waits for a raw stream to be closed by the server.
pub async fn stream_closed_within(stream: &mut Stream, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        match tokio::time::timeout(left, stream.next()).await {
            Err(_) => return false,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// A team with admin, bob and carol as members; eve exists but is not on the team.
pub struct World {
    pub admin: TestUser,
    pub bob: TestUser,
    pub carol: TestUser,
    pub eve: TestUser,
    pub team_id: String,
    pub town: String,
}

pub async fn world(server: &TestServer) -> World {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = team(server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &carol).await;
    let town = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        admin,
        bob,
        carol,
        eve,
        team_id,
        town,
    }
}

pub fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

/// A nested object that Mattermost sends as a JSON string.
pub fn json_string(value: &Value) -> Value {
    serde_json::from_str(value.as_str().expect("a JSON string")).expect("valid JSON inside")
}
