//! Roles: what a signed-in account may do, as rules.
//!
//! Every account has one role. A **reader** reads (on the meter or by
//! subscription); newsroom staff read everything, and each role includes the
//! one below it: a **writer** drafts stories and edits their own while they
//! are off the site, an **editor** edits any story, publishes, schedules,
//! unpublishes, marks premium and chooses the home page's lead, and an
//! **admin** also gives accounts roles and runs the site's settings (sections,
//! agency rules, plans, partner codes, house ads).

use std::fmt;

/// An account's role, least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// A reader account.
    Reader,
    /// Newsroom: writes stories.
    Writer,
    /// Newsroom: edits and publishes.
    Editor,
    /// Runs the site.
    Admin,
}

impl Role {
    /// Every role, least to most privileged.
    pub const ALL: [Role; 4] = [Self::Reader, Self::Writer, Self::Editor, Self::Admin];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "reader",
            Self::Writer => "writer",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// Reads a typed or stored spelling; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Reads a stored spelling; anything unknown is the least privileged
    /// role, so a damaged row never opens the newsroom.
    pub fn from_stored(stored: &str) -> Self {
        Self::parse(stored).unwrap_or(Self::Reader)
    }

    /// Whether this role includes `least` (each role includes those below it).
    pub fn includes(self, least: Role) -> bool {
        self >= least
    }

    /// Newsroom staff: they read every story, off the meter.
    pub fn is_staff(self) -> bool {
        self.includes(Self::Writer)
    }

    /// Publishing, scheduling and unpublishing stories, marking them premium
    /// and choosing the home page's lead are an editor's.
    pub fn may_publish(self) -> bool {
        self.includes(Self::Editor)
    }

    /// Giving roles and changing the site's settings are an admin's.
    pub fn may_administer(self) -> bool {
        self.includes(Self::Admin)
    }

    /// Whether this role may change a story: an editor any; a writer only
    /// one they wrote (`own`) while it is a draft or unpublished
    /// (`in_drafts`), not once it is scheduled or on the site.
    pub fn may_edit(self, own: bool, in_drafts: bool) -> bool {
        self.may_publish() || (self == Self::Writer && own && in_drafts)
    }

    /// Whether the newsroom's story list shows only this account's own stories.
    pub fn sees_only_own_stories(self) -> bool {
        !self.may_publish()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a role change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChangeRefused {
    /// The change would leave the site without an admin.
    LastAdmin,
}

/// Whether an account may go from `from` to `to` when the site has `admins`
/// admins (counted with this account, under the same lock as the change):
/// the last admin may not be demoted, or no one could give roles again.
pub fn change_role(from: Role, to: Role, admins: u64) -> Result<(), RoleChangeRefused> {
    let demotes_an_admin = from == Role::Admin && to != Role::Admin;
    if demotes_an_admin && admins <= 1 { Err(RoleChangeRefused::LastAdmin) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_their_spelling_and_unknown_ones_are_readers() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(Role::parse("superuser"), None);
        assert_eq!(Role::from_stored("superuser"), Role::Reader);
    }

    #[test]
    fn each_role_includes_those_below_it() {
        assert!(!Role::Reader.is_staff());
        for role in [Role::Writer, Role::Editor, Role::Admin] {
            assert!(role.is_staff(), "{role}");
        }
        assert!(!Role::Writer.may_publish() && Role::Editor.may_publish() && Role::Admin.may_publish());
        assert!(!Role::Editor.may_administer() && Role::Admin.may_administer());
        assert!(Role::Writer.sees_only_own_stories() && !Role::Editor.sees_only_own_stories());
    }

    #[test]
    fn writers_edit_their_own_stories_while_they_are_off_the_site() {
        assert!(Role::Writer.may_edit(true, true));
        assert!(!Role::Writer.may_edit(true, false), "scheduled or published: an editor's now");
        assert!(!Role::Writer.may_edit(false, true), "someone else's");
        assert!(!Role::Reader.may_edit(true, true));
        for role in [Role::Editor, Role::Admin] {
            assert!(role.may_edit(false, false), "{role}");
        }
    }

    #[test]
    fn the_last_admin_stays_an_admin() {
        assert_eq!(change_role(Role::Admin, Role::Editor, 1), Err(RoleChangeRefused::LastAdmin));
        assert_eq!(change_role(Role::Admin, Role::Reader, 0), Err(RoleChangeRefused::LastAdmin));
        assert_eq!(change_role(Role::Admin, Role::Editor, 2), Ok(()));
        assert_eq!(change_role(Role::Admin, Role::Admin, 1), Ok(()), "no change");
        assert_eq!(change_role(Role::Writer, Role::Reader, 1), Ok(()));
        assert_eq!(change_role(Role::Reader, Role::Admin, 0), Ok(()));
    }
}
