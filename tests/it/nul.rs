//! NUL (U+0000) in client text is refused with a 400 on every route, on both stores
//! (PostgreSQL cannot store it; SQLite can), and nothing is written.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};
use townsquare::store::dump;

use crate::chat::{channel, post, team};
use crate::support::accounts::{TestUser, PASSWORD};
use crate::support::TestServer;

const BODY: &str = "api.context.invalid_body_param.app_error";
const URL: &str = "api.context.invalid_url_param.app_error";

/// Rows per table, and whether any stored text holds NUL.
async fn snapshot(server: &TestServer) -> (BTreeMap<String, usize>, bool) {
    let tables = dump::dump(server.store()).await.unwrap();
    let has_nul = serde_json::to_string(&tables).unwrap().contains("\\u0000");
    let counts = tables
        .into_iter()
        .map(|t| (t.table, t.rows.len()))
        .collect();
    (counts, has_nul)
}

struct World {
    admin: TestUser,
    team_id: String,
    channel_id: String,
    post_id: String,
}

async fn world(server: &TestServer) -> World {
    let admin = server.admin().await;
    let team_id = team(server, &admin, "eng").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let channel_id = channel(server, &admin, &team_id, "general-talk", "O").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let post_id = post(server, &admin, &channel_id, "hello").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        admin,
        team_id,
        channel_id,
        post_id,
    }
}

/// Sends one request and checks a 400 Mattermost error with this id (`None`: any 4xx
/// Mattermost error, for routes whose license gate answers before the request is read).
async fn refused(
    server: &TestServer,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
    id: impl Into<Option<&str>>,
) -> Result<(), String> {
    let id = id.into();
    let mut request = server.request(method.clone(), path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &body {
        request = request.json(body);
    }
    let response = server.send(request).await;
    let status = response.status.as_u16();
    let ok = (if id.is_some() {
        status == 400
    } else {
        (400..500).contains(&status)
    }) && response.header("content-type") == Some("application/json")
        && serde_json::from_slice::<Value>(&response.body)
            .is_ok_and(|b| b["status_code"] == status && id.is_none_or(|id| b["id"] == id));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{method} {path} {}: {} {}",
            body.map(|b| b.to_string()).unwrap_or_default(),
            response.status,
            response.text()
        ))
    }
}

#[tokio::test]
async fn the_reported_routes_refuse_nul_and_write_nothing() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let (t, c, p) = (&w.team_id, &w.channel_id, &w.post_id);
    let me = w.admin.id.clone();
    let before = snapshot(&server).await;
    assert!(!before.1);
    let nul = "x\u{0}y";
    let cases: Vec<(Method, String, Option<Value>, &str)> = vec![
        (
            Method::POST,
            "/api/v4/users/login".into(),
            Some(json!({"login_id": "admin\u{0}", "password": PASSWORD})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/users".into(),
            Some(
                json!({"username": "eve", "email": "eve@example.com", "password": PASSWORD, "nickname": nul}),
            ),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/posts".into(),
            Some(json!({"channel_id": c, "message": nul})),
            BODY,
        ),
        (
            Method::PUT,
            format!("/api/v4/posts/{p}/patch"),
            Some(json!({"message": nul})),
            BODY,
        ),
        (
            Method::PUT,
            "/api/v4/users/me/patch".into(),
            Some(json!({"nickname": nul})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/channels".into(),
            Some(json!({"team_id": t, "name": "x\u{0}", "display_name": "X", "type": "O"})),
            BODY,
        ),
        (
            Method::PUT,
            format!("/api/v4/channels/{c}/patch"),
            Some(json!({"display_name": nul})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/teams".into(),
            Some(json!({"name": "t\u{0}t", "display_name": "T", "type": "O"})),
            BODY,
        ),
        (
            Method::PUT,
            format!("/api/v4/users/{me}/preferences"),
            Some(json!([{"user_id": me, "category": "c\u{0}", "name": "n", "value": "v"}])),
            BODY,
        ),
        (
            Method::POST,
            format!("/api/v4/teams/{t}/posts/search"),
            Some(json!({"terms": nul})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/users/search".into(),
            Some(json!({"term": nul})),
            BODY,
        ),
        (
            Method::POST,
            format!("/api/v4/teams/{t}/channels/search"),
            Some(json!({"term": nul})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/teams/search".into(),
            Some(json!({"term": nul})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/emoji/search".into(),
            Some(json!({"term": nul})),
            BODY,
        ),
        (
            Method::POST,
            "/api/v4/users/usernames".into(),
            Some(json!(["admin", nul])),
            BODY,
        ),
        (
            Method::GET,
            format!("/api/v4/users/autocomplete?in_team={t}&name=x%00"),
            None,
            URL,
        ),
        (
            Method::GET,
            format!("/api/v4/teams/{t}/channels/autocomplete?name=x%00"),
            None,
            URL,
        ),
        (
            Method::GET,
            "/api/v4/emoji/autocomplete?name=x%00".into(),
            None,
            URL,
        ),
        (
            Method::GET,
            "/api/v4/users/username/admin%00".into(),
            None,
            URL,
        ),
        (
            Method::GET,
            "/api/v4/users/email/admin%00@example.com".into(),
            None,
            URL,
        ),
        (Method::GET, "/api/v4/teams/name/eng%00".into(), None, URL),
        (
            Method::GET,
            "/api/v4/teams/name/eng%00/exists".into(),
            None,
            URL,
        ),
        (Method::GET, "/api/v4/emoji/name/smile%00".into(), None, URL),
        (
            Method::GET,
            format!("/api/v4/teams/{t}/channels/name/town%00"),
            None,
            URL,
        ),
        (
            Method::GET,
            format!("/api/v4/users/{me}/preferences/x%00"),
            None,
            URL,
        ),
        (Method::GET, format!("/api/v4/users/{me}%00"), None, URL),
    ];
    let mut failures = Vec::new();
    for (method, path, body, id) in cases {
        let token = (path != "/api/v4/users/login").then_some(w.admin.token.as_str());
        if let Err(failure) = refused(&server, token, method, &path, body, id).await {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(snapshot(&server).await, before, "nothing written");
}

#[tokio::test]
async fn the_error_names_the_field() {
    let server = TestServer::start().await;
    let body = server
        .post_json(
            "/api/v4/users/login",
            &json!({"login_id": "a\u{0}", "password": "x"}),
        )
        .await
        .assert_error(400, BODY);
    assert_eq!(
        body["message"],
        "Invalid or missing login_id in request body."
    );
    // `\\u0000` is a backslash followed by text, not a NUL: an ordinary failed login.
    server
        .post_json(
            "/api/v4/users/login",
            &json!({"login_id": "a\\u0000", "password": "x"}),
        )
        .await
        .assert_error(401, "api.user.login.invalid_credentials_email_username");
    let admin = server.admin().await;
    let body = server
        .get_as(&admin.token, "/api/v4/users/username/a%00b")
        .await
        .assert_error(400, URL);
    assert!(
        body["message"].as_str().unwrap().contains("username"),
        "{body}"
    );
    let body = server
        .get_as(&admin.token, "/api/v4/users/autocomplete?name=a%00")
        .await
        .assert_error(400, URL);
    assert!(body["message"].as_str().unwrap().contains("name"), "{body}");
}

/// A value for a path parameter that gets past routing: ids are 26 letters.
fn path_value(name: &str, w: &World) -> String {
    match name {
        "team_id" => w.team_id.clone(),
        "channel_id" => w.channel_id.clone(),
        "post_id" | "thread_id" => w.post_id.clone(),
        "user_id" => w.admin.id.clone(),
        n if n.ends_with("_id") => "a".repeat(26),
        "timestamp" => "1".into(),
        _ => "x".into(),
    }
}

fn fill(template: &str, w: &World, nul_in: Option<&str>) -> String {
    let mut path = template.to_string();
    while let Some(start) = path.find('{') {
        let end = start + path[start..].find('}').unwrap();
        let name = path[start + 1..end].to_string();
        let value = if Some(name.as_str()) == nul_in {
            format!("{}%00", path_value(&name, w))
        } else {
            path_value(&name, w)
        };
        path.replace_range(start..=end, &value);
    }
    path
}

/// A JSON body with NUL in every property the schema names (or one made-up property).
fn nul_body(doc: &Value, schema: &Value) -> Value {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    };
    if schema["type"] == "array" {
        return json!(["x\u{0}"]);
    }
    let mut body = serde_json::Map::new();
    if let Some(props) = schema["properties"].as_object() {
        for name in props.keys() {
            body.insert(name.clone(), json!("x\u{0}"));
        }
    }
    body.insert("text".into(), json!("x\u{0}"));
    Value::Object(body)
}

/// Every route of the OpenAPI document: NUL in each path parameter, each query parameter and
/// each JSON body is a 400 before anything runs, and the database is untouched.
#[tokio::test]
async fn every_documented_route_refuses_nul() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let doc = server.get("/api/v4/openapi.json").await.json();
    let before = snapshot(&server).await;
    let mut failures = Vec::new();
    let mut sent = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if template == "/api/v4/websocket" {
            continue; // an upgrade; its actions are tested below
        }
        // Team Edition answers the terms of service routes at their license gate, before the
        // request is read (Mattermost checks the license first too).
        let gated = template.contains("terms_of_service");
        for (verb, op) in item.as_object().unwrap() {
            let Ok(method) = verb.to_uppercase().parse::<Method>() else {
                continue;
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for param in &params {
                let name = param["name"].as_str().unwrap();
                let (path, id) = match param["in"].as_str() {
                    Some("path") => (fill(template, &w, Some(name)), (!gated).then_some(URL)),
                    Some("query") => (
                        format!("{}?{name}=x%00", fill(template, &w, None)),
                        (!gated).then_some(URL),
                    ),
                    _ => continue,
                };
                sent += 1;
                if let Err(f) = refused(
                    &server,
                    Some(&w.admin.token),
                    method.clone(),
                    &path,
                    None,
                    id,
                )
                .await
                {
                    failures.push(f);
                }
            }
            if let Some(schema) =
                op["requestBody"]["content"]["application/json"]["schema"].as_object()
            {
                let body = nul_body(&doc, &Value::Object(schema.clone()));
                sent += 1;
                let path = fill(template, &w, None);
                if let Err(f) = refused(
                    &server,
                    Some(&w.admin.token),
                    method.clone(),
                    &path,
                    Some(body),
                    (!gated).then_some(BODY),
                )
                .await
                {
                    failures.push(f);
                }
            }
        }
    }
    assert!(
        sent > 150,
        "only {sent} requests: is the document complete?"
    );
    assert!(
        failures.is_empty(),
        "{} of {sent}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(snapshot(&server).await, before, "nothing written");
}

#[tokio::test]
async fn multipart_text_parts_refuse_nul() {
    use crate::files::{send_multipart, Part};
    let server = TestServer::start().await;
    let w = world(&server).await;
    let before = snapshot(&server).await;
    let c = w.channel_id.as_str();
    let bad_channel = format!("{c}\u{0}");
    let cases: [(&str, Vec<Part<'_>>); 3] = [
        (
            "channel_id",
            vec![
                Part::Text("channel_id", &bad_channel),
                Part::File("files", "a.txt", b"hi"),
            ],
        ),
        (
            "client_ids",
            vec![
                Part::Text("channel_id", c),
                Part::Text("client_ids", "c\u{0}"),
                Part::File("files", "a.txt", b"hi"),
            ],
        ),
        (
            "filename",
            vec![
                Part::Text("channel_id", c),
                Part::File("files", "a\u{0}.txt", b"hi"),
            ],
        ),
    ];
    for (field, parts) in cases {
        let response = send_multipart(
            &server,
            &w.admin.token,
            Method::POST,
            "/api/v4/files",
            &parts,
        )
        .await;
        assert!(
            response.status.is_client_error(),
            "{field}: {}",
            response.text()
        );
        if field != "filename" {
            // A NUL in a part's headers may already be refused by the multipart parser.
            let body = response.assert_error(400, BODY);
            assert!(body["message"].as_str().unwrap().contains(field), "{body}");
        }
    }
    assert_eq!(snapshot(&server).await, before, "nothing written");
}

#[tokio::test]
async fn websocket_actions_refuse_nul() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut ws = crate::realtime::Ws::connect(&server, &w.admin).await;
    for data in [
        json!({"channel_id": format!("{}\u{0}", w.channel_id)}),
        json!({"channel_id": w.channel_id, "parent_id": "\u{0}"}),
        json!({"user_ids": ["x\u{0}"]}),
    ] {
        let reply = ws.action("user_typing", data).await;
        assert_eq!(reply["status"], "FAIL", "{reply}");
        assert_eq!(
            reply["error"]["id"],
            "api.websocket_handler.invalid_param.app_error"
        );
        assert_eq!(reply["error"]["status_code"], 400);
    }
}
