//! MW402: a VirtualService that routes to something the cluster does not have.
//!
//! Three references are checked: each `gateways` entry (other than `mesh` and the internal
//! names MW611 reports) must name an Istio or Gateway API Gateway (`<ns>/<name>`, or a name
//! in the VirtualService's namespace); each route or mirror `destination.host` must be a
//! Service or ServiceEntry host (short names resolve in the VirtualService's namespace)
//! exported to a namespace that uses the VirtualService, and its `port.number` one of the
//! host's ports; each `destination.subset` must be defined by a DestinationRule for that
//! host exported there too. Istio accepts all three and then serves nothing: the route is
//! never attached to the gateway, or requests fail with 503 (no cluster, or no subset
//! cluster). Targets in namespaces the repository writes nothing to are not judged.

use crate::analyze::refs::{
    Registry, audience, destinations, egress_owned, find_gateway, is_internal_gateway, is_istio,
    namespace_of, seq,
};
use crate::analyze::routing::{bindings, virtual_services};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::client::{ExportTo, host_specificity};
use crate::policy::workload::port_number;

/// `virtual-service-unknown-target`
pub static CODE: Code = Code {
    code: "MW402",
    name: "virtual-service-unknown-target",
    severity: Severity::Error,
    help: "name an existing Gateway, Service or ServiceEntry host, or DestinationRule subset (short hosts resolve in the VirtualService's namespace)",
    docs: r#"## What it does
Checks a VirtualService's references: every `gateways` entry other than `mesh` must name an
Istio or Gateway API Gateway (`<namespace>/<name>`, or a name in the VirtualService's
namespace); every route and mirror `destination.host` must be a Service or ServiceEntry host
(a short name such as `reviews` means `reviews.<namespace>.svc.cluster.local`) exported to
the namespaces the VirtualService applies to (its `exportTo`, else its own namespace) by
the ServiceEntry's `exportTo` or the Service's `networking.istio.io/exportTo` annotation,
and its `port.number` one of the host's ports; every `destination.subset` must be defined by
a DestinationRule for that host, exported there too. References into namespaces the
repository writes nothing to are not judged.

`istioctl analyze` reports this as IST0101 (ReferencedResourceNotFound).

## Why is this bad?
Istio accepts the VirtualService and serves nothing: routes bound to a missing Gateway are
never attached to any listener, and requests routed to an unknown host or subset fail
with 503 (no such cluster).

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
    - route:
        - destination:
            host: reviewz
            subset: v2
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
    - route:
        - destination:
            host: reviews
            subset: v2   # defined by a DestinationRule for reviews
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let registry = &cluster.lookups.registry;
    let mut findings = Vec::new();
    for object in virtual_services(cluster.objects) {
        let namespace = namespace_of(object);
        let audience = audience(object);
        let mut report = |node: &Node, message: String| {
            findings.push(Finding::new(&CODE, message, Some(node.origin.clone())).on(object));
        };
        for binding in bindings(object) {
            let (gateway_namespace, name) = (&binding.namespace, &binding.name);
            if registry.has_namespace(gateway_namespace)
                && !is_internal_gateway(name)
                && find_gateway(cluster.objects, gateway_namespace, name).is_none()
            {
                report(
                    binding.node,
                    format!(
                        "gateway {gateway_namespace}/{name} is not defined in this cluster; \
                         the routes are never served by any gateway"
                    ),
                );
            }
        }
        for destination in destinations(object) {
            let Some(host_node) = destination.get("host") else {
                continue;
            };
            let Some(written) = host_node.as_str() else {
                continue;
            };
            let host = registry.resolve(written, namespace);
            if !registry.knows(&host) {
                if registry.judges(&host) && !egress_owned(cluster.model, registry, &host) {
                    report(
                        host_node,
                        format!(
                            "destination host {host} is neither a Service nor a ServiceEntry \
                             host in this cluster; requests on this route fail with 503"
                        ),
                    );
                }
                continue;
            }
            if !audience.iter().any(|ns| registry.visible_in(&host, ns)) {
                report(
                    host_node,
                    format!(
                        "destination host {host} is not exported to namespace {} (the \
                         Service's networking.istio.io/exportTo annotation or the \
                         ServiceEntry's exportTo), where this VirtualService applies; \
                         requests on this route fail with 503",
                        audience.join(", ")
                    ),
                );
                continue;
            }
            if let Some(port_node) = destination.at(&["port", "number"])
                && let Some(port) = port_number(port_node)
                && let Some(ports) = audience.iter().find_map(|ns| registry.ports(&host, ns))
                && !ports.contains(&port)
            {
                let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                report(
                    port_node,
                    format!(
                        "{host} has no port {port} (its ports: {}); requests on this route \
                         fail with 503",
                        ports.join(", ")
                    ),
                );
            }
            if let Some(subset_node) = destination.get("subset")
                && let Some(subset) = subset_node.as_str()
                && !defines_subset(cluster.objects, registry, &host, subset, &audience)
            {
                report(
                    subset_node,
                    format!(
                        "no DestinationRule for {host} defines subset {subset}; requests on \
                         this route fail with 503"
                    ),
                );
            }
        }
    }
    findings
}

/// Whether a DestinationRule whose host covers `host`, exported to one of the `audience`
/// namespaces, defines `subset`.
fn defines_subset(
    objects: &[Node],
    registry: &Registry,
    host: &str,
    subset: &str,
    audience: &[String],
) -> bool {
    objects
        .iter()
        .filter(|o| is_istio(o, "DestinationRule"))
        .any(|rule| {
            let namespace = namespace_of(rule);
            let export_to = ExportTo::of_spec(rule.get("spec"), namespace);
            audience.iter().any(|ns| export_to.visible_to(ns))
                && rule.str_at(&["spec", "host"]).is_some_and(|h| {
                    host_specificity(&registry.resolve(h, namespace), host).is_some()
                })
                && seq(rule.at(&["spec", "subsets"])).any(|s| s.str_at(&["name"]) == Some(subset))
        })
}
