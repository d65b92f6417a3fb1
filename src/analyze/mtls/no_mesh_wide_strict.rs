//! MW201: a cluster with mesh workloads whose mesh-wide PeerAuthentication is not STRICT.
//!
//! The mesh-wide policy (root namespace `istio-system`, no selector; the oldest when there
//! are several) is what every namespace without a policy of its own gets, including the
//! ones created tomorrow. Without one, Istio's default is PERMISSIVE: sidecars accept
//! plaintext from anyone. A mesh-wide policy in another mode is reported at its `mode`.
//! When the cluster has none at all, the finding is an error if the repository manages the
//! root namespace (it declares objects in `istio-system`, where the policy belongs: the
//! finding points at the first of them, the Namespace when declared), and a warning at the
//! first workload with a sidecar otherwise, since the mesh-wide policy may then legitimately
//! live in the repository that installs Istio. Clusters without sidecars are not checked.

use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, Severity, codes};
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::peer::PeerMode;

use super::{deepest, is_mesh_wide, peer_object};

pub static RULE: Rule = Rule {
    code: &codes::NO_MESH_WIDE_STRICT,
    check,
};

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let meshed = model.workloads().iter().filter(|w| w.sidecar).count();
    if meshed == 0 {
        return Vec::new();
    }
    let workloads = format!(
        "the sidecars of {meshed} workload{}",
        if meshed == 1 { "" } else { "s" }
    );
    if let Some(policy) = model.peer.policies.iter().find(|p| is_mesh_wide(p)) {
        if policy.mode == PeerMode::Strict {
            return Vec::new();
        }
        let Some(object) = peer_object(cluster, policy) else {
            return Vec::new();
        };
        let node = deepest(object, &["spec", "mtls", "mode"]);
        let mode = match policy.mode {
            PeerMode::Unset => "sets no mode, so Istio's default PERMISSIVE applies".to_string(),
            mode => format!("sets mode {mode}"),
        };
        let effect = if policy.mode == PeerMode::Disable {
            "refuse mTLS and accept only plaintext"
        } else {
            "accept plaintext from any caller"
        };
        return vec![
            Finding::new(
                &codes::NO_MESH_WIDE_STRICT,
                format!(
                    "the mesh-wide PeerAuthentication {} {mode}: {workloads} {effect} unless a \
                     namespace or workload policy makes them STRICT",
                    policy.id()
                ),
                Some(node.origin.clone()),
            )
            .on(object),
        ];
    }
    let root = cluster
        .objects
        .iter()
        .find(|o| {
            o.str_at(&["kind"]) == Some("Namespace")
                && o.str_at(&["metadata", "name"]) == Some(ROOT_NAMESPACE)
        })
        .or_else(|| {
            cluster
                .objects
                .iter()
                .find(|o| o.str_at(&["metadata", "namespace"]) == Some(ROOT_NAMESPACE))
        });
    let missing = format!(
        "no mesh-wide PeerAuthentication (namespace {ROOT_NAMESPACE}, no selector, mode STRICT) \
         in cluster {}: {workloads} fall back to Istio's default PERMISSIVE and accept \
         plaintext unless a namespace or workload policy makes them STRICT",
        model.cluster
    );
    match root {
        Some(object) => vec![
            Finding::new(
                &codes::NO_MESH_WIDE_STRICT,
                format!("{missing}; add it next to this {ROOT_NAMESPACE} object"),
                Some(name_origin(object)),
            )
            .on(object),
        ],
        None => {
            let Some(workload) = model.workloads().iter().find(|w| w.sidecar) else {
                return Vec::new();
            };
            let object = super::object(cluster, &workload.kind, &workload.namespace, &workload.name);
            let finding = Finding::new(
                &codes::NO_MESH_WIDE_STRICT,
                format!(
                    "{missing}; this repository declares nothing in {ROOT_NAMESPACE}, so the \
                     policy may be managed where Istio is installed"
                ),
                Some(workload.origin.clone()),
            );
            let mut finding = match object {
                Some(object) => finding.on(object),
                None => finding,
            };
            finding.severity = Severity::Warning;
            vec![finding]
        }
    }
}

/// Where an object's name is written (the object itself when it has none).
fn name_origin(object: &Node) -> crate::manifest::Origin {
    deepest(object, &["metadata", "name"]).origin.clone()
}
