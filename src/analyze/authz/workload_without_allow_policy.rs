//! MW304: a workload under strict mTLS that no ALLOW policy protects.
//!
//! Strict mTLS proves who a caller is; only an ALLOW AuthorizationPolicy (with a deny-all
//! `spec: {}` as the default) limits who may call. A workload with a sidecar and a port to
//! call, whose port runs STRICT, but to which no ALLOW policy applies (of its namespace or
//! the root namespace) accepts every caller of the mesh. Gateways (pods labelled
//! `istio: *gateway`) serve outside callers and are left alone.

use super::is_gateway;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::authz::Action;
use crate::policy::peer::PeerMode;

/// `workload-without-allow-policy`
pub static CODE: Code = Code {
    code: "MW304",
    name: "workload-without-allow-policy",
    severity: Severity::Warning,
    help: "add a deny-all `spec: {}` policy to the namespace and ALLOW policies naming the callers",
    docs: r#"## What it does
Finds workloads with an Istio sidecar and a port served under STRICT mTLS to which no ALLOW
AuthorizationPolicy applies (neither of their namespace nor of the root namespace).

## Why is this bad?
Strict mTLS proves who calls, but without an ALLOW policy Istio lets every caller in: any
workload of the mesh, of any tenant, may call it. There is no default deny.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
# ... and a Deployment in shop, with no AuthorizationPolicy
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: shop
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let model = cluster.model;
    let mut findings = Vec::new();
    for (index, workload) in model.workloads().iter().enumerate() {
        let labels = workload
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        if !workload.sidecar || is_gateway(labels) {
            continue;
        }
        let ports = model.callee_ports(index);
        let levels = model.peer.for_workload(workload);
        let strict = ports.iter().any(|p| {
            p.port.is_some() && model.peer.resolve(levels, p.port).mode == PeerMode::Strict
        });
        let allow = model
            .applicable_policies(index)
            .into_iter()
            .any(|p| model.authorization[p].action == Action::Allow);
        if !strict || allow {
            continue;
        }
        let Some(object) = cluster.objects.iter().find(|o| {
            o.str_at(&["kind"]) == Some(workload.kind.as_str())
                && o.str_at(&["metadata", "name"]) == Some(workload.name.as_str())
                && o.str_at(&["metadata", "namespace"]).unwrap_or("default") == workload.namespace
        }) else {
            continue;
        };
        findings.push(
            Finding::new(
                &CODE,
                format!(
                    "{} {} runs strict mTLS but no ALLOW AuthorizationPolicy applies to it: every \
                     workload of the mesh may call it",
                    workload.kind,
                    workload.id()
                ),
                Some(workload.origin.clone()),
            )
            .on(object),
        );
    }
    findings
}
