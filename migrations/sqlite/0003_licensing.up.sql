-- Licensing and the licensed features' data. Both editions create every table; Team Edition
-- never writes them. Rows of `licenses` are never deleted: removing a license only clears
-- the `systems` key ActiveLicenseId.

CREATE TABLE licenses (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    bytes TEXT NOT NULL
);

-- Custom terms of service: a new text is a new row; the newest is the one in force.
CREATE TABLE terms_of_service (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX idx_terms_of_service_create_at ON terms_of_service (create_at);

-- Each user's latest acceptance.
CREATE TABLE user_terms_of_service (
    user_id TEXT NOT NULL PRIMARY KEY,
    terms_of_service_id TEXT NOT NULL,
    create_at BIGINT NOT NULL
);
CREATE INDEX idx_user_terms_of_service_terms_id ON user_terms_of_service (terms_of_service_id);
