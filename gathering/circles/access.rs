//! Who may do what in a circle: the one place the membership rules are written.
//!
//! - **Read** (the circle, its members, discussions, messages, tasks, its topic): admins and
//!   every person member. Anyone else gets a 404, as if the circle did not exist.
//! - **Participate** (start, steer and post in discussions, create and review tasks): admins,
//!   and owners and participants whose platform role is at least member. An observer or a
//!   platform viewer gets a 403.
//! - **Manage** (purpose, settings, members, archiving): admins and owners (platform member).
//!
//! Nothing new starts in an archived circle (409); its history stays readable.

use deadpool_postgres::GenericClient;

use super::model::{Circle, PersonRole};
use super::store;
use crate::core::error::DomainError;
use crate::core::identity::{Identity, Role};

/// What a call needs of the caller in the circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    Read,
    Participate,
    Manage,
}

/// A circle opened for a caller: the circle and what the caller is in it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub circle: Circle,
    /// The caller's role as a person member (an admin may have none).
    pub role: Option<PersonRole>,
    pub admin: bool,
}

impl Opened {
    /// Refuses changes to an archived circle.
    pub fn active(&self) -> Result<(), DomainError> {
        if self.circle.archived_at.is_some() {
            return Err(DomainError::Conflict(format!(
                "circle {} is archived",
                self.circle.name
            )));
        }
        Ok(())
    }
}

/// Finds the circle `name` and checks that `who` has `need` in it; `lock` holds its row.
pub async fn open(
    client: &impl GenericClient,
    who: &Identity,
    name: &str,
    need: Need,
    lock: bool,
) -> Result<Opened, DomainError> {
    let missing = || DomainError::NotFound(format!("circle {name}"));
    let circle = store::circles::by_name(client, name, lock)
        .await?
        .ok_or_else(missing)?;
    let role = match who.user_id {
        Some(user) => store::members::person_role(client, circle.id, user).await?,
        None => None,
    };
    let admin = who.is_admin();
    decide(who.role, admin, role, need).map_err(|e| match e {
        Refusal::Hidden => missing(),
        Refusal::Forbidden(m) => DomainError::Forbidden(m),
    })?;
    Ok(Opened {
        circle,
        role,
        admin,
    })
}

/// Why a call is refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Not a member: the circle is not shown at all.
    Hidden,
    Forbidden(String),
}

fn decide(
    platform: Role,
    admin: bool,
    role: Option<PersonRole>,
    need: Need,
) -> Result<(), Refusal> {
    if admin {
        return Ok(());
    }
    let Some(role) = role else {
        return Err(Refusal::Hidden);
    };
    let writer = platform >= Role::Member;
    match need {
        Need::Read => Ok(()),
        Need::Participate if writer && role != PersonRole::Observer => Ok(()),
        Need::Participate => Err(Refusal::Forbidden(
            "only the circle's owners and participants (with a member account) may do this".into(),
        )),
        Need::Manage if writer && role == PersonRole::Owner => Ok(()),
        Need::Manage => Err(Refusal::Forbidden(
            "only the circle's owners or an admin may change it".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outsiders_see_nothing_observers_read_participants_write_owners_manage() {
        use Need::*;
        use PersonRole::*;
        let m = Role::Member;
        assert_eq!(decide(m, false, None, Read), Err(Refusal::Hidden));
        assert_eq!(decide(m, false, None, Manage), Err(Refusal::Hidden));
        assert!(decide(Role::Admin, true, None, Manage).is_ok());
        assert!(decide(m, false, Some(Observer), Read).is_ok());
        assert!(decide(m, false, Some(Observer), Participate).is_err());
        assert!(decide(m, false, Some(Participant), Participate).is_ok());
        assert!(decide(m, false, Some(Participant), Manage).is_err());
        assert!(decide(m, false, Some(Owner), Manage).is_ok());
        // A platform viewer reads what they belong to and changes nothing.
        assert!(decide(Role::Viewer, false, Some(Owner), Read).is_ok());
        assert!(decide(Role::Viewer, false, Some(Owner), Participate).is_err());
        assert!(decide(Role::Viewer, false, Some(Owner), Manage).is_err());
    }
}
