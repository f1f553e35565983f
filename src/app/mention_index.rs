//! Who a message mentions, answered from an index of the channel's members built once and
//! cached per channel: a post then costs a few hash lookups per word instead of decoding every
//! member's notify props (thousands of JSON documents in a large channel).
//!
//! The cache is per node and short-lived: any change to memberships, names or notification
//! settings made through this node's store invalidates every entry (`Store::members_epoch`),
//! and entries expire after [`TTL`] so changes made on another node are picked up quickly. A stale entry can only mis-count a mention, never show
//! content: delivery and counters check membership themselves.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use townsquare_sdk::model::StringMap;

use crate::app::mentions::ParsedMentions;
use crate::store::posts::MentionInfo;

pub const TTL: Duration = Duration::from_secs(5);
/// Past this many cached channels the cache starts over.
const MAX_CHANNELS: usize = 2_000;

struct Member {
    user_id: String,
    /// Reached by `@channel`, `@all` and `@here` (unless they ignore channel mentions).
    wants_channel_mentions: bool,
}

/// A channel's members and the words that mention each of them.
pub struct MentionIndex {
    members: Vec<Member>,
    /// Lower-cased username -> member index.
    by_username: HashMap<String, usize>,
    /// Lower-cased custom mention key -> member indexes (matched bare or with `@`).
    by_key: HashMap<String, Vec<usize>>,
    /// Lower-cased first name of members who opted in -> member indexes (matched bare).
    by_first_name: HashMap<String, Vec<usize>>,
}

impl MentionIndex {
    pub fn build(infos: &[MentionInfo]) -> Self {
        let mut index = MentionIndex {
            members: Vec::with_capacity(infos.len()),
            by_username: HashMap::with_capacity(infos.len()),
            by_key: HashMap::new(),
            by_first_name: HashMap::new(),
        };
        for (i, info) in infos.iter().enumerate() {
            let user_props: StringMap =
                serde_json::from_str(&info.user_notify_props).unwrap_or_default();
            let channel_props: StringMap =
                serde_json::from_str(&info.channel_notify_props).unwrap_or_default();
            index.by_username.insert(info.username.to_lowercase(), i);
            let keys = user_props
                .get("mention_keys")
                .map(String::as_str)
                .unwrap_or("");
            for key in keys.split(',').map(|k| k.trim().to_lowercase()) {
                if !key.is_empty() {
                    index.by_key.entry(key).or_default().push(i);
                }
            }
            if user_props.get("first_name").map(String::as_str) == Some("true")
                && !info.first_name.is_empty()
            {
                index
                    .by_first_name
                    .entry(info.first_name.to_lowercase())
                    .or_default()
                    .push(i);
            }
            let ignores = channel_props
                .get("ignore_channel_mentions")
                .map(String::as_str)
                == Some("on");
            let wants = user_props.get("channel").map(String::as_str) != Some("false");
            index.members.push(Member {
                user_id: info.user_id.clone(),
                wants_channel_mentions: wants && !ignores,
            });
        }
        index
    }

    pub fn member_ids(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|m| m.user_id.as_str())
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Members the message mentions, in member order: by `@username`, by a mention key (bare
    /// or with `@`) or opted-in first name, or by `@channel`/`@all`/`@here` (`@here` only
    /// reaches members in `online`). The author is never mentioned by their own post.
    pub fn mentioned(
        &self,
        parsed: &ParsedMentions,
        author_id: &str,
        channel_mentions_allowed: bool,
        online: &BTreeSet<String>,
    ) -> Vec<String> {
        let mut hit = vec![false; self.members.len()];
        for name in &parsed.usernames {
            if let Some(&i) = self.by_username.get(name) {
                hit[i] = true;
            }
        }
        for word in &parsed.words {
            let bare = word.strip_prefix('@').unwrap_or(word);
            let by_key = [word.as_str(), bare]
                .into_iter()
                .filter_map(|key| self.by_key.get(key));
            for &i in by_key
                .chain(self.by_first_name.get(word.as_str()))
                .flatten()
            {
                hit[i] = true;
            }
        }
        if channel_mentions_allowed && (parsed.channel_wide || parsed.here) {
            for (i, member) in self.members.iter().enumerate() {
                let reached = parsed.channel_wide || online.contains(&member.user_id);
                if reached && member.wants_channel_mentions {
                    hit[i] = true;
                }
            }
        }
        self.members
            .iter()
            .zip(hit)
            .filter(|(member, hit)| *hit && member.user_id != author_id)
            .map(|(member, _)| member.user_id.clone())
            .collect()
    }
}

/// The per-node cache of channel mention indexes.
#[derive(Default)]
pub struct MentionIndexCache {
    channels: Mutex<HashMap<String, Cached>>,
}

struct Cached {
    index: Arc<MentionIndex>,
    built_at: Instant,
    /// `Store::members_epoch` before the rows were read.
    epoch: u64,
}

impl MentionIndexCache {
    /// The cached index, if it is younger than [`TTL`] and nothing changed since (`epoch`:
    /// the store's current members epoch).
    pub fn get(&self, channel_id: &str, epoch: u64) -> Option<Arc<MentionIndex>> {
        let channels = self.channels.lock().ok()?;
        let cached = channels.get(channel_id)?;
        (cached.epoch == epoch && cached.built_at.elapsed() < TTL)
            .then(|| Arc::clone(&cached.index))
    }

    /// Caches an index built from rows read after `epoch` was taken.
    pub fn put(&self, channel_id: &str, index: Arc<MentionIndex>, epoch: u64) {
        if let Ok(mut channels) = self.channels.lock() {
            if channels.len() >= MAX_CHANNELS {
                channels.clear();
            }
            channels.insert(
                channel_id.to_string(),
                Cached {
                    index,
                    built_at: Instant::now(),
                    epoch,
                },
            );
        }
    }
}
