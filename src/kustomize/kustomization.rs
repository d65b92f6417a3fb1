//! Finding and reading a kustomization file, and refusing what meshwright does not render.
//!
//! A field meshwright does not implement (Helm charts, validators, remote resources) is an
//! error naming the field and its file:line, never silently ignored; `transformers:` and
//! `generators:` are read, and what is no builtin plugin refused, in `super::plugin`.

use std::path::{Path, PathBuf};

use super::error::KustomizeError;
use super::loader::Loader;
use super::restrict::confined;
use crate::manifest::Node;

/// File names kustomize accepts, in the order it looks for them.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Fields rendered by meshwright.
const SUPPORTED: [&str; 28] = [
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
    "generators",
    "transformers",
    "vars",
    "configurations",
];

/// Fields kustomize knows that meshwright refuses, with the reason given to the user.
const UNSUPPORTED: [(&str, &str); 5] = [
    (
        "helmCharts",
        "Helm chart inflation is not supported; render the chart and commit its output",
    ),
    ("helmGlobals", "Helm chart inflation is not supported"),
    (
        "helmChartInflationGenerator",
        "Helm chart inflation is not supported",
    ),
    ("validators", "validator plugins are not supported"),
    (
        "openapi",
        "custom OpenAPI schemas for patches are not supported",
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
        let mut root = root;
        let Some(entries) = root.as_map_mut() else {
            return Err(KustomizeError::at(
                &root.origin,
                "a kustomization must be a mapping",
            ));
        };
        for (key, _) in entries.iter_mut() {
            canonical_spelling(key);
        }
        // Spelt twice (`namePrefix` and `nameprefix`), the later one wins, as in kustomize.
        let mut seen = std::collections::HashSet::new();
        entries.reverse();
        entries.retain(|(key, _)| seen.insert(key.clone()));
        entries.reverse();
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

    /// The name of the kustomization's file (`kustomization.yaml`, ...).
    pub fn file_name(&self) -> String {
        Kustomization::find(&self.dir)
            .and_then(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
            .unwrap_or_default()
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

/// kustomize decodes a kustomization with Go's JSON decoder, which matches field names
/// ignoring case: `nameprefix` (common in old kustomizations) is `namePrefix`.
fn canonical_spelling(key: &mut String) {
    if let Some(known) = SUPPORTED
        .iter()
        .chain(UNSUPPORTED.iter().map(|(field, _)| field))
        .find(|field| field.eq_ignore_ascii_case(key))
    {
        *key = known.to_string();
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
    check_keys(node, what, |key| allowed.contains(&key))
}

/// Refuses keys of a mapping that `is_known` does not accept.
pub fn check_keys(
    node: &Node,
    what: &str,
    is_known: impl Fn(&str) -> bool,
) -> Result<(), KustomizeError> {
    let entries = node
        .as_map()
        .ok_or_else(|| KustomizeError::at(&node.origin, format!("{what} must be a mapping")))?;
    match entries.iter().find(|(key, _)| !is_known(key)) {
        Some((key, value)) => Err(KustomizeError::at(
            &value.origin,
            format!("{what}: unknown field `{key}`"),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_matched_ignoring_case_and_the_last_spelling_wins() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().canonicalize().unwrap();
        std::fs::write(
            dir.join("kustomization.yaml"),
            "nameprefix: a-\nNamePrefix: b-\nRESOURCES: []\n",
        )
        .unwrap();
        let kustomization = Kustomization::load(&dir, &Loader::new()).expect("loads");
        assert_eq!(kustomization.string("namePrefix").unwrap(), Some("b-"));
        assert!(kustomization.field("resources").is_some());
    }
}
