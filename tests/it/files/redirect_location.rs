//! `GET /redirect_location`: one HEAD to the link, its `Location` back; internal addresses
//! refused after resolution unless `AllowedUntrustedInternalConnections` names them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::accounts::TestUser;
use crate::support::TestServer;

/// A loopback server for links: `/short` redirects, `/chain` redirects to `/short`, `/plain`
/// answers 200, `/huge` sends a 9 KiB `Location`, `/hang` never answers. Records each request
/// line.
struct LinkServer {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl LinkServer {
    async fn start() -> LinkServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head).to_string();
                    let line = head.lines().next().unwrap_or("").to_string();
                    log.lock().unwrap().push(line.clone());
                    let path = line.split(' ').nth(1).unwrap_or("");
                    let answer = match path {
                        "/short" => redirect("https://example.com/a/long/path?x=1"),
                        "/chain" => redirect(&format!("http://127.0.0.1:{port}/short")),
                        "/huge" => redirect(&format!("https://example.com/{}", "a".repeat(9000))),
                        "/hang" => {
                            tokio::time::sleep(Duration::from_secs(60)).await;
                            return;
                        }
                        _ => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_string(),
                    };
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        LinkServer { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn redirect(location: &str) -> String {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

fn encode(url: &str) -> String {
    url::form_urlencoded::byte_serialize(url.as_bytes()).collect()
}

async fn location(server: &TestServer, user: &TestUser, url: &str) -> String {
    let response = server
        .get_as(
            &user.token,
            &format!("/api/v4/redirect_location?url={}", encode(url)),
        )
        .await;
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    body["location"].as_str().unwrap().to_string()
}

async fn allowing(allowed: &str) -> (TestServer, TestUser) {
    let allowed = allowed.to_string();
    let server = TestServer::builder()
        .config(move |c| c.service.allowed_untrusted_internal_connections = allowed)
        .start()
        .await;
    let admin = server.admin().await;
    (server, admin)
}

#[tokio::test]
async fn an_allowed_link_answers_its_first_location() {
    let links = LinkServer::start().await;
    let (server, user) = allowing("127.0.0.1").await;
    assert_eq!(
        location(&server, &user, &links.url("/short")).await,
        "https://example.com/a/long/path?x=1"
    );
    // One HEAD; redirects are not followed.
    assert_eq!(
        location(&server, &user, &links.url("/chain")).await,
        links.url("/short")
    );
    assert_eq!(location(&server, &user, &links.url("/plain")).await, "");
    assert_eq!(location(&server, &user, &links.url("/huge")).await, "");
    assert_eq!(
        links.seen(),
        [
            "HEAD /short HTTP/1.1",
            "HEAD /chain HTTP/1.1",
            "HEAD /plain HTTP/1.1",
            "HEAD /huge HTTP/1.1"
        ]
    );
}

#[tokio::test]
async fn internal_addresses_are_refused_without_a_request() {
    let links = LinkServer::start().await;
    let (server, user) = allowing("").await;
    let port = links.port;
    for url in [
        links.url("/short"),
        format!("http://localhost:{port}/short"),
        format!("http://127.1:{port}/short"),
        format!("http://2130706433:{port}/short"),
        format!("http://[::ffff:127.0.0.1]:{port}/short"),
        format!("http://[::1]:{port}/short"),
        format!("http://0.0.0.0:{port}/short"),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://10.0.0.1/".into(),
        "http://[fd00::1]/".into(),
        "http://[fe80::1]/".into(),
        "ftp://127.0.0.1/".into(),
        "file:///etc/passwd".into(),
        "not a url".into(),
    ] {
        assert_eq!(location(&server, &user, &url).await, "", "{url}");
    }
    assert!(links.seen().is_empty(), "{:?}", links.seen());

    // Allowing another address, or a range that does not hold it, changes nothing.
    let (server, user) = allowing("127.0.0.2 10.0.0.0/8").await;
    assert_eq!(location(&server, &user, &links.url("/short")).await, "");
    assert!(links.seen().is_empty());
}

#[tokio::test]
async fn the_allow_list_takes_host_names_and_ranges() {
    let links = LinkServer::start().await;
    let port = links.port;
    let (server, user) = allowing("localhost").await;
    assert_eq!(
        location(&server, &user, &format!("http://localhost:{port}/short")).await,
        "https://example.com/a/long/path?x=1"
    );
    // The name is allowed, not the address behind it.
    assert_eq!(location(&server, &user, &links.url("/short")).await, "");
    let (server, user) = allowing("10.0.0.0/8, 127.0.0.0/8").await;
    assert_eq!(
        location(&server, &user, &links.url("/short")).await,
        "https://example.com/a/long/path?x=1"
    );
    assert_eq!(links.seen().len(), 2);
}

#[tokio::test]
async fn a_silent_server_is_given_up_on() {
    let links = LinkServer::start().await;
    let (server, user) = allowing("127.0.0.1").await;
    let started = Instant::now();
    assert_eq!(location(&server, &user, &links.url("/hang")).await, "");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test]
async fn off_missing_url_and_no_session() {
    let links = LinkServer::start().await;
    let server = TestServer::builder()
        .config(|c| {
            c.service.enable_link_previews = false;
            c.service.allowed_untrusted_internal_connections = "127.0.0.1".into();
        })
        .start()
        .await;
    let user = server.admin().await;
    assert_eq!(location(&server, &user, &links.url("/short")).await, "");
    // Off, even a missing url is just "".
    let response = server
        .get_as(&user.token, "/api/v4/redirect_location")
        .await;
    response.assert_status(200);
    assert_eq!(response.json()["location"], "");
    assert!(links.seen().is_empty());
    let config = server
        .get_as(&user.token, "/api/v4/config/client?format=old")
        .await
        .json();
    assert_eq!(config["EnableLinkPreviews"], "false");

    let (server, user) = allowing("").await;
    for path in [
        "/api/v4/redirect_location",
        "/api/v4/redirect_location?url=",
    ] {
        server
            .get_as(&user.token, path)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .get_as(
            &user.token,
            "/api/v4/redirect_location?url=http%3A%2F%2Fx%00",
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get(&format!(
            "/api/v4/redirect_location?url={}",
            encode(&links.url("/short"))
        ))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}
