//! `terms_of_service` and `user_terms_of_service` (custom terms of service). Only the
//! licensed feature writes these tables; Team Edition never touches them.

use townsquare_sdk::model::{TermsOfService, UserTermsOfService};

use super::{Store, StoreError};

/// What `townsquare edition check` reports about the feature's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermsRows {
    pub terms: i64,
    pub acceptances: i64,
}

type TermsRow = (String, i64, String, String);

fn terms((id, create_at, user_id, text): TermsRow) -> TermsOfService {
    TermsOfService {
        id,
        create_at,
        user_id,
        text,
    }
}

impl Store {
    pub async fn insert_terms(&self, terms: &TermsOfService) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO terms_of_service (id, create_at, user_id, text) VALUES ($1, $2, $3, $4)",
            )
            .bind(&terms.id)
            .bind(terms.create_at)
            .bind(&terms.user_id)
            .bind(&terms.text)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The newest text (ties broken by id, so every node agrees).
    pub async fn latest_terms(&self) -> Result<Option<TermsOfService>, StoreError> {
        let row: Option<TermsRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, create_at, user_id, text FROM terms_of_service \
                 ORDER BY create_at DESC, id DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(terms))
    }

    pub async fn terms(&self, id: &str) -> Result<Option<TermsOfService>, StoreError> {
        let row: Option<TermsRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, create_at, user_id, text FROM terms_of_service WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(terms))
    }

    pub async fn save_terms_acceptance(
        &self,
        acceptance: &UserTermsOfService,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO user_terms_of_service (user_id, terms_of_service_id, create_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET \
                 terms_of_service_id = excluded.terms_of_service_id, create_at = excluded.create_at",
            )
            .bind(&acceptance.user_id)
            .bind(&acceptance.terms_of_service_id)
            .bind(acceptance.create_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn delete_terms_acceptance(
        &self,
        user_id: &str,
        terms_id: &str,
    ) -> Result<(), StoreError> {
        with_writer!(self, |pool| {
            sqlx::query(
                "DELETE FROM user_terms_of_service WHERE user_id = $1 AND terms_of_service_id = $2",
            )
            .bind(user_id)
            .bind(terms_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn terms_acceptance(
        &self,
        user_id: &str,
    ) -> Result<Option<UserTermsOfService>, StoreError> {
        let row: Option<(String, String, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, terms_of_service_id, create_at FROM user_terms_of_service \
                 WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(
            |(user_id, terms_of_service_id, create_at)| UserTermsOfService {
                user_id,
                terms_of_service_id,
                create_at,
            },
        ))
    }

    pub async fn terms_rows(&self) -> Result<TermsRows, StoreError> {
        let (terms, acceptances): (i64, i64) = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM terms_of_service), \
                 (SELECT COUNT(*) FROM user_terms_of_service)",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(TermsRows { terms, acceptances })
    }
}
