DROP TABLE post_reminders;
DROP TABLE channel_bookmarks;
