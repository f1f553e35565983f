//! Enterprise Edition wiring: the one place core names the enterprise crate.

use townsquare_sdk::Extensions;

pub fn install(extensions: &mut Extensions) {
    townsquare_enterprise::install(extensions);
}
