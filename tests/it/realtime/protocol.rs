//! Connecting, authenticating, `hello`, sequence numbers, actions and replies.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::{open, stream_closed_within, world, Upgrade, Ws};
use crate::support::TestServer;

#[tokio::test]
async fn header_auth_gets_hello_first_with_seq_zero() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut stream = open(&server, Upgrade::Bearer(&admin.token), "").await;
    let Some(Ok(Message::Text(text))) = stream.next().await else {
        panic!("no hello")
    };
    let hello: Value = serde_json::from_str(text.as_str()).unwrap();
    assert_eq!(hello["event"], "hello");
    assert_eq!(hello["seq"], 0);
    assert_eq!(hello["data"]["connection_id"].as_str().unwrap().len(), 26);
    assert!(hello["data"]["server_version"]
        .as_str()
        .unwrap()
        .starts_with("11.6.0."));
    assert!(!hello["data"]["server_hostname"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(hello["broadcast"]["user_id"], admin.id);
    assert_eq!(hello["broadcast"]["omit_users"], Value::Null);
    assert_eq!(hello["broadcast"]["omit_connection_id"], "");
}

#[tokio::test]
async fn cookie_auth_at_upgrade() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let stream = open(&server, Upgrade::Cookie(&admin.token), "").await;
    let mut ws = Ws::after_hello(stream).await;
    let reply = ws.action("ping", json!({})).await;
    assert_eq!(reply["status"], "OK");
}

#[tokio::test]
async fn challenge_auth_sends_hello_and_ok_reply() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut stream = open(&server, Upgrade::None, "").await;
    stream
        .send(Message::Text(
            json!({"seq": 1, "action": "authentication_challenge", "data": {"token": admin.token}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let mut frames = Vec::new();
    for _ in 0..2 {
        let Some(Ok(Message::Text(text))) = stream.next().await else {
            panic!("closed")
        };
        frames.push(serde_json::from_str::<Value>(text.as_str()).unwrap());
    }
    let hello = frames
        .iter()
        .find(|f| f["event"] == "hello")
        .expect("hello");
    assert_eq!(hello["seq"], 0);
    let reply = frames
        .iter()
        .find(|f| f.get("seq_reply").is_some())
        .unwrap();
    assert_eq!(reply, &json!({"status": "OK", "seq_reply": 1}));
    // A second challenge on an authenticated socket is ignored without a reply.
    let mut ws = Ws::resumed(stream, "", 1);
    ws.send_text(
        &json!({"seq": 2, "action": "authentication_challenge", "data": {"token": "x"}})
            .to_string(),
    )
    .await;
    let pong = ws.action("ping", json!({})).await;
    assert_eq!(pong["seq_reply"], 1);
    assert_eq!(pong["data"]["text"], "pong");
}

#[tokio::test]
async fn bad_challenge_token_fails_and_closes() {
    let server = TestServer::start().await;
    let mut stream = open(&server, Upgrade::None, "").await;
    stream
        .send(Message::Text(
            json!({"seq": 1, "action": "authentication_challenge", "data": {"token": "nope"}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let Some(Ok(Message::Text(text))) = stream.next().await else {
        panic!("no reply")
    };
    let reply: Value = serde_json::from_str(text.as_str()).unwrap();
    assert_eq!(reply["status"], "FAIL");
    assert_eq!(reply["seq_reply"], 1);
    assert_eq!(
        reply["error"]["id"],
        "api.web_socket_router.not_authenticated.app_error"
    );
    assert_eq!(reply["error"]["status_code"], 401);
    assert!(stream_closed_within(&mut stream, Duration::from_secs(2)).await);
}

#[tokio::test]
async fn actions_before_auth_are_refused_and_the_socket_times_out() {
    let server = TestServer::builder()
        .config(|c| c.websocket.auth_timeout_seconds = 1)
        .start()
        .await;
    // A bad token at upgrade leaves the socket unauthenticated rather than refusing it.
    let mut stream = open(&server, Upgrade::Bearer("not-a-token"), "").await;
    stream
        .send(Message::Text(
            json!({"seq": 1, "action": "ping"}).to_string().into(),
        ))
        .await
        .unwrap();
    let Some(Ok(Message::Text(text))) = stream.next().await else {
        panic!("no reply")
    };
    let reply: Value = serde_json::from_str(text.as_str()).unwrap();
    assert_eq!(reply["status"], "FAIL");
    assert_eq!(reply["error"]["status_code"], 401);
    let started = std::time::Instant::now();
    assert!(stream_closed_within(&mut stream, Duration::from_secs(3)).await);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn ping_and_status_actions() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut ws = Ws::connect(&server, &w.bob).await;
    let pong = ws.action("ping", json!({})).await;
    assert_eq!(pong["status"], "OK");
    assert_eq!(pong["data"]["text"], "pong");
    assert_eq!(pong["data"]["version"], "11.6.0");
    assert!(pong["data"]["server_time"].as_i64().unwrap() > 0);
    assert_eq!(pong["data"]["node_id"], "");

    let statuses = ws
        .action(
            "get_statuses_by_ids",
            json!({"user_ids": [w.bob.id, w.carol.id]}),
        )
        .await;
    assert_eq!(statuses["status"], "OK");
    assert_eq!(statuses["data"][&w.bob.id], "online");
    assert!(statuses["data"][&w.carol.id].is_string());

    let all = ws.action("get_statuses", json!({})).await;
    assert_eq!(all["data"][&w.bob.id], "online");

    let bad = ws
        .action("get_statuses_by_ids", json!({"user_ids": ["short"]}))
        .await;
    assert_eq!(bad["status"], "FAIL");
    assert_eq!(
        bad["error"]["id"],
        "api.websocket_handler.invalid_param.app_error"
    );
    let missing = ws.action("get_statuses_by_ids", json!({})).await;
    assert_eq!(missing["status"], "FAIL");
}

#[tokio::test]
async fn malformed_requests_get_mattermost_errors() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut ws = Ws::connect(&server, &admin).await;
    let unknown = ws.action("no_such_action", json!({})).await;
    assert_eq!(unknown["status"], "FAIL");
    assert_eq!(
        unknown["error"]["id"],
        "api.web_socket_router.bad_action.app_error"
    );

    ws.send_text(&json!({"seq": 9, "data": {}}).to_string())
        .await;
    let no_action = ws.reply(9).await;
    assert_eq!(
        no_action["error"]["id"],
        "api.web_socket_router.no_action.app_error"
    );

    // Garbage, binary frames and unsolicited pongs are tolerated; the socket keeps working.
    ws.send_text("{not json").await;
    ws.send(Message::Binary(vec![1, 2, 3].into())).await;
    ws.send(Message::Pong(Vec::new().into())).await;
    ws.send(Message::Ping(b"hi".to_vec().into())).await;
    let pong = ws.action("ping", json!({})).await;
    assert_eq!(pong["data"]["text"], "pong");

    // seq <= 0 cannot be answered by seq_reply (Client4 ignores falsy ones) but is refused.
    ws.send_text(&json!({"seq": -1, "action": "ping"}).to_string())
        .await;
    let reply = ws.next_frame().await.unwrap();
    assert_eq!(
        reply["error"]["id"], "api.web_socket_router.bad_seq.app_error",
        "{reply}"
    );
}

#[tokio::test]
async fn plain_get_is_a_mattermost_error_and_busy_upgrades_back_off() {
    let server = TestServer::builder()
        .config(|c| c.websocket.max_concurrent_upgrades = 1)
        .start()
        .await;
    let admin = server.admin().await;
    server
        .get("/api/v4/websocket")
        .await
        .assert_error(400, "api.web_socket.connect.upgrade.app_error");
    // An unauthenticated socket holds the only admission slot until it authenticates.
    let mut pending = open(&server, Upgrade::None, "").await;
    let refused = tokio_tungstenite::connect_async(super::ws_url(&server, "")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
            assert_eq!(response.headers()["retry-after"], "5");
        }
        other => panic!("expected 503, got {other:?}"),
    }
    pending
        .send(Message::Text(
            json!({"seq": 1, "action": "authentication_challenge", "data": {"token": admin.token}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let _ = pending.next().await;
    // Authenticated: the slot is free again.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ws::connect(&server, &admin).await;
}

#[tokio::test]
async fn origin_must_match() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start().await;
    let mut request = super::ws_url(&server, "").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn server_pings_keep_readers_and_drop_silent_peers() {
    let server = TestServer::builder()
        .config(|c| {
            c.websocket.ping_interval_seconds = 1;
            c.websocket.read_timeout_seconds = 2;
        })
        .start()
        .await;
    let admin = server.admin().await;
    let mut reader = Ws::connect(&server, &admin).await;
    let mut silent = open(&server, Upgrade::Bearer(&admin.token), "").await;
    // The reader's client answers every server ping while it reads.
    for _ in 0..9 {
        reader.no_event("never").await;
    }
    assert_eq!(reader.action("ping", json!({})).await["status"], "OK");
    // The silent client never polled its socket, so it never answered a ping: dropped.
    assert!(stream_closed_within(&mut silent, Duration::from_secs(2)).await);
}

#[tokio::test]
async fn typing_needs_valid_ids() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut ws = Ws::connect(&server, &w.bob).await;
    for data in [
        json!({}),
        json!({"channel_id": "nope"}),
        json!({"channel_id": w.town, "parent_id": "bad"}),
        json!({"channel_id": 7}),
    ] {
        let reply = ws.action("user_typing", data).await;
        assert_eq!(reply["status"], "FAIL");
        assert_eq!(
            reply["error"]["id"],
            "api.websocket_handler.invalid_param.app_error"
        );
        assert_eq!(reply["error"]["status_code"], 400);
    }
}

#[tokio::test]
async fn shutdown_closes_sockets() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut ws = Ws::connect(&server, &admin).await;
    let stopping = tokio::spawn(server.stop());
    ws.closed_within(Duration::from_secs(3)).await;
    stopping.await.unwrap();
}

/// Many clients reconnecting at once: admission is bounded, the refused are told to retry,
/// every client gets in, and the server keeps answering.
#[tokio::test]
async fn reconnect_storm_is_admitted_in_bounded_batches() {
    let server = TestServer::builder()
        .config(|c| c.websocket.max_concurrent_upgrades = 8)
        .start()
        .await;
    let admin = server.admin().await;
    let clients = 300;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let url = super::ws_url(&server, "");
        let token = admin.token.clone();
        tasks.push(tokio::spawn(async move {
            use tokio_tungstenite::tungstenite::client::IntoClientRequest;
            let mut refused = 0;
            loop {
                let mut request = url.as_str().into_client_request().unwrap();
                request
                    .headers_mut()
                    .insert("authorization", format!("Bearer {token}").parse().unwrap());
                match tokio_tungstenite::connect_async(request).await {
                    Ok((mut stream, _)) => {
                        let hello = stream.next().await.unwrap().unwrap();
                        assert!(hello.to_text().unwrap().contains("\"hello\""));
                        return (stream, refused);
                    }
                    Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                        assert_eq!(response.status(), 503);
                        assert!(response.headers().contains_key("retry-after"));
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(other) => panic!("{other}"),
                }
            }
        }));
    }
    let mut open = Vec::new();
    for task in tasks {
        open.push(task.await.unwrap());
    }
    assert_eq!(open.len(), clients);
    server.get("/api/v4/system/ping").await.assert_status(200);
}
