//! kustomize's builtin plugins, configured by objects listed in a kustomization's
//! `generators:` and `transformers:` (`apiVersion: builtin`, `kind: PatchTransformer`, ...).
//! `kubectl kustomize` runs these without any plugin flag; each config is handed to the code
//! the kustomization fields use (patches, replacements, generators), with the config's own
//! `fieldSpecs` where kustomize lets a config set them.
//!
//! Anything else — exec, Go and KRM function plugins, a kind that is no builtin — is refused
//! with the config's file:line, as `kubectl kustomize` refuses it.

mod field_spec;
mod generators;
mod transformers;

use std::path::Path;

use super::build_metadata::BuildOrigin;
use super::error::KustomizeError;
use super::warning::BuildWarning;
use crate::manifest::{Node, Value};

/// What a builtin config runs as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Generator,
    Transformer,
}

/// Builtin kinds meshwright runs, and what each is.
const BUILTINS: [(&str, Role); 16] = [
    ("ConfigMapGenerator", Role::Generator),
    ("SecretGenerator", Role::Generator),
    ("IAMPolicyGenerator", Role::Generator),
    ("AnnotationsTransformer", Role::Transformer),
    ("ImageTagTransformer", Role::Transformer),
    ("LabelTransformer", Role::Transformer),
    ("NamespaceTransformer", Role::Transformer),
    ("PatchJson6902Transformer", Role::Transformer),
    ("PatchStrategicMergeTransformer", Role::Transformer),
    ("PatchTransformer", Role::Transformer),
    ("PrefixSuffixTransformer", Role::Transformer),
    ("PrefixTransformer", Role::Transformer),
    ("SuffixTransformer", Role::Transformer),
    ("ReplicaCountTransformer", Role::Transformer),
    ("ReplacementTransformer", Role::Transformer),
    ("HashTransformer", Role::Transformer),
];

/// Builtins meshwright does not run, with why a config naming one is refused.
const REFUSED: [(&str, &str); 2] = [
    (
        "HelmChartInflationGenerator",
        "Helm chart inflation is not supported; render the chart and commit its output",
    ),
    (
        "ValueAddTransformer",
        "the alpha ValueAddTransformer is not supported",
    ),
];

/// Runs the generator configs `configs` of the kustomization in `dir`, adding to (or
/// merging into) `objects`.
pub fn generate(
    dir: &Path,
    configs: &[Node],
    objects: &mut Vec<Node>,
) -> Result<(), KustomizeError> {
    for config in configs {
        let kind = builtin_kind(config, Role::Generator)?;
        generators::run(
            dir,
            kind,
            config,
            objects,
            BuildOrigin::of_plugin(config).as_ref(),
        )?;
    }
    Ok(())
}

/// Runs the transformer configs `configs` of the kustomization in `dir` over `objects`.
pub fn transform(
    dir: &Path,
    configs: &[Node],
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    for config in configs {
        let kind = builtin_kind(config, Role::Transformer)?;
        transformers::run(dir, kind, config, objects, warnings)?;
        if let Some(origin) = BuildOrigin::of_plugin(config) {
            origin.record_transformation(objects);
        }
    }
    Ok(())
}

/// The builtin kind of `config`, when it is a builtin of the `role` wanted and meshwright
/// runs it.
fn builtin_kind(config: &Node, role: Role) -> Result<&str, KustomizeError> {
    let kind = config.str_at(&["kind"]).unwrap_or_default();
    let api_version = config.str_at(&["apiVersion"]).unwrap_or_default();
    let at = config.get("kind").unwrap_or(config);
    if api_version != "builtin" {
        return Err(KustomizeError::at(
            &at.origin,
            format!(
                "`{kind}` ({api_version}) is an exec, Go or KRM function plugin; only kustomize's builtin plugins (`apiVersion: builtin`) are supported, as in `kubectl kustomize`"
            ),
        ));
    }
    if let Some((_, why)) = REFUSED.iter().find(|(name, _)| *name == kind) {
        return Err(KustomizeError::at(&at.origin, format!("`{kind}`: {why}")));
    }
    match BUILTINS.iter().find(|(name, _)| *name == kind) {
        Some((_, found)) if *found == role => Ok(kind),
        Some(_) => Err(KustomizeError::at(
            &at.origin,
            format!(
                "builtin `{kind}` is not a {}",
                match role {
                    Role::Generator => "generator",
                    Role::Transformer => "transformer",
                }
            ),
        )),
        None => Err(KustomizeError::at(
            &at.origin,
            format!("`{kind}` is not one of kustomize's builtin plugins"),
        )),
    }
}

/// The entries of `config` named in `keys`, as one mapping (a kustomization-style entry
/// built from a plugin config; other keys are ignored, as kustomize ignores them).
fn subset(config: &Node, keys: &[&str]) -> Node {
    let mut entry = Node::empty_map(config.origin.clone());
    for key in keys {
        if let Some(value) = config.get(key) {
            entry.set(key, value.clone());
        }
    }
    entry
}

/// A list field of a config (absent or null is empty).
fn list<'a>(config: &'a Node, key: &str) -> Result<&'a [Node], KustomizeError> {
    match config.get(key).filter(|n| !n.is_null()) {
        None => Ok(&[]),
        Some(node) => node
            .as_seq()
            .ok_or_else(|| KustomizeError::at(&node.origin, format!("`{key}` must be a list"))),
    }
}

/// A string field of a config (absent or null is `None`).
fn text<'a>(config: &'a Node, key: &str) -> Result<Option<&'a str>, KustomizeError> {
    match config.get(key).map(|n| (&n.value, n)) {
        None | Some((Value::Null, _)) => Ok(None),
        Some((Value::String(s), _)) => Ok(Some(s)),
        Some((_, n)) => Err(KustomizeError::at(
            &n.origin,
            format!("`{key}` must be a string"),
        )),
    }
}
