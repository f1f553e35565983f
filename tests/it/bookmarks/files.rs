//! File bookmarks: the file must be an unattached upload of the channel; the bookmark claims
//! it (no post can take it, the orphan clean-up leaves it) and deleting the bookmark deletes it.

use serde_json::json;

use super::{bookmarks_path, create, list};
use crate::chat::{channel, post};
use crate::files::{png, uploaded};
use crate::realtime::{id, world};
use crate::support::TestServer;

const BAD_FILE: &str = "model.channel_bookmark.is_valid.file_id.missing_or_invalid.app_error";

#[tokio::test]
async fn a_file_bookmark_claims_its_file_until_deleted() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let other = id(&channel(&server, &w.bob, &w.team_id, "other", "O").await);
    let file = uploaded(&server, &w.bob, &w.town, "spec.png", &png(4, 3)).await;
    let file_id = id(&file);

    let created = create(
        &server,
        &w.bob,
        &w.town,
        &json!({"display_name": "Spec", "type": "file", "file_id": file_id}),
    )
    .await;
    created.assert_status(201);
    let mark = created.json();
    assert_eq!(mark["type"], "file");
    assert_eq!(mark["file_id"], file_id);
    assert_eq!(mark["file"]["id"], file_id);
    assert_eq!(mark["file"]["name"], "spec.png");
    assert_eq!(mark["file"]["extension"], "png");
    assert_eq!(mark["file"]["mime_type"], "image/png");
    // The file now belongs to the bookmark (Mattermost's owner for bookmark files).
    assert_eq!(mark["file"]["user_id"], "bookmark");
    assert!(mark.get("link_url").is_none(), "{mark}");
    assert_eq!(list(&server, &w.carol, &w.town).await[0], mark);
    // Members read it like any file of the channel.
    server
        .get_as(&w.carol.token, &format!("/api/v4/files/{file_id}/info"))
        .await
        .assert_status(200);

    // One bookmark per file; no post can take it either.
    create(
        &server,
        &w.carol,
        &w.town,
        &json!({"display_name": "Again", "type": "file", "file_id": file_id}),
    )
    .await
    .assert_error(400, BAD_FILE);
    let posted = server
        .post_as(
            &w.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "message": "see", "file_ids": [file_id]}),
        )
        .await;
    posted.assert_status(201);
    assert_eq!(posted.json()["file_ids"], json!([]));

    // Files that are not the caller's unattached uploads of this channel are refused.
    let carols = uploaded(&server, &w.carol, &w.town, "c.txt", b"carol").await;
    let elsewhere = uploaded(&server, &w.bob, &other, "o.txt", b"other").await;
    let attached = uploaded(&server, &w.bob, &w.town, "a.txt", b"attached").await;
    server
        .post_as(
            &w.bob.token,
            "/api/v4/posts",
            &json!({"channel_id": w.town, "message": "with file", "file_ids": [id(&attached)]}),
        )
        .await
        .assert_status(201);
    for bad in [id(&carols), id(&elsewhere), id(&attached), "z".repeat(26)] {
        create(
            &server,
            &w.bob,
            &w.town,
            &json!({"display_name": "Nope", "type": "file", "file_id": bad}),
        )
        .await
        .assert_error(400, BAD_FILE);
    }
    assert_eq!(list(&server, &w.bob, &w.town).await.len(), 1);

    // The orphan clean-up leaves a live bookmark's file alone.
    let root = std::path::PathBuf::from(&server.config.file.directory);
    let far_future = super::now_ms() + 10 * 24 * 3600 * 1000;
    townsquare::app::files::remove_orphans(server.store(), &root, far_future)
        .await
        .unwrap();
    server
        .get_as(&w.bob.token, &format!("/api/v4/files/{file_id}/info"))
        .await
        .assert_status(200);

    // Replacing the file: the new one is claimed, the old one deleted.
    let newer = uploaded(&server, &w.bob, &w.town, "spec-v2.png", &png(2, 2)).await;
    let edited = server
        .call(
            reqwest::Method::PATCH,
            &format!("{}/{}", bookmarks_path(&w.town), id(&mark)),
            &w.bob.token,
            Some(&json!({"file_id": id(&newer)})),
        )
        .await;
    edited.assert_status(200);
    let edited = edited.json();
    assert_eq!(edited["updated"]["file"]["id"], newer["id"]);
    assert_eq!(edited["updated"]["file"]["name"], "spec-v2.png");
    server
        .get_as(&w.bob.token, &format!("/api/v4/files/{file_id}/info"))
        .await
        .assert_error(404, "app.file_info.get.app_error");

    // Deleting the bookmark deletes its file.
    let deleted = server
        .delete_as(
            &w.bob.token,
            &format!("{}/{}", bookmarks_path(&w.town), id(&mark)),
        )
        .await;
    deleted.assert_status(200);
    assert_eq!(deleted.json()["file"]["id"], newer["id"]);
    server
        .get_as(&w.bob.token, &format!("/api/v4/files/{}/info", id(&newer)))
        .await
        .assert_error(404, "app.file_info.get.app_error");
    assert!(list(&server, &w.bob, &w.town).await.is_empty());
    let removed = townsquare::app::files::remove_orphans(server.store(), &root, far_future)
        .await
        .unwrap();
    assert!(
        removed >= 2,
        "deleted bookmark files are cleaned up: {removed}"
    );
    // A post in the channel still works as before.
    post(&server, &w.bob, &w.town, "done").await;
}
