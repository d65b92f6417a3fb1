//! The `fieldSpecs` of a builtin plugin config: kustomize's (group, version, kind, path,
//! create) tuples, and walking one to the fields it names in an object.
//!
//! A path is `/`-separated; a segment reached on a list applies to every item, a segment
//! ending in `[]` names a list and is never created. With `create`, missing mappings on the
//! way are made, and the last segment is made as the transformer asks (a mapping for
//! labels, a scalar for a namespace).

use crate::kustomize::error::KustomizeError;
use crate::kustomize::field_path::MAX_SEGMENTS;
use crate::manifest::{Node, Value};

/// One field spec.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    group: String,
    version: String,
    kind: String,
    pub path: String,
    create: bool,
}

/// What the last segment of a path becomes when `create` makes it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Create {
    Map,
    Scalar,
    /// The transformer never creates (prefix, suffix, images).
    Never,
}

impl FieldSpec {
    /// The entries of a config's `fieldSpecs:` (absent is an empty list). As kustomize reads
    /// plugin configs, keys it does not know (a spec's `name:`) are ignored.
    pub fn list(config: &Node) -> Result<Vec<FieldSpec>, KustomizeError> {
        let Some(node) = config.get("fieldSpecs").filter(|n| !n.is_null()) else {
            return Ok(Vec::new());
        };
        let items = node
            .as_seq()
            .ok_or_else(|| KustomizeError::at(&node.origin, "`fieldSpecs` must be a list"))?;
        items.iter().map(FieldSpec::parse).collect()
    }

    fn parse(node: &Node) -> Result<FieldSpec, KustomizeError> {
        if node.as_map().is_none() {
            return Err(KustomizeError::at(
                &node.origin,
                "a field spec must be a mapping",
            ));
        }
        let text = |key: &str| -> Result<String, KustomizeError> {
            match node.get(key).map(|n| (&n.value, n)) {
                None | Some((Value::Null, _)) => Ok(String::new()),
                Some((Value::String(s), _)) => Ok(s.clone()),
                Some((_, n)) => Err(KustomizeError::at(
                    &n.origin,
                    format!("field spec: `{key}` must be a string"),
                )),
            }
        };
        let path = text("path")?;
        if path.split('/').count() > MAX_SEGMENTS {
            return Err(KustomizeError::at(
                &node.origin,
                format!(
                    "a field spec path has at most {MAX_SEGMENTS} segments, as deep as documents may nest"
                ),
            ));
        }
        Ok(FieldSpec {
            group: text("group")?,
            version: text("version")?,
            kind: text("kind")?,
            path,
            create: node
                .get("create")
                .is_some_and(|n| n.value == Value::Bool(true)),
        })
    }

    /// Whether the spec's group, version and kind (each empty for any) match `object`.
    pub fn selects(&self, object: &Node) -> bool {
        let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        let same = |wanted: &str, actual: &str| wanted.is_empty() || wanted == actual;
        same(&self.kind, kind) && same(&self.group, group) && same(&self.version, version)
    }

    /// Calls `visit` on every field the spec reaches in `object` (when it selects it),
    /// creating missing fields per `create` when the spec says `create: true`. A path that
    /// runs into a scalar before its end is an error, as in kustomize.
    pub fn visit(
        &self,
        object: &mut Node,
        create: Create,
        visit: &mut dyn FnMut(&mut Node),
    ) -> Result<(), KustomizeError> {
        if !self.selects(object) {
            return Ok(());
        }
        let segments: Vec<&str> = self.path.split('/').collect();
        let create = if self.create { create } else { Create::Never };
        walk(object, &segments, create, visit).map_err(|why| {
            KustomizeError::at(&object.origin, format!("field spec `{}`: {why}", self.path))
        })
    }
}

fn walk(
    node: &mut Node,
    path: &[&str],
    create: Create,
    visit: &mut dyn FnMut(&mut Node),
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        visit(node);
        return Ok(());
    };
    match &mut node.value {
        Value::Null => Ok(()),
        Value::Seq(items) => items
            .iter_mut()
            .try_for_each(|item| walk(item, path, create, visit)),
        Value::Map(_) => {
            let (name, is_list) = match first.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (*first, false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".to_string());
            }
            let made = match (create, rest.is_empty()) {
                _ if is_list => None,
                (Create::Never, _) => None,
                (Create::Scalar, true) => Some(Value::String(String::new())),
                _ => Some(Value::Map(Vec::new())),
            };
            let missing = node.get(name).is_none_or(Node::is_null);
            match made {
                Some(value) if missing => {
                    let origin = node.origin.clone();
                    node.set(name, Node::new(value, origin));
                }
                _ => {}
            }
            match node.get_mut(name) {
                Some(field) => walk(field, rest, create, visit),
                None => Ok(()),
            }
        }
        _ => Err("expected sequence or mapping node".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Origin;
    use std::path::Path;
    use std::sync::Arc;

    fn node(json: serde_json::Value) -> Node {
        Node::from_json(&json, &Origin::new(Arc::from(Path::new("t.yaml")), 1, 1))
    }

    #[test]
    fn specs_walk_lists_and_create_only_when_asked() {
        let config = node(serde_json::json!({"fieldSpecs": [
            {"path": "spec/containers/env", "kind": "Pod", "create": true},
            {"path": "metadata/labels", "kind": "Service"},
        ]}));
        let specs = FieldSpec::list(&config).unwrap();
        let mut pod = node(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "spec": {"containers": [{"name": "a"}, {"name": "b", "env": {"x": "1"}}]}}));
        let mut seen = 0;
        for spec in &specs {
            spec.visit(&mut pod, Create::Map, &mut |_| seen += 1)
                .unwrap();
        }
        assert_eq!(seen, 2, "both containers, the first one's env created");
        assert_eq!(
            pod.to_json()["spec"]["containers"][0]["env"],
            serde_json::json!({})
        );
        let mut service = node(serde_json::json!({"kind": "Service", "metadata": {"name": "s"}}));
        specs[1]
            .visit(&mut service, Create::Map, &mut |_| seen += 1)
            .unwrap();
        assert_eq!(seen, 2, "no create: nothing visited");
        let mut scalar = node(serde_json::json!({"kind": "Service", "metadata": "x"}));
        assert!(
            specs[1]
                .visit(&mut scalar, Create::Map, &mut |_| {})
                .is_err()
        );
    }
}
