//! kustomize's built-in transformers that a kustomization's own fields drive: namespace,
//! name prefix and suffix, labels, annotations, image overrides and replica counts.

use super::error::KustomizeError;
use super::field_path;
use super::field_specs::FieldSpec;
use super::field_specs::{
    is_cluster_scoped, pod_spec_path, selector_paths, template_metadata_paths,
};
use super::history::previous_ids;
use crate::manifest::{Node, Value};

fn kind(object: &Node) -> &str {
    object.str_at(&["kind"]).unwrap_or_default()
}

/// `namespace:` — namespaced objects move to `namespace`, Namespace objects are renamed to
/// it, and RoleBinding subjects in the `default` namespace follow.
pub fn set_namespace(objects: &mut [Node], namespace: &str, origin: &Node) {
    for object in objects.iter_mut() {
        let kind = kind(object).to_string();
        if kind == "Namespace" {
            object
                .map_entry("metadata")
                .set("name", Node::string(namespace, origin.origin.clone()));
            continue;
        }
        if !is_cluster_scoped(&kind) {
            object
                .map_entry("metadata")
                .set("namespace", Node::string(namespace, origin.origin.clone()));
        }
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            for subject in object
                .get_mut("subjects")
                .and_then(Node::as_seq_mut)
                .into_iter()
                .flatten()
            {
                if subject.str_at(&["namespace"]) == Some("default") {
                    subject.set("namespace", Node::string(namespace, origin.origin.clone()));
                }
            }
        }
    }
}

/// `namePrefix:` / `nameSuffix:` — the fields of `prefix_specs` / `suffix_specs` (by default
/// every object's `metadata.name`) get the prefix / suffix; Namespaces, CRDs and APIServices
/// keep their names.
pub fn add_name_affixes(
    objects: &mut [Node],
    prefix: &str,
    suffix: &str,
    prefix_specs: &[FieldSpec],
    suffix_specs: &[FieldSpec],
) -> Result<(), KustomizeError> {
    for object in objects.iter_mut() {
        if matches!(kind(object), "Namespace" | "CustomResourceDefinition")
            || (kind(object) == "APIService"
                && object
                    .str_at(&["apiVersion"])
                    .is_some_and(|v| v.starts_with("apiregistration.k8s.io/")))
        {
            continue;
        }
        let origin = object.origin.clone();
        let empty = Value::String(String::new());
        for (specs, before, after) in [(prefix_specs, prefix, ""), (suffix_specs, "", suffix)] {
            if before.is_empty() && after.is_empty() {
                continue;
            }
            for spec in specs {
                spec.apply(object, Some(&empty), &mut |name| {
                    if let Some(text) = field_path::scalar_text(name) {
                        name.value = Value::String(format!("{before}{text}{after}"));
                    }
                    Ok(())
                })
                .map_err(|why| KustomizeError::at(&origin, why))?;
            }
        }
    }
    Ok(())
}

/// Adds `pairs` to `metadata.<field>` and, as the flags ask, to pod templates and selectors.
pub fn add_metadata(
    objects: &mut [Node],
    field: &str,
    pairs: &[(String, String)],
    origin: &Node,
    templates: bool,
    selectors: bool,
) {
    for object in objects.iter_mut() {
        let kind = kind(object).to_string();
        merge_pairs(object.map_entry("metadata").map_entry(field), pairs, origin);
        if templates {
            for path in template_metadata_paths(&kind) {
                if let Some(metadata) = ensure_path(object, path) {
                    merge_pairs(metadata.map_entry(field), pairs, origin);
                }
            }
        }
        if selectors {
            for (path, create) in selector_paths(&kind) {
                let target = if *create {
                    ensure_path(object, path)
                } else {
                    object.at_mut(path)
                };
                if let Some(selector) = target {
                    merge_pairs(selector, pairs, origin);
                }
            }
        }
    }
}

/// The mapping at `path`, created when its parent chain exists up to the workload's spec.
fn ensure_path<'a>(object: &'a mut Node, path: &[&str]) -> Option<&'a mut Node> {
    object.get("spec")?;
    let mut node = object;
    for key in path {
        node = node.map_entry(key);
    }
    Some(node)
}

fn merge_pairs(map: &mut Node, pairs: &[(String, String)], origin: &Node) {
    for (key, value) in pairs {
        map.set(key, Node::string(value, origin.origin.clone()));
    }
}

/// One `images:` entry.
pub struct ImageOverride {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
    pub origin: Node,
}

impl ImageOverride {
    pub fn parse(entry: &Node) -> Result<ImageOverride, KustomizeError> {
        let text = |key: &str| -> Result<Option<String>, KustomizeError> {
            match entry.get(key) {
                None => Ok(None),
                Some(node) => match &node.value {
                    Value::String(s) => Ok(Some(s.clone())),
                    Value::Number(n) => Ok(Some(n.to_string())),
                    _ => Err(KustomizeError::at(
                        &node.origin,
                        format!("images: `{key}` must be a string"),
                    )),
                },
            }
        };
        let name = text("name")?
            .ok_or_else(|| KustomizeError::at(&entry.origin, "images: an entry needs `name`"))?;
        Ok(ImageOverride {
            name,
            new_name: text("newName")?,
            new_tag: text("newTag")?,
            digest: text("digest")?,
            origin: entry.clone(),
        })
    }

    /// The rewritten image reference, if `image` names this override's image.
    pub fn apply(&self, image: &str) -> Option<String> {
        let (repository, tag, digest) = split_image(image);
        if repository != self.name {
            return None;
        }
        let repository = self.new_name.as_deref().unwrap_or(repository);
        Some(match (&self.digest, &self.new_tag) {
            (Some(digest), _) => format!("{repository}@{digest}"),
            (None, Some(tag)) => format!("{repository}:{tag}"),
            (None, None) => match (tag, digest) {
                (_, Some(digest)) => format!("{repository}@{digest}"),
                (Some(tag), None) => format!("{repository}:{tag}"),
                (None, None) => repository.to_string(),
            },
        })
    }
}

/// `registry/name:tag@digest` → (`registry/name`, tag, digest).
fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(colon) => (
            &rest[..last_slash + colon],
            Some(&rest[last_slash + colon + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

/// `images:` — rewrites container and init container images of every pod spec.
pub fn override_images(objects: &mut [Node], overrides: &[ImageOverride]) {
    for object in objects.iter_mut() {
        let Some(path) = pod_spec_path(kind(object)) else {
            continue;
        };
        let Some(pod_spec) = object.at_mut(path) else {
            continue;
        };
        for list in ["containers", "initContainers"] {
            for container in pod_spec
                .get_mut(list)
                .and_then(Node::as_seq_mut)
                .into_iter()
                .flatten()
            {
                let Some(image) = container.str_at(&["image"]).map(str::to_string) else {
                    continue;
                };
                if let Some((rewritten, o)) = overrides
                    .iter()
                    .find_map(|o| o.apply(&image).map(|r| (r, o)))
                {
                    container.set("image", Node::string(rewritten, o.origin.origin.clone()));
                }
            }
        }
    }
}

/// `images:` in the fields of the `images` field specs (kustomize's built-in ones reach
/// `spec/containers[]/image` and `spec/template/spec/...` of any kind; `configurations:` add
/// custom kinds' fields); CRDs are left alone.
pub fn override_images_at(
    objects: &mut [Node],
    overrides: &[ImageOverride],
    specs: &[FieldSpec],
) -> Result<(), KustomizeError> {
    for object in objects.iter_mut() {
        if kind(object) == "CustomResourceDefinition" {
            continue;
        }
        let origin = object.origin.clone();
        for spec in specs {
            spec.apply(object, None, &mut |image| {
                let rewritten = image
                    .as_str()
                    .and_then(|text| overrides.iter().find_map(|o| Some((o.apply(text)?, o))));
                if let Some((rewritten, o)) = rewritten {
                    *image = Node::string(rewritten, o.origin.origin.clone());
                }
                Ok(())
            })
            .map_err(|why| KustomizeError::at(&origin, format!("images: {why}")))?;
        }
    }
    Ok(())
}

/// `replicas:` — sets the count in the fields of `specs` (kustomize's `spec/replicas` of
/// Deployments, ReplicaSets, StatefulSets and ReplicationControllers, and what
/// configurations add) of the objects with that name, now or before; naming no such object
/// is kustomize's error.
pub fn set_replicas(
    objects: &mut [Node],
    entries: &[Node],
    specs: &[FieldSpec],
) -> Result<(), KustomizeError> {
    for entry in entries {
        let name = entry
            .str_at(&["name"])
            .ok_or_else(|| KustomizeError::at(&entry.origin, "replicas: an entry needs `name`"))?;
        let count = entry
            .get("count")
            .filter(|c| matches!(c.value, Value::Number(_)))
            .ok_or_else(|| {
                KustomizeError::at(&entry.origin, "replicas: `count` must be a number")
            })?;
        let found = set_replica_count(objects, name, count, specs)
            .map_err(|why| KustomizeError::at(&entry.origin, format!("replicas: {why}")))?;
        if !found {
            return Err(KustomizeError::at(
                &entry.origin,
                format!("replicas: no object named {name} has a field replicas are set in"),
            ));
        }
    }
    Ok(())
}

/// Sets `count` in the fields of `specs` of the objects named `name`, now or before a rename
/// (kustomize's replica count filter, for `replicas:` entries and ReplicaCountTransformer
/// configs alike); whether any object was named so.
pub fn set_replica_count(
    objects: &mut [Node],
    name: &str,
    count: &Node,
    specs: &[FieldSpec],
) -> Result<bool, String> {
    let mut found = false;
    for spec in specs {
        for object in objects.iter_mut() {
            let named = object.str_at(&["metadata", "name"]) == Some(name)
                || previous_ids(object).iter().any(|id| id.name == name);
            if named && spec.selects(object) {
                found = true;
                spec.apply(object, Some(&count.value), &mut |field| {
                    *field = count.clone();
                    Ok(())
                })?;
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{set_replicas, split_image};
    use crate::kustomize::test_support::yaml;
    use crate::kustomize::transformer_config::TransformerConfig;

    #[test]
    fn replicas_naming_no_workload_are_an_error_as_in_kustomize() {
        let mut objects = [yaml("kind: Deployment\nmetadata: {name: web}\n")];
        let specs = TransformerConfig::builtin().replicas;
        set_replicas(&mut objects, &[yaml("{name: web, count: 3}")], &specs).expect("sets");
        assert_eq!(
            objects[0]
                .at(&["spec", "replicas"])
                .map(|n| n.value.clone()),
            Some(crate::manifest::Value::Number(3.into()))
        );
        let missing = set_replicas(&mut objects, &[yaml("{name: api, count: 3}")], &specs);
        assert!(missing.is_err_and(|e| e.message.contains("no object named api")));
    }

    #[test]
    fn image_references_split_at_the_right_colon() {
        assert_eq!(split_image("nginx"), ("nginx", None, None));
        assert_eq!(split_image("nginx:1.2"), ("nginx", Some("1.2"), None));
        assert_eq!(
            split_image("registry:5000/team/app:v1@sha256:ab"),
            ("registry:5000/team/app", Some("v1"), Some("sha256:ab"))
        );
        assert_eq!(
            split_image("registry:5000/app"),
            ("registry:5000/app", None, None)
        );
    }
}
