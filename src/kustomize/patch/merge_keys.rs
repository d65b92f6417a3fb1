//! How strategic merge treats each list of the Kubernetes built-in types: which lists merge
//! element by element (and by which key fields), which primitive lists merge as sets, and
//! that every other list is replaced whole.
//!
//! The table follows the `patchStrategy`/`patchMergeKey` tags (and, where the OpenAPI
//! schema kustomize embeds has them, `x-kubernetes-list-map-keys`) of the core/v1, apps/v1
//! and batch/v1 types. Kinds outside the built-in API groups (Istio, cert-manager, any CRD)
//! have no schema in kustomize either: their maps merge and their lists are replaced.

use crate::kustomize::field_specs::pod_spec_path;

/// What strategic merge does with one list field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStrategy {
    /// The patch's list replaces the object's.
    Replace,
    /// Elements with equal values of all these fields are merged; others are added.
    MergeByKeys(&'static [&'static str]),
    /// A list of scalars merged as a set (e.g. `metadata.finalizers`).
    MergePrimitives,
}

use ListStrategy::{MergeByKeys, MergePrimitives};

/// API groups whose kinds kustomize knows the schema of (`""` is core/v1).
const BUILT_IN_GROUPS: [&str; 12] = [
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
];

/// Lists of a pod spec, by path below the pod spec.
const POD_SPEC_LISTS: [(&[&str], ListStrategy); 7] = [
    (&["containers"], MergeByKeys(&["name"])),
    (&["initContainers"], MergeByKeys(&["name"])),
    (&["ephemeralContainers"], MergeByKeys(&["name"])),
    (&["volumes"], MergeByKeys(&["name"])),
    (&["imagePullSecrets"], MergeByKeys(&["name"])),
    (&["hostAliases"], MergeByKeys(&["ip"])),
    (
        &["topologySpreadConstraints"],
        MergeByKeys(&["topologyKey", "whenUnsatisfiable"]),
    ),
];

/// Lists of a container (and init or ephemeral container), by path below the container.
const CONTAINER_LISTS: [(&str, ListStrategy); 4] = [
    ("ports", MergeByKeys(&["containerPort", "protocol"])),
    ("env", MergeByKeys(&["name"])),
    ("volumeMounts", MergeByKeys(&["mountPath"])),
    ("volumeDevices", MergeByKeys(&["devicePath"])),
];

/// Lists of object metadata (the object's own and its pod template's).
const METADATA_LISTS: [(&str, ListStrategy); 2] = [
    ("finalizers", MergePrimitives),
    ("ownerReferences", MergeByKeys(&["uid"])),
];

/// Lists of other kinds, by kind and path below the object.
const KIND_LISTS: [(&str, &[&str], ListStrategy); 2] = [
    (
        "Service",
        &["spec", "ports"],
        MergeByKeys(&["port", "protocol"]),
    ),
    ("ServiceAccount", &["secrets"], MergeByKeys(&["name"])),
];

/// Whether kustomize merges objects of this `apiVersion` with a schema.
pub fn is_built_in(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    BUILT_IN_GROUPS.contains(&group)
}

/// The strategy for the list at `path` (mapping keys from the object's root; list elements
/// add no key) of an object of `kind`.
pub fn list_strategy(api_version: &str, kind: &str, path: &[&str]) -> ListStrategy {
    if !is_built_in(api_version) {
        return ListStrategy::Replace;
    }
    metadata_list(kind, path)
        .or_else(|| pod_spec_list(kind, path))
        .or_else(|| {
            KIND_LISTS
                .iter()
                .find(|(k, p, _)| *k == kind && *p == path)
                .map(|(_, _, strategy)| *strategy)
        })
        .unwrap_or(ListStrategy::Replace)
}

fn metadata_list(kind: &str, path: &[&str]) -> Option<ListStrategy> {
    let (field, parent) = path.split_last()?;
    let template_metadata = pod_spec_path(kind)
        .and_then(|spec| spec.split_last())
        .map(|(_, template)| [template, &["metadata"]].concat());
    let is_metadata = parent == ["metadata"] || template_metadata.as_deref() == Some(parent);
    is_metadata
        .then(|| METADATA_LISTS.iter().find(|(f, _)| f == field))
        .flatten()
        .map(|(_, strategy)| *strategy)
}

fn pod_spec_list(kind: &str, path: &[&str]) -> Option<ListStrategy> {
    let below = path.strip_prefix(pod_spec_path(kind)?)?;
    if let Some((_, strategy)) = POD_SPEC_LISTS.iter().find(|(p, _)| *p == below) {
        return Some(*strategy);
    }
    match below {
        [containers, field] if is_container_list(containers) => CONTAINER_LISTS
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, strategy)| *strategy),
        _ => None,
    }
}

fn is_container_list(field: &str) -> bool {
    matches!(
        field,
        "containers" | "initContainers" | "ephemeralContainers"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_template_lists_of_every_workload_kind() {
        for (kind, prefix) in [
            ("Deployment", vec!["spec", "template", "spec"]),
            ("StatefulSet", vec!["spec", "template", "spec"]),
            ("DaemonSet", vec!["spec", "template", "spec"]),
            ("Job", vec!["spec", "template", "spec"]),
            (
                "CronJob",
                vec!["spec", "jobTemplate", "spec", "template", "spec"],
            ),
            ("Pod", vec!["spec"]),
        ] {
            let at = |rest: &[&'static str]| [prefix.as_slice(), rest].concat();
            assert_eq!(
                list_strategy("apps/v1", kind, &at(&["containers"])),
                MergeByKeys(&["name"]),
                "{kind}"
            );
            assert_eq!(
                list_strategy("apps/v1", kind, &at(&["initContainers", "env"])),
                MergeByKeys(&["name"]),
                "{kind}"
            );
            assert_eq!(
                list_strategy("v1", kind, &at(&["containers", "volumeMounts"])),
                MergeByKeys(&["mountPath"]),
                "{kind}"
            );
            assert_eq!(
                list_strategy("v1", kind, &at(&["tolerations"])),
                ListStrategy::Replace,
                "{kind}"
            );
        }
    }

    #[test]
    fn metadata_service_and_custom_kinds() {
        assert_eq!(
            list_strategy("apps/v1", "Deployment", &["metadata", "finalizers"]),
            MergePrimitives
        );
        assert_eq!(
            list_strategy(
                "apps/v1",
                "Deployment",
                &["spec", "template", "metadata", "finalizers"]
            ),
            MergePrimitives
        );
        assert_eq!(
            list_strategy("v1", "Service", &["spec", "ports"]),
            MergeByKeys(&["port", "protocol"])
        );
        assert_eq!(
            list_strategy(
                "networking.istio.io/v1",
                "DestinationRule",
                &["metadata", "finalizers"]
            ),
            ListStrategy::Replace
        );
        assert!(!is_built_in("cert-manager.io/v1"));
        assert!(is_built_in("v1") && is_built_in("apps/v1"));
    }
}
