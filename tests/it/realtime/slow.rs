//! A reader that stops reading is disconnected when its bounded queue overflows; nobody
//! else waits for it.

use std::time::Duration;

use futures::StreamExt;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::{json_string, world, ws_url, Ws};
use crate::support::TestServer;

#[tokio::test]
async fn stalled_reader_is_evicted_without_slowing_others() {
    let server = TestServer::builder()
        .config(|c| c.websocket.send_queue_size = 8)
        .start()
        .await;
    let w = world(&server).await;
    // A client with a tiny receive window that never reads after hello.
    let address = server.url.trim_start_matches("http://").to_string();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(address.parse().unwrap()).await.unwrap();
    let mut request = ws_url(&server, "").into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {}", w.carol.token)).unwrap(),
    );
    let (mut stalled, _) = tokio_tungstenite::client_async(request, tcp).await.unwrap();
    let hello = stalled.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("\"hello\""));

    let mut bob = Ws::connect(&server, &w.bob).await;
    let count = 40;
    // The fast reader reads while the posts are made and gets everything, in order.
    let fast = tokio::spawn(async move {
        for i in 0..count {
            let frame = bob.event("posted").await;
            let message = json_string(&frame["data"]["post"])["message"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(message, format!("{i} post"));
        }
    });
    // 40 posts of ~250 KB (in props) overflow any socket buffer the kernel grants (4 MiB
    // here) several times over.
    let big = "x".repeat(250_000);
    for i in 0..count {
        server
            .post_as(
                &w.admin.token,
                "/api/v4/posts",
                &serde_json::json!({"channel_id": w.town, "message": format!("{i} post"), "props": {"filler": big}}),
            )
            .await
            .assert_status(201);
    }
    fast.await.expect("fast reader got every post");
    // The stalled reader was cut off: draining its socket ends well before all posts.
    let mut received = 0;
    let drained = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(message)) = stalled.next().await {
            if message.is_text() {
                received += 1;
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "stalled socket was not closed");
    assert!(received < count, "received all {received} frames");
}
