//! `townsquare license ...` and `townsquare edition check`.
//!
//! The admin commands talk to the configured database, so they work with the server stopped
//! or running: a running server notices the change within seconds.

#[cfg(feature = "enterprise")]
use std::path::Path;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use townsquare_sdk::license::format_utc;
use townsquare_sdk::{Edition, Feature, LicenseSnapshot, LicenseState, LoadMode};

use super::confirm::{self, Confirmation};
use crate::app::licensing;
use crate::config::{Config, RuntimeEnv};
use crate::server;
use crate::state::AppState;
use crate::store::{self, migrate};
#[cfg(feature = "enterprise")]
use crate::time::now_ms;

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Verify a license file, check its dates and seats, store it and make it the active
    /// license (Enterprise build).
    #[command(
        after_help = "Examples:\n  townsquare license upload customer.townsquare-license\n  \
        MM_SERVICEENVIRONMENT=dev townsquare license upload licenses/dev/sample-enterprise.townsquare-license"
    )]
    Upload {
        /// The .townsquare-license file.
        file: PathBuf,
    },
    /// Remove the active license: licensed features stop; the stored copy is kept and can be
    /// uploaded again. Shows the license and asks first.
    #[command(
        after_help = "Examples:\n  townsquare license remove\n  townsquare license remove --yes          # scripts\n  \
        townsquare license remove --yes --force  # while a server runs (it follows within seconds)"
    )]
    Remove {
        #[command(flatten)]
        confirmation: Confirmation,
    },
    /// Show the license this binary would have in force, and where it comes from.
    #[command(after_help = "Examples:\n  townsquare license show")]
    Show,
    /// Vendor: generate a signing key pair KID.key (secret) and KID.pub.
    #[cfg(feature = "enterprise")]
    #[command(
        after_help = "Examples:\n  townsquare license keygen --kid ts-prod-2 --out-dir /secure/place"
    )]
    Keygen {
        /// The key id, e.g. ts-prod-2.
        #[arg(long)]
        kid: String,
        /// Where to write the two files.
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
    /// Vendor: sign a license payload (JSON). The key id is the key file's stem.
    #[cfg(feature = "enterprise")]
    #[command(after_help = "Examples:\n  \
        townsquare license sign --key licenses/dev/ts-dev-1.key payload.json -o trial.townsquare-license")]
    Sign {
        /// The signing key file, e.g. licenses/dev/ts-dev-1.key.
        #[arg(long)]
        key: PathBuf,
        /// The payload JSON; its exact bytes are signed.
        payload: PathBuf,
        /// Output file; standard output when absent.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Vendor: verify a license file against every compiled-in key and print it, with its
    /// state now.
    #[cfg(feature = "enterprise")]
    #[command(after_help = "Examples:\n  townsquare license inspect customer.townsquare-license")]
    Inspect {
        /// The .townsquare-license file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum EditionCommand {
    /// Preflight: what the database holds per licensed feature, and what this binary with
    /// its license will do with it. Changes nothing.
    #[command(
        after_help = "Examples:\n  townsquare edition check\n  townsquare --config prod.toml edition check"
    )]
    Check,
}

fn app_error(err: crate::Error) -> anyhow::Error {
    let app = err.app();
    anyhow::anyhow!("{} ({})", app.message, app.id)
}

pub async fn license_command(
    config: Config,
    runtime_env: RuntimeEnv,
    command: &LicenseCommand,
) -> anyhow::Result<()> {
    #[cfg(feature = "enterprise")]
    match command {
        LicenseCommand::Keygen { kid, out_dir } => return keygen(kid, out_dir),
        LicenseCommand::Sign {
            key,
            payload,
            output,
        } => return sign(key, payload, output.as_deref()),
        LicenseCommand::Inspect { file } => return inspect(file),
        _ => {}
    }
    let state = server::offline_state(config, runtime_env).await?;
    let result = async {
        match command {
            LicenseCommand::Upload { file } => {
                let bytes = std::fs::read(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let license = licensing::upload(&state, &bytes).await.map_err(app_error)?;
                outln!(
                    "license {} uploaded and active: {} for {}, {} users, until {}",
                    license.id,
                    license.sku_name,
                    license.customer.company,
                    license.features.users,
                    format_utc(license.expires_at)
                )?;
                outln!("running servers pick it up within a few seconds")?;
            }
            LicenseCommand::Remove { confirmation } => remove(&state, *confirmation).await?,
            LicenseCommand::Show => {
                let snapshot = licensing::evaluate(&state, LoadMode::DryRun).await;
                out!("{}", describe_snapshot(&state, &snapshot))?;
                let rows = state.store.license_rows().await?;
                outln!(
                    "stored licenses: {}; ActiveLicenseId: {}",
                    rows.stored,
                    if rows.active_license_id.is_empty() {
                        "(none)"
                    } else {
                        rows.active_license_id.as_str()
                    }
                )?;
            }
            #[cfg(feature = "enterprise")]
            _ => unreachable!("vendor commands return early"),
        }
        anyhow::Ok(())
    }
    .await;
    state.store.close().await;
    result
}

/// `license remove`: what goes, then the usual confirmation and server check.
async fn remove(state: &AppState, confirmation: Confirmation) -> anyhow::Result<()> {
    let rows = state.store.license_rows().await?;
    let snapshot = licensing::evaluate(state, LoadMode::DryRun).await;
    let installed = snapshot.entitlements.installed();
    if rows.active_license_id.is_empty() && installed.is_none() {
        outln!("no active license: nothing to remove")?;
        return Ok(());
    }
    let lock = confirm::lock_out_servers(&state.store, confirmation).await?;
    let result = async {
        match installed {
            Some(installed) => {
                let license = &installed.license;
                outln!(
                    "This deactivates license {} ({}) for {} <{}>, {} users, expiring {}.",
                    license.id,
                    license.sku_name,
                    license.customer.company,
                    license.customer.email,
                    license.features.users,
                    format_utc(license.expires_at)
                )?;
            }
            None => outln!(
                "This clears the active license id {} (it cannot be used by this binary).",
                rows.active_license_id
            )?,
        }
        outln!(
            "Licensed features stop at once on every server using this database; their data is \
             kept. The stored license stays in the database: upload the same file again to \
             re-activate it."
        )?;
        confirm::confirm(confirmation)?;
        licensing::remove(state).await.map_err(app_error)?;
        outln!("license removed (the stored copy is kept); running servers follow within a few seconds")?;
        anyhow::Ok(())
    }
    .await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    result
}

fn describe_snapshot(state: &AppState, snapshot: &LicenseSnapshot) -> String {
    let mut out = String::new();
    let entitlements = &snapshot.entitlements;
    out.push_str(&format!(
        "Townsquare {} {}\n",
        state.edition().display_name(),
        crate::build_info::VERSION
    ));
    match entitlements.installed() {
        Some(installed) => {
            let license = &installed.license;
            out.push_str(&format!(
                "license {} from {}: {} ({}), customer {} <{}>\n",
                license.id,
                match installed.source {
                    townsquare_sdk::LicenseSource::Environment => "MM_LICENSE",
                    townsquare_sdk::LicenseSource::Database => "the database",
                },
                license.sku_name,
                license.sku_short_name,
                license.customer.company,
                license.customer.email,
            ));
            out.push_str(&format!(
                "state: {} (starts {}, expires {}, grace until {})\n",
                state_name(installed.state),
                format_utc(license.starts_at),
                format_utc(license.expires_at),
                format_utc(license.grace_ends_at())
            ));
            out.push_str(&format!(
                "seats: {} users + {} extra{}\n",
                license.features.users,
                license.extra_users.unwrap_or(0),
                if license.is_seat_count_enforced {
                    ", enforced"
                } else {
                    ""
                }
            ));
            let features: Vec<&str> = entitlements
                .allowed()
                .iter()
                .map(|f| f.json_key())
                .collect();
            out.push_str(&format!(
                "features in force: {}\n",
                if features.is_empty() {
                    "none".to_owned()
                } else {
                    features.join(", ")
                }
            ));
            if installed.is_development {
                out.push_str(
                    "WARNING: signed with the public development key (local trials and tests only)\n",
                );
            }
        }
        None => out.push_str("no license in force: licensed features are off\n"),
    }
    for problem in &snapshot.problems {
        out.push_str(&format!(
            "problem: {} cannot be used: {} ({})\n",
            problem.origin.describe(),
            problem.message,
            problem.id
        ));
    }
    out
}

fn state_name(state: LicenseState) -> &'static str {
    match state {
        LicenseState::NotStarted => "not started",
        LicenseState::Active => "active",
        LicenseState::Grace => "EXPIRED, in grace period (features still on)",
        LicenseState::Expired => "EXPIRED (features off)",
    }
}

#[cfg(feature = "enterprise")]
fn keygen(kid: &str, out_dir: &Path) -> anyhow::Result<()> {
    use std::io::Write;

    let pair = crate::edition::vendor::generate_keypair()?;
    std::fs::create_dir_all(out_dir)?;
    let secret_path = out_dir.join(format!("{kid}.key"));
    let public_path = out_dir.join(format!("{kid}.pub"));
    for path in [&secret_path, &public_path] {
        anyhow::ensure!(
            !path.exists(),
            "{} exists; refusing to overwrite a key",
            path.display()
        );
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut secret = options.open(&secret_path)?;
    secret.write_all(pair.signing_key.as_bytes())?;
    secret.write_all(b"\n")?;
    std::fs::write(&public_path, format!("{}\n", pair.public_key))?;
    outln!(
        "wrote {} (keep it secret) and {} (compile it in: licenses/keys/{kid}.pub)",
        secret_path.display(),
        public_path.display()
    )?;
    Ok(())
}

#[cfg(feature = "enterprise")]
fn sign(key: &Path, payload: &Path, output: Option<&Path>) -> anyhow::Result<()> {
    let kid = key
        .file_stem()
        .and_then(|s| s.to_str())
        .context("the key file name gives the key id, e.g. ts-dev-1.key")?;
    let signing_key =
        std::fs::read_to_string(key).with_context(|| format!("cannot read {}", key.display()))?;
    let payload_bytes =
        std::fs::read(payload).with_context(|| format!("cannot read {}", payload.display()))?;
    let armoured = crate::edition::vendor::sign_license(&payload_bytes, &signing_key, kid)
        .with_context(|| format!("cannot sign {}", payload.display()))?;
    match output {
        Some(path) => std::fs::write(path, &armoured)?,
        None => out!("{armoured}")?,
    }
    Ok(())
}

#[cfg(feature = "enterprise")]
fn inspect(file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let now = now_ms();
    let inspected = crate::edition::vendor::inspect(&text, now)
        .map_err(|e| anyhow::anyhow!("{} ({})", e.message(), e.id()))?;
    let license = &inspected.license;
    outln!(
        "signature: valid, key {}{}",
        inspected.kid,
        if inspected.is_development {
            " (DEVELOPMENT key: only servers with MM_SERVICEENVIRONMENT=dev or test accept it)"
        } else {
            " (production key)"
        }
    )?;
    outln!("state now: {}", state_name(license.state_at(now)))?;
    outln!(
        "dates: issued {}, starts {}, expires {}, grace until {}",
        format_utc(license.issued_at),
        format_utc(license.starts_at),
        format_utc(license.expires_at),
        format_utc(license.grace_ends_at())
    )?;
    let granted: Vec<&str> = license
        .features
        .granted()
        .iter()
        .map(Feature::json_key)
        .collect();
    outln!("features granted: {}", granted.join(", "))?;
    outln!("payload:")?;
    let pretty: serde_json::Value = serde_json::from_slice(&inspected.payload)?;
    outln!("{}", serde_json::to_string_pretty(&pretty)?)?;
    Ok(())
}

/// `townsquare edition check`: reads, never writes (no migration, no license import).
pub async fn edition_check(config: Config, runtime_env: RuntimeEnv) -> anyhow::Result<()> {
    let store = store::connect(&config.sql)
        .await
        .with_context(|| format!("cannot open database {}", config.sql.redacted_data_source()))?;
    let status = migrate::status(&store).await?;
    let state = AppState::new(
        config,
        runtime_env,
        store,
        crate::edition::build_extensions(),
    );
    let result = edition_report(&state, &status).await;
    state.store.close().await;
    out!("{}", result?)?;
    Ok(())
}

async fn edition_report(
    state: &AppState,
    status: &[migrate::MigrationStatus],
) -> anyhow::Result<String> {
    let mut out = String::new();
    let newer: Vec<_> = status.iter().filter(|s| s.unknown).collect();
    if !newer.is_empty() {
        out.push_str(&format!(
            "This database was migrated by a newer Townsquare (schema version {}); this binary \
             refuses to start on it and changes nothing. Run the newer version.\n",
            newer.iter().map(|s| s.version).max().unwrap_or(0)
        ));
        return Ok(out);
    }
    let pending: Vec<_> = status.iter().filter(|s| s.applied_at.is_none()).collect();
    if !pending.is_empty() {
        out.push_str(&format!(
            "pending migrations (applied at the next start, nothing is deleted): {}\n",
            pending
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if pending.iter().any(|s| s.version <= 3) {
            out.push_str(
                "the licensing tables do not exist yet: there is no licensed data to keep\n",
            );
            return Ok(out);
        }
    }

    let snapshot = licensing::evaluate(state, LoadMode::DryRun).await;
    out.push_str(&describe_snapshot(state, &snapshot));
    let entitlements = &snapshot.entitlements;
    let is_team = entitlements.edition() == Edition::Team;
    let on = |f: Feature| entitlements.allows(f);
    let config = state.config();

    let licenses = state.store.license_rows().await?;
    let terms = state.store.terms_rows().await?;
    let humans = state.store.count_active_humans().await?;
    let mut rows: Vec<(&str, String, String)> = Vec::new();

    rows.push((
        "licenses",
        format!(
            "{} stored; active: {}",
            licenses.stored,
            if licenses.active_license_id.is_empty() {
                "none"
            } else {
                &licenses.active_license_id
            }
        ),
        if is_team {
            "kept and ignored: a Team Edition build cannot use a license".to_owned()
        } else if entitlements.is_licensed() {
            "verified and in force".to_owned()
        } else {
            "kept; no license in force (behaves as Team Edition)".to_owned()
        },
    ));
    rows.push((
        Feature::CustomTermsOfService.json_key(),
        format!(
            "{} texts, {} acceptances; SupportSettings.CustomTermsOfServiceEnabled = {}",
            terms.terms, terms.acceptances, config.support.custom_terms_of_service_enabled
        ),
        if on(Feature::CustomTermsOfService) {
            if config.support.custom_terms_of_service_enabled {
                "in force: clients ask users to accept the newest text".to_owned()
            } else {
                "licensed but disabled in the configuration".to_owned()
            }
        } else {
            "kept and ignored: no terms in force, nothing enforced; back as they were with a \
             license that grants the feature"
                .to_owned()
        },
    ));
    rows.push((
        Feature::Announcement.json_key(),
        format!(
            "AnnouncementSettings.EnableBanner = {}",
            config.announcement.enable_banner
        ),
        if on(Feature::Announcement) {
            if config.announcement.enable_banner {
                "banner shown".to_owned()
            } else {
                "licensed; banner disabled in the configuration".to_owned()
            }
        } else {
            "settings kept; no banner shown".to_owned()
        },
    ));
    let seat_rule = match entitlements.license() {
        Some(license) if entitlements.is_licensed() && license.is_seat_count_enforced => {
            let limit = license.seat_limit();
            if humans as u64 >= limit {
                format!(
                    "limit {limit} reached: existing users and sessions are kept; new users \
                     and reactivations are refused"
                )
            } else {
                format!("limit {limit}: {} seats free", limit - humans as u64)
            }
        }
        _ => "no seat limit".to_owned(),
    };
    rows.push((
        "seats",
        format!("{humans} active users (bots not counted)"),
        seat_rule,
    ));

    out.push('\n');
    let mut table = vec![super::row([
        "feature",
        "data held",
        "with this binary and license",
    ])];
    for (feature, data, action) in rows {
        table.push(vec![feature.to_owned(), data, action]);
    }
    out.push_str(&super::table::render(&table));
    out.push_str(
        "\nNo edition switch deletes or rewrites data: switching runs no migration, and data a \
         build cannot use is kept as it is (docs/editions.md).\n",
    );
    Ok(out)
}
