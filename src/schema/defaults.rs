//! Structural defaulting, as the API server applies it to a custom resource before
//! validating it: a declared property that is absent (or null) takes its schema's `default`,
//! top-down, so a defaulted object gets the defaults of its own properties in turn. Without
//! it, a `oneOf` keyed on a defaulted field (Gateway API's `addresses[].type`) would match
//! several branches, and CEL rules reading a defaulted field would fail.

use serde_json::Value as Json;

use super::schema_node::SchemaNode;
use crate::manifest::{Node, Value};

/// `object` with its defaults filled in, or `None` when it already has every default (the
/// common case, which copies nothing). A filled-in value carries its parent's origin.
pub(crate) fn apply(object: &Node, schema: &Json) -> Option<Node> {
    let root = SchemaNode::root(schema);
    if !lacks_a_default(object, root) {
        return None;
    }
    let mut copy = object.clone();
    fill(&mut copy, root);
    Some(copy)
}

fn absent(entries: &[(String, Node)], key: &str) -> bool {
    entries.iter().all(|(k, value)| k != key || value.is_null())
}

fn lacks_a_default(node: &Node, schema: SchemaNode<'_>) -> bool {
    if !schema.exists() {
        return false;
    }
    match &node.value {
        Value::Map(entries) => {
            schema.defaults().any(|(key, _, _)| absent(entries, key))
                || entries
                    .iter()
                    .any(|(key, child)| lacks_a_default(child, schema.child(key)))
        }
        Value::Seq(items) => items
            .iter()
            .any(|item| lacks_a_default(item, schema.items())),
        _ => false,
    }
}

fn fill(node: &mut Node, schema: SchemaNode<'_>) {
    if !schema.exists() {
        return;
    }
    let origin = node.origin.clone();
    match &mut node.value {
        Value::Map(entries) => {
            for (key, _, default) in schema.defaults() {
                if absent(entries, key) {
                    entries.retain(|(k, _)| k != key);
                    entries.push((key.to_string(), Node::from_json(default, &origin)));
                }
            }
            for (key, child) in entries.iter_mut() {
                fill(child, schema.child(key));
            }
        }
        Value::Seq(items) => {
            for item in items {
                fill(item, schema.items());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    fn node(yaml: &str) -> Node {
        crate::manifest::parse_documents(Path::new("t.yaml"), yaml.as_bytes())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn absent_and_null_fields_take_their_defaults_top_down() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "mode": {"type": "string", "default": "Fast"},
            "limits": {"type": "object", "default": {}, "properties": {"cpu": {"type": "string", "default": "1"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string", "default": "Service"}}}}
        }}}});
        let object = node("spec:\n  mode: ~\n  items:\n  - name: a\n  - kind: Pod\n");
        let defaulted = apply(&object, &schema).expect("defaults to fill in");
        assert_eq!(
            defaulted.to_json(),
            json!({"spec": {"items": [{"name": "a", "kind": "Service"}, {"kind": "Pod"}], "mode": "Fast", "limits": {"cpu": "1"}}})
        );
        let complete = node("spec:\n  mode: Slow\n  limits: {cpu: '2'}\n");
        assert!(apply(&complete, &schema).is_none());
    }
}
