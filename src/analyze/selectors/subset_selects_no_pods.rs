//! MW623: a DestinationRule subset whose labels select no pod of its host.
//!
//! A subset is the host's endpoints that also carry the subset's labels. When no workload
//! behind the host's Service has them — a version label that was renamed, a subset written
//! before its Deployment — traffic routed to the subset finds no endpoint and fails with
//! 503 (UH, no healthy upstream). Istio adds topology labels to each endpoint from its node,
//! cluster and network (`topology.kubernetes.io/region`, `…/zone`, `topology.istio.io/subzone`,
//! `kubernetes.io/hostname`, `topology.istio.io/cluster`, `topology.istio.io/network`); the
//! repository does not say where pods run, so those labels are taken to match (unless
//! empty: Istio never sets one to ""). Hosts that are
//! not a Service of the repository, and namespaces it holds no workloads of, are not judged.

use std::collections::HashMap;

use crate::analyze::refs::{is_istio, namespace_of, seq};
use crate::analyze::selectors::{selector_labels, workloads_by_namespace};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::workload::{Labels, Service, matches_labels};

/// The labels Istio gives each endpoint from where it runs (`AugmentLabels`).
const TOPOLOGY_LABELS: [&str; 6] = [
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
    "kubernetes.io/hostname",
    "topology.istio.io/cluster",
    "topology.istio.io/network",
];

pub static CODE: Code = Code {
    code: "MW623",
    name: "subset-selects-no-pods",
    severity: Severity::Warning,
    help: "fix the subset's labels so they match the pod template labels of the host's workloads",
    docs: r#"## What it does
Checks that every subset of a DestinationRule whose host is a Service of the repository
selects some workload: one the Service selects whose pod template labels include the
subset's `labels`. Topology labels Istio derives from the node, cluster and network
(`topology.kubernetes.io/zone`, `topology.istio.io/network`, …) are taken to match, unless
the subset asks for an empty one, which Istio never sets.
Namespaces whose workloads the repository does not hold are skipped.

`istioctl analyze` reports this as IST0173 (DestinationRuleSubsetNotSelectPods).

## Why is this bad?
A subset without endpoints is an empty cluster: every request a VirtualService routes to
it fails with 503 (UH, no healthy upstream).

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  subsets:
    - name: v2
      labels:
        version: "2"     # the Deployment's pods are labelled version: v2
```

## Use instead
```yaml
  subsets:
    - name: v2
      labels:
        version: v2
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let registry = &cluster.lookups.registry;
    let by_namespace = workloads_by_namespace(cluster.model.workloads());
    // The first selecting Service of each host, looked up once per DestinationRule.
    let mut services: HashMap<String, &Service> = HashMap::new();
    for service in &cluster.model.inventory.services {
        if !service.selector.is_empty() {
            services.entry(service.host()).or_insert(service);
        }
    }
    let mut findings = Vec::new();
    for object in cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "DestinationRule"))
    {
        let Some(written) = object.str_at(&["spec", "host"]) else {
            continue;
        };
        let host = registry.resolve(written, namespace_of(object));
        let Some(service) = services.get(&host) else {
            continue;
        };
        let Some(workloads) = by_namespace.get(service.namespace.as_str()) else {
            continue; // the repository holds no workload of the Service's namespace
        };
        for subset in seq(object.at(&["spec", "subsets"])) {
            let Some(labels_node) = subset.get("labels") else {
                continue;
            };
            let mut wanted: Labels = selector_labels(labels_node);
            // Istio sets a topology label only when its value is known, never to "".
            wanted
                .retain(|key, value| value.is_empty() || !TOPOLOGY_LABELS.contains(&key.as_str()));
            let selects = workloads
                .iter()
                .any(|w| service.selects(w) && matches_labels(&wanted, &w.labels));
            if selects {
                continue;
            }
            let name = subset.str_at(&["name"]).unwrap_or_default();
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "subset {name} of {host} selects no pod: no workload the Service \
                         {}/{} selects carries its labels, so traffic routed to the subset \
                         fails with 503 (no healthy upstream)",
                        service.namespace, service.name
                    ),
                    Some(labels_node.origin.clone()),
                )
                .on(object),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subsets MW623 reports for a `reviews` Service whose one pod is labelled
    /// `version: v1`, given a subset's labels.
    fn reported(subset_labels: &str) -> usize {
        let yaml = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: r, namespace: s, labels: {{app: r, version: v1}}}}\n\
             spec: {{containers: [{{name: r, image: r}}]}}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {{name: r, namespace: s}}\n\
             spec: {{selector: {{app: r}}, ports: [{{port: 80}}]}}\n---\n\
             apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: r, namespace: s}}\n\
             spec: {{host: r, subsets: [{{name: x, labels: {subset_labels}}}]}}\n"
        );
        crate::analyze::with_cluster(&yaml, |cluster| check(cluster).len())
    }

    #[test]
    fn topology_labels_are_taken_to_match_unless_empty() {
        assert_eq!(reported("{version: v1}"), 0);
        assert_eq!(reported("{version: v2}"), 1);
        assert_eq!(reported("{version: v1, topology.kubernetes.io/zone: a}"), 0);
        assert_eq!(
            reported("{version: v1, topology.kubernetes.io/zone: ''}"),
            1
        );
    }
}
