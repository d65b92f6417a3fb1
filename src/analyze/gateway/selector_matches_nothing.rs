//! MW602: a Gateway whose `selector` matches no gateway workload.
//!
//! A Gateway configures only the gateway pods its `selector` matches. When the repository
//! holds its gateway workloads and none carries the selector's labels, the Gateway's servers
//! are served nowhere — usually a typo, or labels that changed on the gateway Deployment.
//! Selectors the repository cannot judge are left alone ([`super::Placement::Outside`]).

use super::{Placement, selector_of, selector_text};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};

pub static CODE: Code = Code {
    code: "MW602",
    name: "gateway-selector-matches-nothing",
    severity: Severity::Warning,
    help: "fix the Gateway's selector to the labels of the gateway pods that should serve it",
    docs: r#"## What it does
Checks that the `selector` of every Istio Gateway (`networking.istio.io`) matches the pod
labels of a gateway workload the repository holds (a Deployment, DaemonSet, StatefulSet or
Pod, in any namespace as Istio matches; in the Gateway's own namespace when istiod's
environment sets `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`). It judges only a repository that holds gateway
workloads at all — a proxy started as a gateway, or a workload another Gateway selects — and
never a selector matching the labels of the gateways Istio's install guides create outside
a repository (`istio: ingressgateway`, `istio: egressgateway`, `istio: ingress`,
`istio: egress`, with their `app` labels) or the `gateway.networking.k8s.io/gateway-name`
label of a gateway istiod deploys for a Gateway API `Gateway`.

`istioctl analyze` reports this as IST0101 (ReferencedResourceNotFound).

## Why is this bad?
No gateway proxy receives the Gateway's servers: its ports are not opened, its hosts are
not served and the VirtualServices bound to it route nothing.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  selector:
    app: shop-gatway   # the gateway pods are labelled app: shop-gateway
  servers:
    - port: {number: 80, name: http, protocol: HTTP}
      hosts: ["shop.example.com"]
```

## Use instead
```yaml
spec:
  selector:
    app: shop-gateway
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let gateways = &cluster.lookups.gateways;
    let mut findings = Vec::new();
    for (index, gateway) in gateways.objects.iter().enumerate() {
        if !matches!(gateways.place(index), Placement::Nothing) {
            continue;
        }
        let Some(selector) = gateway.at(&["spec", "selector"]) else {
            continue;
        };
        // The first label's value, which is what usually needs fixing.
        let node = selector
            .as_map()
            .and_then(|labels| labels.first())
            .map_or(selector, |(_, value)| value);
        findings.push(
            Finding::new(
                &CODE,
                format!(
                    "no gateway workload in the repository carries the labels {}; \
                     no gateway serves this Gateway's servers",
                    selector_text(&selector_of(gateway))
                ),
                Some(node.origin.clone()),
            )
            .on(gateway),
        );
    }
    findings
}
