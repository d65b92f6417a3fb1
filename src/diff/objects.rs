//! Object changes between two states: objects added, removed, or modified (with a unified
//! diff of their YAML as `meshwright build` prints it). Secret `data` and `stringData`
//! values are masked before any text is made: a changed value shows as `*** (changed)`.

use std::collections::BTreeMap;

use serde::Serialize;
use similar::TextDiff;

use crate::kustomize::emit;
use crate::manifest::{Node, Value};

use super::state::ObjectKey;

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
        }
    }
}

/// One object that differs between the states.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectChange {
    pub change: ChangeKind,
    #[serde(flatten)]
    pub key: ObjectKey,
    /// A unified diff of the object's YAML (base → head); the whole object, as added or
    /// removed lines, for added and removed objects. Secret values masked.
    pub diff: String,
}

/// Every object that differs, sorted by key.
pub fn changes(
    base: &BTreeMap<ObjectKey, Vec<Node>>,
    head: &BTreeMap<ObjectKey, Vec<Node>>,
) -> Vec<ObjectChange> {
    let mut keys: Vec<&ObjectKey> = base.keys().chain(head.keys()).collect();
    keys.sort();
    keys.dedup();
    let none: Vec<Node> = Vec::new();
    keys.into_iter()
        .filter_map(|key| {
            let old = base.get(key);
            let new = head.get(key);
            let change = match (old, new) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                // Values first (cheap; origins are not compared), then the printed YAML.
                (Some(old), Some(new))
                    if old != new && emit::to_yaml(old) != emit::to_yaml(new) =>
                {
                    ChangeKind::Modified
                }
                _ => return None,
            };
            let old = old.unwrap_or(&none);
            let new = new.unwrap_or(&none);
            let (old_text, new_text) = if key.is_secret() {
                masked_pair(old, new)
            } else {
                (emit::to_yaml(old), emit::to_yaml(new))
            };
            let name = key.to_string();
            let diff = TextDiff::from_lines(&old_text, &new_text)
                .unified_diff()
                .context_radius(3)
                .header(&format!("base {name}"), &format!("head {name}"))
                .to_string();
            Some(ObjectChange {
                change,
                key: key.clone(),
                diff,
            })
        })
        .collect()
}

/// The YAML of both sides of a Secret with every value masked; values that differ from the
/// base (paired by position and key) are masked as `*** (changed)` on the head side.
fn masked_pair(old: &[Node], new: &[Node]) -> (String, String) {
    let old_masked: Vec<Node> = old.iter().map(|o| mask(o, None)).collect();
    let new_masked: Vec<Node> = new
        .iter()
        .enumerate()
        .map(|(i, o)| mask(o, old.get(i)))
        .collect();
    (emit::to_yaml(&old_masked), emit::to_yaml(&new_masked))
}

/// Text that stands for a secret value.
pub const MASK: &str = "***";
/// Text that stands for a secret value that changed.
pub const MASK_CHANGED: &str = "*** (changed)";

/// kubectl's record of the last applied object, which holds a Secret's values too.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A copy of a Secret with its `data` and `stringData` values (and kubectl's
/// last-applied-configuration annotation, which repeats them) replaced by [`MASK`], or by
/// [`MASK_CHANGED`] where they differ from `before`.
pub fn mask(secret: &Node, before: Option<&Node>) -> Node {
    let mut copy = secret.clone();
    let annotation = ["metadata", "annotations", LAST_APPLIED];
    if let Some(value) = copy.at_mut(&annotation) {
        let same = before.is_none_or(|b| {
            b.at(&annotation)
                .is_some_and(|old| old.to_json() == value.to_json())
        });
        let text = if same { MASK } else { MASK_CHANGED };
        *value = Node::string(text, value.origin.clone());
    }
    for field in ["data", "stringData"] {
        let earlier = before.and_then(|b| b.get(field));
        let Some(values) = copy.get_mut(field) else {
            continue;
        };
        match &mut values.value {
            Value::Map(entries) => {
                for (key, value) in entries.iter_mut() {
                    let same = before.is_none()
                        || earlier
                            .and_then(|e| e.get(key))
                            .is_some_and(|old| old.to_json() == value.to_json());
                    let text = if same { MASK } else { MASK_CHANGED };
                    *value = Node::string(text, value.origin.clone());
                }
            }
            _ => {
                // Not a map (invalid, but never printed): mask the whole field.
                let origin = values.origin.clone();
                *values = Node::string(MASK, origin);
            }
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(Path::new("s.yaml"), text.as_bytes())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn secret_values_are_masked_and_changes_marked() {
        let old = node(
            "kind: Secret\napiVersion: v1\nmetadata: {name: s}\ndata: {a: c2VjcmV0, b: eA==}\nstringData: {c: plain}\n",
        );
        let new = node(
            "kind: Secret\napiVersion: v1\nmetadata: {name: s}\ndata: {a: c2VjcmV0, b: eQ==}\nstringData: {c: other}\n",
        );
        let (o, n) = masked_pair(&[old], &[new]);
        for text in [&o, &n] {
            assert!(
                !text.contains("c2VjcmV0") && !text.contains("plain") && !text.contains("other")
            );
        }
        assert!(o.contains("a: '***'") || o.contains("a: \"***\""), "{o}");
        assert!(
            n.contains("b: '*** (changed)'") || n.contains("b: \"*** (changed)\""),
            "{n}"
        );
        assert!(!n.contains("a: '*** (changed)'"), "{n}");
    }

    #[test]
    fn last_applied_configuration_of_a_secret_is_masked() {
        let secret = node(
            "kind: Secret\napiVersion: v1\nmetadata:\n  name: s\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"a\":\"c2VjcmV0\"}}'\n    team: pay\n",
        );
        let text = emit::to_yaml(&[mask(&secret, None)]);
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(text.contains("team: pay"), "{text}");
    }
}
