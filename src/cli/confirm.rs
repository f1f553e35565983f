//! What every destructive command does before it changes anything: refuse while a server uses
//! the database (unless `--force`), say exactly what will go, and ask (or require `--yes`).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;

use crate::server::instance_lock::{self, InstanceLock, Mode};
use crate::store::Store;

/// The flags every destructive command takes.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct Confirmation {
    /// Do not ask; required when standard input is not a terminal (scripts, CI).
    #[arg(long, visible_alias = "confirm")]
    pub yes: bool,
    /// Go ahead even while a Townsquare server is using this database.
    #[arg(long)]
    pub force: bool,
}

/// The line every plan ends with.
pub const BACKUP_HINT: &str =
    "Back up first if you may want it back: townsquare db dump -o backup.jsonl";

/// Takes the instance lock exclusively, so no server runs (or starts) while we change things.
/// `None` only with `--force` while a server is running.
pub async fn lock_out_servers(
    store: &Store,
    confirmation: Confirmation,
) -> anyhow::Result<Option<InstanceLock>> {
    if let Some(lock) = instance_lock::try_acquire(store, Mode::Exclusive).await? {
        return Ok(Some(lock));
    }
    if confirmation.force {
        eprintln!("warning: a Townsquare server is using this database; going ahead (--force)");
        return Ok(None);
    }
    bail!(
        "a Townsquare server is using this database ({}). Nothing was changed. Stop the \
         server first, or run again with --force to change the database under it.",
        match instance_lock::lock_path(store) {
            Some(path) => format!("it holds {}", path.display()),
            None => "it holds the townsquare server advisory lock".to_owned(),
        }
    )
}

/// Asks on a terminal; elsewhere requires `--yes`. Call after printing the plan.
pub fn confirm(confirmation: Confirmation) -> anyhow::Result<()> {
    if confirmation.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "standard input is not a terminal, so there is no one to ask. Nothing was changed. \
             Run again with --yes to confirm."
        );
    }
    eprint!("Type \"yes\" to continue: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        bail!("not confirmed. Nothing was changed.")
    }
}
