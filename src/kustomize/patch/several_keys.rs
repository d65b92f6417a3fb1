//! Strategic merge of a list whose elements are identified by several key fields (container
//! ports by `containerPort` and `protocol`, Service ports by `port` and `protocol`), step
//! by step as kyaml's associative-list walk (`setAssociativeSequenceElements`,
//! `appendListNode`, `ElementSetter`) does it with kustomize's prepend direction.
//!
//! kyaml describes each element by the text of its key fields (`""` for one it does not
//! set) and first unites descriptions that agree where both set a key: a patch port
//! without `protocol` and the object's `TCP` port become one description that the patch
//! element, lacking `protocol`, no longer matches, so kustomize keeps the object's element
//! and drops the patch's. Reproduced as is, for identical output.

use crate::kustomize::error::KustomizeError;
use crate::kustomize::field_path::scalar_text;
use crate::manifest::{Node, Value};

/// The merged list, and the patch's elements nothing of which is in it.
pub struct Merged<'p> {
    pub elements: Vec<Node>,
    pub ignored: Vec<&'p Node>,
}

/// Merges the patch's `items` into the object's `existing` elements by `keys`.
/// `merge_element` merges a patch element into an object element (or, with `None`, makes
/// a new element of it); `is_delete` tells a `$patch: delete` element.
pub fn merge<'p>(
    existing: Vec<Node>,
    items: &'p [Node],
    keys: &[&str],
    merge_element: &mut dyn FnMut(Option<Node>, &'p Node) -> Result<Node, KustomizeError>,
    is_delete: &dyn Fn(&Node) -> bool,
) -> Result<Merged<'p>, KustomizeError> {
    // Elements live in `arena`; lists hold indices, as kyaml's lists hold node pointers
    // (an object element merged later is merged wherever it is listed).
    let mut arena = existing;
    let mut dest: Vec<usize> = (0..arena.len()).collect();
    let mut descriptions: Vec<Vec<String>> = Vec::new();
    for element in items.iter().chain(arena.iter()) {
        let description = describe(element, keys);
        if !descriptions.contains(&description) {
            descriptions.push(description);
        }
    }
    unite(&mut descriptions);
    let in_use: Vec<usize> = (0..keys.len())
        .filter(|&i| descriptions.iter().any(|d| !d[i].is_empty()))
        .collect();
    let in_use = if in_use.is_empty() {
        (0..keys.len()).collect()
    } else {
        in_use
    };
    let valid_keys: Vec<&str> = in_use.iter().map(|&i| keys[i]).collect();
    let mut added: Vec<usize> = Vec::new();
    // Which patch element went into which element, to tell those nothing came of.
    let mut merged_into: Vec<(usize, usize)> = Vec::new();
    for description in &descriptions {
        let values: Vec<String> = in_use.iter().map(|&i| description[i].clone()).collect();
        let (match_keys, match_values) = matching_pairs(&valid_keys, &values);
        let in_object = dest
            .iter()
            .copied()
            .find(|&e| matches_all(&arena[e], &match_keys, &match_values));
        let in_patch = items
            .iter()
            .position(|e| matches_all(e, &match_keys, &match_values));
        let merged = match (in_object, in_patch) {
            (_, Some(patch)) if is_delete(&items[patch]) => None,
            (Some(object), Some(patch)) => {
                let element = arena[object].clone();
                arena[object] = merge_element(Some(element), &items[patch])?;
                merged_into.push((patch, object));
                Some(object)
            }
            (Some(object), None) => Some(object),
            (None, Some(patch)) => {
                arena.push(merge_element(None, &items[patch])?);
                merged_into.push((patch, arena.len() - 1));
                Some(arena.len() - 1)
            }
            (None, None) => None,
        };
        match merged.filter(|&e| !is_nothing(&arena[e])) {
            Some(element) => set_element(&arena, &mut added, Some(element), &valid_keys, &values)?,
            None => set_element(&arena, &mut dest, None, &valid_keys, &values)?,
        }
    }
    if !descriptions.is_empty() {
        for element in dest.clone() {
            let mut values = Vec::new();
            for key in &valid_keys {
                match field(&arena[element], key)? {
                    Some(value) => values.push(text(value)),
                    None => added.push(element),
                }
            }
            if valid_keys.len() > 1 {
                set_element(&arena, &mut added, None, &valid_keys, &values)?;
            }
            set_element(&arena, &mut added, Some(element), &valid_keys, &values)?;
        }
    }
    let landed = |item: usize| {
        merged_into
            .iter()
            .any(|&(patch, element)| patch == item && added.contains(&element))
    };
    let ignored = (0..items.len())
        .filter(|&i| !is_delete(&items[i]) && !is_nothing(&items[i]) && !landed(i))
        .map(|i| &items[i])
        .collect();
    Ok(Merged {
        elements: added.iter().map(|&e| arena[e].clone()).collect(),
        ignored,
    })
}

/// The text of each key field of `element`, `""` where it sets none (or null or empty).
fn describe(element: &Node, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|key| {
            element
                .as_map()
                .and_then(|_| element.get(key))
                .map(text)
                .unwrap_or_default()
        })
        .collect()
}

/// kyaml's `mergeValues`: two descriptions that agree somewhere and never conflict (one
/// sets a key the other leaves empty) both become their union, pair by pair in order.
fn unite(descriptions: &mut [Vec<String>]) {
    for i in 0..descriptions.len() {
        for j in 0..descriptions.len() {
            if let Some(union) = union(&descriptions[i], &descriptions[j]) {
                descriptions[i] = union.clone();
                descriptions[j] = union;
            }
        }
    }
}

fn union(a: &[String], b: &[String]) -> Option<Vec<String>> {
    let mut common = false;
    let mut union = Vec::new();
    for (a, b) in a.iter().zip(b) {
        if a == b {
            common = true;
            union.push(a.clone());
        } else if !a.is_empty() && !b.is_empty() {
            return None;
        } else {
            union.push(if a.is_empty() { b } else { a }.clone());
        }
    }
    common.then_some(union)
}

/// The keys an element is looked up by: those the description sets (all if it sets none).
fn matching_pairs<'k>(keys: &[&'k str], values: &[String]) -> (Vec<&'k str>, Vec<String>) {
    let set: Vec<usize> = (0..keys.len()).filter(|&i| !values[i].is_empty()).collect();
    if set.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    (
        set.iter().map(|&i| keys[i]).collect(),
        set.iter().map(|&i| values[i].clone()).collect(),
    )
}

/// kyaml's `MatchElementList`: a mapping whose fields `keys` have exactly these texts.
fn matches_all(element: &Node, keys: &[&str], values: &[String]) -> bool {
    element.as_map().is_some()
        && keys
            .iter()
            .zip(values)
            .all(|(key, value)| element.get(key).is_some_and(|field| text(field) == *value))
}

/// kyaml's `ElementSetter` on `list`: drops null and empty elements and those whose fields
/// `keys` have the texts `values` (an empty text: any value; keys past `values` are not
/// looked at), putting `element` in place of each; appends `element` if none matched.
/// With no `values` at all, every element is dropped.
fn set_element(
    arena: &[Node],
    list: &mut Vec<usize>,
    element: Option<usize>,
    keys: &[&str],
    values: &[String],
) -> Result<(), KustomizeError> {
    let mapping_setter = !keys.is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut kept = Vec::new();
    let mut matched = false;
    for &candidate in list.iter() {
        let node = &arena[candidate];
        if is_nothing(node) {
            continue;
        }
        if node.as_map().is_none() && mapping_setter {
            kept.push(candidate);
            continue;
        }
        let mut found = false;
        for (j, key) in keys.iter().enumerate() {
            if let Some(value) = values.get(j) {
                found = field(node, key)?.is_some_and(|f| value.is_empty() || text(f) == *value);
            }
            if !found {
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                kept.push(candidate);
            }
            continue;
        }
        matched = true;
        kept.extend(element);
    }
    *list = kept;
    // kyaml puts a null element in place of matches but never appends one.
    if let Some(element) = element
        && !matched
        && !arena[element].is_null()
    {
        list.push(element);
    }
    Ok(())
}

/// The field `key` of a list element; kyaml fails on an element that is not a mapping.
fn field<'n>(element: &'n Node, key: &str) -> Result<Option<&'n Node>, KustomizeError> {
    match &element.value {
        Value::Null => Ok(None),
        Value::Map(_) => Ok(element.get(key)),
        _ => Err(KustomizeError::at(
            &element.origin,
            format!("this list element must be a mapping (the list is merged by `{key}`)"),
        )),
    }
}

/// A null or an empty mapping (kyaml's `IsEmptyMap`): an element kyaml drops.
fn is_nothing(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

/// A scalar's text as kyaml compares it (a null, mapping or list has none).
fn text(node: &Node) -> String {
    scalar_text(node).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::document as yaml;

    /// Merges the patch's ports into the object's as kustomize does (outcomes checked
    /// against kubectl kustomize v5.5).
    /// ... and tells where the patch elements kustomize ignores are.
    fn merged_ports(object: &str, patch: &str) -> (serde_json::Value, Vec<String>) {
        let existing = yaml("o.yaml", object).as_seq().unwrap().to_vec();
        let items = yaml("p.yaml", patch).as_seq().unwrap().to_vec();
        let mut merge_element = |current: Option<Node>, item: &Node| {
            let mut element = current.unwrap_or_else(|| Node::empty_map(item.origin.clone()));
            for (key, value) in item.as_map().unwrap() {
                element.set(key, value.clone());
            }
            Ok(element)
        };
        let merged = merge(
            existing,
            &items,
            &["port", "protocol"],
            &mut merge_element,
            &|_| false,
        )
        .unwrap();
        let ignored: Vec<String> = merged
            .ignored
            .iter()
            .map(|i| i.origin.to_string())
            .collect();
        (
            serde_json::Value::Array(merged.elements.iter().map(Node::to_json).collect()),
            ignored,
        )
    }

    #[test]
    fn new_ports_come_first_and_partial_matches_keep_the_objects_element() {
        let (json, ignored) = merged_ports(
            "[{port: 80}, {port: 443, protocol: TCP}]",
            "[{port: 443, name: https}, {port: 80, protocol: UDP}, {port: 8080}]",
        );
        assert_eq!(
            json,
            serde_json::json!([{"port": 8080}, {"port": 80}, {"port": 443, "protocol": "TCP"}])
        );
        assert_eq!(ignored, ["p.yaml:1:2", "p.yaml:1:28"]);
    }

    #[test]
    fn a_port_without_protocol_merges_into_the_port_with_one() {
        let (json, ignored) =
            merged_ports("[{port: 80, protocol: TCP}]", "[{port: 80, name: web}]");
        assert_eq!(json, serde_json::json!([{"port": 80, "protocol": "TCP"}]));
        assert_eq!(ignored, ["p.yaml:1:2"]);
    }

    #[test]
    fn an_object_element_without_the_keys_drops_the_others() {
        let (json, ignored) = merged_ports(
            "[{port: 80, protocol: TCP}, {name: noport}]",
            "[{port: 80, name: x}]",
        );
        assert_eq!(json, serde_json::json!([{"name": "noport"}]));
        assert_eq!(ignored, ["p.yaml:1:2"]);
    }

    #[test]
    fn a_patch_port_with_protocol_is_lost_on_an_object_port_without() {
        let (json, ignored) = merged_ports("[{port: 80}]", "[{port: 80, protocol: TCP, name: x}]");
        assert_eq!(json, serde_json::json!([{"port": 80}]));
        assert_eq!(ignored, ["p.yaml:1:2"]);
    }
}
