-- Sidebar categories (Mattermost's SidebarCategories / SidebarChannels): per user and team.
-- Default categories have the deterministic id `{type}_{user_id}_{team_id}`.
CREATE TABLE sidebar_categories (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    sorting TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    muted BOOLEAN NOT NULL DEFAULT FALSE,
    collapsed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX idx_sidebar_categories_user_team ON sidebar_categories (user_id, team_id);

-- Explicit placements only: a member channel without a row here is shown in its default
-- category (Channels, or Direct Messages for direct and group channels).
CREATE TABLE sidebar_channels (
    channel_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    category_id TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id, category_id)
);
CREATE INDEX idx_sidebar_channels_category ON sidebar_channels (category_id);
CREATE INDEX idx_sidebar_channels_user_channel ON sidebar_channels (user_id, channel_id);
