//! The `fieldSpecs` of a builtin plugin config, read into kustomize's field specs
//! (`field_specs::FieldSpec`, walked as configurations' specs are).

use super::text;
use crate::kustomize::error::KustomizeError;
use crate::kustomize::field_specs::{FieldSpec, Gvk, check_path_depth};
use crate::manifest::{Node, Value};

/// The entries of a config's `fieldSpecs:` (absent is an empty list). As kustomize reads
/// plugin configs, keys it does not know (a spec's `name:`) are ignored.
pub fn field_specs(config: &Node) -> Result<Vec<FieldSpec>, KustomizeError> {
    super::list(config, "fieldSpecs")?
        .iter()
        .map(parse)
        .collect()
}

fn parse(node: &Node) -> Result<FieldSpec, KustomizeError> {
    if node.as_map().is_none() {
        return Err(KustomizeError::at(
            &node.origin,
            "a field spec must be a mapping",
        ));
    }
    let text =
        |key: &str| Ok::<_, KustomizeError>(text(node, key)?.unwrap_or_default().to_string());
    let path = text("path")?;
    check_path_depth(&path, node)?;
    Ok(FieldSpec {
        gvk: Gvk {
            group: text("group")?,
            version: text("version")?,
            kind: text("kind")?,
        },
        path,
        create: node
            .get("create")
            .is_some_and(|n| n.value == Value::Bool(true)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::yaml;

    #[test]
    fn unknown_keys_are_ignored_and_create_is_read() {
        let config = yaml(
            "fieldSpecs:\n- {path: spec/x, kind: Pod, create: true, name: ignored}\n- {path: a/b}\n",
        );
        let specs = field_specs(&config).expect("parses");
        assert_eq!(specs.len(), 2);
        assert!(specs[0].create && specs[0].gvk.kind == "Pod");
        assert!(!specs[1].create && specs[1].path == "a/b");
        assert!(field_specs(&yaml("fieldSpecs: x")).is_err());
        let deep = format!("fieldSpecs:\n- path: {}\n", vec!["a"; 65].join("/"));
        assert!(field_specs(&yaml(&deep)).is_err());
    }
}
