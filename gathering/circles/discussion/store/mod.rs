//! The SQL of discussions: `discussions.rs` (rows and the changes people make), `messages.rs`
//! (the transcript) and `claims.rs` (the engine's claims, leases and fenced runner writes).

pub mod claims;
pub mod discussions;
pub mod messages;
