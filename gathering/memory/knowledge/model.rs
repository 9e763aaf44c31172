//! The knowledge base's types: collections (with who they are shared with), documents, their
//! chunks, uploads and their outcomes, and searches with their cited hits. Names are parsed
//! here, once, at the edge.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::error::DomainError;
use crate::memory::model::SearchMode;

/// The most users one collection is shared with.
pub const MAX_SHARES: usize = 200;
/// The longest collection description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// The longest document name, in characters.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 255;
/// The most collections one search names.
pub const MAX_SEARCH_COLLECTIONS: usize = 50;

/// A collection's unique name: `^[a-z0-9][a-z0-9._-]{0,62}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CollectionName(String);

impl CollectionName {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let first = s
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let rest = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if first && rest && s.len() <= 63 {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "name",
                "use 1 to 63 lowercase letters, digits, '.', '_' and '-', starting with a \
                 letter or digit",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a request names a collection: its id, or its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectionRef {
    Id(Uuid),
    Name(CollectionName),
}

impl CollectionRef {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match Uuid::parse_str(s) {
            Ok(id) => Ok(Self::Id(id)),
            Err(_) => Ok(Self::Name(CollectionName::parse(s)?)),
        }
    }
}

impl std::fmt::Display for CollectionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Name(name) => f.write_str(name.as_str()),
        }
    }
}

/// Who reads a collection: its owner and the users it is shared with (`user`), a circle's
/// members (`circle`), or every signed-in user (`global`, changed by admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = KnowledgeCollectionScope)]
pub enum CollectionScope {
    #[default]
    User,
    Circle,
    Global,
}

impl CollectionScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Circle => "circle",
            Self::Global => "global",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "user" => Some(Self::User),
            "circle" => Some(Self::Circle),
            "global" => Some(Self::Global),
            _ => None,
        }
    }
}

/// A stored collection.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = KnowledgeCollection)]
pub struct Collection {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub scope: CollectionScope,
    /// The owner (`user`) or the circle (`circle`); none for `global`.
    pub scope_id: Option<Uuid>,
    pub owner_id: Uuid,
    /// The users it is shared with (they read it).
    pub shared_with: Vec<Uuid>,
    pub document_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A collection to create.
#[derive(Debug, Clone)]
pub struct NewCollection {
    pub name: CollectionName,
    pub description: String,
    pub scope: CollectionScope,
    /// The circle of a `circle` collection; for `user` the owner (the caller when left out).
    pub scope_id: Option<Uuid>,
    pub shared_with: Vec<Uuid>,
}

/// A change of a collection.
#[derive(Debug, Clone, Default)]
pub struct CollectionPatch {
    pub description: Option<String>,
    /// Replaces the whole list.
    pub shared_with: Option<Vec<Uuid>>,
}

/// Checks a description.
pub fn check_description(description: &str) -> Result<String, DomainError> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS || description.contains('\0') {
        return Err(DomainError::invalid(
            "description",
            format!("at most {MAX_DESCRIPTION_CHARS} characters, without NUL"),
        ));
    }
    Ok(description.to_owned())
}

/// Checks a share list: at most [`MAX_SHARES`] users, each once (order kept).
pub fn check_shares(shared_with: &[Uuid]) -> Result<Vec<Uuid>, DomainError> {
    let mut out: Vec<Uuid> = Vec::with_capacity(shared_with.len());
    for id in shared_with {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > MAX_SHARES {
        return Err(DomainError::invalid(
            "shared_with",
            format!("at most {MAX_SHARES} users"),
        ));
    }
    Ok(out)
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = KnowledgeDocument)]
pub struct Document {
    pub id: Uuid,
    pub collection_id: Uuid,
    /// The file name as uploaded (no directories).
    pub name: String,
    pub content_type: String,
    /// The size of the file.
    pub bytes: i64,
    /// The sha256 of the file, in hex.
    pub sha256: String,
    pub chunk_count: i32,
    /// How many of its chunks have a vector of the serving embedding model (until then they
    /// are found by keywords only).
    pub embedded_chunks: i64,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One chunk of a document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = KnowledgeChunk)]
pub struct ChunkView {
    pub id: Uuid,
    /// 0-based order in the document.
    pub position: i32,
    /// The headings above it, outermost first (`page 3` for a PDF page; the file name and a
    /// row range for CSV rows).
    pub heading_path: Vec<String>,
    pub content: String,
    pub tokens: i32,
}

/// A document with its chunks in order.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = KnowledgeDocumentDetail)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: Document,
    pub chunks: Vec<ChunkView>,
}

/// A file to ingest, as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name as sent (directories are dropped).
    pub file_name: String,
    /// The part's content type, when it had one.
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// What an upload did to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = UploadOutcome)]
pub enum Outcome {
    /// A new document.
    Ingested,
    /// A document of that name existed with other content: its chunks were replaced.
    Replaced,
    /// A document of that name existed with the same content: nothing was written.
    Unchanged,
}

/// A document after an upload, and what the upload did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = UploadedDocument)]
pub struct Ingested {
    pub document: Document,
    pub outcome: Outcome,
}

/// The name a document is stored under: the last component of the uploaded file name.
pub fn document_name(file_name: &str) -> Result<String, DomainError> {
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.chars().count() > MAX_DOCUMENT_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(DomainError::invalid(
            "file",
            format!(
                "a file name of 1 to {MAX_DOCUMENT_NAME_CHARS} characters is needed, without \
                 control characters"
            ),
        ));
    }
    Ok(name.to_owned())
}

/// A search of the chunks of the collections a reader may see.
#[derive(Debug, Clone)]
pub struct KnowledgeQuery {
    pub query: String,
    /// Only these collections (each must be readable); all readable ones when empty.
    pub collections: Vec<CollectionRef>,
    pub mode: SearchMode,
    /// 1 to 100.
    pub limit: usize,
    /// The least cosine similarity a semantic match needs (0 to 1).
    pub threshold: Option<f32>,
}

/// A chunk found, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KnowledgeHit {
    pub chunk_id: Uuid,
    pub document_id: Uuid,
    pub document_name: String,
    pub collection_id: Uuid,
    pub collection_name: String,
    /// The chunk's 0-based order in its document.
    pub position: i32,
    /// The headings above it, outermost first.
    pub heading_path: Vec<String>,
    pub content: String,
    /// The fused score (hybrid), the similarity (semantic) or the text rank (keyword).
    pub score: f32,
    /// Cosine similarity to the query, when the vectors found it.
    pub similarity: Option<f32>,
    /// 1-based rank among the semantic matches.
    pub semantic_rank: Option<u32>,
    /// 1-based rank among the keyword matches.
    pub keyword_rank: Option<u32>,
}

/// What a knowledge search found, and with which embedding model.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KnowledgeResult {
    pub mode: SearchMode,
    /// The embedding model of the vectors searched (none when keywords only).
    pub model: Option<String>,
    pub items: Vec<KnowledgeHit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_references_are_parsed() {
        assert!(CollectionName::parse("docs.v2_a-b").is_ok());
        for bad in ["", "Docs", "-a", "a b", &"a".repeat(64)] {
            assert!(CollectionName::parse(bad).is_err(), "{bad:?}");
        }
        let id = Uuid::now_v7();
        assert_eq!(
            CollectionRef::parse(&id.to_string()).unwrap(),
            CollectionRef::Id(id)
        );
        assert!(matches!(
            CollectionRef::parse("handbook").unwrap(),
            CollectionRef::Name(_)
        ));
    }

    #[test]
    fn document_names_lose_their_directories() {
        assert_eq!(document_name("a/b/guide.md").unwrap(), "guide.md");
        assert_eq!(document_name("C:\\x\\notes.txt").unwrap(), "notes.txt");
        for bad in ["", "dir/", "..", "a\u{1}.md", &"x".repeat(256)] {
            assert!(document_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shares_are_deduplicated_and_bounded() {
        let a = Uuid::now_v7();
        assert_eq!(check_shares(&[a, a]).unwrap(), vec![a]);
        let many: Vec<Uuid> = (0..=MAX_SHARES).map(|_| Uuid::now_v7()).collect();
        assert!(check_shares(&many).is_err());
    }
}
