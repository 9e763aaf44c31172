//! The knowledge base: collections of documents cut into chunks that cite where they come from.

pub mod chunk;
pub mod extract;
