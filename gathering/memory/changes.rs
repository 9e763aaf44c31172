//! How a change of a memory is recorded: the audit row and the `memory.*` event, in the
//! change's transaction, through `audit::record_change`. The event is scoped so that only who
//! may read the memory sees it: the person (`user`), the agent's owner (`agent`), the
//! conversation's owner (`conversation`), the circle (`circle`, admins until membership
//! exists); global memories' events go to admins.

use deadpool_postgres::GenericClient;
use serde_json::json;
use uuid::Uuid;

use super::model::{Memory, ScopeKind};
use super::store::memories;
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::{EventType, Scope};

/// The event scope of a memory of `scope`.
pub async fn event_scope(
    client: &impl GenericClient,
    scope: ScopeKind,
    scope_id: Option<Uuid>,
) -> Result<Scope, DomainError> {
    let owner = memories::scope_owner(client, scope, scope_id)
        .await?
        .flatten();
    Ok(match scope {
        ScopeKind::User => Scope {
            user_id: scope_id,
            ..Scope::default()
        },
        ScopeKind::Agent => Scope {
            agent_id: scope_id,
            user_id: owner,
            ..Scope::default()
        },
        ScopeKind::Conversation => Scope {
            conversation_id: scope_id,
            user_id: owner,
            ..Scope::default()
        },
        ScopeKind::Circle => Scope {
            circle_id: scope_id,
            ..Scope::default()
        },
        ScopeKind::Global => Scope::default(),
    })
}

/// Records `event_type` about `memory`.
pub async fn changed(
    tx: &impl GenericClient,
    who: &Identity,
    event_type: EventType,
    memory: &Memory,
) -> Result<(), DomainError> {
    let scope = event_scope(tx, memory.scope, memory.scope_id).await?;
    crate::audit::record_change(
        tx,
        who,
        event_type,
        scope,
        json!({
            "memory_id": memory.id,
            "scope": memory.scope.as_str(),
            "scope_id": memory.scope_id,
            "type": memory.memory_type.as_str(),
            "version": memory.version,
            "agent_id": memory.created_by_agent,
        }),
    )
    .await?;
    Ok(())
}

/// Records that `id` was linked `duplicate_of` `target`.
pub async fn linked(
    tx: &impl GenericClient,
    who: &Identity,
    id: Uuid,
    target: Uuid,
    similarity: f32,
) -> Result<(), DomainError> {
    let Some((scope, scope_id)) = memories::scope_of(tx, id).await? else {
        return Ok(());
    };
    let event_scope = event_scope(tx, scope, scope_id).await?;
    crate::audit::record_change(
        tx,
        who,
        EventType::MemoryLinked,
        event_scope,
        json!({
            "memory_id": id,
            "target_id": target,
            "kind": "duplicate_of",
            "similarity": similarity,
            "scope": scope.as_str(),
            "scope_id": scope_id,
        }),
    )
    .await?;
    Ok(())
}
