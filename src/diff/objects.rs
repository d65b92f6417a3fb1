//! Object changes between two states: objects added, removed, or modified (with a unified
//! diff of their YAML as `meshwright build` prints it). In a Secret (any kind spelled
//! `secret` in any case) every value but its identity is masked before any text is made: a
//! changed value shows as `*** (changed)`.

use std::collections::{BTreeMap, HashSet};

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
    // An object that is a Secret on either side under the same name stays masked when its
    // kind changes (a Secret turned ConfigMap still holds the Secret's values).
    let secret_names: HashSet<(&str, &str, &str)> = keys
        .iter()
        .filter(|key| key.is_secret())
        .map(|key| {
            (
                key.cluster.as_str(),
                key.namespace.as_str(),
                key.name.as_str(),
            )
        })
        .collect();
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
            let was_secret = secret_names.contains(&(
                key.cluster.as_str(),
                key.namespace.as_str(),
                key.name.as_str(),
            ));
            let (old_text, new_text) = if was_secret {
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

/// The top-level fields of a Secret that are printed as they are: what identifies it.
const IDENTITY: [&str; 3] = ["apiVersion", "kind", "type"];
/// The `metadata` fields of a Secret that are printed as they are.
const METADATA_IDENTITY: [&str; 2] = ["name", "namespace"];

/// A copy of a Secret with every value that does not identify it replaced by [`MASK`], or
/// by [`MASK_CHANGED`] where it differs from `before` (paired by key and position): not only
/// `data` and `stringData`, but also values mis-indented out of them, labels, annotations
/// (kubectl's last-applied-configuration repeats the data) and anything else. Map keys stay.
pub fn mask(secret: &Node, before: Option<&Node>) -> Node {
    let mut copy = secret.clone();
    let Some(fields) = copy.as_map_mut() else {
        mask_values(&mut copy, before, before.is_some());
        return copy;
    };
    for (field, value) in fields.iter_mut() {
        let earlier = before.and_then(|b| b.get(field));
        match field.as_str() {
            name if IDENTITY.contains(&name) && value.as_str().is_some() => {}
            "metadata" if value.as_map().is_some() => {
                for (key, meta) in value.as_map_mut().into_iter().flatten() {
                    if !(METADATA_IDENTITY.contains(&key.as_str()) && meta.as_str().is_some()) {
                        let earlier = earlier.and_then(|e| e.get(key));
                        mask_values(meta, earlier, before.is_some());
                    }
                }
            }
            _ => mask_values(value, earlier, before.is_some()),
        }
    }
    copy
}

/// Every scalar in `node` replaced by [`MASK`], or by [`MASK_CHANGED`] if `compared` and
/// `before` (the same place on the base side) does not hold the same value.
fn mask_values(node: &mut Node, before: Option<&Node>, compared: bool) {
    match &mut node.value {
        Value::Map(entries) => {
            for (key, value) in entries.iter_mut() {
                mask_values(value, before.and_then(|b| b.get(key)), compared);
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let earlier = before.and_then(Node::as_seq).and_then(|b| b.get(i));
                mask_values(item, earlier, compared);
            }
        }
        _ => {
            let same = !compared || before.is_some_and(|b| b.to_json() == node.to_json());
            let text = if same { MASK } else { MASK_CHANGED };
            *node = Node::string(text, node.origin.clone());
        }
    }
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
    fn a_secret_turned_configmap_under_the_same_name_stays_masked() {
        let secret = node(
            "kind: Secret\napiVersion: v1\nmetadata: {name: db}\nstringData: {password: hunter2}\n",
        );
        let config_map = node(
            "kind: ConfigMap\napiVersion: v1\nmetadata: {name: db}\ndata: {password: hunter2}\n",
        );
        let other =
            node("kind: ConfigMap\napiVersion: v1\nmetadata: {name: app}\ndata: {a: shown}\n");
        let base = BTreeMap::from([(ObjectKey::of("c", &secret), vec![secret])]);
        let head = BTreeMap::from([
            (ObjectKey::of("c", &config_map), vec![config_map]),
            (ObjectKey::of("c", &other), vec![other]),
        ]);
        let changes = changes(&base, &head);
        assert_eq!(changes.len(), 3);
        let all: String = changes.iter().map(|c| c.diff.as_str()).collect();
        assert!(!all.contains("hunter2"), "{all}");
        assert!(all.contains("shown"), "other objects are not masked: {all}");
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
        assert!(text.contains("team: '***'"), "{text}");
    }

    #[test]
    fn everything_but_the_identity_of_a_secret_is_masked() {
        let old = node(
            "kind: secret\napiVersion: v1\ntype: Opaque\nmetadata: {name: s, namespace: ns, labels: {tier: gold}}\nstringData: {a: b}\npassword: hunter2\nextra: [{deep: x1}]\n",
        );
        let new = node(
            "kind: secret\napiVersion: v1\ntype: Opaque\nmetadata: {name: s, namespace: ns, labels: {tier: gold}}\nstringData: {a: b}\npassword: hunter3\nextra: [{deep: x1}]\n",
        );
        let (o, n) = masked_pair(&[old], &[new]);
        for text in [&o, &n] {
            for value in ["hunter2", "hunter3", "gold", "x1", "a: b"] {
                assert!(!text.contains(value), "{value} in {text}");
            }
            for kept in [
                "kind: secret",
                "apiVersion: v1",
                "type: Opaque",
                "name: s",
                "namespace: ns",
            ] {
                assert!(text.contains(kept), "{kept} not in {text}");
            }
        }
        assert!(n.contains("password: '*** (changed)'"), "{n}");
        assert!(
            n.contains("tier: '***'") && n.contains("deep: '***'"),
            "{n}"
        );
    }
}
