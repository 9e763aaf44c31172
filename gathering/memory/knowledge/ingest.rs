//! Uploads and documents. An upload is checked whole before anything is written: each file's
//! kind, then its text (read and cut into chunks on a blocking thread, where a parser's panic
//! is caught); one unreadable file and nothing is stored. Then one transaction writes every
//! changed document and replaces its chunks; a file whose bytes did not change is not even read.

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;

use super::chunk::{self, Budget, Chunk};
use super::extract::{self, ExtractError, Format};
use super::model::document_name;
use super::store::collections as collection_rows;
use super::store::documents::{self as rows, ChunkRow, DocumentRow};
use super::{
    CollectionRef, Document, DocumentDetail, Ingested, Knowledge, KnowledgeError, Outcome,
    TokenCounter, Upload, changed, new_id,
};
use crate::core::error::DomainError;
use crate::events::EventType;
use crate::memory::access::Reader;
use crate::memory::embed::sha256;

/// A file of an upload, checked.
struct Prepared {
    name: String,
    format: Format,
    sha: Vec<u8>,
    bytes: i64,
    /// None when the stored document has the same bytes (nothing to read).
    chunks: Option<Vec<Chunk>>,
}

impl Knowledge {
    /// Ingests `files` into a collection the reader may change: each becomes a new document, or
    /// replaces the chunks of the document of the same name, or is left as it is when its bytes
    /// did not change. All or nothing.
    pub async fn upload(
        &self,
        r: &Reader,
        named: &CollectionRef,
        files: Vec<Upload>,
    ) -> Result<Vec<Ingested>, KnowledgeError> {
        if files.is_empty() {
            return Err(DomainError::invalid("file", "upload at least one file").into());
        }
        let limit = self.max_upload_bytes();
        if files.iter().map(|f| f.bytes.len()).sum::<usize>() > limit {
            return Err(KnowledgeError::TooLarge { limit });
        }
        let collection = {
            let client = self.client().await?;
            self.collection(&client, r, named, true, false).await?
        };
        let mut names: Vec<String> = Vec::with_capacity(files.len());
        let mut formats = Vec::with_capacity(files.len());
        for file in &files {
            let name = document_name(&file.file_name)?;
            if names.contains(&name) {
                return Err(DomainError::invalid("file", format!("{name} is sent twice")).into());
            }
            let format = Format::detect(&name, file.content_type.as_deref()).map_err(|e| {
                KnowledgeError::Unsupported {
                    file: name.clone(),
                    message: e.to_string(),
                }
            })?;
            names.push(name);
            formats.push(format);
        }
        let stored: HashMap<String, Vec<u8>> = {
            let client = self.client().await?;
            rows::shas(&client, collection.id, &names, false)
                .await?
                .into_iter()
                .map(|(name, _, sha)| (name, sha))
                .collect()
        };
        // The serving model's own tokenizer when it is the local one; the estimate otherwise.
        let tokens = self
            .memories
            .embeddings()
            .token_counter()
            .await
            .unwrap_or_else(|| self.tokens.clone());
        let mut prepared = Vec::with_capacity(files.len());
        for ((file, name), format) in files.into_iter().zip(names.iter()).zip(formats) {
            let sha = sha256_bytes(&file.bytes);
            let bytes = file.bytes.len() as i64;
            let chunks = if stored.get(name) == Some(&sha) {
                None
            } else {
                let text = read(format, name.clone(), file.bytes, self.budget(), &tokens);
                Some(text.await.map_err(|e| KnowledgeError::InvalidDocument {
                    file: name.clone(),
                    message: e.to_string(),
                })?)
            };
            prepared.push(Prepared {
                name: name.clone(),
                format,
                sha,
                bytes,
                chunks,
            });
        }

        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Uploads to one collection queue here, so a name's document is written by one at a time.
        let collection = self.collection(&tx, r, named, true, true).await?;
        let current: HashMap<String, (Uuid, Vec<u8>)> =
            rows::shas(&tx, collection.id, &names, true)
                .await?
                .into_iter()
                .map(|(name, id, sha)| (name, (id, sha)))
                .collect();
        let mut results = Vec::with_capacity(prepared.len());
        let mut written = false;
        for file in prepared {
            let existing = current.get(&file.name);
            if existing.is_some_and(|(_, sha)| *sha == file.sha) {
                results.push((existing.map(|(id, _)| *id), Outcome::Unchanged));
                continue;
            }
            let Some(chunks) = file.chunks else {
                return Err(DomainError::Conflict(format!(
                    "{} changed during the upload: upload it again",
                    file.name
                ))
                .into());
            };
            let (id, outcome) = match existing {
                Some((id, _)) => (*id, Outcome::Replaced),
                None => (new_id(), Outcome::Ingested),
            };
            let document = rows::upsert(
                &tx,
                &DocumentRow {
                    id,
                    collection_id: collection.id,
                    name: &file.name,
                    content_type: file.format.content_type(),
                    sha256: &file.sha,
                    bytes: file.bytes,
                    chunk_count: i32::try_from(chunks.len()).unwrap_or(i32::MAX),
                    uploaded_by: r.identity().user_id,
                },
            )
            .await?;
            rows::replace_chunks(&tx, id, &chunk_rows(chunks)).await?;
            changed(
                &tx,
                r,
                EventType::KnowledgeDocumentIngested,
                &collection,
                json!({
                    "document_id": document.id,
                    "name": document.name,
                    "outcome": outcome,
                    "chunk_count": document.chunk_count,
                    "sha256": document.sha256,
                }),
            )
            .await?;
            written = true;
            results.push((Some(id), outcome));
        }
        if written {
            collection_rows::touch(&tx, collection.id, None).await?;
        }
        tx.commit().await?;
        if written {
            self.memories.embeddings().wake();
        }
        let client = self.client().await?;
        let ids: Vec<Uuid> = results.iter().filter_map(|(id, _)| *id).collect();
        let mut documents = rows::by_ids(&client, &ids).await?;
        drop(client);
        self.count_embedded(&mut documents).await?;
        Ok(results
            .into_iter()
            .filter_map(|(id, outcome)| {
                let document = documents.iter().find(|d| Some(d.id) == id)?.clone();
                Some(Ingested { document, outcome })
            })
            .collect())
    }

    /// The documents of a collection the reader may read, by name.
    pub async fn documents(
        &self,
        r: &Reader,
        named: &CollectionRef,
    ) -> Result<Vec<Document>, DomainError> {
        let client = self.client().await?;
        let collection = self.collection(&client, r, named, false, false).await?;
        let mut documents = rows::list(&client, collection.id).await?;
        drop(client);
        self.count_embedded(&mut documents).await?;
        Ok(documents)
    }

    /// A document with its chunks, if the reader may read its collection.
    pub async fn document(&self, r: &Reader, id: Uuid) -> Result<DocumentDetail, DomainError> {
        let client = self.client().await?;
        let document = rows::find(&client, r, id, false)
            .await?
            .ok_or_else(|| document_not_found(id))?;
        let chunks = rows::chunks(&client, id).await?;
        drop(client);
        let mut one = [document];
        self.count_embedded(&mut one).await?;
        let [document] = one;
        Ok(DocumentDetail { document, chunks })
    }

    /// Deletes a document with its chunks (who may change its collection).
    pub async fn delete_document(&self, r: &Reader, id: Uuid) -> Result<(), DomainError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(document) = rows::find(&tx, r, id, true).await? else {
            return Err(match rows::find(&tx, r, id, false).await? {
                Some(_) => DomainError::Forbidden(format!(
                    "you may read document {id} but not change its collection"
                )),
                None => document_not_found(id),
            });
        };
        let collection = self
            .collection(
                &tx,
                r,
                &CollectionRef::Id(document.collection_id),
                true,
                true,
            )
            .await?;
        rows::delete(&tx, id).await?;
        collection_rows::touch(&tx, collection.id, None).await?;
        changed(
            &tx,
            r,
            EventType::KnowledgeDocumentDeleted,
            &collection,
            json!({"document_id": id, "name": document.name}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Fills each document's count of chunks with a vector of the serving model.
    async fn count_embedded(&self, documents: &mut [Document]) -> Result<(), DomainError> {
        if documents.is_empty() {
            return Ok(());
        }
        let embeddings = self.memories.embeddings();
        let serving = match embeddings.state().await {
            Ok(state) => state.serving,
            // No embedding model is configured: nothing is embedded.
            Err(DomainError::Invalid { .. }) => None,
            Err(e) => return Err(e),
        };
        let Some(model) = serving else {
            return Ok(());
        };
        embeddings.ensure_tables(model.dimension).await?;
        let ids: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
        let client = self.client().await?;
        let counts: HashMap<Uuid, i64> =
            rows::embedded_chunks(&client, &ids, &model.name, model.dimension)
                .await?
                .into_iter()
                .collect();
        for d in documents {
            d.embedded_chunks = counts.get(&d.id).copied().unwrap_or(0);
        }
        Ok(())
    }
}

fn document_not_found(id: Uuid) -> DomainError {
    DomainError::NotFound(format!("no document {id}"))
}

fn sha256_bytes(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

/// Reads a file and cuts it into chunks on a blocking thread; a panic there (a parser's) is a
/// corrupt document.
async fn read(
    format: Format,
    name: String,
    bytes: Vec<u8>,
    budget: Budget,
    tokens: &TokenCounter,
) -> Result<Vec<Chunk>, ExtractError> {
    let tokens = tokens.clone();
    tokio::task::spawn_blocking(move || {
        let extracted = extract::extract(format, &name, &bytes)?;
        Ok(chunk::chunk(&extracted.sections, budget, &*tokens))
    })
    .await
    .unwrap_or_else(|_| Err(ExtractError::Corrupt("the parser failed".into())))
}

fn chunk_rows(chunks: Vec<Chunk>) -> Vec<ChunkRow> {
    chunks
        .into_iter()
        .map(|c| ChunkRow {
            id: new_id(),
            position: i32::try_from(c.position).unwrap_or(i32::MAX),
            content_sha: sha256(&c.content),
            tokens: i32::try_from(c.tokens).unwrap_or(i32::MAX),
            heading_path: c.heading_path,
            content: c.content,
        })
        .collect()
}
