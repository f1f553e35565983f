//! Mattermost's default roles and the permissions they grant: the one table both the
//! permission checks and `/api/v4/roles` read.
//!
//! `system_admin` holds every permission. Team and channel roles only count where the user
//! holds them (callers pass the roles of the team or channel in question).

use townsquare_sdk::AppError;

macro_rules! permissions {
    ($($variant:ident = $id:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Permission {
            $($variant,)*
        }

        impl Permission {
            /// Every permission, in declaration order (what `system_admin` holds).
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// Mattermost's permission id, shown in 403 details and in role lists.
            pub fn id(self) -> &'static str {
                match self {
                    $(Permission::$variant => $id,)*
                }
            }
        }
    };
}

permissions! {
    ManageSystem = "manage_system",
    EditOtherUsers = "edit_other_users",
    ManageRoles = "manage_roles",
    ViewMembers = "view_members",
    CreateUserAccessToken = "create_user_access_token",
    ReadUserAccessToken = "read_user_access_token",
    RevokeUserAccessToken = "revoke_user_access_token",
    ManageLicenseInformation = "manage_license_information",
    ReadLicenseInformation = "read_license_information",
    CreateEmojis = "create_emojis",
    DeleteEmojis = "delete_emojis",
    DeleteOthersEmojis = "delete_others_emojis",
    // Teams
    CreateTeam = "create_team",
    ListPublicTeams = "list_public_teams",
    JoinPublicTeams = "join_public_teams",
    ViewTeam = "view_team",
    ManageTeam = "manage_team",
    ManageTeamRoles = "manage_team_roles",
    AddUserToTeam = "add_user_to_team",
    RemoveUserFromTeam = "remove_user_from_team",
    ListTeamChannels = "list_team_channels",
    // Channels
    CreateDirectChannel = "create_direct_channel",
    CreateGroupChannel = "create_group_channel",
    CreatePublicChannel = "create_public_channel",
    CreatePrivateChannel = "create_private_channel",
    JoinPublicChannels = "join_public_channels",
    ReadPublicChannel = "read_public_channel",
    ReadChannel = "read_channel",
    ReadChannelContent = "read_channel_content",
    ManagePublicChannelProperties = "manage_public_channel_properties",
    ManagePrivateChannelProperties = "manage_private_channel_properties",
    ManagePublicChannelMembers = "manage_public_channel_members",
    ManagePrivateChannelMembers = "manage_private_channel_members",
    ManageChannelRoles = "manage_channel_roles",
    DeletePublicChannel = "delete_public_channel",
    DeletePrivateChannel = "delete_private_channel",
    ConvertPublicChannelToPrivate = "convert_public_channel_to_private",
    ConvertPrivateChannelToPublic = "convert_private_channel_to_public",
    // Posts
    CreatePost = "create_post",
    CreatePostPublic = "create_post_public",
    EditPost = "edit_post",
    EditOthersPosts = "edit_others_posts",
    DeletePost = "delete_post",
    DeleteOthersPosts = "delete_others_posts",
    AddReaction = "add_reaction",
    RemoveReaction = "remove_reaction",
    UseChannelMentions = "use_channel_mentions",
    UploadFile = "upload_file",
    // Channel bookmarks
    AddBookmarkPublicChannel = "add_bookmark_public_channel",
    EditBookmarkPublicChannel = "edit_bookmark_public_channel",
    DeleteBookmarkPublicChannel = "delete_bookmark_public_channel",
    OrderBookmarkPublicChannel = "order_bookmark_public_channel",
    AddBookmarkPrivateChannel = "add_bookmark_private_channel",
    EditBookmarkPrivateChannel = "edit_bookmark_private_channel",
    DeleteBookmarkPrivateChannel = "delete_bookmark_private_channel",
    OrderBookmarkPrivateChannel = "order_bookmark_private_channel",
}

/// System roles a user may hold.
pub const SYSTEM_ROLES: [&str; 4] = [
    "system_user",
    "system_admin",
    "system_user_access_token",
    "system_guest",
];

/// What a role grants.
#[derive(Debug, Clone, Copy)]
pub enum Grants {
    /// Every permission (`system_admin`).
    All,
    Only(&'static [Permission]),
}

/// One of Mattermost's built-in roles.
#[derive(Debug)]
pub struct RoleDef {
    pub name: &'static str,
    /// Mattermost sends translation keys (`authentication.roles.*`), which clients look up.
    pub display_key: &'static str,
    /// Whether a permission scheme may override the role (team and channel member roles).
    pub scheme_managed: bool,
    pub grants: Grants,
}

impl RoleDef {
    pub fn permissions(&self) -> &'static [Permission] {
        match self.grants {
            Grants::All => Permission::ALL,
            Grants::Only(list) => list,
        }
    }

    fn grants(&self, permission: Permission) -> bool {
        match self.grants {
            Grants::All => true,
            Grants::Only(list) => list.contains(&permission),
        }
    }
}

use Permission::*;

const CHANNEL_USER: &[Permission] = &[
    ReadChannel,
    ReadChannelContent,
    AddReaction,
    RemoveReaction,
    ManagePublicChannelMembers,
    UploadFile,
    CreatePost,
    UseChannelMentions,
    ManagePublicChannelProperties,
    DeletePublicChannel,
    ManagePrivateChannelProperties,
    DeletePrivateChannel,
    ManagePrivateChannelMembers,
    DeletePost,
    EditPost,
    AddBookmarkPublicChannel,
    EditBookmarkPublicChannel,
    DeleteBookmarkPublicChannel,
    OrderBookmarkPublicChannel,
    AddBookmarkPrivateChannel,
    EditBookmarkPrivateChannel,
    DeleteBookmarkPrivateChannel,
    OrderBookmarkPrivateChannel,
];

const CHANNEL_ADMIN: &[Permission] = &[
    ReadChannel,
    ReadChannelContent,
    AddReaction,
    RemoveReaction,
    ManagePublicChannelMembers,
    UploadFile,
    CreatePost,
    UseChannelMentions,
    ManagePublicChannelProperties,
    DeletePublicChannel,
    ManagePrivateChannelProperties,
    DeletePrivateChannel,
    ManagePrivateChannelMembers,
    DeletePost,
    EditPost,
    ManageChannelRoles,
    ConvertPublicChannelToPrivate,
    ConvertPrivateChannelToPublic,
    AddBookmarkPublicChannel,
    EditBookmarkPublicChannel,
    DeleteBookmarkPublicChannel,
    OrderBookmarkPublicChannel,
    AddBookmarkPrivateChannel,
    EditBookmarkPrivateChannel,
    DeleteBookmarkPrivateChannel,
    OrderBookmarkPrivateChannel,
];

const TEAM_USER: &[Permission] = &[
    ListTeamChannels,
    JoinPublicChannels,
    ReadPublicChannel,
    ViewTeam,
    CreatePublicChannel,
    CreatePrivateChannel,
    AddUserToTeam,
];

const TEAM_ADMIN: &[Permission] = &[
    ListTeamChannels,
    JoinPublicChannels,
    ReadPublicChannel,
    ViewTeam,
    CreatePublicChannel,
    CreatePrivateChannel,
    AddUserToTeam,
    RemoveUserFromTeam,
    ManageTeam,
    ManageTeamRoles,
    ManageChannelRoles,
    ManagePublicChannelMembers,
    ManagePrivateChannelMembers,
    ManagePublicChannelProperties,
    ManagePrivateChannelProperties,
    DeletePublicChannel,
    DeletePrivateChannel,
    ConvertPublicChannelToPrivate,
    ConvertPrivateChannelToPublic,
    DeletePost,
    DeleteOthersPosts,
    EditOthersPosts,
    AddBookmarkPublicChannel,
    EditBookmarkPublicChannel,
    DeleteBookmarkPublicChannel,
    OrderBookmarkPublicChannel,
    AddBookmarkPrivateChannel,
    EditBookmarkPrivateChannel,
    DeleteBookmarkPrivateChannel,
    OrderBookmarkPrivateChannel,
];

/// Mattermost's built-in roles, as this server enforces them.
pub const ROLES: &[RoleDef] = &[
    RoleDef {
        name: "system_admin",
        display_key: "global_admin",
        scheme_managed: true,
        grants: Grants::All,
    },
    RoleDef {
        name: "system_user",
        display_key: "global_user",
        scheme_managed: true,
        grants: Grants::Only(&[
            ListPublicTeams,
            JoinPublicTeams,
            CreateDirectChannel,
            CreateGroupChannel,
            ViewMembers,
            CreateTeam,
            CreateEmojis,
            DeleteEmojis,
        ]),
    },
    RoleDef {
        name: "system_guest",
        display_key: "global_guest",
        scheme_managed: true,
        grants: Grants::Only(&[CreateDirectChannel, CreateGroupChannel]),
    },
    RoleDef {
        name: "system_user_access_token",
        display_key: "system_user_access_token",
        scheme_managed: false,
        grants: Grants::Only(&[
            CreateUserAccessToken,
            ReadUserAccessToken,
            RevokeUserAccessToken,
        ]),
    },
    RoleDef {
        name: "system_post_all",
        display_key: "system_post_all",
        scheme_managed: false,
        grants: Grants::Only(&[CreatePost, UseChannelMentions]),
    },
    RoleDef {
        name: "system_post_all_public",
        display_key: "system_post_all_public",
        scheme_managed: false,
        grants: Grants::Only(&[CreatePostPublic, UseChannelMentions]),
    },
    RoleDef {
        name: "team_admin",
        display_key: "team_admin",
        scheme_managed: true,
        grants: Grants::Only(TEAM_ADMIN),
    },
    RoleDef {
        name: "team_user",
        display_key: "team_user",
        scheme_managed: true,
        grants: Grants::Only(TEAM_USER),
    },
    RoleDef {
        name: "team_guest",
        display_key: "team_guest",
        scheme_managed: true,
        grants: Grants::Only(&[ViewTeam]),
    },
    RoleDef {
        name: "team_post_all",
        display_key: "team_post_all",
        scheme_managed: false,
        grants: Grants::Only(&[CreatePost, UseChannelMentions]),
    },
    RoleDef {
        name: "team_post_all_public",
        display_key: "team_post_all_public",
        scheme_managed: false,
        grants: Grants::Only(&[CreatePostPublic, UseChannelMentions]),
    },
    RoleDef {
        name: "channel_admin",
        display_key: "channel_admin",
        scheme_managed: true,
        grants: Grants::Only(CHANNEL_ADMIN),
    },
    RoleDef {
        name: "channel_user",
        display_key: "channel_user",
        scheme_managed: true,
        grants: Grants::Only(CHANNEL_USER),
    },
    RoleDef {
        name: "channel_guest",
        display_key: "channel_guest",
        scheme_managed: true,
        grants: Grants::Only(&[
            ReadChannel,
            ReadChannelContent,
            AddReaction,
            RemoveReaction,
            UploadFile,
            EditPost,
            CreatePost,
            UseChannelMentions,
        ]),
    },
];

/// A built-in role by name.
pub fn role(name: &str) -> Option<&'static RoleDef> {
    ROLES.iter().find(|role| role.name == name)
}

fn role_grants(role_name: &str, permission: Permission) -> bool {
    role(role_name).is_some_and(|role| role.grants(permission))
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
