//! Schemas of Kubernetes kinds: importing CRDs and OpenAPI documents into JSON Schemas
//! (`import`), the registry of embedded and user schemas (`registry`), validating manifest
//! objects against them with findings that point at the value to edit (`validate`), and the
//! offline admission rules the API server enforces beyond schemas (`admission`).
//!
//! A schema directory (the embedded `schemas/<family>/` folders, a `--schema-dir`, or what
//! `meshwright schemas import --out DIR` writes) holds an `index.json` and one
//! self-contained draft-4 JSON Schema per group/version/kind at `<group>/<version>/<kind>.json`
//! (`core` for the core group).

pub mod admission;
pub mod cel;
mod defaults;
pub mod import;
mod json_node;
mod list_type;
mod redact;
pub mod registry;
mod schema_node;
pub mod upstream;
pub mod validate;

use serde::{Deserialize, Serialize};

pub use registry::{Registry, RegistryError};
pub use validate::Options;

/// Whether objects of a kind live in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    Namespaced,
    Cluster,
}

/// `index.json` of a schema directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub kinds: Vec<IndexEntry>,
}

/// One kind in `index.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    /// Known for CRDs and for Kubernetes documents with paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Path of the schema, relative to the directory holding `index.json`.
    pub file: String,
}

#[cfg(test)]
mod tests {
    use crate::findings::codes;

    /// `meshwright explain` prints these: every schema code has the four parts and a help line.
    #[test]
    fn schema_codes_are_documented() {
        let ours = [
            &codes::SCHEMA_VIOLATION,
            &codes::UNKNOWN_FIELD,
            &codes::MISSING_REQUIRED_FIELD,
            &codes::MISSING_SCHEMA,
            &codes::API_VERSION_NOT_SERVED,
            &codes::INVALID_NAME,
            &codes::INVALID_LABEL,
            &codes::CERT_MANAGER_DURATION,
            &codes::ISSUER_REF_KIND,
            &codes::PORT_LEVEL_MTLS_WITHOUT_SELECTOR,
            &codes::AUTHORIZATION_POLICY_SHAPE,
            &codes::INVALID_HOST,
            &codes::INVALID_PORT,
        ];
        for code in ours {
            for part in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(code.docs.contains(part), "{} lacks {part}", code.code);
            }
            assert!(
                !code.help.is_empty() && !code.name.contains(' '),
                "{}",
                code.code
            );
            assert_eq!(codes::lookup(&code.code.to_lowercase()), Some(code));
        }
    }
}
