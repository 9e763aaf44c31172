//! Searching knowledge: the chunks of the collections a reader may read (or of those it names),
//! by meaning, by words, or both fused by reciprocal rank, each hit with its citation
//! (collection, document, heading path, position). As for memories, a semantic list shorter than
//! asked is redone by exact scan, so a narrow search never misses chunks that exist.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{KnowledgeHit, KnowledgeQuery, KnowledgeResult, MAX_SEARCH_COLLECTIONS};
use super::store::collections as collection_rows;
use super::store::search::{self as sql, Nearest};
use super::{CollectionRef, Knowledge, not_found};
use crate::core::error::DomainError;
use crate::memory::access::Reader;
use crate::memory::model::{Filters, SearchMode, SearchRequest};
use crate::memory::search::{RRF_K, fuse};
use crate::memory::store::search::{Scan, tune};

/// How many candidates each list of a hybrid search brings.
fn candidates(limit: usize) -> usize {
    (limit * 4).clamp(40, 200)
}

impl Knowledge {
    /// Searches the chunks the reader may read.
    pub async fn search(
        &self,
        r: &Reader,
        q: &KnowledgeQuery,
    ) -> Result<KnowledgeResult, DomainError> {
        // The query's own limits are those of a memory search.
        SearchRequest {
            query: q.query.clone(),
            mode: q.mode,
            limit: q.limit,
            threshold: q.threshold,
            filters: Filters::default(),
            exact: false,
        }
        .check()?;
        if q.collections.len() > MAX_SEARCH_COLLECTIONS {
            return Err(DomainError::invalid(
                "collections",
                format!("at most {MAX_SEARCH_COLLECTIONS}"),
            ));
        }
        let mut client = self.client().await?;
        let only = self.named(&client, r, &q.collections).await?;
        let wanted = match q.mode {
            SearchMode::Hybrid => candidates(q.limit),
            _ => q.limit,
        };
        let query_vector = match q.mode {
            SearchMode::Keyword => None,
            _ => self.memories.embeddings().query_vector(&q.query).await?,
        };
        if q.mode == SearchMode::Semantic && query_vector.is_none() {
            return Err(DomainError::Busy(
                "no embedding model can embed the query now; try keyword search".into(),
            ));
        }
        let only = only.as_deref();
        let mut semantic = Vec::new();
        if let Some(v) = &query_vector {
            let nearest = Nearest {
                model: &v.model,
                dimension: v.dimension,
                vector: &v.vector,
            };
            let tx = client.transaction().await?;
            tune(&tx, wanted).await?;
            semantic = sql::semantic(&tx, r, only, &nearest, wanted, Scan::Index).await?;
            if semantic.len() < wanted {
                semantic = sql::semantic(&tx, r, only, &nearest, wanted, Scan::Exact).await?;
            }
            tx.commit().await?;
            if let Some(t) = q.threshold {
                semantic.retain(|(_, similarity)| *similarity >= t);
            }
        }
        let keyword = match q.mode {
            SearchMode::Semantic => Vec::new(),
            _ => sql::keyword(&client, r, only, &q.query, wanted).await?,
        };
        drop(client);
        let mut items = rank(q.mode, semantic, keyword);
        items.truncate(q.limit);
        Ok(KnowledgeResult {
            mode: q.mode,
            model: query_vector.map(|v| v.model),
            items,
        })
    }

    /// The ids of the collections a search names (each must be readable); `None` for all.
    async fn named(
        &self,
        client: &impl deadpool_postgres::GenericClient,
        r: &Reader,
        named: &[CollectionRef],
    ) -> Result<Option<Vec<Uuid>>, DomainError> {
        if named.is_empty() {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(named.len());
        for one in named {
            let found = collection_rows::find(client, r, one, false, false)
                .await?
                .ok_or_else(|| not_found(one))?;
            ids.push(found.id);
        }
        Ok(Some(ids))
    }
}

/// The hits of a search in its mode: each list as it is, or both fused.
fn rank(
    mode: SearchMode,
    semantic: Vec<(KnowledgeHit, f32)>,
    keyword: Vec<(KnowledgeHit, f32)>,
) -> Vec<KnowledgeHit> {
    match mode {
        SearchMode::Semantic => semantic
            .into_iter()
            .enumerate()
            .map(|(i, (mut hit, similarity))| {
                hit.score = similarity;
                hit.similarity = Some(similarity);
                hit.semantic_rank = Some(i as u32 + 1);
                hit
            })
            .collect(),
        SearchMode::Keyword => keyword
            .into_iter()
            .enumerate()
            .map(|(i, (mut hit, rank))| {
                hit.score = rank;
                hit.keyword_rank = Some(i as u32 + 1);
                hit
            })
            .collect(),
        SearchMode::Hybrid => {
            let s_ids: Vec<Uuid> = semantic.iter().map(|(h, _)| h.chunk_id).collect();
            let k_ids: Vec<Uuid> = keyword.iter().map(|(h, _)| h.chunk_id).collect();
            let mut similarity: HashMap<Uuid, f32> = HashMap::new();
            let mut found: HashMap<Uuid, KnowledgeHit> = HashMap::new();
            for (hit, s) in semantic {
                similarity.insert(hit.chunk_id, s);
                found.insert(hit.chunk_id, hit);
            }
            for (hit, _) in keyword {
                found.entry(hit.chunk_id).or_insert(hit);
            }
            fuse(&[&s_ids, &k_ids], RRF_K)
                .into_iter()
                .filter_map(|(id, score)| {
                    let mut hit = found.remove(&id)?;
                    hit.score = score;
                    hit.similarity = similarity.get(&id).copied();
                    hit.semantic_rank = s_ids.iter().position(|x| *x == id).map(|p| p as u32 + 1);
                    hit.keyword_rank = k_ids.iter().position(|x| *x == id).map(|p| p as u32 + 1);
                    Some(hit)
                })
                .collect()
        }
    }
}
