//! Uploads, downloads, thumbnails and previews, attachment to posts, access rules, bad input
//! and the orphan clean-up.

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{id, png, send_multipart, upload, uploaded, Part};
use crate::chat::{channel, join, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

struct Setup {
    admin: TestUser,
    bob: TestUser,
    eve: TestUser,
    town: String,
    secret: String,
    off_topic: String,
}

async fn setup(server: &TestServer) -> Setup {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(server, &admin, "eng").await);
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &eve).await;
    let by_name = |name: &'static str| {
        let path = format!("/api/v4/teams/{team_id}/channels/name/{name}");
        let token = admin.token.clone();
        async move { id(&server.get_as(&token, &path).await.json()) }
    };
    let town = by_name("town-square").await;
    let off_topic = by_name("off-topic").await;
    // bob's private channel; eve is not in it.
    let secret = id(&channel(server, &bob, &team_id, "secret", "P").await);
    Setup {
        admin,
        bob,
        eve,
        town,
        secret,
        off_topic,
    }
}

async fn create_post(
    server: &TestServer,
    user: &TestUser,
    channel_id: &str,
    message: &str,
    file_ids: &[&str],
) -> serde_json::Value {
    let created = server
        .post_as(
            &user.token,
            "/api/v4/posts",
            &json!({"channel_id": channel_id, "message": message, "file_ids": file_ids}),
        )
        .await;
    created.assert_status(201);
    created.json()
}

#[tokio::test]
async fn upload_attach_and_download_a_file() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let response = upload(&server, &s.bob, &s.town, "notes.txt", b"hello files").await;
    response.assert_status(201);
    let body = response.json();
    assert_eq!(body["client_ids"], json!([]));
    let info = &body["file_infos"][0];
    assert_eq!(info["name"], "notes.txt");
    assert_eq!(info["extension"], "txt");
    assert_eq!(info["size"], 11);
    assert_eq!(info["mime_type"], "text/plain");
    assert_eq!(info["user_id"], s.bob.id.as_str());
    assert_eq!(info["channel_id"], s.town.as_str());
    assert!(
        info.get("post_id").is_none(),
        "orphans have no post: {info}"
    );
    assert!(info.get("path").is_none(), "storage paths stay private");
    let file_id = id(info);

    // The bytes were streamed to disk under FileSettings.Directory; no temp file remains.
    let root = std::path::PathBuf::from(&server.config.file.directory);
    let stored = root.join(format!("files/{}/{file_id}/original", s.town));
    assert_eq!(std::fs::read(&stored).unwrap(), b"hello files");
    let temps = std::fs::read_dir(root.join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(temps, 0);

    let download = server
        .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}"))
        .await;
    download.assert_status(200);
    assert_eq!(download.body, b"hello files");
    assert_eq!(download.header("content-type"), Some("text/plain"));
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));
    assert!(download
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment; filename=\"notes.txt\""));
    assert_eq!(download.header("x-frame-options"), Some("DENY"));

    // Until a post holds it, an upload is its uploader's alone (as in Mattermost).
    for path in [
        format!("/api/v4/files/{file_id}"),
        format!("/api/v4/files/{file_id}/info"),
    ] {
        server
            .get_as(&s.eve.token, &path)
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }

    let post = create_post(&server, &s.bob, &s.town, "see attached", &[&file_id]).await;
    let info = server
        .get_as(&s.eve.token, &format!("/api/v4/files/{file_id}/info"))
        .await;
    info.assert_status(200);
    assert_eq!(info.json()["id"], file_id.as_str());
    assert_eq!(post["file_ids"], json!([file_id]));
    assert_eq!(post["metadata"]["files"][0]["id"], file_id.as_str());
    assert_eq!(post["metadata"]["files"][0]["post_id"], post["id"]);
    let post_id = id(&post);

    let infos = server
        .get_as(&s.eve.token, &format!("/api/v4/posts/{post_id}/files/info"))
        .await;
    infos.assert_status(200);
    assert_eq!(infos.json()[0]["id"], file_id.as_str());
    assert_eq!(infos.json()[0]["post_id"], post_id.as_str());
    let stats = server
        .get_as(&s.eve.token, &format!("/api/v4/channels/{}/stats", s.town))
        .await
        .json();
    assert_eq!(
        stats["files_count"], 1,
        "attached files count in channel stats"
    );
    // The channel page carries the files in each post's metadata.
    let page = server
        .get_as(&s.eve.token, &format!("/api/v4/channels/{}/posts", s.town))
        .await
        .json();
    assert_eq!(
        page["posts"][&post_id]["metadata"]["files"][0]["name"],
        "notes.txt"
    );

    // A file is attached once: a second post naming it does not get it.
    let again = create_post(&server, &s.bob, &s.town, "again", &[&file_id]).await;
    assert_eq!(again["file_ids"], json!([]));
    // A post with only an unusable file and no message is refused.
    server
        .post_as(
            &s.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": s.town, "message": "", "file_ids": [file_id]}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn only_the_uploader_in_the_same_channel_can_attach() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let file_id = id(&uploaded(&server, &s.bob, &s.town, "a.txt", b"a").await);
    // Another user cannot claim it.
    let eve_post = create_post(&server, &s.eve, &s.town, "mine now", &[&file_id]).await;
    assert_eq!(eve_post["file_ids"], json!([]));
    // The uploader cannot move it to another channel.
    let other = create_post(&server, &s.bob, &s.off_topic, "elsewhere", &[&file_id]).await;
    assert_eq!(other["file_ids"], json!([]));
    // Junk ids are dropped, not stored.
    let junk = create_post(
        &server,
        &s.bob,
        &s.town,
        "junk",
        &["nope", &file_id, &file_id],
    )
    .await;
    assert_eq!(junk["file_ids"], json!([file_id]));
    // More than ten files is invalid.
    let many: Vec<String> = (0..11).map(|_| file_id.clone()).collect();
    server
        .post_as(
            &s.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": s.town, "message": "many", "file_ids": many}),
        )
        .await
        .assert_error(400, "model.post.is_valid.file_ids.app_error");
}

#[tokio::test]
async fn images_get_dimensions_thumbnails_and_previews() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let info = uploaded(&server, &s.bob, &s.town, "Photo.PNG", &png(2400, 1200)).await;
    assert_eq!(info["extension"], "png");
    assert_eq!(info["mime_type"], "image/png");
    assert_eq!(
        (info["width"].as_i64(), info["height"].as_i64()),
        (Some(2400), Some(1200))
    );
    assert_eq!(info["has_preview_image"], true);
    assert!(info["mini_preview"].as_str().is_some_and(|m| !m.is_empty()));
    let file_id = id(&info);

    let thumb = server
        .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}/thumbnail"))
        .await;
    thumb.assert_status(200);
    assert_eq!(thumb.header("content-type"), Some("image/jpeg"));
    let decoded = image::load_from_memory(&thumb.body).unwrap();
    assert!(decoded.width() <= 120 && decoded.height() <= 100);

    let preview = server
        .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}/preview"))
        .await;
    preview.assert_status(200);
    let decoded = image::load_from_memory(&preview.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1920, 960));

    // Common image types are shown inline unless a download is asked for.
    let inline = server
        .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}"))
        .await;
    assert_eq!(inline.header("content-type"), Some("image/png"));
    assert!(inline
        .header("content-disposition")
        .unwrap()
        .starts_with("inline;"));
    let forced = server
        .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}?download=1"))
        .await;
    assert!(forced
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
}

#[tokio::test]
async fn html_svg_and_unknown_types_are_attachments() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    for (name, served) in [
        ("page.html", "text/plain"),
        ("logo.svg", "image/svg+xml"),
        ("blob.weird", "application/octet-stream"),
        ("noext", "application/octet-stream"),
    ] {
        let file_id =
            id(&uploaded(&server, &s.bob, &s.town, name, b"<script>alert(1)</script>").await);
        let response = server
            .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}"))
            .await;
        response.assert_status(200);
        assert_eq!(response.header("content-type"), Some(served), "{name}");
        assert!(
            response
                .header("content-disposition")
                .unwrap()
                .starts_with("attachment;"),
            "{name}"
        );
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        // Not an image: no thumbnail or preview.
        server
            .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}/thumbnail"))
            .await
            .assert_error(400, "api.file.get_file_thumbnail.no_thumbnail.app_error");
        server
            .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}/preview"))
            .await
            .assert_error(400, "api.file.get_file_preview.no_preview.app_error");
    }
}

#[tokio::test]
async fn bad_images_and_decompression_bombs() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    // Claims to be a PNG, is not: kept as a plain file without previews.
    let info = uploaded(
        &server,
        &s.bob,
        &s.town,
        "fake.png",
        b"definitely not a png",
    )
    .await;
    assert!(info.get("has_preview_image").is_none(), "{info}");
    assert!(info.get("width").is_none(), "{info}");
    server
        .get_as(
            &s.bob.token,
            &format!("/api/v4/files/{}/thumbnail", id(&info)),
        )
        .await
        .assert_error(400, "api.file.get_file_thumbnail.no_thumbnail.app_error");

    // A valid PNG header declaring 100000 x 100000 pixels: refused before decoding, and
    // nothing is left on disk.
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    upload(&server, &s.bob, &s.town, "bomb.png", &bomb)
        .await
        .assert_error(400, "api.file.upload_file.large_image_detailed.app_error");
    let root = std::path::PathBuf::from(&server.config.file.directory);
    let kept = std::fs::read_dir(root.join(format!("files/{}", s.town)))
        .unwrap()
        .count();
    assert_eq!(kept, 1, "only fake.png remains");
}

async fn post_parts(
    server: &TestServer,
    user: &TestUser,
    parts: &[Part<'_>],
) -> crate::support::TestResponse {
    send_multipart(server, &user.token, Method::POST, "/api/v4/files", parts).await
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn path_tricks_in_names_stay_inside_the_store() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    for (raw, shown) in [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/absolute/x.txt", "x.txt"),
        ("..", "file"),
    ] {
        let info = uploaded(&server, &s.bob, &s.town, raw, b"x").await;
        assert_eq!(info["name"], shown, "{raw}");
    }
    let root = std::path::PathBuf::from(&server.config.file.directory);
    let parent = root.parent().unwrap();
    assert!(!parent.join("etc").exists());
    assert!(!root.join("etc").exists());
    // Quotes and non-ASCII in a name cannot break the Content-Disposition header.
    let raw = server
        .send(
            server
                .request(
                    Method::POST,
                    &format!(
                        "/api/v4/files?channel_id={}&filename=na%C3%AFve%22%3Bb.txt",
                        s.town
                    ),
                )
                .bearer_auth(&s.bob.token)
                .body("x"),
        )
        .await;
    raw.assert_status(201);
    let file_id = id(&raw.json()["file_infos"][0]);
    let response = server
        .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}"))
        .await;
    response.assert_status(200);
    let disposition = response.header("content-disposition").unwrap();
    assert_eq!(
        disposition,
        "attachment; filename=\"na_ve_;b.txt\"; filename*=UTF-8''na%C3%AFve%22%3Bb.txt"
    );
}

#[tokio::test]
async fn only_channel_members_read_files() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let file_id = id(&uploaded(&server, &s.bob, &s.secret, "plan.txt", b"secret plan").await);
    for path in ["", "/info", "/thumbnail", "/preview"] {
        server
            .get_as(&s.eve.token, &format!("/api/v4/files/{file_id}{path}"))
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    // System admins may read everything.
    server
        .get_as(&s.admin.token, &format!("/api/v4/files/{file_id}"))
        .await
        .assert_status(200);
    // No session, unknown ids, malformed ids.
    server
        .get(&format!("/api/v4/files/{file_id}"))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    server
        .get_as(&s.bob.token, "/api/v4/files/abcdefghijklmnopqrstuvwxyz")
        .await
        .assert_error(404, "app.file_info.get.app_error");
    server
        .get_as(&s.bob.token, "/api/v4/files/short")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // eve cannot upload into a channel she is not in.
    upload(&server, &s.eve, &s.secret, "x.txt", b"x")
        .await
        .assert_error(403, "api.context.permissions.app_error");
}

#[tokio::test]
async fn files_of_a_deleted_post_are_gone() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let root_file = id(&uploaded(&server, &s.bob, &s.town, "root.txt", b"r").await);
    let reply_file = id(&uploaded(&server, &s.eve, &s.town, "reply.txt", b"r").await);
    let root = create_post(&server, &s.bob, &s.town, "root", &[&root_file]).await;
    let reply = server
        .post_as(
            &s.eve.token,
            "/api/v4/posts",
            &json!({"channel_id": s.town, "message": "reply", "root_id": root["id"], "file_ids": [reply_file]}),
        )
        .await;
    reply.assert_status(201);
    server
        .delete_as(&s.bob.token, &format!("/api/v4/posts/{}", id(&root)))
        .await
        .assert_status(200);
    for file_id in [&root_file, &reply_file] {
        server
            .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}"))
            .await
            .assert_error(404, "app.file_info.get.app_error");
        server
            .get_as(&s.bob.token, &format!("/api/v4/files/{file_id}/info"))
            .await
            .assert_error(404, "app.file_info.get.app_error");
    }
    server
        .get_as(
            &s.bob.token,
            &format!("/api/v4/posts/{}/files/info", id(&root)),
        )
        .await
        .assert_error(404, "app.post.get.app_error");
}

#[tokio::test]
async fn malformed_uploads_are_refused() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let town = s.town.as_str();
    // No channel before the file.
    post_parts(&server, &s.bob, &[Part::File("files", "a.txt", b"a")])
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // A channel but no file.
    post_parts(&server, &s.bob, &[Part::Text("channel_id", town)])
        .await
        .assert_error(
            400,
            "api.file.upload_file.incorrect_number_of_files.app_error",
        );
    // An unexpected text field.
    post_parts(
        &server,
        &s.bob,
        &[Part::Text("channel_id", town), Part::Text("color", "red")],
    )
    .await
    .assert_error(400, "api.context.invalid_url_param.app_error");
    // Malformed and unknown channels.
    post_parts(
        &server,
        &s.bob,
        &[
            Part::Text("channel_id", "nope"),
            Part::File("files", "a.txt", b"a"),
        ],
    )
    .await
    .assert_error(400, "api.context.invalid_url_param.app_error");
    post_parts(
        &server,
        &s.bob,
        &[
            Part::Text("channel_id", "abcdefghijklmnopqrstuvwxyz"),
            Part::File("files", "a.txt", b"a"),
        ],
    )
    .await
    .assert_error(404, "app.channel.get.existing.app_error");
    // client_ids must match the files one to one.
    post_parts(
        &server,
        &s.bob,
        &[
            Part::Text("channel_id", town),
            Part::Text("client_ids", "c1"),
            Part::Text("client_ids", "c2"),
            Part::File("files", "a.txt", b"a"),
        ],
    )
    .await
    .assert_error(
        400,
        "api.file.upload_file.incorrect_number_of_client_ids.app_error",
    );
    let two = post_parts(
        &server,
        &s.bob,
        &[
            Part::Text("channel_id", town),
            Part::Text("client_ids", "c1"),
            Part::File("files", "a.txt", b"a"),
            Part::Text("client_ids", "c2"),
            Part::File("files", "b.txt", b"bb"),
        ],
    )
    .await;
    two.assert_status(201);
    assert_eq!(two.json()["client_ids"], json!(["c1", "c2"]));
    assert_eq!(two.json()["file_infos"][1]["size"], 2);
    // Text parts are small: a huge one is refused, not buffered.
    let long = "x".repeat(5000);
    post_parts(&server, &s.bob, &[Part::Text("channel_id", &long)])
        .await
        .assert_error(400, "api.file.upload_file.read_request.app_error");
    // A broken multipart body.
    server
        .post_raw(
            "/api/v4/files",
            "multipart/form-data; boundary=xyz",
            "garbage",
        )
        .await
        .assert_status(401);
    let broken = server
        .send(
            server
                .request(Method::POST, "/api/v4/files")
                .bearer_auth(&s.bob.token)
                .header("content-type", "multipart/form-data; boundary=xyz")
                .body("--xyz\r\nnot headers"),
        )
        .await;
    broken.assert_error(400, "api.file.upload_file.read_request.app_error");
    // Raw-body uploads name the channel and file in the query.
    let raw = server
        .send(
            server
                .request(
                    Method::POST,
                    &format!(
                        "/api/v4/files?channel_id={}&filename=raw.txt&client_id=r1",
                        s.town
                    ),
                )
                .bearer_auth(&s.bob.token)
                .body("raw bytes"),
        )
        .await;
    raw.assert_status(201);
    assert_eq!(raw.json()["file_infos"][0]["name"], "raw.txt");
    assert_eq!(raw.json()["client_ids"], json!(["r1"]));
    server
        .send(
            server
                .request(Method::POST, "/api/v4/files")
                .bearer_auth(&s.bob.token)
                .body("raw bytes"),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn oversized_uploads_get_a_clean_413() {
    let server = TestServer::builder()
        .config(|c| c.file.max_file_size = 1000)
        .start()
        .await;
    let s = setup(&server).await;
    upload(&server, &s.bob, &s.town, "big.bin", &[7u8; 2000])
        .await
        .assert_error(413, "api.file.upload_file.too_large_detailed.app_error");
    // Chunked, with no Content-Length: refused while streaming, nothing kept.
    let address = server.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v4/files?channel_id={}&filename=big.bin HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        s.town, s.bob.token
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..4 {
        let chunk = [1u8; 500];
        let _ = socket
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await;
        let _ = socket.write_all(&chunk).await;
        let _ = socket.write_all(b"\r\n").await;
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply).await;
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("api.file.upload_file.too_large_detailed.app_error"));
    let root = std::path::PathBuf::from(&server.config.file.directory);
    let temps = std::fs::read_dir(root.join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(temps, 0, "the partial upload was removed");
    // Within the limit is fine.
    upload(&server, &s.bob, &s.town, "small.bin", &[7u8; 500])
        .await
        .assert_status(201);
}

#[tokio::test]
async fn attachments_can_be_disabled() {
    let server = TestServer::builder()
        .config(|c| c.file.enable_file_attachments = false)
        .start()
        .await;
    let s = setup(&server).await;
    upload(&server, &s.bob, &s.town, "a.txt", b"a")
        .await
        .assert_error(501, "api.file.attachments.disabled.app_error");
}

#[tokio::test]
async fn orphaned_uploads_are_cleaned_up() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let orphan = id(&uploaded(&server, &s.bob, &s.town, "orphan.txt", b"o").await);
    let kept = id(&uploaded(&server, &s.bob, &s.town, "kept.txt", b"k").await);
    create_post(&server, &s.bob, &s.town, "keep", &[&kept]).await;
    let root = std::path::PathBuf::from(&server.config.file.directory);
    // Younger than the cut-off: untouched.
    let removed = townsquare::app::files::remove_orphans(server.store(), &root, 0)
        .await
        .unwrap();
    assert_eq!(removed, 0);
    let removed = townsquare::app::files::remove_orphans(server.store(), &root, i64::MAX)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    server
        .get_as(&s.bob.token, &format!("/api/v4/files/{orphan}"))
        .await
        .assert_error(404, "app.file_info.get.app_error");
    assert!(!root.join(format!("files/{}/{orphan}", s.town)).exists());
    server
        .get_as(&s.bob.token, &format!("/api/v4/files/{kept}"))
        .await
        .assert_status(200);
}
