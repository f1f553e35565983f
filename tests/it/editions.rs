//! The edition round trip with the real binaries: Team -> Enterprise -> Team -> Enterprise on
//! one database, then license expiry and removal. The logical dump is the oracle: switching
//! binaries changes nothing but a fixed list of volatile columns.
//!
//! The binaries come from `TS_TEAM_BIN` and `TS_ENTERPRISE_BIN` (`.ci/run` builds both
//! editions and copies them to `$CARGO_TARGET_DIR/editions/`). Without them the test skips
//! locally and fails in CI (`CI=true`). It runs in the Team test binary only, on the store
//! chosen by `TS_TEST_STORE`, so CI covers SQLite and PostgreSQL once each.

#![cfg(not(feature = "enterprise"))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use townsquare::store::dump::{self, TableDump};

use crate::support::license::{now_ms, payload_with, sign, SAMPLE_LICENSE, SAMPLE_LICENSE_ID};
use crate::support::{StoreKind, TestDb};

/// Columns that legitimately change when a binary merely serves existing data.
const VOLATILE: &[(&str, &str)] = &[
    ("sessions", "last_activity_at"),
    ("sessions", "expires_at"),
    ("users", "last_activity_at"),
    ("users", "last_login"),
    ("user_access_tokens", "last_used_at"),
    ("status", "last_activity_at"),
];

fn binaries() -> Option<(PathBuf, PathBuf)> {
    let team = std::env::var_os("TS_TEAM_BIN").map(PathBuf::from);
    let enterprise = std::env::var_os("TS_ENTERPRISE_BIN").map(PathBuf::from);
    match (team, enterprise) {
        (Some(team), Some(enterprise)) if team.exists() && enterprise.exists() => {
            Some((team, enterprise))
        }
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TS_TEAM_BIN / TS_ENTERPRISE_BIN do not name built binaries: \
                 .ci/run must build both editions before the tests"
            );
            eprintln!(
                "skipping: set TS_TEAM_BIN and TS_ENTERPRISE_BIN to run the edition round trip"
            );
            None
        }
    }
}

/// One run of a real binary on the shared database.
struct Process {
    child: Child,
    url: String,
    client: reqwest::Client,
}

struct Site {
    db: TestDb,
    files: PathBuf,
}

impl Site {
    fn start(&self, binary: &Path, extra_env: &[(&str, String)]) -> Process {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .current_dir(self.db.dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MM_SQLSETTINGS_DATASOURCE", self.db.data_source())
            .env("MM_SQLSETTINGS_SQLITESYNCHRONOUS", "normal")
            .env(
                "MM_SERVICESETTINGS_LISTENADDRESS",
                format!("127.0.0.1:{port}"),
            )
            .env("MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS", "true")
            .env(
                "MM_FILESETTINGS_DIRECTORY",
                self.files.to_string_lossy().into_owned(),
            )
            .env("MM_LOGSETTINGS_ENABLECONSOLE", "false")
            .env("MM_SERVICEENVIRONMENT", "test")
            // Licensed settings are configured all along; only a license shows them.
            .env("MM_ANNOUNCEMENTSETTINGS_ENABLEBANNER", "true")
            .env(
                "MM_ANNOUNCEMENTSETTINGS_BANNERTEXT",
                "Welcome to the round trip",
            )
            .env("MM_SUPPORTSETTINGS_CUSTOMTERMSOFSERVICEENABLED", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start the binary");
        Process {
            child,
            url: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        }
    }

    async fn dump(&self) -> Vec<TableDump> {
        let store = self.db.connect().await;
        let dump = dump::dump(&store).await.expect("dump");
        store.close().await;
        dump
    }
}

impl Process {
    async fn ready(self) -> Self {
        let started = Instant::now();
        loop {
            if let Ok(response) = self
                .client
                .get(format!("{}/api/v4/system/ping", self.url))
                .send()
                .await
            {
                if response.status().is_success() {
                    return self;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the binary did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn login(&self, username: &str) -> (String, Value) {
        let response = self
            .client
            .post(format!("{}/api/v4/users/login", self.url))
            .json(&json!({"login_id": username, "password": "Password-123"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let token = response.headers()["token"].to_str().unwrap().to_owned();
        (token, response.json().await.unwrap())
    }

    async fn upload_license(&self, token: &str, license: &str) -> (u16, Value) {
        let (content_type, body) =
            crate::support::license::multipart("license", license.as_bytes());
        let response = self
            .client
            .post(format!("{}/api/v4/license", self.url))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn licensed(&self) -> bool {
        let body: Value = self
            .client
            .get(format!("{}/api/v4/license/client?format=old", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["IsLicensed"] == "true"
    }

    async fn config(&self) -> Value {
        self.client
            .get(format!("{}/api/v4/config/client?format=old", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// SIGTERM and wait: the graceful shutdown path.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the binary exited with {status}");
                return;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                panic!("the binary did not stop on SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A failed assertion must not leave a server running (it would hold the binary and the port).
impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The dump with volatile columns blanked.
fn stable(dump: &[TableDump]) -> Vec<TableDump> {
    dump.iter()
        .map(|table| {
            let volatile: BTreeSet<usize> = table
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| VOLATILE.contains(&(table.table.as_str(), c.as_str())))
                .map(|(i, _)| i)
                .collect();
            let mut table = table.clone();
            for row in &mut table.rows {
                for &i in &volatile {
                    row[i] = Value::Null;
                }
            }
            table
        })
        .collect()
}

#[track_caller]
fn assert_same(before: &[TableDump], after: &[TableDump], step: &str) {
    let (before, after) = (stable(before), stable(after));
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a, "{step}: table {} changed", b.table);
    }
    assert_eq!(before.len(), after.len(), "{step}: tables differ");
}

fn rows<'a>(dump: &'a [TableDump], table: &str) -> &'a [Vec<Value>] {
    &dump.iter().find(|t| t.table == table).expect(table).rows
}

#[tokio::test]
async fn team_enterprise_round_trip_loses_nothing() {
    let Some((team, enterprise)) = binaries() else {
        return;
    };
    let kind = StoreKind::from_env();
    let db = TestDb::create(kind).await;
    let files = db.dir().join("files");
    let site = Site { db, files };

    // 1. Team Edition: accounts, sessions, access tokens.
    let t1 = site.start(&team, &[]).ready().await;
    let (status, admin) = t1
        .post(
            "/api/v4/users",
            None,
            json!({"username": "admin", "email": "admin@example.com", "password": "Password-123"}),
        )
        .await;
    assert_eq!(status, 201, "{admin}");
    let (admin_token, _) = t1.login("admin").await;
    let (status, alice) = t1
        .post(
            "/api/v4/users",
            Some(&admin_token),
            json!({"username": "alice", "email": "alice@example.com", "password": "Password-123"}),
        )
        .await;
    assert_eq!(status, 201, "{alice}");
    let alice_id = alice["id"].as_str().unwrap().to_owned();
    let (alice_token, _) = t1.login("alice").await;
    let (status, token) = t1
        .post(
            &format!("/api/v4/users/{alice_id}/tokens"),
            Some(&admin_token),
            json!({"description": "bot-ish"}),
        )
        .await;
    assert_eq!(status, 200, "{token}");
    let access_token = token["token"].as_str().unwrap().to_owned();
    // Chat data: a team, public and private channels, a direct message, posts and a reply.
    let (status, team_body) = t1
        .post(
            "/api/v4/teams",
            Some(&admin_token),
            json!({"name": "eng", "display_name": "Eng", "type": "O"}),
        )
        .await;
    assert_eq!(status, 201, "{team_body}");
    let team_id = team_body["id"].as_str().unwrap().to_owned();
    let (status, _) = t1
        .post(
            &format!("/api/v4/teams/{team_id}/members"),
            Some(&admin_token),
            json!({"team_id": team_id, "user_id": alice_id}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, private) = t1
        .post(
            "/api/v4/channels",
            Some(&admin_token),
            json!({"team_id": team_id, "name": "secret", "display_name": "Secret", "type": "P"}),
        )
        .await;
    assert_eq!(status, 201, "{private}");
    let (_, town) = t1
        .get(
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
            &alice_token,
        )
        .await;
    let town_id = town["id"].as_str().unwrap().to_owned();
    let (status, root) = t1
        .post(
            "/api/v4/posts",
            Some(&alice_token),
            json!({"channel_id": town_id, "message": "hello @admin"}),
        )
        .await;
    assert_eq!(status, 201, "{root}");
    let (status, _) = t1
        .post(
            "/api/v4/posts",
            Some(&admin_token),
            json!({"channel_id": town_id, "message": "welcome", "root_id": root["id"]}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, reaction) = t1
        .post(
            "/api/v4/reactions",
            Some(&admin_token),
            json!({"user_id": admin["id"], "post_id": root["id"], "emoji_name": "tada"}),
        )
        .await;
    assert_eq!(status, 200, "{reaction}");
    let (status, dm) = t1
        .post(
            "/api/v4/channels/direct",
            Some(&admin_token),
            json!([admin["id"], alice_id]),
        )
        .await;
    assert_eq!(status, 201, "{dm}");
    let (status, _) = t1
        .post(
            "/api/v4/posts",
            Some(&admin_token),
            json!({"channel_id": dm["id"], "message": "psst"}),
        )
        .await;
    assert_eq!(status, 201);
    // Files and custom emoji: a file attached to a direct message, and an emoji.
    let upload = t1
        .client
        .post(format!(
            "{}/api/v4/files?channel_id={}&filename=notes.txt",
            t1.url,
            dm["id"].as_str().unwrap()
        ))
        .bearer_auth(&admin_token)
        .body("round trip bytes")
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status().as_u16(), 201);
    let upload: Value = upload.json().await.expect("upload body");
    let file_id = upload["file_infos"][0]["id"].as_str().unwrap().to_owned();
    let (status, with_file) = t1
        .post(
            "/api/v4/posts",
            Some(&admin_token),
            json!({"channel_id": dm["id"], "message": "file attached", "file_ids": [file_id]}),
        )
        .await;
    assert_eq!(status, 201, "{with_file}");
    let emoji_json = json!({"name": "roundtrip", "creator_id": alice_id}).to_string();
    let emoji_png = crate::files::png(16, 16);
    let (content_type, body) = crate::files::multipart(&[
        crate::files::Part::Text("emoji", &emoji_json),
        crate::files::Part::File("image", "e.png", &emoji_png),
    ]);
    let emoji = t1
        .client
        .post(format!("{}/api/v4/emoji", t1.url))
        .bearer_auth(&alice_token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("emoji");
    assert_eq!(emoji.status().as_u16(), 200);
    let emoji: Value = emoji.json().await.expect("emoji body");
    let (status, _) = t1.upload_license(&admin_token, SAMPLE_LICENSE).await;
    assert_eq!(status, 501, "Team Edition refuses licenses");
    t1.stop();
    let after_team = site.dump().await;
    assert_eq!(rows(&after_team, "file_info").len(), 1);
    assert_eq!(rows(&after_team, "emoji").len(), 1);

    // 2. Enterprise Edition: the Team data is served as it is; then a license, terms,
    //    acceptances.
    let e1 = site.start(&enterprise, &[]).ready().await;
    assert_eq!(e1.get("/api/v4/users/me", &alice_token).await.0, 200);
    assert_eq!(e1.get("/api/v4/users/me", &access_token).await.0, 200);
    assert!(!e1.licensed().await);
    assert_same(&after_team, &site.dump().await, "Team -> Enterprise");
    let (status, body) = e1.upload_license(&admin_token, SAMPLE_LICENSE).await;
    assert_eq!(status, 200, "{body}");
    let (status, terms) = e1
        .post(
            "/api/v4/terms_of_service",
            Some(&admin_token),
            json!({"text": "Be excellent to each other."}),
        )
        .await;
    assert_eq!(status, 200, "{terms}");
    let terms_id = terms["id"].as_str().unwrap().to_owned();
    let (status, _) = e1
        .post(
            "/api/v4/users/me/terms_of_service",
            Some(&alice_token),
            json!({"termsOfServiceId": terms_id, "accepted": true}),
        )
        .await;
    assert_eq!(status, 200);
    let config = e1.config().await;
    assert_eq!(config["EnableBanner"], "true");
    assert_eq!(config["CustomTermsOfServiceId"], terms_id);
    e1.stop();
    let after_enterprise = site.dump().await;
    assert_eq!(rows(&after_enterprise, "licenses").len(), 1);
    assert_eq!(rows(&after_enterprise, "terms_of_service").len(), 1);
    assert_eq!(rows(&after_enterprise, "user_terms_of_service").len(), 1);

    // 3. Team again: everything it knows is served; licensed data is kept and ignored.
    let t2 = site.start(&team, &[]).ready().await;
    let (status, me) = t2.get("/api/v4/users/me", &alice_token).await;
    assert_eq!(status, 200);
    assert!(me.get("terms_of_service_id").is_none());
    assert_eq!(t2.get("/api/v4/users/me", &access_token).await.0, 200);
    let (status, users) = t2.get("/api/v4/users?per_page=10", &admin_token).await;
    assert_eq!((status, users.as_array().map(Vec::len)), (200, Some(2)));
    let (status, page) = t2
        .get(&format!("/api/v4/channels/{town_id}/posts"), &alice_token)
        .await;
    assert_eq!(status, 200);
    // The root and its reply, after the team's two system messages (creator joined, alice added).
    let kinds: Vec<&str> = page["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            page["posts"][id.as_str().unwrap()]["type"]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(
        kinds,
        ["", "", "system_add_to_team", "system_join_team"],
        "{page}"
    );
    let root_id = root["id"].as_str().unwrap();
    assert_eq!(
        page["posts"][root_id]["metadata"]["reactions"][0]["emoji_name"], "tada",
        "{page}"
    );
    let (status, threads) = t2
        .get(
            &format!("/api/v4/users/me/teams/{team_id}/threads"),
            &alice_token,
        )
        .await;
    assert_eq!(
        (status, threads["total"].as_i64()),
        (200, Some(1)),
        "{threads}"
    );
    let download = t2
        .client
        .get(format!("{}/api/v4/files/{file_id}", t2.url))
        .bearer_auth(&alice_token)
        .send()
        .await
        .expect("download");
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        b"round trip bytes"
    );
    let (status, emoji_again) = t2.get("/api/v4/emoji/name/roundtrip", &alice_token).await;
    assert_eq!((status, &emoji_again["id"]), (200, &emoji["id"]));
    let (status, found) = t2
        .post(
            "/api/v4/posts/search",
            Some(&alice_token),
            json!({"terms": "attached"}),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["order"].as_array().map(Vec::len), Some(1), "{found}");
    assert!(!t2.licensed().await);
    assert_eq!(
        t2.get("/api/v4/terms_of_service", &alice_token).await.0,
        404
    );
    assert_eq!(t2.config().await["EnableBanner"], "false");
    assert_same(&after_enterprise, &site.dump().await, "Enterprise -> Team");
    t2.stop();
    let after_team_again = site.dump().await;
    assert_same(&after_enterprise, &after_team_again, "Team serving");

    // 4. Enterprise again: license, terms and acceptances are back with no admin action.
    let e2 = site.start(&enterprise, &[]).ready().await;
    assert!(e2.licensed().await);
    let (status, me) = e2.get("/api/v4/users/me", &alice_token).await;
    assert_eq!(status, 200);
    assert_eq!(me["terms_of_service_id"], terms_id);
    let (status, latest) = e2.get("/api/v4/terms_of_service", &alice_token).await;
    assert_eq!(
        (status, latest["id"].as_str()),
        (200, Some(terms_id.as_str()))
    );
    assert_eq!(e2.config().await["BannerText"], "Welcome to the round trip");
    assert_same(
        &after_team_again,
        &site.dump().await,
        "Team -> Enterprise again",
    );

    // 5. Expiry past grace: a license that ends in seconds, no grace. Features stop by
    //    themselves; nothing is deleted.
    let now = now_ms();
    let short = sign(&payload_with(
        json!({"expires_at": now + 4_000, "grace_period_days": 0}),
    ));
    let (status, body) = e2.upload_license(&admin_token, &short).await;
    assert_eq!(status, 200, "{body}");
    let with_short = site.dump().await;
    let started = Instant::now();
    while e2.licensed().await {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the license did not expire"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        e2.get("/api/v4/terms_of_service", &alice_token).await.0,
        404
    );
    assert_eq!(e2.config().await["EnableBanner"], "false");
    assert_same(&with_short, &site.dump().await, "expiry");
    e2.stop();
    // An expired license after a restart is still Team behaviour, and still nothing lost.
    let e3 = site.start(&enterprise, &[]).ready().await;
    assert!(!e3.licensed().await);
    let (_, me) = e3.get("/api/v4/users/me", &alice_token).await;
    assert!(me.get("terms_of_service_id").is_none());
    assert_same(&with_short, &site.dump().await, "expired license at start");

    // 6. Re-activating the stored sample license brings everything back; removal turns it
    //    off again and only clears ActiveLicenseId.
    let (status, _) = e3.upload_license(&admin_token, SAMPLE_LICENSE).await;
    assert_eq!(status, 200);
    let (_, me) = e3.get("/api/v4/users/me", &alice_token).await;
    assert_eq!(me["terms_of_service_id"], terms_id);
    let before_removal = site.dump().await;
    assert_eq!(rows(&before_removal, "licenses").len(), 2);
    let (status, _) = e3
        .call(
            reqwest::Method::DELETE,
            "/api/v4/license",
            Some(&admin_token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(!e3.licensed().await);
    let after_removal = site.dump().await;
    let without_license_keys = |dump: &[TableDump]| -> Vec<TableDump> {
        dump.iter()
            .map(|t| {
                let mut t = t.clone();
                if t.table == "systems" {
                    t.rows
                        .retain(|r| r[0] != "ActiveLicenseId" && r[0] != "LicenseVersion");
                }
                t
            })
            .collect()
    };
    assert_same(
        &without_license_keys(&before_removal),
        &without_license_keys(&after_removal),
        "removal",
    );
    let active = rows(&after_removal, "systems")
        .iter()
        .find(|r| r[0] == "ActiveLicenseId")
        .map(|r| r[1].clone());
    assert_eq!(active, Some(json!("")));
    e3.stop();
    let final_dump = site.dump().await;
    let licenses: Vec<&Value> = rows(&final_dump, "licenses")
        .iter()
        .map(|r| &r[0])
        .collect();
    assert!(
        licenses.contains(&&json!(SAMPLE_LICENSE_ID)),
        "{licenses:?}"
    );
}
