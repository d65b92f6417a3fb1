//! MW801: a cluster whose istiod sets `global.network` while its `istio-system` Namespace
//! is not labelled `topology.istio.io/network` with that network — the step "Set the
//! default network for clusterN" of Istio's multi-network guides.

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::workload::scalar;

use super::{NETWORK_LABEL, label_site, on_document, read};

/// `network-label-missing`
pub static CODE: Code = Code {
    code: "MW801",
    name: "network-label-missing",
    severity: Severity::Warning,
    help: "Label the cluster's istio-system Namespace topology.istio.io/network=<its global.network>.",
    docs: r#"## What it does
Checks every cluster whose istiod configuration (Helm values or an IstioOperator) sets
`global.network`: its `istio-system` Namespace must carry the label
`topology.istio.io/network` with the same network. A cluster whose repository declares no
`istio-system` Namespace is reported at its `global.network` value: the namespace must be
declared (or labelled) with that network.

This is the step "Set the default network for clusterN" of Istio's guides
[Install Multi-Primary on different networks](https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#set-the-default-network-for-cluster1)
and
[Install Primary-Remote on different networks](https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#set-the-default-network-for-cluster2).

## Why is this bad?
istiod takes the network of a cluster's endpoints from the `topology.istio.io/network`
label of its system namespace. Without it (or with another network), endpoints of pods that
carry no network label of their own — gateways, workloads without a sidecar, pods created
before the injector knew the network — are placed on the wrong network, so proxies of other
networks try to reach them directly instead of through the east-west gateway, and those
calls fail.

## Example
```yaml
# clusters/cluster2/istio/values.yaml
global:
  meshID: mesh1
  network: network2
---
# clusters/cluster2/istio-system.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
```

## Use instead
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
  labels:
    topology.istio.io/network: network2
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for wiring in read(repo) {
        let Some(istiod) = &wiring.istiod else {
            continue;
        };
        let (Some(network), Some(network_value)) =
            (istiod.network(), istiod.value(&["global", "network"]))
        else {
            continue;
        };
        let cluster = wiring.name();
        let finding = match (wiring.namespace, wiring.namespace_network()) {
            (Some(_), Some(label)) if scalar(label).as_deref() == Some(network.as_str()) => {
                continue;
            }
            (Some(namespace), Some(label)) => Finding::new(
                &CODE,
                format!(
                    "cluster {cluster}'s istio-system Namespace is labelled {NETWORK_LABEL}={}, but its istiod sets global.network {network}: istiod places the cluster's unlabelled endpoints on the label's network, so other networks try to reach them directly instead of through the east-west gateway",
                    scalar(label).unwrap_or_default()
                ),
                Some(label.origin.clone()),
            )
            .on(namespace),
            (Some(namespace), None) => Finding::new(
                &CODE,
                format!(
                    "cluster {cluster}'s istio-system Namespace has no {NETWORK_LABEL} label, but its istiod sets global.network {network}: label it {NETWORK_LABEL}={network} (\"Set the default network\"), or istiod does not know which network the cluster's unlabelled endpoints are on"
                ),
                Some(label_site(namespace).origin.clone()),
            )
            .on(namespace),
            (None, _) if repo.clusters[wiring.cluster].complete => on_document(
                Finding::new(
                &CODE,
                format!(
                    "cluster {cluster}'s istiod sets global.network {network}, but the repository declares no istio-system Namespace for it: the namespace must be labelled {NETWORK_LABEL}={network} (\"Set the default network\"), or istiod does not know which network the cluster's unlabelled endpoints are on"
                ),
                Some(network_value.origin.clone()),
            ),
                istiod.document,
            ),
            (None, _) => continue,
        };
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::located;
    use super::*;

    const VALUES: &str = "global:\n  meshID: mesh1\n  network: network2\n";

    /// `line:column` of each finding on cluster2.
    fn lines(objects: &str, values: &str) -> Vec<String> {
        located(check, &[("cluster2", objects, values)])
            .iter()
            .map(|f| {
                f.split(".yaml:")
                    .nth(1)
                    .unwrap_or(f)
                    .replace(" Warning", "")
            })
            .collect()
    }

    #[test]
    fn the_istio_system_namespace_must_carry_istiod_s_network() {
        let namespace = |labels: &str| {
            format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n{labels}")
        };
        let labelled = namespace("  labels:\n    topology.istio.io/network: network2\n");
        assert_eq!(lines(&labelled, VALUES), Vec::<String>::new());
        // Another network: the label's value.
        assert_eq!(lines(&labelled.replace("k2", "k1"), VALUES), ["6:32"]);
        // Other labels only: the labels; none: the metadata.
        assert_eq!(
            lines(&namespace("  labels:\n    team: mesh\n"), VALUES),
            ["5:3"]
        );
        assert_eq!(lines(&namespace(""), VALUES), ["3:1"]);
        // No istio-system Namespace: istiod's global.network.
        let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n";
        assert_eq!(lines(service, VALUES), ["3:12"]);
        // Without global.network there is nothing to label.
        assert_eq!(
            lines(service, "global:\n  meshID: mesh1\n"),
            Vec::<String>::new()
        );
    }
}
