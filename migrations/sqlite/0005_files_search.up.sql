-- Files, custom emoji and the post search index.

CREATE TABLE file_info (
    id TEXT NOT NULL PRIMARY KEY,
    creator_id TEXT NOT NULL,
    post_id TEXT NOT NULL DEFAULT '',
    channel_id TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    path TEXT NOT NULL,
    thumbnail_path TEXT NOT NULL DEFAULT '',
    preview_path TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    extension TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    mime_type TEXT NOT NULL DEFAULT '',
    width BIGINT NOT NULL DEFAULT 0,
    height BIGINT NOT NULL DEFAULT 0,
    has_preview_image BOOLEAN NOT NULL DEFAULT FALSE,
    mini_preview TEXT
);
-- A post's files; orphans (post_id '') by age for the clean-up job.
CREATE INDEX idx_file_info_post_id_create_at ON file_info (post_id, create_at);
CREATE INDEX idx_file_info_channel_id ON file_info (channel_id);

CREATE TABLE emoji (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    creator_id TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX idx_emoji_name_delete_at ON emoji (name, delete_at);

-- Search index. Tokens are produced by the server (store::search), identically for both
-- stores; the `ascii` tokenizer only splits them again on the spaces between them.
-- posts_fts_keys gives each indexed post a stable integer key (FTS5 rows are keyed by rowid):
-- create_at * 4096 + a sequence within the millisecond, so FTS5 can hand matches over newest
-- first and a search stops after one page instead of sorting every match.
CREATE TABLE posts_fts_keys (
    doc INTEGER PRIMARY KEY,
    post_id TEXT NOT NULL UNIQUE
);
-- prefix='3': a prefix search (`pon*`) reads one merged list instead of every word's.
CREATE VIRTUAL TABLE posts_fts USING fts5(terms, content='', contentless_delete=1, tokenize='ascii', prefix='3');
-- Posts that existed before the index: the server tokenizes them in batches at start-up.
CREATE TABLE posts_fts_backfill (
    post_id TEXT NOT NULL PRIMARY KEY
);
INSERT INTO posts_fts_backfill (post_id) SELECT id FROM posts WHERE delete_at = 0 AND original_id = '';
