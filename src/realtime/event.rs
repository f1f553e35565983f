//! An event as Mattermost sends it, its audience, and its wire encoding.
//!
//! The body is encoded once per audience as everything but the trailing `,"seq":N}`; each
//! socket's writer splices its own sequence number in (see [`Frame::with_seq`]).

use std::collections::{BTreeSet, HashMap};

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

/// Who receives an event, evaluated per connection at delivery time (api-v4.md 6.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Broadcast {
    /// Only this user's connections.
    pub user_id: String,
    /// Only current members of this channel.
    pub channel_id: String,
    /// Only current members of this team.
    pub team_id: String,
    /// Only this connection.
    pub connection_id: String,
    /// Everyone but this connection.
    pub omit_connection_id: String,
    /// Never these users.
    pub omit_users: BTreeSet<String>,
}

impl Broadcast {
    pub fn user(user_id: &str) -> Self {
        Self {
            user_id: user_id.to_string(),
            ..Self::default()
        }
    }

    pub fn channel(channel_id: &str) -> Self {
        Self {
            channel_id: channel_id.to_string(),
            ..Self::default()
        }
    }

    pub fn team(team_id: &str) -> Self {
        Self {
            team_id: team_id.to_string(),
            ..Self::default()
        }
    }

    pub fn all() -> Self {
        Self::default()
    }

    pub fn omit(mut self, user_id: &str) -> Self {
        self.omit_users.insert(user_id.to_string());
        self
    }
}

/// The wire form of [`Broadcast`]: `omit_users` is a `{id: true}` map or `null`.
#[derive(Serialize)]
struct WireBroadcast<'a> {
    omit_users: Option<HashMap<&'a str, bool>>,
    user_id: &'a str,
    channel_id: &'a str,
    team_id: &'a str,
    connection_id: &'a str,
    omit_connection_id: &'a str,
}

/// A server event: a Mattermost event name, its data and its audience.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: &'static str,
    pub data: Map<String, Value>,
    pub broadcast: Broadcast,
    /// Extra data fields for some recipients only (e.g. `posted.mentions` for the mentioned).
    pub per_user: HashMap<String, Map<String, Value>>,
}

impl Event {
    pub fn new(name: &'static str, broadcast: Broadcast) -> Self {
        Self {
            name,
            data: Map::new(),
            broadcast,
            per_user: HashMap::new(),
        }
    }

    /// Adds a data field.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.data.insert(key.to_string(), value.into());
        self
    }

    /// Adds a data field holding `value` encoded as a JSON string, as Mattermost does for
    /// nested objects (`post`, `reaction`, `channel`, ...).
    pub fn with_json_string(self, key: &str, value: &impl Serialize) -> Self {
        let encoded = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
        self.with(key, encoded)
    }

    /// The frame for every recipient without per-user fields.
    pub fn encode(&self) -> Frame {
        self.encode_with(None)
    }

    /// The frame for `user_id`, with its per-user fields if it has any.
    pub fn encode_for(&self, user_id: &str) -> Option<Frame> {
        self.per_user
            .get(user_id)
            .map(|extra| self.encode_with(Some(extra)))
    }

    fn encode_with(&self, extra: Option<&Map<String, Value>>) -> Frame {
        let broadcast = &self.broadcast;
        let wire = WireBroadcast {
            omit_users: (!broadcast.omit_users.is_empty()).then(|| {
                broadcast
                    .omit_users
                    .iter()
                    .map(|id| (id.as_str(), true))
                    .collect()
            }),
            user_id: &broadcast.user_id,
            channel_id: &broadcast.channel_id,
            team_id: &broadcast.team_id,
            connection_id: &broadcast.connection_id,
            omit_connection_id: &broadcast.omit_connection_id,
        };
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"event\":");
        write_json(&mut out, &self.name);
        out.extend_from_slice(b",\"data\":");
        match extra {
            None => write_json(&mut out, &self.data),
            Some(extra) => {
                let mut data = self.data.clone();
                data.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
                write_json(&mut out, &data);
            }
        }
        out.extend_from_slice(b",\"broadcast\":");
        write_json(&mut out, &wire);
        Frame(Bytes::from(out))
    }
}

fn write_json(out: &mut Vec<u8>, value: &impl Serialize) {
    // Serialising maps of strings and plain structs into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// An encoded event without its closing `,"seq":N}`; shared by every recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame(Bytes);

impl Frame {
    /// The complete text of this frame as sent with sequence number `seq`.
    pub fn with_seq(&self, seq: u64) -> String {
        use std::fmt::Write;
        let mut text = String::with_capacity(self.0.len() + 24);
        // The body was produced by serde_json from Rust strings: valid UTF-8.
        text.push_str(std::str::from_utf8(&self.0).unwrap_or("{"));
        let _ = write!(text, ",\"seq\":{seq}}}");
        text
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_seq_into_a_complete_envelope() {
        let event = Event::new("typing", Broadcast::channel("c1").omit("u1"))
            .with("user_id", "u1")
            .with("parent_id", "");
        let text = event.encode().with_seq(7);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["event"], "typing");
        assert_eq!(value["seq"], 7);
        assert_eq!(value["data"]["user_id"], "u1");
        assert_eq!(value["broadcast"]["omit_users"]["u1"], true);
        assert_eq!(value["broadcast"]["channel_id"], "c1");
        assert_eq!(value["broadcast"]["omit_connection_id"], "");
    }

    #[test]
    fn per_user_fields_only_for_that_user() {
        let mut event = Event::new("posted", Broadcast::channel("c1")).with("post", "{}");
        let mut extra = Map::new();
        extra.insert("mentions".into(), "[\"u2\"]".into());
        event.per_user.insert("u2".into(), extra);
        let base: Value = serde_json::from_str(&event.encode().with_seq(1)).unwrap();
        assert!(base["data"].get("mentions").is_none());
        assert_eq!(base["broadcast"]["omit_users"], Value::Null);
        let mentioned: Value =
            serde_json::from_str(&event.encode_for("u2").unwrap().with_seq(1)).unwrap();
        assert_eq!(mentioned["data"]["mentions"], "[\"u2\"]");
        assert!(event.encode_for("u3").is_none());
    }
}
