//! Strategic merge of one patch document into one object, as kustomize (kyaml's merge2)
//! does it: mappings merge key by key, `null` deletes a key, lists follow the built-in
//! types' merge keys (see `merge_keys`), and the `$patch` directives `delete`, `replace` and
//! `merge` apply to mappings and list elements.
//!
//! List order follows kyaml: a list merged by one key lists the patch's elements first, in
//! patch order, then the object's other elements. A list merged by several keys (container
//! and Service ports) follows kyaml's associative-list walk step by step (see
//! `KeyedMerge::by_several_keys`): elements that agree on the keys both set are one element,
//! new ones come first and the object's keep their place.
//!
//! Every value the patch sets keeps the origin of the patch text; untouched values keep
//! theirs. `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList` are refused:
//! kustomize ignores them and prints them into the output as if they were fields. So is a
//! `- $patch: replace` element in a list that is replaced whole anyway (tolerations, any
//! list of a custom resource), which kustomize prints as an element.

use super::merge_keys::{ListStrategy, list_strategy};
use super::several_keys;
use crate::kustomize::error::KustomizeError;
use crate::kustomize::warning::{BuildWarning, WarningKind};
use crate::manifest::{Node, Value};

/// The directive key of strategic merge.
pub const DIRECTIVE: &str = "$patch";

/// Directive key prefixes kustomize does not implement.
const REFUSED_DIRECTIVES: [&str; 3] = [
    "$setElementOrder/",
    "$retainKeys",
    "$deleteFromPrimitiveList/",
];

/// The type information a merge needs: which object it merges into.
pub struct Schema<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
}

/// The `$patch` directive of a mapping, if it has one.
pub fn directive(node: &Node) -> Option<&str> {
    node.get(DIRECTIVE).and_then(Node::as_str)
}

/// Where a merge is in the patch, and what it noticed on the way.
struct Walk<'p> {
    /// The keys leading to the value being merged.
    path: Vec<&'p str>,
    /// The patch's list elements kustomize ignores.
    ignored: Vec<BuildWarning>,
}

/// Merges the mapping `patch` into `target`; returns warnings for the patch's list
/// elements kustomize ignores (see `several_keys`).
pub fn merge(
    target: &mut Node,
    patch: &Node,
    schema: &Schema,
) -> Result<Vec<BuildWarning>, KustomizeError> {
    let mut walk = Walk {
        path: Vec::new(),
        ignored: Vec::new(),
    };
    merge_value(target, patch, schema, &mut walk)?;
    Ok(walk.ignored)
}

fn merge_value<'p>(
    target: &mut Node,
    patch: &'p Node,
    schema: &Schema,
    walk: &mut Walk<'p>,
) -> Result<(), KustomizeError> {
    match &patch.value {
        Value::Map(_) => {
            match directive(patch) {
                Some("replace") => {
                    *target = Node::empty_map(patch.origin.clone());
                }
                None | Some("merge") => {
                    if !matches!(target.value, Value::Map(_)) {
                        *target = Node::empty_map(patch.origin.clone());
                    }
                }
                Some(other) => {
                    return Err(KustomizeError::at(
                        &patch.origin,
                        format!("unknown strategic merge directive `$patch: {other}`"),
                    ));
                }
            }
            merge_map(target, patch, schema, walk)
        }
        Value::Seq(_) => merge_list(target, patch, schema, walk),
        _ => {
            *target = patch.clone();
            Ok(())
        }
    }
}

fn merge_map<'p>(
    target: &mut Node,
    patch: &'p Node,
    schema: &Schema,
    walk: &mut Walk<'p>,
) -> Result<(), KustomizeError> {
    for (key, value) in patch.as_map().unwrap_or_default() {
        if key == DIRECTIVE {
            continue;
        }
        refuse_unsupported_directive(key, value)?;
        if value.is_null() || directive(value) == Some("delete") {
            target.remove(key);
            continue;
        }
        walk.path.push(key);
        match target.get_mut(key) {
            Some(existing) => merge_value(existing, value, schema, walk)?,
            None => {
                let fresh = fresh(value, schema, walk)?;
                target.set(key, fresh);
            }
        }
        walk.path.pop();
    }
    Ok(())
}

fn refuse_unsupported_directive(key: &str, value: &Node) -> Result<(), KustomizeError> {
    match REFUSED_DIRECTIVES.iter().find(|d| key.starts_with(*d)) {
        Some(_) => Err(KustomizeError::at(
            &value.origin,
            format!(
                "`{key}`: this strategic merge directive is not supported (kustomize would print it as a field); write the list the patch should produce instead"
            ),
        )),
        None => Ok(()),
    }
}

/// A patch value for a key the target does not have: merged into an empty value, so that
/// directives and `null`s inside it are applied rather than copied.
fn fresh<'p>(
    patch: &'p Node,
    schema: &Schema,
    walk: &mut Walk<'p>,
) -> Result<Node, KustomizeError> {
    let mut node = match &patch.value {
        Value::Map(_) => Node::empty_map(patch.origin.clone()),
        Value::Seq(_) => Node::new(Value::Seq(Vec::new()), patch.origin.clone()),
        _ => return Ok(patch.clone()),
    };
    merge_value(&mut node, patch, schema, walk)?;
    Ok(node)
}

fn merge_list<'p>(
    target: &mut Node,
    patch: &'p Node,
    schema: &Schema,
    walk: &mut Walk<'p>,
) -> Result<(), KustomizeError> {
    let items = patch.as_seq().unwrap_or_default();
    let strategy = list_strategy(schema.api_version, schema.kind, &walk.path);
    let marker = items.iter().find(|i| directive(i) == Some("replace"));
    if let Some(marker) = marker
        && strategy == ListStrategy::Replace
    {
        return Err(KustomizeError::at(
            &marker.origin,
            format!(
                "`$patch: replace` in `{}`, a list strategic merge replaces whole anyway: kustomize would print the marker as a list element; remove it",
                walk.path.join(".")
            ),
        ));
    }
    if marker.is_some() {
        let elements = items
            .iter()
            .filter(|i| directive(i) != Some("replace"))
            .map(|item| fresh(item, schema, walk))
            .collect::<Result<_, _>>()?;
        *target = Node::new(Value::Seq(elements), patch.origin.clone());
        return Ok(());
    }
    if strategy == ListStrategy::Replace {
        // kyaml copies a replaced list verbatim, directives and nulls included.
        *target = patch.clone();
        return Ok(());
    }
    let existing = match std::mem::replace(&mut target.value, Value::Null) {
        Value::Seq(existing) => existing,
        _ => Vec::new(),
    };
    let merged = match strategy {
        ListStrategy::MergePrimitives => merge_primitives(existing, items),
        ListStrategy::MergeByKeys(keys) => {
            let keyed = KeyedMerge { keys, schema };
            if keys.len() > 1 {
                keyed.by_several_keys(existing, items, walk)?
            } else {
                keyed.patch_order(existing, items, walk)?
            }
        }
        ListStrategy::Replace => unreachable!("handled above"),
    };
    target.value = Value::Seq(merged);
    Ok(())
}

/// A set union: the patch's scalars first, then the object's others.
fn merge_primitives(existing: Vec<Node>, items: &[Node]) -> Vec<Node> {
    let mut merged: Vec<Node> = Vec::new();
    for item in items.iter().cloned().chain(existing) {
        if !merged.contains(&item) {
            merged.push(item);
        }
    }
    merged
}

/// Merging a list of mappings whose elements are identified by `keys`.
struct KeyedMerge<'s> {
    keys: &'static [&'static str],
    schema: &'s Schema<'s>,
}

impl KeyedMerge<'_> {
    /// The values of the key fields of `element` (`None` for a field it does not set).
    fn identity(&self, element: &Node) -> Vec<Option<serde_json::Value>> {
        self.keys
            .iter()
            .map(|key| element.get(key).map(Node::to_json))
            .collect()
    }

    fn same(&self, a: &Node, b: &Node) -> bool {
        let id = self.identity(a);
        id.iter().any(Option::is_some) && id == self.identity(b)
    }

    /// kyaml's merge by several keys (see `several_keys`).
    fn by_several_keys<'p>(
        &self,
        existing: Vec<Node>,
        items: &'p [Node],
        walk: &mut Walk<'p>,
    ) -> Result<Vec<Node>, KustomizeError> {
        let mut merge_element =
            |current: Option<Node>, item: &'p Node| self.merge_element(current, item, walk);
        let merged =
            several_keys::merge(existing, items, self.keys, &mut merge_element, &|item| {
                directive(item) == Some("delete")
            })?;
        walk.ignored.extend(merged.ignored.iter().map(|item| {
            BuildWarning::at(
                WarningKind::PatchElementIgnored,
                &item.origin,
                format!(
                    "kustomize merges nothing of this element of `{}` (elements are identified by `{}`): it sets only some of the key fields an element it agrees with sets, or repeats another element's; write each element's key fields in full, once",
                    walk.path.join("."),
                    self.keys.join("`, `")
                ),
            )
        }));
        Ok(merged.elements)
    }

    /// The patch's elements in patch order, then the object's elements the patch left alone.
    fn patch_order<'p>(
        &self,
        existing: Vec<Node>,
        items: &'p [Node],
        walk: &mut Walk<'p>,
    ) -> Result<Vec<Node>, KustomizeError> {
        let mut merged = Vec::new();
        for item in items {
            let current = existing.iter().find(|e| self.same(e, item));
            if directive(item) != Some("delete") {
                merged.push(self.merge_element(current.cloned(), item, walk)?);
            }
        }
        merged.extend(
            existing
                .into_iter()
                .filter(|e| !items.iter().any(|item| self.same(e, item))),
        );
        Ok(merged)
    }

    fn merge_element<'p>(
        &self,
        current: Option<Node>,
        item: &'p Node,
        walk: &mut Walk<'p>,
    ) -> Result<Node, KustomizeError> {
        match current {
            Some(mut element) => {
                merge_value(&mut element, item, self.schema, walk)?;
                Ok(element)
            }
            None => fresh(item, self.schema, walk),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::document as yaml;

    const DEPLOYMENT: Schema = Schema {
        api_version: "apps/v1",
        kind: "Deployment",
    };

    fn merged(object: &str, patch: &str) -> serde_json::Value {
        let mut object = yaml("o.yaml", object);
        assert!(
            merge(&mut object, &yaml("p.yaml", patch), &DEPLOYMENT)
                .unwrap()
                .is_empty()
        );
        object.to_json()
    }

    #[test]
    fn containers_merge_by_name_and_keep_provenance() {
        let mut object = yaml(
            "o.yaml",
            "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        args: [a]\n",
        );
        let patch = yaml(
            "p.yaml",
            "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n",
        );
        merge(&mut object, &patch, &DEPLOYMENT).unwrap();
        let image = object
            .pointer("/spec/template/spec/containers/0/image")
            .unwrap();
        assert_eq!(image.as_str(), Some("app:2"));
        assert_eq!(image.origin.to_string(), "p.yaml:6:16");
        let args = object
            .pointer("/spec/template/spec/containers/0/args/0")
            .unwrap();
        assert_eq!(args.origin.to_string(), "o.yaml:7:16");
    }

    #[test]
    fn null_and_delete_directives_remove() {
        let json = merged(
            "metadata: {labels: {a: '1', b: '2'}}\nspec: {replicas: 2}\n",
            "metadata: {labels: {a: null}}\nspec: {$patch: delete}\n",
        );
        assert_eq!(
            json,
            serde_json::json!({"metadata": {"labels": {"b": "2"}}})
        );
    }

    #[test]
    fn replace_directive_on_a_map_and_a_list() {
        let json = merged(
            "metadata: {labels: {a: '1'}, finalizers: [x]}\n",
            "metadata:\n  labels: {$patch: replace, b: '2'}\n  finalizers:\n  - $patch: replace\n  - y\n",
        );
        assert_eq!(
            json,
            serde_json::json!({"metadata": {"labels": {"b": "2"}, "finalizers": ["y"]}})
        );
    }

    #[test]
    fn primitive_lists_union_patch_first() {
        let json = merged(
            "metadata: {finalizers: [a, b]}\n",
            "metadata: {finalizers: [b, c]}\n",
        );
        assert_eq!(
            json["metadata"]["finalizers"],
            serde_json::json!(["b", "c", "a"])
        );
    }

    #[test]
    fn refused_directives_name_their_line() {
        let mut object = yaml("o.yaml", "spec: {}\n");
        let patch = yaml("p.yaml", "spec:\n  $retainKeys: [a]\n");
        let error = merge(&mut object, &patch, &DEPLOYMENT).unwrap_err();
        assert!(error.to_string().starts_with("p.yaml:2:"), "{error}");
        assert!(error.message.contains("not supported"), "{error}");
    }
}
