//! The registry of edition-dependent capabilities.
//!
//! Core fills every slot with its Team Edition implementation; the Enterprise build lets the
//! enterprise crate replace slots. Call sites use the slots directly: there is never an
//! "is this enterprise?" check at a call site.

use std::sync::Arc;

use crate::edition::EditionInfo;

#[derive(Clone)]
pub struct Extensions {
    pub edition: Arc<dyn EditionInfo>,
}

impl Extensions {
    /// Builds the registry from the Team Edition implementations supplied by core.
    pub fn new(edition: Arc<dyn EditionInfo>) -> Self {
        Self { edition }
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("edition", &self.edition.edition())
            .finish()
    }
}
