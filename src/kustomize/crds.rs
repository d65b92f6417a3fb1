//! A kustomization's `crds:` files: OpenAPI definitions (type name → `Schema`, as
//! kube-openapi generates them, JSON or YAML) whose properties tell kustomize where custom
//! kinds keep names and metadata: `x-kubernetes-object-ref-kind` (with `-api-version`, and
//! `-name-key`, `name` by default) marks a reference to an object of that kind,
//! `x-kubernetes-identity` a field that takes the name prefix, `x-kubernetes-annotation` and
//! `x-kubernetes-label-selector` fields that take `commonAnnotations` and `commonLabels`.
//! What they declare joins the kustomization's transformer configuration; the files
//! themselves are not output.

use super::error::KustomizeError;
use super::field_specs::{FieldSpec, Gvk};
use super::kustomization::Kustomization;
use super::loader::Loader;
use super::transformer_config::{NameBackReference, TransformerConfig, field, read_file};
use crate::manifest::{Node, Value};

/// How many properties one document's definitions may lead to, `$ref`s followed: a
/// definition that refers to itself is not entered again, but definitions referring to one
/// another twice over would otherwise grow exponentially.
const MAX_PROPERTIES: usize = 100_000;

/// The configuration the kustomization's `crds:` files declare.
pub fn load(
    kustomization: &Kustomization,
    loader: &Loader,
) -> Result<TransformerConfig, KustomizeError> {
    let mut config = TransformerConfig::default();
    for (entry, node) in kustomization.string_list("crds")? {
        for document in read_file(kustomization, entry, node, loader)? {
            config.merge(&declared(&document)?, node)?;
        }
    }
    Ok(config)
}

/// What one document of definitions declares, for each kind it defines.
fn declared(definitions: &Node) -> Result<TransformerConfig, KustomizeError> {
    let mut config = TransformerConfig::default();
    for (type_name, definition) in definitions.as_map().unwrap_or_default() {
        if !looks_like_a_kind(definition) {
            continue;
        }
        let kind = type_name.rsplit('.').next().unwrap_or_default();
        let mut declared = TransformerConfig::default();
        let mut reader = Reader {
            definitions,
            kind,
            config: &mut declared,
            entered: Vec::new(),
            budget: MAX_PROPERTIES,
        };
        reader.read(type_name, &mut Vec::new())?;
        config.merge(&declared, definition)?;
    }
    Ok(config)
}

/// The properties of the definition `type_name`.
fn properties<'d>(definitions: &'d Node, type_name: &str) -> &'d [(String, Node)] {
    definitions
        .get(type_name)
        .and_then(|definition| field(definition, "Schema"))
        .and_then(|schema| field(schema, "properties"))
        .and_then(Node::as_map)
        .unwrap_or_default()
}

/// kustomize only reads definitions with `kind`, `apiVersion` and `metadata` properties.
fn looks_like_a_kind(definition: &Node) -> bool {
    let properties = field(definition, "Schema").and_then(|schema| field(schema, "properties"));
    ["kind", "apiVersion", "metadata"]
        .iter()
        .all(|key| properties.and_then(|p| p.get(key)).is_some())
}

struct Reader<'a> {
    definitions: &'a Node,
    kind: &'a str,
    config: &'a mut TransformerConfig,
    /// The definitions being read, outermost first.
    entered: Vec<&'a str>,
    /// How many more properties may be read.
    budget: usize,
}

impl<'a> Reader<'a> {
    /// kustomize's `loadCrdIntoConfig`: the extensions of each property of `type_name`
    /// (found at `path` in the object), and the definitions its properties refer to.
    fn read(&mut self, type_name: &'a str, path: &mut Vec<String>) -> Result<(), KustomizeError> {
        if self.entered.contains(&type_name) {
            return Ok(());
        }
        self.entered.push(type_name);
        for (name, property) in properties(self.definitions, type_name) {
            self.budget = self.budget.checked_sub(1).ok_or_else(|| {
                KustomizeError::at(
                    &property.origin,
                    format!("crds: the definitions lead to more than {MAX_PROPERTIES} properties"),
                )
            })?;
            path.push(name.clone());
            let extension = |key: &str| field(property, key).and_then(Node::as_str);
            if extension("x-kubernetes-annotation").is_some() {
                self.config.common_annotations.push(self.spec(path));
            }
            if extension("x-kubernetes-label-selector").is_some() {
                self.config.common_labels.push(self.spec(path));
            }
            if extension("x-kubernetes-identity").is_some() {
                self.config.name_prefix.push(self.spec(path));
            }
            if let (Some(version), Some(kind)) = (
                extension("x-kubernetes-object-ref-api-version"),
                extension("x-kubernetes-object-ref-kind"),
            ) {
                let name_key = extension("x-kubernetes-object-ref-name-key").unwrap_or("name");
                path.push(name_key.to_string());
                let referrer = self.spec(path);
                path.pop();
                self.config.merge(
                    &TransformerConfig {
                        name_reference: vec![NameBackReference {
                            gvk: Gvk {
                                version: version.to_string(),
                                kind: kind.to_string(),
                                ..Gvk::default()
                            },
                            referrers: vec![referrer],
                        }],
                        ..TransformerConfig::default()
                    },
                    property,
                )?;
            }
            if let Some(Value::String(reference)) = field(property, "$ref").map(|r| &r.value) {
                self.read(reference, path)?;
            }
            path.pop();
        }
        self.entered.pop();
        Ok(())
    }

    fn spec(&self, path: &[String]) -> FieldSpec {
        FieldSpec {
            gvk: Gvk {
                kind: self.kind.to_string(),
                ..Gvk::default()
            },
            path: path.join("/"),
            create: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::document;

    #[test]
    fn object_ref_extensions_become_name_references() {
        let definitions = document(
            "crd.yaml",
            r#"
example.v1.Pod:
  Schema:
    properties:
      kind: {type: string}
      apiVersion: {type: string}
      metadata: {type: object}
      spec: {$ref: example.v1.PodSpec}
example.v1.PodSpec:
  Schema:
    properties:
      again: {$ref: example.v1.PodSpec}
      config:
        x-kubernetes-object-ref-api-version: v1
        x-kubernetes-object-ref-kind: ConfigMap
        x-kubernetes-object-ref-name-key: configName
"#,
        );
        let config = declared(&definitions).expect("reads");
        let reference = &config.name_reference[0];
        assert_eq!(reference.gvk.kind, "ConfigMap");
        assert_eq!(reference.gvk.version, "v1");
        let paths: Vec<&str> = reference
            .referrers
            .iter()
            .map(|s| s.path.as_str())
            .collect();
        // The self-referring `again` is not entered again.
        assert_eq!(paths, ["spec/config/configName"]);
        assert!(reference.referrers.iter().all(|s| s.gvk.kind == "Pod"));
    }
}
