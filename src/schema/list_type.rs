//! CRD list types as the API server enforces them: a `set` list holds no value twice, a `map`
//! list no two items with the same values of its `x-kubernetes-list-map-keys` (after
//! defaulting). A duplicate is MW101 at the second item, naming where the first one is.

use serde_json::Value as Json;

use super::import::LIST_TYPE;
use super::schema_node::SchemaNode;
use crate::findings::{Finding, codes};
use crate::manifest::Node;

/// Whether `schema` (a whole kind's schema) declares any `set` or `map` list.
pub(crate) fn declared_in(schema: &Json) -> bool {
    match schema {
        Json::Object(members) => {
            matches!(
                members.get(LIST_TYPE).and_then(Json::as_str),
                Some("set" | "map")
            ) || members.values().any(declared_in)
        }
        Json::Array(items) => items.iter().any(declared_in),
        _ => false,
    }
}

/// The first duplicate of the list `items` at `path` (its display path), if its schema
/// makes it a `set` or `map` list.
pub(crate) fn duplicate(items: &[Node], schema: SchemaNode<'_>, path: &str) -> Option<Finding> {
    let identity: Box<dyn Fn(&Node) -> Json> = match schema.list_type()? {
        ("set", _) => Box::new(Node::to_json),
        ("map", keys) => Box::new(move |item: &Node| {
            let values = keys
                .iter()
                .map(|key| item.get(key).map_or(Json::Null, Node::to_json));
            Json::Array(values.collect())
        }),
        _ => return None,
    };
    let identities: Vec<Json> = items.iter().map(identity).collect();
    let (second, first) = identities.iter().enumerate().find_map(|(i, id)| {
        let first = identities[..i].iter().position(|earlier| earlier == id)?;
        Some((i, first))
    })?;
    let what = match schema.list_type() {
        Some(("map", keys)) => format!("the same {} as", keys.join(", ")),
        _ => "the same value as".to_string(),
    };
    Some(Finding::new(
        &codes::SCHEMA_VIOLATION,
        format!(
            "{path}[{second}]: duplicate entry, {what} {path}[{first}]; the API server refuses duplicates in this list"
        ),
        Some(items[second].origin.clone()),
    ))
}
