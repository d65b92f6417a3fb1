//! MW613: a route or mirror to a host with several ports that does not say which.
//!
//! As Istio's `virtualservice.DestinationHostAnalyzer`: a `destination` without
//! `port.number` whose host is a Service or ServiceEntry (exported to the namespaces the
//! VirtualService applies to) declaring more than one port. Istio then uses the port the
//! request arrived on, which is no port of the host when the route serves a gateway
//! listener or another host.

use crate::analyze::refs::{audience, destinations, namespace_of};
use crate::analyze::routing::virtual_services;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};

/// `destination-port-required`
pub static CODE: Code = Code {
    code: "MW613",
    name: "destination-port-required",
    severity: Severity::Warning,
    help: "set `port.number` on the destination to the port of the Service or ServiceEntry it should reach",
    docs: r#"## What it does
Reports a VirtualService route or mirror `destination` without `port.number` whose host is a
Service or ServiceEntry exposing more than one port.

`istioctl analyze` reports this as IST0112 (VirtualServiceDestinationPortSelectorRequired).

## Why is this bad?
With one port Istio picks it; with several it sends to the port the request arrived on.
That works for a sidecar calling the same Service, and fails with 503 (no such cluster)
when the route serves a gateway listener on port 80 or 443, or routes to another host.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews.example.com]
  gateways: [istio-ingress/public]
  http:
  - route:
    - destination:
        host: reviews   # a Service with ports 9080 and 9090
```

## Use instead
```yaml
    - destination:
        host: reviews
        port:
          number: 9080
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let registry = &cluster.lookups.registry;
    let mut findings = Vec::new();
    for object in virtual_services(cluster.objects) {
        let audience = audience(object);
        for destination in destinations(object) {
            if destination.get("port").is_some() {
                continue;
            }
            let Some(host_node) = destination.get("host") else {
                continue;
            };
            let Some(written) = host_node.as_str() else {
                continue;
            };
            let host = registry.resolve(written, namespace_of(object));
            let Some(ports) = audience.iter().find_map(|ns| registry.ports(&host, ns)) else {
                continue;
            };
            if ports.len() > 1 {
                let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                let message = format!(
                    "{host} exposes ports {} and this destination names none; Istio sends to \
                     the port the request arrived on, which fails with 503 when that is not \
                     one of them",
                    ports.join(", ")
                );
                findings
                    .push(Finding::new(&CODE, message, Some(host_node.origin.clone())).on(object));
            }
        }
    }
    findings
}
