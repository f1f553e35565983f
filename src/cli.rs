//! The `townsquare` command line.

#[macro_use]
mod out;
mod confirm;
mod db;
mod license;
mod table;
mod user;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::json;

use crate::config::{self, Config, MattermostEnv, RuntimeEnv};
use crate::server::{self, Server};

const EXAMPLES: &str = "Examples:
  townsquare                                  # serve on :8065 with ./data/townsquare.db
  townsquare serve --listen 127.0.0.1:9000
  townsquare user create --email admin@example.com --username admin --system-admin
  townsquare db status
  townsquare config check

Settings: config/townsquare.toml (or --config FILE), then MM_<SECTION>_<KEY> variables.";

#[derive(Debug, Parser)]
#[command(name = "townsquare", about = "Team chat server speaking the Mattermost API v4",
    version = crate::build_info::VERSION, after_help = EXAMPLES)]
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
    #[command(
        after_help = "Examples:\n  townsquare serve\n  townsquare serve --listen :9000\n  \
        townsquare serve --data-source postgres://user:pw@localhost/townsquare"
    )]
    Serve {
        /// Overrides ServiceSettings.ListenAddress, e.g. ":8065" or "127.0.0.1:8065".
        #[arg(long, value_name = "ADDRESS")]
        listen: Option<String>,
        /// Overrides SqlSettings.DataSource: an SQLite file path or a postgres:// URL.
        #[arg(long, value_name = "SOURCE")]
        data_source: Option<String>,
    },
    /// Print edition, version and git commit.
    #[command(after_help = "Examples:\n  townsquare version")]
    Version,
    /// Configuration tools.
    #[command(after_help = "Examples:\n  townsquare config check\n  townsquare config show")]
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Database tools: migrations, status, rollback, logical dump.
    #[command(
        after_help = "Examples:\n  townsquare db status\n  townsquare db dump -o backup.jsonl\n  \
        townsquare db rollback --to 4"
    )]
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
    },
    /// Print the OpenAPI document.
    #[command(after_help = "Examples:\n  townsquare openapi > openapi.json")]
    Openapi,
    /// User administration (mmctl's verbs); works on the database directly, no login needed.
    #[command(after_help = "Examples:\n  \
        townsquare user create --email admin@example.com --username admin --system-admin\n  \
        townsquare user list\n  townsquare user deactivate alice\n  townsquare user delete alice")]
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// License administration; works with the server stopped or running (and, in the
    /// Enterprise build, the vendor tools keygen, sign and inspect).
    #[command(after_help = "Examples:\n  \
        townsquare license upload licenses/dev/sample-enterprise.townsquare-license\n  \
        townsquare license show\n  townsquare license remove")]
    License {
        #[command(subcommand)]
        command: license::LicenseCommand,
    },
    /// Edition tools.
    #[command(after_help = "Examples:\n  townsquare edition check")]
    Edition {
        #[command(subcommand)]
        command: license::EditionCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate the configuration without starting the server; warns about `MM_` variables
    /// that match no setting.
    #[command(after_help = "Examples:\n  townsquare config check\n  \
        MM_SQLSETTINGS_DATASOURCE=postgres://localhost/townsquare townsquare config check\n  \
        townsquare --config /etc/townsquare.toml config check")]
    Check,
    /// Print the effective configuration as JSON (data source password and link salt redacted).
    #[command(
        after_help = "Examples:\n  townsquare config show\n  townsquare config show | jq .SqlSettings"
    )]
    Show,
}

/// Entry point used by `main`. Returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        // The reader of our output has gone (`| head`): nothing more to say.
        Err(err) if out::is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            1
        }
    }
}

/// A table row from string-like cells.
fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn load_config(cli: &Cli, overrides: serde_json::Value) -> anyhow::Result<Config> {
    let (config, _) = config::load(
        cli.config.as_deref(),
        MattermostEnv::from_process(),
        overrides,
    )?;
    Ok(config)
}

/// Every `MM_` variable that sets nothing, one warning each.
fn unknown_env_warnings() -> Vec<String> {
    MattermostEnv::from_process()
        .unknown()
        .iter()
        .map(ToString::to_string)
        .collect()
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
            outln!(
                "Townsquare {} {}",
                edition.display_name(),
                crate::build_info::VERSION
            )?;
            outln!(
                "API compatible with Mattermost {}",
                crate::build_info::COMPATIBLE_MATTERMOST_VERSION
            )?;
            outln!(
                "Git commit {} ({})",
                crate::build_info::GIT_HASH,
                crate::build_info::COMMIT_DATE
            )?;
            Ok(())
        }
        Some(Command::Config { command }) => {
            let config = load_config(&cli, json!({}))?;
            RuntimeEnv::from_process_env()?;
            match command {
                ConfigCommand::Check => {
                    for warning in unknown_env_warnings() {
                        eprintln!("warning: {warning}");
                    }
                    outln!("configuration is valid")?;
                }
                ConfigCommand::Show => {
                    let mut shown = config.clone();
                    shown.sql.data_source = config.sql.redacted_data_source();
                    if !shown.file.public_link_salt.is_empty() {
                        shown.file.public_link_salt = "********".into();
                    }
                    outln!("{}", serde_json::to_string_pretty(&shown)?)?;
                }
            }
            Ok(())
        }
        Some(Command::Db { command }) => {
            let config = load_config(&cli, json!({}))?;
            crate::logging::init(&config.log)?;
            runtime()?.block_on(db::db_command(&config, command))
        }
        Some(Command::User { command }) => {
            let config = load_config(&cli, json!({}))?;
            let runtime_env = RuntimeEnv::from_process_env()?;
            crate::logging::init(&config.log)?;
            runtime()?.block_on(user::user_command(config, runtime_env, command))
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
            outln!("{}", crate::api::openapi().to_pretty_json()?)?;
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
    for warning in unknown_env_warnings() {
        tracing::warn!("{warning}");
    }
    runtime()?.block_on(async move {
        let server = Server::build(config, runtime_env).await?;
        server.run(server::shutdown_signal()).await
    })
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    /// Every option and argument of every subcommand says what it is for, and every
    /// subcommand shows examples.
    #[test]
    fn help_describes_every_option_and_has_examples() {
        fn walk(command: &clap::Command, path: &str, problems: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if ["help", "version"].contains(&id) {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    problems.push(format!("{path}: --{id} has no description"));
                }
            }
            let is_group = command.get_subcommands().next().is_some();
            let examples = command
                .get_after_help()
                .or(command.get_after_long_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            if (!is_group || path != "townsquare")
                && !examples.contains("Examples:")
                && command.get_name() != "help"
            {
                problems.push(format!("{path}: no Examples section"));
            }
            for sub in command.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), problems);
            }
        }
        let mut problems = Vec::new();
        walk(&Cli::command(), "townsquare", &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn destructive_commands_take_yes_confirm_and_force() {
        for args in [
            &[
                "townsquare",
                "db",
                "rollback",
                "--to",
                "0",
                "--yes",
                "--force",
            ][..],
            &["townsquare", "db", "rollback", "--to", "0", "--confirm"][..],
            &["townsquare", "user", "delete", "alice", "--confirm"][..],
            &["townsquare", "license", "remove", "--yes", "--force"][..],
        ] {
            Cli::try_parse_from(args.iter().copied()).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
    }
}
