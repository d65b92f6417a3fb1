//! Which objects kustomize (v5.5.0, the one in kubectl) believes cluster-scoped: exactly
//! the group/version/kinds its built-in OpenAPI data (Kubernetes 1.21) knows as such.
//! Anything else — a newer built-in kind (ValidatingAdmissionPolicy), another version
//! of a known kind (`flowcontrol.apiserver.k8s.io/v1`), any custom resource (ClusterIssuer),
//! a custom kind named `Namespace` — is namespaced to kustomize, and its namespace
//! transformer gives it `metadata.namespace`.

/// kyaml v0.18.1's `precomputedIsNamespaceScoped` entries that are `false`.
const CLUSTER_SCOPED: [(&str, &str); 36] = [
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// Whether kustomize leaves `metadata.namespace` of an `api_version`/`kind` object alone.
pub fn kustomize_sees_cluster_scoped(api_version: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&(api_version, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_group_version_kinds_kustomize_knows_are_cluster_scoped() {
        assert!(kustomize_sees_cluster_scoped("v1", "Namespace"));
        assert!(kustomize_sees_cluster_scoped(
            "rbac.authorization.k8s.io/v1",
            "ClusterRole"
        ));
        assert!(!kustomize_sees_cluster_scoped(
            "example.com/v1",
            "Namespace"
        ));
        assert!(!kustomize_sees_cluster_scoped(
            "cert-manager.io/v1",
            "ClusterIssuer"
        ));
        assert!(!kustomize_sees_cluster_scoped(
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicy"
        ));
        assert!(!kustomize_sees_cluster_scoped(
            "flowcontrol.apiserver.k8s.io/v1",
            "FlowSchema"
        ));
    }
}
