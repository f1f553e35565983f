//! `townsquare db ...`: migrations, rollback and the logical dump.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::confirm::{self, Confirmation};
use crate::config::Config;
use crate::store::{self, migrate, Store};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations.
    #[command(after_help = "Examples:\n  townsquare db migrate\n  \
        MM_SQLSETTINGS_DATASOURCE=postgres://user:pw@localhost/townsquare townsquare db migrate")]
    Migrate,
    /// List migrations, whether they are applied and when (UTC).
    #[command(
        after_help = "Examples:\n  townsquare db status\n  townsquare --config prod.toml db status"
    )]
    Status,
    /// Revert migrations newer than VERSION, dropping the tables they created and every row in
    /// them. Shows what it will drop and asks first.
    #[command(
        after_help = "Examples:\n  townsquare db dump -o backup.jsonl && townsquare db rollback --to 4\n  \
        townsquare db rollback --to 0 --yes     # everything, without asking (scripts)"
    )]
    Rollback {
        /// Keep migrations up to and including this version; 0 reverts everything.
        #[arg(long, value_name = "VERSION")]
        to: i64,
        #[command(flatten)]
        confirmation: Confirmation,
    },
    /// Write a deterministic logical dump of every table and row (JSON lines).
    #[command(
        after_help = "Examples:\n  townsquare db dump -o backup.jsonl\n  townsquare db dump | gzip > backup.jsonl.gz"
    )]
    Dump {
        /// Output file; standard output when absent.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub async fn db_command(config: &Config, command: &DbCommand) -> anyhow::Result<()> {
    let store = store::connect(&config.sql)
        .await
        .with_context(|| format!("cannot open database {}", config.sql.redacted_data_source()))?;
    let result = run(&store, command).await;
    store.close().await;
    result
}

async fn run(store: &Store, command: &DbCommand) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate => {
            let applied = migrate::migrate(store).await?;
            outln!(
                "applied {} migration(s); schema version {}",
                applied.len(),
                migrate::latest_version()
            )?;
        }
        DbCommand::Status => {
            let mut rows = vec![vec!["version".into(), "name".into(), "state".into()]];
            for row in migrate::status(store).await? {
                let state = match (row.applied_at, row.unknown) {
                    (_, true) => "applied by a newer Townsquare".to_string(),
                    (Some(at), false) => format!("applied at {}", utc_seconds(at)),
                    (None, false) => "pending".to_string(),
                };
                rows.push(vec![row.version.to_string(), row.name, state]);
            }
            out!("{}", super::table::render(&rows))?;
        }
        DbCommand::Rollback { to, confirmation } => rollback(store, *to, *confirmation).await?,
        DbCommand::Dump { output } => match output {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                let mut file = std::io::BufWriter::new(file);
                store::dump::write_jsonl(store, &mut file).await?;
                file.flush()?;
            }
            None => {
                let mut out =
                    super::out::PipeAware::new(std::io::BufWriter::new(std::io::stdout().lock()));
                let written = store::dump::write_jsonl(store, &mut out).await;
                let flushed = out.flush();
                if out.broken {
                    return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe).into());
                }
                written?;
                flushed?;
            }
        },
    }
    Ok(())
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_seconds(ms: i64) -> String {
    let minutes = townsquare_sdk::license::format_utc(ms);
    let seconds = ms.div_euclid(1000).rem_euclid(60);
    match minutes.strip_suffix(" UTC") {
        Some(head) => format!("{head}:{seconds:02} UTC"),
        None => minutes,
    }
}

/// The tables a down script drops, in order.
pub fn dropped_tables(down_sql: &str) -> Vec<String> {
    down_sql
        .split(';')
        .filter_map(|stmt| {
            let words: Vec<String> = stmt
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .flat_map(|l| l.split_whitespace())
                .map(|w| w.to_ascii_lowercase())
                .collect();
            match words.as_slice() {
                [drop, table, if_, exists, name, ..]
                    if drop == "drop" && table == "table" && if_ == "if" && exists == "exists" =>
                {
                    Some(name.clone())
                }
                [drop, table, name, ..] if drop == "drop" && table == "table" => Some(name.clone()),
                _ => None,
            }
        })
        .map(|name| {
            let name = name.split('(').next().unwrap_or_default();
            name.trim_matches('"').to_string()
        })
        .collect()
}

async fn count_rows(store: &Store, table: &str) -> Option<i64> {
    // Names come from our own migration files; refuse anything that is not a plain name.
    if !table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let counted: Result<(i64,), sqlx::Error> =
        with_reader!(store, |pool| sqlx::query_as(&sql).fetch_one(pool).await);
    counted.ok().map(|(n,)| n)
}

async fn rollback(store: &Store, target: i64, confirmation: Confirmation) -> anyhow::Result<()> {
    let dialect = store.dialect();
    let status = migrate::status(store).await?;
    let mut doomed: Vec<&migrate::Migration> = migrate::MIGRATIONS
        .iter()
        .filter(|m| {
            m.version > target
                && status
                    .iter()
                    .any(|s| s.version == m.version && s.applied_at.is_some())
        })
        .collect();
    doomed.reverse();
    if doomed.is_empty() {
        outln!("nothing to revert: no applied migration is newer than version {target}")?;
        return Ok(());
    }
    let lock = confirm::lock_out_servers(store, confirmation).await?;
    outln!(
        "This reverts {} migration(s) and permanently deletes the tables they created, with \
         every row in them:",
        doomed.len()
    )?;
    let mut total = 0i64;
    for migration in &doomed {
        outln!("  {}", migration.name)?;
        for table in dropped_tables(migration.down(dialect)) {
            let rows = count_rows(store, &table).await;
            total += rows.unwrap_or(0);
            outln!(
                "    drops table {table} ({})",
                rows.map(|n| format!("{n} rows"))
                    .unwrap_or_else(|| "rows not counted".into())
            )?;
        }
    }
    outln!("{total} rows in all. {}", confirm::BACKUP_HINT)?;
    let result = async {
        confirm::confirm(confirmation)?;
        let reverted = migrate::rollback(store, target).await?;
        outln!(
            "reverted {} migration(s); schema version {target}",
            reverted.len()
        )?;
        anyhow::Ok(())
    }
    .await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_seconds() {
        assert_eq!(utc_seconds(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_seconds(1_767_225_599_999), "2025-12-31 23:59:59 UTC");
        assert_eq!(utc_seconds(-1_000), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn dropped_tables_of_a_down_script() {
        let sql = "-- drops\nDROP TABLE a;\ndrop table if exists \"b\";\nDROP INDEX idx;\nDROP TABLE\n  c;";
        assert_eq!(dropped_tables(sql), ["a", "b", "c"]);
    }

    #[test]
    fn every_down_script_drops_what_its_up_creates() {
        for dialect in [store::Dialect::Sqlite, store::Dialect::Postgres] {
            for m in migrate::MIGRATIONS {
                let dropped = dropped_tables(m.down(dialect));
                for table in dropped_tables(&m.up(dialect).replace("CREATE TABLE", "DROP TABLE")) {
                    assert!(dropped.contains(&table), "{} does not drop {table}", m.name);
                }
            }
        }
    }
}
