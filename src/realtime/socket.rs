//! One WebSocket from upgrade to close: authentication, `hello` (or a resume), then a single
//! task that writes queued frames with their sequence numbers, answers actions, pings the
//! peer and drops it when it goes silent, is too slow or loses its session.
//!
//! Delivery only: authenticating a token and answering client actions are the API side's
//! job, reached through [`SocketHandler`] (called per incoming message, never per frame).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::time::{timeout, Instant};

use super::actions::{self, Request};
use super::event::{Broadcast, Event, Frame};
use super::hub::{CloseReason, Connection, Hub};
use super::resume::{Resumable, Ring};
use crate::id::new_id;

/// Frames written before one flush, so a burst costs one syscall, not one each.
const WRITE_BATCH: usize = 64;

/// A client's request to continue an earlier connection.
#[derive(Debug, Clone, Default)]
pub struct ResumeRequest {
    pub connection_id: String,
    pub sequence_number: Option<u64>,
}

/// The socket's timers and queue size (from `WebSocketSettings`).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub ping: Duration,
    pub read: Duration,
    pub write: Duration,
    pub auth: Duration,
    pub resume_window: Duration,
    pub queue: usize,
}

/// Whose socket this is: what delivery needs of an authenticated session.
#[derive(Debug, Clone)]
pub struct SocketSession {
    pub user_id: String,
    pub session_id: String,
    /// When the session expires (ms), 0 for never; the socket closes then.
    pub expires_at: i64,
}

/// What a socket asks of the API side. Called once per incoming message or connection,
/// never per delivered frame.
pub trait SocketHandler: Send + Sync + 'static {
    /// The session of a token sent in `authentication_challenge`; `None` when the token is
    /// not valid, `Err` when it could not be checked (the socket closes with 1011).
    fn authenticate(
        &self,
        token: &str,
    ) -> impl Future<Output = crate::Result<Option<SocketSession>>> + Send;

    /// The socket is authenticated (presence follows connections).
    fn connected(&self, user_id: &str) -> impl Future<Output = ()> + Send;

    /// One valid client action of an authenticated user; returns the reply text.
    fn action(&self, user_id: &str, request: &Request) -> impl Future<Output = String> + Send;

    /// `hello.server_version`.
    fn server_version(&self) -> String;
}

/// Runs a socket to its end. `permit` is an admission slot, released once authenticated.
pub async fn run<H: SocketHandler>(
    handler: H,
    hub: Arc<Hub>,
    timing: Timing,
    mut socket: WebSocket,
    auth: Option<SocketSession>,
    resume: ResumeRequest,
    permit: OwnedSemaphorePermit,
) {
    let (auth, reply) = match auth {
        Some(auth) => (auth, None),
        None => match challenge(&handler, &mut socket, &timing).await {
            Some(found) => found,
            None => return,
        },
    };
    drop(permit);
    handler.connected(&auth.user_id).await;
    let Some(mut live) = attach(&handler, &hub, &mut socket, &auth, &resume, &timing).await else {
        return;
    };
    if let Some(reply) = reply {
        if !write(&mut socket, reply, timing.write).await {
            finish(&hub, live, &timing, false);
            return;
        }
    }
    // Only what the loop needs stays alive: an idle socket should cost little memory.
    let expires_at = auth.expires_at;
    drop(auth);
    let peer_gone = serve(&handler, &mut socket, expires_at, &mut live, &timing).await;
    finish(&hub, live, &timing, peer_gone);
}

/// The unauthenticated phase: waits for `authentication_challenge`. Returns the session and
/// the reply to send after `hello`, or `None` when the socket was closed.
async fn challenge<H: SocketHandler>(
    handler: &H,
    socket: &mut WebSocket,
    timing: &Timing,
) -> Option<(SocketSession, Option<String>)> {
    let deadline = tokio::time::sleep(timing.auth);
    tokio::pin!(deadline);
    loop {
        let message = tokio::select! {
            _ = &mut deadline => {
                tracing::debug!("websocket closed: not authenticated in time");
                close(socket, 1008, "authentication timeout").await;
                return None;
            }
            message = socket.recv() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        };
        let Ok(request) = serde_json::from_str::<Request>(text.as_str()) else {
            continue;
        };
        if let Err(error) = actions::validate(&request) {
            let _ = write(socket, actions::fail(request.seq, &error), timing.write).await;
            continue;
        }
        if request.action != "authentication_challenge" {
            let reply = actions::fail(request.seq, &actions::not_authenticated());
            let _ = write(socket, reply, timing.write).await;
            continue;
        }
        let token = request
            .data
            .get("token")
            .and_then(|t| t.as_str())
            .unwrap_or("");
        match handler.authenticate(token).await {
            Ok(Some(auth)) => return Some((auth, Some(actions::ok(request.seq, None)))),
            Ok(None) => {
                let reply = actions::fail(request.seq, &actions::not_authenticated());
                let _ = write(socket, reply, timing.write).await;
                close(socket, 1008, "authentication failed").await;
                return None;
            }
            Err(err) => {
                tracing::warn!(error = %err, "websocket authentication failed");
                close(socket, 1011, "try again later").await;
                return None;
            }
        }
    }
}

/// A connection attached to a socket.
struct Live {
    connection: Arc<Connection>,
    queue: mpsc::Receiver<Frame>,
    next_seq: u64,
    ring: Ring,
}

/// Registers the connection: resumes a kept one when the client's position is still
/// buffered (replaying what it missed), otherwise starts fresh with `hello` at seq 0.
async fn attach<H: SocketHandler>(
    handler: &H,
    hub: &Hub,
    socket: &mut WebSocket,
    auth: &SocketSession,
    resume: &ResumeRequest,
    timing: &Timing,
) -> Option<Live> {
    if let (false, Some(seq)) = (resume.connection_id.is_empty(), resume.sequence_number) {
        if let Some(kept) = hub.resume(&resume.connection_id, &auth.user_id) {
            match kept.ring.replay_from(seq, kept.next_seq) {
                Some(missed) => {
                    tracing::debug!(connection_id = %kept.connection.id, replayed = missed.len(), "websocket resumed");
                    for (seq, frame) in missed {
                        if !write(socket, frame.with_seq(seq), timing.write).await {
                            hub.discard(kept);
                            return None;
                        }
                    }
                    return Some(Live {
                        connection: kept.connection,
                        queue: kept.queue,
                        next_seq: kept.next_seq,
                        ring: kept.ring,
                    });
                }
                None => hub.discard(kept),
            }
        }
    }
    let (tx, queue) = mpsc::channel(timing.queue);
    let connection = Arc::new(Connection::new(
        new_id(),
        auth.user_id.clone(),
        auth.session_id.clone(),
        tx,
    ));
    hub.register(connection.clone());
    let hello = Event::new("hello", Broadcast::user(&auth.user_id))
        .with("connection_id", connection.id.clone())
        .with("server_version", handler.server_version())
        .with("server_hostname", super::hostname());
    let mut live = Live {
        connection,
        queue,
        next_seq: 0,
        ring: Ring::default(),
    };
    if !send_frame(socket, &mut live, hello.encode(), timing).await {
        hub.unregister(&live.connection);
        return None;
    }
    Some(live)
}

/// The main loop. Returns whether the peer went away (so the connection may be resumed)
/// rather than being closed by the server.
async fn serve<H: SocketHandler>(
    handler: &H,
    socket: &mut WebSocket,
    expires_at: i64,
    live: &mut Live,
    timing: &Timing,
) -> bool {
    let mut ping = tokio::time::interval_at(Instant::now() + timing.ping, timing.ping);
    let mut last_read = Instant::now();
    let connection = live.connection.clone();
    // Registered once, not once per frame.
    let closed = connection.closed();
    tokio::pin!(closed);
    loop {
        tokio::select! {
            biased;
            _ = &mut closed => {
                let reason = connection.close_reason();
                let (code, text) = match reason {
                    CloseReason::SlowConsumer => (1013, "too slow"),
                    CloseReason::Shutdown => (1001, "server shutting down"),
                    _ => (1008, "session ended"),
                };
                close(socket, code, text).await;
                return false;
            }
            // Reads first: a busy stream of events must not starve pongs and actions (and so
            // trip the read timeout).
            message = socket.recv() => {
                last_read = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        let Ok(request) = serde_json::from_str::<Request>(text.as_str()) else {
                            continue;
                        };
                        let reply = match actions::validate(&request) {
                            Err(error) => actions::fail(request.seq, &error),
                            // Already authenticated: the challenge is ignored without a reply.
                            Ok(()) if request.action == "authentication_challenge" => continue,
                            Ok(()) => handler.action(&connection.user_id, &request).await,
                        };
                        if !write(socket, reply, timing.write).await {
                            return true;
                        }
                    }
                    // Pings are answered by the protocol layer; pongs (asked for or not) and
                    // binary frames only count as activity.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => {}
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return true,
                }
            }
            frame = live.queue.recv() => {
                let Some(frame) = frame else { return false };
                if !send_batch(socket, live, frame, timing).await {
                    return true;
                }
            }
            _ = ping.tick() => {
                if last_read.elapsed() > timing.read {
                    tracing::debug!(connection_id = %connection.id, "websocket peer silent: closing");
                    return true;
                }
                if expires_at != 0 && expires_at < crate::time::now_ms() {
                    close(socket, 1008, "session expired").await;
                    return false;
                }
                let ping = Message::Ping(bytes::Bytes::new());
                if !matches!(timeout(timing.write, socket.send(ping)).await, Ok(Ok(()))) {
                    return true;
                }
            }
        }
    }
}

/// Writes one frame and whatever else is already queued, then flushes once. The write is
/// first tried without a timer (a socket with room in its buffer completes at once); only a
/// write that has to wait gets the write timeout.
async fn send_batch(
    socket: &mut WebSocket,
    live: &mut Live,
    first: Frame,
    timing: &Timing,
) -> bool {
    let write = write_batch(socket, live, first, timing.resume_window > Duration::ZERO);
    tokio::pin!(write);
    let result = match futures::poll!(&mut write) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => match timeout(timing.write, write).await {
            Ok(result) => result,
            Err(_) => return false,
        },
    };
    result.is_ok()
}

async fn write_batch(
    socket: &mut WebSocket,
    live: &mut Live,
    first: Frame,
    keep_for_resume: bool,
) -> Result<(), axum::Error> {
    use futures::SinkExt;
    let mut next = Some(first);
    let mut written = 0;
    while let Some(frame) = next.take() {
        let text = frame.with_seq(live.next_seq);
        if keep_for_resume {
            live.ring.push(live.next_seq, frame);
        }
        live.next_seq += 1;
        socket.feed(Message::Text(text.into())).await?;
        written += 1;
        if written < WRITE_BATCH {
            next = live.queue.try_recv().ok();
        }
    }
    socket.flush().await
}

async fn send_frame(
    socket: &mut WebSocket,
    live: &mut Live,
    frame: Frame,
    timing: &Timing,
) -> bool {
    let text = frame.with_seq(live.next_seq);
    if timing.resume_window > Duration::ZERO {
        live.ring.push(live.next_seq, frame);
    }
    live.next_seq += 1;
    write(socket, text, timing.write).await
}

async fn write(socket: &mut WebSocket, text: String, limit: Duration) -> bool {
    matches!(
        timeout(limit, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

/// After the socket ended: keep the connection for a resume if the peer just went away,
/// otherwise remove it.
fn finish(hub: &Arc<Hub>, live: Live, timing: &Timing, peer_gone: bool) {
    let closed_by_server = live.connection.close_reason() != CloseReason::None;
    if peer_gone && !closed_by_server && timing.resume_window > Duration::ZERO {
        hub.detach(
            Resumable {
                connection: live.connection,
                queue: live.queue,
                next_seq: live.next_seq,
                ring: live.ring,
            },
            timing.resume_window,
        );
    } else {
        hub.unregister(&live.connection);
    }
}
