//! `manifest::Node` as a jsonschema value representation, so objects are validated in place
//! without first being copied into a `serde_json::Value` tree (only error paths convert).

use std::borrow::Cow;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node as JsonNode, NodeIdentity, Object};
use serde_json::Value as JsonValue;

use crate::manifest::{Node, Value};

/// The representation marker: validators built for it take `NodeRef`s.
pub struct NodeJson;

/// A manifest node, or a bare string (for `propertyNames`).
#[derive(Clone, Copy)]
pub enum NodeRef<'a> {
    Node(&'a Node),
    Str(&'a str),
}

impl<'a> From<&'a Node> for NodeRef<'a> {
    fn from(node: &'a Node) -> Self {
        NodeRef::Node(node)
    }
}

impl Json for NodeJson {
    type Node<'a> = NodeRef<'a>;
    type PreparedKey = String;
    type StringBuffer = String;

    // Mappings are vectors: a lookup is a linear scan, so one members pass is always cheaper.
    const KEYS_PER_LOOKUP: usize = 64;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut String,
        string: &str,
        f: impl FnOnce(NodeRef<'_>) -> T,
    ) -> T {
        buffer.clear();
        buffer.push_str(string);
        f(NodeRef::Str(buffer))
    }
}

impl<'a> JsonNode<'a, NodeJson> for NodeRef<'a> {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = &'a serde_json::Number;

    fn as_object(&self) -> Option<Members<'a>> {
        match self {
            NodeRef::Node(Node {
                value: Value::Map(entries),
                ..
            }) => Some(Members(entries)),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Items<'a>> {
        match self {
            NodeRef::Node(Node {
                value: Value::Seq(items),
                ..
            }) => Some(Items(items)),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            NodeRef::Node(Node {
                value: Value::String(s),
                ..
            }) => Some(Cow::Borrowed(s)),
            NodeRef::Str(s) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&'a serde_json::Number> {
        match self {
            NodeRef::Node(Node {
                value: Value::Number(n),
                ..
            }) => Some(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self {
            NodeRef::Node(Node {
                value: Value::Bool(b),
                ..
            }) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(
            self,
            NodeRef::Node(Node {
                value: Value::Null,
                ..
            })
        )
    }

    fn json_type(&self) -> JsonType {
        match self {
            NodeRef::Str(_) => JsonType::String,
            NodeRef::Node(node) => match &node.value {
                Value::Null => JsonType::Null,
                Value::Bool(_) => JsonType::Boolean,
                Value::Number(_) => JsonType::Number,
                Value::String(_) => JsonType::String,
                Value::Seq(_) => JsonType::Array,
                Value::Map(_) => JsonType::Object,
            },
        }
    }

    fn equals_value(&self, expected: &JsonValue) -> bool {
        match (self, expected) {
            (NodeRef::Str(s), JsonValue::String(e)) => s == e,
            (NodeRef::Node(node), _) => match (&node.value, expected) {
                (Value::String(s), JsonValue::String(e)) => s == e,
                (Value::Bool(b), JsonValue::Bool(e)) => b == e,
                (Value::Null, JsonValue::Null) => true,
                (Value::String(_) | Value::Bool(_) | Value::Null, _) => false,
                _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
            },
            _ => false,
        }
    }

    fn to_value(&self) -> Cow<'a, JsonValue> {
        Cow::Owned(match self {
            NodeRef::Node(node) => node.to_json(),
            NodeRef::Str(s) => JsonValue::String((*s).to_string()),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(match self {
            NodeRef::Node(node) => std::ptr::from_ref::<Node>(node) as usize,
            NodeRef::Str(s) => s.as_ptr() as usize,
        }))
    }
}

/// The entries of a mapping, without those whose value is null: the API server drops a
/// null field (decoding leaves the zero value, CRD pruning removes it), so a `match:` with
/// nothing after it is absent, not a value of the wrong type.
pub struct Members<'a>(&'a [(String, Node)]);

fn present(entry: &&(String, Node)) -> bool {
    !entry.1.is_null()
}

fn pair(entry: &(String, Node)) -> (&str, NodeRef<'_>) {
    (entry.0.as_str(), NodeRef::Node(&entry.1))
}

impl<'a> Object<'a, NodeJson> for Members<'a> {
    type Node = NodeRef<'a>;
    type MemberName = &'a str;
    type MembersIter = std::iter::Map<
        std::iter::Filter<std::slice::Iter<'a, (String, Node)>, fn(&&'a (String, Node)) -> bool>,
        fn(&'a (String, Node)) -> (&'a str, NodeRef<'a>),
    >;

    fn len(&self) -> usize {
        self.0.iter().filter(present).count()
    }

    fn get(&self, key: &String) -> Option<NodeRef<'a>> {
        self.0
            .iter()
            .filter(present)
            .find(|(k, _)| k == key)
            .map(|(_, v)| NodeRef::Node(v))
    }

    fn members(&self) -> Self::MembersIter {
        self.0
            .iter()
            .filter(present as fn(&&'a (String, Node)) -> bool)
            .map(pair as fn(&'a (String, Node)) -> (&'a str, NodeRef<'a>))
    }
}

/// The items of a list.
pub struct Items<'a>(&'a [Node]);

impl<'a> Array<'a, NodeJson> for Items<'a> {
    type Node = NodeRef<'a>;
    type ElementsIter = std::iter::Map<std::slice::Iter<'a, Node>, fn(&'a Node) -> NodeRef<'a>>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn elements(&self) -> Self::ElementsIter {
        self.0
            .iter()
            .map(NodeRef::Node as fn(&'a Node) -> NodeRef<'a>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Registry;

    /// Validating a Node in place agrees with validating its JSON copy, error for error.
    #[test]
    fn in_place_validation_matches_serde_json() {
        let registry = Registry::shared();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validate");
        let mut checked = 0;
        for kind in ["valid", "invalid"] {
            for entry in std::fs::read_dir(root.join(kind)).unwrap() {
                let path = entry.unwrap().path();
                for doc in crate::manifest::load_file(&path).unwrap() {
                    let (Some(v), Some(k)) = (doc.str_at(&["apiVersion"]), doc.str_at(&["kind"]))
                    else {
                        continue;
                    };
                    let Some(Ok(compiled)) = registry.compiled(v, k) else {
                        continue;
                    };
                    let serde = jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft4)
                        .should_validate_formats(false)
                        .build(&compiled.schema)
                        .unwrap();
                    let json = doc.to_json();
                    let expected: Vec<String> = serde
                        .iter_errors(&json)
                        .map(|e| format!("{} {}", e.instance_path().as_str(), e.kind().keyword()))
                        .collect();
                    let actual: Vec<String> = compiled
                        .validator
                        .iter_errors(NodeRef::Node(&doc))
                        .map(|e| format!("{} {}", e.instance_path().as_str(), e.kind().keyword()))
                        .collect();
                    assert_eq!(actual, expected, "{}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked > 80, "{checked}");
    }
}
