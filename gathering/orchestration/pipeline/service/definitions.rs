//! What changes a pipeline (create, update, delete, its webhook secret), each audited with
//! the change's event in one transaction, and what reads it (versions, diffs, breakers).

use std::sync::Arc;

use deadpool_postgres::GenericClient;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{PipelineError, Pipelines, checked, scope};
use crate::audit::{self, Outcome};
use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::Identity;
use crate::events::EventType;
use crate::orchestration::pipeline::records::{Breaker, StoredPipeline, Version};
use crate::orchestration::pipeline::store::{self, PipelineRow};

/// Only the pipeline's owner or an admin may change it.
fn may_change(who: &Identity, owner: Uuid) -> Result<(), DomainError> {
    who.may_change(Some(owner), "pipeline")
}

/// Records an audited change of `pipeline` (audit row and event, in `tx`).
async fn record_change(
    tx: &impl GenericClient,
    who: &Identity,
    event_type: EventType,
    pipeline: &StoredPipeline,
) -> Result<(), DomainError> {
    let details = json!({"pipeline": {"id": pipeline.id, "name": pipeline.name,
        "version": pipeline.version}});
    let scope = scope(pipeline.id, pipeline.owner_id, None);
    audit::record_change(tx, who, event_type, scope, details).await?;
    Ok(())
}

fn taken(e: tokio_postgres::Error, name: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::Conflict(format!("a pipeline named {name:?} exists"))
    } else {
        e.into()
    }
}

impl Pipelines {
    pub async fn create(
        &self,
        who: &Identity,
        document: Value,
    ) -> Result<StoredPipeline, PipelineError> {
        let owner = who.acting_user()?;
        let document = Arc::new(document);
        let pipeline = checked(&document).await?;
        let id = Uuid::now_v7();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = PipelineRow {
            name: &pipeline.name,
            description: &pipeline.description,
            status: &pipeline.status,
            document: &document,
        };
        store::insert_pipeline(&tx, id, owner, &row)
            .await
            .map_err(|e| taken(e, &pipeline.name))?;
        let stored = store::get_pipeline(&tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("pipeline {id} vanished in its own transaction"))
            .map_err(DomainError::from)?;
        record_change(&tx, who, EventType::PipelineCreated, &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Replaces the document: a new version; runs already started keep theirs.
    pub async fn update(
        &self,
        who: &Identity,
        id: Uuid,
        document: Value,
    ) -> Result<StoredPipeline, PipelineError> {
        let editor = who.acting_user()?;
        let document = Arc::new(document);
        let pipeline = checked(&document).await?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let (version, owner) = store::lock_pipeline(&tx, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline {id}")))?;
        may_change(who, owner)?;
        let row = PipelineRow {
            name: &pipeline.name,
            description: &pipeline.description,
            status: &pipeline.status,
            document: &document,
        };
        store::update_pipeline(&tx, id, version + 1, editor, &row)
            .await
            .map_err(|e| taken(e, &pipeline.name))?;
        let stored = store::get_pipeline(&tx, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline {id}")))?;
        record_change(&tx, who, EventType::PipelineUpdated, &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn delete(&self, who: &Identity, id: Uuid) -> Result<(), DomainError> {
        let current = self.get(id).await?;
        may_change(who, current.owner_id)?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if !store::delete_pipeline(&tx, id).await? {
            return Err(DomainError::NotFound(format!("no pipeline {id}")));
        }
        record_change(&tx, who, EventType::PipelineDeleted, &current).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get(&self, id: Uuid) -> Result<StoredPipeline, DomainError> {
        let client = self.pool.get().await?;
        store::get_pipeline(&client, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline {id}")))
    }

    /// A pipeline named by its id or its name (what schedules store); `None` when there is none.
    pub async fn find(&self, id_or_name: &str) -> Result<Option<StoredPipeline>, DomainError> {
        match Uuid::parse_str(id_or_name) {
            Ok(id) => match self.get(id).await {
                Err(DomainError::NotFound(_)) => Ok(None),
                found => found.map(Some),
            },
            Err(_) => self.by_name(id_or_name).await,
        }
    }

    /// The pipeline named `name`, if there is one (names are unique).
    pub async fn by_name(&self, name: &str) -> Result<Option<StoredPipeline>, DomainError> {
        let client = self.pool.get().await?;
        Ok(store::get_pipeline_by_name(&client, name).await?)
    }

    /// A page of pipelines; `search`: only those whose name or description contains it,
    /// ignoring case.
    pub async fn list(
        &self,
        search: Option<&str>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<StoredPipeline>, DomainError> {
        let client = self.pool.get().await?;
        Ok(store::list_pipelines(&client, search, after, limit).await?)
    }

    pub async fn versions(&self, id: Uuid) -> Result<Vec<Version>, DomainError> {
        self.get(id).await?;
        let client = self.pool.get().await?;
        Ok(store::list_versions(&client, id).await?)
    }

    pub async fn version(&self, id: Uuid, version: i32) -> Result<Version, DomainError> {
        let client = self.pool.get().await?;
        store::get_version(&client, id, version)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("pipeline {id} has no version {version}")))
    }

    /// What changed from version `from` to version `to`.
    pub async fn diff(&self, id: Uuid, from: i32, to: i32) -> Result<Value, DomainError> {
        let a = self.version(id, from).await?;
        let b = self.version(id, to).await?;
        Ok(crate::orchestration::pipeline::diff::diff(
            &a.document,
            &b.document,
        ))
    }

    pub async fn breakers(&self, id: Uuid) -> Result<Vec<Breaker>, DomainError> {
        self.get(id).await?;
        let client = self.pool.get().await?;
        Ok(store::list_breakers(&client, id).await?)
    }

    /// A new webhook secret (shown once; only its hash is kept), replacing any earlier one.
    pub async fn rotate_webhook(&self, who: &Identity, id: Uuid) -> Result<String, DomainError> {
        let stored = self.get(id).await?;
        may_change(who, stored.owner_id)?;
        let secret = format!("whsec_{}", hex::encode(rand::random::<[u8; 24]>()));
        let hash = Sha256::digest(secret.as_bytes());
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        store::set_webhook_hash(&tx, id, Some(hash.as_slice())).await?;
        audit::store::record(
            &tx,
            &audit::Entry {
                actor_id: who.user_id,
                action: "pipeline.webhook_rotated",
                outcome: Outcome::Success,
                meta: &who.meta,
                details: json!({"pipeline": {"id": id, "name": stored.name}}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }
}
