//! The hub: which sockets are open for which user, and the dispatcher that routes each event
//! to exactly the connections allowed to see it.
//!
//! Publishing never blocks: app code pushes the event into an unbounded command queue, and one
//! dispatcher task routes events in publish order. Channel and team audiences come from a
//! member cache owned by that task, loaded from the store on a miss and updated by membership
//! commands that travel through the same queue. Because a membership change is queued after
//! its transaction commits and before any later event, an event published after a user's
//! removal is routed with the user already gone, and a cache load can never overwrite a newer
//! membership change (the dispatcher does one thing at a time). Each recipient connection gets
//! the pre-encoded frame through a bounded queue with `try_send`: a full queue evicts that
//! connection (log + counter) instead of waiting.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::{mpsc, Notify, Semaphore};

use super::event::{Event, Frame};
use super::resume::Resumable;
use crate::store::Store;

/// Cached channel audiences beyond this are dropped wholesale (they reload on demand).
const MAX_CACHED_AUDIENCES: usize = 20_000;

/// Why the server is closing a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseReason {
    None = 0,
    /// Session revoked, expired, or user deactivated.
    Revoked = 1,
    /// The send queue overflowed.
    SlowConsumer = 2,
    Shutdown = 3,
}

impl CloseReason {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Revoked,
            2 => Self::SlowConsumer,
            3 => Self::Shutdown,
            _ => Self::None,
        }
    }
}

/// One registered connection, shared by the hub and the socket task.
pub struct Connection {
    pub id: String,
    pub user_id: String,
    /// Session id, or access token id for token-authenticated sockets.
    pub session_id: String,
    tx: mpsc::Sender<Frame>,
    close: Notify,
    reason: AtomicU8,
}

impl Connection {
    pub fn new(id: String, user_id: String, session_id: String, tx: mpsc::Sender<Frame>) -> Self {
        Self {
            id,
            user_id,
            session_id,
            tx,
            close: Notify::new(),
            reason: AtomicU8::new(CloseReason::None as u8),
        }
    }

    /// Asks the socket task to close (it wakes at once).
    pub fn request_close(&self, reason: CloseReason) {
        self.reason.store(reason as u8, Ordering::Release);
        self.close.notify_one();
    }

    pub fn close_reason(&self) -> CloseReason {
        CloseReason::from_u8(self.reason.load(Ordering::Acquire))
    }

    /// Resolves when the hub asked this connection to close.
    pub async fn closed(&self) {
        self.close.notified().await;
    }
}

/// Counters for operators and tests.
#[derive(Default)]
pub struct Metrics {
    pub connections: AtomicU64,
    pub slow_consumer_evictions: AtomicU64,
    pub events_published: AtomicU64,
    pub frames_queued: AtomicU64,
    pub upgrades_refused: AtomicU64,
}

enum Command {
    Publish(Box<Event>),
    ChannelMember {
        channel_id: String,
        user_id: String,
        added: bool,
    },
    /// Team membership changed: its member set and every cached channel set may be stale.
    TeamChanged(String),
}

pub struct Hub {
    store: Store,
    /// user id -> that user's connections.
    users: DashMap<String, Vec<Arc<Connection>>>,
    /// Connections whose socket dropped, kept for a resume.
    detached: Mutex<HashMap<String, (u64, Resumable)>>,
    detach_epoch: AtomicU64,
    commands: OnceLock<mpsc::UnboundedSender<Command>>,
    /// Upgrades being authenticated; bounded so reconnect storms queue at the client.
    pub admission: Arc<Semaphore>,
    pub metrics: Metrics,
}

impl Hub {
    pub fn new(store: Store, max_concurrent_upgrades: usize) -> Arc<Self> {
        Arc::new(Self {
            admission: Arc::new(Semaphore::new(max_concurrent_upgrades.max(1))),
            store,
            users: DashMap::new(),
            detached: Mutex::new(HashMap::new()),
            detach_epoch: AtomicU64::new(0),
            commands: OnceLock::new(),
            metrics: Metrics::default(),
        })
    }

    /// The dispatcher's queue, starting the dispatcher on first use (inside the runtime).
    fn commands(self: &Arc<Self>) -> &mpsc::UnboundedSender<Command> {
        self.commands.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The task holds only a weak handle, so dropping the state ends it.
            tokio::spawn(dispatch(Arc::downgrade(self), rx));
            tx
        })
    }

    /// Queues an event for delivery. Call it only after the change it describes committed.
    pub fn publish(self: &Arc<Self>, event: Event) {
        self.metrics
            .events_published
            .fetch_add(1, Ordering::Relaxed);
        let _ = self.commands().send(Command::Publish(Box::new(event)));
    }

    /// Records a channel membership change (after commit, before publishing its events).
    pub fn channel_member_changed(self: &Arc<Self>, channel_id: &str, user_id: &str, added: bool) {
        let _ = self.commands().send(Command::ChannelMember {
            channel_id: channel_id.to_string(),
            user_id: user_id.to_string(),
            added,
        });
    }

    /// Records that a team's membership (and so its channels') changed.
    pub fn team_changed(self: &Arc<Self>, team_id: &str) {
        let _ = self
            .commands()
            .send(Command::TeamChanged(team_id.to_string()));
    }

    pub fn register(&self, connection: Arc<Connection>) {
        self.metrics.connections.fetch_add(1, Ordering::Relaxed);
        self.users
            .entry(connection.user_id.clone())
            .or_default()
            .push(connection);
    }

    pub fn unregister(&self, connection: &Connection) {
        let mut removed = false;
        if let Some(mut list) = self.users.get_mut(&connection.user_id) {
            let before = list.len();
            list.retain(|c| c.id != connection.id);
            removed = list.len() != before;
        }
        self.users
            .remove_if(&connection.user_id, |_, list| list.is_empty());
        if removed {
            self.metrics.connections.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Closes every connection of a user (deactivation, password change).
    pub fn close_user(&self, user_id: &str) {
        self.close_where(user_id, |_| true);
    }

    /// Closes the connections authenticated with one session or access token.
    pub fn close_session(&self, user_id: &str, session_id: &str) {
        self.close_where(user_id, |c| c.session_id == session_id);
    }

    fn close_where(&self, user_id: &str, matches: impl Fn(&Connection) -> bool) {
        let doomed: Vec<Arc<Connection>> = self
            .users
            .get(user_id)
            .map(|list| list.iter().filter(|c| matches(c)).cloned().collect())
            .unwrap_or_default();
        for connection in doomed {
            self.forget_detached(&connection.id);
            connection.request_close(CloseReason::Revoked);
            self.unregister(&connection);
            tracing::info!(connection_id = %connection.id, user_id, "websocket closed: session revoked");
        }
    }

    /// Closes every connection (server shutdown).
    pub fn close_all(&self) {
        for entry in self.users.iter() {
            for connection in entry.value() {
                connection.request_close(CloseReason::Shutdown);
            }
        }
    }

    /// Whether a user has a connection (attached or awaiting a resume).
    pub fn is_online(&self, user_id: &str) -> bool {
        self.users.contains_key(user_id)
    }

    /// Users with at least one open connection.
    pub fn online_user_ids(&self) -> Vec<String> {
        self.users.iter().map(|e| e.key().clone()).collect()
    }

    pub fn connection_count(&self) -> u64 {
        self.metrics.connections.load(Ordering::Relaxed)
    }

    /// Keeps a dropped connection's state for `window`; events keep queueing for it.
    pub fn detach(self: &Arc<Self>, state: Resumable, window: Duration) {
        let id = state.connection.id.clone();
        let epoch = self.detach_epoch.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut detached) = self.detached.lock() {
            detached.insert(id.clone(), (epoch, state));
        }
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            tokio::time::sleep(window).await;
            let Some(hub) = hub.upgrade() else { return };
            let expired =
                hub.detached
                    .lock()
                    .ok()
                    .and_then(|mut detached| match detached.get(&id) {
                        Some((e, _)) if *e == epoch => detached.remove(&id),
                        _ => None,
                    });
            if let Some((_, state)) = expired {
                hub.unregister(&state.connection);
            }
        });
    }

    /// Takes a detached connection back for `user_id`, if it is still kept.
    pub fn resume(&self, connection_id: &str, user_id: &str) -> Option<Resumable> {
        let mut detached = self.detached.lock().ok()?;
        match detached.get(connection_id) {
            Some((_, state)) if state.connection.user_id == user_id => {
                detached.remove(connection_id).map(|(_, state)| state)
            }
            _ => None,
        }
    }

    /// Drops a detached connection entirely (it can no longer be resumed).
    pub fn discard(&self, state: Resumable) {
        self.unregister(&state.connection);
    }

    fn forget_detached(&self, connection_id: &str) {
        if let Ok(mut detached) = self.detached.lock() {
            detached.remove(connection_id);
        }
    }

    fn evict_slow(&self, connection: &Arc<Connection>) {
        self.metrics
            .slow_consumer_evictions
            .fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            connection_id = %connection.id,
            user_id = %connection.user_id,
            "websocket send queue full: disconnecting slow consumer"
        );
        self.forget_detached(&connection.id);
        connection.request_close(CloseReason::SlowConsumer);
        self.unregister(connection);
    }

    /// Queues a frame without waiting; says what to do with a connection that cannot take it.
    fn try_offer(&self, connection: &Arc<Connection>, frame: Frame) -> Option<Eviction> {
        match connection.tx.try_send(frame) {
            Ok(()) => {
                self.metrics.frames_queued.fetch_add(1, Ordering::Relaxed);
                None
            }
            Err(mpsc::error::TrySendError::Full(_)) => Some(Eviction::Slow),
            Err(mpsc::error::TrySendError::Closed(_)) => Some(Eviction::Gone),
        }
    }
}

enum Eviction {
    Slow,
    Gone,
}

/// Member sets owned by the dispatcher task.
#[derive(Default)]
struct Audiences {
    channels: HashMap<String, Arc<HashSet<String>>>,
    teams: HashMap<String, Arc<HashSet<String>>>,
}

impl Audiences {
    async fn channel(&mut self, store: &Store, id: &str) -> Option<Arc<HashSet<String>>> {
        if let Some(set) = self.channels.get(id) {
            return Some(set.clone());
        }
        let ids = match store.channel_member_ids(id).await {
            Ok(ids) => ids,
            Err(err) => {
                tracing::warn!(error = %err, channel_id = id, "loading channel audience failed; event dropped");
                return None;
            }
        };
        if self.channels.len() >= MAX_CACHED_AUDIENCES {
            self.channels.clear();
        }
        let set = Arc::new(ids.into_iter().collect::<HashSet<_>>());
        self.channels.insert(id.to_string(), set.clone());
        Some(set)
    }

    async fn team(&mut self, store: &Store, id: &str) -> Option<Arc<HashSet<String>>> {
        if let Some(set) = self.teams.get(id) {
            return Some(set.clone());
        }
        let ids = match store.team_member_ids(id).await {
            Ok(ids) => ids,
            Err(err) => {
                tracing::warn!(error = %err, team_id = id, "loading team audience failed; event dropped");
                return None;
            }
        };
        if self.teams.len() >= MAX_CACHED_AUDIENCES {
            self.teams.clear();
        }
        let set = Arc::new(ids.into_iter().collect::<HashSet<_>>());
        self.teams.insert(id.to_string(), set.clone());
        Some(set)
    }
}

async fn dispatch(hub: std::sync::Weak<Hub>, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut audiences = Audiences::default();
    while let Some(command) = commands.recv().await {
        let Some(hub) = hub.upgrade() else { return };
        match command {
            Command::Publish(event) => deliver(&hub, &mut audiences, &event).await,
            Command::ChannelMember {
                channel_id,
                user_id,
                added,
            } => {
                if let Some(set) = audiences.channels.get_mut(&channel_id) {
                    let set = Arc::make_mut(set);
                    if added {
                        set.insert(user_id);
                    } else {
                        set.remove(&user_id);
                    }
                }
            }
            Command::TeamChanged(team_id) => {
                audiences.teams.remove(&team_id);
                // Joining or leaving a team changes memberships of several of its channels.
                audiences.channels.clear();
            }
        }
    }
}

/// One event's trip through the registry. Evictions are collected and applied after the
/// registry guards are released.
struct Delivery<'a> {
    hub: &'a Hub,
    event: &'a Event,
    base: Frame,
    evicted: Vec<(Arc<Connection>, Eviction)>,
}

impl Delivery<'_> {
    fn user(&mut self, user_id: &str) {
        let broadcast = &self.event.broadcast;
        if broadcast.omit_users.contains(user_id) {
            return;
        }
        let Some(list) = self.hub.users.get(user_id) else {
            return;
        };
        let personal = self.event.encode_for(user_id);
        for connection in list.iter() {
            if !broadcast.connection_id.is_empty() && broadcast.connection_id != connection.id {
                continue;
            }
            if broadcast.omit_connection_id == connection.id {
                continue;
            }
            let frame = personal.clone().unwrap_or_else(|| self.base.clone());
            if let Some(eviction) = self.hub.try_offer(connection, frame) {
                self.evicted.push((connection.clone(), eviction));
            }
        }
    }

    fn finish(self) {
        for (connection, eviction) in self.evicted {
            match eviction {
                Eviction::Slow => self.hub.evict_slow(&connection),
                Eviction::Gone => self.hub.unregister(&connection),
            }
        }
    }
}

async fn deliver(hub: &Hub, audiences: &mut Audiences, event: &Event) {
    let broadcast = &event.broadcast;
    let mut delivery = Delivery {
        hub,
        event,
        base: event.encode(),
        evicted: Vec::new(),
    };
    if !broadcast.user_id.is_empty() {
        delivery.user(&broadcast.user_id);
    } else if broadcast.channel_id.is_empty() && broadcast.team_id.is_empty() {
        for user_id in hub.online_user_ids() {
            delivery.user(&user_id);
        }
    } else {
        let members = if !broadcast.channel_id.is_empty() {
            audiences.channel(&hub.store, &broadcast.channel_id).await
        } else {
            audiences.team(&hub.store, &broadcast.team_id).await
        };
        if let Some(members) = members {
            // Walk whichever is smaller: the audience or the users online.
            if members.len() <= hub.users.len() {
                for user_id in members.iter() {
                    delivery.user(user_id);
                }
            } else {
                for user_id in hub.online_user_ids() {
                    if members.contains(&user_id) {
                        delivery.user(&user_id);
                    }
                }
            }
        }
    }
    delivery.finish();
}
