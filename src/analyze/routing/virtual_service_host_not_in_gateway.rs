//! MW610: a VirtualService bound to a Gateway none of whose servers serves its hosts.
//!
//! As Istio's `virtualservice.GatewayAnalyzer`: for each Gateway a VirtualService binds
//! (an Istio Gateway, else a Gateway API Gateway of that name), at least one of the
//! VirtualService's hosts must match a host of the Gateway. An Istio Gateway's server host
//! `<ns>/<host>` admits only VirtualServices of namespace `<ns>` (`.` is the Gateway's
//! own, `*` any); a Gateway API listener without `hostname` serves every host. Gateways
//! the repository does not hold are not judged (a missing one is MW402's business), nor are
//! the internal gateways MW611 reports.

use crate::analyze::refs::{
    find_gateway, hosts_overlap, is_internal_gateway, is_kubernetes_gateway, namespace_of, seq,
};
use crate::analyze::routing::{bindings, virtual_services};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `virtual-service-host-not-in-gateway`
pub static CODE: Code = Code {
    code: "MW610",
    name: "virtual-service-host-not-in-gateway",
    severity: Severity::Warning,
    help: "add the VirtualService's host to the Gateway's server hosts (or listener hostname), or bind the Gateway that serves it",
    docs: r#"## What it does
Checks each Gateway a VirtualService binds in `gateways`: at least one of the
VirtualService's `hosts` must match a host the Gateway serves. For an Istio Gateway those
are its servers' `hosts`, where `<namespace>/<host>` admits only VirtualServices of that
namespace (`./<host>` the Gateway's own namespace, `*/<host>` or a bare host any
namespace); for a Gateway API Gateway, its listeners' `hostname` (a listener without one
serves every host). Wildcards match either way (`*.example.com` serves
`shop.example.com`).

`istioctl analyze` reports this as IST0132 (VirtualServiceHostNotFoundInGateway).

## Why is this bad?
The gateway builds routes only for the hosts both objects name: the VirtualService is
accepted and never used by that gateway, and its requests get 404 (no matching virtual
host) at the gateway.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: istio-ingress
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["shop/shop.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: blog
  namespace: blog
spec:
  hosts: ["blog.example.com"]
  gateways: ["istio-ingress/public"]
```

## Use instead
```yaml
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["shop/shop.example.com", "blog/blog.example.com"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in virtual_services(cluster.objects) {
        let namespace = namespace_of(object);
        let hosts: Vec<&str> = seq(object.at(&["spec", "hosts"]))
            .filter_map(Node::as_str)
            .collect();
        if hosts.is_empty() {
            continue;
        }
        for binding in bindings(object) {
            if is_internal_gateway(&binding.name) {
                continue;
            }
            let Some(gateway) = find_gateway(cluster.objects, &binding.namespace, &binding.name)
            else {
                continue;
            };
            let served = served_hosts(gateway, namespace);
            let matched = served.iter().any(|served| match served {
                None => true,
                Some(served) => hosts.iter().any(|host| hosts_overlap(served, host)),
            });
            if !matched {
                let served: Vec<&str> = served.iter().flatten().map(String::as_str).collect();
                let message = format!(
                    "gateway {}/{} serves none of this VirtualService's hosts ({}) to namespace \
                     {namespace} (it serves: {}); the gateway never uses these routes",
                    binding.namespace,
                    binding.name,
                    hosts.join(", "),
                    if served.is_empty() {
                        "no host".to_string()
                    } else {
                        served.join(", ")
                    }
                );
                findings.push(
                    Finding::new(&CODE, message, Some(binding.node.origin.clone())).on(object),
                );
            }
        }
    }
    findings
}

/// The hosts `gateway` serves to VirtualServices of `namespace`; `None` stands for every
/// host (a Gateway API listener without `hostname`).
fn served_hosts(gateway: &Node, namespace: &str) -> Vec<Option<String>> {
    if is_kubernetes_gateway(gateway) {
        return seq(gateway.at(&["spec", "listeners"]))
            .map(|listener| {
                listener
                    .str_at(&["hostname"])
                    .filter(|h| !h.is_empty())
                    .map(str::to_string)
            })
            .collect();
    }
    let gateway_namespace = namespace_of(gateway);
    seq(gateway.at(&["spec", "servers"]))
        .flat_map(|server| seq(server.get("hosts")).filter_map(Node::as_str))
        .filter_map(|written| match written.split_once('/') {
            None => Some(written),
            Some((".", host)) if gateway_namespace == namespace => Some(host),
            Some((scope, host)) if scope == "*" || scope == namespace => Some(host),
            Some(_) => None,
        })
        .map(|host| Some(host.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn gateway(yaml: &str) -> Node {
        parse_documents(std::path::Path::new("g.yaml"), yaml.as_bytes())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn server_hosts_admit_the_namespaces_they_name() {
        let istio = gateway(
            "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: edge}\nspec:\n  servers:\n  - hosts: [\"./own.example.com\", \"shop/shop.example.com\", \"*/any.example.com\", \"bare.example.com\"]\n",
        );
        let hosts = |namespace| -> Vec<String> {
            served_hosts(&istio, namespace)
                .into_iter()
                .flatten()
                .collect()
        };
        assert_eq!(
            hosts("shop"),
            ["shop.example.com", "any.example.com", "bare.example.com"]
        );
        assert_eq!(
            hosts("edge"),
            ["own.example.com", "any.example.com", "bare.example.com"]
        );
    }

    #[test]
    fn a_listener_without_hostname_serves_every_host() {
        let kubernetes = gateway(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  listeners:\n  - {name: a, hostname: a.example.com}\n  - {name: b}\n",
        );
        assert_eq!(
            served_hosts(&kubernetes, "default"),
            [Some("a.example.com".to_string()), None]
        );
    }
}
