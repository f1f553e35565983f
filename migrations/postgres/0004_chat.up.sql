-- Chat core: teams, channels, members, posts, reactions, preferences, threads, statuses.
-- Designed for 10M posts: every hot read (channel page, since-sync, thread, unreads,
-- mentions) is served by an index.

CREATE TABLE teams (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    display_name TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'O',
    company_name TEXT NOT NULL DEFAULT '',
    allowed_domains TEXT NOT NULL DEFAULT '',
    invite_id TEXT NOT NULL,
    allow_open_invite BOOLEAN NOT NULL DEFAULT FALSE,
    last_team_icon_update BIGINT NOT NULL DEFAULT 0,
    scheme_id TEXT,
    group_constrained BOOLEAN,
    cloud_limits_archived BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX idx_teams_name ON teams (name);
CREATE UNIQUE INDEX idx_teams_invite_id ON teams (invite_id);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    roles TEXT NOT NULL DEFAULT '',
    delete_at BIGINT NOT NULL DEFAULT 0,
    scheme_user BOOLEAN NOT NULL DEFAULT TRUE,
    scheme_admin BOOLEAN NOT NULL DEFAULT FALSE,
    scheme_guest BOOLEAN NOT NULL DEFAULT FALSE,
    create_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX idx_team_members_user_id ON team_members (user_id);

CREATE TABLE channels (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    team_id TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    header TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    last_post_at BIGINT NOT NULL DEFAULT 0,
    last_root_post_at BIGINT NOT NULL DEFAULT 0,
    total_msg_count BIGINT NOT NULL DEFAULT 0,
    total_msg_count_root BIGINT NOT NULL DEFAULT 0,
    extra_update_at BIGINT NOT NULL DEFAULT 0,
    creator_id TEXT NOT NULL DEFAULT '',
    scheme_id TEXT,
    props TEXT NOT NULL DEFAULT '{}',
    group_constrained BOOLEAN,
    shared BOOLEAN
);
CREATE UNIQUE INDEX idx_channels_team_id_name ON channels (team_id, name);
CREATE INDEX idx_channels_team_id_type ON channels (team_id, type);

CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    roles TEXT NOT NULL DEFAULT '',
    last_viewed_at BIGINT NOT NULL DEFAULT 0,
    msg_count BIGINT NOT NULL DEFAULT 0,
    msg_count_root BIGINT NOT NULL DEFAULT 0,
    mention_count BIGINT NOT NULL DEFAULT 0,
    mention_count_root BIGINT NOT NULL DEFAULT 0,
    urgent_mention_count BIGINT NOT NULL DEFAULT 0,
    notify_props TEXT NOT NULL DEFAULT '{}',
    last_update_at BIGINT NOT NULL DEFAULT 0,
    scheme_user BOOLEAN NOT NULL DEFAULT TRUE,
    scheme_admin BOOLEAN NOT NULL DEFAULT FALSE,
    scheme_guest BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX idx_channel_members_user_id ON channel_members (user_id);

CREATE TABLE posts (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    edit_at BIGINT NOT NULL DEFAULT 0,
    delete_at BIGINT NOT NULL DEFAULT 0,
    is_pinned BOOLEAN NOT NULL DEFAULT FALSE,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL REFERENCES channels (id),
    root_id TEXT NOT NULL DEFAULT '',
    original_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    hashtags TEXT NOT NULL DEFAULT '',
    file_ids TEXT NOT NULL DEFAULT '[]',
    pending_post_id TEXT NOT NULL DEFAULT '',
    has_reactions BOOLEAN NOT NULL DEFAULT FALSE,
    remote_id TEXT,
    reply_count BIGINT NOT NULL DEFAULT 0,
    last_reply_at BIGINT NOT NULL DEFAULT 0
);
-- Channel pages (newest first), since-sync and threads.
CREATE INDEX idx_posts_channel_id_create_at ON posts (channel_id, create_at, id);
CREATE INDEX idx_posts_channel_id_update_at ON posts (channel_id, update_at);
CREATE INDEX idx_posts_root_id_create_at ON posts (root_id, create_at);
CREATE INDEX idx_posts_user_id ON posts (user_id);
CREATE INDEX idx_posts_pending_post_id ON posts (user_id, pending_post_id);

CREATE TABLE reactions (
    user_id TEXT NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    emoji_name TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    remote_id TEXT,
    channel_id TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji_name)
);
CREATE INDEX idx_reactions_channel_id ON reactions (channel_id);

CREATE TABLE preferences (
    user_id TEXT NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, category, name)
);
CREATE INDEX idx_preferences_category_name ON preferences (category, name);

CREATE TABLE threads (
    post_id TEXT NOT NULL PRIMARY KEY REFERENCES posts (id),
    channel_id TEXT NOT NULL,
    team_id TEXT NOT NULL DEFAULT '',
    reply_count BIGINT NOT NULL DEFAULT 0,
    last_reply_at BIGINT NOT NULL DEFAULT 0,
    participants TEXT NOT NULL DEFAULT '[]',
    thread_delete_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_threads_channel_id_last_reply_at ON threads (channel_id, last_reply_at);

CREATE TABLE thread_memberships (
    post_id TEXT NOT NULL REFERENCES threads (post_id),
    user_id TEXT NOT NULL,
    following BOOLEAN NOT NULL DEFAULT TRUE,
    last_viewed BIGINT NOT NULL DEFAULT 0,
    last_updated BIGINT NOT NULL DEFAULT 0,
    unread_mentions BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX idx_thread_memberships_user_id ON thread_memberships (user_id, last_updated);

CREATE TABLE status (
    user_id TEXT NOT NULL PRIMARY KEY,
    status TEXT NOT NULL,
    manual BOOLEAN NOT NULL DEFAULT FALSE,
    last_activity_at BIGINT NOT NULL DEFAULT 0,
    dnd_end_time BIGINT NOT NULL DEFAULT 0,
    prev_status TEXT NOT NULL DEFAULT ''
);
