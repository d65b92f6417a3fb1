//! Structural defaulting, as the API server applies it to a custom resource before
//! validating it: a declared property that is absent (or null) takes its schema's `default`,
//! top-down, so a defaulted object gets the defaults of its own properties in turn. Without
//! it, a `oneOf` keyed on a defaulted field (Gateway API's `addresses[].type`) would match
//! several branches, and CEL rules reading a defaulted field would fail.

use serde_json::Value as Json;

use super::schema_node::{Marks, SchemaNode};
use crate::manifest::{Node, Value};

/// Where `schema` (a kind's boxed schema) has defaults, for `apply`.
pub(crate) fn marks(schema: &Json) -> Marks {
    Marks::new(schema, &|node| node.contains_key("default"))
}

/// `object` with its defaults filled in, or `None` when it already has every default (the
/// common case, which copies nothing). A filled-in value carries its parent's origin.
pub(crate) fn apply(object: &Node, schema: &Json, marks: &Marks) -> Option<Node> {
    if marks.is_empty() {
        return None;
    }
    let walk = Walk { marks };
    let root = SchemaNode::root(schema);
    if !walk.lacks_a_default(object, root) {
        return None;
    }
    let mut copy = object.clone();
    walk.fill(&mut copy, root);
    Some(copy)
}

/// A walk of an object beside its schema, into the subtrees that have defaults.
struct Walk<'a> {
    marks: &'a Marks,
}

fn absent(entries: &[(String, Node)], key: &str) -> bool {
    entries.iter().all(|(k, value)| k != key || value.is_null())
}

impl Walk<'_> {
    fn lacks_a_default(&self, node: &Node, schema: SchemaNode<'_>) -> bool {
        if !schema.marked(self.marks) {
            return false;
        }
        match &node.value {
            Value::Map(entries) => {
                schema.defaults().any(|(key, _, _)| absent(entries, key))
                    || entries
                        .iter()
                        .any(|(key, child)| self.lacks_a_default(child, schema.child(key)))
            }
            Value::Seq(items) => items
                .iter()
                .any(|item| self.lacks_a_default(item, schema.items())),
            _ => false,
        }
    }

    fn fill(&self, node: &mut Node, schema: SchemaNode<'_>) {
        if !schema.marked(self.marks) {
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
                    self.fill(child, schema.child(key));
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.fill(item, schema.items());
                }
            }
            _ => {}
        }
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
        let schema = Box::new(
            json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
                "mode": {"type": "string", "default": "Fast"},
                "limits": {"type": "object", "default": {}, "properties": {"cpu": {"type": "string", "default": "1"}}},
                "items": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string", "default": "Service"}}}}
            }}}}),
        );
        let object = node("spec:\n  mode: ~\n  items:\n  - name: a\n  - kind: Pod\n");
        let marks = marks(&schema);
        let defaulted = apply(&object, &schema, &marks).expect("defaults to fill in");
        assert_eq!(
            defaulted.to_json(),
            json!({"spec": {"items": [{"name": "a", "kind": "Service"}, {"kind": "Pod"}], "mode": "Fast", "limits": {"cpu": "1"}}})
        );
        let complete = node("spec:\n  mode: Slow\n  limits: {cpu: '2'}\n");
        assert!(apply(&complete, &schema, &marks).is_none());
    }
}
