//! Public file links: `GET /files/{id}/link` and the session-less `GET /files/{id}/public`.

use serde_json::json;

use super::{id, uploaded};
use crate::chat::{channel, join, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

struct Scene {
    bob: TestUser,
    carol: TestUser,
    eve: TestUser,
    town: String,
    secret: String,
    /// bob's file in a post in the town square.
    file: String,
    post: String,
}

async fn enabled() -> TestServer {
    TestServer::builder()
        .config(|c| c.file.enable_public_link = true)
        .start()
        .await
}

/// bob posts `report.txt` in the town square; carol is in the team; eve is in the team but
/// not in bob's private channel.
async fn scene(server: &TestServer) -> Scene {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(server, &admin, "eng").await);
    for user in [&bob, &carol, &eve] {
        join(server, &admin, &team_id, user).await;
    }
    let town = id(&server
        .get_as(
            &bob.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json());
    let secret = id(&channel(server, &bob, &team_id, "secret", "P").await);
    let file = id(&uploaded(server, &bob, &town, "report.txt", b"quarterly numbers").await);
    let post = server
        .post_as(
            &bob.token,
            "/api/v4/posts",
            &json!({"channel_id": town, "message": "see attached", "file_ids": [file]}),
        )
        .await;
    post.assert_status(201);
    Scene {
        bob,
        carol,
        eve,
        town,
        secret,
        file,
        post: id(&post.json()),
    }
}

/// The link's path and query (the part after the site URL).
fn local(link: &str, site: &str) -> String {
    link.strip_prefix(site)
        .unwrap_or_else(|| panic!("{link} is not under {site}"))
        .to_string()
}

async fn link_of(server: &TestServer, user: &TestUser, file: &str) -> String {
    let response = server
        .get_as(&user.token, &format!("/api/v4/files/{file}/link"))
        .await;
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    body["link"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn off_by_default_both_routes_refuse() {
    let server = TestServer::start().await;
    let s = scene(&server).await;
    server
        .get_as(&s.bob.token, &format!("/api/v4/files/{}/link", s.file))
        .await
        .assert_error(403, "api.file.get_public_link.disabled.app_error");
    server
        .get(&format!("/files/{}/public?h=anything", s.file))
        .await
        .assert_error(403, "api.file.get_public_link.disabled.app_error");
    let config = server
        .get_as(&s.bob.token, "/api/v4/config/client?format=old")
        .await
        .json();
    assert_eq!(config["EnablePublicLink"], "false");
}

#[tokio::test]
async fn a_member_gets_a_link_that_serves_the_file_without_a_session() {
    let server = enabled().await;
    let s = scene(&server).await;
    let config = server
        .get_as(&s.bob.token, "/api/v4/config/client?format=old")
        .await
        .json();
    assert_eq!(config["EnablePublicLink"], "true");

    // No SiteURL: the link names the address the request came to.
    let link = link_of(&server, &s.carol, &s.file).await;
    let path = local(&link, &server.url);
    let prefix = format!("/files/{}/public?h=", s.file);
    assert!(path.starts_with(&prefix), "{link}");
    let hash = &path[prefix.len()..];
    assert_eq!(hash.len(), 43, "base64url SHA-256: {hash}");
    assert!(hash
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    // The same link for everyone, every time.
    assert_eq!(link_of(&server, &s.bob, &s.file).await, link);

    let public = server.get(&path).await;
    public.assert_status(200);
    assert_eq!(public.body, b"quarterly numbers");
    assert_eq!(public.header("content-type"), Some("text/plain"));
    assert!(public
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment;") && d.contains("report.txt")));
    assert_eq!(public.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn wrong_missing_or_borrowed_hashes_are_refused() {
    let server = enabled().await;
    let s = scene(&server).await;
    let other = id(&uploaded(&server, &s.bob, &s.town, "other.txt", b"other").await);
    server
        .post_as(
            &s.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": s.town, "message": "two", "file_ids": [other]}),
        )
        .await
        .assert_status(201);
    let link = link_of(&server, &s.bob, &s.file).await;
    let hash = link.rsplit_once("h=").unwrap().1.to_string();
    let mut flipped = hash.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for query in [
        String::new(),
        "?h=".into(),
        "?x=1".into(),
        format!("?h={flipped}"),
        format!("?h={}", &hash[..42]),
        format!("?h={hash}A"),
        "?h=%2F%2F%2F".into(),
    ] {
        server
            .get(&format!("/files/{}/public{query}", s.file))
            .await
            .assert_error(400, "api.file.get_file.public_invalid.app_error");
    }
    // One file's hash does not open another.
    server
        .get(&format!("/files/{other}/public?h={hash}"))
        .await
        .assert_error(400, "api.file.get_file.public_invalid.app_error");
    server
        .get(&format!("/files/{}/public?h={hash}", "a".repeat(26)))
        .await
        .assert_error(404, "app.file_info.get.app_error");
    server
        .get(&format!("/files/not-an-id/public?h={hash}"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get(&format!("/files/{}/public?h=x%00", s.file))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn only_readers_of_a_posted_file_get_a_link() {
    let server = enabled().await;
    let s = scene(&server).await;
    let hidden = id(&uploaded(&server, &s.bob, &s.secret, "plan.txt", b"plan").await);
    server
        .post_as(
            &s.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": s.secret, "message": "plan", "file_ids": [hidden]}),
        )
        .await
        .assert_status(201);
    server
        .get_as(&s.eve.token, &format!("/api/v4/files/{hidden}/link"))
        .await
        .assert_error(403, "api.context.permissions.app_error");
    link_of(&server, &s.bob, &hidden).await;

    // An upload no post holds yet: its uploader is told it needs a post, others may not see it.
    let orphan = id(&uploaded(&server, &s.bob, &s.town, "draft.txt", b"draft").await);
    server
        .get_as(&s.bob.token, &format!("/api/v4/files/{orphan}/link"))
        .await
        .assert_error(400, "api.file.get_public_link.no_post.app_error");
    server
        .get_as(&s.carol.token, &format!("/api/v4/files/{orphan}/link"))
        .await
        .assert_error(403, "api.context.permissions.app_error");

    server
        .get_as(
            &s.bob.token,
            &format!("/api/v4/files/{}/link", "a".repeat(26)),
        )
        .await
        .assert_error(404, "app.file_info.get.app_error");
    server
        .get_as(&s.bob.token, "/api/v4/files/nope/link")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get(&format!("/api/v4/files/{}/link", s.file))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn a_deleted_post_takes_its_links_with_it() {
    let server = enabled().await;
    let s = scene(&server).await;
    let link = link_of(&server, &s.carol, &s.file).await;
    let path = local(&link, &server.url);
    server.get(&path).await.assert_status(200);
    server
        .delete_as(&s.bob.token, &format!("/api/v4/posts/{}", s.post))
        .await
        .assert_status(200);
    server
        .get(&path)
        .await
        .assert_error(404, "app.file_info.get.app_error");
    for user in [&s.bob, &s.carol] {
        server
            .get_as(&user.token, &format!("/api/v4/files/{}/link", s.file))
            .await
            .assert_error(404, "app.file_info.get.app_error");
    }
}

#[tokio::test]
async fn the_generated_salt_survives_restarts_and_a_configured_one_wins() {
    let server = TestServer::builder()
        .config(|c| {
            c.file.enable_public_link = true;
            c.service.site_url = "https://chat.example.com/".into();
        })
        .start()
        .await;
    let s = scene(&server).await;
    let link = link_of(&server, &s.carol, &s.file).await;
    let path = local(&link, "https://chat.example.com");
    assert!(path.starts_with(&format!("/files/{}/public?h=", s.file)));
    let salt = server
        .store()
        .system_value("PublicLinkSalt")
        .await
        .unwrap()
        .expect("salt stored");
    assert_eq!(salt.chars().count(), 32);
    assert!(!link.contains(&salt));

    let server = server.restart().await;
    assert_eq!(link_of(&server, &s.carol, &s.file).await, link);
    server.get(&path).await.assert_status(200);

    // Links off again: the old link stops working.
    let mut config = server.config.clone();
    config.file.enable_public_link = false;
    let server = server.restart_with(config).await;
    server
        .get(&path)
        .await
        .assert_error(403, "api.file.get_public_link.disabled.app_error");

    // A configured salt replaces the stored one: old links no longer open.
    let mut config = server.config.clone();
    config.file.enable_public_link = true;
    config.file.public_link_salt = "c".repeat(32);
    let server = server.restart_with(config).await;
    server
        .get(&path)
        .await
        .assert_error(400, "api.file.get_file.public_invalid.app_error");
    let fresh = link_of(&server, &s.carol, &s.file).await;
    assert_ne!(fresh, link);
    server
        .get(&local(&fresh, "https://chat.example.com"))
        .await
        .assert_status(200);
}
