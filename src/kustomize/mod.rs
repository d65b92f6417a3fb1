//! A native kustomize renderer: `meshwright build DIR` prints what `kubectl kustomize DIR`
//! prints, and every object keeps the file and line each of its values came from.

pub mod budget;
pub mod build;
pub mod build_metadata;
pub mod cluster_scope;
pub mod crds;
pub mod custom_fields;
pub mod emit;
pub mod error;
pub mod field_path;
pub mod field_specs;
pub mod generator;
pub mod hash;
pub mod history;
pub mod kustomization;
pub mod label_selector;
pub mod loader;
pub mod metadata_specs;
pub mod name_refs;
pub mod order;
pub mod patch;
pub mod plugin;
pub mod replacement;
pub mod restrict;
#[cfg(test)]
mod test_support;
pub mod transform;
pub mod transformer_config;
pub mod vars;
pub mod warning;

pub use build::{Moved, Rendered, build, build_with};
pub use error::KustomizeError;
pub use loader::Loader;
pub use warning::BuildWarning;
