//! Core types shared by every module: no I/O here.

pub mod readiness;
