//! File search (`POST /teams/{team_id}/files/search`, `POST /files/search`): file names as
//! words, the post search syntax plus `ext:`, only files of live posts in readable channels.

use serde_json::{json, Value};

use super::{id, png, uploaded};
use crate::chat::{channel, join, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

struct Setup {
    bob: TestUser,
    eve: TestUser,
    team_id: String,
    ops_id: String,
    town: String,
    secret: String,
    ops_town: String,
}

/// bob and eve in team eng; bob alone in the private `secret` and in team ops.
async fn setup(server: &TestServer) -> Setup {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(server, &admin, "eng").await);
    let ops_id = id(&team(server, &admin, "ops").await);
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &eve).await;
    join(server, &admin, &ops_id, &bob).await;
    let town = town_square(server, &admin, &team_id).await;
    let ops_town = town_square(server, &admin, &ops_id).await;
    let secret = id(&channel(server, &bob, &team_id, "secret", "P").await);
    Setup {
        bob,
        eve,
        team_id,
        ops_id,
        town,
        secret,
        ops_town,
    }
}

async fn town_square(server: &TestServer, user: &TestUser, team_id: &str) -> String {
    id(&server
        .get_as(
            &user.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json())
}

/// Uploads files as `user` and posts them in one post; returns the FileInfos.
async fn post_files(
    server: &TestServer,
    user: &TestUser,
    channel_id: &str,
    files: &[(&str, &[u8])],
) -> (Vec<Value>, String) {
    let mut infos = Vec::new();
    for (name, bytes) in files {
        infos.push(uploaded(server, user, channel_id, name, bytes).await);
    }
    let ids: Vec<String> = infos.iter().map(id).collect();
    let created = server
        .post_as(
            &user.token,
            "/api/v4/posts",
            &json!({"channel_id": channel_id, "message": "files", "file_ids": ids}),
        )
        .await;
    created.assert_status(201);
    (infos, id(&created.json()))
}

async fn search_at(server: &TestServer, user: &TestUser, path: &str, body: Value) -> Value {
    let response = server.post_as(&user.token, path, &body).await;
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("cache-control"),
        Some("no-cache, no-store, must-revalidate")
    );
    let list = response.json();
    assert_eq!(list["next_file_info_id"], "");
    assert_eq!(list["prev_file_info_id"], "");
    assert_eq!(list["first_inaccessible_file_time"], 0);
    let order = list["order"].as_array().unwrap();
    assert_eq!(order.len(), list["file_infos"].as_object().unwrap().len());
    for file_id in order {
        assert_eq!(
            list["file_infos"][file_id.as_str().unwrap()]["id"],
            *file_id
        );
    }
    list
}

/// The names found, sorted (for results whose order within a millisecond is not the point).
fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// The names found, in order.
fn names(list: &Value) -> Vec<String> {
    list["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            list["file_infos"][i.as_str().unwrap()]["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

async fn find(server: &TestServer, user: &TestUser, team_id: &str, terms: &str) -> Vec<String> {
    names(
        &search_at(
            server,
            user,
            &format!("/api/v4/teams/{team_id}/files/search"),
            json!({"terms": terms}),
        )
        .await,
    )
}

#[tokio::test]
async fn names_extensions_and_the_post_syntax() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    post_files(
        &server,
        &s.bob,
        &s.town,
        &[
            ("Q3-Report.PDF", b"%PDF"),
            ("budget_2024.xlsx", b"xl"),
            ("Über Plan.txt", b"plan"),
        ],
    )
    .await;
    post_files(&server, &s.eve, &s.town, &[("team photo.png", &png(4, 4))]).await;
    post_files(
        &server,
        &s.bob,
        &s.secret,
        &[("secret-report.pdf", b"%PDF")],
    )
    .await;
    let t = &s.team_id;

    assert_eq!(find(&server, &s.eve, t, "report").await, ["Q3-Report.PDF"]);
    assert_eq!(
        sorted(find(&server, &s.bob, t, "report").await),
        ["Q3-Report.PDF", "secret-report.pdf"]
    );
    assert_eq!(
        find(&server, &s.eve, t, "REPORT pdf").await,
        ["Q3-Report.PDF"]
    );
    assert_eq!(find(&server, &s.eve, t, "rep*").await, ["Q3-Report.PDF"]);
    assert!(find(&server, &s.eve, t, "repo").await.is_empty());
    assert_eq!(
        find(&server, &s.eve, t, "\"q3 report\"").await,
        ["Q3-Report.PDF"]
    );
    assert!(find(&server, &s.eve, t, "\"report q3\"").await.is_empty());
    assert_eq!(find(&server, &s.eve, t, "über").await, ["Über Plan.txt"]);
    assert_eq!(
        find(&server, &s.eve, t, "#budget").await,
        ["budget_2024.xlsx"]
    );
    assert!(find(&server, &s.eve, t, "!!!").await.is_empty());

    // ext: and -ext:, alone or with words.
    assert_eq!(find(&server, &s.eve, t, "ext:pdf").await, ["Q3-Report.PDF"]);
    assert_eq!(
        find(&server, &s.eve, t, "EXT:.png").await,
        ["team photo.png"]
    );
    assert_eq!(
        sorted(find(&server, &s.eve, t, "-ext:pdf -ext:png").await),
        ["budget_2024.xlsx", "Über Plan.txt"]
    );
    assert!(find(&server, &s.eve, t, "report ext:xlsx").await.is_empty());

    // Exclusion, OR, from:, in:.
    assert_eq!(
        find(&server, &s.eve, t, "ext:pdf -q3").await,
        Vec::<String>::new()
    );
    let either = search_at(
        &server,
        &s.eve,
        &format!("/api/v4/teams/{t}/files/search"),
        json!({"terms": "report photo", "is_or_search": true}),
    )
    .await;
    assert_eq!(sorted(names(&either)), ["Q3-Report.PDF", "team photo.png"]);
    assert_eq!(
        find(&server, &s.eve, t, "from:eve").await,
        ["team photo.png"]
    );
    assert_eq!(
        find(&server, &s.eve, t, "-from:bob -from:nobody").await,
        ["team photo.png"]
    );
    assert!(find(&server, &s.eve, t, "from:nobody").await.is_empty());
    assert_eq!(
        find(&server, &s.bob, t, "in:secret").await,
        ["secret-report.pdf"]
    );
    assert!(find(&server, &s.eve, t, "in:secret").await.is_empty());
    assert_eq!(
        find(&server, &s.bob, t, "pdf -in:secret").await,
        ["Q3-Report.PDF"]
    );

    // What a FileInfo carries.
    let list = search_at(
        &server,
        &s.eve,
        &format!("/api/v4/teams/{t}/files/search"),
        json!({"terms": "photo"}),
    )
    .await;
    let info = list["file_infos"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(info["user_id"], s.eve.id);
    assert_eq!(info["channel_id"], s.town);
    assert_eq!(info["extension"], "png");
    assert_eq!(info["mime_type"], "image/png");
    assert_eq!(info["width"], 4);
    assert!(info["post_id"].as_str().is_some_and(|p| p.len() == 26));
    assert!(info.get("path").is_none());
}

#[tokio::test]
async fn dates_follow_the_time_zone_offset() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let (infos, _) = post_files(&server, &s.bob, &s.town, &[("dated.txt", b"x")]).await;
    let created = infos[0]["create_at"].as_i64().unwrap();
    let day = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .date_naive()
    };
    let today = day(created);
    let t = &s.team_id;
    assert_eq!(
        find(&server, &s.bob, t, &format!("on:{today}")).await,
        ["dated.txt"]
    );
    let yesterday = today.pred_opt().unwrap();
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(
        find(
            &server,
            &s.bob,
            t,
            &format!("after:{yesterday} before:{tomorrow}")
        )
        .await,
        ["dated.txt"]
    );
    assert!(find(&server, &s.bob, t, &format!("after:{today}"))
        .await
        .is_empty());
    assert!(find(&server, &s.bob, t, &format!("before:{today}"))
        .await
        .is_empty());
    // A zone where it is already another day.
    let offset = if created % 86_400_000 < 43_200_000 {
        -43_200
    } else {
        43_200
    };
    let shifted = day(created + offset * 1000);
    assert_ne!(shifted, today);
    let found = search_at(
        &server,
        &s.bob,
        &format!("/api/v4/teams/{t}/files/search"),
        json!({"terms": format!("on:{shifted}"), "time_zone_offset": offset}),
    )
    .await;
    assert_eq!(names(&found), ["dated.txt"]);
}

#[tokio::test]
async fn deleted_posts_orphans_archived_channels_and_other_teams() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    post_files(&server, &s.bob, &s.town, &[("kept-report.txt", b"k")]).await;
    let (_, gone) = post_files(&server, &s.bob, &s.town, &[("gone-report.txt", b"g")]).await;
    uploaded(&server, &s.bob, &s.town, "orphan-report.txt", b"o").await;
    let archive = id(&channel(&server, &s.bob, &s.team_id, "old-stuff", "O").await);
    post_files(&server, &s.bob, &archive, &[("archived-report.txt", b"a")]).await;
    post_files(&server, &s.bob, &s.ops_town, &[("ops-report.txt", b"o")]).await;
    server
        .delete_as(&s.bob.token, &format!("/api/v4/posts/{gone}"))
        .await
        .assert_status(200);
    server
        .delete_as(&s.bob.token, &format!("/api/v4/channels/{archive}"))
        .await
        .assert_status(200);
    let t = &s.team_id;
    assert_eq!(
        find(&server, &s.bob, t, "report").await,
        ["kept-report.txt"]
    );
    let with_archived = search_at(
        &server,
        &s.bob,
        &format!("/api/v4/teams/{t}/files/search"),
        json!({"terms": "report", "include_deleted_channels": true}),
    )
    .await;
    assert_eq!(
        sorted(names(&with_archived)),
        ["archived-report.txt", "kept-report.txt"]
    );
    // Every team the caller is in: bob is in ops, eve is not.
    let everywhere = |user: TestUser| {
        let server = &server;
        async move {
            sorted(names(
                &search_at(
                    server,
                    &user,
                    "/api/v4/files/search",
                    json!({"terms": "report"}),
                )
                .await,
            ))
        }
    };
    assert_eq!(
        everywhere(s.bob.clone()).await,
        ["kept-report.txt", "ops-report.txt"]
    );
    assert_eq!(everywhere(s.eve.clone()).await, ["kept-report.txt"]);
    assert_eq!(
        find(&server, &s.bob, &s.ops_id, "report").await,
        ["ops-report.txt"]
    );
}

#[tokio::test]
async fn pages_newest_first() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    for n in 0..5 {
        post_files(
            &server,
            &s.bob,
            &s.town,
            &[(&format!("page-{n}.txt"), b"p")],
        )
        .await;
        // Distinct upload times, so the order is by time alone.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    post_files(&server, &s.bob, &s.town, &[("other.txt", b"o")]).await;
    let page = |page: i64| {
        let server = &server;
        let s = &s;
        async move {
            names(
                &search_at(
                    server,
                    &s.bob,
                    &format!("/api/v4/teams/{}/files/search", s.team_id),
                    json!({"terms": "page", "page": page, "per_page": 2, "unknown": [1]}),
                )
                .await,
            )
        }
    };
    assert_eq!(page(0).await, ["page-4.txt", "page-3.txt"]);
    assert_eq!(page(1).await, ["page-2.txt", "page-1.txt"]);
    assert_eq!(page(2).await, ["page-0.txt"]);
    assert!(page(3).await.is_empty());
}

#[tokio::test]
async fn bad_requests_and_permissions() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let path = format!("/api/v4/teams/{}/files/search", s.team_id);
    for body in [
        json!({}),
        json!({"terms": ""}),
        json!({"terms": "   "}),
        json!({"terms": null}),
    ] {
        server
            .post_as(&s.bob.token, &path, &body)
            .await
            .assert_error(400, "api.context.invalid_body_param.app_error");
    }
    server
        .post_as(
            &s.bob.token,
            &path,
            &json!({"terms": "x", "modifier": "posts"}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    let response = server
        .send(
            server
                .request(reqwest::Method::POST, &path)
                .bearer_auth(&s.bob.token)
                .header("content-type", "application/json")
                .body("{\"terms\": "),
        )
        .await;
    response.assert_status(400);
    server
        .post_as(
            &s.bob.token,
            "/api/v4/teams/bad/files/search",
            &json!({"terms": "x"}),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    // eve is not in ops.
    server
        .post_as(
            &s.eve.token,
            &format!("/api/v4/teams/{}/files/search", s.ops_id),
            &json!({"terms": "x"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    server
        .post_json(&path, &json!({"terms": "x"}))
        .await
        .assert_error(401, "api.context.session_expired.app_error");
    server
        .post_as(&s.bob.token, &path, &json!({"terms": "x\u{0}"}))
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
}

#[tokio::test]
async fn file_search_can_be_turned_off() {
    let server = TestServer::builder()
        .config(|c| c.service.enable_file_search = false)
        .start()
        .await;
    let s = setup(&server).await;
    for path in [
        format!("/api/v4/teams/{}/files/search", s.team_id),
        "/api/v4/files/search".to_string(),
    ] {
        server
            .post_as(&s.bob.token, &path, &json!({"terms": "report"}))
            .await
            .assert_error(501, "store.sql_file_info.search.disabled");
    }
    let config = server
        .get_as(&s.bob.token, "/api/v4/config/client?format=old")
        .await
        .json();
    assert_eq!(config["EnableFileSearch"], "false");
}
