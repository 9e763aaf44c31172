//! Pipelines: JSON DAGs validated at the edge and run by the engine. `validate.rs` turns a
//! pipeline document (a superset of the original GatheRing's format) into a checked [`Pipeline`],
//! or reports every problem at once, each with its node or edge id and a stable code;
//! `schemas.rs` holds the JSON Schema of each node type's `config`; `expr.rs` is the sandboxed
//! expression language (CEL) of conditions, transforms and filters.

pub mod expr;
mod graph;
pub mod model;
pub mod schemas;
pub mod validate;

pub use model::{Pipeline, Problem};
pub use validate::validate;
