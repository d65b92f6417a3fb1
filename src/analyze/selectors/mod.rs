//! Workload selector analyzers (MW620–MW623): the label selectors with which policies,
//! Sidecars, Telemetry and DestinationRule subsets choose pods — whether a selector can take
//! effect on the pods it chooses, whether two objects of one kind claim the same pods or the
//! same namespace, and whether a subset chooses any pod of its host.
//!
//! The helpers here are shared with MW303 (a selector that selects no workload).

pub mod conflicting_workload_selectors;
pub mod ineffective_gateway_selector;
pub mod multiple_namespace_defaults;
pub mod subset_selects_no_pods;

use std::collections::HashMap;

use crate::analyze::authz::is_targeted;
use crate::analyze::refs::namespace_of;
use crate::manifest::Node;
use crate::policy::workload::{Labels, Workload, labels};

/// The label Gateway API implementations put on the pods of a Gateway's deployment (which
/// Istio creates from the Gateway, outside the repository).
pub const GATEWAY_NAME_LABEL: &str = "gateway.networking.k8s.io/gateway-name";

/// The selector of an Istio object that selects workloads by labels — `selector.matchLabels`
/// of an AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry or
/// WasmPlugin, `workloadSelector.labels` of a Sidecar — when it names at least one label.
pub fn workload_selector(object: &Node) -> Option<&Node> {
    let group = object.str_at(&["apiVersion"])?.split('/').next()?;
    let path: &[&str] = match (object.str_at(&["kind"])?, group) {
        (
            "AuthorizationPolicy" | "PeerAuthentication" | "RequestAuthentication",
            "security.istio.io",
        )
        | ("Telemetry", "telemetry.istio.io")
        | ("WasmPlugin", "extensions.istio.io") => &["spec", "selector", "matchLabels"],
        ("Sidecar", "networking.istio.io") => &["spec", "workloadSelector", "labels"],
        _ => return None,
    };
    object
        .at(path)
        .filter(|s| !s.as_map().unwrap_or_default().is_empty())
}

/// The labels a selector node names.
pub fn selector_labels(selector: &Node) -> Labels {
    labels(Some(selector))
}

/// The workloads of each namespace.
pub fn workloads_by_namespace(workloads: &[Workload]) -> HashMap<&str, Vec<&Workload>> {
    let mut by_namespace: HashMap<&str, Vec<&Workload>> = HashMap::new();
    for workload in workloads {
        by_namespace
            .entry(workload.namespace.as_str())
            .or_default()
            .push(workload);
    }
    by_namespace
}

/// A kind of object of which one applies to each pod: a Sidecar, or a Telemetry. Each pod
/// takes the one whose workload selector matches it, else its namespace's selector-less one;
/// Istio picks arbitrarily (the oldest) when several qualify.
#[derive(Clone, Copy)]
pub struct PerPodKind {
    pub kind: &'static str,
    pub group: &'static str,
    /// The plural, for messages.
    pub plural: &'static str,
}

/// Sidecar and Telemetry, the kinds of which one applies to each pod.
pub const PER_POD_KINDS: [PerPodKind; 2] = [
    PerPodKind {
        kind: "Sidecar",
        group: "networking.istio.io",
        plural: "Sidecars",
    },
    PerPodKind {
        kind: "Telemetry",
        group: "telemetry.istio.io",
        plural: "Telemetry resources",
    },
];

/// An object of a [`PerPodKind`]: its namespace and its selector, `None` for the
/// namespace-wide (selector-less) one. Telemetry bound to gateways or waypoints by
/// `targetRefs` applies to no pod and is left out.
pub struct PerPodObject<'a> {
    pub object: &'a Node,
    pub namespace: &'a str,
    pub selector: Option<&'a Node>,
}

impl PerPodKind {
    /// The objects of this kind in `objects`.
    pub fn objects<'a>(&self, objects: &'a [Node]) -> Vec<PerPodObject<'a>> {
        objects
            .iter()
            .filter(|o| {
                o.str_at(&["kind"]) == Some(self.kind)
                    && o.str_at(&["apiVersion"]).and_then(|v| v.split('/').next())
                        == Some(self.group)
                    && !is_targeted(o)
            })
            .map(|object| PerPodObject {
                object,
                namespace: namespace_of(object),
                selector: workload_selector(object),
            })
            .collect()
    }
}

/// `<namespace>/<name>` of each object, sorted, joined with ", ".
pub fn names(objects: &[&Node]) -> String {
    let mut names: Vec<String> = objects
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                namespace_of(o),
                o.str_at(&["metadata", "name"]).unwrap_or_default()
            )
        })
        .collect();
    names.sort();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn objects(yaml: &str) -> Vec<Node> {
        parse_documents(std::path::Path::new("t.yaml"), yaml.as_bytes()).unwrap()
    }

    #[test]
    fn a_selector_needs_a_label_and_istios_group() {
        let objects = objects(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\n\
             spec: {selector: {matchLabels: {}}}\n---\n\
             apiVersion: example.com/v1\nkind: Sidecar\nmetadata: {name: b}\n\
             spec: {workloadSelector: {labels: {app: x}}}\n---\n\
             apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: c}\n\
             spec: {selector: {matchLabels: {app: x}}}\n",
        );
        assert!(workload_selector(&objects[0]).is_none());
        assert!(workload_selector(&objects[1]).is_none());
        let selector = workload_selector(&objects[2]).unwrap();
        assert_eq!(selector_labels(selector).get("app").unwrap(), "x");
    }

    #[test]
    fn telemetry_attached_by_target_refs_applies_to_no_pod() {
        let objects = objects(
            "apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: n}\n\
             spec: {}\n---\n\
             apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: b, namespace: n}\n\
             spec: {targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: w}]}\n",
        );
        let telemetry = PER_POD_KINDS[1].objects(&objects);
        assert_eq!(telemetry.len(), 1);
        assert_eq!(names(&[telemetry[0].object]), "n/a");
        assert!(telemetry[0].selector.is_none());
        assert!(PER_POD_KINDS[0].objects(&objects).is_empty());
    }
}
