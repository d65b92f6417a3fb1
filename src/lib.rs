//! meshwright: scaffold, validate and diff multi-tenant Istio mTLS GitOps repositories.
//!
//! Stages run in one direction: `intent` (mesh.yaml) → `scaffold` (blueprints rendered into
//! a write plan, applied safely to disk). The CLI in `src/cli` only wires stages together.

pub mod analyze;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod diff;
pub mod display;
pub mod findings;
pub mod intent;
pub mod kustomize;
pub mod manifest;
pub mod policy;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod validate;

/// The build script's provenance-table reader, compiled here only so its unit tests run.
#[cfg(test)]
#[path = "../build/schema_versions.rs"]
mod build_schema_versions;
