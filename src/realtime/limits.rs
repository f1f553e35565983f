//! Every WebSocket is a file descriptor: raise the soft open-file limit to the hard limit at
//! start where the OS allows, and warn when what we get is low for a chat server.

/// Below this many descriptors a busy server runs out during reconnect storms.
const LOW_NOFILE: u64 = 16_384;

/// Raises `RLIMIT_NOFILE`; returns the soft limit in force afterwards, if known.
pub fn raise_open_files() -> Option<u64> {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(limit) => {
                if limit < LOW_NOFILE {
                    tracing::warn!(
                        limit,
                        recommended = LOW_NOFILE,
                        "open-file limit is low: each WebSocket uses one; raise the hard limit (ulimit -Hn)"
                    );
                } else {
                    tracing::debug!(limit, "open-file limit");
                }
                Some(limit)
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not raise the open-file limit");
                None
            }
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}
