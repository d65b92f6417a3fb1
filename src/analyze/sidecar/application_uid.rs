//! MW703: an application container that runs as UID 1337, the sidecar proxy's user.
//!
//! The iptables rules Istio installs in an injected pod send every connection through the
//! proxy except those of UID 1337 — the proxy's own. An application running as 1337
//! bypasses its sidecar: its outbound traffic leaves without mTLS, authorization, retries
//! or telemetry. Only pods that may be injected are judged (not gateways, not pods in a
//! namespace the repository declares without injection, nor pods that opt out), and the
//! `istio-proxy` container itself is not an application.

use crate::analyze::refs::namespace_of;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::{Labels, labels, pod_template, scalar, sidecar_injected};

/// The user ID of the Istio proxy, exempt from traffic capture.
const PROXY_UID: &str = "1337";

/// Containers of Istio's own that run as the proxy user.
const ISTIO_CONTAINERS: [&str; 2] = ["istio-proxy", "istio-operator"];

pub static CODE: Code = Code {
    code: "MW703",
    name: "application-uid-1337",
    severity: Severity::Warning,
    help: "run the application as another user ID; 1337 is reserved for the Istio proxy",
    docs: r#"## What it does
Finds pod templates (and bare Pods) that may get an Istio sidecar whose application
containers run as user ID 1337: `securityContext.runAsUser: 1337` on a container other than
`istio-proxy`, or on the pod when a container does not set its own. Gateways, pods that opt
out of injection and pods in a namespace declared without injection are not judged.

`istioctl analyze` reports this as IST0144 (InvalidApplicationUID).

## Why is this bad?
UID 1337 is the proxy's. Istio's traffic capture lets that user's connections bypass the
sidecar, so the application's outbound traffic is sent in plain text, without the mesh's
mTLS, authorization, retries or telemetry — and STRICT peers reject it.

## Example
```yaml
spec:
  template:
    spec:
      securityContext:
        runAsUser: 1337
```

## Use instead
```yaml
spec:
  template:
    spec:
      securityContext:
        runAsUser: 10001
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in cluster.objects {
        let Some(pod) = pod_template(object) else {
            continue;
        };
        if !may_be_injected(cluster, object, pod) {
            continue;
        }
        let spec = pod.get("spec");
        let containers: Vec<&Node> = spec
            .and_then(|s| s.get("containers"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|c| {
                !c.str_at(&["name"])
                    .is_some_and(|n| ISTIO_CONTAINERS.contains(&n))
            })
            .collect();
        let mut proxy_uid: Vec<&Node> = containers
            .iter()
            .filter_map(|c| run_as_user(Some(c)))
            .filter(|uid| is_proxy_uid(uid))
            .collect();
        // The pod's user applies to the containers that do not set their own.
        if let Some(uid) = run_as_user(spec).filter(|uid| is_proxy_uid(uid))
            && containers.iter().any(|c| run_as_user(Some(c)).is_none())
        {
            proxy_uid.insert(0, uid);
        }
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
        for uid in proxy_uid {
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "{kind} {}/{name} runs an application container as UID 1337, the \
                         Istio proxy's user: its traffic bypasses the sidecar (no mTLS, no \
                         authorization policy)",
                        namespace_of(object)
                    ),
                    Some(uid.origin.clone()),
                )
                .on(object),
            );
        }
    }
    findings
}

/// The `securityContext.runAsUser` of a pod spec or a container.
fn run_as_user(node: Option<&Node>) -> Option<&Node> {
    node?.at(&["securityContext", "runAsUser"])
}

fn is_proxy_uid(uid: &Node) -> bool {
    scalar(uid).as_deref() == Some(PROXY_UID)
}

/// Whether the pod may run an application sidecar: it is not a gateway, and it is injected,
/// or its namespace is not declared in the repository and the pod does not opt out.
fn may_be_injected(cluster: &Cluster, object: &Node, pod: &Node) -> bool {
    let namespace = namespace_of(object);
    let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
    let kind = object.str_at(&["kind"]).unwrap_or_default();
    let Some(workload) = cluster
        .model
        .workloads()
        .iter()
        .find(|w| w.kind == kind && w.namespace == namespace && w.name == name)
    else {
        return false;
    };
    if workload.gateway {
        return false;
    }
    if workload.sidecar {
        return true;
    }
    let declared = &cluster.model.inventory.namespaces;
    let assumed_injected: Labels = [("istio-injection".to_string(), "enabled".to_string())].into();
    let host_network = pod
        .at(&["spec", "hostNetwork"])
        .and_then(scalar)
        .is_some_and(|h| h == "true");
    !declared.contains_key(namespace)
        && !host_network
        && sidecar_injected(
            Some(&assumed_injected),
            &workload.labels,
            &labels(pod.at(&["metadata", "annotations"])),
        )
}
