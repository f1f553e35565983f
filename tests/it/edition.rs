//! Which edition this test binary was built as, seen from the wire.

use crate::support::TestServer;

#[tokio::test]
async fn build_enterprise_ready_matches_the_build() {
    let server = TestServer::start().await;
    let config = server.get("/api/v4/config/client?format=old").await.json();
    let expected = if cfg!(feature = "enterprise") {
        "true"
    } else {
        "false"
    };
    assert_eq!(config["BuildEnterpriseReady"], expected);
    if cfg!(feature = "enterprise") {
        assert!(!config["BuildHashEnterprise"].as_str().unwrap().is_empty());
    } else {
        assert_eq!(config["BuildHashEnterprise"], "");
    }
}

#[test]
fn extensions_report_the_build() {
    let extensions = townsquare::edition::build_extensions();
    let expected = if cfg!(feature = "enterprise") {
        townsquare_sdk::Edition::Enterprise
    } else {
        townsquare_sdk::Edition::Team
    };
    assert_eq!(extensions.edition.edition(), expected);
}
