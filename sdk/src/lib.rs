//! The contract between the Townsquare core server and its Enterprise Edition.
//!
//! Plain types and traits only: no I/O, no web framework. Both the MIT core and the
//! enterprise crate depend on this crate, which keeps the enterprise crate from ever
//! reaching into core internals.

pub mod edition;
pub mod error;
pub mod extensions;

pub use edition::{Edition, EditionInfo};
pub use error::AppError;
pub use extensions::Extensions;
