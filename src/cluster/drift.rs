//! Drift for `diff --cluster`: live objects of the kinds the repository manages (and the
//! kinds the policy model reads) that the repository lacks.
//!
//! A namespaced object is drift in the namespaces the repository manages. A cluster-scoped
//! object is drift only when it carries an ownership marker of the repository: the same
//! value of one of [`OWNERSHIP_LABELS`] that the repository's objects carry (generated
//! repositories label everything `app.kubernetes.io/managed-by: meshwright`), so managing
//! one ClusterIssuer does not make every other ClusterIssuer of the cluster drift.
//!
//! Never drift: objects a controller owns (`ownerReferences`; they are still matched to
//! the repository's objects), and what Kubernetes makes in every namespace by itself.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diff::ObjectKey;
use crate::manifest::Node;

use super::compare::{LiveObject, POLICY_KINDS};

/// Labels that say who manages an object: a GitOps engine, an installer, an application.
const OWNERSHIP_LABELS: &[&str] = &[
    "app.kubernetes.io/managed-by",
    "kustomize.toolkit.fluxcd.io/name",
    "argocd.argoproj.io/instance",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
];

/// Live objects of the repository's kinds and namespaces that the repository lacks.
pub fn drift(
    intended: &BTreeMap<ObjectKey, Vec<Node>>,
    live_objects: &BTreeMap<ObjectKey, LiveObject>,
    scope: &BTreeSet<String>,
) -> Vec<ObjectKey> {
    let kinds: BTreeSet<(&str, &str)> = intended
        .keys()
        .map(|k| (k.group.as_str(), k.kind.as_str()))
        .chain(POLICY_KINDS.iter().copied())
        .collect();
    let markers = markers_of(intended);
    live_objects
        .iter()
        .filter(|(key, object)| {
            !intended.contains_key(*key)
                && !object.owned
                && kinds.contains(&(key.group.as_str(), key.kind.as_str()))
                && if key.namespace.is_empty() {
                    carries_marker(&object.json, &markers)
                } else {
                    scope.contains(&key.namespace)
                }
                && !is_automatic(key, object)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// The (label, value) pairs of [`OWNERSHIP_LABELS`] that the repository's objects carry.
fn markers_of(intended: &BTreeMap<ObjectKey, Vec<Node>>) -> BTreeSet<(&'static str, String)> {
    intended
        .values()
        .flatten()
        .flat_map(|node| {
            OWNERSHIP_LABELS.iter().filter_map(|label| {
                node.str_at(&["metadata", "labels", label])
                    .map(|value| (*label, value.to_string()))
            })
        })
        .collect()
}

/// Whether `object` carries one of `markers`.
fn carries_marker(object: &Value, markers: &BTreeSet<(&'static str, String)>) -> bool {
    let labels = object.get("metadata").and_then(|m| m.get("labels"));
    markers.iter().any(|(label, value)| {
        labels
            .and_then(|labels| labels.get(*label))
            .and_then(Value::as_str)
            == Some(value.as_str())
    })
}

/// Objects a controller or the API server creates in every namespace (or in `default`) by
/// itself.
fn is_automatic(key: &ObjectKey, object: &LiveObject) -> bool {
    let core = key.group.is_empty();
    (core && key.kind == "Namespace")
        || (core && key.kind == "Service" && key.namespace == "default" && key.name == "kubernetes")
        || (core
            && key.kind == "ConfigMap"
            && matches!(key.name.as_str(), "kube-root-ca.crt" | "istio-ca-root-cert"))
        || (core && key.kind == "ServiceAccount" && key.name == "default")
        || (core
            && key.kind == "Secret"
            && object.json.get("type").and_then(Value::as_str)
                == Some("kubernetes.io/service-account-token"))
}
