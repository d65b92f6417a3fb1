//! Builtin transformer configs. Patches and replacements become the entries the
//! kustomization fields take; prefix, suffix, labels, annotations, namespace, images and
//! replica counts write where the config's `fieldSpecs` say, as kustomize's filters do.

use std::path::Path;

use super::field_spec::{Create, FieldSpec};
use super::{subset, text};
use crate::kustomize::error::KustomizeError;
use crate::kustomize::field_specs::is_cluster_scoped;
use crate::kustomize::generator::NEEDS_HASH;
use crate::kustomize::hash::add_hash_suffix;
use crate::kustomize::history::{identities, remember};
use crate::kustomize::kustomization::string_map;
use crate::kustomize::patch::{
    apply_json6902_entry, apply_patch_entry, apply_strategic_merge, source,
};
use crate::kustomize::replacement::replace_entries;
use crate::kustomize::transform::{ImageOverride, override_images};
use crate::kustomize::warning::BuildWarning;
use crate::manifest::{Node, Value};

/// Runs the transformer config `config` of builtin `kind` over `objects`; files are relative
/// to `dir`, the kustomization that lists the config.
pub fn run(
    dir: &Path,
    kind: &str,
    config: &Node,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    match kind {
        "PatchTransformer" => {
            let entry = subset(config, &["path", "patch", "target", "options"]);
            apply_patch_entry(dir, &entry, kind, objects, warnings)
        }
        "PatchJson6902Transformer" => {
            let mut entry = subset(config, &["target", "path"]);
            if let Some(operations) = config.get("jsonOp") {
                entry.set("patch", operations.clone());
            }
            apply_json6902_entry(dir, &entry, kind, objects, warnings)
        }
        "PatchStrategicMergeTransformer" => strategic_merge(dir, config, objects, warnings),
        "ReplacementTransformer" => {
            let entries = match config.get("replacements").filter(|n| !n.is_null()) {
                None => &[][..],
                Some(node) => node.as_seq().ok_or_else(|| {
                    KustomizeError::at(&node.origin, "`replacements` must be a list")
                })?,
            };
            replace_entries(dir, entries, objects)
        }
        "PrefixSuffixTransformer" => {
            add_affix(objects, config, "prefix")?;
            add_affix(objects, config, "suffix")
        }
        "PrefixTransformer" => add_affix(objects, config, "prefix"),
        "SuffixTransformer" => add_affix(objects, config, "suffix"),
        "LabelTransformer" => add_pairs(objects, config, "labels"),
        "AnnotationsTransformer" => add_pairs(objects, config, "annotations"),
        "NamespaceTransformer" => set_namespace(objects, config),
        "ImageTagTransformer" => set_images(objects, config),
        "HashTransformer" => {
            add_hashes_now(objects);
            Ok(())
        }
        "ReplicaCountTransformer" => set_replicas(objects, config),
        other => Err(KustomizeError::at(
            &config.origin,
            format!("`{other}` is not a builtin transformer"),
        )),
    }
}

/// `paths:` (files, or inline YAML strings) then `patches:` (inline YAML).
fn strategic_merge(
    dir: &Path,
    config: &Node,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    let paths = match config.get("paths").filter(|n| !n.is_null()) {
        None => &[][..],
        Some(node) => node
            .as_seq()
            .ok_or_else(|| KustomizeError::at(&node.origin, "`paths` must be a list"))?,
    };
    let inline = config.get("patches").filter(|n| !n.is_null());
    if paths.is_empty() && inline.is_none() {
        return Err(KustomizeError::at(
            &config.origin,
            "PatchStrategicMergeTransformer: empty file path and empty patch content",
        ));
    }
    for entry in paths {
        let documents = match entry.as_str() {
            Some(text) if text.contains('\n') => source::inline(entry)?,
            Some(path) => source::from_file(dir, path, entry)?,
            None => {
                return Err(KustomizeError::at(
                    &entry.origin,
                    "entries of `paths` must be file paths or YAML strings",
                ));
            }
        };
        apply_strategic_merge(documents, entry, objects, warnings)?;
    }
    if let Some(node) = inline {
        apply_strategic_merge(source::inline(node)?, node, objects, warnings)?;
    }
    Ok(())
}

/// Generated objects get their hash suffix now, and keep wanting one: as in kustomize, the
/// build's own hashing at the end appends a second.
fn add_hashes_now(objects: &mut [Node]) {
    remember(objects);
    for object in objects.iter_mut() {
        if object
            .at(&["metadata", "annotations", NEEDS_HASH])
            .is_some()
        {
            add_hash_suffix(object);
        }
    }
}

/// Kinds a name prefix or suffix never touches (kustomize's `prefixFieldSpecsToSkip`).
fn keeps_its_name(object: &Node) -> bool {
    let kind = object.str_at(&["kind"]).unwrap_or_default();
    let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
    matches!(kind, "CustomResourceDefinition" | "Namespace")
        || (kind == "APIService" && api_version.starts_with("apiregistration.k8s.io/"))
}

/// `prefix:` or `suffix:` (named by `key`) added to the string fields the specs name.
fn add_affix(objects: &mut [Node], config: &Node, key: &str) -> Result<(), KustomizeError> {
    let affix = text(config, key)?.unwrap_or_default().to_string();
    if config.get("fieldSpecs").is_none_or(Node::is_null) {
        return Err(KustomizeError::at(
            &config.origin,
            "fieldSpecs is not expected to be nil",
        ));
    }
    let specs = FieldSpec::list(config)?;
    remember(objects);
    for object in objects.iter_mut().filter(|o| !keeps_its_name(o)) {
        for spec in &specs {
            spec.visit(object, Create::Never, &mut |field| {
                if let Value::String(value) = &mut field.value {
                    *value = match key {
                        "prefix" => format!("{affix}{value}"),
                        _ => format!("{value}{affix}"),
                    };
                }
            })?;
        }
    }
    Ok(())
}

/// `labels:` or `annotations:` (named by `key`) set in the mappings the specs name.
fn add_pairs(objects: &mut [Node], config: &Node, key: &str) -> Result<(), KustomizeError> {
    let Some(node) = config.get(key).filter(|n| !n.is_null()) else {
        return Ok(());
    };
    let pairs = string_map(node, key)?;
    if pairs.is_empty() {
        return Ok(());
    }
    let specs = FieldSpec::list(config)?;
    for object in objects.iter_mut() {
        for spec in &specs {
            spec.visit(object, Create::Map, &mut |map| {
                for (name, value) in &pairs {
                    let origin = node.get(name).map_or(&node.origin, |v| &v.origin);
                    map.set(name, Node::string(value, origin.clone()));
                }
            })?;
        }
    }
    Ok(())
}

/// `metadata.namespace` of the config, set as kustomize's namespace filter does: on every
/// namespaced object's `metadata.namespace`, on RoleBinding subjects per
/// `setRoleBindingSubjects`, and on the other fields the specs name (`metadata/name` of a
/// `v1` object, i.e. a Namespace's own name). With `unsetOnly`, only where none is set.
fn set_namespace(objects: &mut [Node], config: &Node) -> Result<(), KustomizeError> {
    let Some(namespace) = config
        .at(&["metadata", "namespace"])
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    else {
        return Ok(());
    };
    let unset_only = config
        .get("unsetOnly")
        .is_some_and(|n| n.value == Value::Bool(true));
    let mode = text(config, "setRoleBindingSubjects")?.unwrap_or_default();
    if !matches!(mode, "" | "defaultOnly" | "allServiceAccounts" | "none") {
        return Err(KustomizeError::at(
            &config.origin,
            format!(
                "invalid value \"{mode}\" for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
            ),
        ));
    }
    let set = &mut |field: &mut Node| {
        let empty = field.is_null() || field.as_str() == Some("");
        if !unset_only || empty {
            *field = namespace.clone();
        }
    };
    // `key` of the mapping `parent`, created empty when missing, then set.
    let set_entry = |parent: &mut Node, key: &str, set: &mut dyn FnMut(&mut Node)| {
        if parent.get(key).is_none() {
            parent.set(key, Node::string("", namespace.origin.clone()));
        }
        if let Some(field) = parent.get_mut(key) {
            set(field);
        }
    };
    let specs = FieldSpec::list(config)?;
    remember(objects);
    for object in objects.iter_mut() {
        if object.as_map().is_none_or(<[_]>::is_empty) {
            continue;
        }
        let kind = object.str_at(&["kind"]).unwrap_or_default().to_string();
        let is_v1 = object.str_at(&["apiVersion"]) == Some("v1");
        let binding = matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding");
        if !is_cluster_scoped(&kind) {
            set_entry(object.map_entry("metadata"), "namespace", set);
        }
        if binding && mode != "none" {
            for subject in object
                .get_mut("subjects")
                .and_then(Node::as_seq_mut)
                .into_iter()
                .flatten()
            {
                let chosen = match mode {
                    "allServiceAccounts" => subject.str_at(&["kind"]) == Some("ServiceAccount"),
                    _ => subject.str_at(&["name"]) == Some("default"),
                };
                if chosen && subject.as_map().is_some() {
                    set_entry(subject, "namespace", set);
                }
            }
        }
        for spec in &specs {
            let skipped = spec.path == "metadata/namespace"
                || (spec.path == "metadata/name" && !is_v1)
                || (binding && spec.path == "subjects/namespace");
            if !skipped {
                spec.visit(object, Create::Scalar, set)?;
            }
        }
    }
    Ok(())
}

/// `imageTag:` applied to every container image, then to the fields the specs name.
fn set_images(objects: &mut [Node], config: &Node) -> Result<(), KustomizeError> {
    let Some(node) = config.get("imageTag").filter(|n| !n.is_null()) else {
        return Ok(());
    };
    let image = ImageOverride::parse(node)?;
    override_images(objects, std::slice::from_ref(&image));
    let specs = FieldSpec::list(config)?;
    for object in objects
        .iter_mut()
        .filter(|o| o.str_at(&["kind"]) != Some("CustomResourceDefinition"))
    {
        for spec in &specs {
            spec.visit(object, Create::Never, &mut |field| {
                if let Some(rewritten) = field.as_str().and_then(|i| image.apply(i)) {
                    *field = Node::string(rewritten, node.origin.clone());
                }
            })?;
        }
    }
    Ok(())
}

/// `replica: {name, count}`: the count set where the specs say, in objects of that name (now
/// or before a rename); a name no spec's object has is an error, as in kustomize.
fn set_replicas(objects: &mut [Node], config: &Node) -> Result<(), KustomizeError> {
    let replica = config.get("replica").unwrap_or(config);
    let name = text(replica, "name")?.unwrap_or_default();
    let count = replica
        .get("count")
        .filter(|c| matches!(c.value, Value::Number(_)))
        .cloned()
        .unwrap_or_else(|| Node::new(Value::Number(0.into()), replica.origin.clone()));
    let specs = FieldSpec::list(config)?;
    let mut found = false;
    for spec in &specs {
        for object in objects.iter_mut() {
            let named = identities(object).iter().any(|id| id.name == name);
            if named && spec.selects(object) {
                found = true;
                spec.visit(object, Create::Scalar, &mut |field| *field = count.clone())?;
            }
        }
    }
    if !found {
        return Err(KustomizeError::at(
            &replica.origin,
            format!("resource with name {name} does not match a config with the given field specs"),
        ));
    }
    Ok(())
}
