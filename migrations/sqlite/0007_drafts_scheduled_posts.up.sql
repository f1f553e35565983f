-- Synced drafts (Mattermost's Drafts): at most one per user, channel and thread (`root_id` is
-- '' for the channel itself). Deleted drafts are removed, so there is no `delete_at`.
CREATE TABLE drafts (
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    root_id TEXT NOT NULL DEFAULT '',
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    file_ids TEXT NOT NULL DEFAULT '[]',
    priority TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (user_id, channel_id, root_id)
);
-- Drafts replying to a thread go when its root post is deleted.
CREATE INDEX idx_drafts_channel_root ON drafts (channel_id, root_id);

-- Scheduled posts (Mattermost's ScheduledPosts). `processed_at` is 0 while waiting; the job
-- claims a due row by setting it, then deletes the row once sent or records `error_code`.
CREATE TABLE scheduled_posts (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    root_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    file_ids TEXT NOT NULL DEFAULT '[]',
    priority TEXT NOT NULL DEFAULT '{}',
    scheduled_at BIGINT NOT NULL,
    processed_at BIGINT NOT NULL DEFAULT 0,
    error_code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_scheduled_posts_user_channel ON scheduled_posts (user_id, channel_id);
-- The job's scan: rows without an error, by due time.
CREATE INDEX idx_scheduled_posts_due ON scheduled_posts (error_code, scheduled_at);
