DROP TABLE login_attempts;
DROP TABLE user_access_tokens;
DROP TABLE sessions;
DROP TABLE users;
