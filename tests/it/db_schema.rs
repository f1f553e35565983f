//! Migrations: both dialects yield the same schema; every migration is reversible; a database
//! from a newer Townsquare is refused before anything changes.

use townsquare::store::{dump, introspect, migrate, Pools, Store};

use crate::support::db::postgres_available;
use crate::support::{StoreKind, TestDb, TestServer};

async fn migrated(db: &TestDb) -> Store {
    let store = db.connect().await;
    migrate::migrate(&store).await.expect("migrate");
    store
}

async fn up_down_up(store: &Store) {
    let schema = introspect::schema(store).await.unwrap();
    assert!(schema.contains_key("systems"), "{:?}", schema.keys());

    let reverted = migrate::rollback(store, 0).await.unwrap();
    assert_eq!(reverted.len(), migrate::MIGRATIONS.len());
    let empty = introspect::schema(store).await.unwrap();
    assert_eq!(
        empty.keys().collect::<Vec<_>>(),
        vec!["db_migrations"],
        "only bookkeeping is left"
    );
    let status = migrate::status(store).await.unwrap();
    assert!(status.iter().all(|s| s.applied_at.is_none()));

    let applied = migrate::migrate(store).await.unwrap();
    assert_eq!(applied.len(), migrate::MIGRATIONS.len());
    assert_eq!(
        introspect::schema(store).await.unwrap(),
        schema,
        "up again restores the same schema"
    );
    assert!(
        migrate::migrate(store).await.unwrap().is_empty(),
        "migrating twice is a no-op"
    );
}

#[tokio::test]
async fn sqlite_migrations_go_up_down_and_up_again() {
    let db = TestDb::create(StoreKind::Sqlite).await;
    let store = migrated(&db).await;
    up_down_up(&store).await;
}

#[tokio::test]
async fn postgres_migrations_go_up_down_and_up_again() {
    if !postgres_available().await {
        return;
    }
    let db = TestDb::create_empty_postgres().await;
    let store = migrated(&db).await;
    up_down_up(&store).await;
    store.close().await;
}

#[tokio::test]
async fn both_dialects_have_identical_schemas() {
    if !postgres_available().await {
        return;
    }
    let sqlite_db = TestDb::create(StoreKind::Sqlite).await;
    let sqlite = migrated(&sqlite_db).await;
    let pg_db = TestDb::create_empty_postgres().await;
    let postgres = migrated(&pg_db).await;
    let a = introspect::schema(&sqlite).await.unwrap();
    let b = introspect::schema(&postgres).await.unwrap();
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same tables"
    );
    for (table, left) in &a {
        assert_eq!(
            left, &b[table],
            "table {table} differs between SQLite and PostgreSQL"
        );
    }
    postgres.close().await;
}

#[tokio::test]
async fn rollback_to_a_version_keeps_older_migrations() {
    let db = TestDb::create(StoreKind::from_env()).await;
    let store = migrated(&db).await;
    let latest = migrate::latest_version();
    let reverted = migrate::rollback(&store, latest).await.unwrap();
    assert!(reverted.is_empty(), "nothing newer than the latest version");
    migrate::rollback(&store, latest - 1).await.unwrap();
    let status = migrate::status(&store).await.unwrap();
    for row in status {
        assert_eq!(row.applied_at.is_some(), row.version < latest, "{row:?}");
    }
    store.close().await;
}

#[tokio::test]
async fn newer_database_is_refused_before_anything_changes() {
    let db = TestDb::create(StoreKind::from_env()).await;
    let store = migrated(&db).await;
    let future = migrate::latest_version() + 1;
    let insert =
        "INSERT INTO db_migrations (version, name, checksum, applied_at) VALUES ($1, $2, '', 0)";
    let name = format!("{future:04}_from_the_future");
    match store.pools() {
        Pools::Sqlite { write, .. } => sqlx::query(insert)
            .bind(future)
            .bind(&name)
            .execute(write)
            .await
            .map(|_| ()),
        Pools::Postgres(pool) => sqlx::query(insert)
            .bind(future)
            .bind(&name)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
    let before = dump::dump(&store).await.unwrap();
    store.close().await;

    let mut config = crate::support::test_config(&db);
    config.sql = db.sql_settings();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = townsquare::server::Server::with_listener(
        config,
        townsquare::config::RuntimeEnv::test(),
        listener,
    )
    .await
    .err()
    .expect("a newer database is refused");
    let text = format!("{err:#}");
    assert!(text.contains("newer Townsquare"), "{text}");
    assert!(text.contains(&future.to_string()), "{text}");

    let store = db.connect().await;
    assert_eq!(
        dump::dump(&store).await.unwrap(),
        before,
        "nothing was changed"
    );
    store.close().await;
}

#[tokio::test]
async fn server_start_applies_migrations_on_an_empty_database() {
    let server = TestServer::start().await;
    let status = migrate::status(server.store()).await.unwrap();
    assert!(status.iter().all(|s| s.applied_at.is_some() && !s.unknown));
    let installed = server
        .store()
        .system_value("InstallationDate")
        .await
        .unwrap();
    assert!(installed.is_some_and(|v| v.parse::<i64>().is_ok()));
}
