//! The objects `kubectl kustomize` renders for each cluster of a generated repository:
//! every kustomize root that deploys to `clusters/<c>` or `…/overlays/<c>`, merged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::kustomize_roots;

/// Objects rendered by `kubectl kustomize` for every root that lands on one cluster.
pub struct ClusterObjects {
    pub objects: Vec<Value>,
}

pub fn kubectl_kustomize(root: &Path) -> Vec<Value> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(root)
        .output()
        .expect("kubectl must be installed (it is the reference renderer for these tests)");
    assert!(
        output.status.success(),
        "kubectl kustomize {} failed:\n{}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text).expect("kubectl output parses");
    let documents: Vec<Value> = documents.into_iter().filter(|d| !d.is_null()).collect();
    assert!(
        !documents.is_empty(),
        "{} renders no objects",
        root.display()
    );
    documents
}

/// The cluster a root deploys to: `clusters/<c>` or `…/overlays/<c>`; bases deploy nowhere.
pub fn cluster_of(repo: &Path, root: &Path) -> Option<String> {
    let relative = root.strip_prefix(repo).ok()?.to_string_lossy().into_owned();
    let parts: Vec<&str> = relative.split('/').collect();
    match parts.as_slice() {
        ["clusters", cluster] => Some((*cluster).to_string()),
        [.., "overlays", cluster] => Some((*cluster).to_string()),
        _ => None,
    }
}

pub fn render_clusters(repo: &Path) -> BTreeMap<String, ClusterObjects> {
    let mut clusters: BTreeMap<String, ClusterObjects> = BTreeMap::new();
    for root in kustomize_roots(repo) {
        let objects = kubectl_kustomize(&root);
        if let Some(cluster) = cluster_of(repo, &root) {
            clusters
                .entry(cluster)
                .or_insert_with(|| ClusterObjects {
                    objects: Vec::new(),
                })
                .objects
                .extend(objects);
        }
    }
    clusters
}

pub fn kind(object: &Value) -> &str {
    object["kind"].as_str().unwrap_or_default()
}
pub fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}
pub fn namespace(object: &Value) -> &str {
    object["metadata"]["namespace"].as_str().unwrap_or_default()
}

impl ClusterObjects {
    pub fn of_kind<'a>(&'a self, wanted: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().filter(move |o| kind(o) == wanted)
    }

    pub fn names(&self, wanted: &str) -> BTreeSet<(String, String)> {
        self.of_kind(wanted)
            .map(|o| (namespace(o).to_string(), name(o).to_string()))
            .collect()
    }
}
