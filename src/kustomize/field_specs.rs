//! Where kustomize's built-in transformers write: annotation paths per kind, the kinds
//! that are cluster-scoped, and where pod templates live. (Label paths: `label_specs`.)

/// Kinds without a namespace (the namespace transformer leaves them alone).
pub const CLUSTER_SCOPED: [&str; 14] = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "ClusterIssuer",
    "IngressClass",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Workload kinds whose `spec.template` is a pod template.
const TEMPLATED: [&str; 6] = [
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "ReplicationController",
];

/// Paths (below the object) of pod template metadata, for labels and annotations.
pub fn template_metadata_paths(kind: &str) -> &'static [&'static [&'static str]] {
    if TEMPLATED.contains(&kind) {
        &[&["spec", "template", "metadata"]]
    } else if kind == "CronJob" {
        &[
            &["spec", "jobTemplate", "metadata"],
            &["spec", "jobTemplate", "spec", "template", "metadata"],
        ]
    } else {
        &[]
    }
}

/// Paths of the pod spec inside an object of `kind`.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    if TEMPLATED.contains(&kind) {
        Some(&["spec", "template", "spec"])
    } else if kind == "CronJob" {
        Some(&["spec", "jobTemplate", "spec", "template", "spec"])
    } else if kind == "Pod" {
        Some(&["spec"])
    } else {
        None
    }
}
