//! The domain types of memories: scopes, types, a memory with its versions and links, what a
//! caller sends to create or change one, and what a search asks and returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::error::DomainError;

/// Whose a memory is; decides who reads and writes it (`access.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// One person.
    User,
    /// One agent (its owner manages it).
    Agent,
    /// One conversation (its owner, and the agent in it).
    Conversation,
    /// A circle's members.
    Circle,
    /// Every signed-in user reads it; admins write it.
    Global,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 5] = [
        Self::User,
        Self::Agent,
        Self::Conversation,
        Self::Circle,
        Self::Global,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Agent => "agent",
            Self::Conversation => "conversation",
            Self::Circle => "circle",
            Self::Global => "global",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                DomainError::invalid(
                    "scope",
                    "must be user, agent, conversation, circle or global",
                )
            })
    }
}

/// What kind of thing a memory records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemoryType {
    Fact,
    Preference,
    Decision,
    Episode,
    Skill,
    Relationship,
    Context,
}

impl MemoryType {
    pub const ALL: [MemoryType; 7] = [
        Self::Fact,
        Self::Preference,
        Self::Decision,
        Self::Episode,
        Self::Skill,
        Self::Relationship,
        Self::Context,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fact => "fact",
            Self::Preference => "preference",
            Self::Decision => "decision",
            Self::Episode => "episode",
            Self::Skill => "skill",
            Self::Relationship => "relationship",
            Self::Context => "context",
        }
    }

    /// Our names in any case, and the names the original's memories were stored with
    /// (`FACT`, `episodic`, `semantic`, `procedural`, `knowledge`, ...).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim().to_ascii_lowercase();
        let found = match name.as_str() {
            "semantic" | "knowledge" | "facts" => Some(Self::Fact),
            "episodic" | "event" | "experience" => Some(Self::Episode),
            "procedural" | "procedure" | "how_to" => Some(Self::Skill),
            "preferences" => Some(Self::Preference),
            "relation" | "relationships" => Some(Self::Relationship),
            "decisions" => Some(Self::Decision),
            other => Self::ALL.into_iter().find(|t| t.as_str() == other),
        };
        found.ok_or_else(|| {
            DomainError::invalid(
                "type",
                "must be fact, preference, decision, episode, skill, relationship or context",
            )
        })
    }
}

impl<'de> Deserialize<'de> for MemoryType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

/// Where a memory came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<Uuid>,
}

/// How two memories relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The memory replaces the target.
    Supersedes,
    /// A near-identical memory of the same scope existed before it.
    DuplicateOf,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supersedes => "supersedes",
            Self::DuplicateOf => "duplicate_of",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "supersedes" => Some(Self::Supersedes),
            "duplicate_of" => Some(Self::DuplicateOf),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = MemoryLink)]
pub struct Link {
    pub kind: LinkKind,
    pub memory_id: Uuid,
    pub target_id: Uuid,
    /// The cosine similarity that made a `duplicate_of` link (1 for identical text).
    pub similarity: Option<f32>,
}

/// A stored memory, as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Memory {
    pub id: Uuid,
    pub scope: ScopeKind,
    pub scope_id: Option<Uuid>,
    #[serde(rename = "type")]
    pub memory_type: MemoryType,
    pub content: String,
    pub importance: f32,
    pub tags: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub source: Provenance,
    pub created_by: Option<Uuid>,
    pub created_by_agent: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Whether its vector of the serving embedding model is written (until then it is found
    /// by keywords only).
    pub embedded: bool,
    /// Links from and to it.
    pub links: Vec<Link>,
}

/// One version of a memory.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = MemoryVersion)]
pub struct Version {
    pub version: i32,
    #[serde(rename = "type")]
    pub memory_type: MemoryType,
    pub content: String,
    pub importance: f32,
    pub tags: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub changed_by: Option<Uuid>,
    pub changed_by_agent: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
}

/// A memory with every version, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MemoryDetail {
    #[serde(flatten)]
    pub memory: Memory,
    pub versions: Vec<Version>,
}

/// `POST /api/memories`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemory {
    pub scope: ScopeKind,
    /// The user, agent, conversation or circle; none for `global`. For `user`, blank means
    /// the caller.
    #[serde(default)]
    pub scope_id: Option<Uuid>,
    /// `fact` when left out.
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<String>)]
    pub memory_type: Option<MemoryType>,
    pub content: String,
    /// 0 to 1; 0.5 when left out.
    #[serde(default)]
    pub importance: Option<f32>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub source: Provenance,
    /// A memory this one replaces (same scope; linked `supersedes`).
    #[serde(default)]
    pub supersedes: Option<Uuid>,
}

/// `PATCH /api/memories/{id}`: a new version with these fields changed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemoryPatch {
    pub content: Option<String>,
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<String>)]
    pub memory_type: Option<MemoryType>,
    pub importance: Option<f32>,
    pub tags: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The longest memory, in bytes.
pub const MAX_CONTENT_BYTES: usize = 16 * 1024;
/// At most this many tags, each at most 64 characters.
pub const MAX_TAGS: usize = 32;

/// Checks content, importance and tags of a memory about to be stored; returns the trimmed
/// content and normalised tags.
pub fn check_fields(
    content: &str,
    importance: f32,
    tags: &[String],
) -> Result<(String, Vec<String>), DomainError> {
    let content = content.trim();
    if content.is_empty() {
        return Err(DomainError::invalid("content", "must not be empty"));
    }
    if content.len() > MAX_CONTENT_BYTES {
        return Err(DomainError::invalid(
            "content",
            format!("at most {MAX_CONTENT_BYTES} bytes"),
        ));
    }
    if content.contains('\0') {
        return Err(DomainError::invalid("content", "must not contain NUL"));
    }
    if !(0.0..=1.0).contains(&importance) || importance.is_nan() {
        return Err(DomainError::invalid("importance", "must be 0 to 1"));
    }
    Ok((content.to_owned(), check_tags(tags)?))
}

/// Tags trimmed, lower-cased and de-duplicated; each 1 to 64 characters without NUL.
pub fn check_tags(tags: &[String]) -> Result<Vec<String>, DomainError> {
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tag.chars().count() > 64 || tag.contains('\0') {
            return Err(DomainError::invalid(
                "tags",
                "each tag must be 1 to 64 characters",
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

/// What a list or a search keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Only these scopes (all when empty).
    pub scopes: Vec<ScopeKind>,
    pub scope_id: Option<Uuid>,
    /// Only these types (all when empty).
    pub types: Vec<MemoryType>,
    /// Only memories with every one of these tags.
    pub tags: Vec<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub min_importance: Option<f32>,
    /// Lists only: soft-deleted memories too.
    pub include_deleted: bool,
}

/// How to search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Vectors (HNSW, cosine).
    Semantic,
    /// Postgres full text.
    Keyword,
    /// Both, fused by reciprocal rank.
    #[default]
    Hybrid,
}

impl SearchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Semantic => "semantic",
            Self::Keyword => "keyword",
            Self::Hybrid => "hybrid",
        }
    }
}

/// A search of memories (or of knowledge chunks).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub query: String,
    pub mode: SearchMode,
    /// 1 to 100.
    pub limit: usize,
    /// The least cosine similarity a semantic match needs (0 to 1).
    pub threshold: Option<f32>,
    pub filters: Filters,
    /// Compare the query with every vector instead of walking the HNSW index: perfect recall,
    /// slower on large scopes.
    pub exact: bool,
}

/// The longest search query, in bytes.
pub const MAX_QUERY_BYTES: usize = 2048;

impl SearchRequest {
    pub fn check(&self) -> Result<(), DomainError> {
        if self.query.trim().is_empty() {
            return Err(DomainError::invalid("query", "must not be empty"));
        }
        if self.query.len() > MAX_QUERY_BYTES || self.query.contains('\0') {
            return Err(DomainError::invalid(
                "query",
                format!("at most {MAX_QUERY_BYTES} bytes, without NUL"),
            ));
        }
        if !(1..=100).contains(&self.limit) {
            return Err(DomainError::invalid("limit", "must be 1 to 100"));
        }
        if let Some(t) = self.threshold
            && (!(0.0..=1.0).contains(&t) || t.is_nan())
        {
            return Err(DomainError::invalid("threshold", "must be 0 to 1"));
        }
        Ok(())
    }
}

/// One memory found, with why.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub memory: Memory,
    /// The fused score (hybrid), the similarity (semantic) or the text rank (keyword).
    pub score: f32,
    /// Cosine similarity to the query, when the vectors found it.
    pub similarity: Option<f32>,
    /// 1-based rank among the semantic matches.
    pub semantic_rank: Option<u32>,
    /// 1-based rank among the keyword matches.
    pub keyword_rank: Option<u32>,
}

/// What a search found, and with which embedding model.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub mode: SearchMode,
    /// The embedding model of the vectors searched (none when keywords only).
    pub model: Option<String>,
    pub items: Vec<Hit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_load_the_original_names_too() {
        assert_eq!(MemoryType::parse("FACT").unwrap(), MemoryType::Fact);
        assert_eq!(MemoryType::parse("episodic").unwrap(), MemoryType::Episode);
        assert_eq!(MemoryType::parse("procedural").unwrap(), MemoryType::Skill);
        assert!(MemoryType::parse("gossip").is_err());
    }

    #[test]
    fn fields_are_checked() {
        assert!(check_fields(" a ", 0.5, &[]).is_ok());
        assert!(check_fields("  ", 0.5, &[]).is_err());
        assert!(check_fields("a", 1.5, &[]).is_err());
        assert!(check_fields("a", f32::NAN, &[]).is_err());
        assert!(check_fields(&"x".repeat(MAX_CONTENT_BYTES + 1), 0.5, &[]).is_err());
        let (_, tags) = check_fields("a", 0.5, &["A".into(), "a ".into()]).unwrap();
        assert_eq!(tags, vec!["a".to_owned()]);
        assert!(check_tags(&["".into()]).is_err());
    }
}
