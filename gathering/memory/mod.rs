//! Memory and knowledge (placeholder until the memory core lands; see docs/memory.md).

pub mod knowledge;
