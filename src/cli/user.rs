//! `townsquare user ...`: mmctl's verbs for accounts, run against the database.

use std::io::IsTerminal;

use anyhow::Context;
use clap::Subcommand;
use townsquare_sdk::model::User;

use super::confirm::{self, Confirmation};
use crate::config::{Config, RuntimeEnv};
use crate::state::AppState;
use crate::store::Dialect;
use crate::time::now_ms;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The very first user of a server is always a system admin.
    #[command(after_help = "Examples:\n  \
        townsquare user create --email admin@example.com --username admin --system-admin\n  \
        printf '%s\\n' \"$PASSWORD\" | townsquare user create --email bob@example.com --username bob")]
    Create {
        /// The user's email address (unique).
        #[arg(long)]
        email: String,
        /// The user's username (unique; lower-case letters, digits, '.', '-' and '_').
        #[arg(long)]
        username: String,
        /// The password; read from standard input when absent (keeps it out of `ps`).
        #[arg(long)]
        password: Option<String>,
        /// Make the user a system admin.
        #[arg(long)]
        system_admin: bool,
    },
    /// List users.
    #[command(
        after_help = "Examples:\n  townsquare user list\n  townsquare user list --page 1 --per-page 50"
    )]
    List {
        /// Page number, from 0.
        #[arg(long, default_value_t = 0)]
        page: i64,
        /// Users per page (1 to 1000).
        #[arg(long, default_value_t = 200)]
        per_page: i64,
    },
    /// Deactivate a user: they can no longer log in, their sessions and access tokens are
    /// revoked; their posts and memberships stay. Undo with `user activate`.
    #[command(
        after_help = "Examples:\n  townsquare user deactivate alice\n  townsquare user deactivate alice@example.com"
    )]
    Deactivate {
        /// Username, email or user id.
        user: String,
        /// Go ahead even while a server is using this SQLite database (it may accept the
        /// user's cached sessions for a few more minutes).
        #[arg(long)]
        force: bool,
    },
    /// Reactivate a deactivated user (takes a seat of an enforced license).
    #[command(after_help = "Examples:\n  townsquare user activate alice")]
    Activate {
        /// Username, email or user id.
        user: String,
    },
    /// Permanently delete a user, their posts (and the replies in threads they started),
    /// reactions, files, sessions, tokens, memberships and preferences. Cannot be undone; to
    /// keep their posts, deactivate instead.
    #[command(after_help = "Examples:\n  townsquare user delete alice\n  \
        townsquare db dump -o backup.jsonl && townsquare user delete alice@example.com --yes")]
    Delete {
        /// Username, email or user id.
        user: String,
        #[command(flatten)]
        confirmation: Confirmation,
    },
    /// Forget failed login attempts against a user's account.
    #[command(after_help = "Examples:\n  townsquare user reset-attempts alice")]
    ResetAttempts {
        /// Username, email or user id.
        user: String,
    },
}

pub async fn user_command(
    config: Config,
    runtime_env: RuntimeEnv,
    command: &UserCommand,
) -> anyhow::Result<()> {
    let state = crate::server::offline_state(config, runtime_env).await?;
    let result = run(&state, command).await;
    state.store.close().await;
    result
}

async fn find_user(state: &AppState, wanted: &str) -> anyhow::Result<User> {
    let key = wanted.trim().to_lowercase();
    let found = match state.store.user_by_username(&key).await? {
        Some(user) => Some(user),
        None => match state.store.user_by_email(&key).await? {
            Some(user) => Some(user),
            None => state.store.user(wanted.trim()).await?,
        },
    };
    found.with_context(|| {
        format!("no user with username, email or id \"{wanted}\" (see townsquare user list)")
    })
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

async fn run(state: &AppState, command: &UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            email,
            username,
            password,
            system_admin,
        } => {
            let password = match password {
                Some(p) => p.clone(),
                None => {
                    if std::io::stdin().is_terminal() {
                        eprint!("Password for {username}: ");
                    }
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let input = crate::app::users::NewUser {
                username: username.clone(),
                email: email.clone(),
                password,
                ..Default::default()
            };
            let creator = crate::app::users::Creator::Cli {
                system_admin: *system_admin,
            };
            let user = crate::app::users::create_user(state, input, creator)
                .await
                .map_err(|e| {
                    let app = e.app();
                    anyhow::anyhow!("{} ({})", app.message, app.id)
                })?;
            outln!(
                "created user {} ({}) with roles \"{}\"",
                user.username,
                user.id,
                user.roles
            )?;
        }
        UserCommand::List { page, per_page } => {
            let filter = crate::store::users::UserFilter::default();
            let per_page = (*per_page).clamp(1, 1000);
            let users = state
                .store
                .list_users(&filter, page.max(&0) * per_page, per_page)
                .await?;
            let mut rows = vec![super::row(["id", "username", "email", "roles", "active"])];
            for user in users {
                let active = if user.is_active() { "yes" } else { "no" };
                rows.push(super::row([
                    user.id.as_str(),
                    &user.username,
                    &user.email,
                    &user.roles,
                    active,
                ]));
            }
            out!("{}", super::table::render(&rows))?;
        }
        UserCommand::Deactivate { user, force } => {
            let user = find_user(state, user).await?;
            if !user.is_active() {
                outln!("{} is already deactivated", user.username)?;
                return Ok(());
            }
            // PostgreSQL servers hear of the change at once; an SQLite server trusts its
            // session cache, so it would keep honouring the user's sessions for a while.
            let lock = if state.store.dialect() == Dialect::Sqlite {
                confirm::lock_out_servers(
                    &state.store,
                    Confirmation {
                        yes: true,
                        force: *force,
                    },
                )
                .await?
            } else {
                None
            };
            let result = state.store.set_user_active(&user.id, false, now_ms()).await;
            if let Some(lock) = lock {
                lock.release().await;
            }
            result?;
            outln!(
                "deactivated {} ({}): sessions and access tokens revoked; posts and memberships \
                 kept. Undo with: townsquare user activate {}",
                user.username,
                user.id,
                user.username
            )?;
        }
        UserCommand::Activate { user } => {
            let user = find_user(state, user).await?;
            if user.is_active() {
                outln!("{} is already active", user.username)?;
                return Ok(());
            }
            if !user.is_bot {
                crate::app::licensing::check_seat_available(state)
                    .await
                    .map_err(|e| {
                        let app = e.app();
                        anyhow::anyhow!("{} ({})", app.message, app.id)
                    })?;
            }
            state
                .store
                .set_user_active(&user.id, true, now_ms())
                .await?;
            outln!("activated {} ({})", user.username, user.id)?;
        }
        UserCommand::Delete { user, confirmation } => delete(state, user, *confirmation).await?,
        UserCommand::ResetAttempts { user } => {
            let found = find_user(state, user).await?;
            let cleared = state.store.clear_login_attempts_for_user(&found.id).await?;
            outln!(
                "cleared {cleared} failed-login counter(s) for {}",
                found.username
            )?;
        }
    }
    Ok(())
}

async fn delete(state: &AppState, wanted: &str, confirmation: Confirmation) -> anyhow::Result<()> {
    let user = find_user(state, wanted).await?;
    let lock = confirm::lock_out_servers(&state.store, confirmation).await?;
    let result = async {
        let f = state.store.user_footprint(&user.id).await?;
        let name = &user.username;
        outln!(
            "This permanently deletes the user {name} ({}, {}, roles \"{}\"). It cannot be undone.",
            user.id,
            user.email,
            user.roles
        )?;
        outln!("It removes, as Mattermost's `mmctl user delete` does:")?;
        outln!(
            "  {} by {name} (edit history included) and {} by others in threads {name} started",
            plural(f.posts, "post", "posts"),
            plural(f.replies_by_others, "reply", "replies"),
        )?;
        outln!(
            "  {} and {} (deleted from the file store too)",
            plural(f.reactions, "reaction", "reactions"),
            plural(f.files, "file", "files"),
        )?;
        outln!(
            "  {}, {}, {}, {}, {}, {}, their status and login counters",
            plural(f.sessions, "session", "sessions"),
            plural(f.access_tokens, "access token", "access tokens"),
            plural(f.team_memberships, "team membership", "team memberships"),
            plural(
                f.channel_memberships,
                "channel membership",
                "channel memberships"
            ),
            plural(
                f.thread_memberships,
                "thread membership",
                "thread memberships"
            ),
            plural(f.preferences, "preference", "preferences"),
        )?;
        outln!(
            "Channels, teams and custom emoji {name} created are kept. To keep their posts, \
             deactivate instead: townsquare user deactivate {name}"
        )?;
        outln!("{}", confirm::BACKUP_HINT)?;
        confirm::confirm(confirmation)?;
        let deleted = state
            .store
            .permanently_delete_user(&user.id, now_ms())
            .await?
            .with_context(|| format!("{name} was deleted meanwhile"))?;
        let root = std::path::PathBuf::from(&state.config().file.directory);
        let mut missing = 0;
        let picture = crate::app::profile_images::picture_path(&user.id);
        if let Err(err) = std::fs::remove_file(root.join(&picture)) {
            if err.kind() != std::io::ErrorKind::NotFound {
                eprintln!("warning: cannot remove {picture}: {err}");
            }
        }
        for path in &deleted.file_paths {
            match std::fs::remove_file(root.join(path)) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => missing += 1,
                Err(err) => eprintln!("warning: cannot remove {path}: {err}"),
            }
        }
        let r = &deleted.removed;
        outln!(
            "deleted {name}: {}, {}, {}{}",
            plural(r.posts + r.replies_by_others, "post", "posts"),
            plural(r.reactions, "reaction", "reactions"),
            plural(r.files, "file", "files"),
            if missing > 0 {
                format!(" ({missing} stored files were already gone)")
            } else {
                String::new()
            }
        )?;
        anyhow::Ok(())
    }
    .await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    result
}
