//! Licenses made in tests, and license helpers on `TestServer`.
//!
//! Licenses are signed here with the public development key (`licenses/dev/ts-dev-1.key`,
//! kid `ts-dev-1`) in the documented format (docs/licensing.md §1), with `ed25519-dalek`
//! directly: the Team Edition test binary must not contain the enterprise crate.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use townsquare::config::{Config, RuntimeEnv, ServiceEnvironment};
use townsquare::server::Server;

use super::{TestResponse, TestServer};

pub const DEV_KEY: &str = include_str!("../../../licenses/dev/ts-dev-1.key");
pub const DEV_KID: &str = "ts-dev-1";
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The committed sample: every feature, 10,000 seats, valid until 2099 (dev key).
pub const SAMPLE_LICENSE: &str =
    include_str!("../../../licenses/dev/sample-enterprise.townsquare-license");
pub const SAMPLE_LICENSE_ID: &str = "tsdevsample00000000000000a";

pub fn now_ms() -> i64 {
    townsquare::time::now_ms()
}

/// A 26-character license id.
pub fn license_id() -> String {
    townsquare::id::new_id()
}

/// A valid development payload: started an hour ago, a year to run, every feature, 100
/// seats, not enforced.
pub fn payload() -> Value {
    let now = now_ms();
    json!({
        "id": license_id(),
        "issued_at": now - 3_600_000,
        "starts_at": now - 3_600_000,
        "expires_at": now + 365 * DAY_MS,
        "customer": {"id": "testcustomer00000000000000", "name": "Test Admin",
                     "email": "admin@example.com", "company": "Test Company"},
        "features": {"users": 100, "future_features": true},
        "sku_name": "Townsquare Enterprise (development)",
        "sku_short_name": "enterprise",
        "is_trial": false,
        "is_gov_sku": false,
        "is_seat_count_enforced": false,
        "extra_users": 0,
        "grace_period_days": 10
    })
}

/// `payload()` with some top-level keys (or `features`) replaced.
pub fn payload_with(changes: Value) -> Value {
    let mut value = payload();
    for (key, new) in changes.as_object().expect("object").clone() {
        value[key] = new;
    }
    value
}

pub fn dev_key() -> SigningKey {
    let seed: [u8; 32] = STANDARD
        .decode(DEV_KEY.trim())
        .expect("dev key is base64")
        .try_into()
        .expect("dev key is 32 bytes");
    SigningKey::from_bytes(&seed)
}

/// The armoured license for `payload_bytes` signed by `key` under `kid`.
pub fn sign_bytes_with(payload_bytes: &[u8], key: &SigningKey, kid: &str) -> String {
    let mut message = b"townsquare-license-v1\n".to_vec();
    message.extend_from_slice(payload_bytes);
    let sig = key.sign(&message).to_bytes();
    let envelope = json!({
        "v": 1, "alg": "ed25519", "kid": kid,
        "payload": STANDARD.encode(payload_bytes),
        "sig": STANDARD.encode(sig),
    });
    armour(&serde_json::to_vec(&envelope).unwrap())
}

/// Armours envelope bytes: base64 wrapped at 76 columns between the BEGIN and END lines.
pub fn armour(envelope: &[u8]) -> String {
    let body = STANDARD.encode(envelope);
    let mut out = String::from("-----BEGIN TOWNSQUARE LICENSE-----\n");
    for chunk in body.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END TOWNSQUARE LICENSE-----\n");
    out
}

/// `payload` signed with the development key.
pub fn sign(payload: &Value) -> String {
    sign_bytes_with(&serde_json::to_vec(payload).unwrap(), &dev_key(), DEV_KID)
}

/// A fresh valid development license and its id.
pub fn valid_license() -> (String, String) {
    let payload = payload();
    let id = payload["id"].as_str().unwrap().to_owned();
    (sign(&payload), id)
}

/// `multipart/form-data` with the single file field `license` (built by hand: the test
/// client has no multipart support).
pub fn multipart(field: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "townsquare-test-boundary-7d3f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; \
             filename=\"test.townsquare-license\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestServer {
    pub async fn license_request(&self, token: &str, path: &str, license: &[u8]) -> TestResponse {
        let (content_type, body) = multipart("license", license);
        self.send(
            self.request(Method::POST, path)
                .bearer_auth(token)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    pub async fn upload_license(&self, token: &str, license: &str) -> TestResponse {
        self.license_request(token, "/api/v4/license", license.as_bytes())
            .await
    }

    pub async fn preview_license(&self, token: &str, license: &str) -> TestResponse {
        self.license_request(token, "/api/v4/license/preview", license.as_bytes())
            .await
    }

    pub async fn remove_license(&self, token: &str) -> TestResponse {
        self.delete_as(token, "/api/v4/license").await
    }

    /// `GET /api/v4/license/client?format=old`, anonymously or as `token`.
    pub async fn client_license(&self, token: Option<&str>) -> Value {
        let mut request = self.request(Method::GET, "/api/v4/license/client?format=old");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = self.send(request).await;
        response.assert_status(200);
        response.json()
    }

    pub async fn is_licensed(&self) -> bool {
        self.client_license(None).await["IsLicensed"] == "true"
    }

    /// The last part of `X-Version-Id`.
    pub async fn version_licensed_flag(&self) -> String {
        let response = self.get("/api/v4/system/ping").await;
        let version = response.header("x-version-id").expect("X-Version-Id");
        version.rsplit('.').next().unwrap().to_owned()
    }

    /// Polls until the server's client license says `licensed`, for at most `within`;
    /// returns how long it took.
    pub async fn wait_licensed(&self, licensed: bool, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.is_licensed().await == licensed {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "license state did not become licensed={licensed} within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops and starts again on the same database and configuration with another runtime
    /// environment (`MM_LICENSE`, `MM_SERVICEENVIRONMENT`).
    pub async fn restart_with_runtime(self, runtime: RuntimeEnv) -> TestServer {
        let config = self.config.clone();
        let db = self.stop().await;
        TestServer::start_on(db, config, runtime).await
    }

    /// Another server process ("node") on the same database and configuration.
    pub async fn second_node(&self) -> Node {
        Node::start(self.config.clone(), self.runtime.clone()).await
    }
}

/// The test runtime with `MM_LICENSE` set.
pub fn runtime_with_license(license: &str) -> RuntimeEnv {
    RuntimeEnv {
        license: Some(license.to_owned()),
        ..RuntimeEnv::test()
    }
}

/// The production runtime (trusts production keys only).
pub fn production_runtime() -> RuntimeEnv {
    RuntimeEnv {
        service_environment: ServiceEnvironment::Production,
        ..RuntimeEnv::test()
    }
}

/// A second server on the database of a `TestServer`.
pub struct Node {
    pub url: String,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Node {
    pub async fn start(config: Config, runtime: RuntimeEnv) -> Node {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let server = Server::with_listener(config, runtime, listener)
            .await
            .expect("second node starts");
        let url = format!("http://{}", server.local_addr());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        Node {
            url,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub async fn is_licensed(&self) -> bool {
        let body: Value = self
            .client
            .get(format!("{}/api/v4/license/client?format=old", self.url))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        body["IsLicensed"] == "true"
    }

    pub async fn wait_licensed(&self, licensed: bool, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.is_licensed().await == licensed {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "the other node did not become licensed={licensed} within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("node task").expect("node ran cleanly");
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
