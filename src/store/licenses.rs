//! The `licenses` table and the license keys of `systems`. Rows of `licenses` are never
//! deleted; removal clears `ActiveLicenseId`.

use townsquare_sdk::licensing::{ACTIVE_LICENSE_ID_KEY, LICENSE_VERSION_KEY};
use townsquare_sdk::StoredLicense;

use super::{Store, StoreError};

const UPSERT_SYSTEM: &str = "INSERT INTO systems (name, value) VALUES ($1, $2) \
     ON CONFLICT (name) DO UPDATE SET value = excluded.value";

/// What the other nodes poll: the active license id and the change counter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseMarker {
    pub active_license_id: String,
    pub version: String,
}

/// What `townsquare edition check` reports about stored licenses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseRows {
    pub stored: i64,
    pub active_license_id: String,
}

impl Store {
    /// The row `ActiveLicenseId` points at.
    pub async fn active_license(&self) -> Result<Option<StoredLicense>, StoreError> {
        let row: Option<(String, i64, String)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT l.id, l.create_at, l.bytes FROM licenses l \
                 JOIN systems s ON s.name = $1 AND s.value = l.id",
            )
            .bind(ACTIVE_LICENSE_ID_KEY)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(id, create_at, bytes)| StoredLicense {
            id,
            create_at,
            bytes,
        }))
    }

    /// Stores a verified license and makes it the active one, in one transaction. A license
    /// id already stored is re-activated; its bytes become the ones just verified (the same
    /// license, possibly re-issued), so what is stored is always what is in force.
    pub async fn activate_license(
        &self,
        id: &str,
        bytes: &str,
        now: i64,
        version: &str,
    ) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            sqlx::query(
                "INSERT INTO licenses (id, create_at, bytes) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
            )
            .bind(id)
            .bind(now)
            .bind(bytes)
            .execute(&mut **tx)
            .await?;
            for (name, value) in [(ACTIVE_LICENSE_ID_KEY, id), (LICENSE_VERSION_KEY, version)] {
                sqlx::query(UPSERT_SYSTEM)
                    .bind(name)
                    .bind(value)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Clears `ActiveLicenseId` (the row stays), in one transaction with the change counter.
    pub async fn clear_active_license(&self, version: &str) -> Result<(), StoreError> {
        with_tx!(self, |tx| async {
            for (name, value) in [(ACTIVE_LICENSE_ID_KEY, ""), (LICENSE_VERSION_KEY, version)] {
                sqlx::query(UPSERT_SYSTEM)
                    .bind(name)
                    .bind(value)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// The values a node compares to notice a license change made elsewhere.
    pub async fn license_marker(&self) -> Result<LicenseMarker, StoreError> {
        let rows: Vec<(String, String)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT name, value FROM systems WHERE name IN ($1, $2)")
                .bind(ACTIVE_LICENSE_ID_KEY)
                .bind(LICENSE_VERSION_KEY)
                .fetch_all(pool)
                .await
        })?;
        let mut marker = LicenseMarker::default();
        for (name, value) in rows {
            if name == ACTIVE_LICENSE_ID_KEY {
                marker.active_license_id = value;
            } else {
                marker.version = value;
            }
        }
        Ok(marker)
    }

    pub async fn license_rows(&self) -> Result<LicenseRows, StoreError> {
        let (stored,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM licenses")
                .fetch_one(pool)
                .await
        })?;
        let active_license_id = self
            .system_value(ACTIVE_LICENSE_ID_KEY)
            .await?
            .unwrap_or_default();
        Ok(LicenseRows {
            stored,
            active_license_id,
        })
    }

    /// Active users who are not bots: the seats a license counts.
    pub async fn count_active_humans(&self) -> Result<i64, StoreError> {
        self.count_users(false, false).await
    }

    /// Active non-bot users active since `since` (ms): the monthly active users of the load
    /// metric.
    pub async fn count_recently_active_humans(&self, since: i64) -> Result<i64, StoreError> {
        let (count,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM users WHERE delete_at = 0 AND is_bot = FALSE \
                 AND last_activity_at >= $1",
            )
            .bind(since)
            .fetch_one(pool)
            .await
        })?;
        Ok(count)
    }
}
