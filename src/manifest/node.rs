//! `Node`: a YAML value that remembers where it was written.
//!
//! Every later stage (kustomize, schema checks, analyzers, diff) works on `Node` trees so a
//! finding can name the file, line and column a person must edit, even after patches moved
//! values between files: a patched field carries the origin of the patch that set it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Where a node was written: file, 1-based line and column (0 when synthesised).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub file: Arc<Path>,
    pub line: u32,
    pub column: u32,
}

impl Origin {
    pub fn new(file: Arc<Path>, line: u32, column: u32) -> Self {
        Origin { file, line, column }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A YAML value with its origin. Mappings keep their keys in written order.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Value {
    /// The mapping key a scalar stands for: strings as they are, numbers in serde_json's
    /// spelling (`0755` is `493`), `true`/`false`, and `null`. `None` for collections.
    pub fn into_key(self) -> Option<String> {
        match self {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some("null".to_string()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

/// Equality compares values only; origins are provenance, not content.
impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// Whether `kind` names a Secret, spelt in any case (`secret` is a typo the API server
/// refuses, but its values are no less secret): such objects' values are never printed.
pub fn is_secret_kind(kind: &str) -> bool {
    kind.eq_ignore_ascii_case("secret")
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Self {
        Node { value, origin }
    }

    pub fn string(text: impl Into<String>, origin: Origin) -> Self {
        Node::new(Value::String(text.into()), origin)
    }

    pub fn empty_map(origin: Origin) -> Self {
        Node::new(Value::Map(Vec::new()), origin)
    }

    /// Whether this object is a Secret (see [`is_secret_kind`]).
    pub fn is_secret(&self) -> bool {
        self.str_at(&["kind"]).is_some_and(is_secret_kind)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(String, Node)>> {
        match &mut self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Follows a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn at_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        path.iter().try_fold(self, |node, key| node.get_mut(key))
    }

    /// The string under a path of mapping keys.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).and_then(Node::as_str)
    }

    /// Sets `key` of a mapping (replacing in place, or appending), returning the new value.
    /// A node that is not a mapping (e.g. null) becomes an empty mapping first.
    pub fn set(&mut self, key: &str, value: Node) -> &mut Node {
        if !matches!(self.value, Value::Map(_)) {
            self.value = Value::Map(Vec::new());
        }
        let Value::Map(entries) = &mut self.value else {
            unreachable!("just made a mapping")
        };
        let index = match entries.iter().position(|(k, _)| k == key) {
            Some(index) => {
                entries[index].1 = value;
                index
            }
            None => {
                entries.push((key.to_string(), value));
                entries.len() - 1
            }
        };
        &mut entries[index].1
    }

    /// The mapping under `key`, created (with this node's origin) when missing or null.
    pub fn map_entry(&mut self, key: &str) -> &mut Node {
        let missing = self.get(key).is_none_or(Node::is_null);
        if missing {
            let origin = self.origin.clone();
            self.set(key, Node::empty_map(origin));
        }
        self.get_mut(key).expect("just inserted")
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let entries = self.as_map_mut()?;
        let index = entries.iter().position(|(k, _)| k == key)?;
        Some(entries.remove(index).1)
    }

    /// The plain JSON value, without origins.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A node tree from a JSON value, every node carrying `origin`.
    pub fn from_json(value: &serde_json::Value, origin: &Origin) -> Node {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Seq(items.iter().map(|v| Node::from_json(v, origin)).collect())
            }
            serde_json::Value::Object(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v, origin)))
                    .collect(),
            ),
        };
        Node::new(value, origin.clone())
    }

    /// The node at an RFC 6901 JSON pointer (`/spec/containers/0/image`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Map(_) => node.get(&token)?,
                Value::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::new(Arc::from(Path::new("a.yaml")), 1, 1)
    }

    #[test]
    fn set_get_remove_keep_order() {
        let mut node = Node::empty_map(origin());
        node.set("b", Node::string("1", origin()));
        node.set("a", Node::string("2", origin()));
        node.set("b", Node::string("3", origin()));
        let keys: Vec<&str> = node
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(node.str_at(&["b"]), Some("3"));
        assert!(node.remove("b").is_some());
        assert!(node.get("b").is_none());
        node.map_entry("m").set("x", Node::string("y", origin()));
        assert_eq!(node.str_at(&["m", "x"]), Some("y"));
    }

    #[test]
    fn json_round_trip_and_pointer() {
        let json = serde_json::json!({"spec": {"containers": [{"name": "a/b~c", "image": "x"}]}});
        let node = Node::from_json(&json, &origin());
        assert_eq!(node.to_json(), json);
        assert_eq!(
            node.pointer("/spec/containers/0/image")
                .and_then(Node::as_str),
            Some("x")
        );
        assert!(node.pointer("/spec/containers/1").is_none());
        assert!(node.pointer("spec").is_none());
    }
}
