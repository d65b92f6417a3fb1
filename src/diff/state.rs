//! One side of a diff: every kustomize root and loose manifest under a directory, rendered
//! through `validate`'s discovery, each object filed under the cluster its input belongs to
//! (the cluster of the policy model it is part of).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::findings::Severity;
use crate::kustomize::Loader;
use crate::manifest::Node;
use crate::policy::{self, Loaded};
use crate::validate::{collect_sources_with, discover};

use super::DiffError;

/// How objects are matched across the two states: the cluster (from the input's path), the
/// API group (not the version), the kind, the namespace and the name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectKey {
    pub cluster: String,
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn of(cluster: &str, object: &Node) -> ObjectKey {
        let text = |path: &[&str]| object.str_at(path).unwrap_or_default().to_string();
        let api_version = text(&["apiVersion"]);
        let group = api_version
            .split_once('/')
            .map_or("", |(group, _)| group)
            .to_string();
        ObjectKey {
            cluster: cluster.to_string(),
            group,
            kind: text(&["kind"]),
            namespace: text(&["metadata", "namespace"]),
            name: text(&["metadata", "name"]),
        }
    }

    /// Whether the object is (or, misspelt, was meant to be) a Secret, whose values are
    /// never printed: its kind is `secret` in any case, whatever its API group.
    pub fn is_secret(&self) -> bool {
        crate::manifest::is_secret_kind(&self.kind)
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        };
        if self.namespace.is_empty() {
            write!(f, "[{}] {kind} {}", self.cluster, self.name)
        } else {
            write!(
                f,
                "[{}] {kind} {}/{}",
                self.cluster, self.namespace, self.name
            )
        }
    }
}

/// Everything one state renders to.
pub struct State {
    /// Objects by key; several when inputs of one cluster repeat an object.
    pub objects: BTreeMap<ObjectKey, Vec<Node>>,
    /// The per-cluster policy models (their objects moved into `objects`).
    pub policy: Loaded,
    /// How many error-level problems (unreadable YAML, failed builds) left objects out.
    pub problems: usize,
}

impl State {
    /// The state of a directory that does not exist.
    pub fn empty() -> State {
        State {
            objects: BTreeMap::new(),
            policy: Loaded::default(),
            problems: 0,
        }
    }

    /// Renders everything under `dir`, reading files through `loader`. Objects are filed
    /// under the cluster whose policy model holds them.
    pub fn load(dir: &Path, loader: &Loader) -> Result<State, DiffError> {
        let paths = vec![dir.to_path_buf()];
        let inputs = discover(&paths).map_err(|e| DiffError::new(e.to_string()))?;
        let mut policy = policy::group(&paths, collect_sources_with(&inputs, loader), None);
        let problems = policy
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let mut objects: BTreeMap<ObjectKey, Vec<Node>> = BTreeMap::new();
        for (model, cluster) in policy.models.iter().zip(&mut policy.objects) {
            for object in std::mem::take(cluster) {
                objects
                    .entry(ObjectKey::of(&model.cluster, &object))
                    .or_default()
                    .push(object);
            }
        }
        Ok(State {
            objects,
            policy,
            problems,
        })
    }
}
