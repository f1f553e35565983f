// Townsquare Enterprise Edition. Source-available under enterprise/LICENSE, not MIT.

//! Custom terms of service, behind the `custom_terms_of_service` license feature. Without it
//! every call goes to the Team Edition implementation, so an unlicensed Enterprise build
//! answers exactly as Team Edition does.

use std::sync::Arc;

use async_trait::async_trait;
use townsquare_sdk::model::{TermsOfService, UserTermsOfService};
use townsquare_sdk::terms::{errors, CustomTerms, TermsSettings, TermsStore};
use townsquare_sdk::{AppError, Entitlements, Feature};

pub struct LicensedTerms {
    /// The Team Edition implementation, used whenever the license does not grant the feature.
    pub unlicensed: Arc<dyn CustomTerms>,
}

fn on(entitlements: &Entitlements) -> bool {
    entitlements.allows(Feature::CustomTermsOfService)
}

#[async_trait]
impl CustomTerms for LicensedTerms {
    async fn create(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        user_id: &str,
        text: &str,
    ) -> Result<TermsOfService, AppError> {
        if !on(entitlements) {
            return self
                .unlicensed
                .create(store, entitlements, user_id, text)
                .await;
        }
        if text.is_empty() {
            return Err(errors::empty_text());
        }
        if let Some(latest) = store.latest_terms().await? {
            if latest.text == text {
                return Ok(latest);
            }
        }
        let terms = TermsOfService {
            id: store.new_id(),
            create_at: store.now_ms(),
            user_id: user_id.to_owned(),
            text: text.to_owned(),
        };
        store.insert_terms(&terms).await?;
        Ok(terms)
    }

    async fn latest(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
    ) -> Result<TermsOfService, AppError> {
        if !on(entitlements) {
            return self.unlicensed.latest(store, entitlements).await;
        }
        store.latest_terms().await?.ok_or_else(errors::not_found)
    }

    async fn record(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        user_id: &str,
        terms_id: &str,
        accepted: bool,
    ) -> Result<(), AppError> {
        if !on(entitlements) {
            return self
                .unlicensed
                .record(store, entitlements, user_id, terms_id, accepted)
                .await;
        }
        store.terms(terms_id).await?.ok_or_else(errors::not_found)?;
        if accepted {
            store
                .save_acceptance(&UserTermsOfService {
                    user_id: user_id.to_owned(),
                    terms_of_service_id: terms_id.to_owned(),
                    create_at: store.now_ms(),
                })
                .await
        } else {
            store.delete_acceptance(user_id, terms_id).await
        }
    }

    async fn acceptance(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        user_id: &str,
    ) -> Result<Option<UserTermsOfService>, AppError> {
        if !on(entitlements) {
            return self
                .unlicensed
                .acceptance(store, entitlements, user_id)
                .await;
        }
        store.acceptance(user_id).await
    }

    async fn client_config(
        &self,
        store: &dyn TermsStore,
        entitlements: &Entitlements,
        settings: TermsSettings,
    ) -> Result<Vec<(&'static str, String)>, AppError> {
        if !on(entitlements) {
            return self
                .unlicensed
                .client_config(store, entitlements, settings)
                .await;
        }
        let mut entries = vec![
            ("EnableCustomTermsOfService", settings.enabled.to_string()),
            (
                "CustomTermsOfServiceReAcceptancePeriod",
                settings.re_acceptance_period_days.to_string(),
            ),
        ];
        if settings.enabled {
            if let Some(latest) = store.latest_terms().await? {
                entries.push(("CustomTermsOfServiceId", latest.id));
            }
        }
        Ok(entries)
    }
}
