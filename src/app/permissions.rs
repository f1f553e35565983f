//! Mattermost's default system roles and the permissions they grant.
//!
//! Team and channel roles join this table with the chat core. `system_admin` holds every
//! permission.

use townsquare_sdk::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ManageSystem,
    EditOtherUsers,
    ManageRoles,
    ViewMembers,
    CreateUserAccessToken,
    ReadUserAccessToken,
    RevokeUserAccessToken,
    ManageLicenseInformation,
    ReadLicenseInformation,
}

impl Permission {
    /// Mattermost's permission id, shown in 403 details.
    pub fn id(self) -> &'static str {
        match self {
            Permission::ManageSystem => "manage_system",
            Permission::EditOtherUsers => "edit_other_users",
            Permission::ManageRoles => "manage_roles",
            Permission::ViewMembers => "view_members",
            Permission::CreateUserAccessToken => "create_user_access_token",
            Permission::ReadUserAccessToken => "read_user_access_token",
            Permission::RevokeUserAccessToken => "revoke_user_access_token",
            Permission::ManageLicenseInformation => "manage_license_information",
            Permission::ReadLicenseInformation => "read_license_information",
        }
    }
}

/// System roles a user may hold.
pub const SYSTEM_ROLES: [&str; 4] = [
    "system_user",
    "system_admin",
    "system_user_access_token",
    "system_guest",
];

fn role_grants(role: &str, permission: Permission) -> bool {
    use Permission::*;
    match role {
        "system_admin" => true,
        "system_user" => matches!(permission, ViewMembers),
        "system_guest" => false,
        "system_user_access_token" => {
            matches!(
                permission,
                CreateUserAccessToken | ReadUserAccessToken | RevokeUserAccessToken
            )
        }
        _ => false,
    }
}

/// Whether a space-separated role list grants `permission`.
pub fn roles_grant(roles: &str, permission: Permission) -> bool {
    roles
        .split_whitespace()
        .any(|role| role_grants(role, permission))
}

/// `Ok` if the roles grant the permission, else Mattermost's 403.
pub fn require(roles: &str, permission: Permission) -> Result<(), AppError> {
    if roles_grant(roles, permission) {
        Ok(())
    } else {
        Err(AppError::forbidden(permission.id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_have_everything_users_do_not() {
        assert!(roles_grant(
            "system_user system_admin",
            Permission::ManageRoles
        ));
        assert!(!roles_grant("system_user", Permission::ManageRoles));
        assert!(!roles_grant(
            "system_user",
            Permission::CreateUserAccessToken
        ));
        assert!(roles_grant(
            "system_user system_user_access_token",
            Permission::CreateUserAccessToken
        ));
        assert_eq!(
            require("system_user", Permission::EditOtherUsers)
                .unwrap_err()
                .status_code,
            403
        );
    }
}
