//! The knowledge base's SQL: collections and their shares (`collections.rs`), documents and
//! their chunks (`documents.rs`), and the two searches over chunks (`search.rs`). Every query
//! that reads a collection, or what is in one, applies the reader's scope predicate
//! (`memory::store::access::COLLECTION`) in its `WHERE`.

pub mod collections;
pub mod documents;
pub mod search;
