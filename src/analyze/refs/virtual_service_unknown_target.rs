//! MW402: a VirtualService that routes to something the cluster does not have.
//!
//! Three references are checked: each `gateways` entry (other than `mesh`) must name an
//! Istio Gateway (`<ns>/<name>`, or a name in the VirtualService's namespace); each route or
//! mirror `destination.host` must be a Service or ServiceEntry host (short names resolve in
//! the VirtualService's namespace); each `destination.subset` must be defined by a
//! DestinationRule for that host. Istio accepts all three and then serves nothing: the
//! route is never attached to the gateway, or requests fail with 503 (no cluster, or no
//! subset cluster). Targets in namespaces the repository writes nothing to are not judged.

use crate::analyze::refs::{Registry, destinations, egress_owned, is_istio, namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::manifest::references::{Target, references};
use crate::policy::client::host_specificity;

/// `virtual-service-unknown-target`
pub static CODE: Code = Code {
    code: "MW402",
    name: "virtual-service-unknown-target",
    severity: Severity::Error,
    help: "name an existing Gateway, Service or ServiceEntry host, or DestinationRule subset (short hosts resolve in the VirtualService's namespace)",
    docs: r#"## What it does
Checks a VirtualService's references: every `gateways` entry other than `mesh` must name an
Istio Gateway (`<namespace>/<name>`, or a name in the VirtualService's namespace); every
route and mirror `destination.host` must be a Service or ServiceEntry host (a short name
such as `reviews` means `reviews.<namespace>.svc.cluster.local`); every
`destination.subset` must be defined by a DestinationRule for that host. References into
namespaces the repository writes nothing to are not judged.

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
    let registry = Registry::read(cluster.objects);
    let mut findings = Vec::new();
    for object in cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "VirtualService"))
    {
        let namespace = namespace_of(object);
        let mut report = |node: &Node, message: String| {
            findings.push(Finding::new(&CODE, message, Some(node.origin.clone())).on(object));
        };
        for reference in references(object) {
            let Target::Gateway {
                namespace: gateway_namespace,
                name,
            } = &reference.target
            else {
                continue;
            };
            if registry.has_namespace(gateway_namespace)
                && !has_gateway(cluster.objects, gateway_namespace, name)
            {
                report(
                    reference.node,
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
                if registry.judges(&host) && !egress_owned(cluster.model, &registry, &host) {
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
            if let Some(subset_node) = destination.get("subset")
                && let Some(subset) = subset_node.as_str()
                && !defines_subset(cluster.objects, &registry, &host, subset)
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

fn has_gateway(objects: &[Node], namespace: &str, name: &str) -> bool {
    objects.iter().any(|o| {
        is_istio(o, "Gateway")
            && namespace_of(o) == namespace
            && o.str_at(&["metadata", "name"]) == Some(name)
    })
}

/// Whether a DestinationRule whose host covers `host` defines `subset`.
fn defines_subset(objects: &[Node], registry: &Registry, host: &str, subset: &str) -> bool {
    objects
        .iter()
        .filter(|o| is_istio(o, "DestinationRule"))
        .any(|rule| {
            rule.str_at(&["spec", "host"]).is_some_and(|h| {
                host_specificity(&registry.resolve(h, namespace_of(rule)), host).is_some()
            }) && seq(rule.at(&["spec", "subsets"])).any(|s| s.str_at(&["name"]) == Some(subset))
        })
}
