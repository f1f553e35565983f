//! `GET /posts/{post_id}/info`: where a post lives, for permalinks; what the caller could
//! neither read nor join is a 404, as if the post did not exist.

use serde_json::json;

use super::{channel, post};
use crate::realtime::{id, world};
use crate::support::TestServer;

const NOT_FOUND: &str = "app.post.get.app_error";

fn info_path(post_id: &str) -> String {
    format!("/api/v4/posts/{post_id}/info")
}

#[tokio::test]
async fn post_info_says_where_a_post_is_and_what_the_caller_has_joined() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let in_town = id(&post(&server, &w.bob, &w.town, "hello").await);

    let info = server.get_as(&w.carol.token, &info_path(&in_town)).await;
    info.assert_status(200);
    assert_eq!(
        info.json(),
        json!({
            "channel_id": w.town,
            "channel_type": "O",
            "channel_display_name": "Town Square",
            "has_joined_channel": true,
            "team_id": w.team_id,
            "team_type": "O",
            "team_display_name": "ENG",
            "has_joined_team": true,
        })
    );
    // Not on the (open) team: the permalink may still lead there.
    let info = server
        .get_as(&w.eve.token, &info_path(&in_town))
        .await
        .json();
    assert_eq!(info["has_joined_team"], false);
    assert_eq!(info["has_joined_channel"], false);
    assert_eq!(info["team_type"], "O");

    // A public channel the caller has not joined.
    let public = id(&channel(&server, &w.bob, &w.team_id, "news", "O").await);
    let news = id(&post(&server, &w.bob, &public, "news").await);
    let info = server
        .get_as(&w.carol.token, &info_path(&news))
        .await
        .json();
    assert_eq!(info["channel_id"], public);
    assert_eq!(info["has_joined_channel"], false);
    assert_eq!(info["has_joined_team"], true);

    // A private channel: hidden from non-members, shown to a system admin.
    let private = id(&channel(&server, &w.bob, &w.team_id, "secret", "P").await);
    let secret = id(&post(&server, &w.bob, &private, "psst").await);
    server
        .get_as(&w.carol.token, &info_path(&secret))
        .await
        .assert_error(404, NOT_FOUND);
    server
        .get_as(&w.eve.token, &info_path(&secret))
        .await
        .assert_error(404, NOT_FOUND);
    let info = server
        .get_as(&w.admin.token, &info_path(&secret))
        .await
        .json();
    assert_eq!(info["channel_type"], "P");
    assert_eq!(info["has_joined_channel"], false);
    let info = server
        .get_as(&w.bob.token, &info_path(&secret))
        .await
        .json();
    assert_eq!(info["has_joined_channel"], true);

    // An invite-only team: nothing for outsiders.
    let closed = server
        .post_as(
            &w.bob.token,
            "/api/v4/teams",
            &json!({"name": "closed", "display_name": "Closed", "type": "I"}),
        )
        .await;
    closed.assert_status(201);
    let closed_id = id(&closed.json());
    let closed_town = server
        .get_as(
            &w.bob.token,
            &format!("/api/v4/teams/{closed_id}/channels/name/town-square"),
        )
        .await
        .json();
    let inside = id(&post(&server, &w.bob, &id(&closed_town), "members only").await);
    server
        .get_as(&w.carol.token, &info_path(&inside))
        .await
        .assert_error(404, NOT_FOUND);
    let info = server
        .get_as(&w.bob.token, &info_path(&inside))
        .await
        .json();
    assert_eq!(info["team_type"], "I");
    assert_eq!(info["team_display_name"], "Closed");
    let info = server
        .get_as(&w.admin.token, &info_path(&inside))
        .await
        .json();
    assert_eq!(info["has_joined_team"], false);

    // Direct messages: their members only (and system admins); no team.
    let dm = id(&server
        .post_as(
            &w.bob.token,
            "/api/v4/channels/direct",
            &json!([w.bob.id, w.carol.id]),
        )
        .await
        .json());
    let whisper = id(&post(&server, &w.bob, &dm, "hi").await);
    let info = server
        .get_as(&w.carol.token, &info_path(&whisper))
        .await
        .json();
    assert_eq!(info["channel_type"], "D");
    assert_eq!(info["team_id"], "");
    assert_eq!(info["team_type"], "");
    assert_eq!(info["has_joined_team"], false);
    assert_eq!(info["has_joined_channel"], true);
    server
        .get_as(&w.eve.token, &info_path(&whisper))
        .await
        .assert_error(404, NOT_FOUND);
    server
        .get_as(&w.admin.token, &info_path(&whisper))
        .await
        .assert_status(200);

    // Deleted, unknown and malformed posts.
    server
        .delete_as(&w.bob.token, &format!("/api/v4/posts/{news}"))
        .await
        .assert_status(200);
    server
        .get_as(&w.bob.token, &info_path(&news))
        .await
        .assert_error(404, NOT_FOUND);
    server
        .get_as(&w.bob.token, &info_path(&"a".repeat(26)))
        .await
        .assert_error(404, NOT_FOUND);
    server
        .get_as(&w.bob.token, &info_path("nope"))
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .get(&info_path(&in_town))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}
