//! What a connection keeps so a client can reconnect without losing events: the frames it
//! sent last (with their sequence numbers), its next sequence number and its queue.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::event::Frame;
use super::hub::Connection;

/// Frames kept per connection for replay, as Mattermost's dead queue.
pub const REPLAY_FRAMES: usize = 128;

/// The last frames written, oldest first.
#[derive(Default)]
pub struct Ring {
    frames: VecDeque<(u64, Frame)>,
}

impl Ring {
    pub fn push(&mut self, seq: u64, frame: Frame) {
        if self.frames.len() == REPLAY_FRAMES {
            self.frames.pop_front();
        }
        self.frames.push_back((seq, frame));
    }

    /// The frames from `seq` on, if the client's next expected `seq` is still covered.
    /// `next_seq` is the number the next new frame will get.
    pub fn replay_from(&self, seq: u64, next_seq: u64) -> Option<Vec<(u64, Frame)>> {
        if seq == next_seq {
            return Some(Vec::new());
        }
        let first = self.frames.front()?.0;
        if seq < first || seq > next_seq {
            return None;
        }
        Some(
            self.frames
                .iter()
                .filter(|(s, _)| *s >= seq)
                .cloned()
                .collect(),
        )
    }
}

/// A connection between sockets: registered in the hub, its queue still filling.
pub struct Resumable {
    pub connection: Arc<Connection>,
    pub queue: mpsc::Receiver<Frame>,
    pub next_seq: u64,
    pub ring: Ring,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::event::{Broadcast, Event};

    fn frame() -> Frame {
        Event::new("typing", Broadcast::all()).encode()
    }

    #[test]
    fn replays_only_what_is_still_buffered() {
        let mut ring = Ring::default();
        for seq in 0..(REPLAY_FRAMES as u64 + 10) {
            ring.push(seq, frame());
        }
        let next = REPLAY_FRAMES as u64 + 10;
        assert_eq!(ring.replay_from(next, next).unwrap().len(), 0);
        assert_eq!(ring.replay_from(next - 3, next).unwrap().len(), 3);
        assert!(ring.replay_from(5, next).is_none());
        assert!(ring.replay_from(next + 1, next).is_none());
        assert_eq!(ring.replay_from(10, next).unwrap()[0].0, 10);
    }
}
