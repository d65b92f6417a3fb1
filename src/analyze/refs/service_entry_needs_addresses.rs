//! MW407: a ServiceEntry whose resolution cannot work with what it declares.
//!
//! Following Istio's ServiceEntry validation and its IST0134 analyzer: with `resolution:
//! STATIC` and neither `endpoints` nor a `workloadSelector` there is nothing to send to;
//! with `resolution: DNS` (or `DNS_ROUND_ROBIN`), a wildcard host and no `endpoints` there
//! is no name to resolve ("hosts must be FQDN if no endpoints are provided") — both errors.
//! With no `addresses` (none in `status` either, and no DNS auto-allocation in istiod's mesh
//! config), a port serving TCP (protocol unset, or anything but HTTP, HTTP2, gRPC, HTTPS and
//! TLS, which Istio matches by Host header or SNI) cannot be told apart from any other
//! traffic to that port (a warning, at the first such port).

use crate::analyze::refs::{is_istio, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `service-entry-needs-addresses`
pub static CODE: Code = Code {
    code: "MW407",
    name: "service-entry-needs-addresses",
    severity: Severity::Error,
    help: "add addresses for TCP ports, endpoints (STATIC, or DNS with wildcard hosts), or change the resolution",
    docs: r#"## What it does
Checks a ServiceEntry's `resolution` against what it declares, as Istio's validation does
(errors): `STATIC` without `endpoints` or a `workloadSelector`; `DNS` or `DNS_ROUND_ROBIN`
with a wildcard host and no `endpoints`. And, as Istio's analyzer does (a warning): no
`addresses` for a port serving TCP — protocol unset, or anything but HTTP, HTTP2, gRPC,
HTTPS and TLS, which are matched by Host header or SNI — unless istiod's mesh config has
sidecars allocate addresses (`ISTIO_META_DNS_CAPTURE` with `ISTIO_META_DNS_AUTO_ALLOCATE` or
`PILOT_ENABLE_IP_AUTOALLOCATE` in `defaultConfig.proxyMetadata`) or the status holds them.

`istioctl analyze` reports this as IST0134 (ServiceEntryAddressesRequired).

## Why is this bad?
Without an address, TCP traffic to the port cannot be told apart from other traffic to the
same port; STATIC without endpoints has nothing to send to; a wildcard cannot be resolved
by DNS (Istio rejects it: "hosts must be FQDN if no endpoints are provided").

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy-db
spec:
  hosts: [db.legacy.example]
  ports:
    - {number: 5432, name: tcp-postgres, protocol: TCP}
  resolution: NONE
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy-db
spec:
  hosts: [db.legacy.example]
  addresses: [10.20.0.5]
  ports:
    - {number: 5432, name: tcp-postgres, protocol: TCP}
  resolution: NONE
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// Protocols Istio routes by Host header or SNI, without an address.
const NAMED: [&str; 6] = ["HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTPS", "TLS"];

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "ServiceEntry"))
    {
        let Some(spec) = object.get("spec") else {
            continue;
        };
        let present = |key: &str| seq(spec.get(key)).next().is_some();
        let finding = |severity, message: String, at: &Node| {
            let mut finding = Finding::new(&CODE, message, Some(at.origin.clone())).on(object);
            finding.severity = severity;
            finding
        };
        let resolution = spec.get("resolution");
        match resolution.and_then(Node::as_str) {
            Some("STATIC") if !present("endpoints") && spec.get("workloadSelector").is_none() => {
                findings.push(finding(
                    Severity::Error,
                    "resolution STATIC without endpoints or a workloadSelector; traffic to these \
                     hosts has nowhere to go"
                        .to_string(),
                    resolution.unwrap_or(object),
                ));
            }
            Some("DNS" | "DNS_ROUND_ROBIN") if !present("endpoints") => {
                if let Some(host) = wildcard(spec) {
                    findings.push(finding(
                        Severity::Error,
                        format!(
                            "resolution DNS without endpoints, but host {host} is a wildcard \
                             that DNS cannot resolve; Istio rejects this ServiceEntry"
                        ),
                        resolution.unwrap_or(object),
                    ));
                }
            }
            _ => {}
        }
        let addressed = present("addresses")
            || seq(object.at(&["status", "addresses"])).next().is_some()
            || cluster.model.auto_allocates_addresses;
        if addressed {
            continue;
        }
        let tcp_ports: Vec<&Node> = seq(spec.get("ports"))
            .filter(|p| !p.str_at(&["protocol"]).is_some_and(named))
            .collect();
        let Some(first) = tcp_ports.first() else {
            continue;
        };
        let numbers: Vec<String> = tcp_ports
            .iter()
            .filter_map(|p| p.get("number").and_then(crate::policy::workload::scalar))
            .collect();
        findings.push(finding(
            Severity::Warning,
            format!(
                "no addresses, but port {} serves TCP (or an unknown protocol); sidecars cannot \
                 tell this traffic from any other TCP traffic to the port, so it is captured for \
                 these hosts or passed through",
                numbers.join(", ")
            ),
            first.get("number").unwrap_or(first),
        ));
    }
    findings
}

fn named(protocol: &str) -> bool {
    NAMED.iter().any(|p| p.eq_ignore_ascii_case(protocol))
}

fn wildcard(spec: &Node) -> Option<&str> {
    seq(spec.get("hosts"))
        .filter_map(Node::as_str)
        .find(|h| h.contains('*'))
}
