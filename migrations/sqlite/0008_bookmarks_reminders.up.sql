-- Channel bookmarks (Mattermost's ChannelBookmarks): links and files pinned to a channel's
-- header, at most 50 live ones per channel. Deleting sets `delete_at`, so clients asking for
-- changes since a time learn of deletions; an edit by someone other than the owner replaces
-- the row (the new one's `original_id` names the old one).
CREATE TABLE channel_bookmarks (
    id TEXT NOT NULL PRIMARY KEY,
    owner_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    file_id TEXT NOT NULL DEFAULT '',
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    display_name TEXT NOT NULL DEFAULT '',
    sort_order BIGINT NOT NULL DEFAULT 0,
    link_url TEXT NOT NULL DEFAULT '',
    image_url TEXT NOT NULL DEFAULT '',
    emoji TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'link',
    original_id TEXT NOT NULL DEFAULT '',
    parent_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_channel_bookmarks_channel_id ON channel_bookmarks (channel_id, delete_at, sort_order);
CREATE INDEX idx_channel_bookmarks_update_at ON channel_bookmarks (channel_id, update_at);
CREATE INDEX idx_channel_bookmarks_file_id ON channel_bookmarks (file_id);

-- Post reminders (Mattermost's PostReminders): one per user and post. `claimed_at` is set by
-- the node that sends a due reminder (0 = not claimed), so two nodes never send the same one;
-- a claim older than the job's timeout is taken over (the claiming node died mid-send).
CREATE TABLE post_reminders (
    post_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    target_time BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX idx_post_reminders_target_time ON post_reminders (target_time);
