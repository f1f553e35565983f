//! `features`: the seat count and the feature flags, with our strict semantics.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::feature::{Feature, FeatureSet};

/// The `features` object of a license.
///
/// Stricter than Mattermost on purpose: an absent flag is off; `future_features: true`
/// grants every feature not explicitly `false`, including features this server learns about
/// later; an explicit `false` always wins. Explicit flags are kept apart from defaults so
/// that rule can be applied to any feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// Seat count. Required: a license without one is malformed, as in Mattermost.
    pub users: u64,
    pub future_features: bool,
    enabled: FeatureSet,
    disabled: FeatureSet,
}

impl Features {
    /// `users` seats, no feature flags.
    pub fn new(users: u64) -> Self {
        Features {
            users,
            future_features: false,
            enabled: FeatureSet::EMPTY,
            disabled: FeatureSet::EMPTY,
        }
    }

    /// Sets an explicit flag.
    #[must_use]
    pub fn with(mut self, feature: Feature, on: bool) -> Self {
        if on {
            self.enabled = self.enabled.with(feature);
            self.disabled = self.disabled.without(feature);
        } else {
            self.disabled = self.disabled.with(feature);
            self.enabled = self.enabled.without(feature);
        }
        self
    }

    #[must_use]
    pub fn with_future_features(mut self, on: bool) -> Self {
        self.future_features = on;
        self
    }

    /// The flag as written in the payload, `None` when absent.
    pub fn explicit(&self, feature: Feature) -> Option<bool> {
        if self.enabled.contains(feature) {
            Some(true)
        } else if self.disabled.contains(feature) {
            Some(false)
        } else {
            None
        }
    }

    pub fn grants(&self, feature: Feature) -> bool {
        self.granted().contains(feature)
    }

    /// Every feature granted, after applying `future_features`.
    pub fn granted(&self) -> FeatureSet {
        let base = if self.future_features {
            FeatureSet::all()
        } else {
            self.enabled
        };
        Feature::ALL
            .into_iter()
            .filter(|f| base.contains(*f) && !self.disabled.contains(*f))
            .collect()
    }
}

/// Writes every flag resolved, like Mattermost after `SetDefaults`, so API clients need no
/// knowledge of our defaulting rules. Re-parsing the output grants exactly the same set.
impl Serialize for Features {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let granted = self.granted();
        let mut map = serializer.serialize_map(Some(Feature::ALL.len() + 3))?;
        map.serialize_entry("users", &self.users)?;
        for feature in Feature::ALL {
            map.serialize_entry(feature.json_key(), &granted.contains(feature))?;
        }
        map.serialize_entry("cloud", &false)?;
        map.serialize_entry("future_features", &self.future_features)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Features {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FeaturesVisitor)
    }
}

struct FeaturesVisitor;

impl<'de> Visitor<'de> for FeaturesVisitor {
    type Value = Features;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of license features")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Features, A::Error> {
        let mut users = None;
        let mut future_features = None;
        let mut seen = FeatureSet::EMPTY;
        let mut features = Features::new(0);

        // Duplicate keys are refused rather than resolved: two parsers must never disagree
        // about what a signed payload grants.
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "users" => {
                    if users.is_some() {
                        return Err(de::Error::duplicate_field("users"));
                    }
                    users = Some(map.next_value::<Option<u64>>()?);
                }
                "future_features" => {
                    if future_features.is_some() {
                        return Err(de::Error::duplicate_field("future_features"));
                    }
                    future_features = Some(map.next_value::<Option<bool>>()?);
                }
                name => match Feature::from_json_key(name) {
                    Some(feature) => {
                        if seen.contains(feature) {
                            return Err(de::Error::duplicate_field(feature.json_key()));
                        }
                        seen.insert(feature);
                        // `null` is Mattermost's "not set": leave the flag absent.
                        if let Some(on) = map.next_value::<Option<bool>>()? {
                            features = features.with(feature, on);
                        }
                    }
                    // A feature of a newer server, or `cloud`, which never applies here.
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }

        features.users = users
            .flatten()
            .ok_or_else(|| de::Error::missing_field("users"))?;
        features.future_features = future_features.flatten().unwrap_or(false);
        Ok(features)
    }
}
