//! MW621: two Sidecars (or two Telemetry resources) whose workload selectors match the same
//! workload.
//!
//! Each pod takes one Sidecar and one Telemetry: the one whose selector matches it. When
//! several match, Istio applies one of them (the oldest) and silently ignores the others, so
//! which egress hosts or telemetry settings a pod gets depends on creation order. Istio
//! matches a selector against the pods of its own namespace only.

use std::collections::BTreeMap;

use crate::analyze::selectors::{PER_POD_KINDS, names, selector_labels};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::matches_labels;

pub static CODE: Code = Code {
    code: "MW621",
    name: "conflicting-workload-selectors",
    severity: Severity::Warning,
    help: "make the selectors disjoint (or merge the two objects) so each workload matches one",
    docs: r#"## What it does
Finds Sidecars, and Telemetry resources, whose workload selectors (`workloadSelector.labels`,
`selector.matchLabels`) both match the pod labels of one workload of their namespace.
Telemetry attached by `targetRefs` is left out.

`istioctl analyze` reports this as IST0110 (ConflictingSidecarWorkloadSelectors) for
Sidecars and IST0159 (ConflictingTelemetryWorkloadSelectors) for Telemetry.

## Why is this bad?
A pod takes a single Sidecar and a single Telemetry. When two select it, Istio applies the
oldest and ignores the other: the pod's egress hosts, or its tracing and metrics settings,
depend on the order the objects were created, and can change on a re-install.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: reviews
  namespace: shop
spec:
  workloadSelector:
    labels:
      app: reviews
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: reviews-v2
  namespace: shop
spec:
  workloadSelector:
    labels:
      version: v2     # the reviews-v2 pods carry app: reviews too
```

## Use instead
```yaml
spec:
  workloadSelector:
    labels:
      app: reviews
      version: v2
```
and give the first Sidecar a selector the `v2` pods do not match, or merge the two.
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for kind in PER_POD_KINDS {
        // Each object with a selector → the other objects sharing a workload, and one such
        // workload.
        let mut conflicts: BTreeMap<usize, (Vec<&Node>, String)> = BTreeMap::new();
        let selecting: Vec<_> = kind
            .objects(cluster.objects)
            .into_iter()
            .filter_map(|o| o.selector.map(|s| (o, selector_labels(s), s)))
            .collect();
        for workload in cluster.model.workloads() {
            let matching: Vec<usize> = (0..selecting.len())
                .filter(|&i| {
                    let (object, labels, _) = &selecting[i];
                    object.namespace == workload.namespace
                        && matches_labels(labels, &workload.labels)
                })
                .collect();
            if matching.len() < 2 {
                continue;
            }
            for &i in &matching {
                conflicts.entry(i).or_insert_with(|| {
                    let others = matching
                        .iter()
                        .filter(|&&j| j != i)
                        .map(|&j| selecting[j].0.object)
                        .collect();
                    (others, format!("{} {}", workload.kind, workload.id()))
                });
            }
        }
        for (i, (others, workload)) in conflicts {
            let (object, _, node) = &selecting[i];
            let plural = kind.plural;
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "{} {} selects the pods of {workload}, and so does {}: Istio applies \
                         one of these {plural} (the oldest) to the pods and ignores the others",
                        kind.kind,
                        names(&[object.object]),
                        names(&others),
                    ),
                    Some(node.origin.clone()),
                )
                .on(object.object),
            );
        }
    }
    findings
}
