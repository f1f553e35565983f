//! The `townsquare` command line.

mod license;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::json;

use crate::config::{self, Config, MattermostEnv, RuntimeEnv};
use crate::server::{self, Server};
use crate::store::{self, migrate};

#[derive(Debug, Parser)]
#[command(name = "townsquare", about = "Team chat server speaking the Mattermost API v4", version = crate::build_info::VERSION)]
pub struct Cli {
    /// Config file (TOML or JSON). Default: config/townsquare.toml when it exists.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve {
        /// Overrides ServiceSettings.ListenAddress, e.g. ":8065" or "127.0.0.1:8065".
        #[arg(long)]
        listen: Option<String>,
        /// Overrides SqlSettings.DataSource.
        #[arg(long)]
        data_source: Option<String>,
    },
    /// Print edition, version and git commit.
    Version,
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Database tools; they work with the server stopped or running.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// User administration; works with the server stopped or running.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// License administration; works with the server stopped or running (and, in the
    /// Enterprise build, the vendor tools keygen, sign and inspect).
    License {
        #[command(subcommand)]
        command: license::LicenseCommand,
    },
    /// Edition tools.
    Edition {
        #[command(subcommand)]
        command: license::EditionCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user (the very first user is always a system admin).
    Create {
        #[arg(long)]
        email: String,
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
    List {
        #[arg(long, default_value_t = 0)]
        page: i64,
        #[arg(long, default_value_t = 200)]
        per_page: i64,
    },
    /// Forget failed login attempts against a user's account.
    ResetAttempts {
        /// Username or email.
        user: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate the configuration without starting the server.
    Check,
    /// Print the effective configuration (data source password redacted).
    Show,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Apply pending migrations.
    Migrate,
    /// List migrations and whether they are applied.
    Status,
    /// Revert migrations newer than VERSION (0 reverts everything).
    Rollback {
        #[arg(long, value_name = "VERSION")]
        to: i64,
    },
    /// Write a deterministic logical dump of every table and row (JSON lines).
    Dump {
        /// Output file; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Entry point used by `main`. Returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            1
        }
    }
}

fn load_config(cli: &Cli, overrides: serde_json::Value) -> anyhow::Result<Config> {
    let (config, _) = config::load(
        cli.config.as_deref(),
        MattermostEnv::from_process(),
        overrides,
    )?;
    Ok(config)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        None => serve(&cli, None, None),
        Some(Command::Serve {
            listen,
            data_source,
        }) => serve(&cli, listen.clone(), data_source.clone()),
        Some(Command::Version) => {
            let edition = crate::edition::build_extensions().edition.edition();
            println!(
                "Townsquare {} {}",
                edition.display_name(),
                crate::build_info::VERSION
            );
            println!(
                "API compatible with Mattermost {}",
                crate::build_info::COMPATIBLE_MATTERMOST_VERSION
            );
            println!(
                "Git commit {} ({})",
                crate::build_info::GIT_HASH,
                crate::build_info::COMMIT_DATE
            );
            Ok(())
        }
        Some(Command::Config { command }) => {
            let config = load_config(&cli, json!({}))?;
            RuntimeEnv::from_process_env()?;
            match command {
                ConfigCommand::Check => println!("configuration is valid"),
                ConfigCommand::Show => {
                    let mut shown = config.clone();
                    shown.sql.data_source = config.sql.redacted_data_source();
                    println!("{}", serde_json::to_string_pretty(&shown)?);
                }
            }
            Ok(())
        }
        Some(Command::Db { command }) => {
            let config = load_config(&cli, json!({}))?;
            crate::logging::init(&config.log)?;
            runtime()?.block_on(db_command(&config, command))
        }
        Some(Command::User { command }) => {
            let config = load_config(&cli, json!({}))?;
            let runtime_env = RuntimeEnv::from_process_env()?;
            crate::logging::init(&config.log)?;
            runtime()?.block_on(user_command(config, runtime_env, command))
        }
        Some(Command::License { command }) => {
            let config = load_config(&cli, json!({}))?;
            let runtime_env = RuntimeEnv::from_process_env()?;
            crate::logging::init(&config.log)?;
            runtime()?.block_on(license::license_command(config, runtime_env, command))
        }
        Some(Command::Edition { command }) => {
            let config = load_config(&cli, json!({}))?;
            let runtime_env = RuntimeEnv::from_process_env()?;
            crate::logging::init(&config.log)?;
            match command {
                license::EditionCommand::Check => {
                    runtime()?.block_on(license::edition_check(config, runtime_env))
                }
            }
        }
        Some(Command::Openapi) => {
            println!("{}", crate::api::openapi().to_pretty_json()?);
            Ok(())
        }
    }
}

fn serve(cli: &Cli, listen: Option<String>, data_source: Option<String>) -> anyhow::Result<()> {
    let mut overrides = json!({});
    if let Some(listen) = listen {
        overrides["ServiceSettings"] = json!({ "ListenAddress": listen });
    }
    if let Some(source) = data_source {
        overrides["SqlSettings"] = json!({ "DataSource": source });
    }
    let config = load_config(cli, overrides)?;
    let runtime_env = RuntimeEnv::from_process_env()?;
    crate::logging::init(&config.log)?;
    runtime()?.block_on(async move {
        let server = Server::build(config, runtime_env).await?;
        server.run(server::shutdown_signal()).await
    })
}

async fn db_command(config: &Config, command: &DbCommand) -> anyhow::Result<()> {
    let store = store::connect(&config.sql)
        .await
        .with_context(|| format!("cannot open database {}", config.sql.redacted_data_source()))?;
    let result = async {
        match command {
            DbCommand::Migrate => {
                let applied = migrate::migrate(&store).await?;
                println!(
                    "applied {} migration(s); schema version {}",
                    applied.len(),
                    migrate::latest_version()
                );
            }
            DbCommand::Status => {
                for row in migrate::status(&store).await? {
                    let state = match (row.applied_at, row.unknown) {
                        (_, true) => "applied by a newer Townsquare".to_string(),
                        (Some(at), false) => format!("applied at {at}"),
                        (None, false) => "pending".to_string(),
                    };
                    println!("{:>4}  {:<40} {state}", row.version, row.name);
                }
            }
            DbCommand::Rollback { to } => {
                let reverted = migrate::rollback(&store, *to).await?;
                println!("reverted {} migration(s): {reverted:?}", reverted.len());
            }
            DbCommand::Dump { output } => match output {
                Some(path) => {
                    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
                    store::dump::write_jsonl(&store, &mut file).await?;
                    file.flush()?;
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    store::dump::write_jsonl(&store, &mut out).await?;
                    out.flush()?;
                }
            },
        }
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result
}

async fn user_command(
    config: Config,
    runtime_env: RuntimeEnv,
    command: &UserCommand,
) -> anyhow::Result<()> {
    let state = server::offline_state(config, runtime_env).await?;
    let result = async {
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
                let user = crate::app::users::create_user(&state, input, creator)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", e.app().message))?;
                println!(
                    "created user {} ({}) with roles \"{}\"",
                    user.username, user.id, user.roles
                );
            }
            UserCommand::List { page, per_page } => {
                let filter = crate::store::users::UserFilter::default();
                let users = state
                    .store
                    .list_users(&filter, page * per_page, (*per_page).clamp(1, 1000))
                    .await?;
                println!(
                    "{:<26}  {:<24} {:<32} {:<28} active",
                    "id", "username", "email", "roles"
                );
                for user in users {
                    println!(
                        "{:<26}  {:<24} {:<32} {:<28} {}",
                        user.id,
                        user.username,
                        user.email,
                        user.roles,
                        if user.is_active() { "yes" } else { "no" }
                    );
                }
            }
            UserCommand::ResetAttempts { user } => {
                let key = user.to_lowercase();
                let found = match state.store.user_by_username(&key).await? {
                    Some(found) => Some(found),
                    None => state.store.user_by_email(&key).await?,
                };
                let found = found.ok_or_else(|| anyhow::anyhow!("no user {user}"))?;
                let cleared = state.store.clear_login_attempts_for_user(&found.id).await?;
                println!(
                    "cleared {cleared} failed-login counter(s) for {}",
                    found.username
                );
            }
        }
        anyhow::Ok(())
    }
    .await;
    state.store.close().await;
    result
}
