//! Post search: the same assertions hold on SQLite (FTS5) and PostgreSQL (tsvector).

use serde_json::{json, Value};
use townsquare::store::{Dialect, Pools};

use super::id;
use crate::chat::{channel, join, post, team};
use crate::support::accounts::TestUser;
use crate::support::TestServer;

struct Setup {
    admin: TestUser,
    bob: TestUser,
    eve: TestUser,
    team_id: String,
    town: String,
    secret: String,
}

async fn setup(server: &TestServer) -> Setup {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let eve = server.user(&admin, "eve").await;
    let team_id = id(&team(server, &admin, "eng").await);
    join(server, &admin, &team_id, &bob).await;
    join(server, &admin, &team_id, &eve).await;
    let town = id(&server
        .get_as(
            &admin.token,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .json());
    let secret = id(&channel(server, &bob, &team_id, "secret", "P").await);
    Setup {
        admin,
        bob,
        eve,
        team_id,
        town,
        secret,
    }
}

/// Searches as `user` in the team; returns the messages found, newest first, and the body.
async fn search(
    server: &TestServer,
    user: &TestUser,
    team_id: &str,
    body: Value,
) -> (Vec<String>, Value) {
    let response = server
        .post_as(
            &user.token,
            &format!("/api/v4/teams/{team_id}/posts/search"),
            &body,
        )
        .await;
    response.assert_status(200);
    assert_eq!(
        response.header("cache-control"),
        Some("no-cache, no-store, must-revalidate")
    );
    let body = response.json();
    let messages = body["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            body["posts"][id.as_str().unwrap()]["message"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    (messages, body)
}

async fn terms(server: &TestServer, user: &TestUser, team_id: &str, terms: &str) -> Vec<String> {
    search(server, user, team_id, json!({"terms": terms}))
        .await
        .0
}

/// `YYYY-MM-DD` (UTC) of a millisecond timestamp, `days` later.
fn date(ms: i64, days: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(ms).expect("a representable time")
        + chrono::Duration::days(days);
    at.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn words_phrases_prefixes_exclusions_and_flags() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let fox = post(
        &server,
        &s.bob,
        &s.town,
        "The quick brown fox jumps over the lazy dog",
    )
    .await;
    post(
        &server,
        &s.eve,
        &s.town,
        "Quick thinking saves the day #Launch",
    )
    .await;
    post(
        &server,
        &s.bob,
        &s.town,
        "Brown bread, fox-trot and CAFÉ Ünïcode",
    )
    .await;
    post(&server, &s.bob, &s.secret, "quick secret plans").await;

    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick").await,
        [
            "quick secret plans",
            "Quick thinking saves the day #Launch",
            "The quick brown fox jumps over the lazy dog"
        ]
    );
    // Case folds the same way on both stores, Unicode included.
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "QUICK FOX").await.len(),
        1
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "café ünïcode").await,
        ["Brown bread, fox-trot and CAFÉ Ünïcode"]
    );
    // Every word must match unless is_or_search.
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick bread")
            .await
            .len(),
        0
    );
    let (either, _) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": "lazy bread", "is_or_search": true}),
    )
    .await;
    assert_eq!(either.len(), 2);
    // Phrases are ordered and adjacent.
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "\"brown fox\"")
            .await
            .len(),
        1
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "\"fox brown\"")
            .await
            .len(),
        0
    );
    // Punctuation splits words the same way in posts and in terms.
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "fox-trot").await,
        ["Brown bread, fox-trot and CAFÉ Ünïcode"]
    );
    // Prefixes.
    assert_eq!(terms(&server, &s.bob, &s.team_id, "jum*").await.len(), 1);
    assert_eq!(terms(&server, &s.bob, &s.team_id, "bro*").await.len(), 2);
    // Exclusions, also without any positive word.
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "brown -bread").await,
        ["The quick brown fox jumps over the lazy dog"]
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "from:eve -thinking")
            .await
            .len(),
        0
    );
    // Hashtags, from:, in:.
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "#launch").await,
        ["Quick thinking saves the day #Launch"]
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick from:eve")
            .await
            .len(),
        1
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick -from:eve")
            .await
            .len(),
        2
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick in:secret").await,
        ["quick secret plans"]
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick -in:secret")
            .await
            .len(),
        2
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick from:nobody")
            .await
            .len(),
        0
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "quick in:nowhere")
            .await
            .len(),
        0
    );
    assert_eq!(terms(&server, &s.bob, &s.team_id, "!!!").await.len(), 0);
    let (nothing, _) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": "!!! ???", "is_or_search": true}),
    )
    .await;
    assert!(nothing.is_empty());
    // Dates, in the caller's time zone.
    let created = fox["create_at"].as_i64().unwrap();
    let today = date(created, 0);
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, &format!("jumps on:{today}"))
            .await
            .len(),
        1
    );
    assert_eq!(
        terms(
            &server,
            &s.bob,
            &s.team_id,
            &format!("jumps before:{today}")
        )
        .await
        .len(),
        0
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, &format!("jumps after:{today}"))
            .await
            .len(),
        0
    );
    assert_eq!(
        terms(
            &server,
            &s.bob,
            &s.team_id,
            &format!(
                "jumps after:{} before:{}",
                date(created, -1),
                date(created, 1)
            )
        )
        .await
        .len(),
        1
    );
    // Fourteen hours east, "today" may be tomorrow; one of the two days holds the post.
    let (east, _) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": format!("jumps on:{today}"), "time_zone_offset": 14 * 3600}),
    )
    .await;
    let (east_next, _) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": format!("jumps on:{}", date(created, 1)), "time_zone_offset": 14 * 3600}),
    )
    .await;
    assert_eq!(east.len() + east_next.len(), 1);
}

#[tokio::test]
async fn results_carry_matches_and_page() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    for i in 0..5 {
        post(
            &server,
            &s.bob,
            &s.town,
            &format!("Report number {i} is ready"),
        )
        .await;
    }
    let (found, body) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": "rep* \"is ready\"", "per_page": 2, "page": 1}),
    )
    .await;
    assert_eq!(
        found,
        ["Report number 2 is ready", "Report number 1 is ready"]
    );
    let first = body["order"][0].as_str().unwrap();
    assert_eq!(body["matches"][first], json!(["report", "is", "ready"]));
    assert_eq!(body["next_post_id"], "");
    assert_eq!(body["prev_post_id"], "");
    // Everything: per_page defaults to 60.
    let (all, _) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": "report", "page": -3, "per_page": 0}),
    )
    .await;
    assert_eq!(all.len(), 5);
    // The all-teams route finds the same.
    let response = server
        .post_as(
            &s.bob.token,
            "/api/v4/posts/search",
            &json!({"terms": "report"}),
        )
        .await;
    response.assert_status(200);
    assert_eq!(response.json()["order"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn only_readable_channels_are_searched() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    post(&server, &s.bob, &s.secret, "classified password").await;
    post(&server, &s.bob, &s.town, "public password").await;
    // eve is not in the private channel.
    assert_eq!(
        terms(&server, &s.eve, &s.team_id, "password").await,
        ["public password"]
    );
    assert_eq!(
        terms(&server, &s.eve, &s.team_id, "password in:secret")
            .await
            .len(),
        0
    );
    // Direct messages are searched by their members only.
    let dm = server
        .post_as(
            &s.bob.token,
            "/api/v4/channels/direct",
            &json!([s.bob.id, s.admin.id]),
        )
        .await
        .json();
    post(&server, &s.bob, &id(&dm), "direct password").await;
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "password").await.len(),
        3
    );
    assert_eq!(
        terms(&server, &s.eve, &s.team_id, "password").await.len(),
        1
    );
    // Archived channels only when asked.
    server
        .delete_as(&s.bob.token, &format!("/api/v4/channels/{}", s.secret))
        .await
        .assert_status(200);
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "classified").await.len(),
        0
    );
    let (archived, _) = search(
        &server,
        &s.bob,
        &s.team_id,
        json!({"terms": "classified", "include_deleted_channels": true}),
    )
    .await;
    assert_eq!(archived.len(), 1);
    // Not a member of the team.
    let other = id(&team(&server, &s.admin, "other").await);
    server
        .post_as(
            &s.eve.token,
            &format!("/api/v4/teams/{other}/posts/search"),
            &json!({"terms": "password"}),
        )
        .await
        .assert_error(403, "api.context.permissions.app_error");
    // Bad input.
    server
        .post_as(
            &s.eve.token,
            &format!("/api/v4/teams/{}/posts/search", s.team_id),
            &json!({}),
        )
        .await
        .assert_error(400, "api.context.invalid_body_param.app_error");
    server
        .post_as(
            &s.eve.token,
            "/api/v4/teams/nope/posts/search",
            &json!({"terms": "x"}),
        )
        .await
        .assert_error(400, "api.context.invalid_url_param.app_error");
    server
        .post_json(
            &format!("/api/v4/teams/{}/posts/search", s.team_id),
            &json!({"terms": "x"}),
        )
        .await
        .assert_error(401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn the_index_follows_edits_and_deletes() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let root = post(&server, &s.bob, &s.town, "original wording").await;
    let reply = server
        .post_as(
            &s.eve.token,
            "/api/v4/posts",
            &json!({"channel_id": s.town, "message": "reply wording", "root_id": root["id"]}),
        )
        .await
        .json();
    assert_eq!(terms(&server, &s.bob, &s.team_id, "wording").await.len(), 2);
    server
        .put_as(
            &s.bob.token,
            &format!("/api/v4/posts/{}/patch", id(&root)),
            &json!({"message": "revised text"}),
        )
        .await
        .assert_status(200);
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "original").await.len(),
        0
    );
    assert_eq!(
        terms(&server, &s.bob, &s.team_id, "revised").await,
        ["revised text"]
    );
    // Deleting the root takes its reply out of the index too.
    server
        .delete_as(&s.bob.token, &format!("/api/v4/posts/{}", id(&root)))
        .await
        .assert_status(200);
    assert_eq!(terms(&server, &s.bob, &s.team_id, "revised").await.len(), 0);
    assert_eq!(terms(&server, &s.bob, &s.team_id, "reply").await.len(), 0);
    assert!(!reply["id"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn posts_from_before_the_index_are_backfilled() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    let old = post(&server, &s.bob, &s.town, "ancient history lesson").await;
    // Simulate a post the migration queued: drop it from the index, queue it, drain.
    let store = server.store();
    let statements: &[&str] = match store.dialect() {
        Dialect::Sqlite => &[
            "DELETE FROM posts_fts WHERE rowid IN (SELECT doc FROM posts_fts_keys WHERE post_id = $1)",
            "DELETE FROM posts_fts_keys WHERE post_id = $1",
            "INSERT INTO posts_fts_backfill (post_id) VALUES ($1)",
        ],
        Dialect::Postgres => &[
            "DELETE FROM posts_fts WHERE post_id = $1",
            "INSERT INTO posts_fts_backfill (post_id) VALUES ($1)",
        ],
    };
    let old_id = id(&old);
    for sql in statements {
        match store.pools() {
            Pools::Sqlite { write, .. } => sqlx::query(sql)
                .bind(&old_id)
                .execute(write)
                .await
                .map(|_| ()),
            Pools::Postgres(pool) => sqlx::query(sql)
                .bind(&old_id)
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .unwrap();
    }
    assert_eq!(terms(&server, &s.bob, &s.team_id, "ancient").await.len(), 0);
    assert_eq!(store.backfill_search_index().await.unwrap(), 1);
    assert_eq!(store.backfill_search_index().await.unwrap(), 0);
    assert_eq!(terms(&server, &s.bob, &s.team_id, "ancient").await.len(), 1);
}

#[tokio::test]
async fn posts_of_the_same_millisecond_page_by_id_on_both_stores() {
    let server = TestServer::start().await;
    let s = setup(&server).await;
    // Five posts written in one millisecond (as an import would), plus an older and a newer one.
    let at = townsquare::time::now_ms() - 60_000;
    let mut ids = Vec::new();
    for (i, create_at) in [at, at, at, at, at, at - 5, at + 5].into_iter().enumerate() {
        let post = townsquare_sdk::model::Post {
            id: townsquare::id::new_id(),
            create_at,
            update_at: create_at,
            user_id: s.bob.id.clone(),
            channel_id: s.town.clone(),
            message: format!("tie breaker number {i}"),
            ..Default::default()
        };
        server
            .store()
            .insert_post(&post, &townsquare::store::posts::PostEffects::default())
            .await
            .unwrap();
        ids.push((create_at, post.id));
    }
    ids.sort();
    ids.reverse();
    let expected: Vec<String> = ids.into_iter().map(|(_, id)| id).collect();
    let mut seen = Vec::new();
    for page in 0..4 {
        let (_, body) = search(
            &server,
            &s.bob,
            &s.team_id,
            json!({"terms": "tie breaker", "page": page, "per_page": 2}),
        )
        .await;
        for id in body["order"].as_array().unwrap() {
            seen.push(id.as_str().unwrap().to_string());
        }
    }
    assert_eq!(seen, expected);
}
