//! The flat string map of `GET /api/v4/license/client`, exactly as Mattermost builds it.

use std::collections::BTreeMap;

use super::License;
use crate::feature::Feature;

/// The client license: every value a string (`"true"`/`"false"`, decimal numbers).
/// Sorted keys give stable JSON and snapshots.
pub type ClientLicense = BTreeMap<&'static str, String>;

/// Keys left out for callers without `read_license_information`.
const PRIVATE_KEYS: [&str; 7] = [
    "Id",
    "Name",
    "Email",
    "IssuedAt",
    "StartsAt",
    "ExpiresAt",
    "SkuName",
];

/// `{"IsLicensed":"false"}`: Team Edition, no license, or a license whose features are off.
pub fn unlicensed_client_map() -> ClientLicense {
    BTreeMap::from([("IsLicensed", "false".to_owned())])
}

impl License {
    /// This license as the client map, with `IsLicensed: "true"`.
    ///
    /// Describes the license only; whether it is in force (edition, dates) is
    /// `Entitlements::client_map`'s concern. `sanitized` drops the keys that callers without
    /// `read_license_information` must not see.
    pub fn to_client_map(&self, sanitized: bool) -> ClientLicense {
        let granted = self.features.granted();
        let mut map = ClientLicense::new();
        map.insert("IsLicensed", bool_str(true));
        map.insert("Id", self.id.clone());
        map.insert("SkuName", self.sku_name.clone());
        map.insert("SkuShortName", self.sku_short_name.clone());
        map.insert("Users", self.features.users.to_string());
        map.insert("IssuedAt", self.issued_at.to_string());
        map.insert("StartsAt", self.starts_at.to_string());
        map.insert("ExpiresAt", self.expires_at.to_string());
        map.insert("Name", self.customer.name.clone());
        map.insert("Email", self.customer.email.clone());
        map.insert("Company", self.customer.company.clone());
        map.insert("IsTrial", bool_str(self.is_trial));
        map.insert("IsGovSku", bool_str(self.is_gov_sku));
        map.insert("Cloud", bool_str(false));
        for feature in Feature::ALL {
            if let Some(key) = feature.client_key() {
                map.insert(key, bool_str(granted.contains(feature)));
            }
        }
        if sanitized {
            for key in PRIVATE_KEYS {
                map.remove(key);
            }
        }
        map
    }
}

fn bool_str(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}
