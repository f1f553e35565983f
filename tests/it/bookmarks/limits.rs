//! At most 50 live bookmarks per channel, also when many are added at once.

use futures::future::join_all;
use serde_json::json;

use super::{create, list};
use crate::realtime::world;
use crate::support::TestServer;

#[tokio::test]
async fn fifty_per_channel_even_under_concurrent_adds() {
    let server = TestServer::start().await;
    let w = world(&server).await;
    let attempts = (0..60).map(|i| {
        let server = &server;
        let bob = &w.bob;
        let town = &w.town;
        async move {
            create(
                server,
                bob,
                town,
                &json!({"display_name": format!("link {i}"), "type": "link", "link_url": format!("https://example.com/{i}")}),
            )
            .await
        }
    });
    let responses = join_all(attempts).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 50);
    for refused in responses.iter().filter(|r| r.status != 201) {
        refused.assert_error(400, "app.channel.bookmark.save.app_error");
    }
    let listed = list(&server, &w.carol, &w.town).await;
    assert_eq!(listed.len(), 50);
    let mut orders: Vec<i64> = listed
        .iter()
        .map(|b| b["sort_order"].as_i64().unwrap())
        .collect();
    orders.dedup();
    assert_eq!(
        orders,
        (0..50).collect::<Vec<i64>>(),
        "distinct places in order"
    );

    // Deleting one makes room for one.
    let first = listed[0]["id"].as_str().unwrap();
    server
        .delete_as(
            &w.bob.token,
            &format!("{}/{first}", super::bookmarks_path(&w.town)),
        )
        .await
        .assert_status(200);
    let one_more =
        json!({"display_name": "late", "type": "link", "link_url": "https://example.com/late"});
    create(&server, &w.bob, &w.town, &one_more)
        .await
        .assert_status(201);
    create(&server, &w.bob, &w.town, &one_more)
        .await
        .assert_error(400, "app.channel.bookmark.save.app_error");
}
