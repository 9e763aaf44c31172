//! Searching memories: semantic (the query's vector against the serving model's vectors),
//! keyword (full text) or hybrid (both lists fused by reciprocal rank). Filters, the reader's
//! scopes included, are in the SQL of each list; a semantic list shorter than asked is redone
//! by exact scan, so a filtered search never returns fewer results than exist.

use std::collections::HashMap;

use uuid::Uuid;

use super::Memories;
use super::access::Reader;
use super::model::{Hit, Memory, SearchMode, SearchRequest, SearchResult};
use super::store::search::{self as sql, Scan};
use crate::core::error::DomainError;

/// The `k` of reciprocal rank fusion (the usual 60: ranks past the first few count little).
pub const RRF_K: f32 = 60.0;

/// Reciprocal rank fusion of ranked id lists: every id with `sum(1 / (k + rank))`, best first
/// (ties by first appearance).
pub fn fuse(lists: &[&[Uuid]], k: f32) -> Vec<(Uuid, f32)> {
    let mut scores: Vec<(Uuid, f32)> = Vec::new();
    let mut at: HashMap<Uuid, usize> = HashMap::new();
    for list in lists {
        for (i, id) in list.iter().enumerate() {
            let add = 1.0 / (k + i as f32 + 1.0);
            match at.get(id) {
                Some(&j) => scores[j].1 += add,
                None => {
                    at.insert(*id, scores.len());
                    scores.push((*id, add));
                }
            }
        }
    }
    // Stable: equal scores keep their first appearance.
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    scores
}

/// How many candidates each list of a hybrid search brings.
fn candidates(limit: usize) -> usize {
    (limit * 4).clamp(40, 200)
}

pub(super) async fn memories(
    service: &Memories,
    reader: &Reader,
    req: &SearchRequest,
) -> Result<SearchResult, DomainError> {
    req.check()?;
    let wanted = match req.mode {
        SearchMode::Hybrid => candidates(req.limit),
        _ => req.limit,
    };
    let query_vector = match req.mode {
        SearchMode::Keyword => None,
        _ => service.embeddings().query_vector(&req.query).await?,
    };
    if req.mode == SearchMode::Semantic && query_vector.is_none() {
        return Err(DomainError::Busy(
            "no embedding model can embed the query now; try keyword search".into(),
        ));
    }
    let mut client = service.client().await?;
    let mut semantic: Vec<(Memory, f32)> = Vec::new();
    if let Some(q) = &query_vector {
        let tx = client.transaction().await?;
        sql::tune(&tx, wanted).await?;
        let f = &req.filters;
        semantic = sql::semantic(
            &tx,
            reader,
            f,
            q.dimension,
            &q.model,
            &q.vector,
            wanted,
            if req.exact { Scan::Exact } else { Scan::Index },
        )
        .await?;
        if semantic.len() < wanted && !req.exact {
            semantic = sql::semantic(
                &tx,
                reader,
                f,
                q.dimension,
                &q.model,
                &q.vector,
                wanted,
                Scan::Exact,
            )
            .await?;
        }
        tx.commit().await?;
        if let Some(t) = req.threshold {
            semantic.retain(|(_, similarity)| *similarity >= t);
        }
    }
    let keyword = match req.mode {
        SearchMode::Semantic => Vec::new(),
        _ => sql::keyword(&client, reader, &req.filters, &req.query, wanted).await?,
    };
    drop(client);

    let mut hits: Vec<Hit> = match req.mode {
        SearchMode::Semantic => semantic
            .into_iter()
            .enumerate()
            .map(|(i, (memory, s))| hit(memory, s, Some(s), Some(i), None))
            .collect(),
        SearchMode::Keyword => keyword
            .into_iter()
            .enumerate()
            .map(|(i, (memory, r))| hit(memory, r, None, None, Some(i)))
            .collect(),
        SearchMode::Hybrid => {
            let s_ids: Vec<Uuid> = semantic.iter().map(|(m, _)| m.id).collect();
            let k_ids: Vec<Uuid> = keyword.iter().map(|(m, _)| m.id).collect();
            let mut found: HashMap<Uuid, Memory> = HashMap::new();
            let mut similarity: HashMap<Uuid, f32> = HashMap::new();
            for (m, s) in semantic {
                similarity.insert(m.id, s);
                found.insert(m.id, m);
            }
            for (m, _) in keyword {
                found.entry(m.id).or_insert(m);
            }
            fuse(&[&s_ids, &k_ids], RRF_K)
                .into_iter()
                .take(req.limit)
                .filter_map(|(id, score)| {
                    let memory = found.remove(&id)?;
                    let s_rank = s_ids.iter().position(|x| *x == id);
                    let k_rank = k_ids.iter().position(|x| *x == id);
                    Some(hit(
                        memory,
                        score,
                        similarity.get(&id).copied(),
                        s_rank,
                        k_rank,
                    ))
                })
                .collect()
        }
    };
    hits.truncate(req.limit);
    let mut memories: Vec<Memory> = hits.iter().map(|h| h.memory.clone()).collect();
    service.decorate(&mut memories).await?;
    for (h, m) in hits.iter_mut().zip(memories) {
        h.memory = m;
    }
    Ok(SearchResult {
        mode: req.mode,
        model: query_vector.map(|q| q.model),
        items: hits,
    })
}

fn hit(
    memory: Memory,
    score: f32,
    similarity: Option<f32>,
    semantic: Option<usize>,
    keyword: Option<usize>,
) -> Hit {
    Hit {
        memory,
        score,
        similarity,
        semantic_rank: semantic.map(|r| r as u32 + 1),
        keyword_rank: keyword.map(|r| r as u32 + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fusion_rewards_agreement_and_keeps_every_id() {
        let [a, b, c, d] = [0, 1, 2, 3].map(|_| Uuid::now_v7());
        let fused = fuse(&[&[a, b, c], &[c, d]], RRF_K);
        assert_eq!(fused.len(), 4);
        // c is in both lists: first.
        assert_eq!(fused[0].0, c);
        assert!((fused[0].1 - (1.0 / 63.0 + 1.0 / 61.0)).abs() < 1e-6);
        // a (rank 1 of one list) before d (rank 2 of the other).
        let pos = |x| fused.iter().position(|(id, _)| *id == x).unwrap();
        assert!(pos(a) < pos(d));
        assert!(fuse(&[], RRF_K).is_empty());
    }
}
