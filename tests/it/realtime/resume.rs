//! Reconnecting with `connection_id` and `sequence_number`: missed events are replayed
//! within the window; otherwise a fresh `hello`.

use std::time::Duration;

use super::{json_string, open, world, Upgrade, Ws};
use crate::chat::post;
use crate::support::TestServer;

#[tokio::test]
async fn missed_events_are_replayed_with_continuing_seq() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let mut bob = Ws::connect(&server, &w.bob).await;
    post(&server, &w.carol, &w.town, "seen").await;
    bob.event("posted").await;
    let connection_id = bob.connection_id.clone();
    let next = bob.next_seq();
    bob.drop_connection();
    // Let the server notice the drop before posting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    post(&server, &w.carol, &w.town, "missed 1").await;
    post(&server, &w.carol, &w.town, "missed 2").await;

    let query = format!("connection_id={connection_id}&sequence_number={next}");
    let stream = open(&server, Upgrade::Bearer(&w.bob.token), &query).await;
    let mut bob = Ws::resumed(stream, &connection_id, next);
    for message in ["missed 1", "missed 2"] {
        let frame = bob.event("posted").await;
        assert_eq!(json_string(&frame["data"]["post"])["message"], message);
    }
    // And live delivery continues on the same numbering.
    post(&server, &w.carol, &w.town, "live").await;
    bob.event("posted").await;
    bob.no_event("hello").await;
}

#[tokio::test]
async fn unknown_or_foreign_connection_gets_a_fresh_hello() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let bob = Ws::connect(&server, &w.bob).await;
    let connection_id = bob.connection_id.clone();
    bob.drop_connection();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Carol cannot take over bob's connection.
    let query = format!("connection_id={connection_id}&sequence_number=1");
    let stream = open(&server, Upgrade::Bearer(&w.carol.token), &query).await;
    let carol = Ws::after_hello(stream).await;
    assert_ne!(carol.connection_id, connection_id);
    // A position that was never buffered is not resumable either.
    let query = format!("connection_id={connection_id}&sequence_number=99");
    let stream = open(&server, Upgrade::Bearer(&w.bob.token), &query).await;
    let fresh = Ws::after_hello(stream).await;
    assert_ne!(fresh.connection_id, connection_id);
}

#[tokio::test]
async fn resume_disabled_means_hello() {
    let server = TestServer::builder()
        .config(|c| c.websocket.resume_window_seconds = 0)
        .start()
        .await;
    let w = world(&server).await;
    let bob = Ws::connect(&server, &w.bob).await;
    let connection_id = bob.connection_id.clone();
    bob.drop_connection();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let query = format!("connection_id={connection_id}&sequence_number=1");
    let stream = open(&server, Upgrade::Bearer(&w.bob.token), &query).await;
    let fresh = Ws::after_hello(stream).await;
    assert_ne!(fresh.connection_id, connection_id);
}
