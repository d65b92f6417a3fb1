//! kustomize's output order (`sortOptions`). By default, and with `order: legacy`, the
//! "legacy" order: kinds listed first in the given order (by default Namespace before what
//! lives in it, RBAC before workloads), kinds listed last at the end (by default webhooks),
//! everything else in between, each group ordered by group/version/kind, then
//! `namespace|name`. `order: fifo` keeps the order resources were accumulated in. Only the
//! root kustomization's `sortOptions` count, as in kustomize; a child's are ignored.

use std::cmp::Ordering;

use super::error::KustomizeError;
use super::kustomization::{Kustomization, known_keys};
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

/// The order the root kustomization asks for.
#[derive(Debug, PartialEq)]
pub enum SortOrder {
    Legacy {
        order_first: Vec<String>,
        order_last: Vec<String>,
    },
    Fifo,
}

impl SortOrder {
    /// The default: legacy with kustomize's built-in kind lists.
    pub fn legacy() -> SortOrder {
        SortOrder::Legacy {
            order_first: ORDER_FIRST.map(String::from).to_vec(),
            order_last: ORDER_LAST.map(String::from).to_vec(),
        }
    }

    /// `sortOptions` of `kustomization`, refused as kustomize refuses it: `order` must be
    /// `legacy` or `fifo`, and `legacySortOptions` only goes with `legacy`.
    pub fn of(kustomization: &Kustomization) -> Result<SortOrder, KustomizeError> {
        let Some(options) = kustomization.field("sortOptions") else {
            return Ok(SortOrder::legacy());
        };
        known_keys(options, &["order", "legacySortOptions"], "sortOptions")?;
        let legacy_options = options.get("legacySortOptions").filter(|n| !n.is_null());
        let order = options.get("order").filter(|n| !n.is_null());
        match order.and_then(Node::as_str) {
            Some("legacy") => match legacy_options {
                None => Ok(SortOrder::legacy()),
                Some(node) => {
                    known_keys(
                        node,
                        &["orderFirst", "orderLast"],
                        "sortOptions.legacySortOptions",
                    )?;
                    Ok(SortOrder::Legacy {
                        order_first: kinds(node, "orderFirst")?,
                        order_last: kinds(node, "orderLast")?,
                    })
                }
            },
            Some("fifo") => match legacy_options {
                None => Ok(SortOrder::Fifo),
                Some(node) => Err(KustomizeError::at(
                    &node.origin,
                    "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
                )),
            },
            _ => Err(KustomizeError::at(
                &order.unwrap_or(options).origin,
                "the field 'sortOptions.order' must be one of [fifo, legacy]",
            )),
        }
    }

    /// Sorts `objects` in place the way `kustomize build` orders its output.
    pub fn apply(&self, objects: &mut Vec<Node>) {
        let SortOrder::Legacy {
            order_first,
            order_last,
        } = self
        else {
            return;
        };
        let rank = |kind: &str| rank_in(order_first, order_last, kind);
        let mut keyed: Vec<(SortKey, Node)> = std::mem::take(objects)
            .into_iter()
            .map(|object| (SortKey::of(&object, &rank), object))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| a.compare(b));
        *objects = keyed.into_iter().map(|(_, object)| object).collect();
    }
}

/// A kind's place in the legacy order: negative in `order_first`, positive in `order_last`,
/// 0 between. A kind in both lists ranks as its place in `order_last`, as kustomize's map
/// does.
fn rank_in<S: AsRef<str>>(order_first: &[S], order_last: &[S], kind: &str) -> i64 {
    if let Some(i) = order_last.iter().position(|k| k.as_ref() == kind) {
        i as i64 + 1
    } else if let Some(i) = order_first.iter().position(|k| k.as_ref() == kind) {
        i as i64 - order_first.len() as i64
    } else {
        0
    }
}

/// kustomize's `Gvk.IsLessThan` key with the default kind lists (it orders field specs
/// too): the kind's rank, then the group/version/kind string.
pub fn gvk_order(group: &str, version: &str, kind: &str) -> (i64, String) {
    (
        rank_in(&ORDER_FIRST, &ORDER_LAST, kind),
        gvk_text(group, version, kind),
    )
}

/// `group_version_kind`, with `~G`, `~V`, `~K` standing for what is empty.
fn gvk_text(group: &str, version: &str, kind: &str) -> String {
    format!(
        "{}_{}_{}",
        or(group, "~G"),
        or(version, "~V"),
        or(kind, "~K")
    )
}

fn or(text: &str, missing: &str) -> String {
    if text.is_empty() {
        missing.to_string()
    } else {
        text.to_string()
    }
}

/// The kind names of `orderFirst` or `orderLast` (absent is empty).
fn kinds(options: &Node, key: &str) -> Result<Vec<String>, KustomizeError> {
    let Some(list) = options.get(key).filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    let what = format!("sortOptions.legacySortOptions.{key}");
    list.as_seq()
        .ok_or_else(|| KustomizeError::at(&list.origin, format!("`{what}` must be a list")))?
        .iter()
        .map(|kind| {
            kind.as_str().map(String::from).ok_or_else(|| {
                KustomizeError::at(&kind.origin, format!("entries of `{what}` must be strings"))
            })
        })
        .collect()
}

/// What kustomize's legacy sorter compares: the kind's rank, the group/version/kind
/// string, and `namespace|name`.
struct SortKey {
    rank: i64,
    is_namespace: bool,
    has_group: bool,
    gvk: String,
    id: String,
}

impl SortKey {
    fn of(object: &Node, rank: &dyn Fn(&str) -> i64) -> SortKey {
        let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let namespace = object
            .str_at(&["metadata", "namespace"])
            .unwrap_or_default();
        let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
        SortKey {
            rank: rank(kind),
            is_namespace: kind == "Namespace",
            has_group: !group.is_empty(),
            gvk: gvk_text(group, version, kind),
            id: format!("{}|{}", or(namespace, "~X"), or(name, "~N")),
        }
    }

    fn compare(&self, other: &SortKey) -> Ordering {
        if self.gvk == other.gvk {
            return self.id.cmp(&other.id);
        }
        if self.rank != other.rank {
            return self.rank.cmp(&other.rank);
        }
        // kustomize compares Namespace kinds backwards when one is core: the core one,
        // `~G_v1_Namespace`, comes first.
        if self.is_namespace && other.is_namespace && !(self.has_group && other.has_group) {
            return other.gvk.cmp(&self.gvk);
        }
        self.gvk.cmp(&other.gvk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;
    use std::path::Path;

    fn order_of(yaml: &str, order: &SortOrder) -> Vec<String> {
        let mut objects = parse_documents(Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        order.apply(&mut objects);
        objects
            .iter()
            .map(|o| {
                format!(
                    "{} {}/{}",
                    o.str_at(&["apiVersion"]).unwrap_or_default(),
                    o.str_at(&["metadata", "namespace"]).unwrap_or_default(),
                    o.str_at(&["metadata", "name"]).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn legacy_order_compares_namespace_and_name_as_one_string_and_core_namespaces_first() {
        let yaml = "apiVersion: x.io/v1\nkind: Namespace\nmetadata: {name: custom}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: core}\n---\napiVersion: v1\nkind: Thing\nmetadata: {name: x, namespace: a}\n---\napiVersion: v1\nkind: Thing\nmetadata: {name: x, namespace: a-b}\n";
        assert_eq!(
            order_of(yaml, &SortOrder::legacy()),
            ["v1 /core", "x.io/v1 /custom", "v1 a-b/x", "v1 a/x"]
        );
        assert_eq!(
            order_of(yaml, &SortOrder::Fifo),
            ["x.io/v1 /custom", "v1 /core", "v1 a/x", "v1 a-b/x"]
        );
    }
}
