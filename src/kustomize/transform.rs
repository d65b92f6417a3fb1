//! kustomize's built-in transformers that a kustomization's own fields drive: namespace,
//! name prefix and suffix, labels, annotations, image overrides and replica counts.

use super::cluster_scope::kustomize_sees_cluster_scoped;
use super::error::KustomizeError;
use super::field_specs::{pod_spec_path, template_metadata_paths};
use super::label_specs::{LabelTargets, add_labels as add_object_labels};
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

/// `namePrefix:` / `nameSuffix:` — every object but Namespaces, CRDs and APIServices is
/// renamed (kustomize's skip list, by kind).
pub fn add_name_affixes(objects: &mut [Node], prefix: &str, suffix: &str) {
    for object in objects.iter_mut() {
        let group = object
            .str_at(&["apiVersion"])
            .and_then(|v| v.split_once('/'))
            .map_or("", |(group, _)| group);
        let skipped = match kind(object) {
            "Namespace" | "CustomResourceDefinition" => true,
            "APIService" => group == "apiregistration.k8s.io",
            _ => false,
        };
        if skipped {
            continue;
        }
        if let Some(name) = object.at_mut(&["metadata", "name"])
            && let Value::String(text) = &mut name.value
        {
            *text = format!("{prefix}{text}{suffix}");
        }
    }
}

/// Adds `pairs` to every object's labels and those `targets` reach (see `label_specs`).
pub fn add_labels(
    objects: &mut [Node],
    pairs: &[(String, String)],
    origin: &Node,
    targets: &LabelTargets,
) {
    for object in objects.iter_mut() {
        add_object_labels(object, pairs, origin, targets);
    }
}

/// `commonAnnotations:` — adds `pairs` to every object's annotations and its pod templates'.
pub fn add_annotations(objects: &mut [Node], pairs: &[(String, String)], origin: &Node) {
    for object in objects.iter_mut() {
        let kind = kind(object).to_string();
        merge_pairs(
            object.map_entry("metadata").map_entry("annotations"),
            pairs,
            origin,
        );
        for path in template_metadata_paths(&kind) {
            if let Some(metadata) = ensure_path(object, path) {
                merge_pairs(metadata.map_entry("annotations"), pairs, origin);
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
    fn apply(&self, image: &str) -> Option<String> {
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

/// `replicas:` — sets `spec.replicas` of the named workloads.
pub fn set_replicas(objects: &mut [Node], entries: &[Node]) -> Result<(), KustomizeError> {
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
        for object in objects.iter_mut() {
            if object.str_at(&["metadata", "name"]) == Some(name)
                && matches!(
                    kind(object),
                    "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
                )
            {
                object.map_entry("spec").set("replicas", count.clone());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_image;

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
