//! Builtin transformer configs. Patches and replacements become the entries the
//! kustomization fields take; prefix, suffix, labels, annotations, namespace, images and
//! replica counts write where the config's `fieldSpecs` say, as kustomize's filters do.

use std::path::Path;

use super::field_spec::field_specs;
use super::{list, subset, text};
use crate::kustomize::custom_fields::{self, MAPPING, SCALAR, namespace_setter, pairs_setter};
use crate::kustomize::error::KustomizeError;
use crate::kustomize::field_specs::is_cluster_scoped;
use crate::kustomize::generator::NEEDS_HASH;
use crate::kustomize::hash::add_hash_suffix;
use crate::kustomize::history::remember;
use crate::kustomize::kustomization::string_map;
use crate::kustomize::patch::{EntryKind, apply_entry, apply_strategic_merge, source};
use crate::kustomize::replacement::replace_entries;
use crate::kustomize::transform::{
    ImageOverride, add_name_affixes, override_images, override_images_at, set_replica_count,
};
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
            apply_entry(EntryKind::Patch, dir, &entry, kind, objects, warnings)
        }
        "PatchJson6902Transformer" => {
            let mut entry = subset(config, &["target", "path"]);
            if let Some(operations) = config.get("jsonOp") {
                entry.set("patch", operations.clone());
            }
            apply_entry(EntryKind::Json6902, dir, &entry, kind, objects, warnings)
        }
        "PatchStrategicMergeTransformer" => strategic_merge(dir, config, objects, warnings),
        "ReplacementTransformer" => replace_entries(dir, list(config, "replacements")?, objects),
        "PrefixSuffixTransformer" => add_affixes(objects, config, &["prefix", "suffix"]),
        "PrefixTransformer" => add_affixes(objects, config, &["prefix"]),
        "SuffixTransformer" => add_affixes(objects, config, &["suffix"]),
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
    let paths = list(config, "paths")?;
    let inline = config.get("patches").filter(|n| !n.is_null());
    if paths.is_empty() && inline.is_none() {
        return Err(KustomizeError::at(
            &config.origin,
            "PatchStrategicMergeTransformer: empty file path and empty patch content",
        ));
    }
    for entry in paths {
        apply_entry(
            EntryKind::StrategicMerge,
            dir,
            entry,
            "paths",
            objects,
            warnings,
        )?;
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

/// `prefix:` and/or `suffix:` (named by `keys`) added to the names the specs name, as the
/// kustomization's `namePrefix` and `nameSuffix` add them.
fn add_affixes(objects: &mut [Node], config: &Node, keys: &[&str]) -> Result<(), KustomizeError> {
    let affix = |key: &str| -> Result<&str, KustomizeError> {
        match keys.contains(&key) {
            true => Ok(text(config, key)?.unwrap_or_default()),
            false => Ok(""),
        }
    };
    let (prefix, suffix) = (affix("prefix")?, affix("suffix")?);
    if config.get("fieldSpecs").is_none_or(Node::is_null) {
        return Err(KustomizeError::at(
            &config.origin,
            "fieldSpecs is not expected to be nil",
        ));
    }
    let specs = field_specs(config)?;
    remember(objects);
    add_name_affixes(objects, prefix, suffix, &specs, &specs)
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
    let origin_of = |name: &str| node.get(name).map_or(&node.origin, |v| &v.origin).clone();
    custom_fields::apply(
        objects,
        &field_specs(config)?,
        &MAPPING,
        &mut pairs_setter(&pairs, &origin_of),
    )
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
    let namespace_text = namespace.as_str().unwrap_or_default();
    let mut set = namespace_setter(namespace_text, &namespace.origin, unset_only);
    // `key` of the mapping `parent`, created empty when missing, then set.
    let set_entry = |parent: &mut Node, key: &str, set: &mut dyn FnMut(&mut Node) -> _| {
        if parent.get(key).is_none() {
            parent.set(key, Node::string("", namespace.origin.clone()));
        }
        parent.get_mut(key).map_or(Ok(()), set)
    };
    let specs = field_specs(config)?;
    remember(objects);
    for object in objects.iter_mut() {
        if object.as_map().is_none_or(<[_]>::is_empty) {
            continue;
        }
        let origin = object.origin.clone();
        let at_object = |why| KustomizeError::at(&origin, why);
        let kind = object.str_at(&["kind"]).unwrap_or_default().to_string();
        let is_v1 = object.str_at(&["apiVersion"]) == Some("v1");
        let binding = matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding");
        if !is_cluster_scoped(&kind) {
            set_entry(object.map_entry("metadata"), "namespace", &mut set).map_err(at_object)?;
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
                    set_entry(subject, "namespace", &mut set).map_err(at_object)?;
                }
            }
        }
        for spec in &specs {
            let skipped = spec.path == "metadata/namespace"
                || (spec.path == "metadata/name" && !is_v1)
                || (binding && spec.path == "subjects/namespace");
            if !skipped {
                spec.apply(object, Some(&SCALAR), &mut set)
                    .map_err(at_object)?;
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
    let images = std::slice::from_ref(&image);
    override_images(objects, images);
    override_images_at(objects, images, &field_specs(config)?)
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
    let found = set_replica_count(objects, name, &count, &field_specs(config)?)
        .map_err(|why| KustomizeError::at(&replica.origin, why))?;
    if !found {
        return Err(KustomizeError::at(
            &replica.origin,
            format!("resource with name {name} does not match a config with the given field specs"),
        ));
    }
    Ok(())
}
