//! Roles as Mattermost's `/roles` endpoints show them, read from the built-in table in
//! `permissions`: the lists clients gate their UI on are the lists the server enforces.

use serde::Serialize;
use townsquare_sdk::AppError;
use utoipa::ToSchema;

use crate::app::permissions::{self, RoleDef, ROLES};
use crate::id::derived_id;

/// Mattermost's `Role`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub permissions: Vec<String>,
    pub scheme_managed: bool,
    pub built_in: bool,
}

/// The stable id of a built-in role (the same on every node and every start).
pub fn role_id(name: &str) -> String {
    derived_id(&format!("townsquare-role:{name}"))
}

fn shape(def: &RoleDef) -> Role {
    Role {
        id: role_id(def.name),
        name: def.name.to_string(),
        display_name: format!("authentication.roles.{}.name", def.display_key),
        description: format!("authentication.roles.{}.description", def.display_key),
        // Built in, never edited: no creation or update instant to report.
        create_at: 0,
        update_at: 0,
        delete_at: 0,
        permissions: def
            .permissions()
            .iter()
            .map(|p| p.id().to_string())
            .collect(),
        scheme_managed: def.scheme_managed,
        built_in: true,
    }
}

/// Mattermost's `IsValidRoleName`: 1 to 64 of `a-z`, `0-9`, `_`.
pub fn is_valid_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Every role (the caller's `manage_system` is checked by the handler's caller).
pub fn all() -> Vec<Role> {
    ROLES.iter().map(shape).collect()
}

pub fn by_id(id: &str) -> Result<Role, AppError> {
    ROLES
        .iter()
        .find(|def| role_id(def.name) == id)
        .map(shape)
        .ok_or_else(|| {
            AppError::not_found("app.role.get.app_error", "Unable to get role.")
                .with_detail(format!("role_id={id}"))
        })
}

pub fn by_name(name: &str) -> Result<Role, AppError> {
    if !is_valid_role_name(name) {
        return Err(AppError::invalid_url_param("role_name"));
    }
    permissions::role(name).map(shape).ok_or_else(|| {
        AppError::not_found("app.role.get_by_name.app_error", "Unable to get role.")
            .with_detail(format!("name={name}"))
    })
}

/// Roles by name: blank names are skipped, unknown ones left out, a malformed one refused
/// (as Mattermost's `CleanRoleNames`).
pub fn by_names(names: &[String]) -> Result<Vec<Role>, AppError> {
    if names.is_empty() {
        return Err(AppError::invalid_body_param("rolenames"));
    }
    let mut roles = Vec::new();
    for name in names {
        if name.trim().is_empty() {
            continue;
        }
        if !is_valid_role_name(name) {
            return Err(AppError::invalid_body_param("rolename"));
        }
        if let Some(def) = permissions::role(name) {
            if !roles.iter().any(|r: &Role| r.name == def.name) {
                roles.push(shape(def));
            }
        }
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_valid_and_distinct() {
        let ids: Vec<String> = ROLES.iter().map(|r| role_id(r.name)).collect();
        assert!(ids.iter().all(|id| crate::id::is_valid_id(id)));
        assert_eq!(role_id("system_user"), role_id("system_user"));
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }
}
