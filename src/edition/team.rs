//! Team Edition implementations of every extension point.

use std::sync::Arc;

use townsquare_sdk::{Edition, EditionInfo, Extensions};

pub struct TeamEditionInfo;

impl EditionInfo for TeamEditionInfo {
    fn edition(&self) -> Edition {
        Edition::Team
    }
}

pub fn extensions() -> Extensions {
    Extensions::new(Arc::new(TeamEditionInfo))
}
