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
//! live in the repository that installs Istio (it points at the first workload relying on
//! the mesh-wide default). Clusters without sidecars are not checked; the message names the
//! workloads without a namespace or workload policy, which get the mesh-wide mode today.
//! Gateways count as meshed workloads for the policy model, not here: they are not
//! sidecars whose inbound traffic PeerAuthentication governs.

use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::peer::PeerMode;
use crate::policy::workload::Workload;

use super::{deepest, enumerate, is_mesh_wide, peer_object};

/// `no-mesh-wide-strict`
pub static CODE: Code = Code {
    code: "MW201",
    name: "no-mesh-wide-strict",
    severity: Severity::Error,
    help: "declare a PeerAuthentication in istio-system without selector, with mtls.mode STRICT",
    docs: r#"## What it does
Checks that a cluster whose workloads run Istio sidecars has a mesh-wide PeerAuthentication
(in the root namespace `istio-system`, without selector) in mode `STRICT`. A mesh-wide policy
in another mode is reported at its `mode`. When there is none, the finding points at the
repository's first object in `istio-system` (the Namespace when declared); if the repository
declares nothing there, the policy may be managed where Istio is installed, and the finding is
a warning at the first workload with a sidecar.

## Why is this bad?
The mesh-wide policy is what every namespace without a policy of its own gets — including
the ones created next month. Without it Istio's default is `PERMISSIVE`: sidecars accept
plaintext from any pod, which carries no identity, so authorization by principal or namespace
does not hold for it.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: PERMISSIVE
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    // Gateways' proxies are left out: PeerAuthentication governs sidecars' inbound traffic.
    let meshed: Vec<&Workload> = model
        .workloads()
        .iter()
        .filter(|w| w.sidecar && !w.gateway)
        .collect();
    if meshed.is_empty() {
        return Vec::new();
    }
    // Workloads with a sidecar and no namespace or workload policy setting their mode.
    let inheriting: Vec<&Workload> = meshed
        .iter()
        .copied()
        .filter(|w| {
            let server = model.peer.resolve(model.peer.for_workload(w), None);
            server
                .policy
                .is_none_or(|p| is_mesh_wide(&model.peer.policies[p]))
        })
        .collect();
    let ids: Vec<String> = inheriting.iter().map(|w| w.id()).collect();
    let (count, total) = (inheriting.len(), meshed.len());
    let workloads = match count {
        0 => "every workload with a sidecar has a policy of its own today, but the sidecars \
              of any new namespace"
            .to_string(),
        1 if total == 1 => format!(
            "the only workload with a sidecar ({}) has no namespace or workload policy, so its \
             sidecars",
            ids[0]
        ),
        _ => format!(
            "{} of the {total} workloads with sidecars ({}) {} no namespace or workload \
             policy, so the sidecars",
            if count == total {
                "all".to_string()
            } else {
                count.to_string()
            },
            enumerate(&ids),
            if count == 1 { "has" } else { "have" }
        ),
    };
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
                &CODE,
                format!(
                    "the mesh-wide PeerAuthentication {} {mode}: {workloads} {effect}",
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
         in cluster {}: {workloads} fall back to Istio's default PERMISSIVE, accepting \
         plaintext",
        model.cluster
    );
    match root {
        Some(object) => vec![
            Finding::new(
                &CODE,
                format!("{missing}; add it next to this {ROOT_NAMESPACE} object"),
                Some(name_origin(object)),
            )
            .on(object),
        ],
        None => {
            let workload = inheriting.first().unwrap_or(&meshed[0]);
            let object =
                super::object(cluster, &workload.kind, &workload.namespace, &workload.name);
            let finding = Finding::new(
                &CODE,
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
