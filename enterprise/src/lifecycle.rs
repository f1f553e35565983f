// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! The license lifecycle (docs/licensing.md §4): sources in precedence order, upload,
//! preview, removal and the seat limit. Storage goes through the host port; this module
//! decides.

use async_trait::async_trait;
use townsquare_sdk::licensing::{seat_limit_reached, LoadMode};
use townsquare_sdk::{
    AppError, Edition, Entitlements, LicenseError, LicenseHost, LicenseOrigin, LicensePreview,
    LicenseProblem, LicenseSnapshot, LicenseSource, Licensing,
};

use crate::license::{
    check_upload, verify_license, verify_license_bytes, TrustEnv, VerifiedLicense,
};

/// The Enterprise Edition licensing capability.
pub struct EnterpriseLicensing;

fn trust(host: &dyn LicenseHost) -> TrustEnv {
    TrustEnv::from_service_environment(Some(host.service_environment()))
}

fn unlicensed(problems: Vec<LicenseProblem>) -> LicenseSnapshot {
    LicenseSnapshot {
        entitlements: Entitlements::unlicensed(Edition::Enterprise),
        problems,
    }
}

fn in_force(
    verified: VerifiedLicense,
    source: LicenseSource,
    now_ms: i64,
    problems: Vec<LicenseProblem>,
) -> LicenseSnapshot {
    LicenseSnapshot {
        entitlements: verified.into_entitlements(source, now_ms),
        problems,
    }
}

#[async_trait]
impl Licensing for EnterpriseLicensing {
    async fn load(&self, host: &dyn LicenseHost, mode: LoadMode) -> LicenseSnapshot {
        let now = host.now_ms();
        let trust = trust(host);
        let mut problems = Vec::new();
        let mut report = |origin: LicenseOrigin, error: AppError| {
            problems.push(LicenseProblem::new(origin, &error));
        };

        if let Some(text) = host.environment_license() {
            match verify_license(text, trust, now) {
                Ok(verified) => {
                    return in_force(verified, LicenseSource::Environment, now, problems)
                }
                Err(err) => report(LicenseOrigin::Environment, err.into()),
            }
        }

        match host.active_license().await {
            // Verified again, but seats are not re-checked: a Team build may have added
            // users since the upload, and existing users are never locked out.
            Ok(Some(stored)) => match verify_license(&stored.bytes, trust, now) {
                Ok(verified) => return in_force(verified, LicenseSource::Database, now, problems),
                Err(err) => report(LicenseOrigin::Database, err.into()),
            },
            Ok(None) => {}
            Err(err) => report(LicenseOrigin::Database, err),
        }

        if mode == LoadMode::Reload {
            return unlicensed(problems);
        }
        match host.license_file().await {
            Ok(Some(file)) => {
                // An imported file is an upload by the administrator: the same checks, except
                // seats (like every start-up load).
                let verified = verify_license_bytes(&file.bytes, trust, now).and_then(|v| {
                    check_upload(&v.license, now, 0)?;
                    Ok(v)
                });
                match verified {
                    Ok(verified) => {
                        if mode == LoadMode::StartUp {
                            if let Err(err) = host
                                .activate_license(&verified.license.id, &verified.armoured)
                                .await
                            {
                                report(LicenseOrigin::File, err);
                                return unlicensed(problems);
                            }
                        }
                        return in_force(verified, LicenseSource::Database, now, problems);
                    }
                    Err(err) => report(LicenseOrigin::File, err.into()),
                }
            }
            Ok(None) => {}
            Err(err) => report(LicenseOrigin::File, err),
        }
        unlicensed(problems)
    }

    async fn upload(
        &self,
        host: &dyn LicenseHost,
        bytes: &[u8],
    ) -> Result<LicenseSnapshot, AppError> {
        if host.environment_license().is_some() {
            return Err(LicenseError::SetByEnvironment.into());
        }
        let now = host.now_ms();
        let verified = verify_license_bytes(bytes, trust(host), now)?;
        let active_users = host.count_active_users().await?;
        check_upload(&verified.license, now, active_users)?;
        host.activate_license(&verified.license.id, &verified.armoured)
            .await?;
        Ok(in_force(verified, LicenseSource::Database, now, Vec::new()))
    }

    async fn preview(
        &self,
        host: &dyn LicenseHost,
        bytes: &[u8],
    ) -> Result<LicensePreview, AppError> {
        let now = host.now_ms();
        let verified = verify_license_bytes(bytes, trust(host), now)?;
        let active_users = host.count_active_users().await?;
        let upload_error = if host.environment_license().is_some() {
            Some(LicenseError::SetByEnvironment)
        } else {
            check_upload(&verified.license, now, active_users).err()
        };
        Ok(LicensePreview {
            state: verified.state_at(now),
            is_development: verified.is_development,
            kid: verified.kid,
            license: verified.license,
            active_users,
            upload_error: upload_error.map(AppError::from),
        })
    }

    async fn remove(&self, host: &dyn LicenseHost) -> Result<LicenseSnapshot, AppError> {
        if host.environment_license().is_some() {
            return Err(LicenseError::SetByEnvironment.into());
        }
        host.clear_active_license().await?;
        Ok(unlicensed(Vec::new()))
    }

    async fn check_seat_available(
        &self,
        host: &dyn LicenseHost,
        entitlements: &Entitlements,
    ) -> Result<(), AppError> {
        let Some(license) = entitlements.license() else {
            return Ok(());
        };
        // An expired license is Team Edition: no limit.
        if !entitlements.is_licensed() || !license.is_seat_count_enforced {
            return Ok(());
        }
        let seat_limit = license.seat_limit();
        if host.count_active_users().await? >= seat_limit {
            return Err(seat_limit_reached(seat_limit));
        }
        Ok(())
    }

    fn follows_store(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    use serde_json::json;
    use townsquare_sdk::license::DAY_MS;
    use townsquare_sdk::{LicenseFile, StoredLicense};

    use super::*;
    use crate::license::sign_license;

    const DEV_KEY: &str = include_str!("../../licenses/dev/ts-dev-1.key");
    const NOW: i64 = 1_800_000_000_000;

    /// Runs a future whose every await is ready at once (the fake host never waits).
    fn run<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
        }
    }

    #[derive(Default)]
    struct FakeHost {
        env: Option<String>,
        file: Option<Vec<u8>>,
        rows: Mutex<Vec<StoredLicense>>,
        active: Mutex<Option<String>>,
        users: u64,
    }

    #[async_trait]
    impl LicenseHost for FakeHost {
        fn now_ms(&self) -> i64 {
            NOW
        }
        fn service_environment(&self) -> &str {
            "test"
        }
        fn environment_license(&self) -> Option<&str> {
            self.env.as_deref()
        }
        async fn license_file(&self) -> Result<Option<LicenseFile>, AppError> {
            Ok(self.file.clone().map(|bytes| LicenseFile {
                path: "/etc/license".into(),
                bytes,
            }))
        }
        async fn active_license(&self) -> Result<Option<StoredLicense>, AppError> {
            let active = self.active.lock().unwrap().clone();
            Ok(active.and_then(|id| {
                self.rows
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|row| row.id == id)
                    .cloned()
            }))
        }
        async fn activate_license(&self, id: &str, bytes: &str) -> Result<(), AppError> {
            let mut rows = self.rows.lock().unwrap();
            rows.retain(|row| row.id != id);
            rows.push(StoredLicense {
                id: id.into(),
                create_at: NOW,
                bytes: bytes.into(),
            });
            *self.active.lock().unwrap() = Some(id.into());
            Ok(())
        }
        async fn clear_active_license(&self) -> Result<(), AppError> {
            *self.active.lock().unwrap() = None;
            Ok(())
        }
        async fn count_active_users(&self) -> Result<u64, AppError> {
            Ok(self.users)
        }
    }

    fn license(id: &str, changes: serde_json::Value) -> String {
        let mut payload = json!({
            "id": id, "issued_at": NOW - DAY_MS, "starts_at": NOW - DAY_MS,
            "expires_at": NOW + 30 * DAY_MS,
            "features": {"users": 10, "future_features": true},
            "sku_name": "Townsquare Enterprise (development)", "sku_short_name": "enterprise",
        });
        for (key, value) in changes.as_object().unwrap() {
            payload[key] = value.clone();
        }
        sign_license(&serde_json::to_vec(&payload).unwrap(), DEV_KEY, "ts-dev-1").unwrap()
    }

    fn id_of(snapshot: &LicenseSnapshot) -> Option<String> {
        snapshot.entitlements.license().map(|l| l.id.clone())
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccc";

    #[test]
    fn sources_in_precedence_order() {
        let host = FakeHost {
            env: Some(license(A, json!({}))),
            file: Some(license(C, json!({})).into_bytes()),
            ..Default::default()
        };
        run(host.activate_license(B, &license(B, json!({})))).unwrap();
        let snapshot = run(EnterpriseLicensing.load(&host, LoadMode::StartUp));
        assert_eq!(id_of(&snapshot).as_deref(), Some(A));
        assert_eq!(
            snapshot.entitlements.source(),
            Some(LicenseSource::Environment)
        );

        let host = FakeHost {
            env: Some("not a license".into()),
            ..host
        };
        let snapshot = run(EnterpriseLicensing.load(&host, LoadMode::StartUp));
        assert_eq!(id_of(&snapshot).as_deref(), Some(B));
        assert_eq!(snapshot.problems.len(), 1);
        assert_eq!(snapshot.problems[0].origin, LicenseOrigin::Environment);

        run(host.clear_active_license()).unwrap();
        // A reload never consults the file, so a removal sticks until the next start.
        assert_eq!(
            id_of(&run(EnterpriseLicensing.load(&host, LoadMode::Reload))),
            None
        );
        assert_eq!(
            id_of(&run(EnterpriseLicensing.load(&host, LoadMode::DryRun))).as_deref(),
            Some(C)
        );
        assert_eq!(
            *host.active.lock().unwrap(),
            None,
            "a dry run writes nothing"
        );
        assert_eq!(
            id_of(&run(EnterpriseLicensing.load(&host, LoadMode::StartUp))).as_deref(),
            Some(C)
        );
        assert_eq!(host.active.lock().unwrap().as_deref(), Some(C), "imported");
    }

    #[test]
    fn start_up_does_not_check_seats_but_upload_does() {
        let host = FakeHost {
            users: 50,
            ..Default::default()
        };
        let text = license(A, json!({"is_seat_count_enforced": true}));
        let err = run(EnterpriseLicensing.upload(&host, text.as_bytes())).unwrap_err();
        assert_eq!(err.id, "api.license.add_license.unique_users.app_error");
        assert!(
            host.rows.lock().unwrap().is_empty(),
            "nothing stored on failure"
        );

        run(host.activate_license(A, &text)).unwrap();
        let snapshot = run(EnterpriseLicensing.load(&host, LoadMode::StartUp));
        assert!(snapshot.entitlements.is_licensed());
        let err = run(EnterpriseLicensing.check_seat_available(&host, &snapshot.entitlements))
            .unwrap_err();
        assert_eq!(err.id, "api.user.create_user.license_user_limits.exceeded");
    }

    #[test]
    fn environment_license_locks_upload_and_removal() {
        let host = FakeHost {
            env: Some(license(A, json!({}))),
            ..Default::default()
        };
        let err =
            run(EnterpriseLicensing.upload(&host, license(B, json!({})).as_bytes())).unwrap_err();
        assert_eq!(err.id, "api.license.set_by_environment.app_error");
        let err = run(EnterpriseLicensing.remove(&host)).unwrap_err();
        assert_eq!(err.id, "api.license.set_by_environment.app_error");
        let preview =
            run(EnterpriseLicensing.preview(&host, license(B, json!({})).as_bytes())).unwrap();
        assert_eq!(
            preview.upload_error.map(|e| e.id),
            Some("api.license.set_by_environment.app_error".into())
        );
    }
}
