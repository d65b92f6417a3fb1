//! MW620: a policy that selects the pods of a Gateway API gateway by workload selector.
//!
//! Istio attaches AuthorizationPolicy, RequestAuthentication, Telemetry and WasmPlugin to a
//! Gateway API gateway only through `targetRefs`; a `selector` that matches the gateway's
//! pods has no effect on them. A pod belongs to a Gateway API gateway when it carries the
//! `gateway.networking.k8s.io/gateway-name` label, which Istio's gateway deployment puts on
//! every pod of the Deployment it creates for a Gateway — those pods are rarely in the
//! repository, so a selector naming that label is judged by itself.

use crate::analyze::authz::is_targeted;
use crate::analyze::refs::namespace_of;
use crate::analyze::selectors::{
    GATEWAY_NAME_LABEL, selector_labels, workload_selector, workloads_by_namespace,
};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::workload::matches_labels;

/// The kinds whose workload selector Istio ignores on Gateway API gateways.
const POLICY_KINDS: [&str; 4] = [
    "AuthorizationPolicy",
    "RequestAuthentication",
    "Telemetry",
    "WasmPlugin",
];

pub static CODE: Code = Code {
    code: "MW620",
    name: "ineffective-gateway-selector",
    severity: Severity::Warning,
    help: "attach the policy with `targetRefs` (kind: Gateway, group: gateway.networking.k8s.io) instead of `selector`",
    docs: r#"## What it does
Finds an AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin without
`targetRefs` whose `selector.matchLabels` selects the pods of a Gateway API gateway: the
selector names the `gateway.networking.k8s.io/gateway-name` label (which the pods of every
Gateway Istio deploys carry), or matches a workload of the repository that carries it.

`istioctl analyze` reports this as IST0166 (IneffectiveSelector).

## Why is this bad?
Istio applies policies to a Gateway API gateway only through `targetRefs`. A selector that
matches the gateway's pods is ignored there: the policy looks enforced and is not — no
authorization, no JWT check, no telemetry or Wasm filter on the gateway.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ingress
  namespace: ingress
spec:
  selector:
    matchLabels:
      gateway.networking.k8s.io/gateway-name: public
  action: DENY
  rules:
    - to:
        - operation:
            paths: ["/admin/*"]
```

## Use instead
```yaml
spec:
  targetRefs:
    - kind: Gateway
      group: gateway.networking.k8s.io
      name: public
  action: DENY
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let by_namespace = workloads_by_namespace(cluster.model.workloads());
    let mut findings = Vec::new();
    for object in cluster.objects {
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        if !POLICY_KINDS.contains(&kind) || is_targeted(object) {
            continue;
        }
        let Some(node) = workload_selector(object) else {
            continue;
        };
        let selector = selector_labels(node);
        let namespace = namespace_of(object);
        let gateway = selector.get(GATEWAY_NAME_LABEL).cloned().or_else(|| {
            by_namespace
                .get(namespace)
                .into_iter()
                .flatten()
                .filter(|w| matches_labels(&selector, &w.labels))
                .find_map(|w| w.labels.get(GATEWAY_NAME_LABEL).cloned())
        });
        let Some(gateway) = gateway else {
            continue;
        };
        let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
        findings.push(
            Finding::new(
                &CODE,
                format!(
                    "{kind} {namespace}/{name} selects the pods of Gateway API gateway \
                     {gateway} by workload selector, which Istio ignores on Gateway API \
                     gateways: the {kind} has no effect there; use targetRefs instead"
                ),
                Some(node.origin.clone()),
            )
            .on(object),
        );
    }
    findings
}
