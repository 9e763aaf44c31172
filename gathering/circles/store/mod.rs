//! The SQL of circles: `circles.rs` (circles, listed through membership) and `members.rs`
//! (agents and people in a circle, and a user's memberships).

pub mod circles;
pub mod members;
