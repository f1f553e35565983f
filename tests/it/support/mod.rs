//! The `TestServer` harness: the real server on a loopback port, against a fresh SQLite file
//! or a fresh PostgreSQL database cloned from a migrated template.
//!
//! Store selection: `TS_TEST_STORE=sqlite` (default) or `postgres`; PostgreSQL at
//! `TS_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`). Tests that need
//! PostgreSQL regardless of the store skip when it is unreachable, unless
//! `TS_REQUIRE_POSTGRES=1` (CI), where they fail.

#![allow(dead_code)]

pub mod accounts;
pub mod db;
pub mod license;

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use townsquare::config::{Config, RuntimeEnv};
use townsquare::server::Server;
use townsquare::store::Store;

pub use db::{StoreKind, TestDb};

type ConfigEdit = Box<dyn FnOnce(&mut Config) + Send>;

pub struct Builder {
    kind: StoreKind,
    edits: Vec<ConfigEdit>,
    runtime: RuntimeEnv,
}

impl Builder {
    pub fn store(mut self, kind: StoreKind) -> Self {
        self.kind = kind;
        self
    }

    pub fn config(mut self, edit: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.edits.push(Box::new(edit));
        self
    }

    pub fn runtime(mut self, runtime: RuntimeEnv) -> Self {
        self.runtime = runtime;
        self
    }

    pub async fn start(self) -> TestServer {
        let db = TestDb::create(self.kind).await;
        let mut config = test_config(&db);
        for edit in self.edits {
            edit(&mut config);
        }
        TestServer::start_on(db, config, self.runtime).await
    }
}

/// Configuration every test server starts from.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config::default();
    config.service.listen_address = "127.0.0.1:0".into();
    config.service.graceful_shutdown_timeout_seconds = 5;
    config.sql.data_source = db.data_source();
    config.sql.max_open_conns = 5;
    config.sql.connect_timeout_seconds = 2;
    // Tests do not need fsync on every commit.
    config.sql.sqlite_synchronous = "normal".into();
    config.file.directory = db.dir().join("files").to_string_lossy().into_owned();
    config.log.enable_console = false;
    config
}

pub struct TestServer {
    pub url: String,
    pub client: reqwest::Client,
    pub config: Config,
    pub runtime: RuntimeEnv,
    pub db: TestDb,
    /// The setup code the server printed at start (only on a server without accounts).
    pub setup_code: Option<String>,
    store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    pub fn builder() -> Builder {
        Builder {
            kind: StoreKind::from_env(),
            edits: Vec::new(),
            runtime: RuntimeEnv::test(),
        }
    }

    /// A server with the default test configuration on the store chosen by the environment.
    pub async fn start() -> TestServer {
        Self::builder().start().await
    }

    async fn start_on(db: TestDb, config: Config, runtime: RuntimeEnv) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let server = Server::with_listener(config.clone(), runtime.clone(), listener)
            .await
            .expect("server starts");
        let url = format!("http://{}", server.local_addr());
        let store = server.state().store.clone();
        let setup_code = server.setup_code().map(str::to_owned);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        TestServer {
            url,
            client,
            config,
            runtime,
            db,
            setup_code,
            store,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// The server's own store handle (for assertions on what was written).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops the server gracefully and waits for it; the database is kept.
    pub async fn stop(mut self) -> TestDb {
        self.stop_inner().await;
        std::mem::replace(&mut self.db, TestDb::placeholder())
    }

    async fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }

    /// Stops and starts again on the same database with the same configuration.
    pub async fn restart(self) -> TestServer {
        let config = self.config.clone();
        let runtime = self.runtime.clone();
        let db = self.stop().await;
        TestServer::start_on(db, config, runtime).await
    }

    /// Stops and starts again on the same database with a changed configuration.
    pub async fn restart_with(self, config: Config) -> TestServer {
        let runtime = self.runtime.clone();
        let db = self.stop().await;
        TestServer::start_on(db, config, runtime).await
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{}", self.url, path))
    }

    pub async fn send(&self, builder: reqwest::RequestBuilder) -> TestResponse {
        let response = builder.send().await.expect("request sent");
        TestResponse::read(response).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> TestResponse {
        self.send(
            self.request(Method::POST, path)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A fully read response.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("body read").to_vec();
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a Mattermost error body with this status and id, and returns it.
    #[track_caller]
    pub fn assert_error(&self, status: u16, id: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        assert_eq!(body["id"], id, "unexpected error id; body: {body}");
        assert_eq!(body["status_code"], status);
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert!(body["detailed_error"].is_string(), "{body}");
        assert_eq!(
            body["request_id"].as_str(),
            self.header("x-request-id"),
            "{body}"
        );
        body
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }
}
