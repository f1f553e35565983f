//! The registry of edition-dependent capabilities.
//!
//! Core fills every slot with its Team Edition implementation; the Enterprise build lets the
//! enterprise crate replace or wrap slots. Call sites use the slots directly: there is never
//! an "is this enterprise?" check at a call site.

use std::sync::Arc;

use crate::announcement::AnnouncementBanner;
use crate::edition::EditionInfo;
use crate::licensing::Licensing;
use crate::terms::CustomTerms;

#[derive(Clone)]
pub struct Extensions {
    pub edition: Arc<dyn EditionInfo>,
    pub licensing: Arc<dyn Licensing>,
    pub custom_terms: Arc<dyn CustomTerms>,
    pub announcement: Arc<dyn AnnouncementBanner>,
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("edition", &self.edition.edition())
            .finish_non_exhaustive()
    }
}
