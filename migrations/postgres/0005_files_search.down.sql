DROP TABLE posts_fts_backfill;
DROP TABLE posts_fts;
DROP TABLE emoji;
DROP TABLE file_info;
