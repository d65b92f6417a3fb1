//! MW303: a workload selector that selects no workload.
//!
//! AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry and WasmPlugin
//! select workloads by `selector.matchLabels`, a Sidecar by `workloadSelector.labels`, among
//! the pods of their namespace (of every namespace, in the root namespace). A selector no
//! workload of the cluster matches makes the policy do nothing — usually a typo, or a label
//! that changed on the Deployment but not on the policy. A namespace the repository holds no
//! workloads of is left alone: its pods are deployed from elsewhere; so is a selector of the
//! pods Istio deploys for a Gateway API gateway. A root-namespace selector is judged against
//! every workload of the cluster, unless the repository holds no workload of the root
//! namespace and the selector may select a gateway (installed outside the repository by
//! Istio's charts).

use super::object_id;
use crate::analyze::selectors::{
    GATEWAY_NAME_LABEL, selector_labels, workload_selector, workloads_by_namespace,
};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::ROOT_NAMESPACE;
use crate::policy::workload::{Labels, matches_labels};

/// `selector-matches-nothing`
pub static CODE: Code = Code {
    code: "MW303",
    name: "selector-matches-nothing",
    severity: Severity::Warning,
    help: "fix the labels so they match the workload's pod template labels",
    docs: r#"## What it does
Checks that the workload selector of an AuthorizationPolicy, PeerAuthentication,
RequestAuthentication, Telemetry, WasmPlugin (`selector.matchLabels`) or Sidecar
(`workloadSelector.labels`) matches the pod template labels of some workload in its
namespace (any namespace, for the root namespace `istio-system`). Namespaces whose workloads
the repository does not hold are skipped, and so is a root-namespace selector that may
select a gateway (a label `istio`, `istio.io/…`, `gateway.networking.k8s.io/…`, or a value
naming a gateway) when the repository deploys nothing into the root namespace: Istio's
charts install the gateways.

`istioctl analyze` reports this as IST0127 (NoMatchingWorkloadsFound) for an
AuthorizationPolicy and as IST0101 (ReferencedResourceNotFound) for a Sidecar or Telemetry.

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

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let workloads = cluster.model.workloads();
    let by_namespace = workloads_by_namespace(workloads);
    let mut findings = Vec::new();
    for object in cluster.objects {
        let Some(node) = workload_selector(object) else {
            continue;
        };
        let labels = selector_labels(node);
        if labels.contains_key(GATEWAY_NAME_LABEL) {
            continue; // the pods of a Gateway API gateway, deployed by Istio (MW620)
        }
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
