//! Every feature a license can grant, with its names on the wire.
//!
//! One registry for the whole server: handlers ask `Entitlements::allows(Feature::X)`, the
//! license parser maps payload keys through [`Feature::from_json_key`], and
//! `/api/v4/license/client` names features through [`Feature::client_key`].

use std::fmt;

/// A licensed capability.
///
/// The discriminant is the bit position in [`FeatureSet`]; append new variants at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Feature {
    Ldap,
    LdapGroups,
    Mfa,
    GoogleOAuth,
    Office365OAuth,
    OpenId,
    Compliance,
    Cluster,
    Metrics,
    Mhpns,
    Saml,
    ElasticSearch,
    Announcement,
    ThemeManagement,
    EmailNotificationContents,
    DataRetention,
    MessageExport,
    CustomPermissionsSchemes,
    CustomTermsOfService,
    GuestAccounts,
    GuestAccountsPermissions,
    IdLoaded,
    LockTeammateNameDisplay,
    SharedChannels,
    RemoteClusterService,
    OutgoingOAuthConnections,
}

impl Feature {
    /// Every feature, in declaration order.
    pub const ALL: [Feature; 26] = [
        Feature::Ldap,
        Feature::LdapGroups,
        Feature::Mfa,
        Feature::GoogleOAuth,
        Feature::Office365OAuth,
        Feature::OpenId,
        Feature::Compliance,
        Feature::Cluster,
        Feature::Metrics,
        Feature::Mhpns,
        Feature::Saml,
        Feature::ElasticSearch,
        Feature::Announcement,
        Feature::ThemeManagement,
        Feature::EmailNotificationContents,
        Feature::DataRetention,
        Feature::MessageExport,
        Feature::CustomPermissionsSchemes,
        Feature::CustomTermsOfService,
        Feature::GuestAccounts,
        Feature::GuestAccountsPermissions,
        Feature::IdLoaded,
        Feature::LockTeammateNameDisplay,
        Feature::SharedChannels,
        Feature::RemoteClusterService,
        Feature::OutgoingOAuthConnections,
    ];

    /// The key under `features` in the license payload (Mattermost's JSON name).
    pub const fn json_key(self) -> &'static str {
        match self {
            Feature::Ldap => "ldap",
            Feature::LdapGroups => "ldap_groups",
            Feature::Mfa => "mfa",
            Feature::GoogleOAuth => "google_oauth",
            Feature::Office365OAuth => "office365_oauth",
            Feature::OpenId => "openid",
            Feature::Compliance => "compliance",
            Feature::Cluster => "cluster",
            Feature::Metrics => "metrics",
            Feature::Mhpns => "mhpns",
            Feature::Saml => "saml",
            Feature::ElasticSearch => "elastic_search",
            Feature::Announcement => "announcement",
            Feature::ThemeManagement => "theme_management",
            Feature::EmailNotificationContents => "email_notification_contents",
            Feature::DataRetention => "data_retention",
            Feature::MessageExport => "message_export",
            Feature::CustomPermissionsSchemes => "custom_permissions_schemes",
            Feature::CustomTermsOfService => "custom_terms_of_service",
            Feature::GuestAccounts => "guest_accounts",
            Feature::GuestAccountsPermissions => "guest_accounts_permissions",
            Feature::IdLoaded => "id_loaded",
            Feature::LockTeammateNameDisplay => "lock_teammate_name_display",
            Feature::SharedChannels => "shared_channels",
            Feature::RemoteClusterService => "remote_cluster_service",
            Feature::OutgoingOAuthConnections => "outgoing_oauth_connections",
        }
    }

    /// The key in the `/api/v4/license/client` map.
    ///
    /// `None` for [`Feature::ThemeManagement`]: Mattermost's client license has no such key
    /// and its web client never reads one, so we keep the map identical to Mattermost's
    /// rather than invent a key.
    pub const fn client_key(self) -> Option<&'static str> {
        Some(match self {
            Feature::Ldap => "LDAP",
            Feature::LdapGroups => "LDAPGroups",
            Feature::Mfa => "MFA",
            Feature::GoogleOAuth => "GoogleOAuth",
            Feature::Office365OAuth => "Office365OAuth",
            Feature::OpenId => "OpenId",
            Feature::Compliance => "Compliance",
            Feature::Cluster => "Cluster",
            Feature::Metrics => "Metrics",
            Feature::Mhpns => "MHPNS",
            Feature::Saml => "SAML",
            Feature::ElasticSearch => "Elasticsearch",
            Feature::Announcement => "Announcement",
            Feature::ThemeManagement => return None,
            Feature::EmailNotificationContents => "EmailNotificationContents",
            Feature::DataRetention => "DataRetention",
            Feature::MessageExport => "MessageExport",
            Feature::CustomPermissionsSchemes => "CustomPermissionsSchemes",
            Feature::CustomTermsOfService => "CustomTermsOfService",
            Feature::GuestAccounts => "GuestAccounts",
            Feature::GuestAccountsPermissions => "GuestAccountsPermissions",
            Feature::IdLoaded => "IDLoadedPushNotifications",
            Feature::LockTeammateNameDisplay => "LockTeammateNameDisplay",
            Feature::SharedChannels => "SharedChannels",
            Feature::RemoteClusterService => "RemoteClusterService",
            Feature::OutgoingOAuthConnections => "OutgoingOAuthConnections",
        })
    }

    /// The feature whose payload key is `key`; `None` for unknown names, which licenses may
    /// carry for features of newer servers.
    pub fn from_json_key(key: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.json_key() == key)
    }

    /// The feature whose client-map key is `key`.
    pub fn from_client_key(key: &str) -> Option<Feature> {
        Feature::ALL
            .into_iter()
            .find(|f| f.client_key() == Some(key))
    }

    const fn bit(self) -> u32 {
        1 << self as u32
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json_key())
    }
}

/// A set of features, one bit each: `Copy`, allocation-free, one AND per lookup.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FeatureSet(u32);

impl FeatureSet {
    pub const EMPTY: FeatureSet = FeatureSet(0);

    /// Every feature this server knows.
    pub const fn all() -> FeatureSet {
        let mut bits = 0;
        let mut i = 0;
        while i < Feature::ALL.len() {
            bits |= Feature::ALL[i].bit();
            i += 1;
        }
        FeatureSet(bits)
    }

    #[inline]
    pub const fn contains(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    #[must_use]
    pub const fn with(self, feature: Feature) -> FeatureSet {
        FeatureSet(self.0 | feature.bit())
    }

    #[must_use]
    pub const fn without(self, feature: Feature) -> FeatureSet {
        FeatureSet(self.0 & !feature.bit())
    }

    pub fn insert(&mut self, feature: Feature) {
        *self = self.with(feature);
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The members, in [`Feature::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Feature> {
        Feature::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Feature> for FeatureSet {
    fn from_iter<I: IntoIterator<Item = Feature>>(iter: I) -> Self {
        iter.into_iter().fold(FeatureSet::EMPTY, FeatureSet::with)
    }
}

impl fmt::Debug for FeatureSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn all_lists_every_variant_once_in_bit_order() {
        for (i, f) in Feature::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i, "{f:?} is out of order in Feature::ALL");
        }
        assert_eq!(FeatureSet::all().len(), Feature::ALL.len());
    }

    #[test]
    fn keys_are_unique_and_round_trip() {
        let json: HashSet<_> = Feature::ALL.iter().map(|f| f.json_key()).collect();
        assert_eq!(json.len(), Feature::ALL.len());
        for f in Feature::ALL {
            assert_eq!(Feature::from_json_key(f.json_key()), Some(f));
            if let Some(key) = f.client_key() {
                assert_eq!(Feature::from_client_key(key), Some(f));
            }
        }
        let client: HashSet<_> = Feature::ALL.iter().filter_map(|f| f.client_key()).collect();
        assert_eq!(client.len(), Feature::ALL.len() - 1);
    }

    #[test]
    fn mattermost_names() {
        assert_eq!(Feature::IdLoaded.json_key(), "id_loaded");
        assert_eq!(
            Feature::IdLoaded.client_key(),
            Some("IDLoadedPushNotifications")
        );
        assert_eq!(Feature::ElasticSearch.client_key(), Some("Elasticsearch"));
        assert_eq!(Feature::ThemeManagement.client_key(), None);
        assert_eq!(Feature::from_json_key("future_features"), None);
        assert_eq!(Feature::from_json_key("cloud"), None);
        assert_eq!(Feature::from_client_key("Cloud"), None);
    }

    #[test]
    fn set_operations() {
        let set: FeatureSet = [Feature::Saml, Feature::Ldap].into_iter().collect();
        assert!(set.contains(Feature::Saml) && set.contains(Feature::Ldap));
        assert!(!set.contains(Feature::Mfa));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Feature::Ldap, Feature::Saml]
        );
        assert!(set.without(Feature::Saml).without(Feature::Ldap).is_empty());
    }
}
