//! Where kustomize's transformers write. A field spec — a group/version/kind selector and a
//! `/`-separated path — names fields of the objects it selects, and walking it is
//! kustomize's fieldspec filter: the one walker for configurations' specs and builtin plugin
//! configs' specs alike. Beside them, the built-in annotation paths per kind, the kinds that
//! are cluster-scoped, and where pod specs live (label and annotation paths: `metadata_specs`).

use super::error::KustomizeError;
use super::field_path::MAX_SEGMENTS;
use super::order::gvk_order;
use crate::manifest::{Node, Value};

/// Kinds without a namespace (the namespace transformer leaves them alone).
pub const CLUSTER_SCOPED: [&str; 14] = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "ClusterIssuer",
    "IngressClass",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Workload kinds whose `spec.template` is a pod template.
const TEMPLATED: [&str; 6] = [
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "ReplicationController",
];

/// Paths of the pod spec inside an object of `kind`.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    if TEMPLATED.contains(&kind) {
        Some(&["spec", "template", "spec"])
    } else if kind == "CronJob" {
        Some(&["spec", "jobTemplate", "spec", "template", "spec"])
    } else if kind == "Pod" {
        Some(&["spec"])
    } else {
        None
    }
}

/// A group/version/kind selector; an empty part matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// The group and version of an `apiVersion` (`apps/v1`, `v1`).
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    pub fn of(object: &Node) -> Gvk {
        Gvk::from_api_version(
            object.str_at(&["apiVersion"]).unwrap_or_default(),
            object.str_at(&["kind"]).unwrap_or_default(),
        )
    }

    /// kustomize's `Gvk.IsSelected`: whether `selector` selects this.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        let part = |mine: &str, wanted: &str| wanted.is_empty() || mine == wanted;
        part(&self.group, &selector.group)
            && part(&self.version, &selector.version)
            && part(&self.kind, &selector.kind)
    }

    /// The sort key kustomize orders a configuration's lists by.
    pub fn order(&self) -> (i64, String) {
        gvk_order(&self.group, &self.version, &self.kind)
    }
}

/// One field spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    pub create: bool,
}

impl FieldSpec {
    /// A spec for `kind` (empty for every kind) at `path`, without `create`.
    pub fn builtin(kind: &str, path: &str) -> FieldSpec {
        FieldSpec {
            gvk: Gvk {
                kind: kind.to_string(),
                ..Gvk::default()
            },
            path: path.to_string(),
            create: false,
        }
    }

    /// Whether this spec applies to `object` (kustomize's `isMatchGVK`).
    pub fn selects(&self, object: &Node) -> bool {
        Gvk::of(object).is_selected_by(&self.gvk)
    }

    /// Calls `set` on every node the path reaches in `object` when the spec selects it. A
    /// sequence on the way is entered item by item; a missing field ends the walk, unless
    /// the spec says `create` and `leaf` is what to create at the end (maps on the way).
    pub fn apply(
        &self,
        object: &mut Node,
        leaf: Option<&Value>,
        set: &mut dyn FnMut(&mut Node) -> Result<(), String>,
    ) -> Result<(), String> {
        if !self.selects(object) {
            return Ok(());
        }
        let path = split_path(&self.path);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let leaf = leaf.filter(|_| self.create);
        walk(object, &path, leaf, set)
            .map_err(|why| format!("considering field '{}': {why}", self.path))
    }

    /// kustomize's `effectivelyEquals`: same path, and `other`'s selector selects this.
    pub fn covers(&self, other: &FieldSpec) -> bool {
        self.path == other.path && self.gvk.is_selected_by(&other.gvk)
    }
}

/// Refuses a path deeper than documents may nest: with `create` it would build an object too
/// deep to walk. `at` is the spec, for the message.
pub fn check_path_depth(path: &str, at: &Node) -> Result<(), KustomizeError> {
    if path.split('/').count() > MAX_SEGMENTS {
        return Err(KustomizeError::at(
            &at.origin,
            format!(
                "a field spec path has at most {MAX_SEGMENTS} segments, as deep as documents may nest"
            ),
        ));
    }
    Ok(())
}

/// The fields of a spec's path: `/` separates them, `\/` is a slash inside one
/// (`metadata/annotations/cert-manager.io\/issuer`).
fn split_path(path: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                fields.last_mut().expect("never empty").push('/');
                chars.next();
            }
            '/' => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

/// kustomize's fieldspec filter below `node`: `[]` after a name marks a list (a null one
/// becomes empty, a missing one is never created); with `leaf`, missing or null fields are
/// created, mappings on the way and `leaf` at the end.
fn walk(
    node: &mut Node,
    path: &[&str],
    leaf: Option<&Value>,
    set: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    match &mut node.value {
        Value::Null => Ok(()),
        Value::Seq(items) => items
            .iter_mut()
            .try_for_each(|item| walk(item, path, leaf, set)),
        Value::Map(_) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (*first, false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".to_string());
            }
            let creating = leaf.is_some() && !is_seq;
            let created = || match rest.is_empty() {
                true => leaf.cloned().unwrap_or(Value::Null),
                false => Value::Map(Vec::new()),
            };
            let origin = node.origin.clone();
            match node.get_mut(name) {
                Some(child) => {
                    if child.is_null() && (is_seq || creating) {
                        child.value = if is_seq {
                            Value::Seq(Vec::new())
                        } else {
                            created()
                        };
                    }
                }
                None if creating => {
                    node.set(name, Node::new(created(), origin));
                }
                None => return Ok(()),
            }
            let child = node.get_mut(name).expect("present or created");
            walk(child, rest, leaf, set)
        }
        _ => Err("expected sequence or mapping node".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::yaml;

    #[test]
    fn walking_enters_sequences_and_creates_only_when_asked() {
        let mut object = yaml("kind: K\nspec:\n  items:\n  - a: x\n  - a: y\n  - b: z\n");
        let spec = FieldSpec::builtin("K", "spec/items/a");
        let mut seen = Vec::new();
        spec.apply(&mut object, None, &mut |node| {
            seen.push(node.as_str().unwrap_or_default().to_string());
            Ok(())
        })
        .expect("walks");
        assert_eq!(seen, ["x", "y"]);
        let creating = FieldSpec {
            create: true,
            ..FieldSpec::builtin("K", "spec/new/leaf")
        };
        let leaf = Value::String(String::new());
        creating
            .apply(&mut object, Some(&leaf), &mut |_| Ok(()))
            .expect("creates");
        assert_eq!(object.str_at(&["spec", "new", "leaf"]), Some(""));
        let mut nulls = yaml("kind: K\nspec:\n  list:\n");
        FieldSpec::builtin("K", "spec/list[]/x")
            .apply(&mut nulls, None, &mut |_| Ok(()))
            .expect("walks");
        assert_eq!(
            nulls.at(&["spec", "list"]).map(|n| n.value.clone()),
            Some(Value::Seq(Vec::new())),
            "a null list segment becomes an empty list, as in kustomize"
        );
        assert_eq!(
            split_path("metadata/annotations/cert-manager.io\\/issuer"),
            ["metadata", "annotations", "cert-manager.io/issuer"]
        );
        let into_scalar = FieldSpec::builtin("K", "kind/deeper");
        assert!(
            into_scalar
                .apply(&mut object, None, &mut |_| Ok(()))
                .is_err()
        );
    }
}
