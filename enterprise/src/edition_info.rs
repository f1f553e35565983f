// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

use townsquare_sdk::{Edition, EditionInfo};

/// Identifies the build as Enterprise Edition.
pub struct EnterpriseEditionInfo;

/// Changes whenever the enterprise crate's version changes; clients only compare it.
const BUILD_HASH_ENTERPRISE: &str = concat!("townsquare-enterprise-", env!("CARGO_PKG_VERSION"));

impl EditionInfo for EnterpriseEditionInfo {
    fn edition(&self) -> Edition {
        Edition::Enterprise
    }

    fn build_hash_enterprise(&self) -> &str {
        BUILD_HASH_ENTERPRISE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_enterprise() {
        assert_eq!(EnterpriseEditionInfo.edition(), Edition::Enterprise);
        assert!(!EnterpriseEditionInfo.build_hash_enterprise().is_empty());
    }
}
