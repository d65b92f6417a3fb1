//! CRD list types as the API server enforces them: a `set` list holds no value twice, a `map`
//! list no two items with the same values of its `x-kubernetes-list-map-keys` (after
//! defaulting). A duplicate is MW101 at the second item, naming where the first one is.

use serde_json::Value as Json;

use super::import::LIST_TYPE;
use super::schema_node::SchemaNode;
use crate::findings::{Finding, codes};
use crate::manifest::Node;

/// Whether a schema node makes its list a `set` or `map` list.
pub(crate) fn declared_on(node: &serde_json::Map<String, Json>) -> bool {
    matches!(
        node.get(LIST_TYPE).and_then(Json::as_str),
        Some("set" | "map")
    )
}

/// Two items of a list with the same identity.
pub(crate) struct Duplicate {
    first: usize,
    second: usize,
    /// The map keys the items share, empty for a `set`.
    keys: Vec<String>,
}

/// The first duplicate in the list `items`, if its schema makes it a `set` or `map` list.
pub(crate) fn duplicate(items: &[Node], schema: SchemaNode<'_>) -> Option<Duplicate> {
    let keys: Vec<&str> = match schema.list_type()? {
        ("set", _) => Vec::new(),
        ("map", keys) => keys,
        _ => return None,
    };
    let identity = |item: &Node| -> Json {
        if keys.is_empty() {
            return item.to_json();
        }
        let values = keys
            .iter()
            .map(|key| item.get(key).map_or(Json::Null, Node::to_json));
        Json::Array(values.collect())
    };
    let identities: Vec<Json> = items.iter().map(identity).collect();
    identities.iter().enumerate().find_map(|(second, id)| {
        let first = identities[..second]
            .iter()
            .position(|earlier| earlier == id)?;
        Some(Duplicate {
            first,
            second,
            keys: keys.iter().map(|k| k.to_string()).collect(),
        })
    })
}

impl Duplicate {
    /// MW101 at the second item of the list `items` at `path` (its display path).
    pub(crate) fn finding(&self, path: &str, items: &[Node]) -> Finding {
        let (first, second) = (self.first, self.second);
        let what = if self.keys.is_empty() {
            "the same value as".to_string()
        } else {
            format!("the same {} as", self.keys.join(", "))
        };
        Finding::new(
            &codes::SCHEMA_VIOLATION,
            format!(
                "{path}[{second}]: duplicate entry, {what} {path}[{first}]; the API server refuses duplicates in this list"
            ),
            Some(items[second].origin.clone()),
        )
    }
}
