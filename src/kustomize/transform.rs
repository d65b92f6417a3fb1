//! kustomize's built-in transformers that a kustomization's own fields drive: namespace,
//! name prefix and suffix, image overrides and replica counts (labels and annotations are
//! written along `metadata_specs`' specs by `custom_fields`).

use super::cluster_scope::kustomize_sees_cluster_scoped;
use super::error::KustomizeError;
use super::field_path;
use super::field_specs::FieldSpec;
use super::history::{previous_ids, record_affixes};
use regex::Regex;

use crate::manifest::{Node, Value};

fn kind(object: &Node) -> &str {
    object.str_at(&["kind"]).unwrap_or_default()
}

/// `namespace:` as kustomize's namespace transformer does it: objects kustomize does not
/// know as cluster-scoped move to `namespace`, core Namespace objects are renamed to it,
/// (Cluster)RoleBinding subjects named `default` get it, and so do an APIService's service
/// (created) and a CRD's conversion webhook service (when present).
pub fn set_namespace(objects: &mut [Node], namespace: &str, origin: &Node) {
    let value = || Node::string(namespace, origin.origin.clone());
    for object in objects.iter_mut() {
        let kind = kind(object).to_string();
        let api_version = object
            .str_at(&["apiVersion"])
            .unwrap_or_default()
            .to_string();
        let group = api_version.split_once('/').map_or("", |(group, _)| group);
        if kind == "Namespace" && api_version == "v1" {
            object.map_entry("metadata").set("name", value());
        }
        if !kustomize_sees_cluster_scoped(&api_version, &kind) {
            object.map_entry("metadata").set("namespace", value());
        }
        match (group, kind.as_str()) {
            (_, "RoleBinding" | "ClusterRoleBinding") => {
                for subject in object
                    .get_mut("subjects")
                    .and_then(Node::as_seq_mut)
                    .into_iter()
                    .flatten()
                {
                    if subject.str_at(&["name"]) == Some("default") {
                        subject.set("namespace", value());
                    }
                }
            }
            ("apiregistration.k8s.io", "APIService") => {
                object
                    .map_entry("spec")
                    .map_entry("service")
                    .set("namespace", value());
            }
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                let path = ["spec", "conversion", "webhook", "clientConfig", "service"];
                if let Some(service) = object.at_mut(&path)
                    && service.get("namespace").is_some()
                {
                    service.set("namespace", value());
                }
            }
            _ => {}
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
        record_affixes(object, prefix, suffix);
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

/// One `images:` entry.
pub struct ImageOverride {
    /// kustomize reads `name` as a regular expression, anchored, followed by an optional
    /// tag and `@sha256:` digest; `None` when it is not a valid one (nothing matches).
    pattern: Option<Regex>,
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
        let non_empty = |value: Option<String>| value.filter(|v| !v.is_empty());
        Ok(ImageOverride {
            pattern: Regex::new(&format!(
                "^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
            ))
            .ok(),
            new_name: non_empty(text("newName")?),
            new_tag: non_empty(text("newTag")?),
            digest: non_empty(text("digest")?),
            origin: entry.clone(),
        })
    }

    /// The rewritten image reference, if `image` names this override's image: a new tag
    /// or digest replaces both the old tag and digest.
    pub fn apply(&self, image: &str) -> Option<String> {
        if !self.pattern.as_ref()?.is_match(image) {
            return None;
        }
        let (name, mut tag, mut digest) = split_image(image);
        let name = self.new_name.as_deref().unwrap_or(name);
        if self.new_tag.is_some() || self.digest.is_some() {
            tag = self.new_tag.as_deref().unwrap_or_default();
            digest = self.digest.as_deref().unwrap_or_default();
        }
        let mut reference = name.to_string();
        if !tag.is_empty() {
            reference = format!("{reference}:{tag}");
        }
        if !digest.is_empty() {
            reference = format!("{reference}@{digest}");
        }
        Some(reference)
    }
}

/// kustomize's `image.Split`: `host:port/name:tag@digest` → (name, tag, digest), looking
/// for `:` and `@` only after the first `/`.
fn split_image(image: &str) -> (&str, &str, &str) {
    let start = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[start..];
    let at = search.find('@').map(|i| i + start);
    let colon = search.find(':').map(|i| i + start);
    match (colon, at) {
        (None, None) => (image, "", ""),
        (Some(colon), Some(at)) if colon < at => {
            (&image[..colon], &image[colon + 1..at], &image[at + 1..])
        }
        (_, Some(at)) => (&image[..at], "", &image[at + 1..]),
        (Some(colon), None) => (&image[..colon], &image[colon + 1..], ""),
    }
}

/// `images:` — each entry in turn (a later entry sees what an earlier one wrote) rewrites
/// the `image` of every element of every `containers` or `initContainers` list at any
/// depth of every object but CRDs, as kustomize's image filter does.
pub fn override_images(objects: &mut [Node], overrides: &[ImageOverride]) {
    for image_override in overrides {
        for object in objects.iter_mut() {
            if kind(object) != "CustomResourceDefinition" {
                rewrite_images(object, image_override);
            }
        }
    }
}

fn rewrite_images(node: &mut Node, image_override: &ImageOverride) {
    match &mut node.value {
        Value::Map(entries) => {
            for (key, value) in entries.iter_mut() {
                rewrite_images(value, image_override);
                if key != "containers" && key != "initContainers" {
                    continue;
                }
                for container in value.as_seq_mut().into_iter().flatten() {
                    let Some(image) = container.str_at(&["image"]).map(str::to_string) else {
                        continue;
                    };
                    if let Some(rewritten) = image_override.apply(&image) {
                        let origin = image_override.origin.origin.clone();
                        container.set("image", Node::string(rewritten, origin));
                    }
                }
            }
        }
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|item| rewrite_images(item, image_override)),
        _ => {}
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
        assert_eq!(split_image("nginx"), ("nginx", "", ""));
        assert_eq!(split_image("nginx:1.2"), ("nginx", "1.2", ""));
        assert_eq!(split_image("nginx@sha256:ab"), ("nginx", "", "sha256:ab"));
        assert_eq!(
            split_image("registry/team/app:v1@sha256:ab"),
            ("registry/team/app", "v1", "sha256:ab")
        );
        // Like kustomize, `:` is looked for after the first `/` only.
        assert_eq!(
            split_image("registry:5000/app"),
            ("registry:5000/app", "", "")
        );
    }
}
