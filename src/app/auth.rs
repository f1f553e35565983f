//! Sessions and personal access tokens: creating them at login, resolving a presented token,
//! and revoking them. Tokens are 128-bit random ids, stored and looked up only as SHA-256.

use sha2::{Digest, Sha256};
use townsquare_sdk::model::{Session, User, UserAccessToken};
use townsquare_sdk::AppError;

use crate::app::throttle::AttemptKeys;
use crate::error::Result;
use crate::id::new_id;
use crate::state::AppState;
use crate::time::now_ms;

/// Activity is written back at most this often per session, keeping reads read-only.
const ACTIVITY_WRITE_INTERVAL_MS: i64 = 5 * 60 * 1000;
/// Sessions synthesised for access tokens never expire on their own (about 100 years).
const ACCESS_TOKEN_SESSION_MS: i64 = 100 * 365 * 24 * 3600 * 1000;

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who is making a request, resolved from a presented token.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub user: User,
    pub session: Session,
    /// CSRF token for cookie sessions; empty for access tokens.
    pub csrf_token: String,
    pub access_token_id: Option<String>,
}

impl AuthContext {
    pub fn user_id(&self) -> &str {
        &self.user.id
    }

    /// The caller's live roles (role changes apply to existing sessions at once).
    pub fn roles(&self) -> &str {
        &self.user.roles
    }

    pub fn can(&self, permission: crate::app::permissions::Permission) -> bool {
        crate::app::permissions::roles_grant(self.roles(), permission)
    }

    pub fn require(&self, permission: crate::app::permissions::Permission) -> Result<()> {
        crate::app::permissions::require(self.roles(), permission).map_err(Into::into)
    }

    /// Acting on yourself is always allowed; on someone else it needs `permission`.
    pub fn require_self_or(
        &self,
        user_id: &str,
        permission: crate::app::permissions::Permission,
    ) -> Result<()> {
        if self.user_id() != user_id {
            self.require(permission)?;
        }
        Ok(())
    }
}

/// Resolves a token to a live session or access token. `None` means "not authenticated".
pub async fn authenticate(state: &AppState, token: &str) -> Result<Option<AuthContext>> {
    authenticate_with(state, token, true).await
}

/// Like [`authenticate`], for a WebSocket upgrade: a cached lookup is used, but a miss is not
/// cached (one lookup per connection would only fill the cache: about 4 KiB per idle socket).
pub async fn authenticate_socket(state: &AppState, token: &str) -> Result<Option<AuthContext>> {
    authenticate_with(state, token, false).await
}

async fn authenticate_with(
    state: &AppState,
    token: &str,
    cache_miss: bool,
) -> Result<Option<AuthContext>> {
    if token.is_empty() {
        return Ok(None);
    }
    let hash = hash_token(token);
    let now = now_ms();
    let found = state
        .store
        .session_and_user_by_token_hash(&hash, cache_miss)
        .await?;
    if let Some((stored, user)) = found {
        let mut session = stored.session;
        if session.expires_at != 0 && session.expires_at < now {
            state
                .store
                .delete_session(&session.user_id, &session.id)
                .await?;
            return Ok(None);
        }
        if !user.is_active() {
            return Ok(None);
        }
        if now - session.last_activity_at > ACTIVITY_WRITE_INTERVAL_MS {
            let config = state.config();
            if config.service.extend_session_length_with_activity {
                session.expires_at =
                    now + session_length_ms(&config.service, !session.device_id.is_empty());
            }
            session.last_activity_at = now;
            state
                .store
                .touch_session(&session.user_id, &session.id, now, session.expires_at)
                .await?;
        }
        session.roles = user.roles.clone();
        return Ok(Some(AuthContext {
            user,
            session,
            csrf_token: stored.csrf_token,
            access_token_id: None,
        }));
    }
    if !state.config().service.enable_user_access_tokens {
        return Ok(None);
    }
    let Some((token, last_used_at)) = state
        .store
        .access_token_by_hash(&hash)
        .await?
        .filter(|(t, _)| t.is_active)
    else {
        return Ok(None);
    };
    let Some(user) = state
        .store
        .user(&token.user_id)
        .await?
        .filter(User::is_active)
    else {
        return Ok(None);
    };
    // Skipping the writer when the use was recorded lately keeps token requests read-only.
    if now - last_used_at >= crate::store::access_tokens::TOKEN_USE_WRITE_INTERVAL_MS {
        state.store.touch_access_token(&token.id, now).await?;
    }
    let mut props = townsquare_sdk::model::StringMap::new();
    props.insert("type".into(), "UserAccessToken".into());
    props.insert("user_access_token_id".into(), token.id.clone());
    props.insert("is_bot".into(), user.is_bot.to_string());
    let session = Session {
        id: token.id.clone(),
        create_at: now,
        expires_at: now + ACCESS_TOKEN_SESSION_MS,
        last_activity_at: now,
        user_id: user.id.clone(),
        roles: user.roles.clone(),
        props,
        ..Default::default()
    };
    Ok(Some(AuthContext {
        user,
        session,
        csrf_token: String::new(),
        access_token_id: Some(token.id),
    }))
}

fn session_length_ms(service: &crate::config::ServiceSettings, mobile: bool) -> i64 {
    let hours = if mobile {
        service.session_length_mobile_in_hours
    } else {
        service.session_length_web_in_hours
    };
    hours as i64 * 3600 * 1000
}

/// A successful login: the user, the new session and its secrets.
pub struct LoginOutcome {
    pub user: User,
    pub session: Session,
    pub token: String,
    pub csrf_token: String,
}

pub struct LoginRequest<'a> {
    pub login_id: &'a str,
    pub user_id: &'a str,
    pub password: &'a str,
    pub device_id: &'a str,
    pub client_ip: &'a str,
    pub user_agent: &'a str,
}

fn invalid_credentials() -> AppError {
    AppError::new(
        401,
        "api.user.login.invalid_credentials_email_username",
        "Enter a valid email or username and/or password.",
    )
}

/// Password login. Unknown accounts, wrong passwords and throttled attempts all answer the
/// same 401 after about the same time.
pub async fn login(state: &AppState, request: LoginRequest<'_>) -> Result<LoginOutcome> {
    if request.password.is_empty() {
        return Err(AppError::bad_request(
            "api.user.login.blank_pwd.app_error",
            "Password field must not be blank",
        )
        .into());
    }
    // The account first: its counters are shared by all its login ids (username, email, id).
    let user = find_login_user(state, request.login_id, request.user_id).await?;
    let keys = match &user {
        Some(user) => AttemptKeys::for_user(&user.id, request.client_ip),
        None => {
            let identity = if request.login_id.is_empty() {
                request.user_id
            } else {
                request.login_id
            };
            AttemptKeys::for_unknown_login(identity, request.client_ip)
        }
    };
    let now = now_ms();
    let checked = state.throttle.check(&state.store, &keys, now).await?;
    if checked.blocked {
        state.hasher.equal_delay().await;
        tracing::info!(client_ip = request.client_ip, "login throttled");
        return Err(invalid_credentials().into());
    }
    let Some(user) = user else {
        state.hasher.verify_decoy(request.password).await;
        state
            .throttle
            .record_failure(&state.store, &keys, "", now)
            .await?;
        return Err(invalid_credentials().into());
    };
    if user.is_bot {
        return Err(AppError::new(
            401,
            "api.user.login.bot_login_forbidden.app_error",
            "Bot login is forbidden.",
        )
        .into());
    }
    let hash = state
        .store
        .password_hash(&user.id)
        .await?
        .unwrap_or_default();
    if !state.hasher.verify(request.password, &hash).await {
        state
            .throttle
            .record_failure(&state.store, &keys, &user.id, now)
            .await?;
        return Err(invalid_credentials().into());
    }
    // Only now, with the password proven, may we say the account is deactivated.
    if !user.is_active() {
        return Err(AppError::new(
            401,
            "api.user.login.inactive.app_error",
            "Login failed because your account has been deactivated. Please contact an administrator.",
        )
        .into());
    }
    state
        .throttle
        .record_success(&state.store, &keys, checked)
        .await?;
    let (session, token, csrf_token) =
        create_session(state, &user, request.device_id, request.user_agent).await?;
    let mut user = user;
    user.last_login = session.create_at;
    user.last_activity_at = session.create_at;
    Ok(LoginOutcome {
        user,
        session,
        token,
        csrf_token,
    })
}

async fn find_login_user(state: &AppState, login_id: &str, user_id: &str) -> Result<Option<User>> {
    if !user_id.is_empty() {
        return Ok(state.store.user(user_id).await?);
    }
    let config = state.config();
    let login = login_id.trim().to_lowercase();
    if login.is_empty() {
        return Ok(None);
    }
    if config.email.enable_sign_in_with_username {
        if let Some(user) = state.store.user_by_username(&login).await? {
            return Ok(Some(user));
        }
    }
    if config.email.enable_sign_in_with_email && login.contains('@') {
        return Ok(state.store.user_by_email(&login).await?);
    }
    Ok(None)
}

/// Creates and stores a session; returns it with its token and CSRF token (shown only now).
pub async fn create_session(
    state: &AppState,
    user: &User,
    device_id: &str,
    user_agent: &str,
) -> Result<(Session, String, String)> {
    let now = now_ms();
    let token = new_id();
    let csrf_token = new_id();
    let mut props = townsquare_sdk::model::StringMap::new();
    props.insert("platform".into(), platform(user_agent).into());
    props.insert("browser".into(), browser(user_agent).into());
    props.insert(
        "is_guest".into(),
        user.role_list().any(|r| r == "system_guest").to_string(),
    );
    props.insert("isMobile".into(), (!device_id.is_empty()).to_string());
    let session = Session {
        id: new_id(),
        token: String::new(),
        create_at: now,
        expires_at: now + session_length_ms(&state.config().service, !device_id.is_empty()),
        last_activity_at: now,
        user_id: user.id.clone(),
        device_id: device_id.to_string(),
        roles: user.roles.clone(),
        props,
        ..Default::default()
    };
    state
        .store
        .insert_session(&session, &hash_token(&token), &csrf_token)
        .await?;
    Ok((session, token, csrf_token))
}

fn platform(user_agent: &str) -> &'static str {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("windows") {
        "Windows"
    } else if ua.contains("mac os") || ua.contains("macintosh") {
        "Macintosh"
    } else if ua.contains("android") {
        "Android"
    } else if ua.contains("iphone") || ua.contains("ipad") {
        "iOS"
    } else if ua.contains("linux") {
        "Linux"
    } else {
        ""
    }
}

fn browser(user_agent: &str) -> &'static str {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("edg/") {
        "Edge"
    } else if ua.contains("chrome/") {
        "Chrome"
    } else if ua.contains("firefox/") {
        "Firefox"
    } else if ua.contains("safari/") {
        "Safari"
    } else if ua.contains("node") || ua.contains("python") || ua.contains("httpx") {
        "API"
    } else {
        "Unknown"
    }
}

/// Issues a personal access token; the secret is in the returned value only.
pub async fn create_access_token(
    state: &AppState,
    user_id: &str,
    description: &str,
) -> Result<UserAccessToken> {
    let secret = new_id();
    let token = UserAccessToken {
        id: new_id(),
        token: secret.clone(),
        user_id: user_id.to_string(),
        description: description.to_string(),
        is_active: true,
    };
    state
        .store
        .insert_access_token(&token, &hash_token(&secret), now_ms())
        .await?;
    Ok(token)
}
