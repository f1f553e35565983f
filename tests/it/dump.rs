//! The logical dump is deterministic and a server that only starts and stops changes nothing.

use std::process::Command;

use townsquare::store::dump;

use crate::support::{StoreKind, TestServer};

#[tokio::test]
async fn start_and_stop_without_requests_leaves_the_dump_identical() {
    let server = TestServer::start().await;
    let db = server.stop().await;
    let store = db.connect().await;
    let first = dump::dump(&store).await.unwrap();
    store.close().await;
    assert!(first
        .iter()
        .any(|t| t.table == "systems" && !t.rows.is_empty()));

    let mut config = crate::support::test_config(&db);
    config.sql = db.sql_settings();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = townsquare::server::Server::with_listener(
        config,
        townsquare::config::RuntimeEnv::test(),
        listener,
    )
    .await
    .unwrap();
    server.run(async {}).await.unwrap();

    let store = db.connect().await;
    let second = dump::dump(&store).await.unwrap();
    store.close().await;
    assert_eq!(first, second);
}

#[tokio::test]
async fn cli_dump_matches_the_library_dump() {
    let server = TestServer::builder().store(StoreKind::Sqlite).start().await;
    let db = server.stop().await;
    let store = db.connect().await;
    let mut expected = Vec::new();
    dump::write_jsonl(&store, &mut expected).await.unwrap();
    store.close().await;

    let output = Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .args(["db", "dump"])
        .env("MM_SQLSETTINGS_DATASOURCE", db.data_source())
        .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
        .output()
        .expect("run townsquare db dump");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&expected)
    );
    let text = String::from_utf8(expected).unwrap();
    let tables: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("{\"columns\""))
        .collect();
    assert!(
        tables
            .iter()
            .any(|l| l.contains("\"table\":\"db_migrations\"")),
        "{text}"
    );
    let mut sorted = tables.clone();
    sorted.sort_by_key(|l| l.split("\"table\":").nth(1).unwrap_or("").to_string());
    assert_eq!(tables, sorted, "tables in name order");
}

#[test]
fn cli_db_status_and_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("cli.db");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_townsquare"))
            .args(args)
            .env("MM_SQLSETTINGS_DATASOURCE", &source)
            .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(run(&["db", "status"]).contains("pending"));
    assert!(run(&["db", "migrate"]).contains("applied"));
    let status = run(&["db", "status"]);
    assert!(
        status.contains("applied at") && !status.contains("pending"),
        "{status}"
    );
    run(&["db", "rollback", "--to", "0", "--yes"]);
    assert!(run(&["db", "status"]).contains("pending"));
}

#[test]
fn cli_version_names_the_edition_and_commit() {
    let output = Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .arg("version")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let edition = if cfg!(feature = "enterprise") {
        "Enterprise Edition"
    } else {
        "Team Edition"
    };
    assert!(text.contains(edition), "{text}");
    assert!(text.contains(townsquare::build_info::GIT_HASH), "{text}");
    assert!(text.contains(townsquare::build_info::COMMIT_DATE), "{text}");
}

#[test]
fn cli_config_check_names_the_bad_key() {
    let ok = Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .args(["config", "check"])
        .env_remove("MM_SERVICEENVIRONMENT")
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .args(["config", "check"])
        .env("MM_SERVICESETTINGS_LISTENADDRESS", "nowhere")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("ServiceSettings.ListenAddress") && err.contains("nowhere"),
        "{err}"
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .args(["--config", "/nonexistent.toml", "config", "check"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}
