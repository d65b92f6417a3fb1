//! Finding and reading a kustomization file, and refusing what meshwright does not render.
//!
//! A field meshwright does not implement (Helm charts, plugins, KRM functions, remote
//! resources) is an error naming the field and its file:line, never silently ignored.

use std::path::{Path, PathBuf};

use super::error::KustomizeError;
use super::loader::Loader;
use super::restrict::confined;
use crate::manifest::Node;

/// File names kustomize accepts, in the order it looks for them.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Fields rendered by meshwright.
const SUPPORTED: [&str; 24] = [
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "crds",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonLabels",
    "commonAnnotations",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "replacements",
    "buildMetadata",
    "sortOptions",
];

/// Fields kustomize knows that meshwright refuses, with the reason given to the user.
const UNSUPPORTED: [(&str, &str); 9] = [
    (
        "helmCharts",
        "Helm chart inflation is not supported; render the chart and commit its output",
    ),
    ("helmGlobals", "Helm chart inflation is not supported"),
    (
        "helmChartInflationGenerator",
        "Helm chart inflation is not supported",
    ),
    ("generators", "generator plugins are not supported"),
    ("transformers", "transformer plugins are not supported"),
    ("validators", "validator plugins are not supported"),
    (
        "openapi",
        "custom OpenAPI schemas for patches are not supported",
    ),
    (
        "configurations",
        "custom transformer configurations are not supported",
    ),
    (
        "vars",
        "vars are deprecated in kustomize v5 and not supported; use replacements",
    ),
];

/// A parsed kustomization and the directory it lives in.
pub struct Kustomization {
    pub dir: PathBuf,
    pub root: Node,
}

impl Kustomization {
    /// The kustomization file inside `dir`, if there is one.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    }

    /// Reads and checks the kustomization in `dir` (canonical); the file itself is under
    /// the load restrictor like every other file, so it cannot be a link out of `dir`.
    pub fn load(dir: &Path, loader: &Loader) -> Result<Kustomization, KustomizeError> {
        let file = Kustomization::find(dir).ok_or_else(|| KustomizeError {
            origin: None,
            message: format!(
                "{}: no kustomization.yaml, kustomization.yml or Kustomization here",
                dir.display()
            ),
        })?;
        let present: Vec<&str> = FILE_NAMES
            .into_iter()
            .filter(|name| dir.join(name).is_file())
            .collect();
        if present.len() > 1 {
            return Err(KustomizeError {
                origin: None,
                message: format!(
                    "{}: found multiple kustomization files ({}); kustomize refuses to choose",
                    dir.display(),
                    present.join(", ")
                ),
            });
        }
        confined(dir, &file).map_err(|why| KustomizeError {
            origin: None,
            message: format!("{}: {why}", file.display()),
        })?;
        let mut documents = loader.load_kustomization(&file)?;
        let root = match documents.len() {
            1 => documents.remove(0),
            0 => {
                return Err(KustomizeError {
                    origin: None,
                    message: format!("{}: the kustomization is empty", file.display()),
                });
            }
            _ => {
                return Err(KustomizeError::at(
                    &documents[1].origin,
                    "a kustomization file holds exactly one YAML document",
                ));
            }
        };
        let Some(entries) = root.as_map() else {
            return Err(KustomizeError::at(
                &root.origin,
                "a kustomization must be a mapping",
            ));
        };
        for (key, value) in entries {
            if let Some((_, why)) = UNSUPPORTED.iter().find(|(field, _)| field == key) {
                return Err(KustomizeError::at(&value.origin, format!("`{key}`: {why}")));
            }
            if !SUPPORTED.contains(&key.as_str()) {
                return Err(KustomizeError::at(
                    &value.origin,
                    format!("unknown kustomization field `{key}`"),
                ));
            }
        }
        Ok(Kustomization {
            dir: dir.to_path_buf(),
            root,
        })
    }

    pub fn field(&self, key: &str) -> Option<&Node> {
        self.root.get(key).filter(|n| !n.is_null())
    }

    /// A string field, e.g. `namespace`.
    pub fn string(&self, key: &str) -> Result<Option<&str>, KustomizeError> {
        match self.field(key) {
            None => Ok(None),
            Some(node) => node.as_str().map(Some).ok_or_else(|| {
                KustomizeError::at(&node.origin, format!("`{key}` must be a string"))
            }),
        }
    }

    /// The entries of a list field (empty when absent).
    pub fn list(&self, key: &str) -> Result<&[Node], KustomizeError> {
        match self.field(key) {
            None => Ok(&[]),
            Some(node) => node
                .as_seq()
                .ok_or_else(|| KustomizeError::at(&node.origin, format!("`{key}` must be a list"))),
        }
    }

    /// The string entries of a list field, with their nodes for error positions.
    pub fn string_list(&self, key: &str) -> Result<Vec<(&str, &Node)>, KustomizeError> {
        self.list(key)?
            .iter()
            .map(|node| {
                node.as_str().map(|s| (s, node)).ok_or_else(|| {
                    KustomizeError::at(&node.origin, format!("entries of `{key}` must be strings"))
                })
            })
            .collect()
    }

    /// A map of strings, e.g. `commonLabels`.
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, KustomizeError> {
        match self.field(key) {
            None => Ok(Vec::new()),
            Some(node) => string_map(node, key),
        }
    }
}

/// A mapping whose values are scalars, as strings (labels and annotations).
pub fn string_map(node: &Node, what: &str) -> Result<Vec<(String, String)>, KustomizeError> {
    let entries = node
        .as_map()
        .ok_or_else(|| KustomizeError::at(&node.origin, format!("`{what}` must be a mapping")))?;
    entries
        .iter()
        .map(|(k, v)| {
            let value = match &v.value {
                crate::manifest::Value::String(s) => s.clone(),
                crate::manifest::Value::Number(n) => n.to_string(),
                crate::manifest::Value::Bool(b) => b.to_string(),
                crate::manifest::Value::Null => String::new(),
                _ => {
                    return Err(KustomizeError::at(
                        &v.origin,
                        format!("values of `{what}` must be strings"),
                    ));
                }
            };
            Ok((k.clone(), value))
        })
        .collect()
}

/// Refuses keys of a mapping (a generator entry, a replacement) outside `allowed`, as
/// kustomize's strict reading does: a misspelt key is an error, not ignored.
pub fn known_keys(node: &Node, allowed: &[&str], what: &str) -> Result<(), KustomizeError> {
    let entries = node
        .as_map()
        .ok_or_else(|| KustomizeError::at(&node.origin, format!("{what} must be a mapping")))?;
    match entries
        .iter()
        .find(|(key, _)| !allowed.contains(&key.as_str()))
    {
        Some((key, value)) => Err(KustomizeError::at(
            &value.origin,
            format!("{what}: unknown field `{key}`"),
        )),
        None => Ok(()),
    }
}
