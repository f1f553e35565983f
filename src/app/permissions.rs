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
    // Teams
    CreateTeam,
    ListPublicTeams,
    JoinPublicTeams,
    ViewTeam,
    ManageTeam,
    ManageTeamRoles,
    AddUserToTeam,
    RemoveUserFromTeam,
    ListTeamChannels,
    // Channels
    CreateDirectChannel,
    CreateGroupChannel,
    CreatePublicChannel,
    CreatePrivateChannel,
    JoinPublicChannels,
    ReadPublicChannel,
    ReadChannel,
    ManagePublicChannelProperties,
    ManagePrivateChannelProperties,
    ManagePublicChannelMembers,
    ManagePrivateChannelMembers,
    ManageChannelRoles,
    DeletePublicChannel,
    DeletePrivateChannel,
    ConvertPublicChannelToPrivate,
    ConvertPrivateChannelToPublic,
    // Posts
    CreatePost,
    EditPost,
    EditOthersPosts,
    DeletePost,
    DeleteOthersPosts,
    AddReaction,
    RemoveReaction,
    UseChannelMentions,
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
            Permission::CreateTeam => "create_team",
            Permission::ListPublicTeams => "list_public_teams",
            Permission::JoinPublicTeams => "join_public_teams",
            Permission::ViewTeam => "view_team",
            Permission::ManageTeam => "manage_team",
            Permission::ManageTeamRoles => "manage_team_roles",
            Permission::AddUserToTeam => "add_user_to_team",
            Permission::RemoveUserFromTeam => "remove_user_from_team",
            Permission::ListTeamChannels => "list_team_channels",
            Permission::CreateDirectChannel => "create_direct_channel",
            Permission::CreateGroupChannel => "create_group_channel",
            Permission::CreatePublicChannel => "create_public_channel",
            Permission::CreatePrivateChannel => "create_private_channel",
            Permission::JoinPublicChannels => "join_public_channels",
            Permission::ReadPublicChannel => "read_public_channel",
            Permission::ReadChannel => "read_channel",
            Permission::ManagePublicChannelProperties => "manage_public_channel_properties",
            Permission::ManagePrivateChannelProperties => "manage_private_channel_properties",
            Permission::ManagePublicChannelMembers => "manage_public_channel_members",
            Permission::ManagePrivateChannelMembers => "manage_private_channel_members",
            Permission::ManageChannelRoles => "manage_channel_roles",
            Permission::DeletePublicChannel => "delete_public_channel",
            Permission::DeletePrivateChannel => "delete_private_channel",
            Permission::ConvertPublicChannelToPrivate => "convert_public_channel_to_private",
            Permission::ConvertPrivateChannelToPublic => "convert_private_channel_to_public",
            Permission::CreatePost => "create_post",
            Permission::EditPost => "edit_post",
            Permission::EditOthersPosts => "edit_others_posts",
            Permission::DeletePost => "delete_post",
            Permission::DeleteOthersPosts => "delete_others_posts",
            Permission::AddReaction => "add_reaction",
            Permission::RemoveReaction => "remove_reaction",
            Permission::UseChannelMentions => "use_channel_mentions",
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

/// Mattermost's default role permissions. Team and channel roles only count where the user
/// holds them (callers pass the roles of the team or channel in question).
fn role_grants(role: &str, permission: Permission) -> bool {
    use Permission::*;
    match role {
        "system_admin" => true,
        "system_user" => matches!(
            permission,
            ViewMembers
                | CreateTeam
                | ListPublicTeams
                | JoinPublicTeams
                | CreateDirectChannel
                | CreateGroupChannel
        ),
        "system_guest" => matches!(permission, CreateDirectChannel | CreateGroupChannel),
        "system_user_access_token" => {
            matches!(
                permission,
                CreateUserAccessToken | ReadUserAccessToken | RevokeUserAccessToken
            )
        }
        "team_user" => matches!(
            permission,
            ViewTeam
                | ListTeamChannels
                | JoinPublicChannels
                | ReadPublicChannel
                | CreatePublicChannel
                | CreatePrivateChannel
                | AddUserToTeam
        ),
        "team_guest" => matches!(permission, ViewTeam),
        "team_admin" => matches!(
            permission,
            ViewTeam
                | ListTeamChannels
                | JoinPublicChannels
                | ReadPublicChannel
                | CreatePublicChannel
                | CreatePrivateChannel
                | AddUserToTeam
                | RemoveUserFromTeam
                | ManageTeam
                | ManageTeamRoles
                | ManagePublicChannelMembers
                | ManagePrivateChannelMembers
                | ManagePublicChannelProperties
                | ManagePrivateChannelProperties
                | ManageChannelRoles
                | DeletePublicChannel
                | DeletePrivateChannel
                | ConvertPublicChannelToPrivate
                | ConvertPrivateChannelToPublic
                | DeleteOthersPosts
                | EditOthersPosts
        ),
        "channel_user" => matches!(
            permission,
            ReadChannel
                | CreatePost
                | EditPost
                | DeletePost
                | AddReaction
                | RemoveReaction
                | UseChannelMentions
                | ManagePublicChannelMembers
                | ManagePrivateChannelMembers
                | ManagePublicChannelProperties
                | ManagePrivateChannelProperties
                | DeletePublicChannel
                | DeletePrivateChannel
        ),
        "channel_guest" => matches!(
            permission,
            ReadChannel | CreatePost | EditPost | AddReaction | RemoveReaction
        ),
        "channel_admin" => matches!(
            permission,
            ReadChannel
                | CreatePost
                | EditPost
                | DeletePost
                | AddReaction
                | RemoveReaction
                | UseChannelMentions
                | ManagePublicChannelMembers
                | ManagePrivateChannelMembers
                | ManagePublicChannelProperties
                | ManagePrivateChannelProperties
                | ManageChannelRoles
                | DeletePublicChannel
                | DeletePrivateChannel
                | ConvertPublicChannelToPrivate
                | ConvertPrivateChannelToPublic
        ),
        _ => false,
    }
}

/// Whether any of several role lists (system, team, channel) grants `permission`.
pub fn any_grants(role_lists: &[&str], permission: Permission) -> bool {
    role_lists
        .iter()
        .any(|roles| roles_grant(roles, permission))
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
