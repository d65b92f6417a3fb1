//! kustomize's default ("legacy") output order: well-known kinds first in dependency order
//! (Namespace before what lives in it, RBAC before workloads), webhooks last, and everything
//! else in between, ordered by group/version/kind, then namespace and name.

use std::cmp::Ordering;

use crate::manifest::Node;

const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// kustomize's `Gvk.IsLessThan` key: the kind's rank, then `group_version_kind` with `~G`,
/// `~V`, `~K` standing for what is empty.
pub fn gvk_order(group: &str, version: &str, kind: &str) -> (i32, String) {
    let rank = if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        i as i32 - ORDER_FIRST.len() as i32
    } else if let Some(i) = ORDER_LAST.iter().position(|k| *k == kind) {
        i as i32 + 1
    } else {
        0
    };
    let gvk = format!(
        "{}_{}_{}",
        or(group, "~G"),
        or(version, "~V"),
        or(kind, "~K")
    );
    (rank, gvk)
}

fn or(text: &str, missing: &str) -> String {
    if text.is_empty() {
        missing.to_string()
    } else {
        text.to_string()
    }
}

/// Sorts `objects` in place (stable) the way `kustomize build` orders its output.
pub fn sort_legacy(objects: &mut [Node]) {
    objects.sort_by_cached_key(SortKey::of);
}

#[derive(PartialEq, Eq)]
struct SortKey {
    rank: i32,
    gvk: String,
    namespace: String,
    name: String,
}

impl SortKey {
    fn of(object: &Node) -> SortKey {
        let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        let (group, version) = match api_version.split_once('/') {
            Some((group, version)) => (group, version),
            None => ("", api_version),
        };
        let (rank, gvk) = gvk_order(group, version, kind);
        SortKey {
            rank,
            gvk,
            namespace: or(
                object
                    .str_at(&["metadata", "namespace"])
                    .unwrap_or_default(),
                "~X",
            ),
            name: or(
                object.str_at(&["metadata", "name"]).unwrap_or_default(),
                "~N",
            ),
        }
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.rank, &self.gvk, &self.namespace, &self.name).cmp(&(
            other.rank,
            &other.gvk,
            &other.namespace,
            &other.name,
        ))
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
