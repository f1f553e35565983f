//! Fixed path segments win over ids: every fixed segment Mattermost routes next to an id
//! (`/users/known` next to `/users/{user_id}`) is answered by its own route, or as a page this
//! server does not have, never as a malformed id.

use reqwest::Method;
use serde_json::json;

use super::{channel, team};
use crate::support::TestServer;

/// The id parameters a malformed-id 400 names.
const ID_PARAMS: [&str; 8] = [
    "user_id",
    "team_id",
    "channel_id",
    "post_id",
    "thread_id",
    "file_id",
    "emoji_id",
    "token_id",
];

#[tokio::test]
async fn fixed_segments_are_never_read_as_ids() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let team_id = team(&server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let channel_id = channel(&server, &admin, &team_id, "general", "O").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A fixed segment this server lacks is a page it does not have; a malformed id is still a
    // malformed id.
    server
        .get_as(&admin.token, "/api/v4/users/invalid_emails")
        .await
        .assert_error(404, "api.context.404.app_error");
    server
        .get_as(&admin.token, "/api/v4/users/nobody")
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");

    let t = &team_id;
    let c = &channel_id;
    // Mattermost's fixed segments under /users, /teams, /channels and /posts, with their
    // methods (its api4 route table).
    let routes: Vec<(Method, String)> = [
        ("GET", "/users/me".to_string()),
        ("POST", "/users/ids".into()),
        ("POST", "/users/usernames".into()),
        ("GET", "/users/known".into()),
        ("POST", "/users/search".into()),
        ("GET", "/users/autocomplete?name=a".into()),
        ("GET", "/users/stats".into()),
        ("GET", "/users/stats/filtered".into()),
        ("POST", "/users/group_channels".into()),
        ("GET", "/users/username/admin".into()),
        ("GET", "/users/email/admin@example.com".into()),
        ("POST", "/users/login/desktop_token".into()),
        ("POST", "/users/login/switch".into()),
        ("POST", "/users/login/cws".into()),
        ("POST", "/users/password/reset".into()),
        ("POST", "/users/password/reset/send".into()),
        ("POST", "/users/email/verify".into()),
        ("POST", "/users/email/verify/send".into()),
        ("PUT", "/users/sessions/device".into()),
        ("GET", "/users/tokens".into()),
        ("POST", "/users/tokens/search".into()),
        ("POST", "/users/tokens/revoke".into()),
        ("POST", "/users/tokens/disable".into()),
        ("POST", "/users/tokens/enable".into()),
        ("POST", "/users/migrate_auth/ldap".into()),
        ("POST", "/users/migrate_auth/saml".into()),
        ("POST", "/users/notify-admin".into()),
        ("POST", "/users/trigger-notify-admin-posts".into()),
        ("GET", "/users/invalid_emails".into()),
        ("POST", "/users/status/ids".into()),
        ("GET", format!("/users/me/teams/{t}/threads/mention_counts")),
        ("PUT", format!("/users/me/teams/{t}/threads/read")),
        ("GET", "/users/me/teams/members".into()),
        ("GET", "/users/me/teams/unread".into()),
        ("GET", format!("/users/me/teams/{t}/channels/members")),
        ("GET", format!("/users/me/teams/{t}/channels/categories")),
        ("POST", "/teams/search".into()),
        ("GET", "/teams/name/eng".into()),
        ("GET", "/teams/name/eng/exists".into()),
        ("POST", "/teams/members/invite".into()),
        ("DELETE", "/teams/invites/email".into()),
        ("GET", format!("/teams/invite/{}", "a".repeat(26))),
        ("GET", format!("/teams/{t}/channels/deleted")),
        ("GET", format!("/teams/{t}/channels/private")),
        ("GET", format!("/teams/{t}/channels/recommended")),
        ("POST", format!("/teams/{t}/channels/ids")),
        ("POST", format!("/teams/{t}/channels/search")),
        ("POST", format!("/teams/{t}/channels/search_archived")),
        ("GET", format!("/teams/{t}/channels/autocomplete?name=a")),
        (
            "GET",
            format!("/teams/{t}/channels/search_autocomplete?name=a"),
        ),
        ("GET", format!("/teams/{t}/channels/name/general")),
        ("POST", format!("/teams/{t}/members/ids")),
        ("POST", format!("/teams/{t}/members/batch")),
        ("GET", format!("/teams/{t}/stats")),
        ("POST", format!("/teams/{t}/posts/search")),
        ("POST", "/channels/direct".into()),
        ("POST", "/channels/search".into()),
        ("POST", "/channels/group/search".into()),
        ("POST", "/channels/group".into()),
        ("POST", "/channels/members/me/view".into()),
        ("POST", "/channels/members/me/mark_read".into()),
        ("PUT", "/channels/members/me/direct/read".into()),
        ("POST", "/channels/stats/member_count".into()),
        ("POST", format!("/channels/{c}/members/ids")),
        ("GET", format!("/channels/{c}/members/me")),
        ("POST", "/posts/ids".into()),
        ("POST", "/posts/ids/reactions".into()),
        ("POST", "/posts/ephemeral".into()),
        ("POST", "/posts/search".into()),
        ("POST", "/posts/rewrite".into()),
        ("POST", "/posts/schedule".into()),
        ("GET", format!("/posts/scheduled/team/{t}")),
        // Last: these may end sessions once they exist.
        ("POST", "/users/logout".into()),
        ("POST", "/users/sessions/revoke/all".into()),
    ]
    .into_iter()
    .map(|(method, path)| (Method::from_bytes(method.as_bytes()).unwrap(), path))
    .collect();

    let mut misread = Vec::new();
    for (method, path) in &routes {
        let body = if *method == Method::GET || *method == Method::DELETE {
            None
        } else {
            Some(json!({}))
        };
        let response = server
            .call(
                method.clone(),
                &format!("/api/v4{path}"),
                &admin.token,
                body.as_ref(),
            )
            .await;
        if response.status.as_u16() == 400
            && response.header("content-type") == Some("application/json")
        {
            let error = response.json();
            let message = error["message"].as_str().unwrap_or("");
            if error["id"] == "api.context.invalid_url_param.app_error"
                && ID_PARAMS.iter().any(|param| message.contains(param))
            {
                misread.push(format!("{method} {path}: {message}"));
            }
        }
        // 501 is how Mattermost answers a feature turned off (access tokens here).
        assert!(
            response.status.as_u16() < 500 || response.status.as_u16() == 501,
            "{method} {path}: {}",
            response.text()
        );
    }
    assert!(misread.is_empty(), "read as ids: {misread:#?}");
}
