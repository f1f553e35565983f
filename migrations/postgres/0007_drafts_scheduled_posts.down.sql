DROP TABLE scheduled_posts;
DROP TABLE drafts;
