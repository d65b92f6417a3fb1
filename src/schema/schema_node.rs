//! Walking an imported schema beside an object, as the API server's structural schema
//! handling does: the subschema of a property, of a map value or of a list item (following
//! local `$ref`s), its defaults, its CEL rules and whether its numbers are integers or
//! doubles. Used by defaulting (`defaults`) and rule evaluation (`cel`).

use std::collections::HashSet;

use serde_json::{Map, Value as Json};

use super::cel::RULES;

/// One node of a schema, or none (a value the schema does not describe).
#[derive(Clone, Copy)]
pub(crate) struct SchemaNode<'a> {
    root: &'a Json,
    node: Option<&'a Map<String, Json>>,
}

/// The schema nodes (of one kind's schema, which must not move: keep it boxed) at or above
/// a node that `wanted` picks, so a walk skips the subtrees where there is nothing to do.
#[derive(Default)]
pub(crate) struct Marks(HashSet<usize, foldhash::fast::RandomState>);

impl Marks {
    pub fn new(schema: &Json, wanted: &impl Fn(&Map<String, Json>) -> bool) -> Marks {
        let mut marks = Marks::default();
        marks.mark(schema, wanted);
        marks
    }

    fn mark(&mut self, schema: &Json, wanted: &impl Fn(&Map<String, Json>) -> bool) -> bool {
        match schema {
            Json::Object(members) => {
                let mut found = wanted(members);
                for child in members.values() {
                    found |= self.mark(child, wanted);
                }
                if found {
                    self.0.insert(std::ptr::from_ref(members) as usize);
                }
                found
            }
            Json::Array(items) => items
                .iter()
                .fold(false, |found, item| self.mark(item, wanted) | found),
            _ => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a schema types numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Integer,
    Number,
    Other,
}

impl<'a> SchemaNode<'a> {
    /// The root of a kind's schema.
    pub fn root(schema: &'a Json) -> Self {
        SchemaNode {
            root: schema,
            node: None,
        }
        .at(Some(schema))
    }

    /// `schema`, with a local `$ref` (`#/definitions/NAME`) followed.
    fn at(self, schema: Option<&'a Json>) -> Self {
        let mut node = schema.and_then(Json::as_object);
        for _ in 0..8 {
            let Some(reference) = node.and_then(|n| n.get("$ref")).and_then(Json::as_str) else {
                break;
            };
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer));
            node = target.and_then(Json::as_object);
        }
        SchemaNode {
            root: self.root,
            node,
        }
    }

    /// Whether the schema describes this value and `marks` has something to do at or below it.
    pub fn marked(self, marks: &Marks) -> bool {
        self.node
            .is_some_and(|node| marks.0.contains(&(std::ptr::from_ref(node) as usize)))
    }

    fn get(self, key: &str) -> Option<&'a Json> {
        self.node.and_then(|node| node.get(key))
    }

    /// The schema of a list's items.
    pub fn items(self) -> Self {
        self.at(self.get("items"))
    }

    /// The schema of the declared property `key`.
    pub fn property(self, key: &str) -> Option<Self> {
        let property = self.get("properties").and_then(|p| p.get(key))?;
        Some(self.at(Some(property)))
    }

    /// The schema of the member `key`, whether a declared property or a map value.
    pub fn child(self, key: &str) -> Self {
        self.property(key).unwrap_or_else(|| {
            let additional = self.get("additionalProperties").filter(|a| a.is_object());
            self.at(additional)
        })
    }

    /// (property, its schema, its default) for every declared property with a default.
    pub fn defaults(self) -> impl Iterator<Item = (&'a str, Self, &'a Json)> {
        let properties = self.get("properties").and_then(Json::as_object);
        properties
            .into_iter()
            .flatten()
            .filter_map(move |(name, property)| {
                let schema = self.at(Some(property));
                let default = schema.get("default")?;
                Some((name.as_str(), schema, default))
            })
    }

    /// The rules (`x-kubernetes-validations` entries) on this node.
    pub fn rules(self) -> &'a [Json] {
        self.get(RULES)
            .and_then(Json::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The list type (`set`, `map`, ...) and, for a `map` list, its keys.
    pub fn list_type(self) -> Option<(&'a str, Vec<&'a str>)> {
        let list_type = self.get(super::import::LIST_TYPE)?.as_str()?;
        let keys = self
            .get(super::import::LIST_MAP_KEYS)
            .and_then(Json::as_array)
            .map(|keys| keys.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        Some((list_type, keys))
    }

    pub fn value_type(self) -> Type {
        let named = |name: &str| match self.get("type") {
            Some(Json::String(t)) => t == name,
            Some(Json::Array(types)) => types.iter().any(|t| t == name),
            _ => false,
        };
        if named("integer") {
            Type::Integer
        } else if named("number") {
            Type::Number
        } else {
            Type::Other
        }
    }
}
