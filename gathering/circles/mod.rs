//! Circles.

pub mod discussion;
