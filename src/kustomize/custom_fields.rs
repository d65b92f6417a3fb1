//! Labels, annotations and namespaces written along field specs, as kustomize's metadata
//! transformers write them: the built-in label and annotation specs (`metadata_specs`), the fields
//! `configurations:` add (`commonLabels` specs, also written by `labels:` with
//! `includeSelectors`; `labels` and `templateLabels` specs, written by `labels:` entries;
//! `commonAnnotations` and `namespace` specs) and the `fieldSpecs` of builtin plugin
//! configs. The built-in namespace fields of a kustomization's own `namespace:` are
//! `transform`'s.

use super::error::KustomizeError;
use super::field_specs::FieldSpec;
use crate::manifest::{Node, Origin, Value};

/// What a labels or annotations spec with `create` makes at its end.
pub const MAPPING: Value = Value::Map(Vec::new());
/// What a namespace spec with `create` makes at its end.
pub const SCALAR: Value = Value::String(String::new());

/// Adds `pairs` to the mapping at each spec's path (created when the spec says `create`).
pub fn add_pairs(
    objects: &mut [Node],
    specs: &[FieldSpec],
    pairs: &[(String, String)],
    origin: &Node,
) -> Result<(), KustomizeError> {
    apply(
        objects,
        specs,
        &MAPPING,
        &mut pairs_setter(pairs, &|_| origin.origin.clone()),
    )
}

/// Sets the scalar at each spec's path to `namespace` (created when the spec says `create`).
pub fn set_namespace_at(
    objects: &mut [Node],
    specs: &[FieldSpec],
    namespace: &str,
    origin: &Node,
) -> Result<(), KustomizeError> {
    apply(
        objects,
        specs,
        &SCALAR,
        &mut namespace_setter(namespace, &origin.origin, false),
    )
}

/// kustomize's `SetEntry` for each of `pairs`: a mapping gets them (`origin_of` gives a
/// value's origin from its key), a null is left alone, anything else is kustomize's error.
pub fn pairs_setter<'a>(
    pairs: &'a [(String, String)],
    origin_of: &'a dyn Fn(&str) -> Origin,
) -> impl FnMut(&mut Node) -> Result<(), String> + 'a {
    move |node| match &node.value {
        Value::Map(_) => {
            for (key, value) in pairs {
                node.set(key, Node::string(value, origin_of(key)));
            }
            Ok(())
        }
        Value::Null => Ok(()),
        _ => Err("expected a mapping to add labels or annotations to".to_string()),
    }
}

/// kustomize's namespace setter: a scalar becomes `namespace` (with `unset_only`, only when
/// it is null or empty); a mapping or list is kustomize's error.
pub fn namespace_setter<'a>(
    namespace: &'a str,
    origin: &'a Origin,
    unset_only: bool,
) -> impl FnMut(&mut Node) -> Result<(), String> + 'a {
    move |node| match &node.value {
        Value::Map(_) | Value::Seq(_) => {
            Err("expected a scalar to set the namespace in".to_string())
        }
        _ => {
            let unset = node.is_null() || node.as_str() == Some("");
            if unset || !unset_only {
                *node = Node::string(namespace, origin.clone());
            }
            Ok(())
        }
    }
}

/// Walks every spec over every object, creating `leaf` where a spec says `create`, and
/// calls `set` on what it reaches; an error names the object.
pub fn apply(
    objects: &mut [Node],
    specs: &[FieldSpec],
    leaf: &Value,
    set: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), KustomizeError> {
    for object in objects.iter_mut() {
        let origin = object.origin.clone();
        for spec in specs {
            spec.apply(object, Some(leaf), set)
                .map_err(|why| KustomizeError::at(&origin, why))?;
        }
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::field_specs::Gvk;
    use crate::kustomize::test_support::yaml;

    fn specs(text: &str) -> Vec<FieldSpec> {
        let config = yaml(text);
        config
            .as_seq()
            .expect("a list")
            .iter()
            .map(|spec| FieldSpec {
                gvk: Gvk {
                    kind: spec.str_at(&["kind"]).unwrap_or_default().to_string(),
                    ..Default::default()
                },
                path: spec.str_at(&["path"]).unwrap_or_default().to_string(),
                create: spec.get("create").is_some(),
            })
            .collect()
    }

    #[test]
    fn labels_go_where_custom_kinds_keep_selectors() {
        let mut objects = vec![
            yaml("kind: Widget\nspec:\n  target: {ns: old}\n"),
            yaml("kind: Other\nspec: {}\n"),
        ];
        let origin = yaml("x");
        let selector = specs("- {kind: Widget, path: spec/selector/matchLabels, create: true}");
        add_pairs(
            &mut objects,
            &selector,
            &[("app".into(), "web".into())],
            &origin,
        )
        .expect("adds");
        assert_eq!(
            objects[0].str_at(&["spec", "selector", "matchLabels", "app"]),
            Some("web")
        );
        assert!(objects[1].at(&["spec", "selector"]).is_none());
        let namespace = specs("- {kind: Widget, path: spec/target/ns}");
        set_namespace_at(&mut objects, &namespace, "prod", &origin).expect("sets");
        assert_eq!(objects[0].str_at(&["spec", "target", "ns"]), Some("prod"));
        let into_a_map = specs("- {kind: Widget, path: spec/target}");
        assert!(set_namespace_at(&mut objects, &into_a_map, "prod", &origin).is_err());
        let mut unset_only = namespace_setter("dev", &origin.origin, true);
        let target = objects[0].at_mut(&["spec", "target", "ns"]).expect("set");
        unset_only(target).expect("a scalar");
        assert_eq!(target.as_str(), Some("prod"), "set already: kept");
        let mut blank = Node::string("", origin.origin.clone());
        unset_only(&mut blank).expect("a scalar");
        assert_eq!(blank.as_str(), Some("dev"));
    }
}
