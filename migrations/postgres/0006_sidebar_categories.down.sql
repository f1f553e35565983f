DROP TABLE sidebar_channels;
DROP TABLE sidebar_categories;
