//! MW605: one certificate used by servers of several Gateways on the same gateway workload.
//!
//! Gateways whose selectors may configure the same gateway pods ([`Gateways::neighbours`])
//! and whose servers read the same certificate — the same `credentialName`, or the same
//! `serverCertificate` and `privateKey` files — present one certificate under several
//! Gateways' routes.

use std::collections::BTreeSet;

use crate::analyze::authz::object_id;
use crate::analyze::refs::seq;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

pub static CODE: Code = Code {
    code: "MW605",
    name: "duplicate-gateway-certificate",
    severity: Severity::Warning,
    help: "serve the hosts that share a certificate from one Gateway, or give each Gateway its own certificate",
    docs: r#"## What it does
Finds Istio Gateways that may configure the same gateway workload — identical selectors,
one selector a subset of the other, or a workload of the repository both select — whose
servers use the same certificate: the same `tls.credentialName`, or the same
`tls.serverCertificate` and `tls.privateKey` files.

`istioctl analyze` reports this as IST0138 (GatewayDuplicateCertificate).

## Why is this bad?
Browsers reuse an HTTP/2 connection for every host the certificate covers (connection
coalescing). A request for a host of the other Gateway then arrives on the first
Gateway's filter chain, whose routes do not know that host, and gets a 404.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: istio-ingress}
spec:
  selector: {istio: ingress}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["shop.example.com"]
      tls: {mode: SIMPLE, credentialName: wildcard-example-com}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: blog, namespace: istio-ingress}
spec:
  selector: {istio: ingress}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["blog.example.com"]
      tls: {mode: SIMPLE, credentialName: wildcard-example-com}   # the same certificate
```

## Use instead
One Gateway with both hosts on the server using `wildcard-example-com`, or a certificate
per Gateway.
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// What identifies a server's certificate, and where it is written.
fn certificate(server: &Node) -> Option<(String, &Node)> {
    let tls = server.get("tls")?;
    if let Some(node) = tls.get("credentialName") {
        return node
            .as_str()
            .filter(|name| !name.is_empty())
            .map(|name| (format!("credentialName {name}"), node));
    }
    let certificate = tls.get("serverCertificate")?;
    let key = tls.str_at(&["privateKey"]).filter(|k| !k.is_empty())?;
    let path = certificate.as_str().filter(|c| !c.is_empty())?;
    Some((format!("serverCertificate {path} (key {key})"), certificate))
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let gateways = &cluster.lookups.gateways;
    let mut findings = Vec::new();
    for (index, gateway) in gateways.objects.iter().enumerate() {
        for server in seq(gateway.at(&["spec", "servers"])) {
            let Some((mine, node)) = certificate(server) else {
                continue;
            };
            let sharing: BTreeSet<String> = gateways
                .neighbours(index)
                .filter(|other| {
                    seq(other.at(&["spec", "servers"]))
                        .filter_map(certificate)
                        .any(|(theirs, _)| theirs == mine)
                })
                .map(object_id)
                .collect();
            if sharing.is_empty() {
                continue;
            }
            let names: Vec<String> = sharing.into_iter().collect();
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "Gateway {} on the same gateway workload uses the same certificate \
                         ({mine}); HTTP/2 clients may reuse one connection for both Gateways' \
                         hosts and get 404s",
                        names.join(", ")
                    ),
                    Some(node.origin.clone()),
                )
                .on(gateway),
            );
        }
    }
    findings
}
