//! The scope rules of `access.rs` as SQL predicates over a [`crate::memory::access::Reader`]'s
//! parameters `$1`..`$6`: the one place they are written. Memories are aliased `m`, collections
//! `c`.

/// Which memories (`m`) the reader may see (`$6` false) or change (`$6` true).
pub const MEMORY: &str = "($2
 OR (m.scope = 'global' AND NOT $6)
 OR (m.scope = 'user' AND $5 AND m.scope_id = $1)
 OR (m.scope = 'agent' AND (m.scope_id = $3
     OR ($3::uuid IS NULL AND m.scope_id IN (SELECT a.id FROM agents.agents a WHERE a.owner_id = $1))))
 OR (m.scope = 'conversation' AND (m.scope_id = $4
     OR ($3::uuid IS NULL AND m.scope_id IN
         (SELECT c.id FROM agents.conversations c WHERE c.owner_id = $1))))
 OR (m.scope = 'circle' AND m.scope_id IN (SELECT ca.circle_id FROM memory.circle_access ca
     WHERE ca.agent_id = $3 OR ($3::uuid IS NULL AND ca.user_id = $1)))
 OR (false AND $4::uuid IS NULL))";

/// Which collections (`c`) the reader may see (`$6` false) or change (`$6` true): the owner
/// (and an agent talking to its owner) reads and changes, people it is shared with read,
/// circle members read and change, everyone reads global ones, admins do everything. The
/// conversation (`$4`) opens no collection: its branch is always false, there only so that `$4`
/// has a type when a query binds all six parameters (Postgres refuses an untyped one).
pub const COLLECTION: &str = "($2
 OR (c.scope = 'global' AND NOT $6)
 OR (($3::uuid IS NULL OR $5) AND c.owner_id = $1 AND c.scope <> 'global')
 OR (NOT $6 AND ($3::uuid IS NULL OR $5) AND c.id IN
     (SELECT s.collection_id FROM memory.collection_shares s WHERE s.user_id = $1))
 OR (c.scope = 'circle' AND c.scope_id IN (SELECT ca.circle_id FROM memory.circle_access ca
     WHERE ca.agent_id = $3 OR ($3::uuid IS NULL AND ca.user_id = $1)))
 OR (false AND $4::uuid IS NULL))";
