// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The announcement banner, behind the `announcement` license feature.

use std::sync::Arc;

use townsquare_sdk::announcement::{licensed_banner_config, AnnouncementBanner, BannerSettings};
use townsquare_sdk::{Entitlements, Feature};

pub struct LicensedBanner {
    /// The Team Edition implementation, used whenever the license does not grant the feature.
    pub unlicensed: Arc<dyn AnnouncementBanner>,
}

impl AnnouncementBanner for LicensedBanner {
    fn client_config(
        &self,
        entitlements: &Entitlements,
        settings: &BannerSettings,
    ) -> Vec<(&'static str, String)> {
        if entitlements.allows(Feature::Announcement) {
            licensed_banner_config(settings)
        } else {
            self.unlicensed.client_config(entitlements, settings)
        }
    }
}
