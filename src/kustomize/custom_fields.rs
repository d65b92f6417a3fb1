//! The fields `configurations:` add to kustomize's metadata transformers, how users teach
//! kustomize where their custom kinds keep labels, selectors, annotations and namespaces:
//! `commonLabels` specs (also written by `labels:` with `includeSelectors`), `labels` and
//! `templateLabels` specs (written by `labels:` entries), `commonAnnotations` and
//! `namespace` specs. The built-in fields are `transform`'s.

use super::error::KustomizeError;
use super::transformer_config::FieldSpec;
use crate::manifest::{Node, Value};

/// Adds `pairs` to the mapping at each spec's path (created when the spec says `create`).
pub fn add_pairs(
    objects: &mut [Node],
    specs: &[FieldSpec],
    pairs: &[(String, String)],
    origin: &Node,
) -> Result<(), KustomizeError> {
    let empty = Value::Map(Vec::new());
    apply(objects, specs, &empty, &mut |node| match &node.value {
        Value::Map(_) => {
            for (key, value) in pairs {
                node.set(key, Node::string(value, origin.origin.clone()));
            }
            Ok(())
        }
        Value::Null => Ok(()),
        _ => Err("expected a mapping to add labels or annotations to".to_string()),
    })
}

/// Sets the scalar at each spec's path to `namespace` (created when the spec says `create`).
pub fn set_namespace_at(
    objects: &mut [Node],
    specs: &[FieldSpec],
    namespace: &str,
    origin: &Node,
) -> Result<(), KustomizeError> {
    let empty = Value::String(String::new());
    apply(objects, specs, &empty, &mut |node| match &node.value {
        Value::Map(_) | Value::Seq(_) => {
            Err("expected a scalar to set the namespace in".to_string())
        }
        _ => {
            *node = Node::string(namespace, origin.origin.clone());
            Ok(())
        }
    })
}

fn apply(
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
    use crate::kustomize::transformer_config::Gvk;
    use crate::manifest::parse_documents;
    use std::path::Path;

    fn yaml(text: &str) -> Node {
        parse_documents(Path::new("t.yaml"), text.as_bytes())
            .expect("parses")
            .remove(0)
    }

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
    }
}
