//! Sidecar proxy analyzers (MW703–MW706): whether a workload gets the proxy its namespace
//! and pod template ask for, and whether its traffic goes through that proxy.

pub mod application_uid;
pub mod misplaced_pod_annotation;
pub mod multiple_injection_labels;
pub mod namespace_not_injected;

/// Prefixes of the annotations Istio reads on pods only, to configure their sidecar.
pub const POD_ANNOTATION_PREFIXES: [&str; 6] = [
    "sidecar.istio.io/",
    "traffic.sidecar.istio.io/",
    "readiness.status.sidecar.istio.io/",
    "status.sidecar.istio.io/",
    "proxy.istio.io/",
    "inject.istio.io/",
];

/// The label (once an annotation) that turns injection on or off for a pod.
pub const INJECT_LABEL: &str = "sidecar.istio.io/inject";

/// The legacy namespace injection label (`enabled` or `disabled`).
pub const NAMESPACE_INJECTION_LABEL: &str = "istio-injection";

/// The namespace labels that choose a revision's injector or the ambient data plane.
pub const NAMESPACE_MODE_LABELS: [&str; 2] = ["istio.io/rev", "istio.io/dataplane-mode"];
