//! The contract between the Townsquare core server and its Enterprise Edition.
//!
//! Plain types and traits only: no I/O, no web framework. Both the MIT core and the
//! enterprise crate depend on this crate, which keeps the enterprise crate from ever
//! reaching into core internals.

pub mod announcement;
pub mod edition;
pub mod entitlements;
pub mod error;
pub mod extensions;
pub mod feature;
pub mod license;
pub mod licensing;
pub mod model;
pub mod terms;

pub use edition::{Edition, EditionInfo};
pub use entitlements::{Entitlements, InstalledLicense, LicenseSource};
pub use error::AppError;
pub use extensions::Extensions;
pub use feature::{Feature, FeatureSet};
pub use license::{ClientLicense, Customer, Features, License, LicenseError, LicenseState};
pub use licensing::{
    LicenseFile, LicenseHost, LicenseOrigin, LicensePreview, LicenseProblem, LicenseSnapshot,
    Licensing, LoadMode, StoredLicense,
};
