//! MW603: a Gateway server port that no Service of the selected gateway exposes.
//!
//! A Gateway server's `port.number` is the port the gateway proxy listens on. Clients reach
//! the gateway through the Services selecting its pods, so the port must be one of theirs:
//! a Service's `targetPort` (the pod port), or — as Istio also translates — its `port`.
//! Only gateways whose workload and Services the repository holds are judged; a gateway
//! with no Service (host network, or a Service made elsewhere) is left alone.

use std::collections::BTreeSet;

use super::{Placement, selector_of, selector_text};
use crate::analyze::refs::seq;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::workload::port_number;

pub static CODE: Code = Code {
    code: "MW603",
    name: "gateway-port-not-on-service",
    severity: Severity::Warning,
    help: "add the port to the gateway's Service (targetPort = the server's port), or use a port it exposes",
    docs: r#"## What it does
For every Istio Gateway whose gateway workload the repository holds, checks that each
server's `port.number` is exposed by a Service selecting that workload: as the Service
port's `targetPort` (the port the gateway pod listens on; a named `targetPort` is looked up
in the pod's container ports) or, as Istio also accepts, as the Service `port` itself. A
gateway no Service of the repository selects is not judged.

`istioctl analyze` reports this as IST0162 (GatewayPortNotDefinedOnService).

## Why is this bad?
The gateway proxy opens a listener on the server's port, but no Service forwards traffic to
it: clients going through the gateway's load balancer never reach that server.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  selector:
    app: shop-gateway
  servers:
    - port: {number: 8443, name: https, protocol: HTTPS}   # the Service exposes 80 and 443
      hosts: ["shop.example.com"]
      tls: {mode: SIMPLE, credentialName: shop-tls}
```

## Use instead
```yaml
    - port: {number: 443, name: https, protocol: HTTPS}
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    // The Service exposing the port may sit in an input that failed to render.
    if !cluster.complete {
        return Vec::new();
    }
    let gateways = &cluster.lookups.gateways;
    let mut findings = Vec::new();
    for (index, gateway) in gateways.objects.iter().enumerate() {
        let Placement::Selected {
            workloads,
            services,
        } = gateways.place(index)
        else {
            continue;
        };
        if services.is_empty() {
            continue;
        }
        let mut exposed = BTreeSet::new();
        for service in &services {
            for port in &service.ports {
                exposed.insert(port.port);
                let targets = workloads.iter().filter(|w| service.selects(w));
                exposed.extend(targets.filter_map(|w| service.target_port(port, w)));
            }
        }
        for server in seq(gateway.at(&["spec", "servers"])) {
            let Some(node) = server.at(&["port", "number"]) else {
                continue;
            };
            let Some(number) = port_number(node).filter(|n| !exposed.contains(n)) else {
                continue;
            };
            let names: Vec<String> = services
                .iter()
                .map(|s| format!("{}/{}", s.namespace, s.name))
                .collect();
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "port {number} is not exposed by the Service{} {} selecting the gateway \
                         pods ({}); clients going through the gateway's Service never reach \
                         this server",
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", "),
                        selector_text(&selector_of(gateway)),
                    ),
                    Some(node.origin.clone()),
                )
                .on(gateway),
            );
        }
    }
    findings
}
