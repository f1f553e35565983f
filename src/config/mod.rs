//! Server configuration: built-in defaults, then a config file, then `MM_<SECTION>_<KEY>`
//! environment variables, then command-line flags.
//!
//! Section and key names are Mattermost's wherever Mattermost has the setting, so that admins
//! can carry their knowledge (and environment variables) over.

mod env;
mod load;
mod model;
mod validate;

pub use env::{MattermostEnv, UnknownVariable, ENVIRONMENT_ONLY};
pub use load::{load, ConfigSource, LoadError};
pub use model::*;
pub use validate::{parse_listen_address, validate, ConfigError};

/// Settings that come from the environment only, never from the config file, as in Mattermost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeEnv {
    pub service_environment: ServiceEnvironment,
    /// License content from `MM_LICENSE`, if set.
    pub license: Option<String>,
}

impl RuntimeEnv {
    pub fn from_process_env() -> Result<Self, ConfigError> {
        let service_environment = match std::env::var("MM_SERVICEENVIRONMENT") {
            Ok(value) => value.parse()?,
            Err(_) => ServiceEnvironment::Production,
        };
        let license = std::env::var("MM_LICENSE")
            .ok()
            .filter(|v| !v.trim().is_empty());
        Ok(Self {
            service_environment,
            license,
        })
    }

    /// The environment used by integration tests.
    pub fn test() -> Self {
        Self {
            service_environment: ServiceEnvironment::Test,
            license: None,
        }
    }
}

/// `MM_SERVICEENVIRONMENT`: which license keys are trusted and how expensive hashing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceEnvironment {
    Production,
    Dev,
    Test,
}

impl ServiceEnvironment {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceEnvironment::Production => "production",
            ServiceEnvironment::Dev => "dev",
            ServiceEnvironment::Test => "test",
        }
    }
}

impl std::str::FromStr for ServiceEnvironment {
    type Err = ConfigError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "production" => Ok(ServiceEnvironment::Production),
            "dev" => Ok(ServiceEnvironment::Dev),
            "test" => Ok(ServiceEnvironment::Test),
            _ => Err(ConfigError {
                key: "MM_SERVICEENVIRONMENT".into(),
                value: value.to_string(),
                allowed: "production, dev or test".into(),
            }),
        }
    }
}
