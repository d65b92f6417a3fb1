//! MW622: several selector-less Sidecars (or Telemetry resources) in one namespace.
//!
//! A Sidecar or Telemetry without a workload selector is its namespace's default, applied
//! to every pod no selector-carrying one matches. With several, Istio applies one of them
//! (the oldest) and ignores the rest.

use std::collections::BTreeMap;

use crate::analyze::selectors::{PER_POD_KINDS, names};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

pub static CODE: Code = Code {
    code: "MW622",
    name: "multiple-namespace-defaults",
    severity: Severity::Warning,
    help: "keep one selector-less Sidecar (or Telemetry) per namespace; give the others a workload selector or merge them",
    docs: r#"## What it does
Finds namespaces with more than one Sidecar without `workloadSelector`, or more than one
Telemetry without `selector` (and without `targetRefs`).

`istioctl analyze` reports this as IST0111 (MultipleSidecarsWithoutWorkloadSelectors) for
Sidecars and IST0160 (MultipleTelemetriesWithoutWorkloadSelectors) for Telemetry.

## Why is this bad?
A selector-less Sidecar or Telemetry is the namespace's default. There is one default: of
several, Istio applies the oldest and ignores the others, so the namespace's egress hosts
or telemetry settings depend on the order the objects were created.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: shop
spec:
  egress:
    - hosts: ["./*", "istio-system/*"]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: payments-egress
  namespace: shop
spec:
  egress:
    - hosts: ["./*", "payments/*"]
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: payments-egress
  namespace: shop
spec:
  workloadSelector:
    labels:
      app: checkout
  egress:
    - hosts: ["./*", "payments/*"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for kind in PER_POD_KINDS {
        let mut defaults: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
        for object in kind.objects(cluster.objects) {
            if object.selector.is_none() {
                defaults
                    .entry(object.namespace)
                    .or_default()
                    .push(object.object);
            }
        }
        for (namespace, objects) in defaults.into_iter().filter(|(_, o)| o.len() > 1) {
            for object in &objects {
                let others: Vec<&Node> = objects
                    .iter()
                    .copied()
                    .filter(|o| !std::ptr::eq(*o, *object))
                    .collect();
                let name = object.at(&["metadata", "name"]);
                findings.push(
                    Finding::new(
                        &CODE,
                        format!(
                            "{} {} has no workload selector, nor does {}: each is namespace \
                             {namespace}'s default, and Istio applies only one of them (the \
                             oldest)",
                            kind.kind,
                            names(&[object]),
                            names(&others),
                        ),
                        name.map(|n| n.origin.clone()),
                    )
                    .on(object),
                );
            }
        }
    }
    findings
}
