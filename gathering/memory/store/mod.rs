//! The memory module's SQL: memories with their versions and links (`memories.rs`), the scope
//! predicates (`access.rs`), vector tables per dimension (`vectors.rs`), the embedding cache and
//! the serving model (`embedding.rs`), searches (`search.rs`) and the recalls of turns
//! (`recalls.rs`). Every query that reads memories or collections starts with a reader's six
//! parameters ([`Args`]).

pub mod access;
pub mod embedding;
pub mod memories;
pub mod recalls;
pub mod search;
pub mod vectors;

use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::access::Reader;
use super::model::{Memory, MemoryType, Provenance, ScopeKind};

/// The parameters of a query after a reader's `$1`..`$6`: each `push` returns its `$n`.
#[derive(Default)]
pub struct Args {
    values: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Args {
    pub fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", 6 + self.values.len())
    }

    /// The reader's parameters, then these.
    pub fn with<'a>(&'a self, reader: &'a Reader, writing: bool) -> Vec<&'a (dyn ToSql + Sync)> {
        let flag = if writing {
            &super::access::WRITING
        } else {
            &super::access::READING
        };
        let mut out: Vec<&(dyn ToSql + Sync)> = reader.params(flag).to_vec();
        out.extend(self.values.iter().map(|v| &**v as &(dyn ToSql + Sync)));
        out
    }
}

/// The columns [`memory`] reads, of a table aliased `m`.
pub const COLUMNS: &str = "m.id, m.scope, m.scope_id, m.memory_type, m.content, m.importance, \
    m.tags, m.expires_at, m.version, m.source, m.created_by, m.created_by_agent, m.created_at, \
    m.updated_at, m.deleted_at";

/// A memory from a row of [`COLUMNS`] (its `embedded` flag and links are filled by the caller).
pub fn memory(row: &Row) -> Memory {
    let scope: String = row.get(1);
    let memory_type: String = row.get(3);
    let source: serde_json::Value = row.get(9);
    Memory {
        id: row.get(0),
        scope: ScopeKind::parse(&scope).unwrap_or(ScopeKind::Global),
        scope_id: row.get(2),
        memory_type: MemoryType::parse(&memory_type).unwrap_or(MemoryType::Fact),
        content: row.get(4),
        importance: row.get(5),
        tags: row.get(6),
        expires_at: row.get(7),
        version: row.get(8),
        source: serde_json::from_value::<Provenance>(source).unwrap_or_default(),
        created_by: row.get(10),
        created_by_agent: row.get(11),
        created_at: row.get(12),
        updated_at: row.get(13),
        deleted_at: row.get(14),
        embedded: false,
        links: Vec::new(),
    }
}
