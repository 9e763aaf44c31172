//! Core types shared by every module: pure types and functions, no I/O here. The one exception
//! is `path_guard::resolve_within`, which reads filesystem metadata (never contents) to refuse
//! symbolic links that leave a root.

pub mod clock;
pub mod error;
pub mod identity;
pub mod json;
pub mod path_guard;
pub mod readiness;
pub mod secret;
pub mod settings;
pub mod supervise;
