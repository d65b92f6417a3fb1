//! MW303: a workload selector that selects no workload.
//!
//! AuthorizationPolicy, PeerAuthentication, RequestAuthentication and Telemetry select
//! workloads by `selector.matchLabels`, a Sidecar by `workloadSelector.labels`, among the
//! pods of their namespace (of every namespace, in the root namespace). A selector no
//! workload of the cluster matches makes the policy do nothing — usually a typo, or a label
//! that changed on the Deployment but not on the policy. A namespace the repository holds no
//! workloads of is left alone: its pods are deployed from elsewhere. A root-namespace
//! selector is judged against every workload of the cluster, unless the repository holds no
//! workload of the root namespace and the selector may select a gateway (installed outside
//! the repository by Istio's charts).

use super::object_id;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::workload::{Labels, matches_labels, scalar};

/// `selector-matches-nothing`
pub static CODE: Code = Code {
    code: "MW303",
    name: "selector-matches-nothing",
    severity: Severity::Warning,
    help: "fix the labels so they match the workload's pod template labels",
    docs: r#"## What it does
Checks that the workload selector of an AuthorizationPolicy, PeerAuthentication,
RequestAuthentication, Telemetry (`selector.matchLabels`) or Sidecar
(`workloadSelector.labels`) matches the pod template labels of some workload in its
namespace (any namespace, for the root namespace `istio-system`). Namespaces whose workloads
the repository does not hold are skipped, and so is a root-namespace selector that may
select a gateway (a label `istio`, `istio.io/…`, `gateway.networking.k8s.io/…`, or a value
naming a gateway) when the repository deploys nothing into the root namespace: Istio's
charts install the gateways.

`istioctl analyze` reports this as IST0127 (NoMatchingWorkloadsFound).

## Why is this bad?
A policy that selects nothing does nothing: the workload it was written for keeps the
namespace or mesh default (no authorization, another mTLS mode, no JWT check).

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  selector:
    matchLabels:
      app: order        # the Deployment's pods are labelled app: orders
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: orders
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// The selector labels of an Istio object that selects workloads, and where they are.
fn selector(object: &Node) -> Option<&Node> {
    let group = object.str_at(&["apiVersion"])?.split('/').next()?;
    let path: &[&str] = match (object.str_at(&["kind"])?, group) {
        (
            "AuthorizationPolicy" | "PeerAuthentication" | "RequestAuthentication",
            "security.istio.io",
        )
        | ("Telemetry", "telemetry.istio.io") => &["spec", "selector", "matchLabels"],
        ("Sidecar", "networking.istio.io") => &["spec", "workloadSelector", "labels"],
        _ => return None,
    };
    object
        .at(path)
        .filter(|s| !s.as_map().unwrap_or_default().is_empty())
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let workloads = cluster.model.workloads();
    let mut by_namespace: std::collections::HashMap<&str, Vec<_>> = Default::default();
    for workload in workloads {
        by_namespace
            .entry(workload.namespace.as_str())
            .or_default()
            .push(workload);
    }
    let mut findings = Vec::new();
    for object in cluster.objects {
        let Some(node) = selector(object) else {
            continue;
        };
        let labels: Labels = node
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| scalar(v).map(|v| (k.clone(), v)))
            .collect();
        let namespace = object
            .str_at(&["metadata", "namespace"])
            .unwrap_or("default");
        let root = namespace == ROOT_NAMESPACE;
        let matches = if root {
            // Mesh-wide: judged unless it may select gateways installed outside the repo.
            if workloads.is_empty()
                || (!by_namespace.contains_key(namespace) && may_select_gateway(&labels))
            {
                continue;
            }
            workloads.iter().any(|w| matches_labels(&labels, &w.labels))
        } else {
            let Some(local) = by_namespace.get(namespace) else {
                continue; // the repo describes no workload of this namespace
            };
            local.iter().any(|w| matches_labels(&labels, &w.labels))
        };
        if matches {
            continue;
        }
        let selected = labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        // No cluster name: a base rendered into several clusters is reported once.
        let scope = if root {
            "any namespace".to_string()
        } else {
            format!("namespace {namespace}")
        };
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        findings.push(
            Finding::new(
                &CODE,
                format!(
                    "{kind} {} selects pods labelled {selected}, but no workload in {scope} has \
                     these labels: the {kind} applies to nothing",
                    object_id(object),
                ),
                Some(node.origin.clone()),
            )
            .on(object),
        );
    }
    findings
}

/// Whether selector labels may be a gateway's (`istio: ingressgateway`, `app:
/// istio-ingressgateway`, `istio.io/gateway-name: …`): Istio's charts install gateways, so a
/// repository may hold mesh-wide policies for gateways it does not deploy.
fn may_select_gateway(labels: &Labels) -> bool {
    labels.iter().any(|(key, value)| {
        key == "istio"
            || key.starts_with("istio.io/")
            || key.starts_with("gateway.networking.k8s.io/")
            || value.contains("gateway")
    })
}
