//! Team icons: upload, read with ETag and 304, removal, `update_team`, who may see and
//! change them, bad uploads.

use image::ImageFormat;
use reqwest::Method;
use serde_json::json;

use super::{get_if_none_match, noisy_png, picture, pixel_bomb, png_size, upload_image};
use crate::files::{send_multipart, Part};
use crate::realtime::{json_string, world, Ws};
use crate::support::TestServer;

fn icon_path(team_id: &str) -> String {
    format!("/api/v4/teams/{team_id}/image")
}

#[tokio::test]
async fn upload_read_with_etag_and_remove() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let path = icon_path(&w.team_id);
    let mut bob_ws = Ws::connect(&server, &w.bob).await;
    let mut eve_ws = Ws::connect(&server, &w.eve).await;

    // No icon yet.
    server
        .get_as(&w.bob.token, &path)
        .await
        .assert_error(404, "api.team.get_team_icon.read_file.app_error");
    let team = server
        .get_as(&w.bob.token, &format!("/api/v4/teams/{}", w.team_id))
        .await
        .json();
    assert!(team.get("last_team_icon_update").is_none(), "{team}");

    let before = crate::support::license::now_ms();
    upload_image(
        &server,
        &w.admin.token,
        &path,
        &picture(200, 300, ImageFormat::Png),
    )
    .await
    .assert_status(200);
    let team = server
        .get_as(&w.bob.token, &format!("/api/v4/teams/{}", w.team_id))
        .await
        .json();
    let updated = team["last_team_icon_update"].as_i64().expect("set");
    assert!(updated >= before);
    // Members hear of it, without what only managers see; others do not.
    let event = bob_ws.event("update_team").await;
    let sent = json_string(&event["data"]["team"]);
    assert_eq!(sent["id"], w.team_id);
    assert_eq!(sent["last_team_icon_update"], updated);
    assert_eq!(sent["invite_id"], "");
    assert_eq!(sent["email"], "");
    eve_ws.no_event("update_team").await;

    let icon = server.get_as(&w.bob.token, &path).await;
    icon.assert_status(200);
    assert_eq!(png_size(&icon), (128, 128));
    assert_eq!(icon.header("etag"), Some(updated.to_string().as_str()));
    assert_eq!(icon.header("cache-control"), Some("max-age=86400, private"));
    let same = get_if_none_match(&server, &w.bob.token, &path, &updated.to_string()).await;
    same.assert_status(304);
    assert!(same.body.is_empty());
    get_if_none_match(&server, &w.bob.token, &path, "12345")
        .await
        .assert_status(200);
    let stored = std::path::PathBuf::from(&server.config.file.directory)
        .join("teams")
        .join(&w.team_id)
        .join("teamIcon.png");
    assert!(stored.exists());

    server
        .delete_as(&w.admin.token, &path)
        .await
        .assert_status(200);
    let event = bob_ws.event("update_team").await;
    assert!(json_string(&event["data"]["team"])
        .get("last_team_icon_update")
        .is_none());
    server
        .get_as(&w.bob.token, &path)
        .await
        .assert_error(404, "api.team.get_team_icon.read_file.app_error");
    assert!(!stored.exists());
}

#[tokio::test]
async fn who_may_see_and_change_an_icon() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let path = icon_path(&w.team_id);
    let png = picture(32, 32, ImageFormat::Png);
    // A plain member may not change it.
    upload_image(&server, &w.bob.token, &path, &png)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .delete_as(&w.bob.token, &path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // A team admin may.
    server
        .put_as(
            &w.admin.token,
            &format!("/api/v4/teams/{}/members/{}/roles", w.team_id, w.bob.id),
            &json!({"roles": "team_user team_admin"}),
        )
        .await
        .assert_status(200);
    upload_image(&server, &w.bob.token, &path, &png)
        .await
        .assert_status(200);

    // An open team that allows open invites shows its icon to anyone signed in...
    server.get_as(&w.eve.token, &path).await.assert_status(200);
    // ...an invite-only one only to members.
    server
        .put_as(
            &w.admin.token,
            &format!("/api/v4/teams/{}/patch", w.team_id),
            &json!({"allow_open_invite": false}),
        )
        .await
        .assert_status(200);
    server
        .get_as(&w.eve.token, &path)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .get_as(&w.carol.token, &path)
        .await
        .assert_status(200);
    server.get(&path).await.assert_status(401);

    // Unknown and malformed teams.
    let unknown = icon_path("abcdefghijklmnopqrstuvwxyz");
    server
        .get_as(&w.admin.token, &unknown)
        .await
        .assert_error(404, "app.team.get.find.app_error");
    upload_image(&server, &w.bob.token, &unknown, &png)
        .await
        .assert_error(403, "api.context.permissions.app_error");
    upload_image(&server, &w.admin.token, &unknown, &png)
        .await
        .assert_error(400, "api.team.set_team_icon.get_team.app_error");
    server
        .delete_as(&w.admin.token, &unknown)
        .await
        .assert_error(400, "api.team.remove_team_icon.get_team.app_error");
    server
        .get_as(&w.admin.token, &icon_path("nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
}

#[tokio::test]
async fn bad_uploads_change_nothing() {
    let server = TestServer::builder()
        .config(|c| c.file.max_file_size = 20_000)
        .start()
        .await;
    let w = world(&server).await;
    let path = icon_path(&w.team_id);
    let mut bob_ws = Ws::connect(&server, &w.bob).await;
    // Mattermost answers an oversized team icon with 400.
    upload_image(&server, &w.admin.token, &path, &noisy_png(100))
        .await
        .assert_error(400, "api.team.set_team_icon.too_large.app_error");
    upload_image(&server, &w.admin.token, &path, b"GIF89a but not really")
        .await
        .assert_error(400, "api.team.set_team_icon.check_image_limits.app_error");
    upload_image(&server, &w.admin.token, &path, &pixel_bomb())
        .await
        .assert_error(400, "api.team.set_team_icon.check_image_limits.app_error");
    let whole = picture(64, 64, ImageFormat::Png);
    upload_image(&server, &w.admin.token, &path, &whole[..whole.len() - 30])
        .await
        .assert_error(400, "api.team.set_team_icon.decode.app_error");
    send_multipart(
        &server,
        &w.admin.token,
        Method::POST,
        &path,
        &[Part::Text("other", "x")],
    )
    .await
    .assert_error(400, "api.team.set_team_icon.no_file.app_error");
    server
        .post_as(&w.admin.token, &path, &json!({}))
        .await
        .assert_error(400, "api.team.set_team_icon.parse.app_error");
    bob_ws.no_event("update_team").await;
    let team = server
        .get_as(&w.bob.token, &format!("/api/v4/teams/{}", w.team_id))
        .await
        .json();
    assert!(team.get("last_team_icon_update").is_none(), "{team}");
    server
        .get_as(&w.bob.token, &path)
        .await
        .assert_error(404, "api.team.get_team_icon.read_file.app_error");
}

#[tokio::test]
async fn without_file_storage_icons_cannot_be_set() {
    let server = TestServer::builder()
        .config(|c| c.file.driver_name = String::new())
        .start()
        .await;
    let w = world(&server).await;
    upload_image(
        &server,
        &w.admin.token,
        &icon_path(&w.team_id),
        &picture(8, 8, ImageFormat::Png),
    )
    .await
    .assert_error(501, "api.team.set_team_icon.storage.app_error");
}
