//! Synced drafts and scheduled posts (issue 12): the routes, their events over real
//! WebSockets, and the job that sends due posts.

mod job;
mod scheduled;
mod synced;

use reqwest::Method;
use serde_json::Value;

use crate::support::accounts::TestUser;
use crate::support::{TestResponse, TestServer};

/// A request with a `Connection-Id` header (the caller's socket, left out of the event).
pub async fn call_from(
    server: &TestServer,
    user: &TestUser,
    method: Method,
    path: &str,
    body: Option<&Value>,
    connection_id: &str,
) -> TestResponse {
    let mut request = server
        .request(method, path)
        .bearer_auth(&user.token)
        .header("Connection-Id", connection_id);
    if let Some(body) = body {
        request = request.json(body);
    }
    server.send(request).await
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Rows in a table, read straight from the database.
pub async fn rows(server: &TestServer, table: &str) -> usize {
    townsquare::store::dump::dump(server.store())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.table == table)
        .map_or(0, |t| t.rows.len())
}
