//! Memories, their versions and links. Every read is filtered by the reader in SQL
//! (`access::MEMORY`); writes lock the row they change.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::{Args, COLUMNS, access, memory};
use crate::memory::access::Reader;
use crate::memory::model::{Filters, Link, LinkKind, Memory, MemoryType, ScopeKind, Version};

/// Whether the reader may write a memory of this scope.
pub async fn may_write(
    client: &impl GenericClient,
    reader: &Reader,
    scope: ScopeKind,
    scope_id: Option<Uuid>,
) -> Result<bool, tokio_postgres::Error> {
    let mut args = Args::default();
    let s = args.push(scope.as_str().to_owned());
    let id = args.push(scope_id);
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM (VALUES ({s}::text, {id}::uuid)) AS m(scope, scope_id) \
         WHERE {})",
        access::MEMORY
    );
    Ok(client
        .query_one(&sql, &args.with(reader, true))
        .await?
        .get(0))
}

/// Whether the scope's user, agent or conversation exists, and the user whose events it is
/// (the person; the agent's or the conversation's owner). Circles are not checked (their
/// membership decides); global has no owner.
pub async fn scope_owner(
    client: &impl GenericClient,
    scope: ScopeKind,
    scope_id: Option<Uuid>,
) -> Result<Option<Option<Uuid>>, tokio_postgres::Error> {
    let sql = match scope {
        ScopeKind::Global | ScopeKind::Circle => return Ok(Some(None)),
        ScopeKind::User => "SELECT id FROM auth.users WHERE id = $1",
        ScopeKind::Agent => "SELECT owner_id FROM agents.agents WHERE id = $1",
        ScopeKind::Conversation => "SELECT owner_id FROM agents.conversations WHERE id = $1",
    };
    Ok(client
        .query_opt(sql, &[&scope_id])
        .await?
        .map(|row| Some(row.get(0))))
}

/// What a new memory is stored with.
#[derive(Debug)]
pub struct NewRow<'a> {
    pub id: Uuid,
    pub scope: ScopeKind,
    pub scope_id: Option<Uuid>,
    pub memory_type: MemoryType,
    pub content: &'a str,
    pub content_sha: &'a [u8],
    pub importance: f32,
    pub tags: &'a [String],
    pub expires_at: Option<DateTime<Utc>>,
    pub source: serde_json::Value,
    pub by_user: Option<Uuid>,
    pub by_agent: Option<Uuid>,
}

/// Stores a memory and its first version.
pub async fn insert(
    client: &impl GenericClient,
    r: &NewRow<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO memory.memories (id, scope, scope_id, memory_type, content, content_sha, \
             importance, tags, expires_at, source, created_by, created_by_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &r.id,
                &r.scope.as_str(),
                &r.scope_id,
                &r.memory_type.as_str(),
                &r.content,
                &r.content_sha,
                &r.importance,
                &r.tags,
                &r.expires_at,
                &r.source,
                &r.by_user,
                &r.by_agent,
            ],
        )
        .await?;
    add_version(client, r.id, r.by_user, r.by_agent).await
}

/// Copies the memory's current fields into its versions.
async fn add_version(
    client: &impl GenericClient,
    id: Uuid,
    by_user: Option<Uuid>,
    by_agent: Option<Uuid>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO memory.versions (memory_id, version, memory_type, content, importance, \
             tags, expires_at, changed_by, changed_by_agent) \
             SELECT id, version, memory_type, content, importance, tags, expires_at, $2, $3 \
             FROM memory.memories WHERE id = $1",
            &[&id, &by_user, &by_agent],
        )
        .await?;
    Ok(())
}

/// The memory if the reader may see it (`writing`: change it), deleted ones included.
pub async fn get(
    client: &impl GenericClient,
    reader: &Reader,
    id: Uuid,
    writing: bool,
) -> Result<Option<Memory>, tokio_postgres::Error> {
    let mut args = Args::default();
    let p = args.push(id);
    let lock = if writing { " FOR UPDATE OF m" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM memory.memories m WHERE m.id = {p} AND {}{lock}",
        access::MEMORY
    );
    Ok(client
        .query_opt(&sql, &args.with(reader, writing))
        .await?
        .map(|r| memory(&r)))
}

/// The fields of a new version.
#[derive(Debug)]
pub struct Change<'a> {
    pub memory_type: MemoryType,
    pub content: &'a str,
    pub content_sha: &'a [u8],
    pub importance: f32,
    pub tags: &'a [String],
    pub expires_at: Option<DateTime<Utc>>,
    pub by_user: Option<Uuid>,
    pub by_agent: Option<Uuid>,
}

/// Makes the next version of a (locked) memory.
pub async fn update(
    client: &impl GenericClient,
    id: Uuid,
    c: &Change<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE memory.memories SET memory_type = $2, content = $3, content_sha = $4, \
             importance = $5, tags = $6, expires_at = $7, version = version + 1, \
             updated_at = now() WHERE id = $1",
            &[
                &id,
                &c.memory_type.as_str(),
                &c.content,
                &c.content_sha,
                &c.importance,
                &c.tags,
                &c.expires_at,
            ],
        )
        .await?;
    add_version(client, id, c.by_user, c.by_agent).await
}

/// Marks a memory deleted.
pub async fn soft_delete(
    client: &impl GenericClient,
    id: Uuid,
    by: Option<Uuid>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE memory.memories SET deleted_at = now(), deleted_by = $2, updated_at = now() \
             WHERE id = $1 AND deleted_at IS NULL",
            &[&id, &by],
        )
        .await?;
    Ok(())
}

/// Deletes a memory for good: its versions, links, vectors and recalls go with it.
pub async fn purge(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM memory.memories WHERE id = $1", &[&id])
        .await?;
    Ok(())
}

/// Every version of a memory, newest first.
pub async fn versions(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Vec<Version>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT version, memory_type, content, importance, tags, expires_at, changed_by, \
             changed_by_agent, changed_at FROM memory.versions WHERE memory_id = $1 \
             ORDER BY version DESC",
            &[&id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Version {
            version: r.get(0),
            memory_type: MemoryType::parse(r.get(1)).unwrap_or(MemoryType::Fact),
            content: r.get(2),
            importance: r.get(3),
            tags: r.get(4),
            expires_at: r.get(5),
            changed_by: r.get(6),
            changed_by_agent: r.get(7),
            changed_at: r.get(8),
        })
        .collect())
}

/// The links from and to these memories.
pub async fn links(
    client: &impl GenericClient,
    ids: &[Uuid],
) -> Result<Vec<Link>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT kind, memory_id, target_id, similarity FROM memory.links \
             WHERE memory_id = ANY($1) OR target_id = ANY($1) ORDER BY created_at",
            &[&ids],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Link {
                kind: LinkKind::parse(r.get(0))?,
                memory_id: r.get(1),
                target_id: r.get(2),
                similarity: r.get(3),
            })
        })
        .collect())
}

/// Links `memory_id` to `target_id` (once).
pub async fn link(
    client: &impl GenericClient,
    memory_id: Uuid,
    target_id: Uuid,
    kind: LinkKind,
    similarity: Option<f32>,
) -> Result<bool, tokio_postgres::Error> {
    let n = client
        .execute(
            "INSERT INTO memory.links (memory_id, target_id, kind, similarity) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&memory_id, &target_id, &kind.as_str(), &similarity],
        )
        .await?;
    Ok(n == 1)
}

/// The oldest live memory of the scope with exactly this text, other than `except`.
pub async fn same_text(
    client: &impl GenericClient,
    scope: ScopeKind,
    scope_id: Option<Uuid>,
    sha: &[u8],
    except: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    Ok(client
        .query_opt(
            "SELECT id FROM memory.memories WHERE scope = $1 AND scope_id IS NOT DISTINCT FROM $2 \
             AND content_sha = $3 AND id <> $4 AND deleted_at IS NULL ORDER BY id LIMIT 1",
            &[&scope.as_str(), &scope_id, &sha, &except],
        )
        .await?
        .map(|r| r.get(0)))
}

/// The SQL conditions of `filters` on `m` (always starts with `AND` or is empty).
pub fn filter_sql(args: &mut Args, f: &Filters) -> String {
    let mut sql = String::new();
    if !f.include_deleted {
        sql.push_str(
            " AND m.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())",
        );
    }
    if !f.scopes.is_empty() {
        let scopes: Vec<String> = f.scopes.iter().map(|s| s.as_str().to_owned()).collect();
        sql.push_str(&format!(" AND m.scope = ANY({})", args.push(scopes)));
    }
    if let Some(id) = f.scope_id {
        sql.push_str(&format!(" AND m.scope_id = {}", args.push(id)));
    }
    if !f.types.is_empty() {
        let types: Vec<String> = f.types.iter().map(|t| t.as_str().to_owned()).collect();
        sql.push_str(&format!(" AND m.memory_type = ANY({})", args.push(types)));
    }
    if !f.tags.is_empty() {
        sql.push_str(&format!(" AND m.tags @> {}", args.push(f.tags.clone())));
    }
    if let Some(t) = f.since {
        sql.push_str(&format!(" AND m.created_at >= {}", args.push(t)));
    }
    if let Some(t) = f.until {
        sql.push_str(&format!(" AND m.created_at < {}", args.push(t)));
    }
    if let Some(i) = f.min_importance {
        sql.push_str(&format!(" AND m.importance >= {}", args.push(i)));
    }
    sql
}

/// A page of the memories the reader may see, newest first, after `cursor`.
pub async fn list(
    client: &impl GenericClient,
    reader: &Reader,
    filters: &Filters,
    cursor: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Memory>, tokio_postgres::Error> {
    let mut args = Args::default();
    let mut sql = format!(
        "SELECT {COLUMNS} FROM memory.memories m WHERE {}",
        access::MEMORY
    );
    sql.push_str(&filter_sql(&mut args, filters));
    if let Some(c) = cursor {
        sql.push_str(&format!(" AND m.id < {}", args.push(c)));
    }
    sql.push_str(&format!(" ORDER BY m.id DESC LIMIT {}", args.push(limit)));
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(memory).collect())
}

/// The scope of a memory.
pub async fn scope_of(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<(ScopeKind, Option<Uuid>)>, tokio_postgres::Error> {
    Ok(client
        .query_opt(
            "SELECT scope, scope_id FROM memory.memories WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| {
            let scope: String = r.get(0);
            (
                ScopeKind::parse(&scope).unwrap_or(ScopeKind::Global),
                r.get(1),
            )
        }))
}
