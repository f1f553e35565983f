//! A database outage turns requests into 503s and the server recovers by itself.

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use crate::support::db::{pg_admin_url, postgres_available};
use crate::support::{StoreKind, TestServer};

async fn set_connections(database: &str, allowed: bool) {
    let mut admin = PgConnection::connect(&pg_admin_url()).await.unwrap();
    admin
        .execute(format!("ALTER DATABASE {database} ALLOW_CONNECTIONS {allowed}").as_str())
        .await
        .unwrap();
    if !allowed {
        admin
            .execute(
                format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'").as_str(),
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn postgres_outage_is_503_and_the_server_recovers() {
    if !postgres_available().await {
        return;
    }
    let server = TestServer::builder()
        .store(StoreKind::Postgres)
        .start()
        .await;
    let admin = server.admin().await;
    let database = server.db.pg_database().unwrap().to_string();

    set_connections(&database, false).await;
    let during = server.get_as(&admin.token, "/api/v4/users/me").await;
    during.assert_error(503, "api.context.database_unavailable.app_error");
    assert_eq!(during.json()["detailed_error"], "", "no internals leak");
    let ping = server
        .get("/api/v4/system/ping?get_server_status=true")
        .await;
    ping.assert_status(500);
    assert_eq!(ping.json()["database_status"], "UNHEALTHY");
    server.get("/api/v4/system/ping").await.assert_status(200);

    set_connections(&database, true).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = server.get_as(&admin.token, "/api/v4/users/me").await;
        if response.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {}",
            response.text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ping = server
        .get("/api/v4/system/ping?get_server_status=true")
        .await;
    assert_eq!(ping.json()["database_status"], "OK");
}
