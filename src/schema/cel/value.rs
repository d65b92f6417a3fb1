//! Manifest values (already defaulted, see `defaults`) as CEL sees them on the API server:
//! null fields dropped, `number` fields as doubles, and object property names escaped as
//! Kubernetes escapes them (`__dash__`, `__dot__`, reserved words).

use std::collections::HashMap;

use crate::manifest::{Node, Value as Yaml};
use crate::schema::schema_node::{SchemaNode, Type};

/// A value converted for CEL, with the size of its largest list, map or string, which
/// bounds how many times a comprehension over it can iterate.
pub(super) struct Converted {
    pub value: cel::Value,
    pub widest: usize,
}

/// Converts `node`, described by `schema`.
pub(super) fn convert(node: &Node, schema: SchemaNode<'_>) -> Converted {
    let mut widest = 0;
    let value = from_yaml(node, schema, &mut widest);
    Converted { value, widest }
}

fn from_yaml(node: &Node, schema: SchemaNode<'_>, widest: &mut usize) -> cel::Value {
    match &node.value {
        Yaml::Null => cel::Value::Null,
        Yaml::Bool(b) => cel::Value::Bool(*b),
        Yaml::Number(n) => number(n, schema),
        Yaml::String(s) => {
            *widest = (*widest).max(s.len());
            cel::Value::String(s.clone().into())
        }
        Yaml::Seq(items) => {
            *widest = (*widest).max(items.len());
            let items_schema = schema.items();
            let values: Vec<cel::Value> = items
                .iter()
                .map(|item| from_yaml(item, items_schema, widest))
                .collect();
            cel::Value::List(values.into())
        }
        Yaml::Map(entries) => {
            *widest = (*widest).max(entries.len());
            let mut map: HashMap<cel::objects::Key, cel::Value> = HashMap::new();
            for (key, child) in entries.iter().filter(|(_, child)| !child.is_null()) {
                let (name, child_schema) = match schema.property(key) {
                    Some(property) => (escape(key), property),
                    None => (key.clone(), schema.child(key)),
                };
                map.insert(name.into(), from_yaml(child, child_schema, widest));
            }
            cel::Value::Map(map.into())
        }
    }
}

/// An integer, or a double where the schema says `number` (as the API server decodes it).
fn number(n: &serde_json::Number, schema: SchemaNode<'_>) -> cel::Value {
    match (n.as_i64(), schema.value_type()) {
        (Some(i), Type::Integer | Type::Other) => cel::Value::Int(i),
        _ => match n.as_u64() {
            Some(u) if schema.value_type() != Type::Number && n.as_i64().is_none() => {
                cel::Value::UInt(u)
            }
            _ => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
    }
}

/// CEL's reserved words: a property with one of these names is `__name__` in a rule.
const RESERVED: &[&str] = &[
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// A property name as rules spell it (Kubernetes' escaping of object property names).
pub(super) fn escape(name: &str) -> String {
    if RESERVED.contains(&name) {
        return format!("__{name}__");
    }
    if !name.contains(['_', '.', '-', '/']) {
        return name.to_string();
    }
    name.replace("__", "__underscores__")
        .replace('.', "__dot__")
        .replace('-', "__dash__")
        .replace('/', "__slash__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_names_are_escaped_as_kubernetes_does() {
        assert_eq!(escape("namespace"), "__namespace__");
        assert_eq!(escape("x-forwarded"), "x__dash__forwarded");
        assert_eq!(escape("a.b/c"), "a__dot__b__slash__c");
        assert_eq!(escape("a__b"), "a__underscores__b");
        assert_eq!(escape("plain_name"), "plain_name");
        assert_eq!(escape("hosts"), "hosts");
    }
}
