//! Creating, reading, sharing and deleting collections. Who may do what is the scope predicate's
//! answer: a new collection is written, then read back through the predicate as a change in the
//! same transaction, so a caller cannot create what it could not change (a global collection
//! by a member, a circle's by an outsider).

use serde_json::json;
use uuid::Uuid;

use super::model::{check_description, check_shares};
use super::store::collections::{self as rows, NewRow};
use super::{
    Collection, CollectionPatch, CollectionRef, CollectionScope, Knowledge, NewCollection, changed,
    new_id,
};
use crate::core::error::{DomainError, is_unique_violation};
use crate::events::EventType;
use crate::memory::access::Reader;

impl Knowledge {
    /// Creates a collection owned by the reader.
    pub async fn create_collection(
        &self,
        r: &Reader,
        new: NewCollection,
    ) -> Result<Collection, DomainError> {
        let owner = r.user_id();
        let scope_id = match (new.scope, new.scope_id) {
            (CollectionScope::Global, None) => None,
            (CollectionScope::Global, Some(_)) => {
                return Err(DomainError::invalid(
                    "scope_id",
                    "global collections have none",
                ));
            }
            (CollectionScope::User, None) => Some(owner),
            (CollectionScope::User, Some(id)) if id == owner => Some(owner),
            (CollectionScope::User, Some(_)) => {
                return Err(DomainError::invalid(
                    "scope_id",
                    "a user collection belongs to its creator: leave scope_id out",
                ));
            }
            (CollectionScope::Circle, None) => {
                return Err(DomainError::invalid(
                    "scope_id",
                    "a circle collection needs its circle",
                ));
            }
            (CollectionScope::Circle, Some(id)) => Some(id),
        };
        let description = check_description(&new.description)?;
        let shares = check_shares(&new.shared_with)?;
        let id = new_id();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        check_users(&tx, &shares).await?;
        let row = NewRow {
            id,
            name: new.name.as_str(),
            description: &description,
            scope: new.scope,
            scope_id,
            owner_id: owner,
        };
        rows::insert(&tx, &row).await.map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::Conflict(format!("a collection named {} exists", new.name.as_str()))
            } else {
                e.into()
            }
        })?;
        rows::set_shares(&tx, id, &shares).await?;
        // Read back as a change: the scope rules decide whether the reader may own it.
        let Some(created) = rows::find(&tx, r, &CollectionRef::Id(id), true, false).await? else {
            return Err(DomainError::Forbidden(format!(
                "you may not create {} collections{}",
                new.scope.as_str(),
                scope_id.map(|s| format!(" of {s}")).unwrap_or_default()
            )));
        };
        changed(
            &tx,
            r,
            EventType::KnowledgeCollectionCreated,
            &created,
            json!({"scope": created.scope, "scope_id": created.scope_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// A page of the collections the reader may read, oldest first.
    pub async fn list_collections(
        &self,
        r: &Reader,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Collection>, DomainError> {
        let client = self.client().await?;
        Ok(rows::list(&client, r, after, limit).await?)
    }

    pub async fn get_collection(
        &self,
        r: &Reader,
        named: &CollectionRef,
    ) -> Result<Collection, DomainError> {
        let client = self.client().await?;
        self.collection(&client, r, named, false, false).await
    }

    /// Changes the description and the users it is shared with (who may change it).
    pub async fn update_collection(
        &self,
        r: &Reader,
        named: &CollectionRef,
        patch: CollectionPatch,
    ) -> Result<Collection, DomainError> {
        let description = patch
            .description
            .as_deref()
            .map(check_description)
            .transpose()?;
        let shares = patch.shared_with.as_deref().map(check_shares).transpose()?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let current = self.collection(&tx, r, named, true, true).await?;
        if let Some(shares) = &shares {
            check_users(&tx, shares).await?;
            rows::set_shares(&tx, current.id, shares).await?;
        }
        rows::touch(&tx, current.id, description.as_deref()).await?;
        let updated = self
            .collection(&tx, r, &CollectionRef::Id(current.id), false, false)
            .await?;
        changed(
            &tx,
            r,
            EventType::KnowledgeCollectionUpdated,
            &updated,
            json!({
                "description_changed": description.is_some(),
                "shared_with": shares.map(|_| updated.shared_with.clone()),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Deletes a collection with its documents and chunks (who may change it).
    pub async fn delete_collection(
        &self,
        r: &Reader,
        named: &CollectionRef,
    ) -> Result<(), DomainError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let current = self.collection(&tx, r, named, true, true).await?;
        rows::delete(&tx, current.id).await?;
        changed(
            &tx,
            r,
            EventType::KnowledgeCollectionDeleted,
            &current,
            json!({"document_count": current.document_count}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a share list that names a user who does not exist.
async fn check_users(
    client: &impl deadpool_postgres::GenericClient,
    shares: &[Uuid],
) -> Result<(), DomainError> {
    if shares.is_empty() {
        return Ok(());
    }
    let unknown = rows::unknown_users(client, shares).await?;
    match unknown.first() {
        Some(id) => Err(DomainError::invalid("shared_with", format!("no user {id}"))),
        None => Ok(()),
    }
}
