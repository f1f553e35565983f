//! The command line as an admin runs it: the real binary, against the test server's database.
//! Destructive commands refuse without `--yes` when not on a terminal (changing nothing), work
//! with it, and refuse while a server uses the database.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::json;
use townsquare::config::Config;
use townsquare::store::Store;

use crate::chat::{join, post, team};
use crate::support::{TestDb, TestServer};

/// Runs `townsquare ARGS` on `db` with stdin not a terminal, from a directory without a
/// config file, with no `MM_` variables but the ones naming the database.
async fn townsquare(db_source: &str, dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_townsquare"));
    for (name, _) in std::env::vars() {
        if name.to_ascii_uppercase().starts_with("MM_") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(dir)
        .env("MM_SQLSETTINGS_DATASOURCE", db_source)
        .env(
            "MM_FILESETTINGS_DIRECTORY",
            dir.join("files").to_string_lossy().as_ref(),
        )
        .env("MM_SERVICEENVIRONMENT", "test")
        .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
        .stdin(Stdio::null())
        .args(args);
    tokio::task::spawn_blocking(move || command.output().expect("run townsquare"))
        .await
        .unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[track_caller]
fn assert_refused(output: &Output, why: &str) {
    let (stdout, stderr) = text(output);
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains(why), "stderr lacks {why:?}:\n{stderr}");
    assert!(stderr.contains("Nothing was changed"), "{stderr}");
}

#[track_caller]
fn assert_ok(output: &Output) -> String {
    let (stdout, stderr) = text(output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}

async fn pending_migrations(db: &TestDb) -> usize {
    let output = townsquare(&db.data_source(), db.dir(), &["db", "status"]).await;
    assert_ok(&output).matches("pending").count()
}

async fn open_store(db: &TestDb) -> Store {
    let mut config = Config::default();
    config.sql.data_source = db.data_source();
    townsquare::store::connect(&config.sql).await.unwrap()
}

#[tokio::test]
async fn db_rollback_shows_what_it_drops_and_needs_confirmation() {
    let server = TestServer::start().await;
    let source = server.db.data_source();

    let running = townsquare(
        &source,
        server.db.dir(),
        &["db", "rollback", "--to", "0", "--yes"],
    )
    .await;
    assert_refused(&running, "server is using this database");

    let db = server.stop().await;
    assert_eq!(pending_migrations(&db).await, 0);

    let unconfirmed = townsquare(&source, db.dir(), &["db", "rollback", "--to", "0"]).await;
    assert_refused(&unconfirmed, "--yes");
    let (plan, _) = text(&unconfirmed);
    assert!(plan.contains("0002_accounts"), "{plan}");
    assert!(plan.contains("drops table users (0 rows)"), "{plan}");
    assert!(
        plan.contains("townsquare db dump -o backup.jsonl"),
        "{plan}"
    );
    assert_eq!(
        pending_migrations(&db).await,
        0,
        "a refusal changes nothing"
    );

    // Revert only the newest migration.
    let newest = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".up.sql")
        })
        .count();
    let to = (newest - 1).to_string();
    let confirmed = townsquare(
        &source,
        db.dir(),
        &["db", "rollback", "--to", &to, "--confirm"],
    )
    .await;
    assert!(assert_ok(&confirmed).contains("reverted 1 migration(s)"));
    assert_eq!(pending_migrations(&db).await, 1);

    let status = assert_ok(&townsquare(&source, db.dir(), &["db", "status"]).await);
    assert!(status.contains("UTC"), "readable dates: {status}");
}

#[tokio::test]
async fn user_delete_removes_the_user_and_their_posts_only_when_confirmed() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let team_id = team(&server, &admin, "crew").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    join(&server, &admin, &team_id, &alice).await;
    join(&server, &admin, &team_id, &bob).await;
    let square = server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let alice_root = post(&server, &alice, &square, "alice's thread").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bob_root = post(&server, &bob, &square, "bob's thread").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (author, root) in [(&bob, &alice_root), (&alice, &bob_root), (&bob, &bob_root)] {
        server
            .post_as(
                &author.token,
                "/api/v4/posts",
                &json!({"channel_id": square, "message": "a reply", "root_id": root}),
            )
            .await
            .assert_status(201);
    }
    server
        .post_as(
            &alice.token,
            "/api/v4/reactions",
            &json!({"user_id": alice.id, "post_id": bob_root, "emoji_name": "smile"}),
        )
        .await
        .assert_status(200);

    crate::media::upload_image(
        &server,
        &alice.token,
        &format!("/api/v4/users/{}/image", alice.id),
        &crate::media::picture(64, 64, image::ImageFormat::Png),
    )
    .await
    .assert_status(200);
    let picture = std::path::PathBuf::from(&server.config.file.directory)
        .join("users")
        .join(&alice.id)
        .join("profile.png");
    assert!(picture.exists());
    server
        .post_as(
            &alice.token,
            &format!("/api/v4/users/{}/posts/{bob_root}/reminder", alice.id),
            &json!({"target_time": 4_000_000_000i64}),
        )
        .await
        .assert_status(200);

    let source = server.db.data_source();
    let running = townsquare(
        &source,
        server.db.dir(),
        &["user", "delete", "alice", "--yes"],
    )
    .await;
    assert_refused(&running, "server is using this database");

    let db = server.stop().await;
    let unconfirmed = townsquare(&source, db.dir(), &["user", "delete", "alice"]).await;
    assert_refused(&unconfirmed, "--yes");
    let (plan, _) = text(&unconfirmed);
    assert!(
        plan.contains("permanently deletes the user alice"),
        "{plan}"
    );
    assert!(plan.contains("2 posts by alice"), "{plan}");
    assert!(plan.contains("1 reply by others"), "{plan}");
    assert!(plan.contains("1 reaction"), "{plan}");
    assert!(plan.contains("townsquare user deactivate alice"), "{plan}");
    let store = open_store(&db).await;
    assert!(
        store.user(&alice.id).await.unwrap().is_some(),
        "refusal changes nothing"
    );
    store.close().await;

    let confirmed = townsquare(
        &source,
        db.dir(),
        &["user", "delete", "alice@example.com", "--yes"],
    )
    .await;
    let done = assert_ok(&confirmed);
    assert!(
        done.contains("deleted alice: 3 posts, 1 reaction"),
        "{done}"
    );

    assert!(!picture.exists(), "the uploaded picture is removed");
    let store = open_store(&db).await;
    assert!(store.user(&alice.id).await.unwrap().is_none());
    assert!(store.post(&alice_root).await.unwrap().is_none());
    let bobs = store
        .post(&bob_root)
        .await
        .unwrap()
        .expect("bob's thread stays");
    assert_eq!(bobs.reply_count, 1, "only bob's own reply is left");
    assert!(!bobs.has_reactions, "alice's reaction is gone");
    assert!(store.user(&bob.id).await.unwrap().is_some());
    assert_eq!(
        store.user_footprint(&alice.id).await.unwrap(),
        Default::default()
    );
    store.close().await;

    let again = townsquare(&source, db.dir(), &["user", "delete", "alice", "--yes"]).await;
    assert!(!again.status.success());
    assert!(text(&again).1.contains("no user"), "{:?}", text(&again));
}

#[tokio::test]
async fn user_deactivate_and_activate() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let carol = server.user(&admin, "carol").await;
    let db = server.stop().await;
    let source = db.data_source();
    let done = assert_ok(&townsquare(&source, db.dir(), &["user", "deactivate", "carol"]).await);
    assert!(done.contains("deactivated carol"), "{done}");
    let store = open_store(&db).await;
    assert!(!store.user(&carol.id).await.unwrap().unwrap().is_active());
    store.close().await;
    assert_ok(&townsquare(&source, db.dir(), &["user", "activate", "carol"]).await);
    let store = open_store(&db).await;
    assert!(store.user(&carol.id).await.unwrap().unwrap().is_active());
    store.close().await;
}

#[cfg(feature = "enterprise")]
#[tokio::test]
async fn license_remove_shows_the_license_and_needs_confirmation() {
    let server = TestServer::start().await;
    let source = server.db.data_source();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("licenses/dev/sample-enterprise.townsquare-license");
    assert_ok(
        &townsquare(
            &source,
            server.db.dir(),
            &["license", "upload", sample.to_str().unwrap()],
        )
        .await,
    );
    let running = townsquare(&source, server.db.dir(), &["license", "remove", "--yes"]).await;
    assert_refused(&running, "server is using this database");

    let db = server.stop().await;
    let unconfirmed = townsquare(&source, db.dir(), &["license", "remove"]).await;
    assert_refused(&unconfirmed, "--yes");
    assert!(text(&unconfirmed).0.contains("Townsquare (development)"));
    let show = assert_ok(&townsquare(&source, db.dir(), &["license", "show"]).await);
    assert!(
        show.contains("state: active"),
        "refusal changes nothing: {show}"
    );

    assert_ok(&townsquare(&source, db.dir(), &["license", "remove", "--yes"]).await);
    let show = assert_ok(&townsquare(&source, db.dir(), &["license", "show"]).await);
    assert!(show.contains("no license in force"), "{show}");
}

#[cfg(not(feature = "enterprise"))]
#[tokio::test]
async fn license_remove_without_a_license_changes_nothing() {
    let db = TestServer::start().await.stop().await;
    let out = assert_ok(&townsquare(&db.data_source(), db.dir(), &["license", "remove"]).await);
    assert!(out.contains("nothing to remove"), "{out}");
}

#[tokio::test]
async fn output_into_a_closed_pipe_does_not_panic() {
    let db = TestServer::start().await.stop().await;
    for args in [
        &["config", "show"][..],
        &["openapi"],
        &["db", "status"],
        &["db", "dump"],
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_townsquare"));
        command
            .current_dir(db.dir())
            .env("MM_SQLSETTINGS_DATASOURCE", db.data_source())
            .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            // The reader goes away before the first byte, like `| head -0`.
            drop(child.stdout.take());
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.status.success(), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn config_check_warns_about_misspelt_variables() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_townsquare"));
    let output = command
        .current_dir(dir.path())
        .env("MM_SQLSETTINGS_DATASORCE", "typo.db")
        .env("MM_SERVICEENVIRONMENT", "dev")
        .args(["config", "check"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("configuration is valid"));
    assert!(
        stderr.contains("MM_SQLSETTINGS_DATASORCE matches no setting")
            && stderr.contains("did you mean MM_SQLSETTINGS_DATASOURCE?"),
        "{stderr}"
    );
    assert!(!stderr.contains("MM_SERVICEENVIRONMENT"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .current_dir(dir.path())
        .env("MM_TEAMSETTINGS_ENABLEOPENSERVER", "yes")
        .args(["config", "check"])
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert_eq!(
        stderr.matches("MM_TEAMSETTINGS_ENABLEOPENSERVER").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("\"yes\"") && stderr.contains("true or false"),
        "{stderr}"
    );
}
