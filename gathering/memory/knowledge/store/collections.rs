//! Collections and who they are shared with. Reads go through the reader's predicate
//! (`access::COLLECTION`, the collection aliased `c`); writes take an id the service found
//! through it.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::memory::access::Reader;
use crate::memory::knowledge::model::{Collection, CollectionRef, CollectionScope};
use crate::memory::store::{Args, access};

/// The columns [`collection`] reads, of `memory.collections c`.
const COLUMNS: &str = "c.id, c.name, c.description, c.scope, c.scope_id, c.owner_id, \
    ARRAY(SELECT s.user_id FROM memory.collection_shares s WHERE s.collection_id = c.id \
          ORDER BY s.user_id), \
    (SELECT count(*) FROM memory.documents d WHERE d.collection_id = c.id), \
    c.created_at, c.updated_at";

fn collection(row: &Row) -> Collection {
    let scope: String = row.get(3);
    Collection {
        id: row.get(0),
        name: row.get(1),
        description: row.get(2),
        scope: CollectionScope::parse(&scope).unwrap_or(CollectionScope::Global),
        scope_id: row.get(4),
        owner_id: row.get(5),
        shared_with: row.get(6),
        document_count: row.get(7),
        created_at: row.get(8),
        updated_at: row.get(9),
    }
}

/// The collection `named` if the reader may read it (`writing` false) or change it (true);
/// `lock` takes its row lock until the transaction ends (uploads to it queue behind).
pub async fn find(
    client: &impl GenericClient,
    reader: &Reader,
    named: &CollectionRef,
    writing: bool,
    lock: bool,
) -> Result<Option<Collection>, tokio_postgres::Error> {
    let mut args = Args::default();
    let which = match named {
        CollectionRef::Id(id) => format!("c.id = {}", args.push(*id)),
        CollectionRef::Name(name) => format!("c.name = {}", args.push(name.as_str().to_owned())),
    };
    let lock = if lock { " FOR UPDATE OF c" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM memory.collections c WHERE {which} AND {}{lock}",
        access::COLLECTION
    );
    let row = client.query_opt(&sql, &args.with(reader, writing)).await?;
    Ok(row.as_ref().map(collection))
}

/// A page of the collections the reader may read, by id, after `after`.
pub async fn list(
    client: &impl GenericClient,
    reader: &Reader,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Collection>, tokio_postgres::Error> {
    let mut args = Args::default();
    let after = args.push(after);
    let limit = args.push(limit);
    let sql = format!(
        "SELECT {COLUMNS} FROM memory.collections c \
         WHERE ({after}::uuid IS NULL OR c.id > {after}) AND {} ORDER BY c.id LIMIT {limit}",
        access::COLLECTION
    );
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(collection).collect())
}

/// The ids of those readable among `ids` (a search's named collections, checked).
pub async fn readable(
    client: &impl GenericClient,
    reader: &Reader,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let mut args = Args::default();
    let ids = args.push(ids.to_vec());
    let sql = format!(
        "SELECT c.id FROM memory.collections c WHERE c.id = ANY({ids}) AND {}",
        access::COLLECTION
    );
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// A new collection's row.
pub struct NewRow<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub description: &'a str,
    pub scope: CollectionScope,
    pub scope_id: Option<Uuid>,
    pub owner_id: Uuid,
}

pub async fn insert(
    client: &impl GenericClient,
    row: &NewRow<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO memory.collections (id, name, description, scope, scope_id, owner_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &row.id,
                &row.name,
                &row.description,
                &row.scope.as_str(),
                &row.scope_id,
                &row.owner_id,
            ],
        )
        .await?;
    Ok(())
}

/// Which of `ids` name no user.
pub async fn unknown_users(
    client: &impl GenericClient,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT i FROM unnest($1::uuid[]) i WHERE NOT EXISTS \
             (SELECT 1 FROM auth.users u WHERE u.id = i)",
            &[&ids],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Makes `users` the whole share list of collection `id`.
pub async fn set_shares(
    client: &impl GenericClient,
    id: Uuid,
    users: &[Uuid],
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "DELETE FROM memory.collection_shares WHERE collection_id = $1 \
             AND NOT (user_id = ANY($2))",
            &[&id, &users],
        )
        .await?;
    client
        .execute(
            "INSERT INTO memory.collection_shares (collection_id, user_id) \
             SELECT $1, u FROM unnest($2::uuid[]) u ON CONFLICT DO NOTHING",
            &[&id, &users],
        )
        .await?;
    Ok(())
}

/// Sets the description (when given) and the time of the change.
pub async fn touch(
    client: &impl GenericClient,
    id: Uuid,
    description: Option<&str>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE memory.collections SET description = coalesce($2, description), \
             updated_at = now() WHERE id = $1",
            &[&id, &description],
        )
        .await?;
    Ok(())
}

/// Deletes collection `id` with its documents, chunks and their vectors (cascades).
pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM memory.collections WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
