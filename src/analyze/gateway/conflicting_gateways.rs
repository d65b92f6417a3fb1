//! MW604: two Gateways putting the same host on the same port of one gateway workload.
//!
//! Gateways whose selectors may configure the same gateway pods ([`Gateways::neighbours`])
//! share its listeners: two servers with the same port number, the same `bind` and a host in
//! common conflict, and Istio keeps only one of them.

use std::collections::BTreeSet;

use crate::analyze::authz::object_id;
use crate::analyze::refs::seq;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::port_number;

pub static CODE: Code = Code {
    code: "MW604",
    name: "conflicting-gateways",
    severity: Severity::Warning,
    help: "serve the host from one Gateway only, or give the servers different ports or selectors",
    docs: r#"## What it does
Finds Istio Gateways that may configure the same gateway workload — identical selectors,
one selector a subset of the other, or a workload of the repository both select — with
servers on the same port number and `bind` that name the same host (`ns/host` counts as
`host`).

`istioctl analyze` reports this as IST0145 (ConflictingGateways).

## Why is this bad?
Both servers land on one listener of the same gateway proxy. Istio cannot serve the host
twice: it keeps one server (for TLS, one certificate and one filter chain) and drops or
merges the other, so which Gateway's settings and routes apply depends on which object
istiod saw first.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["shop.example.com"]
      tls: {mode: SIMPLE, credentialName: shop-tls}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop-v2, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["shop.example.com"]   # the same host on the same port
      tls: {mode: SIMPLE, credentialName: shop-v2-tls}
```

## Use instead
One Gateway serving `shop.example.com`, bound by the VirtualServices of both versions.
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// Where a server listens and what it serves.
struct Listener<'a> {
    port: u16,
    bind: &'a str,
    /// Each host without its namespace prefix, and where it is written.
    hosts: Vec<(&'a str, &'a Node)>,
}

impl<'a> Listener<'a> {
    fn of(server: &'a Node) -> Option<Listener<'a>> {
        let port = server.at(&["port", "number"]).and_then(port_number)?;
        let bind = server.str_at(&["bind"]).unwrap_or_default();
        let hosts = seq(server.get("hosts"))
            .filter_map(|h| {
                let host = h.as_str()?;
                Some((host.rsplit_once('/').map_or(host, |(_, name)| name), h))
            })
            .collect();
        Some(Listener { port, bind, hosts })
    }

    /// The first host of `self` that `other` serves too on the same port and bind.
    fn shared_with(&self, other: &Listener) -> Option<&'a Node> {
        if self.port != other.port || self.bind != other.bind {
            return None;
        }
        self.hosts
            .iter()
            .find(|(host, _)| other.hosts.iter().any(|(h, _)| h == host))
            .map(|(_, node)| *node)
    }
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let gateways = &cluster.lookups.gateways;
    let mut findings = Vec::new();
    for (index, gateway) in gateways.objects.iter().enumerate() {
        let others: Vec<&Node> = gateways.neighbours(index).collect();
        for server in seq(gateway.at(&["spec", "servers"])) {
            let Some(mine) = Listener::of(server) else {
                continue;
            };
            let mut conflicting = BTreeSet::new();
            let mut first_shared: Option<&Node> = None;
            for other in &others {
                for theirs in seq(other.at(&["spec", "servers"])).filter_map(Listener::of) {
                    if let Some(node) = mine.shared_with(&theirs) {
                        conflicting.insert(object_id(other));
                        first_shared.get_or_insert(node);
                    }
                }
            }
            let Some(node) = first_shared else {
                continue;
            };
            let names: Vec<String> = conflicting.into_iter().collect();
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "port {} with host {} is also served by Gateway {} on the same \
                         gateway workload; Istio keeps only one of the servers",
                        mine.port,
                        node.as_str().unwrap_or_default(),
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
