//! The announcement banner (`announcement`): a site-wide banner configured in
//! `AnnouncementSettings` and shown by clients.

use crate::entitlements::Entitlements;

/// `AnnouncementSettings`, as the capability needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerSettings {
    pub enable_banner: bool,
    pub banner_text: String,
    pub banner_color: String,
    pub banner_text_color: String,
    pub allow_banner_dismissal: bool,
}

/// The banner keys of the client configuration. Every build sends all five keys, as
/// Mattermost does; only a license that grants `announcement` fills them from the settings.
pub trait AnnouncementBanner: Send + Sync + 'static {
    fn client_config(
        &self,
        entitlements: &Entitlements,
        settings: &BannerSettings,
    ) -> Vec<(&'static str, String)>;
}

/// The values without a license: Mattermost's defaults for an unlicensed server.
pub fn unlicensed_banner_config() -> Vec<(&'static str, String)> {
    vec![
        ("EnableBanner", "false".to_owned()),
        ("BannerText", String::new()),
        ("BannerColor", String::new()),
        ("BannerTextColor", String::new()),
        ("AllowBannerDismissal", "false".to_owned()),
    ]
}

/// The values from the settings, for a license that grants `announcement`.
pub fn licensed_banner_config(settings: &BannerSettings) -> Vec<(&'static str, String)> {
    let flag = |on: bool| if on { "true" } else { "false" }.to_owned();
    vec![
        ("EnableBanner", flag(settings.enable_banner)),
        ("BannerText", settings.banner_text.clone()),
        ("BannerColor", settings.banner_color.clone()),
        ("BannerTextColor", settings.banner_text_color.clone()),
        (
            "AllowBannerDismissal",
            flag(settings.allow_banner_dismissal),
        ),
    ]
}
