//! Who reads memories and knowledge: a person, or an agent acting for its owner. A [`Reader`]
//! becomes the first parameters of every query (`$1` to `$6`), and the one predicate in
//! `store/access.rs` decides in SQL what it may see and write: never a filter applied after the
//! fact, so counts, search results and pages cannot leak.
//!
//! The rules, per scope:
//! - `global`: every reader reads; only an admin (a person) writes;
//! - `user`: the person themselves; an agent reads and writes its owner's only when the person
//!   talking to it is that owner;
//! - `agent`: the agent itself, and its owner;
//! - `conversation`: the conversation's owner, and the agent in that conversation;
//! - `circle`: the circle's members (`memory.circle_access`), people and agents;
//! - an admin (a person, never an agent acting for one) reads and writes every scope.

use tokio_postgres::types::ToSql;
use uuid::Uuid;

use crate::core::error::DomainError;
use crate::core::identity::Identity;

/// What a caller may see and write. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Reader {
    who: Identity,
    /// `$1`: the person, or the agent's owner.
    user_id: Uuid,
    /// `$2`: an admin person (all scopes).
    admin: bool,
    /// `$3`: the agent acting, if any.
    agent_id: Option<Uuid>,
    /// `$4`: the conversation the agent acts in.
    conversation_id: Option<Uuid>,
    /// `$5`: whether the `user` scope of `user_id` is open (an agent talking to someone
    /// other than its owner must not repeat the owner's memories).
    user_scope: bool,
}

impl Reader {
    /// A signed-in user (admins read every scope).
    pub fn person(who: &Identity) -> Result<Self, DomainError> {
        let user_id = who.acting_user()?;
        Ok(Self {
            who: who.clone(),
            user_id,
            admin: who.is_admin(),
            agent_id: None,
            conversation_id: None,
            user_scope: true,
        })
    }

    /// An agent acting for its owner, in a conversation with `who`.
    pub fn agent(
        who: &Identity,
        agent_id: Uuid,
        owner_id: Uuid,
        conversation_id: Option<Uuid>,
    ) -> Self {
        Self {
            who: who.clone(),
            user_id: owner_id,
            admin: false,
            agent_id: Some(agent_id),
            conversation_id,
            user_scope: who.user_id == Some(owner_id),
        }
    }

    /// Who acts (for the audit log and the events).
    pub fn identity(&self) -> &Identity {
        &self.who
    }

    /// The person, or the agent's owner.
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    pub fn agent_id(&self) -> Option<Uuid> {
        self.agent_id
    }

    pub fn conversation_id(&self) -> Option<Uuid> {
        self.conversation_id
    }

    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// `$1`..`$6` of a query; `writing` is `$6` (global memories are read by all, written
    /// by admins).
    pub(crate) fn params(&self, writing: &'static bool) -> [&(dyn ToSql + Sync); 6] {
        [
            &self.user_id,
            &self.admin,
            &self.agent_id,
            &self.conversation_id,
            &self.user_scope,
            writing,
        ]
    }
}

/// `$6` of a read.
pub(crate) static READING: bool = false;
/// `$6` of a write.
pub(crate) static WRITING: bool = true;
