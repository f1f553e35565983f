-- Accounts: users, sessions, personal access tokens and login throttling.
-- Tokens are stored only as SHA-256 hashes; passwords only as argon2id PHC strings.

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    username TEXT NOT NULL,
    password TEXT NOT NULL DEFAULT '',
    auth_data TEXT,
    auth_service TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    nickname TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL DEFAULT '',
    allow_marketing BOOLEAN NOT NULL DEFAULT FALSE,
    props TEXT NOT NULL DEFAULT '{}',
    notify_props TEXT NOT NULL DEFAULT '{}',
    last_password_update BIGINT NOT NULL DEFAULT 0,
    last_picture_update BIGINT NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locale TEXT NOT NULL DEFAULT 'en',
    timezone TEXT NOT NULL DEFAULT '{}',
    mfa_active BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_secret TEXT NOT NULL DEFAULT '',
    remote_id TEXT,
    last_activity_at BIGINT NOT NULL DEFAULT 0,
    is_bot BOOLEAN NOT NULL DEFAULT FALSE,
    bot_description TEXT NOT NULL DEFAULT '',
    disable_welcome_email BOOLEAN NOT NULL DEFAULT FALSE,
    last_login BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX idx_users_username ON users (username);
CREATE UNIQUE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_create_at ON users (create_at);
CREATE INDEX idx_users_delete_at ON users (delete_at);

CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL DEFAULT '',
    is_oauth BOOLEAN NOT NULL DEFAULT FALSE,
    expired_notify BOOLEAN NOT NULL DEFAULT FALSE,
    props TEXT NOT NULL DEFAULT '{}',
    csrf_token TEXT NOT NULL
);
CREATE UNIQUE INDEX idx_sessions_token_hash ON sessions (token_hash);
CREATE INDEX idx_sessions_user_id ON sessions (user_id);
CREATE INDEX idx_sessions_expires_at ON sessions (expires_at);

CREATE TABLE user_access_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    description TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    create_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX idx_user_access_tokens_token_hash ON user_access_tokens (token_hash);
CREATE INDEX idx_user_access_tokens_user_id ON user_access_tokens (user_id);

-- Failed logins per key ("account:<login id>|<ip>" or "ip:<ip>"). Rows expire by themselves:
-- a key whose last failure is older than the window counts from zero again.
CREATE TABLE login_attempts (
    attempt_key TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_at BIGINT NOT NULL DEFAULT 0,
    blocked_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_login_attempts_user_id ON login_attempts (user_id);
