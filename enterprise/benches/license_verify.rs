// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The cost of verifying a license (upload, start-up, `MM_LICENSE`) and of a feature check
//! (every gated request).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use townsquare_enterprise::license::{sign_license, verify_license, TrustEnv};
use townsquare_sdk::{Feature, LicenseSource};

const DEV_KEY: &str = include_str!("../../licenses/dev/ts-dev-1.key");
const NOW: i64 = 1_800_000_000_000;

fn licensed_text() -> String {
    let payload = serde_json::json!({
        "id": "k1q3x9m7b5n2c8v4z6a0s1d2f3",
        "issued_at": NOW, "starts_at": NOW, "expires_at": NOW + 365 * 86_400_000_i64,
        "customer": {"id": "c", "name": "Ada Lovelace", "email": "ada@example.com",
                     "company": "Acme"},
        "features": {"users": 500, "future_features": true, "compliance": false},
        "sku_name": "Townsquare Enterprise (development)", "sku_short_name": "enterprise",
        "is_seat_count_enforced": true, "extra_users": 10
    });
    let bytes = serde_json::to_vec(&payload).expect("payload serializes");
    sign_license(&bytes, DEV_KEY, "ts-dev-1").expect("the development key signs")
}

fn benches(c: &mut Criterion) {
    let text = licensed_text();
    c.bench_function("verify_license (armoured, dev key)", |b| {
        b.iter(|| verify_license(black_box(&text), TrustEnv::Dev, NOW))
    });

    let entitlements = verify_license(&text, TrustEnv::Dev, NOW)
        .expect("verifies")
        .into_entitlements(LicenseSource::Database, NOW);
    c.bench_function("Entitlements::allows", |b| {
        b.iter(|| black_box(&entitlements).allows(black_box(Feature::Saml)))
    });
}

criterion_group!(license, benches);
criterion_main!(license);
