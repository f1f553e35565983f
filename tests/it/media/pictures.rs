//! Profile pictures: upload (PNG, JPEG), reading with ETag and 304, the generated default,
//! reset, `user_updated`, permissions and bad uploads.

use image::ImageFormat;
use reqwest::Method;
use serde_json::json;

use super::{
    chunked_upload, get_if_none_match, noisy_png, picture, pixel_bomb, png_size, upload_image,
};
use crate::files::{send_multipart, Part};
use crate::realtime::{world, Ws};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

fn image_path(user_id: &str) -> String {
    format!("/api/v4/users/{user_id}/image")
}

async fn last_picture_update(server: &TestServer, viewer: &TestUser, user_id: &str) -> i64 {
    let user = server
        .get_as(&viewer.token, &format!("/api/v4/users/{user_id}"))
        .await;
    user.assert_status(200);
    user.json()["last_picture_update"].as_i64().unwrap_or(0)
}

fn stored_file(server: &TestServer, user_id: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(&server.config.file.directory)
        .join("users")
        .join(user_id)
        .join("profile.png")
}

#[tokio::test]
async fn upload_read_with_etag_and_reset() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut carol_ws = Ws::connect(&server, &w.carol).await;
    assert_eq!(last_picture_update(&server, &w.bob, &w.bob.id).await, 0);

    // Before any upload: the default, cached a day, with an ETag naming what it is drawn from.
    let default = server.get_as(&w.carol.token, &image_path(&w.bob.id)).await;
    default.assert_status(200);
    assert_eq!(png_size(&default), (128, 128));
    assert_eq!(
        default.header("cache-control"),
        Some("max-age=86400, private")
    );
    let default_etag = default.header("etag").expect("etag").to_string();
    assert_eq!(default_etag, "d1.B");
    let same = get_if_none_match(
        &server,
        &w.carol.token,
        &image_path(&w.bob.id),
        &default_etag,
    )
    .await;
    same.assert_status(304);
    assert!(same.body.is_empty());
    assert_eq!(same.header("etag"), Some(default_etag.as_str()));

    // A wide PNG becomes its centre square at 128 px.
    let before = crate::support::license::now_ms();
    upload_image(
        &server,
        &w.bob.token,
        "/api/v4/users/me/image",
        &picture(300, 200, ImageFormat::Png),
    )
    .await
    .assert_status(200);
    let lpu = last_picture_update(&server, &w.carol, &w.bob.id).await;
    assert!(lpu >= before, "{lpu} < {before}");
    let me = server.get_as(&w.bob.token, "/api/v4/users/me").await.json();
    assert_eq!(me["last_picture_update"], lpu);
    let event = carol_ws.event("user_updated").await;
    assert_eq!(event["data"]["user"]["id"], w.bob.id);
    assert_eq!(event["data"]["user"]["last_picture_update"], lpu);
    assert!(event["data"]["user"].get("password").is_none());

    let uploaded = server.get_as(&w.carol.token, &image_path(&w.bob.id)).await;
    uploaded.assert_status(200);
    assert_eq!(png_size(&uploaded), (128, 128));
    assert_eq!(uploaded.header("etag"), Some(lpu.to_string().as_str()));
    assert_eq!(
        uploaded.header("cache-control"),
        Some("max-age=86400, private")
    );
    let decoded = image::load_from_memory(&uploaded.body).unwrap().to_rgb8();
    // The centre square of red | blue: red on the left, blue on the right.
    assert!(decoded.get_pixel(5, 64).0[0] > 150 && decoded.get_pixel(122, 64).0[2] > 150);
    assert!(stored_file(&server, &w.bob.id).exists());
    // The old default ETag no longer matches; the new one does (with a cache-busting query,
    // as Client4's getProfilePictureUrl adds).
    get_if_none_match(
        &server,
        &w.carol.token,
        &image_path(&w.bob.id),
        &default_etag,
    )
    .await
    .assert_status(200);
    get_if_none_match(
        &server,
        &w.carol.token,
        &format!("{}?_={lpu}", image_path(&w.bob.id)),
        &format!("\"{lpu}\""),
    )
    .await
    .assert_status(304);
    // The default stays available on its own route.
    let still_default = server
        .get_as(
            &w.carol.token,
            &format!("{}/default", image_path(&w.bob.id)),
        )
        .await;
    still_default.assert_status(200);
    assert_eq!(still_default.body, default.body);
    assert_eq!(still_default.header("etag"), Some(default_etag.as_str()));
    get_if_none_match(
        &server,
        &w.carol.token,
        &format!("{}/default", image_path(&w.bob.id)),
        &default_etag,
    )
    .await
    .assert_status(304);

    // The same picture again changes nothing; a JPEG replaces it.
    upload_image(
        &server,
        &w.bob.token,
        "/api/v4/users/me/image",
        &picture(300, 200, ImageFormat::Png),
    )
    .await
    .assert_status(200);
    assert_eq!(last_picture_update(&server, &w.carol, &w.bob.id).await, lpu);
    carol_ws.no_event("user_updated").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    upload_image(
        &server,
        &w.bob.token,
        "/api/v4/users/me/image",
        &picture(90, 160, ImageFormat::Jpeg),
    )
    .await
    .assert_status(200);
    let jpeg_lpu = last_picture_update(&server, &w.carol, &w.bob.id).await;
    assert!(jpeg_lpu > lpu);
    assert_eq!(
        carol_ws.event("user_updated").await["data"]["user"]["last_picture_update"],
        jpeg_lpu
    );
    let replaced = server.get_as(&w.carol.token, &image_path(&w.bob.id)).await;
    assert_eq!(png_size(&replaced), (128, 128));
    assert_ne!(replaced.body, uploaded.body);

    // Reset: the time becomes negative (Mattermost), the default is served, the file goes.
    server
        .delete_as(&w.bob.token, "/api/v4/users/me/image")
        .await
        .assert_status(200);
    let reset = last_picture_update(&server, &w.carol, &w.bob.id).await;
    assert!(reset < 0 && -reset >= jpeg_lpu, "{reset}");
    assert_eq!(
        carol_ws.event("user_updated").await["data"]["user"]["last_picture_update"],
        reset
    );
    let back = server.get_as(&w.carol.token, &image_path(&w.bob.id)).await;
    back.assert_status(200);
    assert_eq!(back.body, default.body);
    assert_eq!(back.header("etag"), Some(default_etag.as_str()));
    assert!(!stored_file(&server, &w.bob.id).exists());
}

#[tokio::test]
async fn the_default_shows_initials_on_the_users_own_colour() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let bob_default = server.get_as(&w.bob.token, &image_path(&w.bob.id)).await;
    let carol_default = server.get_as(&w.bob.token, &image_path(&w.carol.id)).await;
    let bob_png = image::load_from_memory(&bob_default.body)
        .unwrap()
        .to_rgb8();
    let carol_png = image::load_from_memory(&carol_default.body)
        .unwrap()
        .to_rgb8();
    assert_ne!(
        bob_png.get_pixel(0, 0),
        carol_png.get_pixel(0, 0),
        "colours differ"
    );
    assert_eq!(carol_default.header("etag"), Some("d1.C"));
    let white = bob_png.pixels().filter(|p| p.0 == [255, 255, 255]).count();
    assert!(white > 100, "a letter is drawn: {white}");

    // Full names give two initials; the picture and its ETag change with them.
    server
        .put_as(
            &w.bob.token,
            "/api/v4/users/me/patch",
            &json!({"first_name": "ada", "last_name": "Lovelace"}),
        )
        .await
        .assert_status(200);
    let named = get_if_none_match(&server, &w.carol.token, &image_path(&w.bob.id), "d1.B").await;
    named.assert_status(200);
    assert_eq!(named.header("etag"), Some("d1.AL"));
    assert_ne!(named.body, bob_default.body);
    // Deterministic: the same bytes again.
    let again = server.get_as(&w.carol.token, &image_path(&w.bob.id)).await;
    assert_eq!(again.body, named.body);
    // `me` works, and unknown or malformed users do not.
    let mine = server.get_as(&w.bob.token, "/api/v4/users/me/image").await;
    assert_eq!(mine.body, named.body);
    server
        .get_as(&w.bob.token, &image_path("abcdefghijklmnopqrstuvwxyz"))
        .await
        .assert_error(404, "app.user.missing_account.const");
    server
        .get_as(
            &w.bob.token,
            &format!("{}/default", image_path("abcdefghijklmnopqrstuvwxyz")),
        )
        .await
        .assert_error(404, "app.user.missing_account.const");
    server
        .get_as(&w.bob.token, &image_path("nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server.get(&image_path(&w.bob.id)).await.assert_status(401);
}

#[tokio::test]
async fn who_may_change_a_picture() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let png = picture(64, 64, ImageFormat::Png);
    let bob_path = image_path(&w.bob.id);
    upload_image(&server, &w.carol.token, &bob_path, &png)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(&w.carol.token, &bob_path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // A large refused body is read and dropped: the client gets the 403, not a reset.
    let large = noisy_png(450);
    assert!(large.len() > 500_000);
    for _ in 0..3 {
        upload_image(&server, &w.carol.token, &bob_path, &large)
            .await
            .assert_error(403, "api.context.permissions.app_error");
    }
    assert_eq!(last_picture_update(&server, &w.bob, &w.bob.id).await, 0);
    // An unknown user is refused like a forbidden one, even for an admin (Mattermost).
    upload_image(
        &server,
        &w.admin.token,
        &image_path("abcdefghijklmnopqrstuvwxyz"),
        &png,
    )
    .await
    .assert_error(403, "api.context.permissions.app_error");
    // Admins (edit_other_users) may.
    let mut bob_ws = Ws::connect(&server, &w.bob).await;
    upload_image(&server, &w.admin.token, &bob_path, &png)
        .await
        .assert_status(200);
    assert!(last_picture_update(&server, &w.bob, &w.bob.id).await > 0);
    bob_ws.event("user_updated").await;
    server
        .delete_as(&w.admin.token, &bob_path)
        .await
        .assert_status(200);
    assert!(last_picture_update(&server, &w.bob, &w.bob.id).await < 0);
    // Not signed in.
    server
        .send(server.request(Method::DELETE, &bob_path))
        .await
        .assert_status(401);
}

#[tokio::test]
async fn bad_uploads_change_nothing() {
    let server = TestServer::builder()
        .config(|c| c.file.max_file_size = 20_000)
        .start()
        .await;
    let w = world(&server).await;
    let mine = "/api/v4/users/me/image";
    let too_big = noisy_png(100);
    assert!(too_big.len() > 20_000);
    upload_image(&server, &w.bob.token, mine, &too_big)
        .await
        .assert_error(413, "api.user.upload_profile_user.too_large.app_error");
    let reply = chunked_upload(&server, &w.bob.token, mine, 30_000).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("api.user.upload_profile_user.too_large.app_error"));
    upload_image(&server, &w.bob.token, mine, b"this is not an image")
        .await
        .assert_error(
            400,
            "api.user.upload_profile_user.check_image_limits.app_error",
        );
    upload_image(&server, &w.bob.token, mine, &pixel_bomb())
        .await
        .assert_error(
            400,
            "api.user.upload_profile_user.check_image_limits.app_error",
        );
    let whole = picture(64, 64, ImageFormat::Png);
    upload_image(&server, &w.bob.token, mine, &whole[..whole.len() - 30])
        .await
        .assert_error(400, "api.user.upload_profile_user.decode.app_error");
    // No file part named `image` (a text field of that name does not count).
    send_multipart(
        &server,
        &w.bob.token,
        Method::POST,
        mine,
        &[Part::File("picture", "a.png", &whole)],
    )
    .await
    .assert_error(400, "api.user.upload_profile_user.no_file.app_error");
    send_multipart(
        &server,
        &w.bob.token,
        Method::POST,
        mine,
        &[Part::Text("image", "abc")],
    )
    .await
    .assert_error(400, "api.user.upload_profile_user.no_file.app_error");
    server
        .post_as(&w.bob.token, mine, &json!({"image": "abc"}))
        .await
        .assert_error(400, "api.user.upload_profile_user.parse.app_error");
    upload_image(&server, &w.bob.token, "/api/v4/users/nope/image", &whole)
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    assert_eq!(last_picture_update(&server, &w.bob, &w.bob.id).await, 0);
    assert!(!stored_file(&server, &w.bob.id).exists());
    // A small picture with the other parts Client4 may send is fine.
    send_multipart(
        &server,
        &w.bob.token,
        Method::POST,
        mine,
        &[
            Part::Text("note", "x"),
            Part::File("image", "a.png", &whole),
        ],
    )
    .await
    .assert_status(200);
    assert!(last_picture_update(&server, &w.bob, &w.bob.id).await > 0);
}

#[tokio::test]
async fn without_file_storage_pictures_cannot_change() {
    let server = TestServer::builder()
        .config(|c| c.file.driver_name = String::new())
        .start()
        .await;
    let w = world(&server).await;
    upload_image(
        &server,
        &w.bob.token,
        "/api/v4/users/me/image",
        &picture(8, 8, ImageFormat::Png),
    )
    .await
    .assert_error(501, "api.user.upload_profile_user.storage.app_error");
    server
        .delete_as(&w.bob.token, "/api/v4/users/me/image")
        .await
        .assert_error(501, "api.user.upload_profile_user.storage.app_error");
    // Reading still gives the default.
    server
        .get_as(&w.bob.token, "/api/v4/users/me/image")
        .await
        .assert_status(200);
}
