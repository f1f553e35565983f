//! Fresh databases for tests: a temporary SQLite file, or a PostgreSQL database created from a
//! template that was migrated once per test process.

use std::path::Path;

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    pub fn from_env() -> Self {
        match std::env::var("TS_TEST_STORE").as_deref() {
            Ok("postgres") | Ok("pg") => StoreKind::Postgres,
            _ => StoreKind::Sqlite,
        }
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("TS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn pg_url_for(database: &str) -> String {
    let mut url = url::Url::parse(&pg_admin_url()).expect("TS_TEST_PG_URL is a URL");
    url.set_path(database);
    url.to_string()
}

/// True when PostgreSQL is usable; panics instead of skipping when `TS_REQUIRE_POSTGRES=1`.
pub async fn postgres_available() -> bool {
    static AVAILABLE: OnceCell<bool> = OnceCell::const_new();
    let available = *AVAILABLE
        .get_or_init(|| async { PgConnection::connect(&pg_admin_url()).await.is_ok() })
        .await;
    if !available && std::env::var("TS_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!(
            "PostgreSQL is required (TS_REQUIRE_POSTGRES=1) but {} is unreachable",
            pg_admin_url()
        );
    }
    available
}

pub struct TestDb {
    pub kind: StoreKind,
    dir: Option<tempfile::TempDir>,
    pg_database: Option<String>,
}

impl TestDb {
    pub async fn create(kind: StoreKind) -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("townsquare-test-")
            .tempdir()
            .expect("temp dir");
        match kind {
            StoreKind::Sqlite => TestDb {
                kind,
                dir: Some(dir),
                pg_database: None,
            },
            StoreKind::Postgres => {
                assert!(
                    postgres_available().await,
                    "PostgreSQL at {} is unreachable",
                    pg_admin_url()
                );
                let name = test_database_name();
                let template = template().await;
                let mut admin = PgConnection::connect(&pg_admin_url())
                    .await
                    .expect("pg admin");
                let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
                if let Err(first) = admin.execute(create.as_str()).await {
                    // Another test process (another checkout with other migrations) may have
                    // swept our template; build it again and retry once.
                    eprintln!("creating {name} from {template} failed ({first}); rebuilding");
                    ensure_template(&template).await;
                    admin
                        .execute(create.as_str())
                        .await
                        .expect("create test database from template");
                }
                TestDb {
                    kind,
                    dir: Some(dir),
                    pg_database: Some(name),
                }
            }
        }
    }

    /// An empty PostgreSQL database without migrations (for migration tests).
    pub async fn create_empty_postgres() -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("townsquare-test-")
            .tempdir()
            .expect("temp dir");
        let name = test_database_name();
        let mut admin = PgConnection::connect(&pg_admin_url())
            .await
            .expect("pg admin");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create empty database");
        TestDb {
            kind: StoreKind::Postgres,
            dir: Some(dir),
            pg_database: Some(name),
        }
    }

    pub(crate) fn placeholder() -> TestDb {
        TestDb {
            kind: StoreKind::Sqlite,
            dir: None,
            pg_database: None,
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir
            .as_ref()
            .map(|d| d.path())
            .unwrap_or(Path::new("."))
    }

    pub fn data_source(&self) -> String {
        match &self.pg_database {
            Some(name) => pg_url_for(name),
            None => self
                .dir()
                .join("townsquare.db")
                .to_string_lossy()
                .into_owned(),
        }
    }

    pub fn pg_database(&self) -> Option<&str> {
        self.pg_database.as_deref()
    }

    pub fn sql_settings(&self) -> townsquare::config::SqlSettings {
        let mut settings = townsquare::config::SqlSettings {
            data_source: self.data_source(),
            ..Default::default()
        };
        settings.max_open_conns = 5;
        settings.connect_timeout_seconds = 2;
        settings
    }

    /// Opens the store (without migrating).
    pub async fn connect(&self) -> townsquare::store::Store {
        townsquare::store::connect(&self.sql_settings())
            .await
            .expect("connect test store")
    }
}

/// Name of the migrated template for the current migration set; created once per process.
/// `ts_test_{unix seconds}_{id}`: the creation time lets the sweep leave young databases of
/// other running test processes alone.
fn test_database_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("ts_test_{secs}_{}", townsquare::id::new_id())
}

/// The migrated template for this build's migrations, created once per test process.
async fn template() -> String {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let mut hash = Sha256::new();
            // Versions too: renumbering a migration must not reuse a template.
            for migration in townsquare::store::migrate::MIGRATIONS {
                hash.update(migration.version.to_le_bytes());
                hash.update(migration.up(townsquare::store::Dialect::Postgres));
            }
            let name = format!("ts_tpl_{}", &hex::encode(hash.finalize())[..16]);
            ensure_template(&name).await;
            name
        })
        .await
        .clone()
}

/// Creates the template `name` unless it exists, under an advisory lock shared by every
/// test process on this server; sweeps stale test databases on the way.
async fn ensure_template(name: &str) {
    let mut admin = PgConnection::connect(&pg_admin_url())
        .await
        .expect("pg admin");
    admin
        .execute("SELECT pg_advisory_lock(74185)")
        .await
        .expect("lock");
    sweep_stale(&mut admin, name).await;
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut admin)
        .await
        .expect("query templates");
    if exists.is_none() {
        let building = format!("{name}_build");
        admin
            .execute(format!("DROP DATABASE IF EXISTS {building}").as_str())
            .await
            .expect("drop");
        admin
            .execute(format!("CREATE DATABASE {building}").as_str())
            .await
            .expect("create template");
        {
            let settings = townsquare::config::SqlSettings {
                data_source: pg_url_for(&building),
                ..Default::default()
            };
            let store = townsquare::store::connect(&settings)
                .await
                .expect("connect template");
            townsquare::store::migrate::migrate(&store)
                .await
                .expect("migrate template");
            store.close().await;
        }
        admin
            .execute(format!("ALTER DATABASE {building} RENAME TO {name}").as_str())
            .await
            .expect("publish template");
    }
    admin
        .execute("SELECT pg_advisory_unlock(74185)")
        .await
        .expect("unlock");
}

async fn sweep_stale(admin: &mut PgConnection, keep_template: &str) {
    /// Test databases younger than this may belong to a test process still running.
    const KEEP_YOUNGER_THAN_SECS: u64 = 20 * 60;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT datname::text FROM pg_database WHERE (datname LIKE 'ts\\_test\\_%' OR datname LIKE 'ts\\_tpl\\_%') AND datname <> $1",
    )
    .bind(keep_template)
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for (name,) in names {
        let created = name
            .strip_prefix("ts_test_")
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(secs, _)| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| now.saturating_sub(secs) < KEEP_YOUNGER_THAN_SECS) {
            continue;
        }
        // Fails harmlessly for databases another running test process still uses.
        let _ = admin
            .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await;
    }
}
